using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Nn;

/// <summary>
/// The PercepNet network of <see cref="PercepNetNetwork"/> with every matrix-vector product in
/// 8-bit integers: weights quantised per output row (<see cref="QuantizedMatrix"/>), activations
/// coded as unsigned bytes c = 128 + round(x / step), products accumulated exactly in int32
/// (<see cref="Int8Kernels"/>: AVX2 vpmaddubsw + vpmaddwd, or the bit-identical scalar twin).
/// Biases, dequantisation, activations and GRU gate equations stay in float.
/// <para>
/// Activation steps: 1/127 for everything in [-1, 1] (tanh outputs, GRU states: codes 1..255);
/// <see cref="FeatureRange"/>/127 for the normalised features entering the first dense layer, which
/// are clipped to ±<see cref="FeatureRange"/>. See docs/inference.md for the error this causes.
/// </para>
/// One instance per stream, built from a shared <see cref="ModelFile"/> (the quantisation is done
/// per instance, in the constructor). <see cref="Process"/> allocates nothing.
/// </summary>
internal sealed class PercepNetNetworkInt8 : IPercepNetNetwork
{
    /// <summary>
    /// Normalised features (zero mean, unit variance on the training set) are clipped to
    /// ±FeatureRange before coding: step 16/127 = 0.126, rounding error at most 0.063 per feature.
    /// Real features are heavy-tailed: on noisy speech (Int8RealFeatureTests) 0.49% of them lie
    /// beyond ±4 and 0.11% beyond ±8 (max 12.8), and clipping there dominated the int8 error
    /// (max output difference 0.025 at ±4, 0.013 at ±8, 0.003 at ±16), while the coarser step
    /// costs little on N(0, 1) inputs (max 2.6e-3 at ±4, 3.1e-3 at ±16): see docs/inference.md.
    /// </summary>
    public const float FeatureRange = 16f;

    private const float UnitInvStep = Int8Kernels.UnitInvStep;
    private const float UnitStep = 1f / UnitInvStep;
    private const float FeatureInvStep = UnitInvStep / FeatureRange;
    private const float FeatureStep = FeatureRange / UnitInvStep;
    private const byte Zero = Int8Kernels.ZeroCode;

    private readonly QuantizedModel _m;
    private readonly NetworkShape _shape;

    // Per-stream state. The conv histories hold Kernel frames of codes, oldest first.
    private readonly byte[] _conv1History;
    private readonly byte[] _conv2History;
    // [c | h1 .. hL | hg] in float and as codes (the codes are every later layer's input).
    private readonly float[] _state;
    private readonly byte[] _stateCodes;
    private readonly float[] _strengthState;
    private readonly byte[] _strengthStateCodes;

    // Scratch.
    private readonly float[] _normalized;
    private readonly byte[] _featureCodes;
    private readonly float[] _dense;
    private readonly float[] _conv1Out;
    private readonly byte[] _strengthInputCodes;
    private readonly int[] _acc;
    private readonly float[] _gi;
    private readonly float[] _gh;
    private readonly float[] _vad = new float[1];

    /// <summary>Quantises <paramref name="model"/> for this stream alone; prefer sharing one <see cref="QuantizedModel"/>.</summary>
    public PercepNetNetworkInt8(ModelFile model)
        : this(new QuantizedModel(model))
    {
    }

    /// <summary>Creates a stream for the shared quantised <paramref name="model"/>, in the <see cref="Reset"/> state.</summary>
    public PercepNetNetworkInt8(QuantizedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _m = model;
        var s = _shape = model.Shape;
        _conv1History = new byte[s.Conv1Kernel * _m.Conv1Slot];
        _conv2History = new byte[s.Conv2Kernel * _m.Conv2Slot];
        _state = new float[s.GainHeadInputs];
        // Every reader takes Align(width) codes from its offset; the tail past the data is padding.
        _stateCodes = new byte[s.GainHeadInputs + Int8Kernels.ColumnAlign];
        _strengthState = new float[s.StrengthGru];
        _strengthStateCodes = new byte[Int8Kernels.Align(s.StrengthGru)];
        _normalized = new float[model.Shape.Features];
        _featureCodes = new byte[Int8Kernels.Align(model.Shape.Features)];
        _featureCodes.AsSpan().Fill(Zero);
        _dense = new float[s.InputDense];
        _conv1Out = new float[s.Conv1Channels];
        _strengthInputCodes = new byte[Int8Kernels.Align(s.StrengthGruInputs)];
        _strengthInputCodes.AsSpan().Fill(Zero);
        int maxHidden = Math.Max(Math.Max(s.SharedGru, s.GainGru), s.StrengthGru);
        _acc = new int[Math.Max(3 * maxHidden, Math.Max(Math.Max(s.Conv1Channels, s.Conv2Channels), Math.Max(s.InputDense, FrameLayout.BandCount)))];
        _gi = new float[3 * maxHidden];
        _gh = new float[3 * maxHidden];
        Reset();
    }

    /// <inheritdoc/>
    public int LookaheadFrames => _shape.LookaheadFrames;

    /// <inheritdoc/>
    public NetworkShape Shape => _shape;

    /// <inheritdoc/>
    public void Reset()
    {
        _conv1History.AsSpan().Fill(Zero);
        _conv2History.AsSpan().Fill(Zero);
        Array.Clear(_state);
        _stateCodes.AsSpan().Fill(Zero);
        Array.Clear(_strengthState);
        _strengthStateCodes.AsSpan().Fill(Zero);
    }

