namespace PercepNet.Dsp;

/// <summary>A stateful block that turns each 480-sample input frame into a 480-sample output frame.</summary>
public interface IFrameProcessor
{
    /// <summary>Delay of the output relative to the input, in samples.</summary>
    int LatencySamples { get; }

    /// <summary>Processes one frame; <paramref name="output"/> may alias <paramref name="input"/>.</summary>
    void ProcessFrame(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Starts a new stream.</summary>
    void Reset();
}
