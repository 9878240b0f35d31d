using PercepNet.Dsp;

namespace PercepNet.Tests;

/// <summary>Spectral shapes of the synthetic voiced signals (harmonic amplitude as a function of k and f).</summary>
public enum HarmonicShape
{
    /// <summary>a_k = 1/k up to 9 kHz (sawtooth-like, strong fundamental).</summary>
    InverseK,
    /// <summary>a_k = 1 up to 4 kHz, nothing above (flat, band-limited).</summary>
    FlatTo4k,
    /// <summary>Three formants (700, 1220, 2600 Hz, an /a/) with the fundamental removed (a_1 = 0).</summary>
    FormantNoFundamental,
    /// <summary>Second-order Butterworth magnitude at 600 Hz: few harmonics, near-sinusoidal at high f0.</summary>
    Lowpass,
}

/// <summary>Additive noise types of the pitch tests.</summary>
public enum NoiseKind
{
    White,
    /// <summary>Four other synthetic talkers (random f0 90-250 Hz, intonation, syllabic 3-6 Hz envelopes)
    /// plus speech-shaped (800 Hz low-pass) noise with a syllabic envelope, all at equal power.</summary>
    Babble,
}

/// <summary>
/// Deterministic synthetic test signals at 48 kHz (test-only). Voiced signals are sums of harmonics
/// with seeded random phases, read from a one-period wavetable with a phase accumulator that follows a
/// per-sample f0 track, so the true period of every sample is known exactly.
/// </summary>
public static class SyntheticVoice
{
    public const int SampleRate = FrameLayout.SampleRate;
    private const int TableSize = 4096;
    private const double MaxHarmonicHz = 9000.0;

    /// <summary>f0 track with sinusoidal vibrato: f0 (1 + depth sin(2 pi rate t + phase)).</summary>
    public static double[] VibratoTrack(double f0, double depth, double rateHz, double phase, int length)
    {
        var track = new double[length];
        for (int n = 0; n < length; n++)
            track[n] = f0 * (1.0 + depth * Math.Sin(2.0 * Math.PI * rateHz * n / SampleRate + phase));
        return track;
    }

    /// <summary>Harmonic amplitude of harmonic k (frequency fk in Hz) for a shape.</summary>
    public static double Amplitude(HarmonicShape shape, int k, double fk)
    {
        switch (shape)
        {
            case HarmonicShape.InverseK:
                return 1.0 / k;
            case HarmonicShape.FlatTo4k:
                return fk <= 4000.0 ? 1.0 : 0.0;
            case HarmonicShape.FormantNoFundamental:
                if (k == 1) return 0.0;
                return 0.01 + Resonance(fk, 700, 130, 1.0) + Resonance(fk, 1220, 70, 0.5) + Resonance(fk, 2600, 160, 0.25);
            case HarmonicShape.Lowpass:
                double x = fk / 600.0;
                return 1.0 / Math.Sqrt(1.0 + x * x * x * x);
            default:
                throw new ArgumentOutOfRangeException(nameof(shape));
        }
    }

    private static double Resonance(double f, double centre, double bandwidth, double gain)
    {
        double x = (f - centre) / (0.5 * bandwidth);
        return gain / Math.Sqrt(1.0 + x * x);
    }

