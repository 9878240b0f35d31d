using PercepNet.Features;
using PercepNet.Training.Data;

namespace PercepNet.Training.Training;

/// <summary>
/// The network inputs of stored frames: the 70 features as stored, or for a 104-feature network
/// (<see cref="Nn.NetworkShape.Features"/>) the same followed by the 34 noise-floor-relative levels
/// of <see cref="NoiseFloorTracker"/>, tracked over each sequence from its first frame (the
/// denoiser tracks from the stream's first frame).
/// </summary>
internal static class FeatureInputs
{
    /// <summary>
    /// The inputs of <paramref name="chunks"/> sequences of <paramref name="frames"/> frames stored
    /// in <paramref name="rows"/> (<see cref="FeatureShard.FrameFloats"/> floats per frame, features
    /// first): chunks * frames * <paramref name="featureCount"/> floats, chunk-major.
    /// </summary>
    public static float[] Expand(ReadOnlySpan<float> rows, int chunks, int frames, int featureCount)
    {
        if (featureCount != FeatureExtractor.Count && featureCount != FeatureExtractor.ExtendedCount)
            throw new ArgumentOutOfRangeException(nameof(featureCount), $"{featureCount} features; expected {FeatureExtractor.Count} or {FeatureExtractor.ExtendedCount}");
        int stride = FeatureShard.FrameFloats;
        var x = new float[(long)chunks * frames * featureCount];
        if (featureCount == FeatureExtractor.Count)
        {
            for (long t = 0; t < (long)chunks * frames; t++)
                rows.Slice((int)(t * stride), FeatureShard.Features).CopyTo(x.AsSpan((int)(t * featureCount)));
            return x;
        }
        var tracker = new NoiseFloorTracker();
        for (int c = 0; c < chunks; c++)
            tracker.ApplyToSequence(rows.Slice(c * frames * stride), stride, frames, x.AsSpan(c * frames * featureCount));
        return x;
    }
}
