namespace PercepNet.Metrics.Dsp;

/// <summary>Which reference resampler's filter a <see cref="KaiserResampler"/> reproduces.</summary>
public enum KaiserDesign
{
    /// <summary>
    /// GNU Octave signal-package <c>resample(x, p, q)</c>, used by the STOI/ESTOI reference values:
    /// cutoff fc = 1/(2 max(p,q)) cycles/sample at the upsampled rate, roll-off fc/10, 60 dB rejection,
    /// half length ceil(52 / (28.714 roll-off)), Kaiser beta 0.1102 (60 - 8.7) (Oppenheim and Schafer,
    /// Discrete-Time Signal Processing, eqs. 7.62/7.63), gain 2 p fc.
    /// </summary>
    Octave,

    /// <summary>
    /// SciPy <c>resample_poly(x, p, q)</c> defaults, used by the dfn48k PESQ reference values
    /// (48 kHz resampled to 16 kHz first): half length 10 max(p,q), cutoff 1/max(p,q) of Nyquist at
    /// the upsampled rate, symmetric Kaiser window beta 5, taps scaled to unit DC gain, then times p.
    /// </summary>
    ScipyResamplePoly,
}

/// <summary>
/// Rational-ratio resampler with a Kaiser-windowed sinc anti-aliasing filter, in one of two
/// reference designs (<see cref="KaiserDesign"/>); the filter delay is compensated so output sample
/// k lies at input time k q / p (both references do the same). Written from the published design
/// formulas, evaluated polyphase: only the taps that meet a non-zero sample of the zero-stuffed input
/// are summed. Immutable and thread-safe.
/// </summary>
public sealed class KaiserResampler
{
    /// <summary>Stopband rejection of the <see cref="KaiserDesign.Octave"/> design, in dB (Octave: log10_rejection = -3).</summary>
    public const double RejectionDb = 60.0;

    private readonly double[] _h; // length 2 L + 1, centred on index L

    /// <summary>Designs the filter for output rate = input rate * up / down.</summary>
    /// <param name="up">Interpolation factor p (positive).</param>
    /// <param name="down">Decimation factor q (positive).</param>
    /// <param name="design">Which reference's filter to reproduce.</param>
    public KaiserResampler(int up, int down, KaiserDesign design = KaiserDesign.Octave)
    {
        if (up <= 0) throw new ArgumentOutOfRangeException(nameof(up), up, "must be positive");
        if (down <= 0) throw new ArgumentOutOfRangeException(nameof(down), down, "must be positive");
        int g = Gcd(up, down);
        Up = up / g;
        Down = down / g;
        Design = design;
        _h = design == KaiserDesign.Octave ? DesignOctave(Up, Down) : DesignScipy(Up, Down);
    }

    /// <summary>The filter design in use.</summary>
    public KaiserDesign Design { get; }

    /// <summary>Reduced interpolation factor p.</summary>
    public int Up { get; }

    /// <summary>Reduced decimation factor q.</summary>
    public int Down { get; }

    /// <summary>Half length L of the filter (it has 2 L + 1 taps).</summary>
    public int HalfLength => (_h.Length - 1) / 2;

    /// <summary>The filter taps (a copy), at the upsampled rate; DC gain is about <see cref="Up"/>.</summary>
    public double[] Taps => (double[])_h.Clone();

    /// <summary>Resamples from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz.</summary>
    public static float[] Resample(ReadOnlySpan<float> x, int fromRate, int toRate, KaiserDesign design = KaiserDesign.Octave)
    {
        if (fromRate <= 0) throw new ArgumentOutOfRangeException(nameof(fromRate), fromRate, "must be positive");
        if (toRate <= 0) throw new ArgumentOutOfRangeException(nameof(toRate), toRate, "must be positive");
        if (fromRate == toRate) return x.ToArray();
        var r = new KaiserResampler(toRate, fromRate, design);
        var xd = new double[x.Length];
        for (int i = 0; i < xd.Length; i++) xd[i] = x[i];
        var yd = r.Process(xd);
        var y = new float[yd.Length];
        for (int i = 0; i < y.Length; i++) y[i] = (float)yd[i];
        return y;
    }

