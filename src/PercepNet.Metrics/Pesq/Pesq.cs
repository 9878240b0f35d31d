namespace PercepNet.Metrics.Pesq;

/// <summary>
/// PESQ, Perceptual Evaluation of Speech Quality (ITU-T P.862), with the P.862.1 mapping to MOS-LQO
/// for narrow-band and the P.862.2 wide-band mode. Full-reference: compares a degraded signal with
/// the clean reference it came from; the two may differ in level, delay (also varying between
/// utterances) and length. Thread-safe; each call is independent.
/// </summary>
public static class Pesq
{
    /// <summary>Shortest accepted input: a quarter of a second, as in the reference implementation.</summary>
    public const double MinDurationSeconds = 0.25;

    /// <summary>
    /// Wide-band PESQ (P.862.2) MOS-LQO, about 1.04 (bad) to 4.64 (identical signals).
    /// </summary>
    /// <param name="reference">Clean reference, mono samples (any scale; typically [-1, 1]).</param>
    /// <param name="degraded">Degraded signal, same rate; may be shifted in time and of another length.</param>
    /// <param name="sampleRate">16000 natively; higher rates (e.g. 48000, 44100) are resampled to
    /// 16 kHz first (see <c>docs/pesq.md</c>); lower rates are rejected.</param>
    /// <exception cref="ArgumentException">Rate below 16 kHz, input shorter than 0.25 s, silent,
    /// containing NaN/Inf, or with no speech detected in the reference.</exception>
    public static double WideBand(ReadOnlySpan<float> reference, ReadOnlySpan<float> degraded, int sampleRate)
    {
        if (sampleRate < 16000)
            throw new ArgumentException(
                $"Wide-band PESQ (P.862.2) needs input sampled at 16000 Hz or more, got {sampleRate} Hz.",
                nameof(sampleRate));
        double raw = sampleRate == 16000
            ? RawScore(reference, degraded, sampleRate, wideBand: true)
            : RawScoreResampled(reference, degraded, sampleRate, wideBand: true);
        return MapWideBand(raw);
    }

    /// <summary>
    /// Narrow-band PESQ (P.862 with the P.862.1 mapping) MOS-LQO, about 1.02 to 4.55 (identical signals).
    /// At 16 kHz the 16 kHz model is used after the narrow-band (IRS receive) filter, as the ITU
    /// reference implementation does.
    /// </summary>
    /// <param name="reference">Clean reference, mono samples (any scale; typically [-1, 1]).</param>
    /// <param name="degraded">Degraded signal, same rate; may be shifted in time and of another length.</param>
    /// <param name="sampleRate">8000 or 16000 natively; other rates above 8000 are resampled to
    /// 16 kHz first; lower rates are rejected.</param>
    /// <exception cref="ArgumentException">Rate below 8 kHz, input shorter than 0.25 s, silent,
    /// containing NaN/Inf, or with no speech detected in the reference.</exception>
    public static double NarrowBand(ReadOnlySpan<float> reference, ReadOnlySpan<float> degraded, int sampleRate)
    {
        if (sampleRate < 8000)
            throw new ArgumentException(
                $"Narrow-band PESQ (P.862) needs input sampled at 8000 Hz or more, got {sampleRate} Hz.",
                nameof(sampleRate));
        double raw = sampleRate is 8000 or 16000
            ? RawScore(reference, degraded, sampleRate, wideBand: false)
            : RawScoreResampled(reference, degraded, sampleRate, wideBand: false);
        return MapNarrowBand(raw);
    }

    /// <summary>Resamplers are immutable once built; one per input rate is kept.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, PesqResampler> To16k = new();

    private static double RawScoreResampled(ReadOnlySpan<float> reference, ReadOnlySpan<float> degraded, int sampleRate, bool wideBand)
    {
        int minSamples = (int)(sampleRate * MinDurationSeconds);
        Validate(reference, nameof(reference), minSamples, sampleRate);
        Validate(degraded, nameof(degraded), minSamples, sampleRate);
        var resampler = To16k.GetOrAdd(sampleRate, static rate => new PesqResampler(rate, 16000));
        return RawScore(resampler.Process(reference), resampler.Process(degraded), 16000, wideBand);
    }

