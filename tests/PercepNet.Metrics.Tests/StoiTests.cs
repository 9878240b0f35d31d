using PercepNet.Audio;
using PercepNet.TestSupport;
using Xunit.Abstractions;

namespace PercepNet.Metrics.Tests;

public class StoiTests(ITestOutputHelper output)
{
    // Golden values are the Octave reference (Taal's stoi.m / estoi.m); we require 1e-4.
    private const double Tol = 1e-4;

    [SkippableFact]
    public void PesqPair_MatchesReference()
    {
        string tsv = TestData.Require("metrics/pesq/REFERENCE_METRICS.tsv");
        var clean = Golden.Load("metrics/pesq/speech.wav");
        var deg = Golden.Load("metrics/pesq/speech_bab_0dB.wav");
        var (stoi, estoi) = Stoi.ComputeBoth(clean.Mono(), deg.Mono(), clean.SampleRate);
        double eS = Golden.Value(tsv, "stoi", "speech.wav", "speech_bab_0dB.wav");
        double eE = Golden.Value(tsv, "estoi", "speech.wav", "speech_bab_0dB.wav");
        output.WriteLine($"stoi {stoi:F10} (ref {eS:F10}, diff {stoi - eS:E2}); estoi {estoi:F10} (ref {eE:F10}, diff {estoi - eE:E2})");
        Assert.True(Math.Abs(stoi - eS) <= Tol, $"STOI {stoi} vs reference {eS}");
        Assert.True(Math.Abs(estoi - eE) <= Tol, $"ESTOI {estoi} vs reference {eE}");
        // Identical signals: the reference gives exactly 1.
        double self = Stoi.Compute(clean.Mono(), clean.Mono(), clean.SampleRate);
        Assert.True(Math.Abs(self - Golden.Value(tsv, "stoi", "speech.wav", "/speech.wav")) <= Tol, $"STOI(x, x) = {self}");
    }

    [SkippableFact]
    public void Dfn48kPair_MatchesReference()
    {
        string tsv = TestData.Require("eval/dfn48k/REFERENCE_METRICS.tsv");
        var clean = Golden.Load("eval/dfn48k/clean.wav");
        var deg = Golden.Load("eval/dfn48k/noisy.wav");
        Assert.Equal(48000, clean.SampleRate);
        var (stoi, estoi) = Stoi.ComputeBoth(clean.Mono(), deg.Mono(), clean.SampleRate);
        var rows = Golden.ReadTsv(tsv);
        double eS = Golden.Parse(rows.Single(r => r["metric"] == "stoi")["value"]);
        double eE = Golden.Parse(rows.Single(r => r["metric"] == "estoi")["value"]);
        output.WriteLine($"stoi {stoi:F10} (ref {eS}, diff {stoi - eS:E2}); estoi {estoi:F10} (ref {eE}, diff {estoi - eE:E2})");
        Assert.True(Math.Abs(stoi - eS) <= Tol, $"STOI {stoi} vs reference {eS}");
        Assert.True(Math.Abs(estoi - eE) <= Tol, $"ESTOI {estoi} vs reference {eE}");
    }

    [SkippableFact]
    public void VbDemand16k_AllPairsMatchReference()
    {
        string dir = TestData.Require("eval/vbdemand16k");
        var rows = Golden.ReadTsv(Path.Combine(dir, "REFERENCE_METRICS.tsv"));
        Assert.Equal(23, rows.Count);
        var results = new (string File, double Stoi, double Estoi, double RefStoi, double RefEstoi)[rows.Count];
        Parallel.For(0, rows.Count, i =>
        {
            string name = rows[i]["file"];
            var clean = AudioFile.Read(Path.Combine(dir, "clean", name));
            var noisy = AudioFile.Read(Path.Combine(dir, "noisy", name));
            var d = Stoi.ComputeDetailed(clean.Mono(), noisy.Mono(), clean.SampleRate);
            // STOI is the mean over bands of the per-band values ComputeDetailed reports.
            Assert.Equal(d.Stoi, d.Bands.Average(), 12);
            results[i] = (name, d.Stoi, d.Estoi, Golden.Parse(rows[i]["stoi"]), Golden.Parse(rows[i]["estoi"]));
        });
        double maxS = 0, maxE = 0;
        foreach (var r in results)
        {
            output.WriteLine($"{r.File}\tstoi {r.Stoi:F6} ref {r.RefStoi:F6}\testoi {r.Estoi:F6} ref {r.RefEstoi:F6}");
            maxS = Math.Max(maxS, Math.Abs(r.Stoi - r.RefStoi));
            maxE = Math.Max(maxE, Math.Abs(r.Estoi - r.RefEstoi));
        }
        output.WriteLine($"max |diff|: stoi {maxS:E2}, estoi {maxE:E2}");
        foreach (var r in results)
        {
            Assert.True(Math.Abs(r.Stoi - r.RefStoi) <= Tol, $"{r.File}: STOI {r.Stoi} vs reference {r.RefStoi}");
            Assert.True(Math.Abs(r.Estoi - r.RefEstoi) <= Tol, $"{r.File}: ESTOI {r.Estoi} vs reference {r.RefEstoi}");
        }
    }

