using System.Diagnostics;
using System.Numerics;

namespace PercepNet.Dsp;

/// <summary>
/// The 34 triangular ERB bands on the 50 Hz bin grid. Band b is a triangle that peaks (weight 1)
/// at bin <see cref="Centers"/>[b] and falls linearly to 0 at its neighbours' centres, so
/// neighbouring triangles overlap by 50% and the weights sum to 1 at every bin from 0 to 20 kHz.
/// Band 0 is the right half of a triangle (from DC), band 33 the left half (to 20 kHz).
/// </summary>
/// <remarks>
/// Derivation of the centre table (regenerated and checked by ErbBandTests): start at bin 400
/// (20 kHz) and step down by step = max(2, round(s * ERB(f) / 50 Hz)) bins, with
/// ERB(f) = 24.7 (4.37 f / 1000 + 1) Hz evaluated at the current centre f and s = 1.025, until the
/// step reaches or passes bin 0; a last interval shorter than 2 bins is merged into the one above.
/// s = 1.025 is inside the range (about 1.016..1.026) where this rule gives exactly 34 centres; the
/// minimum of 2 bins (100 Hz) applies up to 800 Hz, where ERB widths fall below 100 Hz.
/// Bins above 20 kHz belong to no band; gains interpolated to them take the last band's value.
/// </remarks>
internal static class ErbBands
{
    /// <summary>Band centres in bins (multiply by 50 for Hz).</summary>
    public static ReadOnlySpan<short> Centers =>
    [
        0, 2, 4, 6, 8, 10, 12, 14, 16, 19, 22, 25, 29, 33, 38, 43, 49, 56, 64, 73, 83,
        94, 106, 120, 136, 154, 174, 196, 221, 249, 280, 315, 355, 400,
    ];

    /// <summary>Highest bin covered by the bands (20 kHz).</summary>
    public const int LastBin = 400;

    /// <summary>The scale factor of the derivation rule (see remarks).</summary>
    public const double DerivationScale = 1.025;

    /// <summary>Runs the derivation rule (see remarks) with scale <paramref name="s"/>; ascending centres.</summary>
    public static int[] Derive(double s)
    {
        var c = new List<int> { LastBin };
        int bin = LastBin;
        while (bin > 0)
        {
            double f = bin * FrameLayout.BinHz;
            double erb = 24.7 * (4.37 * f / 1000 + 1);
            int step = Math.Max(2, (int)Math.Round(s * erb / FrameLayout.BinHz, MidpointRounding.AwayFromZero));
            bin = Math.Max(0, bin - step);
            c.Add(bin);
        }
        if (c.Count >= 2 && c[^2] - c[^1] < 2) c.RemoveAt(c.Count - 2);
        c.Reverse();
        return c.ToArray();
    }

    /// <summary>Weight of band <paramref name="band"/> at bin <paramref name="bin"/> (0 outside its triangle).</summary>
    public static float Weight(int band, int bin)
    {
        ReadOnlySpan<short> c = Centers;
        if (bin > LastBin) return 0;
        if (band > 0 && bin >= c[band - 1] && bin < c[band])
            return (float)(bin - c[band - 1]) / (c[band] - c[band - 1]);
        if (bin == c[band]) return 1;
        if (band < FrameLayout.BandCount - 1 && bin > c[band] && bin < c[band + 1])
            return 1 - (float)(bin - c[band]) / (c[band + 1] - c[band]);
        return 0;
    }

    /// <summary>
    /// Band energies E_b = sum_k w_b(k) |X(k)|^2 of an interleaved spectrum (962 floats) into
    /// <paramref name="energy"/> (34 floats).
    /// </summary>
    public static void Energy(ReadOnlySpan<float> spectrum, Span<float> energy) =>
        CrossCorrelation(spectrum, spectrum, energy); // Re(X conj X) = |X|^2: the same weighted sum

    /// <summary>
    /// Band cross-correlations Re(sum_k w_b(k) X(k) conj(P(k))) of two interleaved spectra into
    /// <paramref name="corr"/> (34 floats).
    /// </summary>
    public static void CrossCorrelation(ReadOnlySpan<float> x, ReadOnlySpan<float> p, Span<float> corr)
    {
        Debug.Assert(x.Length >= 2 * (LastBin + 1) && p.Length >= 2 * (LastBin + 1) && corr.Length >= FrameLayout.BandCount);
        ReadOnlySpan<short> c = Centers;
        ReadOnlySpan<float> lower = s_lowerWeight, upper = s_upperWeight;
        // OPT: the running sums live in locals (each band's sum gets the upper triangle of the band
        // below, then its own lower part), in the same order as accumulating into corr, bit for bit.
        float sum = 0f;
        for (int b = 0; b < FrameLayout.BandCount - 1; b++)
        {
            float next = 0f;
            for (int k = c[b]; k < c[b + 1]; k++)
            {
                float v = x[2 * k] * p[2 * k] + x[2 * k + 1] * p[2 * k + 1];
                sum += lower[k] * v;
                next += upper[k] * v;
            }
            corr[b] = sum;
            sum = next;
        }
        int last = c[FrameLayout.BandCount - 1];
        corr[FrameLayout.BandCount - 1] = sum + (x[2 * last] * p[2 * last] + x[2 * last + 1] * p[2 * last + 1]);
    }

