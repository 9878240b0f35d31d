namespace PercepNet.Audio.Tests;

/// <summary>Test signals and double-precision measurements used by the resampler tests.</summary>
internal static class Signal
{
    public static float[] Sine(int length, double freqHz, int rate, double amplitude = 0.5, double phase = 0)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * freqHz * i / rate + phase));
        return x;
    }

    /// <summary>
    /// Least-squares fit of a*cos + b*sin + dc at a known frequency. Returns the fitted amplitude and the
    /// power ratio (residual / fitted sine) in dB: THD+N when the input was a pure sine.
    /// </summary>
    public static (double Amplitude, double ResidualDb) FitSine(ReadOnlySpan<float> x, double freqHz, int rate)
    {
        // Normal equations of the 3-parameter model (double precision throughout).
        double w = 2 * Math.PI * freqHz / rate;
        double scc = 0, sss = 0, scs = 0, sc = 0, ss = 0, n = x.Length, yc = 0, ys = 0, y1 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double c = Math.Cos(w * i), s = Math.Sin(w * i), y = x[i];
            scc += c * c; sss += s * s; scs += c * s; sc += c; ss += s;
            yc += y * c; ys += y * s; y1 += y;
        }
        var (a, b, d) = Solve3(scc, scs, sc, scs, sss, ss, sc, ss, n, yc, ys, y1);
        double res = 0, sig = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double fit = a * Math.Cos(w * i) + b * Math.Sin(w * i);
            double e = x[i] - fit - d;
            res += e * e;
            sig += fit * fit;
        }
        return (Math.Sqrt(a * a + b * b), 10 * Math.Log10(Math.Max(res, 1e-300) / sig));
    }

    private static (double, double, double) Solve3(
        double a11, double a12, double a13, double a21, double a22, double a23, double a31, double a32, double a33,
        double b1, double b2, double b3)
    {
        double det = a11 * (a22 * a33 - a23 * a32) - a12 * (a21 * a33 - a23 * a31) + a13 * (a21 * a32 - a22 * a31);
        double x = (b1 * (a22 * a33 - a23 * a32) - a12 * (b2 * a33 - a23 * b3) + a13 * (b2 * a32 - a22 * b3)) / det;
        double y = (a11 * (b2 * a33 - a23 * b3) - b1 * (a21 * a33 - a23 * a31) + a13 * (a21 * b3 - b2 * a31)) / det;
        double z = (a11 * (a22 * b3 - b2 * a32) - a12 * (a21 * b3 - b2 * a31) + b1 * (a21 * a32 - a22 * a31)) / det;
        return (x, y, z);
    }

    public static double RmsDb(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return 10 * Math.Log10(Math.Max(s / x.Length, 1e-300));
    }

    /// <summary>Power of (a - b) relative to the power of b, in dB.</summary>
    public static double ErrorDb(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double e = 0, p = 0;
        for (int i = 0; i < a.Length; i++) { double d = (double)a[i] - b[i]; e += d * d; p += (double)b[i] * b[i]; }
        return 10 * Math.Log10(Math.Max(e, 1e-300) / p);
    }

    /// <summary>The middle part of a signal, skipping <paramref name="edgeFraction"/> at each end.</summary>
    public static ReadOnlySpan<float> Middle(float[] x, double edgeFraction = 0.25)
    {
        int skip = (int)(x.Length * edgeFraction);
        return x.AsSpan(skip, x.Length - 2 * skip);
    }
}
