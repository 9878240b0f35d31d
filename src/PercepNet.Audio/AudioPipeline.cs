using System.Diagnostics;
using PercepNet.Dsp;

namespace PercepNet.Audio;

/// <summary>
/// Runs per-channel 48 kHz frame processors (<see cref="IFrameProcessor"/>, e.g. the Denoiser) over a WAV file in constant memory:
/// read chunk -> resample each channel to 48 kHz -> processor -> resample back -> write, in the input's
/// format (rate, channels, encoding, bit depth). The output has exactly the input's length and is
/// time-aligned with it: the resamplers have no delay (see <see cref="Resampler"/>) and the processor's
/// <see cref="IFrameProcessor.LatencySamples"/> is compensated. With an identity processor a 48 kHz file
/// comes out sample for sample identical; other rates differ only by what the resampler removes
/// (everything above 0.4535 x the sample rate). Non-finite input samples (NaN, infinity in float files)
/// are replaced by 0 before processing. Memory use does not depend on the file length, and nothing is
/// allocated per chunk once running.
/// </summary>
public static class AudioPipeline
{
    /// <summary>The rate processors run at (the denoiser's rate).</summary>
    public const int ProcessingRate = 48000;

    /// <summary>Samples per processor call: one frame, 480 samples = 10 ms at 48 kHz.</summary>
    private const int blockSize = FrameLayout.FrameSize;

    // Input frames per read. OPT: large enough to amortise per-call overhead, small enough for the cache.
    private const int ChunkFrames = 8192;

    /// <summary>Processes <paramref name="inputPath"/> into <paramref name="outputPath"/>.</summary>
    /// <param name="inputPath">WAV file, any supported format, rate and channel count.</param>
    /// <param name="outputPath">Destination; written safely (temporary file + rename), never the input.</param>
    /// <param name="createProcessor">
    /// Called once per channel with the channel index (0-based). Processors that are <see cref="IDisposable"/>
    /// are disposed when the run ends, successfully or not.
    /// </param>
    /// <param name="progress">Called with the fraction done (0..1) after each chunk and with 1 at the end; may be null.</param>
    /// <param name="warmUpSeconds">
    /// Warm start (0: none): before the file is processed, its first <paramref name="warmUpSeconds"/> seconds (all of
    /// it if shorter) run through each channel's processor and their output is discarded; the file is then processed
    /// from its start by the processor in the state the warm-up left, as if the warm-up audio had come just before
    /// it. A recurrent denoiser then meets the file's first seconds already knowing its noise, as it does the rest
    /// (docs/experiments.md, thirteenth sitting). The output keeps the input's length and alignment. A WAV read from a
    /// pipe cannot be read twice and is processed without warm-up.
    /// </param>
    /// <param name="cancellationToken">Checked between chunks; on cancellation no output file is left.</param>
    /// <exception cref="FileNotFoundException">The input does not exist.</exception>
    /// <exception cref="InvalidDataException">The input is not a readable WAV file.</exception>
    /// <exception cref="ArgumentException">The output path is the input file.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="warmUpSeconds"/> is negative or not finite.</exception>
    public static void ProcessFile(
        string inputPath, string outputPath, Func<int, IFrameProcessor> createProcessor,
        Action<double>? progress = null, double warmUpSeconds = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createProcessor);
        if (!double.IsFinite(warmUpSeconds) || warmUpSeconds < 0)
            throw new ArgumentOutOfRangeException(nameof(warmUpSeconds), warmUpSeconds, "the warm-up must be a finite number of seconds >= 0");
        if (FileIdentity.Same(outputPath, inputPath))
            throw new ArgumentException($"{outputPath}: output path is the input file; refusing to overwrite the input.", nameof(outputPath));
        using var reader = new WavReader(inputPath);
        var format = reader.Format;
        using var writer = new WavWriter(outputPath, format, inputPath);
        var channels = new ChannelState[format.Channels];
        var processors = new List<IFrameProcessor>(format.Channels);
        try
        {
            // From a pipe the length is known only at its end: until then nothing is capped.
            long frames = reader.Streamed ? long.MaxValue : reader.FrameCount;
            long frames48 = reader.Streamed ? long.MaxValue : Resampler.OutputLength(frames, format.SampleRate, ProcessingRate);
            for (int c = 0; c < channels.Length; c++)
            {
                var processor = createProcessor(c) ?? throw new InvalidOperationException($"The processor factory returned null for channel {c}.");
                processors.Add(processor);
                if (processor.LatencySamples < 0)
                    throw new ArgumentException($"Processor of channel {c} reports a negative delay ({processor.LatencySamples}).", nameof(createProcessor));
                channels[c] = new ChannelState(processor, format.SampleRate, frames48);
            }
            var input = new float[format.Channels][];
            for (int c = 0; c < input.Length; c++) input[c] = new float[ChunkFrames];
            var output = new float[format.Channels][];
            if (warmUpSeconds > 0 && !reader.Streamed && frames > 0)
                WarmUp(inputPath, processors, Math.Min(frames, (long)Math.Round(warmUpSeconds * format.SampleRate)), input, cancellationToken);

            int n;
            while ((n = reader.Read(input, 0, ChunkFrames)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (int c = 0; c < channels.Length; c++)
                    channels[c].Push(input[c].AsSpan(0, n));
                WriteReady(writer, channels, output, frames);
                if (!reader.Streamed) progress?.Invoke((double)reader.Position / Math.Max(1, frames));
            }
            cancellationToken.ThrowIfCancellationRequested(); // a pipe may end because its writer was stopped too
            if (reader.Streamed)
            {
                frames = reader.FrameCount;
                frames48 = Resampler.OutputLength(frames, format.SampleRate, ProcessingRate);
                foreach (var ch in channels) ch.Total48 = frames48;
            }
            foreach (var ch in channels) ch.Finish();
            WriteReady(writer, channels, output, frames);
            Debug.Assert(writer.FramesWritten == frames);
            writer.Complete();
        }
        finally
        {
            // The pipeline created the processors (through the factory), so it disposes them.
            foreach (var p in processors) (p as IDisposable)?.Dispose();
        }
        progress?.Invoke(1);
    }