    /// <summary>
    /// <see cref="Energy"/> of <paramref name="p"/> into <paramref name="ep"/> and
    /// <see cref="CrossCorrelation"/> of <paramref name="x"/> and <paramref name="p"/> into
    /// <paramref name="exp"/> in one pass (bit-identical to the two calls; the two sums per band
    /// advance together instead of one after the other).
    /// </summary>
    public static void EnergyAndCrossCorrelation(ReadOnlySpan<float> x, ReadOnlySpan<float> p, Span<float> ep, Span<float> exp)
    {
        Debug.Assert(x.Length >= 2 * (LastBin + 1) && p.Length >= 2 * (LastBin + 1));
        Debug.Assert(ep.Length >= FrameLayout.BandCount && exp.Length >= FrameLayout.BandCount);
        ReadOnlySpan<short> c = Centers;
        ReadOnlySpan<float> lower = s_lowerWeight, upper = s_upperWeight;
        float sumP = 0f, sumXp = 0f;
        for (int b = 0; b < FrameLayout.BandCount - 1; b++)
        {
            float nextP = 0f, nextXp = 0f;
            for (int k = c[b]; k < c[b + 1]; k++)
            {
                float pr = p[2 * k], pi = p[2 * k + 1];
                float vp = pr * pr + pi * pi;
                float vxp = x[2 * k] * pr + x[2 * k + 1] * pi;
                sumP += lower[k] * vp;
                nextP += upper[k] * vp;
                sumXp += lower[k] * vxp;
                nextXp += upper[k] * vxp;
            }
            ep[b] = sumP;
            exp[b] = sumXp;
            sumP = nextP;
            sumXp = nextXp;
        }
        int last = c[FrameLayout.BandCount - 1];
        float lr = p[2 * last], li = p[2 * last + 1];
        ep[FrameLayout.BandCount - 1] = sumP + (lr * lr + li * li);
        exp[FrameLayout.BandCount - 1] = sumXp + (x[2 * last] * lr + x[2 * last + 1] * li);
    }

    // Per bin k below LastBin, in the band b with c[b] <= k < c[b + 1]: the weight of band b
    // (1 - frac) and of band b + 1 (frac), frac = (k - c[b]) / width computed as (k - c[b]) * (1 / width).
    private static readonly float[] s_lowerWeight = BuildWeights(upper: false);
    private static readonly float[] s_upperWeight = BuildWeights(upper: true);

    private static float[] BuildWeights(bool upper)
    {
        ReadOnlySpan<short> c = Centers;
        var weights = new float[LastBin];
        for (int b = 0; b < FrameLayout.BandCount - 1; b++)
        {
            int width = c[b + 1] - c[b];
            float inv = 1f / width;
            for (int j = 0; j < width; j++)
            {
                float frac = j * inv;
                weights[c[b] + j] = upper ? frac : 1 - frac;
            }
        }
        return weights;
    }

    /// <summary>
    /// Interpolates 34 band values to 481 bins with the same triangles: G(k) = sum_b w_b(k) g_b;
    /// bins above 20 kHz take the last band's value.
    /// </summary>
    public static void Interpolate(ReadOnlySpan<float> bandValues, Span<float> binValues)
    {
        Debug.Assert(bandValues.Length >= FrameLayout.BandCount && binValues.Length >= FrameLayout.BinCount);
        ReadOnlySpan<short> c = Centers;
        ReadOnlySpan<float> lower = s_lowerWeight, upper = s_upperWeight;
        int w = Vector<float>.Count;
        for (int b = 0; b < FrameLayout.BandCount - 1; b++)
        {
            float lo = bandValues[b], hi = bandValues[b + 1];
            int k = c[b], end = c[b + 1];
            if (Vector.IsHardwareAccelerated)
            {
                // OPT: element-wise, so the wide upper bands vectorise without changing a bit.
                for (; k <= end - w; k += w)
                    (new Vector<float>(lower.Slice(k, w)) * lo + new Vector<float>(upper.Slice(k, w)) * hi).CopyTo(binValues.Slice(k, w));
            }
            for (; k < end; k++) binValues[k] = lower[k] * lo + upper[k] * hi;
        }
        float lastValue = bandValues[FrameLayout.BandCount - 1];
        for (int k = LastBin; k < FrameLayout.BinCount; k++) binValues[k] = lastValue;
    }
}