    /// <summary>
    /// Voiced signal following <paramref name="f0Track"/> (Hz per sample), harmonic amplitudes fixed from
    /// the track's mean f0, seeded random phases, RMS normalised to <paramref name="rms"/>.
    /// </summary>
    public static float[] Voice(HarmonicShape shape, double[] f0Track, int seed, double rms = 0.1)
    {
        double mean = 0;
        foreach (double f in f0Track) mean += f;
        mean /= f0Track.Length;

        var rng = new Random(seed);
        var sine = new double[TableSize];
        for (int i = 0; i < TableSize; i++) sine[i] = Math.Sin(2.0 * Math.PI * i / TableSize);
        var table = new double[TableSize + 1];
        int harmonics = (int)(MaxHarmonicHz / mean);
        for (int k = 1; k <= harmonics; k++)
        {
            double a = Amplitude(shape, k, k * mean);
            int phase = rng.Next(TableSize);
            if (a == 0.0) continue;
            for (int i = 0; i < TableSize; i++)
                table[i] += a * sine[(int)(((long)k * i + phase) % TableSize)];
        }
        table[TableSize] = table[0];

        var y = new float[f0Track.Length];
        double ph = rng.NextDouble();
        for (int n = 0; n < y.Length; n++)
        {
            double pos = ph * TableSize;
            int i = (int)pos;
            double frac = pos - i;
            y[n] = (float)(table[i] + frac * (table[i + 1] - table[i]));
            ph += f0Track[n] / SampleRate;
            ph -= Math.Floor(ph);
        }
        Scale(y, rms);
        return y;
    }

    /// <summary>Noise of the given kind, RMS normalised to <paramref name="rms"/>.</summary>
    public static float[] Noise(NoiseKind kind, int length, int seed, double rms = 0.1)
    {
        var rng = new Random(seed);
        var y = new float[length];
        if (kind == NoiseKind.White)
        {
            for (int n = 0; n < length; n++) y[n] = (float)Gaussian(rng);
            Scale(y, rms);
            return y;
        }

        const int talkers = 4;
        for (int t = 0; t < talkers; t++)
        {
            double f0 = 90.0 + 160.0 * rng.NextDouble();
            var track = new double[length];
            double ir = 0.5 + rng.NextDouble(), ip = 2 * Math.PI * rng.NextDouble();
            for (int n = 0; n < length; n++)
                track[n] = f0 * (1.0 + 0.12 * Math.Sin(2 * Math.PI * ir * n / SampleRate + ip));
            var shape = (HarmonicShape)rng.Next(4);
            float[] v = Voice(shape, track, rng.Next(), 1.0);
            ApplySyllabicEnvelope(v, rng);
            Scale(v, 1.0);
            for (int n = 0; n < length; n++) y[n] += v[n];
        }
        var ssn = new float[length];
        double state = 0;
        double a = Math.Exp(-2 * Math.PI * 800.0 / SampleRate);
        for (int n = 0; n < length; n++)
        {
            state = a * state + (1 - a) * Gaussian(rng);
            ssn[n] = (float)state;
        }
        ApplySyllabicEnvelope(ssn, rng);
        Scale(ssn, 1.0);
        for (int n = 0; n < length; n++) y[n] += ssn[n];
        Scale(y, rms);
        return y;
    }

    /// <summary>speech + noise scaled to the given SNR (power ratio over the whole signal).</summary>
    public static float[] Mix(float[] speech, float[] noise, double snrDb)
    {
        double ps = Power(speech), pn = Power(noise);
        double g = pn > 0 ? Math.Sqrt(ps / pn * Math.Pow(10, -snrDb / 10)) : 0;
        var y = new float[speech.Length];
        for (int n = 0; n < y.Length; n++) y[n] = (float)(speech[n] + g * noise[n]);
        return y;
    }

    private static void ApplySyllabicEnvelope(float[] v, Random rng)
    {
        double rate = 3.0 + 3.0 * rng.NextDouble(), phase = 2 * Math.PI * rng.NextDouble();
        for (int n = 0; n < v.Length; n++)
        {
            double s = 0.5 + 0.5 * Math.Sin(2 * Math.PI * rate * n / SampleRate + phase);
            v[n] *= (float)(0.1 + 0.9 * s * s);
        }
    }

    public static double Power(float[] x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return x.Length > 0 ? s / x.Length : 0;
    }

    private static void Scale(float[] x, double rms)
    {
        double p = Power(x);
        if (p <= 0) return;
        float g = (float)(rms / Math.Sqrt(p));
        for (int n = 0; n < x.Length; n++) x[n] *= g;
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
