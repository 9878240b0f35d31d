using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Oracle;

namespace PercepNet.Training.Data;

/// <summary>
/// Turns a noisy/target pair into training frames (<see cref="FeatureShard"/> layout) with the
/// same library code inference uses. Row j holds the features of frame j, computed without
/// look-ahead (<see cref="SignalAnalyzer.AnalyzeNewest"/>, as at inference when frame j is the
/// newest), and the targets of frame j from the look-ahead analysis the synthesis uses (tracked
/// pitch, comb filter with future taps): ideal gains and strengths from
/// <see cref="OracleTargets"/>, a band mask and a speech-presence target. The network's own
/// 2-frame look-ahead (its convolutions) relates the two.
/// </summary>
public sealed class TargetBuilder
{
    /// <summary>A band is "don't care" when both its clean and noisy energies are below this (silence).</summary>
    public const float SilentBandEnergy = 1e-7f;

    /// <summary>Speech presence: the target frame's level is above this absolute floor (dBFS)...</summary>
    public const double VadFloorDbfs = -60;

    /// <summary>...and within this many dB of the sequence's loudest target frame.</summary>
    public const double VadRangeDb = 40;

    /// <summary>
    /// Frames this far (either side) from any frame with speech count as a pause for
    /// <see cref="SuperviseAboveBandwidthInPauses"/>: an onset's bands are not asked to close.
    /// </summary>
    public const int PauseMarginFrames = 3;

    /// <summary>
    /// Bands above the speech source's bandwidth are "don't care" in frames with speech (a fullband
    /// recording of the same voice would have energy there). In pauses (no speech within
    /// <see cref="PauseMarginFrames"/>) nothing there can be speech, so when the noisy side has
    /// energy those cells keep their target (about 0: the band-limited target is empty) and count.
    /// Without this, two thirds of the training sequences (band-limited sources: no supervised band
    /// above 8.7 kHz) never teach the network to close the high bands, and fullband users hear the
    /// hiss left there. Default on.
    /// </summary>
    public bool SuperviseAboveBandwidthInPauses { get; init; } = true;

    /// <summary>
    /// Removal of the target's own background, as over-subtraction factor α (0 = off: the targets
    /// as before). The speech corpora are not silent: half of their hours have a background of hiss
    /// and room noise only 30-40 dB below the speech (`background_dbfs` of the manifest), which the
    /// plain targets ask the network to keep. Mixed at a typical SNR of 10 dB, that puts the pause
    /// targets at -20 to -30 dB for some files and far lower for others, for noise the network
    /// cannot tell apart, and it learns to leave about -20 dB everywhere (docs/experiments.md,
    /// eleventh sitting). With α &gt; 0 each target band energy E is reduced to
    /// max(0, E - α N), N the band's background: <see cref="BackgroundBias"/> times the minimum of
    /// E smoothed over 5 frames within ±<see cref="BackgroundWindowFrames"/> frames (Martin's
    /// minimum statistics, in the look-ahead-free setting of offline targets). Speech cells 20 dB
    /// above that background lose at most 0.1 dB at α = 1.5; the background itself goes.
    /// Only the gain targets change (strengths, masks and speech presence are as before).
    /// </summary>
    public double BackgroundRemoval { get; init; }

    /// <summary>
    /// Gain targets of 0 in the pauses far from speech: every frame with no frame within
    /// ±<see cref="PauseZeroMarginFrames"/> whose target level is within <see cref="PauseZeroRangeDb"/>
    /// dB of the sequence's loudest frame (false, the default: targets as before). A suppressor's
    /// output should hold nothing there, but the targets keep the speech recordings' own room tone
    /// and hiss wherever the background removal leaves some of it (a fluctuating background is often
    /// above twice its minimum): in `shards-s21` 7.8% of the cells 400 ms or more from any word have
    /// targets above -20 dB, and models trained from scratch on them leave -25 dB in VB's long pauses
    /// (docs/experiments.md, seventeenth sitting). Weak speech is safe: a consonant is within 200 ms
    /// of its word's loud vowel. Masks, strengths and speech presence are unchanged.
    /// </summary>
    public bool ZeroPauseTargets { get; init; }

    /// <summary>Half-width of the speech neighbourhood kept by <see cref="ZeroPauseTargets"/>: 20 frames (200 ms).</summary>
    public const int PauseZeroMarginFrames = 20;