    /// <summary>P.862.1: MOS-LQO = 0.999 + 4 / (1 + exp(-1.4945 raw + 4.6607)).</summary>
    internal static double MapNarrowBand(double raw) => 0.999 + 4.0 / (1.0 + Math.Exp(-1.4945 * raw + 4.6607));

    /// <summary>P.862.2: MOS-LQO = 0.999 + 4 / (1 + exp(-1.3669 raw + 3.8224)).</summary>
    internal static double MapWideBand(double raw) => 0.999 + 4.0 / (1.0 + Math.Exp(-1.3669 * raw + 3.8224));

    /// <summary>The raw P.862 score 4.5 - 0.1 d_sym - 0.0309 d_asym (before any mapping).</summary>
    internal static double RawScore(ReadOnlySpan<float> reference, ReadOnlySpan<float> degraded, int sampleRate, bool wideBand)
    {
        int minSamples = (int)(sampleRate * MinDurationSeconds);
        Validate(reference, nameof(reference), minSamples, sampleRate);
        Validate(degraded, nameof(degraded), minSamples, sampleRate);

        var cfg = PesqConfig.For(sampleRate);
        var r = PaddedSignal.From(reference, cfg);
        var d = PaddedSignal.From(degraded, cfg);
        int maxLength = Math.Max(r.Length, d.Length);

        var (refOk, degOk) = PesqPreprocessing.AlignLevels(r, d, maxLength, cfg);
        if (!refOk)
            throw new ArgumentException("PESQ: the reference has no energy between 350 and 3250 Hz (silent?).", nameof(reference));
        if (!degOk)
            throw new ArgumentException("PESQ: the degraded signal has no energy between 350 and 3250 Hz (silent?).", nameof(degraded));

        if (wideBand)
        {
            PesqPreprocessing.ApplyWideBandFilter(r, cfg);
            PesqPreprocessing.ApplyWideBandFilter(d, cfg);
        }
        else
        {
            PesqPreprocessing.ApplyCurveFilter(r.Data, r.Length, d.Data, d.Length, PesqFilters.IrsReceiveCurve, cfg);
        }

        // Alignment runs on separately filtered copies; the model uses the signals as they are now.
        var ra = new PaddedSignal((double[])r.Data.Clone(), r.Length);
        var da = new PaddedSignal((double[])d.Data.Clone(), d.Length);
        PesqPreprocessing.AlignmentFilter(ra, cfg);
        PesqPreprocessing.AlignmentFilter(da, cfg);
        var utterances = PesqAlignment.Run(cfg, ra, da);
        if (utterances.Count == 0)
            throw new ArgumentException("PESQ: no speech utterance was detected in the reference.", nameof(reference));

        var refData = new double[maxLength + cfg.Padding];
        var degData = new double[maxLength + cfg.Padding];
        Array.Copy(r.Data, refData, r.Data.Length);
        Array.Copy(d.Data, degData, d.Data.Length);
        return PesqPerceptualModel.RawScore(cfg, refData, degData, maxLength, utterances);
    }

    private static void Validate(ReadOnlySpan<float> x, string name, int minSamples, int sampleRate)
    {
        if (x.Length < minSamples)
            throw new ArgumentException(
                $"PESQ: {name} has {x.Length} samples ({(double)x.Length / sampleRate:0.###} s); at least {MinDurationSeconds} s ({minSamples} samples) is needed.",
                name);
        bool any = false;
        for (int i = 0; i < x.Length; i++)
        {
            if (!float.IsFinite(x[i]))
                throw new ArgumentException($"PESQ: {name} contains NaN or infinity at sample {i}.", name);
            any |= x[i] != 0;
        }
        if (!any) throw new ArgumentException($"PESQ: {name} is silent (all samples are zero).", name);
    }
}