    /// <summary>Output length for an input of <paramref name="inputLength"/> samples: ceil(n p / q), as Octave.</summary>
    public int OutputLength(int inputLength) => (int)(((long)inputLength * Up + Down - 1) / Down);

    /// <summary>
    /// Resamples a whole signal (zeros assumed outside it). Output length ceil(n p / q); output k is
    /// y[k] = sum_n x[n] h[k q + L - n p], identical to Octave's upfirdn with its pre/post padding.
    /// </summary>
    public double[] Process(ReadOnlySpan<double> x)
    {
        int p = Up, q = Down, lh = _h.Length, half = HalfLength;
        var y = new double[OutputLength(x.Length)];
        var h = _h;
        for (int k = 0; k < y.Length; k++)
        {
            // Tap index j = t - n p must lie in [0, lh): n in [ceil((t - lh + 1)/p), floor(t/p)].
            long t = (long)k * q + half;
            long nHi = t / p;
            long nLo = t - lh + 1 <= 0 ? 0 : (t - lh + 1 + p - 1) / p;
            if (nHi > x.Length - 1) nHi = x.Length - 1;
            double acc = 0;
            int j = (int)(t - nLo * p);
            for (long n = nLo; n <= nHi; n++, j -= p) acc += x[(int)n] * h[j];
            y[k] = acc;
        }
        return y;
    }

    private static double[] DesignOctave(int p, int q)
    {
        double cutoff = 1.0 / (2.0 * Math.Max(p, q));       // cycles/sample at the upsampled rate
        double rollOff = cutoff / 10.0;                     // transition width
        int half = (int)Math.Ceiling((RejectionDb - 8.0) / (28.714 * rollOff)); // O&S eq. 7.63
        double beta = RejectionDb > 50 ? 0.1102 * (RejectionDb - 8.7)          // O&S eq. 7.62
            : RejectionDb >= 21 ? 0.5842 * Math.Pow(RejectionDb - 21, 0.4) + 0.07886 * (RejectionDb - 21)
            : 0.0;
        int n = 2 * half + 1;
        var h = new double[n];
        double i0Beta = BesselI0(beta);
        for (int i = 0; i < n; i++)
        {
            int t = i - half;
            double ideal = 2.0 * p * cutoff * Sinc(2.0 * cutoff * t);
            double r = 2.0 * t / (n - 1);                      // Kaiser window argument in [-1, 1]
            double w = BesselI0(beta * Math.Sqrt(Math.Max(0.0, 1.0 - r * r))) / i0Beta;
            h[i] = w * ideal;
        }
        return h;
    }

    private static double[] DesignScipy(int p, int q)
    {
        int maxRate = Math.Max(p, q);
        double cutoff = 1.0 / maxRate;   // relative to Nyquist (firwin's convention)
        int half = 10 * maxRate;
        int n = 2 * half + 1;
        const double beta = 5.0;
        double i0Beta = BesselI0(beta);
        var h = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            int t = i - half;
            double r = 2.0 * t / (n - 1);
            double w = BesselI0(beta * Math.Sqrt(Math.Max(0.0, 1.0 - r * r))) / i0Beta;
            h[i] = cutoff * Sinc(cutoff * t) * w;
            sum += h[i];
        }
        for (int i = 0; i < n; i++) h[i] = h[i] / sum * p; // unit DC gain, then the interpolation gain
        return h;
    }

    private static double Sinc(double x) => x == 0 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);

    /// <summary>Modified Bessel function of the first kind, order 0, by its power series (converges for all x; terms below 1e-17 relative dropped).</summary>
    internal static double BesselI0(double x)
    {
        double sum = 1, term = 1, y = x * x / 4;
        for (int k = 1; k < 500; k++)
        {
            term *= y / ((double)k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