    /// <summary>
    /// Frames within this many dB of the sequence's loudest target frame are speech for <see cref="ZeroPauseTargets"/>
    /// (default <see cref="DefaultPauseZeroRangeDb"/>, as `shards-s22` were made). At 30 dB, 9% of the frames it
    /// cleared in `shards-s22` had a speech-presence target of 1 (30-40 dB below the loudest: quiet words or a
    /// strong room tone), and the model fine-tuned on them lost STOI that the same run without the rule kept
    /// (docs/experiments.md, nineteenth sitting); at <see cref="VadRangeDb"/> (40) or more it never clears a frame
    /// whose speech-presence target is 1.
    /// </summary>
    public double PauseZeroRangeDb { get; init; } = DefaultPauseZeroRangeDb;

    /// <summary>The default of <see cref="PauseZeroRangeDb"/>: 30 dB.</summary>
    public const double DefaultPauseZeroRangeDb = 30;

    /// <summary>Half-width of the minimum's window for <see cref="BackgroundRemoval"/>: 75 frames (1.5 s in all).</summary>
    public const int BackgroundWindowFrames = 75;

    /// <summary>Mean-to-minimum ratio assumed for a band's background (the minimum of a fluctuating level lies below its mean).</summary>
    public const double BackgroundBias = 2.0;

    private readonly SignalAnalyzer _noisy = new();
    private readonly SignalAnalyzer _clean = new(trackPitch: false);
    private readonly FrameSpectrum _ns = new(), _cs = new(), _newest = new();
    private readonly float[] _g = new float[FrameLayout.BandCount];
    private readonly float[] _r = new float[FrameLayout.BandCount];
    private float[] _cleanEx = [];

    /// <summary>Frames of <paramref name="seq"/> (its length / 480) written to <paramref name="dst"/> (frames * FrameFloats).</summary>
    public void Build(SynthesizedSequence seq, Span<float> dst)
    {
        const int n = FrameLayout.FrameSize;
        int frames = seq.Noisy.Length / n;
        _noisy.Reset();
        _clean.Reset();
        // Speech-presence threshold from the target's frame levels (10 ms frames, aligned with the
        // analysed frames' second halves).
        var levels = new double[frames];
        double max = -200;
        for (int f = 0; f < frames; f++)
        {
            double s = 0;
            foreach (float v in seq.Target.AsSpan(f * n, n)) s += v * v;
            levels[f] = 10 * Math.Log10(s / n + 1e-20);
            max = Math.Max(max, levels[f]);
        }
        double vadThreshold = Math.Max(VadFloorDbfs, max - VadRangeDb);
        // Pauses with a margin: no frame within PauseMarginFrames has speech.
        var pause = new bool[frames];
        for (int f = 0; f < frames; f++)
        {
            bool quiet = true;
            for (int k = Math.Max(0, f - PauseMarginFrames); k <= Math.Min(frames - 1, f + PauseMarginFrames) && quiet; k++)
                quiet = levels[k] <= vadThreshold;
            pause[f] = quiet;
        }
        // Bands whose lower edge is above the bandwidth carry no target information while speech may be present.
        int firstMasked = FrameLayout.BandCount;
        for (int b = 1; b < FrameLayout.BandCount; b++)
            if (ErbBands.Centers[b - 1] * FrameLayout.BinHz >= seq.BandwidthHz) { firstMasked = b; break; }

        if (BackgroundRemoval > 0 && _cleanEx.Length < frames * FrameLayout.BandCount) _cleanEx = new float[frames * FrameLayout.BandCount];
        Span<float> zeros = stackalloc float[n];
        zeros.Clear();
        int lag = SignalAnalyzer.LookaheadFrames;
        for (int f = 0; f < frames + lag; f++)
        {
            ReadOnlySpan<float> y = f < frames ? seq.Noisy.AsSpan(f * n, n) : zeros;
            ReadOnlySpan<float> x = f < frames ? seq.Target.AsSpan(f * n, n) : zeros;
            // As the Denoiser: features from the newest noisy window, targets from the delayed frame,
            // whose clean side is analysed with the noisy side's tracked pitch.
            int frame = f - lag; // the frame the look-ahead analysis describes now
            var p = _noisy.AnalyzeFrame(y, f < frames ? _newest : null, _ns);
            _clean.AnalyzeFrame(x, p, _cs);
            if (f < frames) FeatureExtractor.Extract(_newest, dst.Slice(f * FeatureShard.FrameFloats, FeatureShard.Features));
            if (frame < 0) continue;
            OracleTargets.Compute(_cs, _ns, _g, _r);
            Span<float> o = dst.Slice(frame * FeatureShard.FrameFloats, FeatureShard.FrameFloats);
            for (int b = 0; b < FrameLayout.BandCount; b++)
            {
                bool silent = _cs.Ex[b] < SilentBandEnergy && _ns.Ex[b] < SilentBandEnergy;
                o[FeatureShard.GainOffset + b] = _g[b];
                o[FeatureShard.StrengthOffset + b] = _r[b];
                bool aboveBandwidth = b >= firstMasked && !(SuperviseAboveBandwidthInPauses && pause[frame]);
                o[FeatureShard.MaskOffset + b] = silent || aboveBandwidth ? 0f : 1f;
                if (BackgroundRemoval > 0) _cleanEx[frame * FrameLayout.BandCount + b] = _cs.Ex[b];
            }
            o[FeatureShard.VadOffset] = levels[frame] > vadThreshold ? 1f : 0f;
        }
        if (BackgroundRemoval > 0)
        {
            var factors = _cleanEx.AsSpan(0, frames * FrameLayout.BandCount);
            BackgroundRemovalFactors(factors, frames, BackgroundRemoval);
            for (int f = 0; f < frames; f++)
                for (int b = 0; b < FrameLayout.BandCount; b++)
                    dst[f * FeatureShard.FrameFloats + FeatureShard.GainOffset + b] *= factors[f * FrameLayout.BandCount + b];
        }
        if (ZeroPauseTargets)
        {
            var far = FarFromSpeech(levels, max - PauseZeroRangeDb, PauseZeroMarginFrames);
            for (int f = 0; f < frames; f++)
                if (far[f]) dst.Slice(f * FeatureShard.FrameFloats + FeatureShard.GainOffset, FrameLayout.BandCount).Clear();
        }
    }

