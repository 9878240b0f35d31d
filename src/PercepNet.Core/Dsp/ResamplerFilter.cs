using System.Collections.Concurrent;

namespace PercepNet.Dsp;

/// <summary>
/// The immutable polyphase filter bank of a rate pair, shared by every <see cref="Resampler"/> of that pair
/// (one per channel). A Kaiser-windowed sinc designed in double precision and stored as float.
/// </summary>
/// <remarks>
/// Design, with f_low = min(input rate, output rate):
/// passband edge 0.4535 f_low (20.0 kHz for 44.1 kHz), stopband edge 0.5 f_low (the lower Nyquist
/// frequency, so nothing aliases), cutoff (-6 dB) halfway, 0.47675 f_low; Kaiser beta = 0.1102 (A - 8.7)
/// and length (A - 7.95) / (2.285 * 2 pi * transition width) for a design attenuation A = 110 dB
/// (Kaiser's formulas, e.g. Oppenheim and Schafer, Discrete-Time Signal Processing, 3rd ed., sec. 7.6).
/// Tap k of phase p is h(p/L + Taps/2 - 1 - k) for the continuous kernel h(t), t in input samples,
/// so every output sample is the band-limited interpolation of the input at its own instant: zero
/// delay, at the cost of a look-ahead of Taps/2 input samples.
/// </remarks>
internal sealed class ResamplerFilter
{
    /// <summary>Kaiser design attenuation in dB (the measured stopband is in docs/audio.md).</summary>
    public const double AttenuationDb = 110;
    /// <summary>Passband edge as a fraction of the lower sample rate: 20 kHz / 44.1 kHz.</summary>
    public const double PassbandEdge = 20000.0 / 44100.0;
    /// <summary>Stopband edge as a fraction of the lower sample rate: its Nyquist frequency.</summary>
    public const double StopbandEdge = 0.5;
    /// <summary>Largest coefficient table we build (64 MiB of floats), reached only by rates with a huge L.</summary>
    private const long MaxTableSize = 1 << 24;

    private static readonly ConcurrentDictionary<(int, int), ResamplerFilter> Cache = new();

    private ResamplerFilter(int up, int down, int inputRate, int outputRate)
    {
        Up = up;
        Down = down;
        double lowRate = Math.Min(inputRate, outputRate);
        // Frequencies in cycles per input sample.
        double transition = (StopbandEdge - PassbandEdge) * lowRate / inputRate;
        double cutoff = (StopbandEdge + PassbandEdge) / 2 * lowRate / inputRate;
        Beta = 0.1102 * (AttenuationDb - 8.7);
        double length = (AttenuationDb - 7.95) / (2.285 * 2 * Math.PI * transition);
        // OPT: a multiple of 8 taps (one AVX register of floats) so the dot product needs no scalar tail.
        Taps = (int)Math.Ceiling(length / 8) * 8;
        if ((long)up * Taps > MaxTableSize)
            throw new ArgumentException(
                $"Resampling {inputRate} Hz -> {outputRate} Hz needs {up} filter phases of {Taps} taps; rates with so large a ratio L/M are not supported.");
        Cutoff = cutoff;
        Coefficients = new float[up * Taps];
        double i0Beta = BesselI0(Beta), half = Taps / 2.0;
        var phase = new double[Taps];
        for (int p = 0; p < up; p++)
        {
            double sum = 0;
            for (int k = 0; k < Taps; k++)
            {
                double t = (double)p / up + half - 1 - k; // input samples from the output instant
                double x = t / half;
                double window = Math.Abs(x) >= 1 ? 0 : BesselI0(Beta * Math.Sqrt(1 - x * x)) / i0Beta;
                phase[k] = 2 * cutoff * Sinc(2 * cutoff * t) * window;
                sum += phase[k];
            }
            // Unit DC gain in every phase: no tone at the phase rate from DC, whatever the rounding.
            for (int k = 0; k < Taps; k++) Coefficients[p * Taps + k] = (float)(phase[k] / sum);
        }
    }

    /// <summary>Interpolation factor L.</summary>
    public int Up { get; }

    /// <summary>Decimation factor M.</summary>
    public int Down { get; }

    /// <summary>Taps per phase (filter length in input samples); a multiple of 8.</summary>
    public int Taps { get; }

    /// <summary>Kaiser window beta.</summary>
    public double Beta { get; }

    /// <summary>-6 dB frequency in cycles per input sample.</summary>
    public double Cutoff { get; }

    /// <summary>Up * Taps coefficients: phase p occupies [p * Taps, (p + 1) * Taps).</summary>
    public float[] Coefficients { get; }

    public static ResamplerFilter Get(int up, int down, int inputRate, int outputRate) =>
        Cache.GetOrAdd((up, down), _ => new ResamplerFilter(up, down, inputRate, outputRate));

    private static double Sinc(double x) => x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

    /// <summary>Modified Bessel function I0 by its power series (terms fall below 1e-17 of the sum).</summary>
    internal static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200 && term > 1e-17 * sum; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
        }
        return sum;
    }
}
