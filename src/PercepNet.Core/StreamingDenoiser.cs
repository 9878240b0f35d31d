using PercepNet.Dsp;

namespace PercepNet;

/// <summary>
/// A denoiser for live audio as applications have it: any sample rate, any block size, interleaved
/// channels. Each call returns exactly as many samples as it is given, delayed by a constant
/// <see cref="LatencySamples"/>. Each channel runs its own <see cref="Denoiser"/> (channels are
/// independent: a stereo pair is two streams sharing one model). Not thread-safe; allocates nothing
/// per call.
/// </summary>
/// <remarks>
/// Per channel: a <see cref="Resampler"/> to 48 kHz (none at 48 kHz), 480-sample frames through
/// the <see cref="Denoiser"/>, a resampler back to the stream's rate, and a FIFO primed with
/// <see cref="BufferingSamples"/> zeros: the most that the frame and filter look-ahead ever leave
/// owed, computed exactly for the rate, so no block size can run it dry. The resamplers add no delay
/// of their own (time-aligned), only look-ahead, so the latency is the Denoiser's 30 ms plus that
/// buffering (one frame less a sample, and the filters' look-ahead): 1919 samples (40.0 ms) at
/// 48 kHz, 1920 (43.5 ms) at 44.1 kHz, 1117 (46.5 ms) at 24 kHz, 796 (49.8 ms) at 16 kHz,
/// 475 (59.4 ms) at 8 kHz.
/// Use <see cref="Denoiser"/> directly to avoid the buffering when the audio already comes in
/// 480-sample frames at 48 kHz.
/// </remarks>
public sealed class StreamingDenoiser
{
    /// <summary>Lowest and highest sample rates accepted, in Hz.</summary>
    public const int MinSampleRate = 8000, MaxSampleRate = 192000;

    /// <summary>Most channels per stream.</summary>
    public const int MaxChannels = 64;

    // OPT: input is taken in slices of this many sample frames, which bounds the scratch buffers.
    private const int Slice = 1024;

    private readonly Channel[] _channels;
    private readonly Denoiser[] _denoisers;
    private readonly float[] _frameOut = new float[FrameLayout.FrameSize];

