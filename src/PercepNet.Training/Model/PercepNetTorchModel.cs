using PercepNet.Features;
using PercepNet.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PercepNet.Training.Model;

/// <summary>
/// The trainable PercepNet network in TorchSharp, the topology and parameter names of
/// <see cref="NetworkShape"/> (which the float engine <see cref="PercepNetNetwork"/> runs frame by frame).
/// <para>
/// Input [batch, time, 70] unnormalised features; outputs gains and strengths [batch, time, 34]
/// and VAD [batch, time, 1], all in (0, 1). Both convolutions are causal (left-padded with
/// kernel - 1 zero frames, nothing on the right), so output index n depends on input frames
/// 0..n only; it is the prediction for frame n - LookaheadFrames. The trainer compares output
/// n with the targets of frame n - LookaheadFrames, which is exactly what the streaming engine
/// does (it returns frame t - 2 when given frame t). This equals the usual "centred" training
/// padding (conv1 with 2 frames on each side, conv2 with 1) shifted by two frames.
/// </para>
/// </summary>
public sealed class PercepNetTorchModel : nn.Module<Tensor, (Tensor Gains, Tensor Strengths, Tensor Vad)>
{
    // Field names are the parameter names of the model file (RegisterComponents uses them), hence snake_case.
    private readonly Linear input;
    private readonly TorchSharp.Modules.Conv1d conv1;
    private readonly TorchSharp.Modules.Conv1d conv2;
    private readonly ModuleList<GRU> grus;
    private readonly GRU gain_gru;
    private readonly GRU strength_gru;
    private readonly Linear gain_head;
    private readonly Linear strength_head;
    private readonly Linear vad_head;
    private readonly Tensor feature_mean;
    private readonly Tensor feature_std;

    /// <summary>Creates a randomly initialised model (TorchSharp's default initialisation; seed with torch.manual_seed).</summary>
    /// <param name="shape">Layer sizes.</param>
    /// <param name="featureMean">Per-feature means (<see cref="NetworkShape.Features"/>).</param>
    /// <param name="featureStd">Per-feature standard deviations, all &gt; 0.</param>
    public PercepNetTorchModel(NetworkShape shape, float[] featureMean, float[] featureStd) : base("PercepNet")
    {
        if (shape.Problem() is { } bad) throw new ArgumentException(bad, nameof(shape));
        if (featureMean.Length != shape.Features || featureStd.Length != shape.Features)
            throw new ArgumentException($"feature normalisation needs {shape.Features} means and deviations");
        Shape = shape;
        // Layers as NetworkShape.Layers describes them (sizes and wiring written there only).
        Linear L(string name) { var l = shape.Layer(name); return nn.Linear(l.Inputs, l.Outputs); }
        TorchSharp.Modules.Conv1d C(string name) { var l = shape.Layer(name); return nn.Conv1d(l.Inputs, l.Outputs, l.Kernel); }
        GRU G(string name) { var l = shape.Layer(name); return nn.GRU(l.Inputs, l.Outputs, batchFirst: true); }
        input = L(NetworkShape.InputLayer);
        conv1 = C(NetworkShape.Conv1Layer);
        conv2 = C(NetworkShape.Conv2Layer);
        grus = new ModuleList<GRU>();
        for (int i = 0; i < shape.SharedGruLayers; i++) grus.Add(G(NetworkShape.SharedGruLayer(i)));
        gain_gru = G(NetworkShape.GainGruLayer);
        strength_gru = G(NetworkShape.StrengthGruLayer);
        gain_head = L(NetworkShape.GainHeadLayer);
        strength_head = L(NetworkShape.StrengthHeadLayer);
        vad_head = L(NetworkShape.VadHeadLayer);
        feature_mean = tensor(featureMean);
        feature_std = tensor(featureStd);
        RegisterComponents();
    }

    /// <summary>Layer sizes.</summary>
    public NetworkShape Shape { get; }

    /// <summary>Number of trainable weights (equals <see cref="NetworkShape.ParameterCount"/>).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>The 70 feature means.</summary>
    public float[] FeatureMean => feature_mean.data<float>().ToArray();

    /// <summary>The feature noise floor (dBFS) the model is trained with, written into its model file; null: none.</summary>
    public double? FeatureFloorDbfs { get; set; }

    /// <summary>The 70 feature standard deviations.</summary>
    public float[] FeatureStd => feature_std.data<float>().ToArray();

