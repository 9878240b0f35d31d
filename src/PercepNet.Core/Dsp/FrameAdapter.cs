using System.Diagnostics;

namespace PercepNet.Dsp;

/// <summary>
/// Feeds chunks of any size to a 480-sample <see cref="IFrameProcessor"/> and returns exactly as
/// many samples as it was given. To do that for every chunk size it adds
/// <see cref="BufferingSamples"/> = FrameSize - 1 samples of delay (the worst case of a chunk that
/// ends one sample short of a frame), so the total delay is fixed:
/// <see cref="LatencySamples"/> = processor latency + FrameSize - 1, whatever the chunking.
/// </summary>
public sealed class FrameAdapter
{
    /// <summary>Extra delay added to decouple chunk sizes from the frame size.</summary>
    public const int BufferingSamples = FrameLayout.FrameSize - 1;

    private readonly IFrameProcessor _processor;
    private readonly float[] _in = new float[FrameLayout.FrameSize];
    private readonly float[] _outFifo = new float[2 * FrameLayout.FrameSize];
    private int _inCount;
    private int _outCount;

    public FrameAdapter(IFrameProcessor processor)
    {
        _processor = processor;
        Reset();
    }

    /// <summary>Total delay of <see cref="Process"/>'s output relative to its input, in samples.</summary>
    public int LatencySamples => _processor.LatencySamples + BufferingSamples;

    /// <summary>Processes any number of samples; <paramref name="output"/> has the same length (may alias).</summary>
    public void Process(ReadOnlySpan<float> input, Span<float> output)
    {
        Debug.Assert(output.Length >= input.Length);
        const int n = FrameLayout.FrameSize;
        int pos = 0;
        while (pos < input.Length)
        {
            int take = Math.Min(n - _inCount, input.Length - pos);
            // Copy the input first: output may alias it.
            input.Slice(pos, take).CopyTo(_in.AsSpan(_inCount));
            _inCount += take;
            if (_inCount == n)
            {
                _processor.ProcessFrame(_in, _outFifo.AsSpan(_outCount, n));
                _outCount += n;
                _inCount = 0;
            }
            // Invariant: _outCount = BufferingSamples - _inCount (+ FrameSize right after a frame),
            // so at least `take` samples are ready.
            Debug.Assert(_outCount >= take);
            _outFifo.AsSpan(0, take).CopyTo(output.Slice(pos, take));
            _outFifo.AsSpan(take, _outCount - take).CopyTo(_outFifo);
            _outCount -= take;
            pos += take;
        }
    }

    /// <summary>Starts a new stream (also resets the processor).</summary>
    public void Reset()
    {
        _processor.Reset();
        Array.Clear(_in);
        Array.Clear(_outFifo);
        _inCount = 0;
        _outCount = BufferingSamples;
    }
}
