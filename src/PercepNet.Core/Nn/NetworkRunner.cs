using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Nn;

/// <summary>
/// A model's network with everything between an analysed frame and its outputs: the features (at
/// the model's feature floor or the one given), the noise-floor tracker of a 104-feature network,
/// and the guard on non-finite outputs. One per stream; shared by <see cref="Denoiser"/> and the
/// hybrid oracle, so both run the network the same way. Allocates nothing per frame.
/// </summary>
internal sealed class NetworkRunner
{
    private readonly IPercepNetNetwork _network;
    private readonly NoiseFloorTracker? _floorTracker;
    private readonly float[] _features;
    private readonly float[] _featureFloor;

    /// <param name="model">The model whose network runs.</param>
    /// <param name="useInt8">8-bit weights and activations (as shipped) or float.</param>
    /// <param name="featureFloorDbfs">The feature floor; null: the one stored in the model file (none for older models).</param>
    public NetworkRunner(PercepNetModel model, bool useInt8, double? featureFloorDbfs = null)
    {
        _network = useInt8 ? new PercepNetNetworkInt8(model.Quantized) : new PercepNetNetwork(model.File);
        _features = new float[model.File.Shape.Features];
        _floorTracker = model.File.Shape.Features > FeatureExtractor.Count ? new NoiseFloorTracker() : null;
        _featureFloor = (featureFloorDbfs ?? model.File.FeatureFloorDbfs) is { } f ? FeatureExtractor.NoiseFloorEnergies(f) : [];
    }

    /// <summary>
    /// Runs one frame: the features of <paramref name="newest"/> (analysed without look-ahead) in;
    /// 34 gains, 34 strengths and the speech probability of the frame the look-ahead before out. A
    /// non-finite output (which finite inputs cannot produce) becomes gain 1, strength 0, probability 0.
    /// </summary>
    public float Process(FrameSpectrum newest, Span<float> gains, Span<float> strengths)
    {
        FeatureExtractor.Extract(newest, _features, _featureFloor);
        _floorTracker?.Next(_features.AsSpan(FeatureExtractor.EnergyOffset), _features.AsSpan(FeatureExtractor.FloorRelativeOffset));
        _network.Process(_features, gains, strengths, out float vad);
        for (int b = 0; b < FrameLayout.BandCount; b++)
        {
            float g = gains[b], r = strengths[b];
            gains[b] = float.IsFinite(g) ? g : 1f;
            strengths[b] = float.IsFinite(r) ? r : 0f;
        }
        return float.IsFinite(vad) ? vad : 0f;
    }

    /// <summary>Forgets the stream: network state and noise-floor tracker.</summary>
    public void Reset()
    {
        _network.Reset();
        _floorTracker?.Reset();
    }
}