    /// <summary>Runs whole sequences: x [batch, time, 70] -> gains, strengths [batch, time, 34], VAD [batch, time, 1].</summary>
    public override (Tensor Gains, Tensor Strengths, Tensor Vad) forward(Tensor x)
    {
        var (gains, strengths, vad, final) = Forward(x, null, null);
        final.Dispose();
        return (gains, strengths, vad);
    }

    /// <summary>
    /// Runs sequences that continue where <paramref name="initial"/> left them (null: a zero
    /// start, as <see cref="forward"/>), and returns the state their last frame leaves: running
    /// A and then B from A's final state gives B the outputs it has as the second part of A + B.
    /// </summary>
    public (Tensor Gains, Tensor Strengths, Tensor Vad, SequenceState Final) Continue(Tensor x, SequenceState? initial) => Forward(x, null, initial);

    /// <summary>
    /// Runs whole sequences like <see cref="forward"/> and returns every intermediate tensor by
    /// layer name, in computation order (input, input dense, conv1, conv2, each GRU, heads): what
    /// the trainer inspects to name the first layer whose output is not finite.
    /// </summary>
    public List<(string Layer, Tensor Output)> Trace(Tensor x)
    {
        var (trace, final) = Trace(x, null);
        final.Dispose();
        return trace;
    }

    /// <summary><see cref="Trace"/> from <paramref name="initial"/> (null: a zero start), also returning the final state.</summary>
    public (List<(string Layer, Tensor Output)> Trace, SequenceState Final) Trace(Tensor x, SequenceState? initial)
    {
        var trace = new List<(string Layer, Tensor Output)>();
        var final = Forward(x, trace, initial).Final;
        return (trace, final);
    }

    private (Tensor Gains, Tensor Strengths, Tensor Vad, SequenceState Final) Forward(Tensor x, List<(string Layer, Tensor Output)>? trace, SequenceState? initial)
    {
        if (initial != null && initial.Tensors.Count != 4 + grus.Count)
            throw new ArgumentException($"a state of this model has {4 + grus.Count} tensors, not {initial.Tensors.Count}", nameof(initial));
        using var scope = NewDisposeScope();
        var finals = new List<Tensor>();
        var normalized = (x - feature_mean) / feature_std;
        var d = input.call(normalized).tanh(); // [B, T, D]
        var c1 = CausalConv(d, conv1, Shape.Conv1Kernel, initial?.Tensors[0], finals).tanh();
        var c = CausalConv(c1, conv2, Shape.Conv2Kernel, initial?.Tensors[1], finals).tanh(); // [B, T, C2]
        var states = new List<Tensor> { c };
        var h = c;
        var grusOut = new List<Tensor>();
        int next = 2;
        (Tensor Output, Tensor Last) Run(GRU gru, Tensor input)
        {
            var h0 = initial?.Tensors[next++];
            var (output, last) = h0 is null ? gru.call(input) : gru.call(input, h0);
            finals.Add(last);
            return (output, last);
        }
        foreach (var gru in grus)
        {
            (h, _) = Run(gru, h);
            states.Add(h);
            grusOut.Add(h);
        }
        var (hg, _) = Run(gain_gru, h);
        states.Add(hg);
        var (hr, _) = Run(strength_gru, cat([c, h], 2));
        var gains = gain_head.call(cat(states, 2)).sigmoid();
        var strengths = strength_head.call(hr).sigmoid();
        var vad = vad_head.call(h).sigmoid();
        if (trace != null)
        {
            trace.Add(("input features", x));
            trace.Add(("normalised features", normalized));
            trace.Add(("input dense", d));
            trace.Add(("conv1", c1));
            trace.Add(("conv2", c));
            for (int i = 0; i < grusOut.Count; i++) trace.Add(($"grus.{i}", grusOut[i]));
            trace.Add(("gain_gru", hg));
            trace.Add(("strength_gru", hr));
            trace.Add(("gain_head", gains));
            trace.Add(("strength_head", strengths));
            trace.Add(("vad_head", vad));
            for (int i = 0; i < trace.Count; i++) trace[i] = (trace[i].Layer, trace[i].Output.MoveToOuterDisposeScope());
        }
        var final = new SequenceState(finals.Select(t => t.MoveToOuterDisposeScope()).ToArray());
        return (gains.MoveToOuterDisposeScope(), strengths.MoveToOuterDisposeScope(), vad.MoveToOuterDisposeScope(), final);
    }

