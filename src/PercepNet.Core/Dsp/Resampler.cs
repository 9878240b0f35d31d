using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PercepNet.Dsp;

/// <summary>
/// Streaming sample-rate converter for one channel: a polyphase Kaiser-windowed-sinc filter for the
/// rational ratio L/M = outputRate/inputRate reduced by their GCD (44.1 -> 48 kHz is 160/147).
/// </summary>
/// <remarks>
/// <para>Time alignment: output sample j is the band-limited value of the input at time
/// j * inputRate / outputRate input samples, so the conversion has no delay to compensate: a signal
/// converted to another rate and back lines up with the original sample for sample. The price is a
/// look-ahead of <see cref="LookaheadInputSamples"/>: an output sample is produced once the input
/// samples its filter reaches have arrived; <see cref="Flush"/> produces the rest (treating the
/// input as followed by zeros, and preceded by zeros).</para>
/// <para>Length: a stream of n input samples yields exactly <see cref="OutputLength(long, int, int)"/>
/// = ceil(n * L / M) output samples (the instants that fall inside the input's span).</para>
/// <para>Streaming equals batch: the output is bit-identical whatever the chunk sizes fed to
/// <see cref="Process"/>. Equal rates pass samples through unchanged. Nothing is allocated after
/// construction. Quality (measured, see docs/audio.md): passband flat within 0.001 dB up to
/// 0.4535 x the lower rate (20 kHz at 44.1 kHz), everything above the lower Nyquist frequency
/// attenuated by more than 100 dB.</para>
/// </remarks>
public sealed class Resampler
{
    // OPT: input is staged in blocks of this many samples; larger blocks move the history less often.
    private const int BlockSize = 4096;
    private readonly ResamplerFilter? _filter; // null for equal rates
    private readonly float[] _buffer = [];
    private readonly int _taps, _up, _down, _half;
    private long _bufferStart; // absolute input index of _buffer[0]
    private int _bufferLength;
    private long _nextBase;    // floor(OutputCount * M / L)
    private int _nextPhase;    // (OutputCount * M) mod L
    private bool _flushed;

    /// <summary>Creates a converter from <paramref name="inputRate"/> to <paramref name="outputRate"/> Hz.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not positive.</exception>
    /// <exception cref="ArgumentException">The reduced ratio L/M is so large that its filter table would exceed 64 MiB.</exception>
    public Resampler(int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        InputRate = inputRate;
        OutputRate = outputRate;
        int g = Gcd(inputRate, outputRate);
        _up = outputRate / g;
        _down = inputRate / g;
        if (_up == _down) return;
        _filter = ResamplerFilter.Get(_up, _down, inputRate, outputRate);
        _taps = _filter.Taps;
        _half = _taps / 2;
        _buffer = new float[_taps + BlockSize];
        Reset();
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>Interpolation factor L of the reduced ratio L/M = OutputRate/InputRate.</summary>
    public int UpFactor => _up;

    /// <summary>Decimation factor M of the reduced ratio L/M = OutputRate/InputRate.</summary>
    public int DownFactor => _down;

    /// <summary>Filter taps per output sample, in input samples (0 when the rates are equal).</summary>
    public int FilterLength => _taps;

    /// <summary>
    /// Input samples that must arrive after an output instant before that output sample is produced
    /// (Taps/2; 0 when the rates are equal). This is latency in a live stream, not a delay in the
    /// output signal, which is time-aligned with the input.
    /// </summary>
    public int LookaheadInputSamples => _half;

    /// <summary>Input samples consumed since construction or <see cref="Reset"/>.</summary>
    public long InputCount { get; private set; }

    /// <summary>Output samples produced since construction or <see cref="Reset"/>.</summary>
    public long OutputCount { get; private set; }

    /// <summary>ceil(n * outputRate / inputRate): output samples of an n-sample input, flush included.</summary>
    public static long OutputLength(long inputLength, int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        int g = Gcd(inputRate, outputRate);
        return CeilDiv(inputLength * (outputRate / g), inputRate / g);
    }

    /// <summary>Exactly how many samples the next <see cref="Process"/> call writes for <paramref name="inputLength"/> input samples.</summary>
    public int OutputLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        if (_filter == null) return inputLength;
        // Output j is ready when floor(j M / L) + Taps/2 <= last input index, i.e. j < (available - Taps/2) L / M.
        long ready = CeilDiv(Math.Max(0, InputCount + inputLength - _half) * _up, _down);
        return checked((int)Math.Max(0, ready - OutputCount));
    }

    /// <summary>How many samples <see cref="Flush"/> writes now.</summary>
    public int FlushLength => (int)(CeilDiv(InputCount * _up, _down) - OutputCount);

