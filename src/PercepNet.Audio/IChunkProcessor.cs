namespace PercepNet.Audio;

/// <summary>
/// A per-channel 48 kHz stream processor run by <see cref="AudioPipeline"/> (e.g. a denoiser wrapper).
/// One instance per channel; the pipeline calls it from one thread.
/// </summary>
public interface IChunkProcessor
{
    /// <summary>
    /// How many samples (at 48 kHz) the output lags the input: output[t] corresponds to input[t - DelaySamples].
    /// The pipeline drops this many leading output samples and feeds as many zeros at the end, so the
    /// written file is time-aligned with the input. Must not change while processing; >= 0.
    /// </summary>
    int DelaySamples { get; }

    /// <summary>
    /// Processes the next block of the stream. <paramref name="input"/> and <paramref name="output"/> have the
    /// same length, the pipeline's block size (always the same, 480 = 10 ms by default), and do not overlap.
    /// Samples are 48 kHz floats, nominally in [-1, 1].
    /// </summary>
    void Process(ReadOnlySpan<float> input, Span<float> output);
}
