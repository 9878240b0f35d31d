using PercepNet.Metrics.Dsp;

namespace PercepNet.Metrics;

/// <summary>
/// Short-Time Objective Intelligibility: STOI (Taal, Hendriks, Heusdens and Jensen, IEEE TASLP 2011)
/// and extended STOI, ESTOI (Jensen and Taal, IEEE TASLP 2016), following the published algorithms
/// and the behaviour of the authors' reference implementation:
/// <list type="number">
/// <item>resample both signals to 10 kHz with Octave's <c>resample</c> filter (<see cref="KaiserResampler"/>);</item>
/// <item>drop frames (256 samples, hop 128, symmetric Hann without end zeros) of the clean signal more than
///   40 dB below its loudest frame, from both signals, and overlap-add the rest back together;</item>
/// <item>STFT of the result (same frames, 512-point FFT), 15 one-third-octave bands from 150 Hz
///   (band edges snapped to the nearest FFT bin), band envelopes = sqrt of the band power;</item>
/// <item>segments of 30 frames (384 ms) ending at every frame;
///   STOI: per band, scale the degraded envelope to the clean energy, clip it at
///   (1 + 10^(-beta/20)) times the clean envelope with beta = -15 dB, correlate, average over bands and segments;
///   ESTOI: normalise each segment's rows (bands) then columns (frames) to zero mean and unit norm,
///   average the column correlations over frames and segments.</item>
/// </list>
/// Output is in [-1, 1] (in practice [0, 1]); NaN when fewer than 30 non-silent frames remain
/// (signals shorter than ~0.4 s of speech), where the measure is undefined.
/// </summary>
public static class Stoi
{
    /// <summary>Internal sample rate of the measure, Hz.</summary>
    public const int InternalRate = 10000;
    /// <summary>Frame length, samples at 10 kHz (25.6 ms).</summary>
    public const int FrameLength = 256;
    /// <summary>Frame hop: 50 % overlap.</summary>
    public const int Hop = FrameLength / 2;
    /// <summary>FFT size (frames zero-padded to it).</summary>
    public const int FftSize = 2 * FrameLength;
    /// <summary>Number of one-third-octave bands.</summary>
    public const int BandCount = 15;
    /// <summary>Centre frequency of the lowest band, Hz.</summary>
    public const double LowestCentreHz = 150;
    /// <summary>Frames per analysis segment: 30 x 12.8 ms = 384 ms.</summary>
    public const int SegmentFrames = 30;
    /// <summary>Clipping lower signal-to-distortion bound beta, dB (STOI only).</summary>
    public const double BetaDb = -15;
    /// <summary>Frames this far below the loudest clean frame are removed, dB.</summary>
    public const double DynamicRangeDb = 40;

    // Guards divisions by zero (silent bands); double epsilon as in common ports, far below the
    // 1e-4 agreement we test.
    private const double Eps = 2.220446049250313e-16;

    private static readonly double[] Window = SymmetricHann(FrameLength);
    private static readonly (int Lo, int Hi)[] Bands = ThirdOctaveBands(InternalRate, FftSize, BandCount, LowestCentreHz);
    private static readonly RealDft Dft = new(FftSize);

    /// <summary>STOI of <paramref name="degraded"/> against <paramref name="clean"/>.</summary>
    /// <param name="clean">Reference signal, any scale.</param>
    /// <param name="degraded">Processed or noisy signal, same length and rate, time-aligned.</param>
    /// <param name="sampleRate">Rate of both signals, Hz; resampled internally to 10 kHz.</param>
    /// <exception cref="ArgumentException">Lengths differ or the rate is not positive.</exception>
    public static double Compute(ReadOnlySpan<float> clean, ReadOnlySpan<float> degraded, int sampleRate)
        => ComputeBoth(clean, degraded, sampleRate).Stoi;

