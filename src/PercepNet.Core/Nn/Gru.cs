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
public sealed class Gru
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
        for (int j = 0; j < hn; j++)
        {
            float r = Kernels.Sigmoid(gi[j] + gh[j]);
            float z = Kernels.Sigmoid(gi[hn + j] + gh[hn + j]);
            float n = MathF.Tanh(gi[2 * hn + j] + r * gh[2 * hn + j]);
            h[j] = (1f - z) * n + z * h[j];
        }
    }
}
