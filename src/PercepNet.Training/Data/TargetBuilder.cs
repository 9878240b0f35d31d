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

    private readonly SignalAnalyzer _noisy = new();
    private readonly SignalAnalyzer _clean = new(trackPitch: false);
    private readonly FrameSpectrum _ns = new(), _cs = new(), _newest = new();
    private readonly float[] _g = new float[FrameLayout.BandCount];
    private readonly float[] _r = new float[FrameLayout.BandCount];

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
            }
            o[FeatureShard.VadOffset] = levels[frame] > vadThreshold ? 1f : 0f;
        }
    }
}