    /// <summary>Creates a stream of <paramref name="channels"/> interleaved channels at <paramref name="sampleRate"/> Hz.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate or channel count is outside the supported range.</exception>
    public StreamingDenoiser(PercepNetModel model, int sampleRate, int channels = 1, DenoiserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (sampleRate < MinSampleRate || sampleRate > MaxSampleRate)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), $"sample rate must be {MinSampleRate} to {MaxSampleRate} Hz (got {sampleRate})");
        if (channels < 1 || channels > MaxChannels)
            throw new ArgumentOutOfRangeException(nameof(channels), $"channels must be 1 to {MaxChannels} (got {channels})");
        SampleRate = sampleRate;
        ChannelCount = channels;
        _channels = new Channel[channels];
        _denoisers = new Denoiser[channels];
        for (int c = 0; c < channels; c++) _channels[c] = new Channel(_denoisers[c] = new Denoiser(model, options), sampleRate);
        BufferingSamples = MaxOwed(_channels[0].In, _channels[0].Out);
        foreach (var ch in _channels) ch.Allocate(BufferingSamples);
    }

    /// <summary>Sample rate of the stream in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Interleaved channels per sample frame.</summary>
    public int ChannelCount { get; }

    /// <summary>The denoiser of each channel, for its live controls (attenuation limit, postfilter strength, VAD gate).</summary>
    public IReadOnlyList<Denoiser> Denoisers => _denoisers;

    /// <summary>Zeros primed into each channel's output FIFO: the buffering added to the Denoiser's latency.</summary>
    public int BufferingSamples { get; }

    /// <summary>
    /// Output delay in seconds: output sample n carries input sample n - <see cref="LatencySeconds"/> x rate.
    /// </summary>
    public double LatencySeconds => BufferingSamples / (double)SampleRate + 0.03;

    /// <summary>The delay in samples at the stream's rate, rounded to the nearest (exact at 8, 16, 32, 44.1 and 48 kHz).</summary>
    public int LatencySamples => (int)Math.Round(LatencySeconds * SampleRate);

    /// <summary>The highest speech probability over the channels in the most recent 10 ms frame.</summary>
    public float SpeechProbability { get; private set; }

    /// <summary>
    /// Denoises interleaved samples: <paramref name="input"/>.Length must be a multiple of
    /// <see cref="ChannelCount"/>; writes the same number of samples to <paramref name="output"/>
    /// (which may be the same span) and returns that count.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not whole sample frames, or the output is shorter than the input.</exception>
    public int Process(ReadOnlySpan<float> input, Span<float> output)
    {
        int nch = ChannelCount;
        if (input.Length % nch != 0)
            throw new ArgumentException($"input has {input.Length} samples, not a whole number of {nch}-channel sample frames", nameof(input));
        if (output.Length < input.Length)
            throw new ArgumentException($"output has room for {output.Length} samples; the input has {input.Length}", nameof(output));
        int frames = input.Length / nch;
        for (int start = 0; start < frames; start += Slice)
        {
            int n = Math.Min(Slice, frames - start);
            var inSlice = input.Slice(start * nch, n * nch);
            // Take every channel's input before writing any output: output may alias input.
            for (int c = 0; c < nch; c++)
            {
                var scratch = _channels[c].Scratch;
                for (int i = 0; i < n; i++) scratch[i] = inSlice[i * nch + c];
            }
            float speech = -1;
            for (int c = 0; c < nch; c++)
            {
                var ch = _channels[c];
                speech = Math.Max(speech, ch.Run(n, _frameOut));
                ch.Pop(n);
            }
            if (speech >= 0) SpeechProbability = speech;
            var outSlice = output.Slice(start * nch, n * nch);
            for (int c = 0; c < nch; c++)
            {
                var scratch = _channels[c].Scratch;
                for (int i = 0; i < n; i++) outSlice[i * nch + c] = scratch[i];
            }
        }
        return input.Length;
    }

    /// <summary>Starts a new stream: the output is then what a new instance gives.</summary>
    public void Reset()
    {
        foreach (var ch in _channels) ch.Reset(BufferingSamples);
        SpeechProbability = 0;
    }

    /// <summary>
    /// The most output samples a stream can owe its input: max over input counts k of
    /// k - (samples out after k in), for the chain in-resampler -> whole frames -> out-resampler.
    /// What is out after k in depends on k alone (not on how the input was split), and repeats
    /// with a period of at most one second of input, so two seconds past the filters' look-ahead
    /// cover every case.
    /// </summary>
    private static int MaxOwed(Resampler? up, Resampler? down)
    {
        int rate = up?.InputRate ?? FrameLayout.SampleRate;
        long h1 = up?.LookaheadInputSamples ?? 0, h2 = down?.LookaheadInputSamples ?? 0;
        long l1 = up?.UpFactor ?? 1, m1 = up?.DownFactor ?? 1, l2 = down?.UpFactor ?? 1, m2 = down?.DownFactor ?? 1;
        long owed = 0, end = 2L * rate + 2 * h1 + 4 * FrameLayout.FrameSize;
        for (long k = 1; k <= end; k++)
        {
            long at48 = CeilDiv(Math.Max(0, k - h1) * l1, m1);
            long framed = at48 / FrameLayout.FrameSize * FrameLayout.FrameSize;
            long back = CeilDiv(Math.Max(0, framed - h2) * l2, m2);
            owed = Math.Max(owed, k - back);
        }
        return checked((int)owed);
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;

    /// <summary>One channel's chain and buffers.</summary>
    private sealed class Channel
    {
        public readonly Denoiser Denoiser;
        public readonly Resampler? In, Out; // null at 48 kHz
        public readonly float[] Scratch = new float[Slice];
        private readonly float[] _at48;       // a slice at 48 kHz
        private readonly float[] _frame = new float[FrameLayout.FrameSize];
        private int _frameCount;
        private readonly float[] _back;       // one frame back at the stream's rate
        private float[] _fifo = [];           // ring buffer of output at the stream's rate
        private int _fifoStart, _fifoCount;

        public Channel(Denoiser denoiser, int rate)
        {
            Denoiser = denoiser;
            if (rate != FrameLayout.SampleRate)
            {
                In = new Resampler(rate, FrameLayout.SampleRate);
                Out = new Resampler(FrameLayout.SampleRate, rate);
            }
            _at48 = new float[(int)CeilDiv((long)Slice * FrameLayout.SampleRate, rate) + 2];
            _back = new float[(int)CeilDiv((long)FrameLayout.FrameSize * rate, FrameLayout.SampleRate) + 2];
        }

        /// <summary>
        /// The FIFO holds at most the primed zeros plus one slice (a slice's frames bring back no
        /// more than the slice, as the output never runs ahead of the input) and one frame's spare.
        /// </summary>
        public void Allocate(int zeros)
        {
            _fifo = new float[zeros + Slice + 2 * _back.Length];
            Prime(zeros);
        }

        private void Prime(int zeros)
        {
            _fifoStart = 0;
            _fifoCount = zeros;
            Array.Clear(_fifo);
        }

        /// <summary>Takes Scratch[..n] in; returns the highest speech probability of the frames run, or -1 if none.</summary>
        public float Run(int n, float[] frameOut)
        {
            ReadOnlySpan<float> at48 = Scratch.AsSpan(0, n);
            if (In != null)
            {
                int m = In.Process(at48, _at48);
                at48 = _at48.AsSpan(0, m);
            }
            float speech = -1;
            while (!at48.IsEmpty)
            {
                int take = Math.Min(FrameLayout.FrameSize - _frameCount, at48.Length);
                at48[..take].CopyTo(_frame.AsSpan(_frameCount));
                _frameCount += take;
                at48 = at48[take..];
                if (_frameCount < FrameLayout.FrameSize) break;
                _frameCount = 0;
                speech = Math.Max(speech, Denoiser.ProcessFrame(_frame, frameOut));
                ReadOnlySpan<float> back = frameOut;
                if (Out != null)
                {
                    int m = Out.Process(frameOut, _back);
                    back = _back.AsSpan(0, m);
                }
                Push(back);
            }
            return speech;
        }

        private void Push(ReadOnlySpan<float> samples)
        {
            if (_fifoCount + samples.Length > _fifo.Length)
                throw new InvalidOperationException("streaming denoiser: output FIFO overflow (a bug)");
            int end = (_fifoStart + _fifoCount) % _fifo.Length;
            int first = Math.Min(samples.Length, _fifo.Length - end);
            samples[..first].CopyTo(_fifo.AsSpan(end));
            samples[first..].CopyTo(_fifo);
            _fifoCount += samples.Length;
        }

        /// <summary>Moves the oldest n output samples into Scratch[..n].</summary>
        public void Pop(int n)
        {
            if (n > _fifoCount)
                throw new InvalidOperationException("streaming denoiser: output FIFO ran dry (a bug)");
            int first = Math.Min(n, _fifo.Length - _fifoStart);
            _fifo.AsSpan(_fifoStart, first).CopyTo(Scratch);
            _fifo.AsSpan(0, n - first).CopyTo(Scratch.AsSpan(first));
            _fifoStart = (_fifoStart + n) % _fifo.Length;
            _fifoCount -= n;
        }

        public void Reset(int zeros)
        {
            Denoiser.Reset();
            In?.Reset();
            Out?.Reset();
            _frameCount = 0;
            Prime(zeros);
        }
    }
}
