namespace PercepNet.Metrics.Pesq;

/// <summary>
/// A signal in the layout every later stage expects: <see cref="PesqConfig.SearchBuffer"/> zeros, the
/// samples (scaled to 16-bit units), <see cref="PesqConfig.SearchBuffer"/> zeros and
/// <see cref="PesqConfig.Padding"/> more zeros. <see cref="Length"/> counts the samples plus both
/// search buffers (not the final padding), as the standard's description does.
/// </summary>
internal sealed class PaddedSignal
{
    public PaddedSignal(double[] data, int length)
    {
        Data = data;
        Length = length;
    }

    public double[] Data { get; }

    public int Length { get; }

    public static PaddedSignal From(ReadOnlySpan<float> x, PesqConfig cfg)
    {
        int length = x.Length + 2 * cfg.SearchBuffer;
        var data = new double[length + cfg.Padding];
        // 16-bit units: the absolute constants of the model (silence criterion, VAD floors) assume them;
        // the level alignment removes the scale anyway.
        for (int i = 0; i < x.Length; i++) data[cfg.SearchBuffer + i] = x[i] * 32768.0;
        return new PaddedSignal(data, length);
    }
}

/// <summary>Level alignment and the input filters (P.862 clause 10.1: level alignment, IRS filtering; P.862.2 for wide-band).</summary>
internal static class PesqPreprocessing
{
    /// <summary>
    /// Scales each signal so that its power in the 350-3250 Hz band, averaged over the longer of the
    /// two files, equals <see cref="PesqConfig.TargetPower"/>. A signal whose band power is zero is
    /// left unscaled and reported as false.
    /// </summary>
    public static (bool ReferenceOk, bool DegradedOk) AlignLevels(PaddedSignal reference, PaddedSignal degraded, int maxLength, PesqConfig cfg)
    {
        var fr = (double[])reference.Data.Clone();
        var fd = (double[])degraded.Data.Clone();
        ApplyCurveFilter(fr, reference.Length, fd, degraded.Length, PesqFilters.LevelAlignCurve, cfg);
        return (Scale(reference, fr), Scale(degraded, fd));

        bool Scale(PaddedSignal s, double[] filtered)
        {
            int sb = cfg.SearchBuffer;
            double power = 0;
            for (int i = sb; i < s.Length - sb + cfg.Padding; i++) power += filtered[i] * filtered[i];
            power /= maxLength - 2 * sb + cfg.Padding;
            if (!(power > 0) || double.IsInfinity(power)) return false;
            double scale = Math.Sqrt(PesqConfig.TargetPower / power);
            for (int i = 0; i < s.Length; i++) s.Data[i] *= scale;
            return true;
        }
    }

    /// <summary>
    /// Zero-phase filtering of two signals by a dB curve: each active part (samples plus trailing
    /// padding) is transformed with an FFT of the next power of two of its own length, each bin is
    /// scaled by the curve relative to its 1 kHz gain, and transformed back.
    /// </summary>
    public static void ApplyCurveFilter(double[] a, int lengthA, double[] b, int lengthB, (double Hz, double Db)[] curve, PesqConfig cfg)
    {
        int sb = cfg.SearchBuffer;
        int na = lengthA - 2 * sb + cfg.Padding, nb = lengthB - 2 * sb + cfg.Padding;
        int size = PesqFft.NextPow2(na);
        if (PesqFft.NextPow2(nb) != size)
        {
            ApplyCurveFilter(a, lengthA, curve, cfg);
            ApplyCurveFilter(b, lengthB, curve, cfg);
            return;
        }
        // OPT: one complex FFT for both (a in the real part, b in the imaginary part). The gain is
        // real and even in frequency, so the two results separate exactly.
        var re = new double[size];
        var im = new double[size];
        Array.Copy(a, sb, re, 0, na);
        Array.Copy(b, sb, im, 0, nb);
        FilterSpectrum(re, im, size, curve, cfg);
        Array.Copy(re, 0, a, sb, na);
        Array.Copy(im, 0, b, sb, nb);
    }

    /// <summary>Single-signal form of <see cref="ApplyCurveFilter(double[], int, double[], int, ValueTuple{double, double}[], PesqConfig)"/>.</summary>
    public static void ApplyCurveFilter(double[] data, int length, (double Hz, double Db)[] curve, PesqConfig cfg)
    {
        int sb = cfg.SearchBuffer;
        int n = length - 2 * sb + cfg.Padding;
        int size = PesqFft.NextPow2(n);
        var re = new double[size];
        var im = new double[size];
        Array.Copy(data, sb, re, 0, n);
        FilterSpectrum(re, im, size, curve, cfg);
        Array.Copy(re, 0, data, sb, n);
    }

