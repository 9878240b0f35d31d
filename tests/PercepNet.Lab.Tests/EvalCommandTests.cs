using System.Globalization;
using System.Text.Json;
using PercepNet.Cli;
using PercepNet.Lab;
using PercepNet.Metrics;
using PercepNet.Metrics.Tests;
using PercepNet.Lab.Commands.Eval;
using PercepNet.TestSupport;
using Spectre.Console.Cli;

namespace PercepNet.Lab.Tests;

/// <summary>End-to-end runs of <c>percepnet-lab eval</c> through the same command tree as the executable.</summary>
/// <remarks>One class: the PESQ seam is a process-wide setting, so these tests must not run concurrently.</remarks>
public sealed class EvalCommandTests : IDisposable
{
    private static readonly string[] Files = ["p232_002.wav", "p232_032.wav", "p257_070.wav"];
    private readonly string _tmp = Directory.CreateTempSubdirectory("percepnet-eval-test-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private static int Run(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(LabProgram.Configure);
        return app.Run(args);
    }

    /// <summary>Copies three vbdemand16k pairs into clean/, enhanced/ (= the noisy files) and noisy/ under the temp folder.</summary>
    private (string Clean, string Enhanced, string Noisy) Stage()
    {
        string src = TestData.Require("eval/vbdemand16k");
        var dirs = (Path.Combine(_tmp, "clean"), Path.Combine(_tmp, "enhanced"), Path.Combine(_tmp, "noisy"));
        foreach (var d in new[] { dirs.Item1, dirs.Item2, dirs.Item3 }) Directory.CreateDirectory(d);
        foreach (var f in Files)
        {
            File.Copy(Path.Combine(src, "clean", f), Path.Combine(dirs.Item1, f));
            File.Copy(Path.Combine(src, "noisy", f), Path.Combine(dirs.Item2, f));
            File.Copy(Path.Combine(src, "noisy", f), Path.Combine(dirs.Item3, f));
        }
        return dirs;
    }

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var head = lines[0].Split(',');
        return lines.Skip(1).Select(l => head.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    [SkippableFact]
    public void ThreePairs_CsvHoldsReferenceStoi_AndNoisyRows()
    {
        var (clean, enhanced, noisy) = Stage();
        string csv = Path.Combine(_tmp, "scores.csv"), json = Path.Combine(_tmp, "scores.json");
        Assert.Equal(0, Run("eval", "--clean", clean, "--enhanced", enhanced, "--noisy", noisy, "--csv", csv, "--json", json, "--no-dnsmos", "--stoi-bands"));

        var rows = ReadCsv(csv);
        Assert.Equal(["file", "signal", "duration_s", "pesq_wb", "pesq_nb", "stoi", "estoi", "si_sdr", "dnsmos_sig", "dnsmos_bak", "dnsmos_ovrl", "dnsmos_p808", "pause_db", "note"],
            File.ReadLines(csv).First().Split(','));
        Assert.Equal(2 * Files.Length, rows.Count);
        var golden = Golden.ReadTsv(Path.Combine(TestData.Require("eval/vbdemand16k"), "REFERENCE_METRICS.tsv")).ToDictionary(r => r["file"]);
        foreach (var r in rows)
        {
            var g = golden[r["file"]];
            Assert.True(Math.Abs(Golden.Parse(r["stoi"]) - Golden.Parse(g["stoi"])) <= 1e-4, $"{r["file"]}: stoi {r["stoi"]} vs {g["stoi"]}");
            Assert.True(Math.Abs(Golden.Parse(r["estoi"]) - Golden.Parse(g["estoi"])) <= 1e-4, $"{r["file"]}: estoi {r["estoi"]} vs {g["estoi"]}");
            // The noisy files' SNR in the table is 10 log10(c^2 / (n - c)^2); SI-SDR is close to it.
            Assert.True(Math.Abs(Golden.Parse(r["si_sdr"]) - Golden.Parse(g["snr_db"])) < 0.5, $"{r["file"]}: si_sdr {r["si_sdr"]} vs snr {g["snr_db"]}");
            // PESQ end to end through the command, against the ITU reference's values.
            Assert.True(Math.Abs(Golden.Parse(r["pesq_wb"]) - Golden.Parse(g["pesq_wb"])) <= 1e-3, $"{r["file"]}: pesq_wb {r["pesq_wb"]} vs {g["pesq_wb"]}");
            Assert.True(Math.Abs(Golden.Parse(r["pesq_nb"]) - Golden.Parse(g["pesq_nb"])) <= 1e-3, $"{r["file"]}: pesq_nb {r["pesq_nb"]} vs {g["pesq_nb"]}");
            Assert.Equal("NaN", r["dnsmos_ovrl"]);  // --no-dnsmos
        }
        Assert.Equal(Files.Length, rows.Count(r => r["signal"] == "noisy"));

        // Means over the three files, and a zero change since "enhanced" holds the noisy files here.
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var means = doc.RootElement.GetProperty("means");
        double expectedStoi = Files.Average(f => Golden.Parse(golden[f]["stoi"]));
        Assert.True(Math.Abs(means.GetProperty("enhanced").GetProperty("stoi").GetDouble() - expectedStoi) <= 1e-4);
        Assert.Equal(0.0, means.GetProperty("change").GetProperty("stoi").GetDouble());
        Assert.Equal(0.0, means.GetProperty("change").GetProperty("pesq_wb").GetDouble());

        // STOI per band: 15 centres from 150 Hz; per file and in the means, the bands average to STOI.
        static double[] Arr(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var hz = Arr(doc.RootElement, "stoi_band_hz");
        Assert.Equal(15, hz.Length);
        Assert.Equal(150.0, hz[0]);
        Assert.Equal(3809.8, hz[^1]);
        foreach (var f in doc.RootElement.GetProperty("files").EnumerateArray())
        {
            var bands = Arr(f, "stoi_bands");
            Assert.Equal(15, bands.Length);
            Assert.Equal(f.GetProperty("stoi").GetDouble(), bands.Average(), 5);
        }
        var meanBands = Arr(means.GetProperty("enhanced"), "stoi_bands");
        Assert.Equal(means.GetProperty("enhanced").GetProperty("stoi").GetDouble(), meanBands.Average(), 5);
        Assert.All(Arr(means.GetProperty("change"), "stoi_bands"), v => Assert.Equal(0.0, v));
    }

    [SkippableFact]
    public void UnpairedFilesListed_Dnsmos_Json()
    {
        var (clean, enhanced, _) = Stage();
        TestData.Require("dnsmos/" + Dnsmos.P835ModelFile);
        File.Delete(Path.Combine(clean, Files[1]));                    // enhanced without a clean partner
        File.Delete(Path.Combine(enhanced, Files[2]));                 // clean without an enhanced partner
        string json = Path.Combine(_tmp, "scores.json");
        Assert.Equal(0, Run("eval", "--clean", clean, "--enhanced", enhanced, "--json", json, "--dnsmos-models", TestData.Require("dnsmos")));

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        var files = root.GetProperty("files").EnumerateArray().ToList();
        Assert.Single(files);
        Assert.Equal(Files[0], files[0].GetProperty("file").GetString());
        foreach (var m in new[] { "dnsmos_sig", "dnsmos_bak", "dnsmos_ovrl", "dnsmos_p808" })
            Assert.InRange(files[0].GetProperty(m).GetDouble(), 1.0, 5.0);
        Assert.InRange(files[0].GetProperty("pesq_wb").GetDouble(), 1.0, 4.65);
        Assert.Equal([Files[1]], root.GetProperty("unpaired").GetProperty("enhanced_only").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([Files[2]], root.GetProperty("unpaired").GetProperty("clean_only").EnumerateArray().Select(e => e.GetString()));
    }

    [SkippableFact]
    public void Scoring_ResamplesAndAlignsOtherRates_AndUsesTheGivenPesq()
    {
        var (clean, _, _) = Stage();
        // A 48 kHz test signal, 30 ms longer than its clean partner: resampled and truncated.
        var c = PercepNet.Audio.AudioFile.Read(Path.Combine(clean, Files[0]));
        var up = KaiserResamplerUp(c.Mono(), 16000, 48000);
        Array.Resize(ref up, up.Length + 1440);
        var rates = new List<int>();
        var fake = new PesqBackend((r, d, fs) => { lock (rates) rates.Add(fs); return 4.5; }, (r, d, fs) => 4.0);
        var s = Scoring.Score(c.Mono(), 16000, up, 48000, new ScoringOptions { Pesq = fake }, "enhanced");
        Assert.Equal(4.5, s.PesqWb);
        Assert.Equal(4.0, s.PesqNb);
        Assert.Equal([16000], rates);
        Assert.Contains(s.Notes, n => n.Contains("enhanced resampled 48000 -> 16000"));
        Assert.Contains(s.Notes, n => n.Contains("truncated"));
        Assert.True(s.Stoi > 0.99, $"resampled clean copy: stoi {s.Stoi}");
        Assert.True(s.SiSdr > 25, $"resampled clean copy: si_sdr {s.SiSdr}");
        // No PESQ: NaN, the rest still scored.
        var none = Scoring.Score(c.Mono(), 16000, up, 48000, new ScoringOptions { Pesq = null });
        Assert.True(double.IsNaN(none.PesqWb) && none.Stoi > 0.99);
    }

    [SkippableFact]
    public void TheCliAndTheLibraryGiveTheSamePesqOn48kHzAudio()
    {
        var (clean, enhanced, _) = Stage();
        // Both sides at 48 kHz: the policy resamples both to 16 kHz for PESQ.
        string c48 = Directory.CreateDirectory(Path.Combine(_tmp, "c48")).FullName, e48 = Directory.CreateDirectory(Path.Combine(_tmp, "e48")).FullName;
        var c = KaiserResamplerUp(PercepNet.Audio.AudioFile.Read(Path.Combine(clean, Files[0])).Mono(), 16000, 48000);
        var e = KaiserResamplerUp(PercepNet.Audio.AudioFile.Read(Path.Combine(enhanced, Files[0])).Mono(), 16000, 48000);
        TestWav.WriteMonoFloat(Path.Combine(c48, Files[0]), c, 48000);
        TestWav.WriteMonoFloat(Path.Combine(e48, Files[0]), e, 48000);
        string json = Path.Combine(_tmp, "48k.json");
        Assert.Equal(0, Run("eval", "--clean", c48, "--enhanced", e48, "--json", json, "--no-dnsmos"));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        double cli = doc.RootElement.GetProperty("files")[0].GetProperty("pesq_wb").GetDouble();
        double lib = Scoring.Score(PercepNet.Audio.AudioFile.Read(Path.Combine(c48, Files[0])).Mono(), 48000,
            PercepNet.Audio.AudioFile.Read(Path.Combine(e48, Files[0])).Mono(), 48000).PesqWb;
        Assert.InRange(lib, 1.0, 4.65);
        Assert.Equal(lib, cli, 5);
    }


    private static float[] KaiserResamplerUp(float[] x, int from, int to) => PercepNet.Metrics.Dsp.KaiserResampler.Resample(x, from, to);

    [SkippableFact]
    public void UnreadableFile_ExitCode1_OthersStillScored()
    {
        var (clean, enhanced, _) = Stage();
        File.WriteAllText(Path.Combine(enhanced, Files[1]), "not a wav file");
        string json = Path.Combine(_tmp, "scores.json");
        Assert.Equal(1, Run("eval", "--clean", clean, "--enhanced", enhanced, "--json", json, "--no-dnsmos"));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(Files.Length - 1, doc.RootElement.GetProperty("files").GetArrayLength());
        var failure = Assert.Single(doc.RootElement.GetProperty("failures").EnumerateArray()).GetString();
        Assert.StartsWith(Files[1], failure);
    }

    [Fact]
    public void UsageErrors_ExitCode2()
    {
        string missing = Path.Combine(_tmp, "does-not-exist");
        Assert.Equal(2, Run("eval", "--clean", missing, "--enhanced", _tmp, "--no-dnsmos"));
        Assert.Equal(2, Run("eval", "--clean", _tmp, "--enhanced", missing, "--no-dnsmos"));
        Assert.Equal(2, Run("eval", "--clean", _tmp, "--enhanced", _tmp, "--noisy", missing, "--no-dnsmos"));
        Assert.Equal(2, Run("eval", "--enhanced", _tmp, "--no-dnsmos"));
        Assert.Equal(2, Run("eval", "--clean", _tmp, "--enhanced", _tmp, "--dnsmos-models", missing));
        Assert.Equal(2, Run("eval", "--clean", _tmp, "--enhanced", _tmp, "--no-dnsmos", "--csv", Path.Combine(missing, "x.csv")));
    }

    [Fact]
    public void NoPairs_ExitCode1()
    {
        Directory.CreateDirectory(Path.Combine(_tmp, "a"));
        Directory.CreateDirectory(Path.Combine(_tmp, "b"));
        Assert.Equal(1, Run("eval", "--clean", Path.Combine(_tmp, "a"), "--enhanced", Path.Combine(_tmp, "b"), "--no-dnsmos"));
    }

    [Fact]
    public void ASilentCleanReferenceIsAFailureThatSaysWhyNotAScore()
    {
        string c = Directory.CreateDirectory(Path.Combine(_tmp, "c")).FullName, e = Directory.CreateDirectory(Path.Combine(_tmp, "e")).FullName;
        var tone = new float[32000];
        for (int i = 0; i < tone.Length; i++) tone[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 300 * i / 16000.0));
        PercepNet.Audio.AudioFile.Write(Path.Combine(c, "x.wav"), new PercepNet.Audio.AudioData(16000, [new float[32000]]), 16);
        PercepNet.Audio.AudioFile.Write(Path.Combine(e, "x.wav"), new PercepNet.Audio.AudioData(16000, [tone]), 16);
        string json = Path.Combine(_tmp, "silent.json");
        Assert.Equal(1, Run("eval", "--clean", c, "--enhanced", e, "--no-dnsmos", "--json", json));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        string failure = Assert.Single(doc.RootElement.GetProperty("failures").EnumerateArray()).GetString()!;
        Assert.Contains("clean reference is silent", failure);
        Assert.Empty(doc.RootElement.GetProperty("files").EnumerateArray());
    }
}
