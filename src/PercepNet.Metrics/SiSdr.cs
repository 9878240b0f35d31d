namespace PercepNet.Metrics;

/// <summary>
/// Scale-invariant signal-to-distortion ratio (Le Roux, Wisdom, Erdogan and Hershey, "SDR -
/// half-baked or well done?", ICASSP 2019). Both signals are made zero-mean; the target is the
/// projection of the estimate on the reference, alpha s with alpha = &lt;s_hat, s&gt; / ||s||^2, and
/// SI-SDR = 10 log10(||alpha s||^2 / ||s_hat - alpha s||^2) dB. Invariant to the gain of the estimate
/// (and of the reference). Accumulates in double.
/// </summary>
public static class SiSdr
{
    /// <summary>SI-SDR of <paramref name="estimate"/> against <paramref name="reference"/>, in dB.</summary>
    /// <param name="reference">Clean signal.</param>
    /// <param name="estimate">Processed signal, same length, time-aligned.</param>
    /// <returns>dB; +Infinity for a perfect (scaled) estimate; NaN when the reference (after mean
    /// removal) is silent or either signal holds NaN.</returns>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static double Compute(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate)
    {
        if (reference.Length != estimate.Length)
            throw new ArgumentException($"reference has {reference.Length} samples, estimate {estimate.Length}: SI-SDR needs equal lengths", nameof(estimate));
        int n = reference.Length;
        if (n == 0) return double.NaN;
        double ms = 0, me = 0;
        for (int i = 0; i < n; i++) { ms += reference[i]; me += estimate[i]; }
        ms /= n; me /= n;
        double sse = 0, ss = 0;
        for (int i = 0; i < n; i++)
        {
            double s = reference[i] - ms, e = estimate[i] - me;
            sse += s * e; ss += s * s;
        }
        if (!(ss > 0)) return double.NaN;
        double alpha = sse / ss;
        double target = 0, noise = 0;
        for (int i = 0; i < n; i++)
        {
            double t = alpha * (reference[i] - ms);
            double d = estimate[i] - me - t;
            target += t * t; noise += d * d;
        }
        if (noise == 0) return target > 0 ? double.PositiveInfinity : double.NaN;
        return 10 * Math.Log10(target / noise);
    }
}
