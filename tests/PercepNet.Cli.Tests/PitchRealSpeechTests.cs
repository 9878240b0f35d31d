using System.Globalization;
using System.Text;
using PercepNet.Audio;
using PercepNet.Dsp;
using PercepNet.TestSupport;
using Xunit.Abstractions;

using PercepNet.Tests;

namespace PercepNet.Cli.Tests;

/// <summary>
/// Real speech (RAVDESS, 48 kHz studio recordings from ../shared/data) has no pitch labels here, so this
/// measures robustness, not accuracy: the tracker's output on noisy speech is compared with its own
/// output on the clean recording, on the frames the clean track calls voiced with correlation >= 0.7.
/// An error the tracker makes on clean speech is invisible to this test; the synthetic tests cover that.
/// </summary>
public sealed class PitchRealSpeechTests(ITestOutputHelper output)
{
    private const int N = FrameLayout.FrameSize;
    private const float ReferenceCorrelation = 0.7f;

    [SkippableFact]
    public void NoisyTrackAgreesWithCleanTrackOnRealSpeech()
    {
        string speechDir = TestData.Require("speech/ravdess48k");
        string restaurant = TestData.Require("noise/moodist/places_restaurant.wav");
        AudioData noiseFile = AudioFile.Read(restaurant);
        Skip.IfNot(noiseFile.SampleRate == FrameLayout.SampleRate, "restaurant noise is not 48 kHz");
        float[] realNoise = noiseFile.Mono();

        // One file per actor (24 actors, odd = male, even = female), the first in name order.
        var files = Directory.GetFiles(speechDir, "*.wav").OrderBy(f => f, StringComparer.Ordinal)
            .GroupBy(f => Path.GetFileNameWithoutExtension(f).Split('-')[^1]).Select(g => g.First()).ToArray();
        Skip.If(files.Length == 0, "no RAVDESS files");

        double[] snrs = [20, 10, 0];
        string[] noiseNames = ["white", "restaurant"];
        var errors = new int[noiseNames.Length, snrs.Length];
        int reference = 0;
        var maleF0 = new List<double>();
        var femaleF0 = new List<double>();
        var tracker = new PitchTracker();
        var rng = new Random(2024);

        foreach (string file in files)
        {
            AudioData a = AudioFile.Read(file);
            if (a.SampleRate != FrameLayout.SampleRate) continue;
            float[] clean = a.Mono();
            int frames = clean.Length / N;
            (PitchResult[] cleanTrack, bool[] cleanVoiced) = Track(tracker, clean, frames);
            bool male = int.Parse(Path.GetFileNameWithoutExtension(file).Split('-')[^1], CultureInfo.InvariantCulture) % 2 == 1;
            double speechPower = ActivePower(clean);
            var refFrames = new List<int>();
            for (int l = 0; l < frames; l++)
                if (cleanVoiced[l] && cleanTrack[l].Correlation >= ReferenceCorrelation)
                {
                    refFrames.Add(l);
                    (male ? maleF0 : femaleF0).Add(FrameLayout.SampleRate / (double)cleanTrack[l].Period);
                }
            reference += refFrames.Count;

            for (int ni = 0; ni < noiseNames.Length; ni++)
            {
                float[] nz = new float[clean.Length];
                if (ni == 0)
                    nz = SyntheticVoice.Noise(NoiseKind.White, clean.Length, rng.Next());
                else
                {
                    int offset = rng.Next(Math.Max(1, realNoise.Length - clean.Length));
                    for (int i = 0; i < nz.Length; i++) nz[i] = realNoise[(offset + i) % realNoise.Length];
                }
                double noisePower = SyntheticVoice.Power(nz);
                for (int si = 0; si < snrs.Length; si++)
                {
                    float g = (float)Math.Sqrt(speechPower / noisePower * Math.Pow(10, -snrs[si] / 10));
                    var x = new float[clean.Length];
                    for (int i = 0; i < x.Length; i++) x[i] = clean[i] + g * nz[i];
                    (PitchResult[] noisy, _) = Track(tracker, x, frames);
                    foreach (int l in refFrames)
                        if (Math.Abs(noisy[l].Period - cleanTrack[l].Period) > 0.2 * cleanTrack[l].Period)
                            errors[ni, si]++;
                }
            }
        }

        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine(ci, $"RAVDESS, {files.Length} files (one per actor), {reference} reference frames (clean track voiced, corr >= {ReferenceCorrelation}).");
        sb.AppendLine(ci, $"Median f0 of the clean track: male {Median(maleF0):F0} Hz, female {Median(femaleF0):F0} Hz.");
        sb.AppendLine("Disagreement with the clean track (% of reference frames, > 20% apart), SNR over active speech:");
        sb.Append("| noise |");
        foreach (double s in snrs) sb.Append(ci, $" {s} dB |");
        sb.AppendLine();
        sb.AppendLine("|---|---|---|---|");
        for (int ni = 0; ni < noiseNames.Length; ni++)
        {
            sb.Append(ci, $"| {noiseNames[ni]} |");
            for (int si = 0; si < snrs.Length; si++) sb.Append(ci, $" {100.0 * errors[ni, si] / reference:F2} |");
            sb.AppendLine();
        }
        output.WriteLine(sb.ToString());

        Assert.True(reference > 1000, $"only {reference} reference frames");
        // Plausible speaker ranges (adult male ~85-180 Hz, female ~165-255 Hz, emotional speech higher).
        Assert.InRange(Median(maleF0), 80, 200);
        Assert.InRange(Median(femaleF0), 150, 320);
        int at10 = Array.IndexOf(snrs, 10.0);
        for (int ni = 0; ni < noiseNames.Length; ni++)
            Assert.True(errors[ni, at10] * 100 < 5 * reference, $"{noiseNames[ni]} 10 dB: {errors[ni, at10]}/{reference}\n{sb}");
    }

    /// <summary>Tracked result per frame l (realigned by the look-ahead; the last frames are flushed
    /// with silence) and whether the tracker called it voiced.</summary>
    private static (PitchResult[], bool[]) Track(PitchTracker t, float[] x, int frames)
    {
        t.Reset();
        var r = new PitchResult[frames];
        var v = new bool[frames];
        var zeros = new float[N];
        for (int c = 0; c < frames + PitchTracker.LookaheadFrames; c++)
        {
            PitchResult p = t.Process(c < frames ? x.AsSpan(c * N, N) : zeros);
            int l = c - PitchTracker.LookaheadFrames;
            if (l < 0) continue;
            r[l] = p;
            v[l] = t.LastVoiced;
        }
        return (r, v);
    }

    /// <summary>Mean power over the 10 ms frames within 40 dB of the loudest one (a simple active level).</summary>
    private static double ActivePower(float[] x)
    {
        int frames = x.Length / N;
        var p = new double[frames];
        double max = 0;
        for (int f = 0; f < frames; f++)
        {
            double s = 0;
            for (int i = 0; i < N; i++) s += (double)x[f * N + i] * x[f * N + i];
            p[f] = s / N;
            max = Math.Max(max, p[f]);
        }
        double sum = 0;
        int count = 0;
        foreach (double q in p)
            if (q >= max * 1e-4) { sum += q; count++; }
        return count > 0 ? sum / count : 0;
    }

    private static double Median(List<double> v)
    {
        if (v.Count == 0) return double.NaN;
        var s = v.OrderBy(x => x).ToArray();
        return s[s.Length / 2];
    }
}
