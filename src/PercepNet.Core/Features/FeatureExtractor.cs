using System.Diagnostics;
using PercepNet.Dsp;

namespace PercepNet.Features;

/// <summary>
/// The network's input per frame, computed from the no-look-ahead analysis of the newest noisy
/// frame (<see cref="SignalAnalyzer.AnalyzeNewest"/>). The ONE implementation: training (feature
/// shards) and inference (the denoiser) both call it.
/// Layout (<see cref="Count"/> = 70 floats): 34 log band energies, 34 band pitch coherences,
/// the pitch period, the pitch correlation. Scaling is left to the model's feature
/// normalisation (mean and standard deviation stored in the model file).
/// </summary>
internal static class FeatureExtractor
{
    /// <summary>Features per frame.</summary>
    public const int Count = 2 * FrameLayout.BandCount + 2;

    /// <summary>
    /// Features per frame of a network that also reads the band levels above a tracked noise floor
    /// (<see cref="NoiseFloorTracker"/>): the 70 above, then 34 more at <see cref="FloorRelativeOffset"/>.
    /// </summary>
    public const int ExtendedCount = Count + FrameLayout.BandCount;

    /// <summary>Offset of the 34 noise-floor-relative band levels in the extended layout.</summary>
    public const int FloorRelativeOffset = Count;

    /// <summary>Offset of the 34 log10 band energies.</summary>
    public const int EnergyOffset = 0;

    /// <summary>Offset of the 34 band pitch coherences.</summary>
    public const int CoherenceOffset = FrameLayout.BandCount;

    /// <summary>Offset of the pitch period feature.</summary>
    public const int PeriodOffset = 2 * FrameLayout.BandCount;

    /// <summary>Offset of the pitch correlation feature.</summary>
    public const int PitchCorrelationOffset = PeriodOffset + 1;

    /// <summary>
    /// Energy floor added before the logarithm: 1e-8 in spectrum units is about -100 dB below a
    /// full-scale sine's band energy (~1e4..1e5), under the 16-bit noise floor, so digital silence
    /// and dithered silence give nearly the same feature.
    /// </summary>
    public const float EnergyFloor = 1e-8f;

    /// <summary>Writes the 70 features of <paramref name="y"/> into <paramref name="features"/>.</summary>
    public static void Extract(FrameSpectrum y, Span<float> features) => Extract(y, features, default);

    /// <summary>
    /// Writes the 70 features of <paramref name="y"/> into <paramref name="features"/>, with
    /// <paramref name="bandFloor"/> (34 band energies, or empty for none) added to the band
    /// energies before the logarithm: the energy features then read as if that much independent
    /// noise were in the input (see <see cref="NoiseFloorEnergies"/>).
    /// </summary>
    public static void Extract(FrameSpectrum y, Span<float> features, ReadOnlySpan<float> bandFloor)
    {
        Debug.Assert(features.Length >= Count);
        Debug.Assert(bandFloor.IsEmpty || bandFloor.Length >= FrameLayout.BandCount);
        for (int b = 0; b < FrameLayout.BandCount; b++)
        {
            float floor = bandFloor.IsEmpty ? EnergyFloor : EnergyFloor + bandFloor[b];
            features[EnergyOffset + b] = MathF.Log10(y.Ex[b] + floor);
            features[CoherenceOffset + b] = y.Coherence[b];
        }
        // Period as octaves relative to 240 samples (200 Hz): pitch errors by a factor are equal steps.
        features[PeriodOffset] = MathF.Log2(y.Period / 240f);
        features[PitchCorrelationOffset] = y.PitchCorrelation;
    }

    /// <summary>
    /// Adds <paramref name="bandFloor"/> to the energy features of frames already extracted without
    /// a floor (<paramref name="frameFeatures"/>: 70 features, the first 34 being log10(E + 1e-8)):
    /// the same values <see cref="Extract(FrameSpectrum, Span{float}, ReadOnlySpan{float})"/> gives
    /// with that floor, so stored training features can take any floor.
    /// </summary>
    public static void ApplyFloor(Span<float> frameFeatures, ReadOnlySpan<float> bandFloor)
    {
        for (int b = 0; b < FrameLayout.BandCount; b++)
        {
            ref float f = ref frameFeatures[EnergyOffset + b];
            f = (float)Math.Log10(Math.Pow(10, f) + bandFloor[b]);
        }
    }

    /// <summary>
    /// The expected band energies (34) of white noise at <paramref name="dbfs"/> (RMS relative
    /// to a full-scale square, 1.0) on the analysis grid: E|X(k)|^2 = sigma^2 sum(w^2) = 480 sigma^2
    /// for every bin with the power-complementary Vorbis window, weighted by each band's triangle.
    /// </summary>
    public static float[] NoiseFloorEnergies(double dbfs)
    {
        double variance = Math.Pow(10, dbfs / 10);
        var flat = new float[2 * FrameLayout.BinCount];
        for (int k = 0; k < FrameLayout.BinCount; k++) flat[2 * k] = 1f;
        var weights = new float[FrameLayout.BandCount];
        ErbBands.Energy(flat, weights);
        var floor = new float[FrameLayout.BandCount];
        double perBin = variance * FrameLayout.FrameSize; // sum of w^2 over 960 samples = 480
        for (int b = 0; b < floor.Length; b++) floor[b] = (float)(perBin * weights[b]);
        return floor;
    }
}
