using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Nn;

/// <summary>
/// The PercepNet network running one 10 ms frame at a time in float (the topology of
/// <see cref="NetworkShape"/>). One instance per stream; the weights come from a shared
/// <see cref="ModelFile"/>. All state and scratch are allocated in the constructor:
/// <see cref="Process"/> allocates nothing. <see cref="PercepNetNetworkInt8"/> is the 8-bit sibling
/// with the same interface (<see cref="IPercepNetNetwork"/>).
/// </summary>
internal sealed class PercepNetNetwork : IPercepNetNetwork
{
    private readonly NetworkShape _shape;
    private readonly float[] _mean;
    private readonly float[] _invStd;
    private readonly Dense _input;
    private readonly Conv1d _conv1;
    private readonly Conv1d _conv2;
    private readonly Gru[] _shared;
    private readonly Gru _gainGru;
    private readonly Gru _strengthGru;
    private readonly Dense _gainHead;
    private readonly Dense _strengthHead;
    private readonly Dense _vadHead;

    // Per-stream state.
    private readonly float[] _conv1History;
    private readonly float[] _conv2History;
    private int _conv1Position;
    private int _conv2Position;
    // [c | h1 .. hL | hg]: the gain head's input, holding the conv output and every GRU state in place.
    private readonly float[] _gainHeadInput;
    private readonly float[] _strengthState;

    // Scratch.
    private readonly float[] _normalized;
    private readonly float[] _dense;
    private readonly float[] _conv1Out;
    private readonly float[] _strengthInput;
    private readonly float[] _gruScratch;
    private readonly float[] _vad = new float[1];

    /// <summary>Creates a stream for <paramref name="model"/>, in the <see cref="Reset"/> state.</summary>
    public PercepNetNetwork(ModelFile model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var s = _shape = model.Shape;
        _mean = model.FeatureMean.ToArray();
        _invStd = new float[_mean.Length];
        for (int i = 0; i < _invStd.Length; i++) _invStd[i] = 1f / model.FeatureStd[i];
        // Layers as NetworkShape.Layers describes them (sizes and wiring written there only).
        Dense D(string name) { var l = s.Layer(name); return new Dense(l.Inputs, l.Outputs, model.Tensor(name + ".weight"), model.Tensor(name + ".bias")); }
        Conv1d C(string name) { var l = s.Layer(name); return new Conv1d(l.Inputs, l.Outputs, l.Kernel, model.Tensor(name + ".weight"), model.Tensor(name + ".bias")); }
        Gru G(string name)
        {
            var l = s.Layer(name);
            return new Gru(l.Inputs, l.Outputs, model.Tensor(name + ".weight_ih_l0"), model.Tensor(name + ".weight_hh_l0"), model.Tensor(name + ".bias_ih_l0"), model.Tensor(name + ".bias_hh_l0"));
        }
        _input = D(NetworkShape.InputLayer);
        _conv1 = C(NetworkShape.Conv1Layer);
        _conv2 = C(NetworkShape.Conv2Layer);
        _shared = new Gru[s.SharedGruLayers];
        for (int i = 0; i < _shared.Length; i++) _shared[i] = G(NetworkShape.SharedGruLayer(i));
        _gainGru = G(NetworkShape.GainGruLayer);
        _strengthGru = G(NetworkShape.StrengthGruLayer);
        _gainHead = D(NetworkShape.GainHeadLayer);
        _strengthHead = D(NetworkShape.StrengthHeadLayer);
        _vadHead = D(NetworkShape.VadHeadLayer);

        _conv1History = new float[_conv1.HistoryLength];
        _conv2History = new float[_conv2.HistoryLength];
        _gainHeadInput = new float[s.GainHeadInputs];
        _strengthState = new float[s.StrengthGru];
        _normalized = new float[model.Shape.Features];
        _dense = new float[s.InputDense];
        _conv1Out = new float[s.Conv1Channels];
        _strengthInput = new float[s.StrengthGruInputs];
        _gruScratch = new float[6 * Math.Max(Math.Max(s.SharedGru, s.GainGru), s.StrengthGru)];
    }