    [Fact]
    public void Bands_AverageToStoi_AndPointAtTheDistortedBand()
    {
        // Speech-like clean signal: white noise under a random 2-8 Hz envelope; 6 s at 10 kHz.
        var rng = new Random(7);
        int n = 60000;
        var clean = new float[n];
        double env = 0.5, target = 0.5;
        for (int i = 0; i < n; i++)
        {
            if (i % 700 == 0) target = rng.NextDouble() < 0.4 ? 0.02 : 0.2 + 0.8 * rng.NextDouble();
            env += (target - env) * 0.005;
            clean[i] = (float)(env * (rng.NextDouble() - 0.5) * 0.5);
        }
        // A steady tone at 952 Hz (centre of band 8) flattens that band's envelope and no other's.
        var degraded = new float[n];
        for (int i = 0; i < n; i++) degraded[i] = clean[i] + (float)(0.05 * Math.Sin(2 * Math.PI * 952.4 * i / 10000));
        var d = Stoi.ComputeDetailed(clean, degraded, 10000);
        output.WriteLine(string.Join(" ", d.Bands.Select((v, b) => $"{Stoi.BandCentreHz(b):F0}:{v:F3}")));
        Assert.Equal(Stoi.BandCount, d.Bands.Count);
        Assert.Equal(d.Stoi, d.Bands.Average(), 12);
        Assert.Equal(Stoi.Compute(clean, degraded, 10000), d.Stoi);
        Assert.Equal(Stoi.ComputeExtended(clean, degraded, 10000), d.Estoi);
        Assert.Equal(952.4, Stoi.BandCentreHz(8), 1);
        Assert.True(d.Bands[8] < 0.7, $"band 8 (tone) {d.Bands[8]}");
        for (int b = 0; b < Stoi.BandCount; b++)
        {
            if (b == 8) continue;
            Assert.True(d.Bands[b] > 0.99, $"band {b} ({Stoi.BandCentreHz(b):F0} Hz) {d.Bands[b]}");
        }
        // Identity: every band 1.
        Assert.All(Stoi.ComputeDetailed(clean, clean, 10000).Bands, v => Assert.Equal(1, v, 9));
        // Undefined (too short): every band NaN, like STOI.
        Assert.All(Stoi.ComputeDetailed(clean.AsSpan(0, 2000), degraded.AsSpan(0, 2000), 10000).Bands, v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void ThirdOctaveBands_CoverExpectedBins()
    {
        var bands = Stoi.ThirdOctaveBands(10000, 512, 15, 150);
        // Lowest band: edges 150 * 2^(-1/6) = 133.6 Hz and 168.4 Hz -> bins round(6.84) = 7 and round(8.62) = 9.
        Assert.Equal((7, 9), bands[0]);
        for (int b = 1; b < bands.Length; b++) Assert.Equal(bands[b - 1].Hi, bands[b].Lo);
        Assert.True(bands[^1].Hi <= 257);
    }

    [Fact]
    public void TooShort_IsNaN()
    {
        var x = new float[2000];
        var rng = new Random(1);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() - 0.5);
        Assert.True(double.IsNaN(Stoi.Compute(x, x, 10000)));
        // Digital silence as the reference: no frame within 40 dB of the loudest, undefined.
        var silent = new float[48000];
        var noise = new float[48000];
        for (int i = 0; i < noise.Length; i++) noise[i] = (float)(rng.NextDouble() - 0.5);
        Assert.True(double.IsNaN(Stoi.ComputeExtended(silent, noise, 16000)));
    }

    [Fact]
    public void LengthMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => Stoi.Compute(new float[100], new float[101], 16000));
    }
}