    /// <summary>
    /// Runs the first <paramref name="warmFrames"/> frames of <paramref name="path"/> through the processors (one per
    /// channel, resampled to 48 kHz as in the main pass) and discards their output. No flush: the processors see
    /// only whole blocks of real audio, so the main pass continues the same stream with the file's start.
    /// </summary>
    private static void WarmUp(string path, List<IFrameProcessor> processors, long warmFrames, float[][] buffer, CancellationToken ct)
    {
        using var reader = new WavReader(path);
        var states = new ChannelState[processors.Count];
        for (int c = 0; c < states.Length; c++) states[c] = new ChannelState(processors[c], reader.Format.SampleRate, long.MaxValue);
        long left = warmFrames;
        int n;
        while (left > 0 && (n = reader.Read(buffer, 0, (int)Math.Min(ChunkFrames, left))) > 0)
        {
            ct.ThrowIfCancellationRequested();
            for (int c = 0; c < states.Length; c++)
            {
                states[c].Push(buffer[c].AsSpan(0, n));
                states[c].Out.Consume(states[c].Out.Count);
            }
            left -= n;
        }
    }

    /// <summary>What <see cref="ProcessRaw"/> has done so far (updated as it goes, so a caller that
    /// catches an exception still knows how far the stream got).</summary>
    public sealed class RawProgress
    {
        /// <summary>Frames (one sample per channel) read from the input.</summary>
        public long FramesRead { get; internal set; }

        /// <summary>Frames written to the output.</summary>
        public long FramesWritten { get; internal set; }

        /// <summary>Bytes at the end of the input that did not make a whole frame (dropped).</summary>
        public int TrailingBytes { get; internal set; }
    }

