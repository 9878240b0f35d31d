using System.Diagnostics;
using PercepNet.Dsp;

namespace PercepNet.Features;

/// <summary>
/// The 34 extra features of a 104-feature network: each band's level above a tracked noise floor,
/// the a-posteriori SNR every classical suppressor starts from. Per band, with x the (floored)
/// log10 band energy of <see cref="FeatureExtractor"/>:
/// <code>
/// s = s + Smoothing (x - s)           (first frame: s = x)
/// m = min(s, m + RisePerFrame)         (first frame: m = s)
/// feature = x - m
/// </code>
/// The floor follows the smoothed level down at once and rises at most 3 dB per second, so it sits
/// on the quietest level of the last seconds: near 0 in steady noise, tens of dB (in tenths: log10
/// units) above it in speech. The ONE implementation: the denoiser runs it frame by frame from the
/// stream's first frame, training runs it over each stored sequence from its first frame
/// (<see cref="ApplyToSequence"/>). Allocates only in the constructor.
/// </summary>
public sealed class NoiseFloorTracker
{
    /// <summary>Smoothing of the level before the minimum (per 10 ms frame).</summary>
    public const float Smoothing = 0.5f;

    /// <summary>Largest rise of the floor per frame, log10 units: 0.003 = 3 dB per second.</summary>
    public const float RisePerFrame = 0.003f;

    private readonly float[] _smoothed = new float[FrameLayout.BandCount];
    private readonly float[] _floor = new float[FrameLayout.BandCount];
    private bool _started;

    /// <summary>Forgets the history: the next frame starts the floor again.</summary>
    public void Reset() => _started = false;

    /// <summary>
    /// Takes one frame's 34 log10 band energies (<paramref name="logEnergies"/>, the first 34 of the
    /// 70 features) and writes the 34 floor-relative levels into <paramref name="output"/>.
    /// </summary>
    public void Next(ReadOnlySpan<float> logEnergies, Span<float> output)
    {
        Debug.Assert(logEnergies.Length >= FrameLayout.BandCount && output.Length >= FrameLayout.BandCount);
        if (!_started)
        {
            logEnergies[..FrameLayout.BandCount].CopyTo(_smoothed);
            logEnergies[..FrameLayout.BandCount].CopyTo(_floor);
            _started = true;
        }
        for (int b = 0; b < FrameLayout.BandCount; b++)
        {
            float x = logEnergies[b];
            float s = _smoothed[b] + Smoothing * (x - _smoothed[b]);
            _smoothed[b] = s;
            float m = MathF.Min(s, _floor[b] + RisePerFrame);
            _floor[b] = m;
            output[b] = x - m;
        }
    }

    /// <summary>
    /// Expands one sequence of <paramref name="frames"/> frames: reads the 70 features of frame t at
    /// <paramref name="source"/>[t * <paramref name="sourceStride"/>] and writes the 104 extended
    /// features at <paramref name="target"/>[t * 104], the tracker started at the first frame.
    /// </summary>
    public void ApplyToSequence(ReadOnlySpan<float> source, int sourceStride, int frames, Span<float> target)
    {
        if (sourceStride < FeatureExtractor.Count) throw new ArgumentOutOfRangeException(nameof(sourceStride));
        if (frames < 0 || source.Length < (long)(frames - 1) * sourceStride + FeatureExtractor.Count || target.Length < (long)frames * FeatureExtractor.ExtendedCount)
            throw new ArgumentException("source or target too short for the frames asked for");
        Reset();
        for (int t = 0; t < frames; t++)
        {
            var src = source.Slice(t * sourceStride, FeatureExtractor.Count);
            var dst = target.Slice(t * FeatureExtractor.ExtendedCount, FeatureExtractor.ExtendedCount);
            src.CopyTo(dst);
            Next(src[FeatureExtractor.EnergyOffset..], dst[FeatureExtractor.FloorRelativeOffset..]);
        }
    }
}