    private static void FilterSpectrum(double[] re, double[] im, int size, (double Hz, double Db)[] curve, PesqConfig cfg)
    {
        var fft = PesqFft.Get(size);
        fft.Forward(re, im);
        double gain1k = Interpolate(1000.0, curve);
        double resolution = (double)cfg.SampleRate / size;
        for (int k = 0; k <= size / 2; k++)
        {
            double factor = Math.Pow(10.0, (Interpolate(k * resolution, curve) - gain1k) / 20.0);
            re[k] *= factor;
            im[k] *= factor;
            if (k > 0 && k < size / 2)
            {
                re[size - k] *= factor;
                im[size - k] *= factor;
            }
        }
        fft.Inverse(re, im);
    }

    /// <summary>Linear interpolation of the dB curve; extrapolates from the end segments.</summary>
    internal static double Interpolate(double hz, (double Hz, double Db)[] curve)
    {
        int hi;
        if (hz <= curve[0].Hz) hi = 1;
        else if (hz >= curve[^1].Hz) hi = curve.Length - 1;
        else
        {
            hi = 1;
            while (curve[hi].Hz < hz) hi++;
        }
        var (f0, d0) = curve[hi - 1];
        var (f1, d1) = curve[hi];
        return ((hz - f0) * d1 + (f1 - hz) * d0) / (f1 - f0);
    }

    /// <summary>
    /// P.862.2 wide-band input filter: 16-sample linear fades at both ends of the samples, then the
    /// 100 Hz high-pass section over the samples only.
    /// </summary>
    /// <remarks>
    /// Computed in single precision, in the reference implementation's operation order, on the
    /// signal rounded to single precision. The section's poles sit close to z = 1 (its direct-form-II
    /// state has ~56 dB of gain at low frequencies), so the rounding noise of single-precision
    /// arithmetic reaches about 1e-4 of the output, enough to move close decisions of the time
    /// alignment. The ITU reference results include that noise; reproducing it keeps us on the
    /// same side of those decisions (a double-precision filter differs by up to 0.01 MOS on some
    /// files with delay changes).
    /// </remarks>
    public static void ApplyWideBandFilter(PaddedSignal s, PesqConfig cfg)
    {
        int sb = cfg.SearchBuffer;
        const int Fade = 16;
        var d = s.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)d[i];
        for (int i = 0; i < Fade; i++)
        {
            float w = i / (float)Fade;
            d[sb + i - 1] = (float)d[sb + i - 1] * w;
            d[s.Length - sb - i] = (float)d[s.Length - sb - i] * w;
        }
        BiquadsSingle(PesqFilters.WideBandInputSos16k, d.AsSpan(sb, s.Length - 2 * sb));
    }

    /// <summary>
    /// Prepares the copy used for VAD and time alignment: removes the mean (over the samples, divided by
    /// the buffer length as the reference does), fades the first and last 4 ms in and out, and applies
    /// the alignment IIR over the whole buffer. Single precision, as <see cref="ApplyWideBandFilter"/>
    /// explains: the cascade's rounding noise is part of the reference's alignment decisions.
    /// </summary>
    public static void AlignmentFilter(PaddedSignal s, PesqConfig cfg)
    {
        int sb = cfg.SearchBuffer, ds = cfg.Downsample;
        var d = s.Data;
        double mean = 0;
        for (int i = sb; i < s.Length - sb; i++) mean += d[i];
        mean /= s.Length;
        for (int i = sb; i < s.Length - sb; i++) d[i] = (float)(d[i] - mean);
        for (int k = 0; k < ds; k++)
        {
            float w = (0.5f + k) / ds;
            d[sb + k] = (float)d[sb + k] * w;
            d[s.Length - sb - 1 - k] = (float)d[s.Length - sb - 1 - k] * w;
        }
        BiquadsSingle(cfg.AlignmentSos, d.AsSpan(0, s.Length + cfg.Padding));
    }

    /// <summary>
    /// Cascade of direct-form-II sections (b0, b1, b2, a1, a2) in single precision with zero initial
    /// state, in place: z0 = x - a1 z1 - a2 z2, y = b0 z0 + b1 z1 + b2 z2, evaluated left to right.
    /// </summary>
    internal static void BiquadsSingle(double[] sos, Span<double> x)
    {
        for (int s = 0; s + 5 <= sos.Length; s += 5)
        {
            float b0 = (float)sos[s], b1 = (float)sos[s + 1], b2 = (float)sos[s + 2];
            float a1 = (float)sos[s + 3], a2 = (float)sos[s + 4];
            float z1 = 0, z2 = 0;
            for (int i = 0; i < x.Length; i++)
            {
                float z0 = (float)x[i] - a1 * z1 - a2 * z2;
                x[i] = b0 * z0 + b1 * z1 + b2 * z2;
                z2 = z1;
                z1 = z0;
            }
        }
    }
}
