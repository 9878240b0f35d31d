namespace PercepNet.Nn;

/// <summary>Fully connected layer y = W x + b (no activation). Immutable; shared between streams.</summary>
internal sealed class Dense
{
    private readonly float[] _weights; // [Outputs, Inputs], row-major (TorchSharp Linear layout)
    private readonly float[] _bias;

    /// <summary>Copies the weights.</summary>
    /// <param name="inputs">Input width.</param>
    /// <param name="outputs">Output width.</param>
    /// <param name="weights">Outputs * Inputs values, row-major [out, in].</param>
    /// <param name="bias">Outputs values.</param>
    public Dense(int inputs, int outputs, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias)
    {
        if (weights.Length != inputs * outputs || bias.Length != outputs)
            throw new ArgumentException($"dense {inputs}->{outputs}: {weights.Length} weights and {bias.Length} biases, expected {inputs * outputs} and {outputs}");
        Inputs = inputs;
        Outputs = outputs;
        _weights = weights.ToArray();
        _bias = bias.ToArray();
    }

    public int Inputs { get; }
    public int Outputs { get; }

    /// <summary>y = W x + b. x has Inputs values, y Outputs; they must not overlap.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> y) => Kernels.MatVec(_weights, _bias, x[..Inputs], y[..Outputs]);
}
