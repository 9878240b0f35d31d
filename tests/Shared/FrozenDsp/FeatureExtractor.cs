// FROZEN COPY of src/PercepNet.Core/Features/FeatureExtractor.cs as of commit c974eeb (before the DSP speed work):
// the reference the optimised code is compared against (tests) and timed against (bench). Do not edit.
using System.Diagnostics;
using PercepNet.Dsp;

namespace PercepNet.Frozen;

/// <summary>
/// The network's input per frame, computed from the no-look-ahead analysis of the newest noisy
/// frame (<see cref="SignalAnalyzer.AnalyzeNewest"/>). The ONE implementation: training (feature
/// shards) and inference (the denoiser) both call it.
/// Layout (<see cref="Count"/> = 70 floats): 34 log band energies, 34 band pitch coherences,
/// the pitch period, the pitch correlation. Scaling is left to the model's feature
/// normalisation (mean and standard deviation stored in the model file).
/// </summary>
public static class FeatureExtractor
{
    /// <summary>Features per frame.</summary>
    public const int Count = 2 * FrameLayout.BandCount + 2;

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
    public static void Extract(FrameSpectrum y, Span<float> features)
    {
        Debug.Assert(features.Length >= Count);
        for (int b = 0; b < FrameLayout.BandCount; b++)
        {
            features[EnergyOffset + b] = MathF.Log10(y.Ex[b] + EnergyFloor);
            features[CoherenceOffset + b] = y.Coherence[b];
        }
        // Period as octaves relative to 240 samples (200 Hz): pitch errors by a factor are equal steps.
        features[PeriodOffset] = MathF.Log2(y.Period / 240f);
        features[PitchCorrelationOffset] = y.PitchCorrelation;
    }
}