    /// <summary>
    /// Processes a raw stream: interleaved 16-bit little-endian PCM at <paramref name="sampleRate"/>
    /// with <paramref name="channelCount"/> channels in, the same format out, as long as the input and
    /// time-aligned with it (each channel through its own processor at 48 kHz, resampled as
    /// <see cref="ProcessFile"/> does). For live use: whatever the input delivers is processed and
    /// written at once, so the added delay is the processor's latency plus the resamplers' look-ahead
    /// (none at 48 kHz), not a read chunk.
    /// </summary>
    /// <param name="progress">Receives the counts as they change; may be null.</param>
    /// <exception cref="IOException">Reading or writing failed (e.g. the output pipe's reader went away).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; checked between reads.</exception>
    public static void ProcessRaw(Stream input, Stream output, int sampleRate, int channelCount,
        Func<int, IFrameProcessor> createProcessor, RawProgress? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(createProcessor);
        if (sampleRate < WavReader.MinSampleRate || sampleRate > WavReader.MaxSampleRate)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, $"expected {WavReader.MinSampleRate}..{WavReader.MaxSampleRate} Hz");
        if (channelCount < 1 || channelCount > WavReader.MaxChannels)
            throw new ArgumentOutOfRangeException(nameof(channelCount), channelCount, $"expected 1..{WavReader.MaxChannels} channels");
        progress ??= new RawProgress();
        var format = WavFormat.Pcm16(sampleRate, channelCount);
        var channels = new ChannelState[channelCount];
        var processors = new List<IFrameProcessor>(channelCount);
        int frameBytes = format.BlockAlign;
        var inBytes = new byte[ChunkFrames * frameBytes];
        var outBytes = new byte[ChunkFrames * frameBytes];
        var samples = new float[channelCount][];
        var outChannels = new float[channelCount][];
        try
        {
            for (int c = 0; c < channelCount; c++)
            {
                var processor = createProcessor(c) ?? throw new InvalidOperationException($"The processor factory returned null for channel {c}.");
                processors.Add(processor);
                channels[c] = new ChannelState(processor, sampleRate, long.MaxValue);
                samples[c] = new float[ChunkFrames];
            }
            int carry = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int got = input.Read(inBytes, carry, inBytes.Length - carry);
                if (got == 0) break;
                int have = carry + got, frames = have / frameBytes;
                SampleCodec.Decode(format, inBytes, samples, 0, frames);
                carry = have - frames * frameBytes;
                inBytes.AsSpan(frames * frameBytes, carry).CopyTo(inBytes);
                progress.FramesRead += frames;
                for (int c = 0; c < channelCount; c++) channels[c].Push(samples[c].AsSpan(0, frames));
                WriteRawReady(output, format, channels, outChannels, outBytes, progress, long.MaxValue);
                output.Flush();
            }
            cancellationToken.ThrowIfCancellationRequested();
            progress.TrailingBytes = carry;
            long frames48 = Resampler.OutputLength(progress.FramesRead, sampleRate, ProcessingRate);
            foreach (var ch in channels)
            {
                ch.Total48 = frames48;
                ch.Finish();
            }
            WriteRawReady(output, format, channels, outChannels, outBytes, progress, progress.FramesRead);
            Debug.Assert(progress.FramesWritten == progress.FramesRead);
            output.Flush();
        }
        finally
        {
            foreach (var p in processors) (p as IDisposable)?.Dispose();
        }
    }

    /// <summary>Writes, interleaved in <paramref name="format"/>, the frames every channel has ready (at most up to <paramref name="totalFrames"/>).</summary>
    private static void WriteRawReady(Stream output, WavFormat format, ChannelState[] channels, float[][] data, byte[] bytes, RawProgress progress, long totalFrames)
    {
        while (true)
        {
            int ready = int.MaxValue;
            foreach (var ch in channels) ready = Math.Min(ready, ch.Out.Count);
            ready = (int)Math.Min(Math.Min(ready, totalFrames - progress.FramesWritten), bytes.Length / format.BlockAlign);
            if (ready <= 0) return;
            for (int c = 0; c < channels.Length; c++) data[c] = channels[c].Out.Data;
            SampleCodec.Encode(format, data, 0, ready, bytes);
            output.Write(bytes, 0, ready * format.BlockAlign);
            foreach (var ch in channels) ch.Out.Consume(ready);
            progress.FramesWritten += ready;
        }
    }

    /// <summary>Writes the frames every channel has ready (at most up to the input length).</summary>
    private static void WriteReady(WavWriter writer, ChannelState[] channels, float[][] output, long totalFrames)
    {
        int ready = int.MaxValue;
        foreach (var ch in channels) ready = Math.Min(ready, ch.Out.Count);
        ready = (int)Math.Min(ready, totalFrames - writer.FramesWritten);
        if (ready <= 0) return;
        for (int c = 0; c < channels.Length; c++) output[c] = channels[c].Out.Data;
        writer.Write(output, 0, ready);
        foreach (var ch in channels) ch.Out.Consume(ready);
    }

    /// <summary>One channel's chain: upsampler -> block FIFO -> processor (delay dropped) -> downsampler -> output FIFO.</summary>
    private sealed class ChannelState(IFrameProcessor processor, int rate, long total48)
    {
        /// <summary>Samples at 48 kHz the output is cut to (set at the end of a pipe, when it becomes known).</summary>
        public long Total48 { get; set; } = total48;

        private readonly Resampler _up = new(rate, ProcessingRate);
        private readonly Resampler _down = new(ProcessingRate, rate);
        private readonly Fifo _in48 = new();
        private readonly float[] _processed = new float[blockSize];
        private readonly int _delay = processor.LatencySamples;
        private long _dropped, _sentDown;

        public Fifo Out { get; } = new();

        public void Push(Span<float> input)
        {
            // Defined path for broken float files: a NaN or infinity would spread over the resampler's
            // whole filter length and could poison a recurrent processor's state for good.
            foreach (ref float v in input)
                if (!float.IsFinite(v)) v = 0;
            int n = _up.OutputLength(input.Length);
            _up.Process(input, _in48.Reserve(n));
            RunBlocks();
        }

        public void Finish()
        {
            _up.Flush(_in48.Reserve(_up.FlushLength));
            // The processor's last DelaySamples outputs belong to input it has not seen yet: feed zeros,
            // then pad to a whole block (what lies past the end is discarded).
            int tail = _delay + (int)((blockSize - (_in48.Count + _delay) % blockSize) % blockSize);
            _in48.Reserve(tail).Clear();
            RunBlocks();
            Debug.Assert(_in48.Count == 0 && _sentDown == Total48);
            _down.Flush(Out.Reserve(_down.FlushLength));
        }

        private void RunBlocks()
        {
            int offset = 0;
            for (; _in48.Count - offset >= blockSize; offset += blockSize)
            {
                processor.ProcessFrame(_in48.Data.AsSpan(offset, blockSize), _processed);
                var block = _processed.AsSpan();
                int drop = (int)Math.Min(_delay - _dropped, block.Length);
                _dropped += drop;
                block = block[drop..];
                block = block[..(int)Math.Min(block.Length, Total48 - _sentDown)];
                _sentDown += block.Length;
                _down.Process(block, Out.Reserve(_down.OutputLength(block.Length)));
            }
            _in48.Consume(offset); // OPT: one move per chunk, not per block
        }
    }

    /// <summary>A growable array used as a FIFO: data in [0, Count). Grows only while warming up.</summary>
    private sealed class Fifo
    {
        public float[] Data { get; private set; } = new float[ChunkFrames];

        public int Count { get; private set; }

        /// <summary>Appends <paramref name="n"/> slots and returns them for the caller to fill.</summary>
        public Span<float> Reserve(int n)
        {
            if (Count + n > Data.Length)
            {
                var bigger = new float[Math.Max(Count + n, 2 * Data.Length)];
                Data.AsSpan(0, Count).CopyTo(bigger);
                Data = bigger;
            }
            var span = Data.AsSpan(Count, n);
            Count += n;
            return span;
        }

        public void Consume(int n)
        {
            Data.AsSpan(n, Count - n).CopyTo(Data);
            Count -= n;
        }
    }
}