    /// <summary>
    /// Frames between an input frame and its output: <see cref="Process"/> called with frame t
    /// returns the gains for frame t - LookaheadFrames (2 = 20 ms for the paper's model).
    /// </summary>
    public int LookaheadFrames => _shape.LookaheadFrames;

    /// <summary>Layer sizes of the model.</summary>
    public NetworkShape Shape => _shape;

    /// <summary>Forgets the stream: zero convolution history and GRU states.</summary>
    public void Reset()
    {
        Array.Clear(_conv1History);
        Array.Clear(_conv2History);
        _conv1Position = 0;
        _conv2Position = 0;
        Array.Clear(_gainHeadInput);
        Array.Clear(_strengthState);
    }

    /// <summary>
    /// Runs one frame. <paramref name="features"/>: the <see cref="NetworkShape.Features"/> features (70 of <see cref="FeatureExtractor"/>, then 34 of <see cref="NoiseFloorTracker"/> for a 104-feature network)
    /// for the newest frame (unnormalised). Writes the 34 band gains and 34 comb strengths, each in
    /// (0, 1), and returns in <paramref name="vad"/> the speech probability in (0, 1), all for the
    /// frame <see cref="LookaheadFrames"/> frames before the newest one (for the first
    /// LookaheadFrames calls of a stream they belong to frames before its start). A non-finite
    /// feature is replaced by its mean, so outputs stay finite. Allocates nothing.
    /// </summary>
    public void Process(ReadOnlySpan<float> features, Span<float> gains34, Span<float> strengths34, out float vad)
    {
        if (features.Length < _normalized.Length || gains34.Length < FrameLayout.BandCount || strengths34.Length < FrameLayout.BandCount)
            throw new ArgumentException($"Process needs {_normalized.Length} features and room for {FrameLayout.BandCount} gains and strengths");
        var s = _shape;
        for (int i = 0; i < _normalized.Length; i++)
        {
            // A NaN or infinite feature would poison the GRU states for the rest of the stream:
            // it enters as the training mean (0 after normalisation) instead.
            float v = (features[i] - _mean[i]) * _invStd[i];
            _normalized[i] = float.IsFinite(v) ? v : 0f;
        }
        _input.Forward(_normalized, _dense);
        Kernels.Tanh(_dense);
        _conv1.Forward(_dense, _conv1History, ref _conv1Position, _conv1Out);
        Kernels.Tanh(_conv1Out);
        var c = _gainHeadInput.AsSpan(0, s.Conv2Channels);
        _conv2.Forward(_conv1Out, _conv2History, ref _conv2Position, c);
        Kernels.Tanh(c);

        ReadOnlySpan<float> x = c;
        int offset = s.Conv2Channels;
        for (int i = 0; i < _shared.Length; i++)
        {
            var h = _gainHeadInput.AsSpan(offset, s.SharedGru);
            _shared[i].Step(x, h, _gruScratch);
            x = h;
            offset += s.SharedGru;
        }
        _gainGru.Step(x, _gainHeadInput.AsSpan(offset, s.GainGru), _gruScratch);

        c.CopyTo(_strengthInput);
        x.CopyTo(_strengthInput.AsSpan(s.Conv2Channels));
        _strengthGru.Step(_strengthInput, _strengthState, _gruScratch);

        _gainHead.Forward(_gainHeadInput, gains34);
        Kernels.Sigmoid(gains34[..FrameLayout.BandCount]);
        _strengthHead.Forward(_strengthState, strengths34);
        Kernels.Sigmoid(strengths34[..FrameLayout.BandCount]);
        _vadHead.Forward(x, _vad);
        vad = Kernels.Sigmoid(_vad[0]);
    }
}