    /// <summary>ESTOI (extended STOI) of <paramref name="degraded"/> against <paramref name="clean"/>; arguments as <see cref="Compute"/>.</summary>
    public static double ComputeExtended(ReadOnlySpan<float> clean, ReadOnlySpan<float> degraded, int sampleRate)
        => ComputeBoth(clean, degraded, sampleRate).Estoi;

    /// <summary>STOI and ESTOI together, sharing the resampling and the spectra; arguments as <see cref="Compute"/>.</summary>
    public static (double Stoi, double Estoi) ComputeBoth(ReadOnlySpan<float> clean, ReadOnlySpan<float> degraded, int sampleRate)
    {
        var d = ComputeDetailed(clean, degraded, sampleRate);
        return (d.Stoi, d.Estoi);
    }

    /// <summary>Centre frequency of one-third-octave band <paramref name="band"/> (0 .. <see cref="BandCount"/> - 1), Hz: 150 * 2^(band / 3).</summary>
    public static double BandCentreHz(int band) => LowestCentreHz * Math.Pow(2, band / 3.0);

    /// <summary>
    /// STOI, ESTOI and STOI per one-third-octave band: <see cref="StoiDetail.Bands"/>[b] is the mean over
    /// segments of band b's clipped envelope correlation, the quantity STOI averages over bands (so the
    /// mean of the bands is <see cref="StoiDetail.Stoi"/>). It shows where intelligibility is lost: low bands
    /// (voicing, pitch harmonics) or high bands (consonants). Arguments as <see cref="Compute"/>; bands NaN
    /// where STOI is.
    /// </summary>
    public static StoiDetail ComputeDetailed(ReadOnlySpan<float> clean, ReadOnlySpan<float> degraded, int sampleRate)
    {
        if (clean.Length != degraded.Length)
            throw new ArgumentException($"clean has {clean.Length} samples, degraded {degraded.Length}: STOI needs equal lengths (align them first)", nameof(degraded));
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "must be positive");