    /// <summary>
    /// Runs one frame like <see cref="PercepNetNetwork.Process"/>: same arguments and look-ahead,
    /// non-finite features replaced by their mean, normalised features beyond ±<see cref="FeatureRange"/>
    /// clipped. The outputs differ from the float engine's by the quantisation error (max 3e-3 on
    /// randomly initialised networks, docs/inference.md). Allocates nothing.
    /// </summary>
    public void Process(ReadOnlySpan<float> features, Span<float> gains34, Span<float> strengths34, out float vad)
    {
        if (features.Length < _normalized.Length || gains34.Length < FrameLayout.BandCount || strengths34.Length < FrameLayout.BandCount)
            throw new ArgumentException($"Process needs {_normalized.Length} features and room for {FrameLayout.BandCount} gains and strengths");
        var s = _shape;
        for (int i = 0; i < _normalized.Length; i++)
        {
            float v = (features[i] - _m.Mean[i]) * _m.InvStd[i];
            _normalized[i] = float.IsFinite(v) ? v : 0f;
        }
        Int8Kernels.Quantize(_normalized, FeatureInvStep, _featureCodes);
        _m.Input.Apply(_featureCodes, FeatureStep, _m.InputBias, _acc, _dense);
        Activations.Tanh(_dense);

        Push(_dense, _conv1History, _m.Conv1Slot);
        _m.Conv1.Apply(_conv1History, UnitStep, _m.Conv1Bias, _acc, _conv1Out);
        Activations.Tanh(_conv1Out);

        Push(_conv1Out, _conv2History, _m.Conv2Slot);
        var c = _state.AsSpan(0, s.Conv2Channels);
        _m.Conv2.Apply(_conv2History, UnitStep, _m.Conv2Bias, _acc, c);
        Activations.Tanh(c);
        Int8Kernels.Quantize(c, UnitInvStep, _stateCodes);

        int xOffset = 0;
        int offset = s.Conv2Channels;
        for (int i = 0; i < _m.Shared.Length; i++)
        {
            _m.Shared[i].Step(_stateCodes.AsSpan(xOffset), _state.AsSpan(offset, s.SharedGru), _stateCodes.AsSpan(offset), _acc, _gi, _gh);
            xOffset = offset;
            offset += s.SharedGru;
        }
        _m.GainGru.Step(_stateCodes.AsSpan(xOffset), _state.AsSpan(offset, s.GainGru), _stateCodes.AsSpan(offset), _acc, _gi, _gh);

        _stateCodes.AsSpan(0, s.Conv2Channels).CopyTo(_strengthInputCodes);
        _stateCodes.AsSpan(xOffset, s.SharedGru).CopyTo(_strengthInputCodes.AsSpan(s.Conv2Channels));
        _m.StrengthGru.Step(_strengthInputCodes, _strengthState, _strengthStateCodes, _acc, _gi, _gh);

        _m.GainHead.Apply(_stateCodes, UnitStep, _m.GainHeadBias, _acc, gains34);
        Activations.Sigmoid(gains34[..FrameLayout.BandCount]);
        _m.StrengthHead.Apply(_strengthStateCodes, UnitStep, _m.StrengthHeadBias, _acc, strengths34);
        Activations.Sigmoid(strengths34[..FrameLayout.BandCount]);
        _m.VadHead.Apply(_stateCodes.AsSpan(xOffset), UnitStep, _m.VadHeadBias, _acc, _vad);
        vad = Activations.Sigmoid(_vad[0]);
    }

    /// <summary>Drops the oldest frame of a code history and appends the codes of <paramref name="x"/>.</summary>
    private static void Push(ReadOnlySpan<float> x, byte[] history, int slot)
    {
        history.AsSpan(slot).CopyTo(history); // overlapping move: Span.CopyTo behaves like memmove
        Int8Kernels.Quantize(x, UnitInvStep, history.AsSpan(history.Length - slot));
    }
}

/// <summary>A GRU (equations of <see cref="Gru"/>) with quantised input and recurrent matrices.</summary>
internal sealed class GruInt8
{
    private readonly QuantizedMatrix _wih;
    private readonly QuantizedMatrix _whh;
    private readonly float[] _bih;
    private readonly float[] _bhh;

    public GruInt8(int inputs, int hidden, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh)
    {
        Inputs = inputs;
        Hidden = hidden;
        _wih = new QuantizedMatrix(weightIh, 3 * hidden, inputs);
        _whh = new QuantizedMatrix(weightHh, 3 * hidden, hidden);
        _bih = biasIh.ToArray();
        _bhh = biasHh.ToArray();
    }

    public int Inputs { get; }
    public int Hidden { get; }

    /// <summary>
    /// Advances h (Hidden floats) and its codes hCodes (at least Align(Hidden) bytes, the first
    /// Hidden rewritten) by the input codes xCodes (at least Align(Inputs) bytes, step 1/127).
    /// </summary>
    public void Step(ReadOnlySpan<byte> xCodes, Span<float> h, Span<byte> hCodes, Span<int> acc, Span<float> gi, Span<float> gh)
    {
        int g = 3 * Hidden;
        _wih.Apply(xCodes, 1f / Int8Kernels.UnitInvStep, _bih, acc, gi);
        _whh.Apply(hCodes, 1f / Int8Kernels.UnitInvStep, _bhh, acc, gh);
        Gru.Gates(gi[..g], gh[..g], h);
        Int8Kernels.Quantize(h, Int8Kernels.UnitInvStep, hCodes);
    }
}
