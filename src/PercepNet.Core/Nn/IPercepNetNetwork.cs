namespace PercepNet.Nn;

/// <summary>
/// One stream of a PercepNet network, float (<see cref="PercepNetNetwork"/>) or int8
/// (<see cref="PercepNetNetworkInt8"/>): both take the same features and give the same outputs.
/// </summary>
internal interface IPercepNetNetwork
{
    /// <summary>Frames between an input frame and its output (2 = 20 ms for the paper's model).</summary>
    int LookaheadFrames { get; }

    /// <summary>Layer sizes of the model.</summary>
    NetworkShape Shape { get; }

    /// <summary>Forgets the stream: zero convolution history and GRU states.</summary>
    void Reset();

    /// <summary>
    /// Runs one frame: <see cref="NetworkShape.Features"/> unnormalised features in; 34 gains, 34 comb strengths and the VAD
    /// probability, each in (0, 1), out, for the frame LookaheadFrames before. Allocates nothing.
    /// </summary>
    void Process(ReadOnlySpan<float> features, Span<float> gains34, Span<float> strengths34, out float vad);
}
