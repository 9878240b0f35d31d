using PercepNet.Dsp;
using PercepNet.Training.Corpus;
using PercepNet.Training.Data;

namespace PercepNet.Training.Tests;

public sealed class VoiceShiftTests
{
    private const int Rate = 48000;

    /// <summary>A vowel-like signal: harmonics of <paramref name="f0"/> shaped by one formant (resonance) at <paramref name="formant"/> Hz.</summary>
    private static float[] Vowel(double f0, double formant, double seconds)
    {
        var x = new float[(int)(seconds * Rate)];
        for (int h = 1; h * f0 < 8000; h++)
        {
            double f = h * f0, a = 1 / (1 + Math.Pow((f - formant) / 150, 2)); // resonance 300 Hz wide
            for (int i = 0; i < x.Length; i++) x[i] += (float)(0.1 * a * Math.Sin(2 * Math.PI * f * i / Rate + h));
        }
        return x;
    }

    /// <summary>Magnitude spectrum (1 Hz bins) of the middle second of <paramref name="x"/>.</summary>
    private static double[] Spectrum(float[] x)
    {
        int n = Rate, start = (x.Length - n) / 2;
        var fft = new RealFft(n);
        var frame = new float[n];
        for (int i = 0; i < n; i++) frame[i] = x[start + i] * (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n));
        var s = new float[n + 2];
        fft.Forward(frame, s);
        return Enumerable.Range(0, n / 2 + 1).Select(k => Math.Sqrt(s[2 * k] * (double)s[2 * k] + s[2 * k + 1] * (double)s[2 * k + 1])).ToArray();
    }

    private static double Centroid(double[] mag)
    {
        double s = 0, w = 0;
        for (int k = 200; k < 4000; k++) { s += k * mag[k]; w += mag[k]; }
        return s / w;
    }

    private static int Peak(double[] mag, int from, int to) => Enumerable.Range(from, to - from).MaxBy(k => mag[k]);

    /// <summary>Lowest harmonic: the strongest peak between 60 and 600 Hz that is at least a tenth of the global peak.</summary>
    private static int Fundamental(double[] mag)
    {
        double top = mag.Max();
        for (int k = 60; k < 600; k++)
            if (mag[k] > 0.05 * top && mag[k] >= mag[k - 1] && mag[k] >= mag[k + 1] && mag[k] >= mag.Skip(k - 10).Take(21).Max()) return k;
        return -1;
    }

    [Fact]
    public void TimeStretchChangesTheDurationNotThePitch()
    {
        var x = Vowel(150, 700, 3);
        foreach (double factor in new[] { 0.8, 1.25, 1.6 })
        {
            var y = VoiceShift.TimeStretch(x, factor);
            Assert.Equal((int)Math.Round(x.Length * factor), y.Length);
            Assert.InRange(Fundamental(Spectrum(y)), 148, 152);
        }
    }

    [Theory]
    [InlineData(5.0)]
    [InlineData(-3.0)]
    [InlineData(8.0)]
    public void PitchShiftMovesPitchAndFormantsKeepingTheDuration(double semitones)
    {
        var x = Vowel(160, 800, 3);
        double want = Math.Pow(2, semitones / 12);
        var (y, bandwidth, factor) = VoiceShift.PitchShift(x, 8000, want);
        Assert.InRange(factor / want, 0.995, 1.005); // rounded to a 100 Hz resampling rate
        Assert.InRange(y.Length, x.Length - 10, x.Length + 10);
        var mag = Spectrum(y);
        Assert.InRange(Fundamental(mag), 160 * factor * 0.98, 160 * factor * 1.02);
        Assert.InRange(Peak(mag, 300, 4000), 800 * factor * 0.8, 800 * factor * 1.2);
        Assert.Equal(Math.Min(8000 * factor, 0.47 * Rate), bandwidth, 6);
    }

    [Theory]
    [InlineData(1.15)]
    [InlineData(0.88)]
    public void FormantShiftMovesTheEnvelopeAndKeepsThePitch(double factor)
    {
        var x = Vowel(120, 1000, 3);
        var (y, bandwidth) = VoiceShift.FormantShift(x, 8000, factor);
        Assert.Equal(x.Length, y.Length);
        var before = Spectrum(x);
        var after = Spectrum(y);
        Assert.Equal(Fundamental(before), Fundamental(after)); // harmonics stay at 120 Hz multiples
        // The envelope (cepstrum liftered to 1.25 ms: ~800 Hz detail) moves the spectral centroid of
        // the formant region by most of the factor (measured: 79% of the log shift at 0.88, 87% at 1.15).
        double share = Math.Log(Centroid(after) / Centroid(before)) / Math.Log(factor);
        Assert.InRange(share, 0.6, 1.1);
        Assert.Equal(factor < 1 ? 8000 * factor : 8000, bandwidth, 6);
        // Nothing appears above the bandwidth.
        Assert.True(after.Skip(9000).Max() < 1e-3 * after.Max());
    }

    [Fact]
    public void BalancedSamplingHearsEverySpeakerEquallyOften()
    {
        // Speaker a: 30 files of 1 s, speaker b: 1 file of 1 s. Uniform over files: b in 1/31 of draws.
        var entries = Enumerable.Range(0, 30).Select(i => Entry("a", $"/a/{i}.wav"))
            .Append(Entry("b", "/b/0.wav")).Append(new CorpusEntry(CorpusKind.Noise, "train", "n", "n", "/n.wav", 48000, 1, 1, 20000, -90, -20, 0, false)).ToList();
        var lib = new CorpusLibrary(entries, "train");
        var rng = new Random(1);
        int b = Enumerable.Range(0, 10000).Count(_ => lib.PickBalanced(rng, 0).Group == "b");
        Assert.InRange(b, 4700, 5300);
        // Balance 1: by hours of speech, b gets 1/31.
        b = Enumerable.Range(0, 10000).Count(_ => lib.PickBalanced(rng, 1).Group == "b");
        Assert.InRange(b, 220, 430);
    }

    [Fact]
    public void NoiseWeightOneHearsEverySecondOfNoiseEquallyOften()
    {
        // 90 event clips of 4 s and one ambient recording of 360 s: by file the recording is drawn
        // once in 91 draws, by duration half the time.
        var entries = Enumerable.Range(0, 90).Select(i => Noise($"ev{i}", 4))
            .Append(Noise("ambient", 360)).Append(Entry("a", "/a/0.wav")).ToList();
        var lib = new CorpusLibrary(entries, "train");
        var rng = new Random(2);
        int ambient = Enumerable.Range(0, 10000).Count(_ => lib.PickNoise(rng, 1).Group == "ambient");
        Assert.InRange(ambient, 4700, 5300);
        ambient = Enumerable.Range(0, 10000).Count(_ => lib.PickNoise(rng, 0).Group == "ambient");
        Assert.InRange(ambient, 60, 170);
        static CorpusEntry Noise(string group, double seconds) =>
            new(CorpusKind.Noise, "train", "n", group, $"/n/{group}.wav", 48000, 1, seconds, 20000, -90, -20, 0, false);
    }

    private static CorpusEntry Entry(string group, string path) =>
        new(CorpusKind.Speech, "train", "src", group, path, 48000, 1, 1.0, 20000, -90, -20, 0, true);
}
