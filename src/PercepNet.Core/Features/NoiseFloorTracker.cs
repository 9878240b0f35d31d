using System.Diagnostics;
using PercepNet.Dsp;

namespace PercepNet.Features;

/// <summary>
/// The 34 extra features of a 104-feature network: each band's level above a tracked noise floor,
/// the a-posteriori SNR every classical suppressor starts from. Per band, with x the (floored)
/// log10 band energy of <see cref="FeatureExtractor"/>:
/// <code>
/// s = s + Smoothing (x - s)                         (first frame: s = x)
/// m = min of s over the last 1.4-1.6 s             (minimum statistics: the minima of
///     SubWindows - 1 whole sub-windows of SubWindowFrames frames and of the current one)
/// feature = x - m
/// </code>
/// The floor is the quietest smoothed level of the last second and a half (Martin's minimum
/// statistics without the bias correction, which the network can learn): near 0 in steady noise,
/// tens of dB (in tenths: log10 units) above it in speech; after digital silence or a drop in the
/// noise it comes back up within 1.6 s. The ONE implementation: the denoiser runs it frame by
/// frame from the stream's first frame, training runs it over each stored sequence from its first
/// frame (<see cref="ApplyToSequence"/>). Allocates only in the constructor.
/// </summary>
internal sealed class NoiseFloorTracker
{
    /// <summary>Smoothing of the level before the minimum (per 10 ms frame).</summary>
    public const float Smoothing = 0.5f;

    /// <summary>Frames per sub-window: 0.2 s.</summary>
    public const int SubWindowFrames = 20;

    /// <summary>Sub-windows in the window, the current one included: 8, so the window is 1.4-1.6 s.</summary>
    public const int SubWindows = 8;

    private const int Bands = FrameLayout.BandCount;
    private readonly float[] _smoothed = new float[Bands];
    private readonly float[] _current = new float[Bands];
    // Minima of the last SubWindows - 1 whole sub-windows, [slot * Bands + band], a ring.
    private readonly float[] _past = new float[(SubWindows - 1) * Bands];
    private int _frameInSub;
    private int _slot;
    private bool _started;

    /// <summary>Forgets the history: the next frame starts the floor again.</summary>
    public void Reset() => _started = false;

    /// <summary>
    /// Takes one frame's 34 log10 band energies (<paramref name="logEnergies"/>, the first 34 of the
    /// 70 features) and writes the 34 floor-relative levels into <paramref name="output"/>.
    /// </summary>
    public void Next(ReadOnlySpan<float> logEnergies, Span<float> output)
    {
        Debug.Assert(logEnergies.Length >= Bands && output.Length >= Bands);
        if (!_started)
        {
            logEnergies[..Bands].CopyTo(_smoothed);
            logEnergies[..Bands].CopyTo(_current);
            for (int k = 0; k < SubWindows - 1; k++) logEnergies[..Bands].CopyTo(_past.AsSpan(k * Bands, Bands));
            _frameInSub = 0;
            _slot = 0;
            _started = true;
        }
        for (int b = 0; b < Bands; b++)
        {
            float x = logEnergies[b];
            float s = _smoothed[b] + Smoothing * (x - _smoothed[b]);
            _smoothed[b] = s;
            float c = MathF.Min(_current[b], s);
            _current[b] = c;
            float m = c;
            for (int k = 0; k < SubWindows - 1; k++) m = MathF.Min(m, _past[k * Bands + b]);
            output[b] = x - m;
        }
        if (++_frameInSub == SubWindowFrames)
        {
            // The sub-window is whole: its minima replace the oldest ones, and a new one starts.
            _current.CopyTo(_past.AsSpan(_slot * Bands, Bands));
            _slot = (_slot + 1) % (SubWindows - 1);
            _frameInSub = 0;
            Array.Fill(_current, float.PositiveInfinity);
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
