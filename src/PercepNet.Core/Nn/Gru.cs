namespace PercepNet.Nn;

/// <summary>
/// One GRU layer with TorchSharp's (PyTorch's) equations and gate order r, z, n:
/// <code>
/// r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
/// z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
/// n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
/// h' = (1 - z) * n + z * h
/// </code>
/// Immutable; the hidden state (<see cref="Hidden"/> floats, zero at the start of a stream) is per stream.
/// </summary>
internal sealed class Gru
{
    private readonly float[] _wih; // [3H, in]
    private readonly float[] _whh; // [3H, H]
    private readonly float[] _bih; // [3H]
    private readonly float[] _bhh; // [3H]

    public Gru(int inputs, int hidden, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh)
    {
        if (weightIh.Length != 3 * hidden * inputs || weightHh.Length != 3 * hidden * hidden || biasIh.Length != 3 * hidden || biasHh.Length != 3 * hidden)
            throw new ArgumentException($"GRU {inputs}->{hidden}: weight sizes {weightIh.Length}, {weightHh.Length}, {biasIh.Length}, {biasHh.Length} do not match");
        Inputs = inputs;
        Hidden = hidden;
        _wih = weightIh.ToArray();
        _whh = weightHh.ToArray();
        _bih = biasIh.ToArray();
        _bhh = biasHh.ToArray();
    }

    public int Inputs { get; }
    public int Hidden { get; }

    /// <summary>Floats of scratch one step needs.</summary>
    public int ScratchLength => 6 * Hidden;

    /// <summary>Advances <paramref name="h"/> (Hidden values, in place) by input <paramref name="x"/>.</summary>
    public void Step(ReadOnlySpan<float> x, Span<float> h, Span<float> scratch)
    {
        int hn = Hidden;
        var gi = scratch[..(3 * hn)];
        var gh = scratch.Slice(3 * hn, 3 * hn);
        Kernels.MatVec(_wih, _bih, x[..Inputs], gi);
        Kernels.MatVec(_whh, _bhh, h[..hn], gh);
        Gates(gi, gh, h[..hn]);
    }

    /// <summary>
    /// The gate equations for one step, given gi = W_i x + b_i and gh = W_h h + b_h (3H values each,
    /// gates r, z, n): updates h (H values) in place; gi and gh are used as scratch.
    /// Shared by the float and int8 engines.
    /// </summary>
    internal static void Gates(Span<float> gi, Span<float> gh, Span<float> h)
    {
        int hn = h.Length;
        var rz = gi[..(2 * hn)];
        var ghRz = gh[..(2 * hn)];
        for (int j = 0; j < rz.Length; j++) rz[j] += ghRz[j];
        Activations.Sigmoid(rz);
        var r = gi[..hn];
        var z = gi.Slice(hn, hn);
        var n = gi.Slice(2 * hn, hn);
        var ghN = gh.Slice(2 * hn, hn);
        for (int j = 0; j < hn; j++) n[j] += r[j] * ghN[j];
        Activations.Tanh(n);
        // h' = (1 - z) n + z h = n + z (h - n)
        for (int j = 0; j < hn; j++) h[j] = n[j] + z[j] * (h[j] - n[j]);
    }
}