    /// <summary>
    /// Consumes all of <paramref name="input"/> and writes the output samples that are now complete to
    /// the start of <paramref name="output"/>; returns their count (= <see cref="OutputLength(int)"/>).
    /// Input and output must not overlap.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <see cref="OutputLength(int)"/>.</exception>
    /// <exception cref="InvalidOperationException">Called after <see cref="Flush"/> without <see cref="Reset"/>.</exception>
    public int Process(ReadOnlySpan<float> input, Span<float> output)
    {
        if (_flushed) throw new InvalidOperationException("The resampler was flushed; call Reset() to start a new stream.");
        int needed = OutputLength(input.Length);
        if (output.Length < needed)
            throw new ArgumentException($"Output span has {output.Length} samples; this call produces {needed}.", nameof(output));
        if (_filter == null)
        {
            input.CopyTo(output);
            InputCount += input.Length;
            OutputCount += input.Length;
            return input.Length;
        }
        int written = 0;
        while (!input.IsEmpty)
        {
            int n = Math.Min(input.Length, _buffer.Length - _bufferLength);
            input[..n].CopyTo(_buffer.AsSpan(_bufferLength));
            _bufferLength += n;
            InputCount += n;
            input = input[n..];
            written += Produce(output[written..], long.MaxValue);
            Compact();
        }
        Debug.Assert(written == needed);
        return written;
    }

    /// <summary>
    /// Ends the stream: writes the remaining <see cref="FlushLength"/> output samples (the input is taken
    /// as followed by silence) and returns their count. Call <see cref="Reset"/> before reusing.
    /// </summary>
    public int Flush(Span<float> output)
    {
        if (_flushed) return 0;
        int needed = FlushLength;
        if (output.Length < needed)
            throw new ArgumentException($"Output span has {output.Length} samples; flushing produces {needed}.", nameof(output));
        _flushed = true;
        if (_filter == null) return 0;
        long total = CeilDiv(InputCount * _up, _down);
        int written = 0;
        // Append Taps/2 zeros (in at most two rounds, the buffer always has room for Taps/2 after Compact).
        for (int zeros = _half; zeros > 0 && OutputCount < total;)
        {
            int n = Math.Min(zeros, _buffer.Length - _bufferLength);
            _buffer.AsSpan(_bufferLength, n).Clear();
            _bufferLength += n;
            zeros -= n;
            written += Produce(output[written..], total);
            Compact();
        }
        Debug.Assert(written == needed && OutputCount == total);
        return written;
    }

    /// <summary>Forgets all input: the next sample starts a new stream. Keeps the filter.</summary>
    public void Reset()
    {
        InputCount = OutputCount = 0;
        _flushed = false;
        _nextBase = 0;
        _nextPhase = 0;
        if (_filter == null) return;
        // History of zeros standing for the silence before the stream (indices -Taps..-1).
        Array.Clear(_buffer);
        _bufferStart = -_taps;
        _bufferLength = _taps;
    }

    /// <summary>One-call conversion of a whole signal: ceil(n * outputRate / inputRate) samples, time-aligned.</summary>
    public static float[] Resample(ReadOnlySpan<float> input, int inputRate, int outputRate)
    {
        var r = new Resampler(inputRate, outputRate);
        var output = new float[OutputLength(input.Length, inputRate, outputRate)];
        int n = r.Process(input, output);
        n += r.Flush(output.AsSpan(n));
        Debug.Assert(n == output.Length);
        return output;
    }

    /// <summary>Computes outputs while their filter window lies inside the buffer, up to absolute index <paramref name="limit"/>.</summary>
    private int Produce(Span<float> output, long limit)
    {
        var coefficients = _filter!.Coefficients;
        long available = _bufferStart + _bufferLength; // one past the last buffered input index
        int written = 0;
        while (_nextBase + _half < available && OutputCount < limit)
        {
            int first = (int)(_nextBase - _half + 1 - _bufferStart);
            output[written++] = Dot(_buffer.AsSpan(first, _taps), coefficients.AsSpan(_nextPhase * _taps, _taps));
            OutputCount++;
            _nextPhase += _down;
            if (_nextPhase >= _up)
            {
                _nextBase += _nextPhase / _up;
                _nextPhase %= _up;
            }
        }
        return written;
    }

    /// <summary>Drops inputs no future output needs, moving the rest to the front of the buffer.</summary>
    private void Compact()
    {
        long keepFrom = _nextBase - _half + 1;
        int drop = (int)Math.Clamp(keepFrom - _bufferStart, 0, _bufferLength);
        if (drop == 0) return;
        _buffer.AsSpan(drop, _bufferLength - drop).CopyTo(_buffer);
        _bufferLength -= drop;
        _bufferStart += drop;
    }

    /// <summary>
    /// Sum of a[i] * b[i]; the summation order depends only on the length, so results do not depend on
    /// where the data sits in memory (streaming = batch bit for bit).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Debug.Assert(a.Length == b.Length);
        int i = 0, n = a.Length, w = Vector<float>.Count;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        // OPT: two accumulators hide the add latency.
        Vector<float> s0 = Vector<float>.Zero, s1 = Vector<float>.Zero;
        int v = 0;
        for (; v + 1 < va.Length; v += 2)
        {
            s0 += va[v] * vb[v];
            s1 += va[v + 1] * vb[v + 1];
        }
        if (v < va.Length) s0 += va[v] * vb[v];
        float sum = Vector.Sum(s0 + s1);
        for (i = va.Length * w; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
