using PercepNet.Dsp;

namespace PercepNet.Training.Data;

/// <summary>
/// Voice augmentation that makes new speakers out of the ones we have, at 48 kHz, keeping the
/// tempo: a pitch shift that moves pitch and formants together by a factor (a shorter or longer
/// vocal tract with a higher or lower voice, as sox's <c>pitch</c> effect does) and a formant shift
/// that moves only the spectral envelope (vocal-tract-length perturbation, pitch unchanged).
/// Together: pitch × <c>pitchFactor</c>, formants × <c>pitchFactor · formantFactor</c>.
/// </summary>
public static class VoiceShift
{
    private const int StretchFrame = 1920;     // 40 ms
    private const int StretchHop = StretchFrame / 2;
    private const int StretchTolerance = 480;  // 10 ms search either side
    private const int EnvelopeFft = 960;       // 20 ms frames for the envelope warp
    private const int EnvelopeHop = EnvelopeFft / 4;
    private const int Lifter = 60;             // cepstral coefficients kept: 1.25 ms, below the pitch period of voices up to 800 Hz

    /// <summary>
    /// Time-stretches <paramref name="x"/> by <paramref name="factor"/> (output about factor times
    /// as long) without changing its pitch: WSOLA, 40 ms Hann frames at 50% overlap, each taken within
    /// ±10 ms of its nominal place where it best continues the previous one (waveform similarity).
    /// </summary>
    public static float[] TimeStretch(ReadOnlySpan<float> x, double factor)
    {
        if (!(factor > 0.25 && factor < 4)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "expected 0.25 < factor < 4");
        int outLength = (int)Math.Round(x.Length * factor);
        var y = new float[outLength + StretchFrame];
        var window = new float[StretchFrame];
        for (int i = 0; i < StretchFrame; i++) window[i] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * i / StretchFrame)); // periodic: sums to 1 at 50% overlap
        // Input padded with silence on both sides so every frame and search stays inside.
        int pad = StretchFrame + StretchTolerance;
        var p = new float[x.Length + 2 * pad];
        x.CopyTo(p.AsSpan(pad));
        double analysisHop = StretchHop / factor;
        int previous = pad; // input position of the previous frame
        for (int k = 0; (long)k * StretchHop < outLength; k++)
        {
            int position;
            if (k == 0) position = pad;
            else
            {
                int nominal = pad + (int)Math.Round(k * analysisHop);
                int natural = previous + StretchHop; // where the previous frame's signal continues
                position = BestMatch(p, natural, nominal);
            }
            int outStart = k * StretchHop;
            for (int i = 0; i < StretchFrame; i++) y[outStart + i] += window[i] * p[position + i];
            previous = position;
        }
        return y.AsSpan(0, outLength).ToArray();
    }

    /// <summary>Position within ±tolerance of <paramref name="nominal"/> whose frame correlates best with the one at <paramref name="natural"/>.</summary>
    private static int BestMatch(float[] p, int natural, int nominal)
    {
        int lo = Math.Max(0, nominal - StretchTolerance), hi = Math.Min(p.Length - StretchFrame, nominal + StretchTolerance);
        natural = Math.Min(natural, p.Length - StretchFrame);
        // Coarse search on every 4th lag over the first half frame (every 2nd sample), then refine.
        int best = Math.Clamp(nominal, lo, hi);
        double bestScore = double.NegativeInfinity;
        for (int pos = lo; pos <= hi; pos += 4)
        {
            double s = Correlation(p, natural, pos, StretchFrame / 2, 2);
            if (s > bestScore) { bestScore = s; best = pos; }
        }
        int coarse = best;
        for (int pos = Math.Max(lo, coarse - 3); pos <= Math.Min(hi, coarse + 3); pos++)
        {
            double s = Correlation(p, natural, pos, StretchFrame / 2, 1);
            if (pos == Math.Max(lo, coarse - 3) || s > bestScore) { bestScore = s; best = pos; }
        }
        return best;
    }

    private static double Correlation(float[] p, int a, int b, int length, int step)
    {
        double s = 0;
        for (int i = 0; i < length; i += step) s += p[a + i] * p[b + i];
        return s;
    }

    /// <summary>
    /// Moves pitch and formants by <paramref name="factor"/> keeping the duration: a time stretch by
    /// the factor, then a speed change by it (<see cref="Synthesizer.SpeedPerturb"/>, our resampler to
    /// 48000 / factor Hz played at 48 kHz, rounded to 100 Hz: the factor actually applied is returned).
    /// The bandwidth scales with the frequencies and stays below the resampler's passband.
    /// </summary>
    public static (float[] Audio, double BandwidthHz, double Factor) PitchShift(ReadOnlySpan<float> x, double bandwidthHz, double factor)
    {
        int rate = (int)Math.Round(FrameLayout.SampleRate / factor / 100) * 100;
        double applied = (double)FrameLayout.SampleRate / rate;
        var stretched = TimeStretch(x, applied);
        var (audio, bandwidth) = Synthesizer.SpeedPerturb(stretched, bandwidthHz, rate);
        return (audio, bandwidth, applied);
    }

    /// <summary>
    /// Moves the spectral envelope (formants) by <paramref name="factor"/> and keeps the harmonics:
    /// per 20 ms Hann frame (75% overlap) the log-magnitude envelope is the cepstrum liftered to its
    /// first 1.25 ms (about 800 Hz of detail: the formant region moves as a whole, measured 79-87% of
    /// the factor on the spectral centroid of a one-formant vowel), and every bin below <paramref name="bandwidthHz"/> is scaled by
    /// envelope(f / factor) / envelope(f), limited to ±30 dB; bins above it are left alone (they hold
    /// only the resampler's residue, which must not be raised into the band). Returns the audio and
    /// its bandwidth (smaller when the envelope moves down: what lay near the edge came from above it).
    /// </summary>
    public static (float[] Audio, double BandwidthHz) FormantShift(ReadOnlySpan<float> x, double bandwidthHz, double factor)
    {
        if (!(factor > 0.5 && factor < 2)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "expected 0.5 < factor < 2");
        int n = EnvelopeFft, bins = n / 2 + 1;
        var fft = new RealFft(n);
        var window = new float[n];
        for (int i = 0; i < n; i++) window[i] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n));
        // Hann analysis and synthesis at 75% overlap sum to 1.5.
        const float OverlapGain = 1f / 1.5f;
        int pad = n;
        var p = new float[x.Length + 2 * pad];
        x.CopyTo(p.AsSpan(pad));
        var y = new float[p.Length];
        var frame = new float[n];
        var spectrum = new float[n + 2];
        var logMag = new float[n];
        var cep = new float[n + 2];
        var env = new float[bins];
        var cepSpectrum = new float[n + 2];
        var result = new float[n];
        int edge = Math.Min(bins, (int)(bandwidthHz / FrameLayout.SampleRate * n)); // first bin left alone
        const double MaxLogGain = 30 / 8.685889638065035; // 30 dB in natural-log units of magnitude
        for (int start = 0; start + n <= p.Length; start += EnvelopeHop)
        {
            for (int i = 0; i < n; i++) frame[i] = p[start + i] * window[i];
            fft.Forward(frame, spectrum);
            // Real cepstrum of the log magnitude (even, so a real FFT of the log spectrum suffices).
            for (int k = 0; k < bins; k++)
            {
                double re = spectrum[2 * k], im = spectrum[2 * k + 1];
                cepSpectrum[2 * k] = (float)Math.Log(re * re + im * im + 1e-12) * 0.5f;
                cepSpectrum[2 * k + 1] = 0;
            }
            fft.Inverse(cepSpectrum, cep);
            for (int q = Lifter; q <= n - Lifter; q++) cep[q] = 0;
            fft.Forward(cep.AsSpan(0, n), cepSpectrum);
            for (int k = 0; k < bins; k++) env[k] = cepSpectrum[2 * k]; // smoothed log magnitude
            for (int k = 0; k < edge; k++)
            {
                double source = k / factor;
                double warped;
                if (source >= edge - 1) warped = env[Math.Max(0, edge - 1)] - MaxLogGain; // from beyond the band: nothing there
                else
                {
                    int k0 = (int)source;
                    double t = source - k0;
                    warped = env[k0] + t * (env[k0 + 1] - env[k0]);
                }
                float g = (float)Math.Exp(Math.Clamp(warped - env[k], -MaxLogGain, MaxLogGain));
                spectrum[2 * k] *= g;
                spectrum[2 * k + 1] *= g;
            }
            fft.Inverse(spectrum, result);
            for (int i = 0; i < n; i++) y[start + i] += result[i] * window[i] * OverlapGain;
        }
        return (y.AsSpan(pad, x.Length).ToArray(), factor < 1 ? bandwidthHz * factor : bandwidthHz);
    }
}
