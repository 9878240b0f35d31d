namespace PercepNet.Nn;

/// <summary>
/// Causal 1-D convolution over time, one frame at a time: the output for frame t is
/// b + sum over the last <see cref="Kernel"/> input frames t-K+1..t of W[:, :, j] x(t-K+1+j),
/// exactly what TorchSharp's Conv1d gives on a sequence left-padded with K-1 zero frames.
/// Immutable; the frame history is per stream (<see cref="HistoryLength"/> floats).
/// </summary>
internal sealed class Conv1d
{
    // Repacked from TorchSharp's [out, in, kernel] to [out, kernel, in] so each tap is one contiguous dot product.
    private readonly float[] _weights;
    private readonly float[] _bias;

    /// <summary>Copies and repacks the weights.</summary>
    /// <param name="inputs">Input channels per frame.</param>
    /// <param name="outputs">Output channels per frame.</param>
    /// <param name="kernel">Frames the kernel spans (the current one and kernel - 1 before it).</param>
    /// <param name="weights">Outputs * Inputs * Kernel values in TorchSharp layout [out, in, kernel].</param>
    /// <param name="bias">Outputs values.</param>
    public Conv1d(int inputs, int outputs, int kernel, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias)
    {
        if (weights.Length != inputs * outputs * kernel || bias.Length != outputs)
            throw new ArgumentException($"conv1d {inputs}->{outputs} kernel {kernel}: {weights.Length} weights and {bias.Length} biases, expected {inputs * outputs * kernel} and {outputs}");
        Inputs = inputs;
        Outputs = outputs;
        Kernel = kernel;
        _weights = new float[weights.Length];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++)
                for (int j = 0; j < kernel; j++)
                    _weights[(o * kernel + j) * inputs + i] = weights[(o * inputs + i) * kernel + j];
        _bias = bias.ToArray();
    }

    public int Inputs { get; }
    public int Outputs { get; }
    public int Kernel { get; }

    /// <summary>Floats of per-stream history: Kernel frames of Inputs values (a ring buffer).</summary>
    public int HistoryLength => Kernel * Inputs;

    /// <summary>
    /// Pushes frame <paramref name="x"/> into <paramref name="history"/> (ring position
    /// <paramref name="position"/>, advanced here) and writes the output for it to <paramref name="y"/>.
    /// A zeroed history with position 0 is the start of a stream.
    /// </summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> history, ref int position, Span<float> y)
    {
        int n = Inputs;
        x[..n].CopyTo(history.Slice(position * n, n));
        int oldest = position + 1 == Kernel ? 0 : position + 1;
        position = oldest;
        _bias.CopyTo(y);
        int slot = oldest;
        for (int j = 0; j < Kernel; j++)
        {
            // Tap j of every output row: columns j*n .. j*n+n-1 of the [out, kernel * in] matrix.
            Kernels.MatVecAdd(_weights.AsSpan(j * n), Kernel * n, history.Slice(slot * n, n), y[..Outputs]);
            if (++slot == Kernel) slot = 0;
        }
    }
}
