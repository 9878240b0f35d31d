using PercepNet.Audio;
using PercepNet.Cli;
using PercepNet.Lab;
using PercepNet.Tests;
using PercepNet.TestSupport;
using Spectre.Console;

namespace PercepNet.Lab.Tests;

public sealed class LabCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("percepnet-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs `percepnet-lab` with a recording, colourless, non-interactive console.</summary>
    internal static (int Code, string Output) Run(params string[] args) => Run((a, c) => LabProgram.Run(a, c), args);

    /// <summary>Runs `percepnet` (the user's verbs) the same way.</summary>
    internal static (int Code, string Output) RunUser(params string[] args) => Run((a, c) => Program.Run(a, c), args);

    private static (int Code, string Output) Run(Func<string[], IAnsiConsole, int> main, string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        int code = main(args, console);
        return (code, writer.ToString());
    }

    private string WriteSpeechlike(string name, int rate, int channels, WavEncoding enc, int bits, double noise, int seed)
    {
        var rng = new Random(seed);
        int n = rate * 2 + 77;
        var ch = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            ch[c] = new float[n];
            for (int i = 0; i < n; i++)
            {
                double t = (double)i / rate, v = 0;
                for (int h = 1; h < 12; h++) v += Math.Sin(2 * Math.PI * (130 + 20 * c) * h * t) / h;
                // Deterministic clean part (same for every seed) plus seeded noise.
                ch[c][i] = (float)(0.2 * v * (0.6 + 0.4 * Math.Sin(2 * Math.PI * 2 * t)) + noise * (rng.NextDouble() * 2 - 1));
            }
        }
        string path = Path.Combine(_dir, name);
        AudioFile.Write(path, new AudioData(rate, ch), new WavFormat(enc, bits, rate, channels));
        return path;
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    public void OracleKeepsRateChannelsFormatAndLengthAndIsIdentityOnCleanInput(int stage)
    {
        string clean = WriteSpeechlike("clean.wav", 44100, 2, WavEncoding.Pcm, 24, 0, 1);
        string output = Path.Combine(_dir, "out.wav");
        var (code, text) = Run("oracle", clean, clean, output, "--stage", stage.ToString());
        Assert.True(code == 0, text);
        var a = AudioFile.Read(clean);
        var b = AudioFile.Read(output);
        Assert.Equal(a.SampleRate, b.SampleRate);
        Assert.Equal(a.ChannelCount, b.ChannelCount);
        Assert.Equal(a.Length, b.Length);
        Assert.Equal(a.SourceFormat!.BitsPerSample, b.SourceFormat!.BitsPerSample);
        // Clean in, clean out: the oracle is the identity up to the resampler and 24-bit rounding
        // (away from the file's abrupt ends, where the band-limited resampler rings).
        const int edge = 200;
        for (int c = 0; c < 2; c++)
            for (int i = edge; i < a.Length - edge; i++)
                Assert.True(Math.Abs(a.Channels[c][i] - b.Channels[c][i]) < 1e-3, $"stage {stage} ch {c} i {i}: {a.Channels[c][i]} vs {b.Channels[c][i]}");
    }

    [Fact]
    public void OracleReducesNoiseAndWorksOnFolders()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "c"));
        Directory.CreateDirectory(Path.Combine(_dir, "n"));
        string clean = WriteSpeechlike(Path.Combine("c", "a.wav"), 16000, 1, WavEncoding.Pcm, 16, 0, 2);
        WriteSpeechlike(Path.Combine("n", "a.wav"), 16000, 1, WavEncoding.Pcm, 16, 0.1, 3);
        WriteSpeechlike(Path.Combine("n", "orphan.wav"), 16000, 1, WavEncoding.Pcm, 16, 0.1, 4);
        var (code, text) = Run("oracle", Path.Combine(_dir, "c"), Path.Combine(_dir, "n"), Path.Combine(_dir, "o"));
        Assert.True(code == 0, text);
        Assert.Contains("orphan.wav", text);
        var x = AudioFile.Read(clean).Channels[0];
        var y = AudioFile.Read(Path.Combine(_dir, "n", "a.wav")).Channels[0];
        var z = AudioFile.Read(Path.Combine(_dir, "o", "a.wav")).Channels[0];
        double Err(float[] s) { double e = 0; for (int i = 0; i < x.Length; i++) e += (s[i] - x[i]) * (s[i] - x[i]); return e; }
        Assert.True(Err(z) < 0.3 * Err(y), $"error energy {Err(z):F2} vs noisy {Err(y):F2}");
    }

    [Fact]
    public void InfoReportsFormatAndLevels()
    {
        string f = WriteSpeechlike("i.wav", 48000, 1, WavEncoding.IeeeFloat, 32, 0, 5);
        var (code, text) = RunUser("info", f);
        Assert.Equal(0, code);
        Assert.Contains("48000 Hz", text);
        Assert.Contains("peak dBFS", text);
    }

    [Fact]
    public void ErrorsHaveClearMessagesAndExitCodes()
    {
        string missing = Path.Combine(_dir, "missing.wav");
        var r = RunUser("info", missing);
        Assert.Equal(1, r.Code);
        Assert.Contains("missing.wav", r.Output);

        string notWav = Path.Combine(_dir, "text.wav");
        File.WriteAllText(notWav, "this is not audio, just some text in a file");
        r = Run("oracle", notWav, notWav, Path.Combine(_dir, "o.wav"));
        Assert.Equal(1, r.Code);
        Assert.Contains("text.wav", r.Output);

        r = Run("oracle", "a.wav", "b.wav", "c.wav", "--stage", "5");
        Assert.Equal(2, r.Code);
        Assert.Contains("--stage", r.Output);

        // The hybrid oracle: --model and --network-part go together, stages 3 and 4, noisy pitch, an existing model.
        r = Run("oracle", "a.wav", "b.wav", "c.wav", "--network-part", "gains");
        Assert.Equal(2, r.Code);
        Assert.Contains("--model", r.Output);
        r = Run("oracle", "a.wav", "b.wav", "c.wav", "--model", Path.Combine(_dir, "none.pnnm"), "--network-part", "gains");
        Assert.Equal(2, r.Code);
        Assert.Contains("none.pnnm", r.Output);
        r = Run("oracle", "a.wav", "b.wav", "c.wav", "--model", Path.Combine(_dir, "none.pnnm"), "--network-part", "strengths", "--stage", "2");
        Assert.Equal(2, r.Code);
        Assert.Contains("stage 3 or 4", r.Output);

        string x = WriteSpeechlike("x.wav", 16000, 1, WavEncoding.Pcm, 16, 0, 6);
        byte[] before = File.ReadAllBytes(x);
        r = Run("oracle", x, x, x);
        Assert.Equal(2, r.Code);
        Assert.Equal(before, File.ReadAllBytes(x));

        Assert.Equal(2, Run("frobnicate").Code);
        Assert.Equal(2, RunUser("frobnicate").Code);
        Assert.Equal(2, Run("oracle", "--no-such-option").Code);
    }

    [Fact]
    public void DiagnoseComparesTheBuiltInModelWithTheOracleAndWritesJson()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "dc"));
        Directory.CreateDirectory(Path.Combine(_dir, "dn"));
        WriteSpeechlike(Path.Combine("dc", "a.wav"), 16000, 1, WavEncoding.Pcm, 16, 0, 2);
        WriteSpeechlike(Path.Combine("dn", "a.wav"), 16000, 1, WavEncoding.Pcm, 16, 0.05, 3);
        string json = Path.Combine(_dir, "diag.json");
        var (code, text) = Run("diagnose", Path.Combine(_dir, "dc"), Path.Combine(_dir, "dn"), "--json", json);
        Assert.True(code == 0, text);
        Assert.Contains("noise dB", text);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var all = doc.RootElement.GetProperty("all");
        Assert.Equal("a.wav", doc.RootElement.GetProperty("files")[0].GetProperty("file").GetString());
        // 2 s at 100 frames/s minus the 2 look-ahead frames.
        Assert.Equal(198, all.GetProperty("frames").GetInt64());
        Assert.True(all.GetProperty("cells").GetInt64() > 1000);
        double net = all.GetProperty("noise_predicted_db").GetDouble(), ideal = all.GetProperty("noise_target_db").GetDouble();
        Assert.True(ideal < net + 30 && net < 0, $"noise cells: ideal {ideal} dB, network {net} dB");
        Assert.False(File.Exists(json + ".tmp"));

        var r = Run("diagnose", Path.Combine(_dir, "dc", "a.wav"), Path.Combine(_dir, "missing.wav"));
        Assert.Equal(1, r.Code);
        Assert.Contains("missing.wav", r.Output);
    }

    [Fact]
    public void SpectrogramWritesAPng()
    {
        string f = WriteSpeechlike("s.wav", 16000, 1, WavEncoding.Pcm, 16, 0.01, 8);
        string png = Path.Combine(_dir, "s.png");
        var (code, text) = Run("spectrogram", f, png, "--width", "400", "--height", "300");
        Assert.True(code == 0, text);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.Equal(2, Run("spectrogram", f, Path.Combine(_dir, "s.jpg")).Code);
        Assert.Equal(1, Run("spectrogram", Path.Combine(_dir, "none.wav"), png).Code);
    }

    [Theory]
    [InlineData("percepnet", "info")] [InlineData("percepnet", "model")] [InlineData("percepnet", "denoise")] [InlineData("percepnet", "bench")]
    [InlineData("percepnet-lab", "oracle")] [InlineData("percepnet-lab", "spectrogram")] [InlineData("percepnet-lab", "eval")] [InlineData("percepnet-lab", "passthrough")]
    [InlineData("percepnet-lab", "train")] [InlineData("percepnet-lab", "corpus build")] [InlineData("percepnet-lab", "corpus shards")] [InlineData("percepnet-lab", "corpus mixtures")] [InlineData("percepnet-lab", "diagnose")]
    public void EveryVerbHasHelpInItsTool(string tool, string verb)
    {
        string[] args = [.. verb.Split(' '), "--help"];
        var (code, text) = tool == "percepnet" ? RunUser(args) : Run(args);
        Assert.Equal(0, code);
        Assert.Contains("USAGE", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(tool + " " + verb, text);
    }

    [Theory]
    [InlineData("train")] [InlineData("eval")] [InlineData("corpus")] [InlineData("oracle")] [InlineData("spectrogram")] [InlineData("passthrough")] [InlineData("diagnose")]
    public void TheUserToolSendsResearchVerbsToTheLab(string verb)
    {
        var (code, text) = RunUser(verb, "--help");
        Assert.Equal(2, code);
        Assert.Contains($"percepnet-lab {verb}", text);
        // and the lab has no user verbs
        Assert.Equal(2, Run("denoise", "a.wav", "b.wav").Code);
    }

    [Fact]
    public void CorpusMixturesRefusesBadManifestsNamingTheFile()
    {
        string empty = Path.Combine(_dir, "empty.tsv");
        PercepNet.Training.Corpus.CorpusEntry.WriteManifest(empty, []);
        var (code, text) = Run("corpus", "mixtures", "-m", empty, "-o", Path.Combine(_dir, "dev"));
        Assert.Equal(1, code);
        Assert.Contains("empty.tsv", text);
        Assert.Contains("split 'val'", text);
        Assert.False(Directory.Exists(Path.Combine(_dir, "dev")));

        string bogus = Path.Combine(_dir, "bogus.tsv");
        File.WriteAllText(bogus, "not a manifest\n");
        (code, text) = Run("corpus", "mixtures", "-m", bogus, "-o", Path.Combine(_dir, "dev"));
        Assert.Equal(1, code);
        Assert.Contains("bogus.tsv", text);

        Assert.Equal(2, Run("corpus", "mixtures", "-m", Path.Combine(_dir, "none.tsv")).Code);
        Assert.Equal(2, Run("corpus", "mixtures", "-m", empty, "--count", "0").Code);
    }

    [Theory]
    [InlineData("--pitch-range", "3,1")] [InlineData("--pitch-range", "-4")] [InlineData("--pitch-range", "-4,15")]
    [InlineData("--pitch-range", "-13,0")] [InlineData("--pitch-range", "a,b")]
    [InlineData("--quiet-speech", "-0.1")] [InlineData("--quiet-speech", "1.5")] [InlineData("--quiet-speech", "NaN")]
    [InlineData("--background-talkers", "-0.1")] [InlineData("--background-talkers", "1.5")] [InlineData("--background-talkers", "NaN")]
    [InlineData("--target-background", "-1")] [InlineData("--target-background", "5")] [InlineData("--target-background", "NaN")]
    [InlineData("--noise-speed", "-0.1")] [InlineData("--noise-speed", "1.5")] [InlineData("--noise-speed", "NaN")]
    [InlineData("--zero-pauses-range", "40")] // without --zero-pauses
    public void CorpusShardsRefusesABadOptionValueNamingIt(string option, string value)
    {
        string manifest = Path.Combine(_dir, "m.tsv");
        PercepNet.Training.Corpus.CorpusEntry.WriteManifest(manifest, []);
        var (code, text) = Run("corpus", "shards", "-m", manifest, "-o", Path.Combine(_dir, "sh"), option, value);
        Assert.Equal(2, code);
        Assert.Contains(option, text);
        Assert.False(Directory.Exists(Path.Combine(_dir, "sh")));
    }

    [Theory]
    [InlineData("0")] [InlineData("-5")] [InlineData("101")] [InlineData("NaN")]
    public void CorpusShardsRefusesABadZeroPauseRangeNamingIt(string value)
    {
        string manifest = Path.Combine(_dir, "m.tsv");
        PercepNet.Training.Corpus.CorpusEntry.WriteManifest(manifest, []);
        var (code, text) = Run("corpus", "shards", "-m", manifest, "-o", Path.Combine(_dir, "sh"), "--zero-pauses", "--zero-pauses-range", value);
        Assert.Equal(2, code);
        Assert.Contains("--zero-pauses-range", text);
        Assert.False(Directory.Exists(Path.Combine(_dir, "sh")));
    }

    [Fact]
    public void TrainAverageLastRefusesARunWithoutCheckpointsNamingIt()
    {
        string config = Path.Combine(_dir, "train.json");
        File.WriteAllText(config, """{ "trainDir": "shards", "outputDir": "run-without-checkpoints" }""");
        var (code, text) = Run("train", "--config", config, "--average-last", "4");
        Assert.Equal(1, code);
        Assert.Contains("run-without-checkpoints", text);
        Assert.False(File.Exists(Path.Combine(_dir, "run-without-checkpoints", "average.pnnm")));

        Assert.Equal(2, Run("train", "--config", config, "--average-last", "0").Code);
        Assert.Equal(2, Run("train", "--config", config, "-o", Path.Combine(_dir, "a.pnnm")).Code);
    }

    [SkippableFact]
    public void OracleRunsOnARealPair()
    {
        string d = TestData.Require("eval/vbdemand16k");
        string name = Path.GetFileName(Directory.GetFiles(Path.Combine(d, "noisy"), "*.wav").Order().First());
        string output = Path.Combine(_dir, name);
        var (code, text) = Run("oracle", Path.Combine(d, "clean", name), Path.Combine(d, "noisy", name), output, "--stage", "3");
        Assert.True(code == 0, text);
        Assert.Equal(AudioFile.Read(Path.Combine(d, "noisy", name)).Length, AudioFile.Read(output).Length);
    }
}