    /// <summary>
    /// Causal convolution over time of x [B, T, Cin] with a Conv1d's weights [Cout, Cin, K]: the
    /// input is left-padded with K - 1 zero frames (or the <paramref name="context"/> [B, K - 1, Cin]
    /// a previous part of the sequence left), the K frames t-K+1..t of every output frame t
    /// are gathered (unfold) and multiplied by the weights as one matrix product, giving [B, T, Cout].
    /// The last K - 1 input frames (the context of what follows) are added to <paramref name="finals"/>.
    /// <para>
    /// This is deliberately not <c>Conv1d.call</c>: libtorch 2.10's CPU convolution dispatches to
    /// oneDNN 3.7.1's blocked direct convolution, which on AVX-512 machines (blocks of 16 channels;
    /// 8 on AVX2) returns wrong, run-dependent values, sometimes NaN, when the input channel count
    /// is above one block and not a multiple of it (20, 24, 40 measured; 8, 12, 16, 32, 48, 128, 256
    /// correct): the padded tail of the last channel block enters the sum uninitialised. The
    /// matrix product reaches only the GEMM, is exact for every size, and is the same sum the float
    /// engine computes frame by frame.
    /// </para>
    /// </summary>
    private static Tensor CausalConv(Tensor x, TorchSharp.Modules.Conv1d conv, int kernel, Tensor? context, List<Tensor> finals)
    {
        long b = x.shape[0], t = x.shape[1], cin = x.shape[2];
        var padded = context is null ? nn.functional.pad(x, (0, 0, kernel - 1, 0)) : cat([context, x], 1); // [B, T+K-1, Cin]
        finals.Add(padded.narrow(1, t, kernel - 1));
        var frames = padded.unfold(1, kernel, 1).reshape(b, t, cin * kernel); // [B, T, Cin, K] -> [B, T, Cin*K]
        var weight = conv.weight!.reshape(conv.weight.shape[0], cin * kernel); // [Cout, Cin*K], same (cin, k) order
        return nn.functional.linear(frames, weight, conv.bias);
    }

    /// <summary>
    /// Copies the weights of a model file into this model (the inverse of
    /// <see cref="WeightsInFileOrder"/>); the feature normalisation is not changed (it is fixed at
    /// construction: build the model with the file's).
    /// </summary>
    /// <exception cref="InvalidDataException">The file's layer sizes differ.</exception>
    public void LoadWeights(ModelFile file)
    {
        if (file.Shape != Shape) throw new InvalidDataException($"model file layer sizes {file.Shape} differ from the model's {Shape}");
        var byName = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var tensors = Shape.Tensors();
        using var _ = no_grad();
        for (int i = 0; i < tensors.Count; i++)
        {
            var (name, dims) = tensors[i];
            using var source = tensor(file.Tensor(i).ToArray(), dims.Select(d => (long)d).ToArray());
            byName[name].copy_(source);
        }
    }

    /// <summary>All weights in <see cref="NetworkShape.Tensors"/> order, flattened row-major.</summary>
    public List<float[]> WeightsInFileOrder()
    {
        var byName = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var list = new List<float[]>();
        foreach (var (name, dims) in Shape.Tensors())
        {
            if (!byName.TryGetValue(name, out var p))
                throw new InvalidOperationException($"model has no parameter '{name}' (has {string.Join(", ", byName.Keys)})");
            if (!p.shape.Select(v => (int)v).SequenceEqual(dims))
                throw new InvalidOperationException($"parameter '{name}' has shape [{string.Join(", ", p.shape)}], expected [{string.Join(", ", dims)}]");
            using var cpu = p.detach().cpu().contiguous();
            list.Add(cpu.data<float>().ToArray());
        }
        return list;
    }
}

/// <summary>
/// Where a batch of sequences stopped (<see cref="PercepNetTorchModel.Continue"/>): the last
/// K - 1 input frames of each causal convolution, then each GRU's last hidden state [1, batch, H]
/// (shared GRUs, gain GRU, strength GRU), all with the batch size of the sequences that left it.
/// </summary>
public sealed class SequenceState : IDisposable
{
    internal SequenceState(Tensor[] tensors) => Tensors = tensors;

    /// <summary>The state's tensors, in the order above.</summary>
    public IReadOnlyList<Tensor> Tensors { get; }

    /// <summary>Number of sequences (rows) it continues.</summary>
    public long BatchSize => Tensors[0].shape[0];

    /// <summary>
    /// A copy cut off from the autograd graph and from every dispose scope (the caller disposes it):
    /// what a trainer carries into the next batch, whose gradients stop at the boundary.
    /// </summary>
    public SequenceState Detach() => new(Tensors.Select(t => t.detach().DetachFromDisposeScope()).ToArray());

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in Tensors) t.Dispose();
    }
}
