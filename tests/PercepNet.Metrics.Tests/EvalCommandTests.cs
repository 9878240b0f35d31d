using System.Globalization;
using System.Text.Json;
using PercepNet.Cli;
using PercepNet.Cli.Commands.Eval;
using PercepNet.TestSupport;
using Spectre.Console.Cli;

namespace PercepNet.Metrics.Tests;

/// <summary>End-to-end runs of <c>percepnet eval</c> through the same command tree as the executable.</summary>
/// <remarks>One class: the PESQ seam is a process-wide setting, so these tests must not run concurrently.</remarks>
public sealed class EvalCommandTests : IDisposable
{
    private static readonly string[] Files = ["p232_002.wav", "p232_032.wav", "p257_070.wav"];
    private readonly string _tmp = Directory.CreateTempSubdirectory("percepnet-eval-test-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private static int Run(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(Program.Configure);
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
        Assert.Equal(0, Run("eval", "--clean", clean, "--enhanced", enhanced, "--noisy", noisy, "--csv", csv, "--json", json, "--no-dnsmos"));

        var rows = ReadCsv(csv);
        Assert.Equal(["file", "signal", "duration_s", "pesq_wb", "pesq_nb", "stoi", "estoi", "si_sdr", "dnsmos_sig", "dnsmos_bak", "dnsmos_ovrl", "dnsmos_p808", "note"],
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
    public void PesqSeam_FillsColumns_AndOtherRatesAreAligned()
    {
        var (clean, enhanced, _) = Stage();
        // A 48 kHz enhanced file, 30 ms longer than its clean partner: resampled and truncated.
        var c = PercepNet.Audio.AudioFile.Read(Path.Combine(clean, Files[0]));
        var up = KaiserResamplerUp(c.Mono(), 16000, 48000);
        Array.Resize(ref up, up.Length + 1440);
        TestWav.WriteMonoFloat(Path.Combine(enhanced, Files[0]), up, 48000);
        string csv = Path.Combine(_tmp, "scores.csv");
        var saved = PesqSeam.Backend;
        FakePesq.Rates.Clear();
        // Method groups with the planned signature, as the merge will plug in PercepNet.Metrics.Pesq.Pesq.
        PesqSeam.Backend = new PesqBackend(FakePesq.WideBand, FakePesq.NarrowBand);
        try
        {
            Assert.Equal(0, Run("eval", "--clean", clean, "--enhanced", enhanced, "--csv", csv, "--no-dnsmos"));
        }
        finally { PesqSeam.Backend = saved; }
        var rows = ReadCsv(csv).ToDictionary(r => r["file"]);
        Assert.All(rows.Values, r => Assert.Equal("4.5", r["pesq_wb"]));
        Assert.All(rows.Values, r => Assert.Equal("4", r["pesq_nb"]));
        Assert.Equal(Files.Length, FakePesq.Rates.Count);
        Assert.All(FakePesq.Rates, fs => Assert.Equal(16000, fs));
        var r0 = rows[Files[0]];
        Assert.Contains("resampled 48000 -> 16000", r0["note"]);
        Assert.Contains("truncated", r0["note"]);
        Assert.True(Golden.Parse(r0["stoi"]) > 0.99, $"resampled clean copy: stoi {r0["stoi"]}");
        Assert.True(Golden.Parse(r0["si_sdr"]) > 25, $"resampled clean copy: si_sdr {r0["si_sdr"]}");
    }

    /// <summary>Stand-in with the signatures planned for PercepNet.Metrics.Pesq.Pesq.</summary>
    private static class FakePesq
    {
        public static readonly System.Collections.Concurrent.ConcurrentBag<int> Rates = [];
        public static double WideBand(ReadOnlySpan<float> reference, ReadOnlySpan<float> degraded, int sampleRate)
        {
            Assert.Equal(reference.Length, degraded.Length);
            Rates.Add(sampleRate);
            return 4.5;
        }
        public static double NarrowBand(ReadOnlySpan<float> reference, ReadOnlySpan<float> degraded, int sampleRate) => 4.0;
    }

    private static float[] KaiserResamplerUp(float[] x, int from, int to) => Dsp.KaiserResampler.Resample(x, from, to);

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