        double[] x = ToDouble(clean), y = ToDouble(degraded);
        if (sampleRate != InternalRate)
        {
            var r = new KaiserResampler(InternalRate, sampleRate);
            x = r.Process(x);
            y = r.Process(y);
        }
        var (xs, ys) = RemoveSilentFrames(x, y);
        double[][] xEnv = BandEnvelopes(xs), yEnv = BandEnvelopes(ys);
        int frames = xEnv.Length == 0 ? 0 : xEnv[0].Length;
        var bands = new double[BandCount];
        if (frames < SegmentFrames)
        {
            Array.Fill(bands, double.NaN);
            return new StoiDetail(double.NaN, double.NaN, bands);
        }
        double stoi = StoiFromEnvelopes(xEnv, yEnv, frames, bands);
        return new StoiDetail(stoi, EstoiFromEnvelopes(xEnv, yEnv, frames), bands);
    }

    /// <summary>STOI; also writes each band's mean correlation over segments into <paramref name="bandMeans"/>.</summary>
    private static double StoiFromEnvelopes(double[][] xEnv, double[][] yEnv, int frames, double[] bandMeans)
    {
        double clip = 1 + Math.Pow(10, -BetaDb / 20);
        Span<double> yp = stackalloc double[SegmentFrames];
        Array.Clear(bandMeans);
        double sum = 0;
        int count = 0, segments = frames - SegmentFrames + 1;
        for (int end = SegmentFrames; end <= frames; end++)
        {
            int start = end - SegmentFrames;
            for (int b = 0; b < BandCount; b++)
            {
                var xs = xEnv[b].AsSpan(start, SegmentFrames);
                var ys = yEnv[b].AsSpan(start, SegmentFrames);
                double ex = 0, ey = 0;
                for (int i = 0; i < SegmentFrames; i++) { ex += xs[i] * xs[i]; ey += ys[i] * ys[i]; }
                double alpha = Math.Sqrt(ex) / (Math.Sqrt(ey) + Eps);
                for (int i = 0; i < SegmentFrames; i++) yp[i] = Math.Min(alpha * ys[i], clip * xs[i]);
                double d = Correlation(xs, yp);
                bandMeans[b] += d;
                sum += d;
                count++;
            }
        }
        for (int b = 0; b < BandCount; b++) bandMeans[b] /= segments;
        return sum / count;
    }

    private static double EstoiFromEnvelopes(double[][] xEnv, double[][] yEnv, int frames)
    {
        var xn = new double[BandCount * SegmentFrames];
        var yn = new double[BandCount * SegmentFrames];
        double sum = 0;
        int segments = 0;
        for (int end = SegmentFrames; end <= frames; end++)
        {
            int start = end - SegmentFrames;
            RowColumnNormalise(xEnv, start, xn);
            RowColumnNormalise(yEnv, start, yn);
            double d = 0;
            for (int i = 0; i < xn.Length; i++) d += xn[i] * yn[i];
            sum += d / SegmentFrames;
            segments++;
        }
        return sum / segments;
    }

    /// <summary>Copies the segment (band-major, [band * 30 + frame]), normalises rows then columns to zero mean, unit norm.</summary>
    private static void RowColumnNormalise(double[][] env, int start, double[] m)
    {
        const int T = SegmentFrames;
        for (int b = 0; b < BandCount; b++)
        {
            var row = m.AsSpan(b * T, T);
            env[b].AsSpan(start, T).CopyTo(row);
            double mean = 0;
            for (int i = 0; i < T; i++) mean += row[i];
            mean /= T;
            double ss = 0;
            for (int i = 0; i < T; i++) { row[i] -= mean; ss += row[i] * row[i]; }
            double inv = 1 / (Math.Sqrt(ss) + Eps);
            for (int i = 0; i < T; i++) row[i] *= inv;
        }
        for (int t = 0; t < T; t++)
        {
            double mean = 0;
            for (int b = 0; b < BandCount; b++) mean += m[b * T + t];
            mean /= BandCount;
            double ss = 0;
            for (int b = 0; b < BandCount; b++) { double v = m[b * T + t] - mean; m[b * T + t] = v; ss += v * v; }
            double inv = 1 / (Math.Sqrt(ss) + Eps);
            for (int b = 0; b < BandCount; b++) m[b * T + t] *= inv;
        }
    }

    /// <summary>Pearson correlation of two equal-length vectors (sample correlation, no 1/n factors needed).</summary>
    private static double Correlation(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int n = a.Length;
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
        ma /= n; mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        return sab / ((Math.Sqrt(saa) + Eps) * (Math.Sqrt(sbb) + Eps));
    }

    /// <summary>
    /// Removes frames whose clean energy is more than 40 dB below the loudest clean frame. Frames start
    /// every <see cref="Hop"/> samples while start &lt; length - 256 (as the reference); kept windowed
    /// frames are overlap-added consecutively, giving (kept - 1) * 128 + 256 samples.
    /// </summary>
    internal static (double[] X, double[] Y) RemoveSilentFrames(double[] x, double[] y)
    {
        int nFrames = FrameCount(x.Length);
        if (nFrames == 0) return ([], []);
        var energyDb = new double[nFrames];
        double max = double.NegativeInfinity;
        for (int f = 0; f < nFrames; f++)
        {
            int s = f * Hop;
            double ss = 0;
            for (int i = 0; i < FrameLength; i++) { double v = x[s + i] * Window[i]; ss += v * v; }
            // 20 log10(||x w|| / sqrt(N)) = 10 log10(sum / N); -Infinity for digital silence.
            energyDb[f] = 10 * Math.Log10(ss / FrameLength);
            if (energyDb[f] > max) max = energyDb[f];
        }
        int kept = 0;
        for (int f = 0; f < nFrames; f++) if (energyDb[f] - max + DynamicRangeDb > 0) kept++;
        if (kept == 0) return ([], []);
        int len = (kept - 1) * Hop + FrameLength;
        var xo = new double[len];
        var yo = new double[len];
        int o = 0;
        for (int f = 0; f < nFrames; f++)
        {
            if (!(energyDb[f] - max + DynamicRangeDb > 0)) continue;
            int s = f * Hop, d = o * Hop;
            for (int i = 0; i < FrameLength; i++)
            {
                xo[d + i] += x[s + i] * Window[i];
                yo[d + i] += y[s + i] * Window[i];
            }
            o++;
        }
        return (xo, yo);
    }

    /// <summary>One-third-octave band envelopes, [band][frame].</summary>
    internal static double[][] BandEnvelopes(double[] x)
    {
        int nFrames = FrameCount(x.Length);
        var env = new double[BandCount][];
        for (int b = 0; b < BandCount; b++) env[b] = new double[nFrames];
        Span<double> frame = stackalloc double[FrameLength];
        Span<double> power = stackalloc double[Dft.Bins];
        Span<double> scratch = stackalloc double[Dft.ScratchLength];
        for (int f = 0; f < nFrames; f++)
        {
            int s = f * Hop;
            for (int i = 0; i < FrameLength; i++) frame[i] = x[s + i] * Window[i];
            Dft.Power(frame, power, scratch);
            for (int b = 0; b < BandCount; b++)
            {
                double sum = 0;
                for (int k = Bands[b].Lo; k < Bands[b].Hi; k++) sum += power[k];
                env[b][f] = Math.Sqrt(sum);
            }
        }
        return env;
    }

    /// <summary>Frames starting at 0, 128, ... strictly before length - 256 (the reference's 1:K:(len-N)).</summary>
    private static int FrameCount(int length) => length > FrameLength ? (length - FrameLength - 1) / Hop + 1 : 0;

    /// <summary>MATLAB <c>hanning(n)</c>: 0.5 (1 - cos(2 pi i / (n + 1))), i = 1..n (no zero end points).</summary>
    internal static double[] SymmetricHann(int n)
    {
        var w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 0.5 * (1 - Math.Cos(2 * Math.PI * (i + 1) / (n + 1)));
        return w;
    }

    /// <summary>
    /// Band b covers FFT bins [Lo, Hi): its edges cf * 2^(-1/6) and cf * 2^(1/6), cf = 150 * 2^(b/3) Hz,
    /// each snapped to the nearest bin (the lower bin on a tie) of the 0..fs/2 grid.
    /// </summary>
    internal static (int Lo, int Hi)[] ThirdOctaveBands(int fs, int nFft, int bands, double lowest)
    {
        int bins = nFft / 2 + 1;
        var result = new (int, int)[bands];
        for (int b = 0; b < bands; b++)
        {
            double lo = Math.Sqrt(lowest * Math.Pow(2, b / 3.0) * lowest * Math.Pow(2, (b - 1) / 3.0));
            double hi = Math.Sqrt(lowest * Math.Pow(2, b / 3.0) * lowest * Math.Pow(2, (b + 1) / 3.0));
            result[b] = (NearestBin(lo), NearestBin(hi));
        }
        return result;

        int NearestBin(double f)
        {
            int best = 0;
            double bestD = double.PositiveInfinity;
            for (int k = 0; k < bins; k++)
            {
                double d = (k * (double)fs / nFft - f) * (k * (double)fs / nFft - f);
                if (d < bestD) { bestD = d; best = k; }
            }
            return best;
        }
    }

    private static double[] ToDouble(ReadOnlySpan<float> s)
    {
        var d = new double[s.Length];
        for (int i = 0; i < d.Length; i++) d[i] = s[i];
        return d;
    }
}

/// <summary>Result of <see cref="Stoi.ComputeDetailed"/>.</summary>
/// <param name="Stoi">STOI, as <see cref="Stoi.Compute"/>.</param>
/// <param name="Estoi">ESTOI, as <see cref="Stoi.ComputeExtended"/>.</param>
/// <param name="Bands">STOI per one-third-octave band (<see cref="Stoi.BandCount"/> values, centres <see cref="Stoi.BandCentreHz"/>); their mean is <paramref name="Stoi"/>.</param>
public sealed record StoiDetail(double Stoi, double Estoi, IReadOnlyList<double> Bands);
