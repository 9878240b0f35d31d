namespace PercepNet.Metrics.Dsp;

/// <summary>
/// The DNSMOS P.808 model's input features, reproducing what its reference computes with librosa's
/// defaults: centred frames (160 zeros of padding on both sides), periodic Hann window of n_fft = 321
/// samples, hop 160, power spectrogram (161 bins), 120 Slaney-scale mel bands over 0..8000 Hz with
/// Slaney area normalisation, power_to_db relative to the maximum with amin 1e-10 and top_db 80,
/// then (dB + 40) / 40. Output is frame-major [frame * 120 + mel], float32 as the model takes it.
/// Immutable and thread-safe.
/// </summary>
internal sealed class P808MelSpectrogram
{
    public const int SampleRate = 16000;
    public const int FftSize = 321;     // frame_size 320 + 1 in the reference
    public const int HopLength = 160;   // 10 ms
    public const int MelCount = 120;
    public const double MinDb = 1e-10;  // amin of power_to_db
    public const double TopDb = 80;

    private readonly RealDft _dft = new(FftSize);
    private readonly double[] _window = new double[FftSize];
    private readonly float[][] _mel; // [mel][bin], float32 like librosa's filter bank

    public P808MelSpectrogram()
    {
        // scipy get_window('hann', N, fftbins=True): periodic, 0.5 - 0.5 cos(2 pi n / N).
        for (int n = 0; n < FftSize; n++) _window[n] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / FftSize);
        _mel = SlaneyMelFilterBank(SampleRate, FftSize, MelCount, 0, SampleRate / 2.0);
    }

    /// <summary>Frames for a signal of <paramref name="length"/> samples: 1 + length / hop (centred).</summary>
    public static int FrameCount(int length) => 1 + (length + 2 * (FftSize / 2) - FftSize) / HopLength;

    /// <summary>Features of <paramref name="x"/> (16 kHz), frame-major, length FrameCount * 120.</summary>
    public float[] Compute(ReadOnlySpan<float> x)
    {
        int pad = FftSize / 2, frames = FrameCount(x.Length), bins = _dft.Bins;
        var mel = new double[frames * MelCount];
        Span<double> frame = stackalloc double[FftSize];
        Span<double> power = stackalloc double[bins];
        Span<double> scratch = stackalloc double[_dft.ScratchLength];
        double max = double.NegativeInfinity;
        for (int t = 0; t < frames; t++)
        {
            int start = t * HopLength - pad; // index into x of the frame's first sample (zeros outside)
            for (int n = 0; n < FftSize; n++)
            {
                int i = start + n;
                frame[n] = (uint)i < (uint)x.Length ? x[i] * _window[n] : 0.0;
            }
            _dft.Power(frame, power, scratch);
            for (int m = 0; m < MelCount; m++)
            {
                var w = _mel[m];
                double s = 0;
                for (int k = 0; k < bins; k++) s += w[k] * power[k];
                mel[t * MelCount + m] = s;
                if (s > max) max = s;
            }
        }
        // power_to_db(S, ref=max, amin, top_db), then the reference's (dB + 40) / 40.
        double refDb = 10 * Math.Log10(Math.Max(MinDb, max));
        double floorDb = double.NegativeInfinity;
        for (int i = 0; i < mel.Length; i++)
        {
            mel[i] = 10 * Math.Log10(Math.Max(MinDb, mel[i])) - refDb;
            floorDb = Math.Max(floorDb, mel[i]);
        }
        floorDb -= TopDb;
        var result = new float[mel.Length];
        for (int i = 0; i < mel.Length; i++) result[i] = (float)((Math.Max(mel[i], floorDb) + 40) / 40);
        return result;
    }

    /// <summary>Slaney (Auditory Toolbox) mel scale: f / (200/3) below 1 kHz (15 mel at 1 kHz), then log-spaced with 27 steps per factor 6.4.</summary>
    internal static double HzToMel(double f)
    {
        const double fSp = 200.0 / 3, minLogHz = 1000, minLogMel = minLogHz / fSp;
        double logStep = Math.Log(6.4) / 27.0;
        return f < minLogHz ? f / fSp : minLogMel + Math.Log(f / minLogHz) / logStep;
    }

    internal static double MelToHz(double m)
    {
        const double fSp = 200.0 / 3, minLogHz = 1000, minLogMel = minLogHz / fSp;
        double logStep = Math.Log(6.4) / 27.0;
        return m < minLogMel ? m * fSp : minLogHz * Math.Exp(logStep * (m - minLogMel));
    }

    /// <summary>
    /// Triangular filters between mel-spaced edges (n + 2 points evenly spaced in mel from fMin to fMax),
    /// evaluated at the FFT bin frequencies k fs / nFft, each scaled by 2 / (right edge - left edge) in Hz
    /// (Slaney area normalisation).
    /// </summary>
    internal static float[][] SlaneyMelFilterBank(int fs, int nFft, int nMels, double fMin, double fMax)
    {
        int bins = nFft / 2 + 1;
        double melMin = HzToMel(fMin), melMax = HzToMel(fMax);
        var edges = new double[nMels + 2];
        for (int i = 0; i < edges.Length; i++) edges[i] = MelToHz(melMin + (melMax - melMin) * i / (nMels + 1));
        var fb = new float[nMels][];
        for (int m = 0; m < nMels; m++)
        {
            fb[m] = new float[bins];
            double lowerWidth = edges[m + 1] - edges[m], upperWidth = edges[m + 2] - edges[m + 1];
            double norm = 2.0 / (edges[m + 2] - edges[m]);
            for (int k = 0; k < bins; k++)
            {
                double f = (double)k * fs / nFft;
                double lower = (f - edges[m]) / lowerWidth;
                double upper = (edges[m + 2] - f) / upperWidth;
                fb[m][k] = (float)((float)Math.Max(0, Math.Min(lower, upper)) * norm);
            }
        }
        return fb;
    }
}
