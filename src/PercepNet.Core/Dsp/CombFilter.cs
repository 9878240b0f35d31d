using System.Diagnostics;
using System.Numerics;

namespace PercepNet.Dsp;

/// <summary>
/// The pitch (comb) filter p(n) = sum_k a_k x(n - k T), k = -F..M, with a_k a Hann window over
/// the 2M+1 taps of the symmetric filter, a_k proportional to 0.5 + 0.5 cos(pi k / (M + 1)),
/// normalised so that sum a_k = 1 (unit gain at every multiple of f0 = fs/T).
/// </summary>
/// <remarks>
/// M = 3 past taps always (the paper's M). Future taps (k &lt; 0) read samples after the analysis
/// window and must stay inside the look-ahead: F = min(M, floor(lookahead / T)). With the 2-frame
/// (960-sample) look-ahead, periods up to 320 samples (f0 >= 150 Hz) get the full symmetric
/// 7-tap filter (white-noise power gain -7.3 dB), periods up to 480 (f0 >= 100 Hz) 6 taps, and
/// longer ones 5 taps. Dropping future taps keeps the response exactly 1 with zero phase at the
/// harmonics, where it matters; between harmonics the response is no longer zero-phase.
/// </remarks>
internal static class CombFilter
{
    /// <summary>Past taps M (and the maximum number of future taps).</summary>
    public const int Taps = 3;

    /// <summary>Samples needed before the window start: M * MaxPeriod.</summary>
    public const int HistoryNeeded = Taps * FrameLayout.MaxPeriod;

    /// <summary>Number of future taps allowed for <paramref name="period"/> within <paramref name="lookahead"/> samples.</summary>
    public static int FutureTaps(int period, int lookahead) => Math.Min(Taps, lookahead / period);

    /// <summary>
    /// Fills <paramref name="coefficients"/> (index k + F for tap k = -F..M, so 2M+1 entries at
    /// most) and returns F. The entries past M + F are zeroed.
    /// </summary>
    public static int Coefficients(int period, int lookahead, Span<float> coefficients)
    {
        Debug.Assert(coefficients.Length >= 2 * Taps + 1);
        int f = FutureTaps(period, lookahead);
        coefficients.Clear();
        s_coefficients[f].CopyTo(coefficients);
        return f;
    }

    // The coefficients depend only on the number of future taps F: one table per F, 2M+1 entries each.
    private static readonly float[][] s_coefficients = [Build(0), Build(1), Build(2), Build(3)];

    private static float[] Build(int f)
    {
        var coefficients = new float[2 * Taps + 1];
        double sum = 0;
        for (int k = -f; k <= Taps; k++) sum += 0.5 + 0.5 * Math.Cos(Math.PI * k / (Taps + 1));
        for (int k = -f; k <= Taps; k++)
            coefficients[k + f] = (float)((0.5 + 0.5 * Math.Cos(Math.PI * k / (Taps + 1))) / sum);
        return coefficients;
    }

    /// <summary>White-noise power gain rho = sum a_k^2 of the filter for this period and look-ahead.</summary>
    public static float PowerGain(int period, int lookahead)
    {
        Span<float> a = stackalloc float[2 * Taps + 1];
        Coefficients(period, lookahead, a);
        float rho = 0;
        foreach (float v in a) rho += v * v;
        return rho;
    }

    /// <summary>
    /// Filters <paramref name="output"/>.Length samples starting at index <paramref name="start"/>
    /// of <paramref name="signal"/>: output[i] = sum_k a_k signal[start + i - k T]. The signal must
    /// hold M T samples before <paramref name="start"/> and <paramref name="lookahead"/> samples
    /// after the filtered span. Returns the white-noise power gain sum a_k^2.
    /// </summary>
    public static float Apply(ReadOnlySpan<float> signal, int start, int period, int lookahead, Span<float> output)
    {
        Debug.Assert(period >= 1 && start - Taps * period >= 0);
        Debug.Assert(start + output.Length + lookahead <= signal.Length);
        Span<float> a = stackalloc float[2 * Taps + 1];
        int f = Coefficients(period, lookahead, a);
        int taps = f + Taps + 1;
        float rho = 0;
        for (int t = 0; t < taps; t++) rho += a[t] * a[t];
        // OPT: all taps per output sample in one pass, in the tap order k = -F..M, starting from 0:
        // the same sums as accumulating tap by tap into a cleared output, bit for bit.
        int first = start + f * period;   // tap t (k = t - F) reads signal[first - t T + i]
        int n = output.Length, i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= n - w; i += w)
            {
                var acc = Vector<float>.Zero;
                for (int t = 0; t < taps; t++)
                    acc += new Vector<float>(signal.Slice(first - t * period + i, w)) * a[t];
                acc.CopyTo(output.Slice(i, w));
            }
        }
        for (; i < n; i++)
        {
            float acc = 0f;
            for (int t = 0; t < taps; t++) acc += a[t] * signal[first - t * period + i];
            output[i] = acc;
        }
        return rho;
    }
}