    /// <summary>
    /// Frames with no frame within ±<paramref name="margin"/> whose level (dB) is above
    /// <paramref name="threshold"/>; a sequence with no such frame at all (noise only) is all far.
    /// </summary>
    internal static bool[] FarFromSpeech(ReadOnlySpan<double> levels, double threshold, int margin)
    {
        var far = new bool[levels.Length];
        int last = int.MinValue / 2; // the last loud frame at or before f
        for (int f = 0; f < levels.Length; f++)
        {
            if (levels[f] > threshold) last = f;
            far[f] = f - last > margin;
        }
        int next = int.MaxValue / 2; // the next loud frame at or after f
        for (int f = levels.Length - 1; f >= 0; f--)
        {
            if (levels[f] > threshold) next = f;
            far[f] &= next - f > margin;
        }
        return far;
    }

    /// <summary>
    /// Replaces the clean band energies <paramref name="ex"/> ([frames, 34], row-major) by the
    /// amplitude factors sqrt(max(0, 1 - α N / E)) of <see cref="BackgroundRemoval"/> (1 where E is
    /// 0). Cells of digital silence (below <see cref="SilentBandEnergy"/>) do not count towards N.
    /// </summary>
    internal static void BackgroundRemovalFactors(Span<float> ex, int frames, double alpha)
    {
        const int bands = FrameLayout.BandCount, half = 2, w = BackgroundWindowFrames;
        var smooth = new double[frames];
        var floor = new double[frames];
        for (int b = 0; b < bands; b++)
        {
            // Digital silence (the gaps of the mixtures, a band-limited source's empty bands) is no
            // background: it is left out of the averages and the minimum.
            for (int f = 0; f < frames; f++)
            {
                double s = 0; int c = 0;
                for (int k = Math.Max(0, f - half); k <= Math.Min(frames - 1, f + half); k++)
                    if (ex[k * bands + b] >= SilentBandEnergy) { s += ex[k * bands + b]; c++; }
                smooth[f] = c > 0 ? s / c : double.MaxValue;
            }
            for (int f = 0; f < frames; f++)
            {
                double m = double.MaxValue;
                for (int k = Math.Max(0, f - w); k <= Math.Min(frames - 1, f + w); k++) m = Math.Min(m, smooth[k]);
                floor[f] = m < double.MaxValue ? BackgroundBias * m : 0;
            }
            for (int f = 0; f < frames; f++)
            {
                double e = ex[f * bands + b];
                ex[f * bands + b] = e > 0 ? (float)Math.Sqrt(Math.Clamp(1 - alpha * floor[f] / e, 0, 1)) : 1f;
            }
        }
    }
}
