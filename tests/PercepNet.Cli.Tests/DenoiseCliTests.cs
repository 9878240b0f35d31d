using System.Diagnostics;
using PercepNet.Audio;
using PercepNet.Cli;
using PercepNet.Features;
using PercepNet.Nn;
using Spectre.Console;

namespace PercepNet.Cli.Tests;

public sealed class DenoiseCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("percepnet-denoise-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly NetworkShape Tiny = new()
    {
        InputDense = 16, Conv1Channels = 24, Conv2Channels = 20, SharedGru = 18, GainGru = 14, StrengthGru = 10,
    };

    /// <summary>Writes a model whose gains are all sigmoid(gainBias), strengths 0 and speech probability sigmoid(vadBias).</summary>
    private string WriteConstantModel(string name, float gainBias, float vadBias = 0)
    {
        var tensors = Tiny.Tensors().Select(t =>
        {
            var w = new float[t.Shape.Aggregate(1, (a, b) => a * b)];
            if (t.Name == "gain_head.bias") Array.Fill(w, gainBias);
            if (t.Name == "strength_head.bias") Array.Fill(w, -30f);
            if (t.Name == "vad_head.bias") Array.Fill(w, vadBias);
            return w;
        }).ToList();
        string path = Path.Combine(_dir, name);
        using (var fs = File.Create(path)) new ModelFile(Tiny, new float[FeatureExtractor.Count], Enumerable.Repeat(1f, FeatureExtractor.Count).ToArray(), tensors).WriteTo(fs);
        return path;
    }

    /// <summary>Runs `percepnet` with a recording, colourless, non-interactive console.</summary>
    internal static (int Code, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.No, ColorSystem = ColorSystemSupport.NoColors,
        });
        return (Program.Run(args, console), writer.ToString());
    }

    private string WriteTone(string name, int rate, int channels, int bits)
    {
        int n = rate * 2 + 33;
        var ch = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            ch[c] = new float[n];
            for (int i = 0; i < n; i++) ch[c][i] = (float)(0.3 * Math.Sin(2 * Math.PI * (200 + 100 * c) * i / rate) * Math.Sin(Math.PI * i / n));
        }
        string path = Path.Combine(_dir, name);
        AudioFile.Write(path, new AudioData(rate, ch), new WavFormat(bits == 32 ? WavEncoding.IeeeFloat : WavEncoding.Pcm, bits, rate, channels));
        return path;
    }

    [Fact]
    public void UnitGainModelGivesTheInputBackInItsOwnFormat()
    {
        string model = WriteConstantModel("unit.pnnm", 30f);
        string input = WriteTone("in.wav", 44100, 2, 24);
        string output = Path.Combine(_dir, "out.wav");
        var (code, text) = Run("denoise", input, output, "--model", model);
        Assert.True(code == 0, text);
        var a = AudioFile.Read(input);
        var b = AudioFile.Read(output);
        Assert.Equal((a.SampleRate, a.ChannelCount, a.Length, a.SourceFormat!.BitsPerSample), (b.SampleRate, b.ChannelCount, b.Length, b.SourceFormat!.BitsPerSample));
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a.Channels[c][i] - b.Channels[c][i]) < 1e-3, $"ch {c} i {i}");
    }

    [Fact]
    public void TheVadGateMutesWhatTheNetworkCallsNoSpeech()
    {
        string model = WriteConstantModel("unit-vad.pnnm", 30f, vadBias: 0f); // speech probability 0.5 everywhere
        string input = WriteTone("in.wav", 48000, 1, 16);
        string open = Path.Combine(_dir, "open.wav"), shut = Path.Combine(_dir, "shut.wav"), plain = Path.Combine(_dir, "plain.wav");
        Assert.Equal(0, Run("denoise", input, plain, "--model", model).Code);
        var (code, text) = Run("denoise", input, open, "--model", model, "--vad-gate", "0.4", "--vad-hold", "0");
        Assert.True(code == 0, text);
        (code, text) = Run("denoise", input, shut, "--model", model, "--vad-gate", "0.6");
        Assert.True(code == 0, text);
        var p = AudioFile.Read(plain).Channels[0];
        var o = AudioFile.Read(open).Channels[0];
        Assert.All(AudioFile.Read(shut).Channels[0], v => Assert.Equal(0f, v));
        // Open from the first frame: after its 1 ms fade in, the same samples as without the gate.
        Assert.Equal(p.AsSpan(1440 + 48).ToArray(), o.AsSpan(1440 + 48).ToArray());
        Assert.Contains(p.Skip(4800), v => v != 0);
        Assert.Equal(2, Run("denoise", input, shut, "--vad-gate", "1.5").Code);
        Assert.Equal(2, Run("denoise", input, shut, "--vad-gate", "0.5", "--vad-hold", "-1").Code);
    }

    [Fact]
    public void GainReleaseIsAnOptionAndZeroIsOff()
    {
        // The built-in model on a tone in noise: its gains move from frame to frame, so the limit changes the output.
        int n = 48000 * 2;
        var rng = new Random(5);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(0.2 * Math.Sin(2 * Math.PI * 220 * i / 48000.0) * (i / 12000 % 2) + 0.03 * (rng.NextDouble() * 2 - 1));
        string input = Path.Combine(_dir, "in.wav");
        AudioFile.Write(input, new AudioData(48000, [x]), new WavFormat(WavEncoding.IeeeFloat, 32, 48000, 1));
        float[] Denoise(string name, params string[] extra)
        {
            string output = Path.Combine(_dir, name);
            var (code, text) = Run(["denoise", input, output, .. extra]);
            Assert.True(code == 0, text);
            return AudioFile.Read(output).Channels[0];
        }
        var plain = Denoise("plain.wav");
        Assert.Equal(plain, Denoise("off.wav", "--gain-release", "0"));
        var held = Denoise("held.wav", "--gain-release", "135");
        Assert.NotEqual(plain, held);
        Assert.True(held.Sum(v => (double)v * v) > plain.Sum(v => (double)v * v), "gains are only raised");
        foreach (string bad in new[] { "5", "-1", "20000" })
        {
            var (code, text) = Run("denoise", input, Path.Combine(_dir, "bad.wav"), "--gain-release", bad);
            Assert.Equal(2, code);
            Assert.Contains("--gain-release", text);
        }
        Assert.False(File.Exists(Path.Combine(_dir, "bad.wav")));
    }

    [Fact]
    public void FoldersAndAttenuationLimit()
    {
        string model = WriteConstantModel("zero.pnnm", -30f);
        Directory.CreateDirectory(Path.Combine(_dir, "in"));
        WriteTone(Path.Combine("in", "a.wav"), 16000, 1, 16);
        WriteTone(Path.Combine("in", "b.wav"), 48000, 1, 32);
        var (code, text) = Run("denoise", Path.Combine(_dir, "in"), Path.Combine(_dir, "out"), "--model", model, "--attenuation-limit", "12");
        Assert.True(code == 0, text);
        foreach (string name in new[] { "a.wav", "b.wav" })
        {
            var x = AudioFile.Read(Path.Combine(_dir, "in", name)).Channels[0];
            var y = AudioFile.Read(Path.Combine(_dir, "out", name)).Channels[0];
            double ex = x.Sum(v => (double)v * v), ey = y.Sum(v => (double)v * v);
            Assert.InRange(10 * Math.Log10(ey / ex), -12.5, -11.5);
        }
    }

    [SkippableFact]
    public void WarmUpStartsTheFileWithTheNetworkAlreadyRunning()
    {
        Skip.IfNot(PercepNetModel.HasDefault, "no built-in model in this build");
        // A recurrent network: the state the warm-up leaves changes the start of the output, never its length.
        var rng = new Random(5);
        int n = 48000 * 2;
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(0.05 * (rng.NextDouble() - 0.5) + 0.2 * Math.Sin(2 * Math.PI * 220 * i / 48000.0) * (i / 9600 % 2));
        string input = Path.Combine(_dir, "noisy.wav");
        AudioFile.Write(input, new AudioData(48000, [x]), WavFormat.Pcm16(48000, 1));
        string cold = Path.Combine(_dir, "cold.wav"), warm = Path.Combine(_dir, "warm.wav"), byDefault = Path.Combine(_dir, "default.wav");
        Assert.Equal(0, Run("denoise", input, cold, "--warm-up", "0").Code);
        var (code, text) = Run("denoise", input, warm, "--warm-up", "10");
        Assert.True(code == 0, text);
        Assert.Equal(0, Run("denoise", input, byDefault).Code);
        var a = AudioFile.Read(cold).Channels[0];
        var b = AudioFile.Read(warm).Channels[0];
        Assert.Equal(n, b.Length);
        Assert.NotEqual(a.AsSpan(0, 4800).ToArray(), b.AsSpan(0, 4800).ToArray());
        // Files are warmed for 10 s unless told otherwise (the shipped configuration).
        Assert.Equal(File.ReadAllBytes(warm), File.ReadAllBytes(byDefault));
        Assert.Equal(2, Run("denoise", input, warm, "--warm-up", "-1").Code);
        Assert.Equal(2, Run("denoise", "-", "-", "--warm-up", "5").Code);
    }

    [Fact]
    public void ErrorsAndUsage()
    {
        string input = WriteTone("x.wav", 16000, 1, 16);
        Assert.Equal(1, Run("denoise", input, Path.Combine(_dir, "y.wav"), "--model", Path.Combine(_dir, "missing.pnnm")).Code);
        File.WriteAllText(Path.Combine(_dir, "bad.pnnm"), "not a model");
        var r = Run("denoise", input, Path.Combine(_dir, "y.wav"), "--model", Path.Combine(_dir, "bad.pnnm"));
        Assert.Equal(1, r.Code);
        Assert.Contains("bad.pnnm", r.Output);
        Assert.Equal(2, Run("denoise", input, input).Code);
        Assert.Equal(2, Run("denoise", input, Path.Combine(_dir, "y.wav"), "--attenuation-limit", "-3").Code);
        if (!PercepNetModel.HasDefault)
        {
            r = Run("denoise", input, Path.Combine(_dir, "y.wav"));
            Assert.Equal(1, r.Code);
            Assert.Contains("--model", r.Output);
        }
    }

    [Fact]
    public void NoInputIsOverwrittenThroughALinkedFolderOrAnotherPathToIt()
    {
        string model = WriteConstantModel("half.pnnm", 0f);
        string d = Path.Combine(_dir, "d");
        Directory.CreateDirectory(d);
        string input = WriteTone("d/in.wav", 48000, 1, 16);
        WriteTone("d/other.wav", 48000, 1, 16);
        byte[] before = File.ReadAllBytes(input);
        string linked = Path.Combine(_dir, "dl");
        Directory.CreateSymbolicLink(linked, d);
        File.CreateSymbolicLink(Path.Combine(_dir, "link.wav"), input);
        string hard = Path.Combine(_dir, "hard.wav");
        if (OperatingSystem.IsLinux())
        {
            using var ln = Process.Start("ln", [input, hard]);
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }
        string[] aliases = [Path.Combine(linked, "in.wav"), Path.Combine(_dir, "link.wav"), Path.Combine(d, "..", "d", "in.wav"),
            .. OperatingSystem.IsLinux() ? new[] { hard } : []];
        foreach (string alias in aliases)
        {
            var r = Run("denoise", input, alias, "--model", model);
            Assert.True(r.Code != 0, $"{alias}: exit {r.Code}");
            Assert.Contains("overwrite", r.Output);
        }
        // Folder mode into the same folder through a link: refused before any file is touched.
        var f = Run("denoise", d, linked, "--model", model);
        Assert.True(f.Code != 0);
        Assert.Contains("input folder", f.Output);
        Assert.Equal(before, File.ReadAllBytes(input));
        Assert.Equal(2, Directory.GetFiles(d).Length);
        Assert.Empty(Directory.GetFiles(d, ".*"));
        // A different file through the linked folder is fine.
        Assert.Equal(0, Run("denoise", input, Path.Combine(linked, "out.wav"), "--model", model).Code);
        Assert.True(File.Exists(Path.Combine(d, "out.wav")));
    }

    [Fact]
    public void AFolderRunSkipsAFifoWithAnErrorAndTakesUpperCaseNames()
    {
        if (!OperatingSystem.IsLinux()) return;
        string model = WriteConstantModel("unit3.pnnm", 30f);
        string d = Path.Combine(_dir, "mixed");
        Directory.CreateDirectory(d);
        WriteTone("mixed/a.wav", 16000, 1, 16);
        WriteTone("mixed/B.WAV", 16000, 1, 16);
        using (var p = Process.Start("mkfifo", [Path.Combine(d, "f.wav")])!) p.WaitForExit();
        var r = Run("denoise", d, Path.Combine(_dir, "mixed-out"), "--model", model);
        Assert.Equal(1, r.Code);
        Assert.Contains("f.wav: not a regular file", r.Output);
        Assert.Contains("2 of 3 files", r.Output);
        Assert.True(File.Exists(Path.Combine(_dir, "mixed-out", "B.WAV")));
        Assert.True(File.Exists(Path.Combine(_dir, "mixed-out", "a.wav")));
    }

    [Fact]
    public async Task RawPcmPipeKeepsLengthAndAlignment()
    {
        string model = WriteConstantModel("unit2.pnnm", 30f);
        string dll = Path.Combine(AppContext.BaseDirectory, "percepnet.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { dll, "denoise", "-", "-", "--model", model }) psi.ArgumentList.Add(a);
        int n = 48000 + 123;
        var samples = new short[n];
        for (int i = 0; i < n; i++) samples[i] = (short)(8000 * Math.Sin(2 * Math.PI * 300 * i / 48000.0));
        var bytes = new byte[2 * n];
        Buffer.BlockCopy(samples, 0, bytes, 0, bytes.Length);
        using var p = Process.Start(psi)!;
        var stdout = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        p.StandardInput.BaseStream.Write(bytes);
        p.StandardInput.Close();
        await copy;
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, await p.StandardError.ReadToEndAsync());
        var outBytes = stdout.ToArray();
        Assert.Equal(bytes.Length, outBytes.Length);
        var y = new short[n];
        Buffer.BlockCopy(outBytes, 0, y, 0, outBytes.Length);
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(y[i] - samples[i]) <= 2, $"sample {i}: {y[i]} vs {samples[i]}");
    }

    [Theory]
    [InlineData(16000, 2)]
    [InlineData(44100, 1)]
    [InlineData(48000, 3)]
    public async Task ARawStreamAtAnyRateAndChannelCountGivesWhatTheWavPathGives(int rate, int channels)
    {
        // The real model, so the channels really are denoised; the WAV path is the reference.
        string wav = WriteTone($"raw{rate}x{channels}.wav", rate, channels, 16);
        string reference = Path.Combine(_dir, $"raw{rate}x{channels}-out.wav");
        // A raw stream starts cold; so does a WAV file with --warm-up 0.
        Assert.Equal(0, Run("denoise", wav, reference, "--warm-up", "0").Code);
        var x = AudioFile.Read(wav);
        int n = x.Length;
        var bytes = new byte[2 * n * channels];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < channels; c++)
                System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * (i * channels + c)), (short)Math.Round(x.Channels[c][i] * 32768f));
        using var p = Process.Start(Cli("denoise", "-", "-", "--rate", rate.ToString(), "--channels", channels.ToString()))!;
        var stdout = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = p.StandardError.ReadToEndAsync();
        // Written in odd-sized pieces, as a live source would deliver it.
        for (int o = 0; o < bytes.Length; o += 1234) await p.StandardInput.BaseStream.WriteAsync(bytes.AsMemory(o, Math.Min(1234, bytes.Length - o)));
        p.StandardInput.Close();
        await copy;
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, await stderr);
        Assert.Equal(bytes.Length, stdout.Length);
        var y = AudioFile.Read(reference);
        var raw = stdout.ToArray();
        double peak = 0, err = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < channels; c++)
            {
                float v = System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(raw.AsSpan(2 * (i * channels + c))) / 32768f;
                peak = Math.Max(peak, Math.Abs(y.Channels[c][i]));
                err = Math.Max(err, Math.Abs(v - y.Channels[c][i]));
            }
        Assert.True(peak > 0.01, $"the output is not silent (peak {peak})");
        Assert.True(err <= 1.5 / 32768, $"raw and WAV paths differ by {err * 32768:F1} LSB");
    }

    [Fact]
    public async Task ARawStreamIsProcessedAsItArrivesNotAtItsEnd()
    {
        // Live use: with the input still open, everything but the last 30 ms (the latency) and one
        // frame must already have come out.
        using var p = Process.Start(Cli("denoise", "-", "-", "--model", WriteConstantModel("live.pnnm", 30f)))!;
        var second = new byte[96000];
        new Random(5).NextBytes(second);
        await p.StandardInput.BaseStream.WriteAsync(second);
        await p.StandardInput.BaseStream.FlushAsync();
        int expected = 2 * (48000 - Denoiser.FrameSize - 3 * Denoiser.FrameSize); // 1440 + one frame of granularity
        var buffer = new byte[96000];
        int got = 0;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            while (got < expected) got += await p.StandardOutput.BaseStream.ReadAsync(buffer.AsMemory(got), timeout.Token);
        Assert.True(got >= expected, $"{got} bytes out of {second.Length} before the input ended");
        Assert.False(p.HasExited);
        p.StandardInput.Close();
        while (true) { int r = await p.StandardOutput.BaseStream.ReadAsync(buffer.AsMemory(got)); if (r == 0) break; got += r; }
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(second.Length, got);
    }

    [Fact]
    public void RateAndChannelsAreForRawStreamsAndChecked()
    {
        string input = WriteTone("rc.wav", 16000, 1, 16);
        var r = Run("denoise", input, Path.Combine(_dir, "rc-out.wav"), "--rate", "16000");
        Assert.Equal(2, r.Code);
        Assert.Contains("--rate and --channels", r.Output);
        Assert.Equal(2, Run("denoise", "-", "-", "--channels", "0").Code);
        Assert.Equal(2, Run("denoise", "-", "-", "--rate", "999").Code);
    }

    private static ProcessStartInfo Cli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "percepnet.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Whether this process ignores the signal numbered <paramref name="signo"/> (/proc/self/status, SigIgn).</summary>
    private static bool SignalIgnored(int signo)
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line != null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (signo - 1))) != 0;
    }

    [SkippableTheory]
    [InlineData("INT")]
    [InlineData("TERM")]
    [InlineData("HUP")]
    public void ASignalStopsALongRunRemovesItsTemporaryFileAndKeepsTheEarlierOutput(string signal)
    {
        if (!OperatingSystem.IsLinux()) return;
        // A signal ignored when the tests start (SIGHUP under nohup, SIGINT in a background job of a
        // non-interactive shell) is ignored by the tool they start too: the .NET runtime keeps an
        // inherited ignore, as a program started that way should.
        int signo = signal switch { "HUP" => 1, "INT" => 2, _ => 15 };
        Skip.If(SignalIgnored(signo), $"SIG{signal} is ignored in this test run (inherited from how it was started), so the tool rightly ignores it too");
        string d = Path.Combine(_dir, "sig" + signal);
        Directory.CreateDirectory(d);
        // The input is a FIFO that this test feeds: the run is surely in the middle of its work (waiting
        // for more audio) when the signal comes, however fast the machine.
        string input = Path.Combine(d, "live.wav");
        using (var mk = Process.Start("mkfifo", [input])!) mk.WaitForExit();
        string output = Path.Combine(d, "out.wav");
        File.WriteAllText(output, "an earlier result");
        using var signalled = new ManualResetEventSlim();
        Exception? feedError = null;
        var feeder = new Thread(() =>
        {
            try
            {
                byte[] header = [.. "RIFF"u8, 0xFF, 0xFF, 0xFF, 0xFF, .. "WAVEfmt "u8, 16, 0, 0, 0, 1, 0, 1, 0, 0x80, 0xBB, 0, 0, 0, 0x77, 1, 0, 2, 0, 16, 0, .. "data"u8, 0xFF, 0xFF, 0xFF, 0xFF];
                var second = new byte[96000];
                new Random(1).NextBytes(second);
                using var w = new FileStream(input, FileMode.Open, FileAccess.Write);
                w.Write(header);
                for (int k = 0; k < 3; k++) w.Write(second);
                w.Flush();
                signalled.Wait(TimeSpan.FromSeconds(120));
                w.Write(second); // one more second, then the end of the stream
            }
            catch (Exception e) { feedError = e; }
        });
        string model = WriteConstantModel($"sig{signal}.pnnm", 0f);
        using var p = Process.Start(Cli("denoise", input, output, "--model", model))!;
        feeder.Start();
        var said = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (said) said.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (said) said.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            var sw = Stopwatch.StartNew();
            while (Directory.GetFiles(d, ".out.wav.*.tmp").Length == 0 && !p.HasExited && sw.Elapsed.TotalSeconds < 60) Thread.Sleep(20);
            Assert.False(p.HasExited, "the run ended before it could be signalled");
            Thread.Sleep(300); // the 3 s fed so far are being processed; the run then waits for more
            using var kill = Process.Start("kill", ["-s", signal, p.Id.ToString()])!;
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
            // The run is blocked on the FIFO: let the rest of the input come only once the signal has
            // been handled, otherwise a slow handler thread on a loaded machine lets the run finish.
            sw.Restart();
            while (!p.HasExited && sw.Elapsed.TotalSeconds < 60) { lock (said) if (said.ToString().Contains("received")) break; Thread.Sleep(20); }
        }
        finally
        {
            signalled.Set();
            feeder.Join();
            if (!p.WaitForExit(30000)) p.Kill();
        }
        p.WaitForExit();
        Assert.True(p.ExitCode == Program.Interrupted, $"exit {p.ExitCode}: {said} {feedError}");
        Assert.Contains("interrupted", said.ToString());
        Assert.Empty(Directory.GetFiles(d, "*.tmp"));
        Assert.Equal("an earlier result", File.ReadAllText(output));
    }

    [Fact]
    public async Task ThePipeStopsWhenItsReaderGoesAwayAndSaysSo()
    {
        using var p = Process.Start(Cli("denoise", "-", "-", "--model", WriteConstantModel("pipe.pnnm", 30f)))!;
        var stderr = p.StandardError.ReadToEndAsync();
        // Endless input; the reader takes 1000 bytes and closes its end.
        var feed = Task.Run(async () =>
        {
            var chunk = new byte[9600];
            new Random(3).NextBytes(chunk);
            try { while (true) await p.StandardInput.BaseStream.WriteAsync(chunk); }
            catch (IOException) { } // the denoiser stopped reading
        });
        var buf = new byte[1000];
        await p.StandardOutput.BaseStream.ReadExactlyAsync(buf);
        p.StandardOutput.Close();
        var done = p.WaitForExitAsync();
        Assert.True(await Task.WhenAny(done, Task.Delay(30000)) == done, "the pipe mode kept running after its reader left");
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("closed by its reader", await stderr);
        await feed;
    }

    [Fact]
    public async Task AnOddTrailingByteIsReportedAndANaNLimitIsAUsageError()
    {
        using var p = Process.Start(Cli("denoise", "-", "-", "--model", WriteConstantModel("odd.pnnm", 30f)))!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        p.StandardInput.BaseStream.Write(new byte[2001]);
        p.StandardInput.Close();
        await copy;
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(2000, stdout.Length);
        Assert.Contains("odd byte", await stderr);
        string input = WriteTone("nan.wav", 16000, 1, 16);
        Assert.Equal(2, Run("denoise", input, Path.Combine(_dir, "nan-out.wav"), "--attenuation-limit", "NaN").Code);
    }

    [Fact]
    public void ModelsThatAreDevicesFifosOrHugeAreRefusedWithoutReadingThem()
    {
        string input = WriteTone("m.wav", 16000, 1, 16);
        string output = Path.Combine(_dir, "m-out.wav");
        var cases = new List<(string Path, string Expected)>
        {
            (Path.Combine(_dir, "empty.pnnm"), "empty, or not a regular file"),
            (Path.Combine(_dir, "huge.pnnm"), "model files are at most"),
        };
        File.WriteAllBytes(cases[0].Path, []);
        using (var f = new FileStream(cases[1].Path, FileMode.Create)) f.SetLength(ModelFile.MaxBytes + 1); // sparse
        if (OperatingSystem.IsLinux())
        {
            cases.Add(("/dev/zero", "not a regular file"));
            string fifo = Path.Combine(_dir, "fifo.pnnm");
            using (var p = Process.Start("mkfifo", [fifo])!) p.WaitForExit();
            cases.Add((fifo, "not a regular file"));
        }
        foreach (var (path, expected) in cases)
        {
            var r = Run("denoise", input, output, "--model", path);
            Assert.Equal(1, r.Code);
            Assert.Contains(path, r.Output.Replace("\n", ""));
            Assert.Contains(expected, r.Output.Replace("\n", ""));
        }
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void TheModelVerbShowsAModelAndWritesACopyWithAnotherFeatureFloor()
    {
        string model = WriteConstantModel("m.pnnm", 0f);
        var r = Run("model", model);
        Assert.Equal(0, r.Code);
        Assert.Contains("feature floor none", r.Output.ReplaceLineEndings(" "));
        string copy = Path.Combine(_dir, "m-floor.pnnm");
        Assert.Equal(0, Run("model", model, "--feature-floor", "-66", "--output", copy).Code);
        var a = ModelFile.Load(model);
        var b = ModelFile.Load(copy);
        Assert.Equal(-66, b.FeatureFloorDbfs);
        for (int i = 0; i < a.TensorCount; i++) Assert.Equal(a.Tensor(i).ToArray(), b.Tensor(i).ToArray());
        Assert.Equal(2, Run("model", model, "--feature-floor", "-66").Code);
        Assert.Equal(2, Run("model", model, "--feature-floor", "-66", "--output", model).Code);
        Assert.Equal(2, Run("model", model, "--feature-floor", "3", "--output", copy).Code);
        Assert.Equal(0, Run("model", copy, "--feature-floor", "-200", "--output", Path.Combine(_dir, "m-none.pnnm")).Code);
        Assert.Null(ModelFile.Load(Path.Combine(_dir, "m-none.pnnm")).FeatureFloorDbfs);
    }
}
