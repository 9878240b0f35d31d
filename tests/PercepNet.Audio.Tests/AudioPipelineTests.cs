using PercepNet.Dsp;
using PercepNet.TestSupport;
using Xunit.Abstractions;

namespace PercepNet.Audio.Tests;

public sealed class AudioPipelineTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private sealed class Identity : IFrameProcessor
    {
        public int LatencySamples => 0;
        public void Reset() { }
        public void ProcessFrame(ReadOnlySpan<float> input, Span<float> output) => input.CopyTo(output);
    }

    /// <summary>A pure delay of <paramref name="delay"/> samples times a gain, stated as its DelaySamples.</summary>
    private sealed class Delay(int delay, float gain = 1) : IFrameProcessor
    {
        private readonly float[] _line = new float[delay + 1];
        private int _pos;
        public int LatencySamples => delay;
        public void Reset() { }
        public void ProcessFrame(ReadOnlySpan<float> input, Span<float> output)
        {
            for (int i = 0; i < input.Length; i++)
            {
                _line[_pos] = input[i];
                _pos = (_pos + 1) % _line.Length;
                output[i] = gain * _line[_pos]; // the oldest sample: input delay samples ago
            }
        }
    }

    /// <summary>
    /// Sines at 0.05, 0.2 and 0.35 x min(rate, 48 kHz), different per channel, with 50 ms raised-cosine
    /// fades: a signal the resamplers pass unchanged (all of it inside the 0.4535 x passband).
    /// </summary>
    private static float[][] TestSignal(int rate, int channels, int frames)
    {
        int low = Math.Min(rate, 48000), fade = rate / 20;
        var x = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            x[c] = new float[frames];
            foreach (double f in new[] { 0.05, 0.2, 0.35 })
            {
                var s = Signal.Sine(frames, f * low * (1 + 0.1 * c), rate, 0.25, phase: c + f);
                for (int i = 0; i < frames; i++) x[c][i] += s[i];
            }
            for (int i = 0; i < Math.Min(fade, frames / 2); i++)
            {
                float g = (float)(0.5 - 0.5 * Math.Cos(Math.PI * i / fade));
                x[c][i] *= g;
                x[c][frames - 1 - i] *= g;
            }
        }
        return x;
    }

    private string WriteInput(string name, WavFormat f, float[][] x)
    {
        string path = _tmp.File(name);
        AudioFile.Write(path, new AudioData(f.SampleRate, x), f);
        return path;
    }

    [Fact]
    public void Identity_At48k_IsBitExact()
    {
        var rng = new Random(1);
        var x = new float[2][];
        for (int c = 0; c < 2; c++) x[c] = Enumerable.Range(0, 30_001).Select(_ => rng.Next(-32768, 32768) / 32768f).ToArray();
        string input = WriteInput("in.wav", WavFormat.Pcm16(48000, 2), x); // full-band noise
        string outPath = _tmp.File("out.wav");
        AudioPipeline.ProcessFile(input, outPath, _ => new Identity());
        Assert.Equal(File.ReadAllBytes(input), File.ReadAllBytes(outPath));
        AudioPipeline.ProcessFile(input, outPath, _ => new Delay(1234));
        Assert.Equal(File.ReadAllBytes(input), File.ReadAllBytes(outPath));
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(11025)]
    [InlineData(16000)]
    [InlineData(22050)]
    [InlineData(44100)]
    [InlineData(96000)]
    public void IdentityAndPureDelay_GiveTheInput_SameLengthFormatAndAlignment(int rate)
    {
        var f = new WavFormat(WavEncoding.Pcm, 24, rate, 2);
        int frames = rate / 2 + 7;
        var x = TestSignal(rate, 2, frames);
        string input = WriteInput("in.wav", f, x);
        var original = AudioFile.Read(input);
        foreach (var (name, factory) in new (string, Func<int, IFrameProcessor>)[]
                 {
                     ("identity", _ => new Identity()),
                     ("delay 497", _ => new Delay(497)),
                     ("delay 12345", _ => new Delay(12345)), // longer than a read chunk (8192 frames)
                 })
        {
            string outPath = _tmp.File("out.wav");
            AudioPipeline.ProcessFile(input, outPath, factory);
            var y = AudioFile.Read(outPath);
            Assert.Equal(f, y.SourceFormat);
            Assert.Equal(frames, y.Length);
            for (int c = 0; c < 2; c++)
            {
                double err = Signal.ErrorDb(y.Channels[c], original.Channels[c]);
                output.WriteLine($"{rate} Hz, {name}, channel {c}: output - input = {err:F1} dB");
                Assert.True(err < -90, $"{rate} Hz {name} channel {c}: error {err:F1} dB");
            }
        }
    }

    [Fact]
    public void EachChannelGetsItsOwnProcessor_WithItsOwnDelay()
    {
        var f = WavFormat.Float32(44100, 3);
        var x = TestSignal(44100, 3, 20_000);
        string input = WriteInput("in.wav", f, x);
        var made = new List<int>();
        string outPath = _tmp.File("out.wav");
        AudioPipeline.ProcessFile(input, outPath, c => { made.Add(c); return new Delay(c * 700 + 3, gain: 0.5f * (c + 1)); });
        Assert.Equal([0, 1, 2], made);
        var y = AudioFile.Read(outPath);
        for (int c = 0; c < 3; c++)
        {
            var expect = x[c].Select(v => v * 0.5f * (c + 1)).ToArray();
            double err = Signal.ErrorDb(y.Channels[c], expect);
            Assert.True(err < -90, $"channel {c}: error {err:F1} dB");
        }
    }

    [Fact]
    public void Progress_RisesTo1()
    {
        string input = WriteInput("in.wav", WavFormat.Pcm16(16000, 1), TestSignal(16000, 1, 50_000));
        var seen = new List<double>();
        AudioPipeline.ProcessFile(input, _tmp.File("out.wav"), _ => new Identity(), seen.Add);
        Assert.True(seen.Count > 2);
        Assert.Equal(1.0, seen[^1]);
        for (int i = 1; i < seen.Count; i++) Assert.True(seen[i] >= seen[i - 1] && seen[i] <= 1);
    }

    [Fact]
    public void Failures_LeaveNoOutput_AndNeverTouchTheInput()
    {
        string input = WriteInput("in.wav", WavFormat.Pcm16(44100, 1), TestSignal(44100, 1, 40_000));
        var before = File.ReadAllBytes(input);
        string outPath = _tmp.File("out.wav");

        var e = Assert.Throws<ArgumentException>(() => AudioPipeline.ProcessFile(input, input, _ => new Identity()));
        Assert.Contains("input", e.Message);

        Assert.Throws<InvalidOperationException>(() =>
            AudioPipeline.ProcessFile(input, outPath, _ => new Failing()));
        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() =>
            AudioPipeline.ProcessFile(input, outPath, _ => new Identity(), p => { if (p > 0.2) cts.Cancel(); }, cancellationToken: cts.Token));

        Assert.Equal([input], Directory.GetFiles(_tmp.Path));
        Assert.Equal(before, File.ReadAllBytes(input));
        Assert.Throws<FileNotFoundException>(() => AudioPipeline.ProcessFile(_tmp.File("missing.wav"), outPath, _ => new Identity()));
    }

    [Fact]
    public void DisposableProcessors_AreDisposed_AlsoOnFailure()
    {
        string input = WriteInput("in.wav", WavFormat.Pcm16(16000, 2), TestSignal(16000, 2, 30_000));
        var made = new List<Failing>();
        AudioPipeline.ProcessFile(input, _tmp.File("ok.wav"), _ => { var p = new Failing(failAt: -1); made.Add(p); return p; });
        Assert.All(made, p => Assert.True(p.Disposed));
        made.Clear();
        Assert.Throws<InvalidOperationException>(() =>
            AudioPipeline.ProcessFile(input, _tmp.File("bad.wav"), _ => { var p = new Failing(); made.Add(p); return p; }));
        Assert.Equal(2, made.Count);
        Assert.All(made, p => Assert.True(p.Disposed));
    }

    private sealed class Failing(int failAt = 20) : IFrameProcessor, IDisposable
    {
        private int _calls;
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
        public int LatencySamples => 0;
        public void Reset() { }
        public void ProcessFrame(ReadOnlySpan<float> input, Span<float> output)
        {
            if (++_calls == failAt) throw new InvalidOperationException("model failed");
            input.CopyTo(output);
        }
    }

    [Fact]
    public void NonFiniteInput_IsReplacedBySilence()
    {
        var x = TestSignal(44100, 1, 20_000);
        x[0][5000] = float.NaN;
        x[0][6000] = float.PositiveInfinity;
        string input = WriteInput("in.wav", WavFormat.Float32(44100, 1), x);
        string outPath = _tmp.File("out.wav");
        var seen = new List<float>();
        AudioPipeline.ProcessFile(input, outPath, _ => new Recording(seen));
        Assert.All(seen, v => Assert.True(float.IsFinite(v)));
        var y = AudioFile.Read(outPath).Channels[0];
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
        x[0][5000] = x[0][6000] = 0;
        double err = Signal.ErrorDb(y, x[0]);
        // Not -90 dB: the two one-sample dropouts are broadband clicks whose part above 20 kHz the resamplers remove.
        Assert.True(err < -50, $"error {err:F1} dB");
    }

    private sealed class Recording(List<float> seen) : IFrameProcessor
    {
        public int LatencySamples => 0;
        public void Reset() { }
        public void ProcessFrame(ReadOnlySpan<float> input, Span<float> output)
        {
            seen.AddRange(input);
            input.CopyTo(output);
        }
    }

    [Theory]
    [InlineData(48000, 2, 0.3)]
    [InlineData(44100, 1, 0.3)]
    [InlineData(16000, 2, 5.0)] // longer than the file: all of it
    public void WarmUp_KeepsTheOutputsLengthAndAlignment(int rate, int channels, double warmUp)
    {
        // A delay holds state (its line), but every output of the warm-up is dropped with the latency, so the
        // output must be the cold one sample for sample: nothing of the warm-up audio leaks into the file.
        var x = TestSignal(rate, channels, rate + 777);
        string input = WriteInput("in.wav", WavFormat.Float32(rate, channels), x);
        string cold = _tmp.File("cold.wav"), warm = _tmp.File("warm.wav");
        AudioPipeline.ProcessFile(input, cold, c => new Delay(480 + 37 * c));
        AudioPipeline.ProcessFile(input, warm, c => new Delay(480 + 37 * c), warmUpSeconds: warmUp);
        var a = AudioFile.Read(cold);
        var b = AudioFile.Read(warm);
        Assert.Equal(a.Length, b.Length);
        for (int c = 0; c < channels; c++) Assert.Equal(a.Channels[c], b.Channels[c]);
    }

    [Theory]
    [InlineData(0.25, 12_000)] // a quarter second of a 48 kHz file: 25 whole blocks
    [InlineData(0.2551, 12_000)] // 12,245 samples: the last partial block is not run
    [InlineData(3.0, 48_000)] // longer than the 1 s file: all its whole blocks
    public void WarmUp_RunsTheFilesStartThroughTheProcessorFirst(double warmUp, int expectWarm)
    {
        var x = TestSignal(48000, 1, 48_000);
        string input = WriteInput("in.wav", WavFormat.Float32(48000, 1), x);
        var cold = new List<float>();
        var warm = new List<float>();
        AudioPipeline.ProcessFile(input, _tmp.File("cold.wav"), _ => new Recording(cold));
        AudioPipeline.ProcessFile(input, _tmp.File("warm.wav"), _ => new Recording(warm), warmUpSeconds: warmUp);
        Assert.Equal(cold.Count + expectWarm, warm.Count);
        Assert.Equal(x[0].AsSpan(0, expectWarm).ToArray(), warm.GetRange(0, expectWarm).ToArray());
        Assert.Equal(cold, warm.GetRange(expectWarm, cold.Count));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void WarmUp_MustBeAFiniteNumberOfSeconds(double warmUp)
    {
        string input = WriteInput("in.wav", WavFormat.Pcm16(48000, 1), TestSignal(48000, 1, 4800));
        string outPath = _tmp.File("out.wav");
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioPipeline.ProcessFile(input, outPath, _ => new Identity(), warmUpSeconds: warmUp));
        Assert.False(File.Exists(outPath));
    }

    [Fact]
    public void EmptyFile_GivesEmptyFile()
    {
        string input = WriteInput("in.wav", WavFormat.Pcm16(22050, 2), [[], []]);
        string outPath = _tmp.File("out.wav");
        AudioPipeline.ProcessFile(input, outPath, _ => new Delay(10));
        var y = AudioFile.Read(outPath);
        Assert.Equal(0, y.Length);
        Assert.Equal(WavFormat.Pcm16(22050, 2), y.SourceFormat);
    }

    [Fact]
    public void Memory_DoesNotGrowWithFileLength()
    {
        // Allocation of a whole run is the same for a 2 s and a 20 s file: nothing is allocated per chunk.
        long Run(int seconds)
        {
            string input = WriteInput($"in{seconds}.wav", WavFormat.Pcm16(44100, 1), [new float[44100 * seconds]]);
            long before = GC.GetAllocatedBytesForCurrentThread();
            AudioPipeline.ProcessFile(input, _tmp.File("out.wav"), _ => new Delay(480));
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        // Warm up (JIT, the shared filter tables), then the least of 3 runs each: tiered compilation
        // on a loaded machine can allocate a few KB in any one run; an allocation per chunk shows in all.
        Run(1); Run(20);
        long small = Enumerable.Range(0, 3).Min(_ => Run(2)), large = Enumerable.Range(0, 3).Min(_ => Run(20));
        output.WriteLine($"allocated: 2 s file {small} bytes, 20 s file {large} bytes");
        Assert.True(Math.Abs(large - small) < 4096, $"2 s: {small} bytes, 20 s: {large} bytes");
    }

    [SkippableFact]
    public void RealSpeech_SurvivesTheRoundTrip()
    {
        string speech = TestData.Require("speech/ljspeech/LJ001-0001.wav");
        var x = AudioFile.Read(speech);
        string outPath = _tmp.File("out.wav");
        AudioPipeline.ProcessFile(speech, outPath, _ => new Delay(480));
        var y = AudioFile.Read(outPath);
        Assert.Equal(x.SourceFormat, y.SourceFormat);
        Assert.Equal(x.Length, y.Length);
        // The resamplers remove the 0.4535..0.5 x rate band (10..11.025 kHz here), which holds a little of
        // the speech energy; below it the difference must be at the level of the 16-bit rounding.
        double err = Signal.ErrorDb(y.Channels[0], x.Channels[0]);
        var diff = y.Channels[0].Zip(x.Channels[0], (a, b) => a - b).ToArray();
        double total = BandEnergy(x.Channels[0], 0, 1), inBand = BandEnergy(diff, 0, 9000.0 / x.SampleRate);
        double inBandDb = 10 * Math.Log10(inBand / total);
        output.WriteLine($"{speech}: {x.SourceFormat}, {x.Length} frames, output - input = {err:F1} dB; below 9 kHz {inBandDb:F1} dB");
        Assert.True(err < -40, $"error {err:F1} dB");
        Assert.True(inBandDb < -75, $"error below 9 kHz {inBandDb:F1} dB");
    }

    /// <summary>Energy between two frequencies (fractions of the sample rate), by NAudio's FFT (independent of our code).</summary>
    private static double BandEnergy(float[] x, double lo, double hi)
    {
        int m = (int)Math.Ceiling(Math.Log2(x.Length)), n = 1 << m;
        var c = new NAudio.Dsp.Complex[n];
        for (int i = 0; i < x.Length; i++) c[i].X = x[i];
        NAudio.Dsp.FastFourierTransform.FFT(true, m, c);
        double e = 0;
        for (int k = 0; k <= n / 2; k++)
            if ((double)k / n >= lo && (double)k / n < hi) e += (double)c[k].X * c[k].X + (double)c[k].Y * c[k].Y;
        return e;
    }
}
