using System.Buffers.Binary;

namespace PercepNet.Audio;

/// <summary>
/// Streaming WAV reader: parses the RIFF header once, then decodes the data chunk in chunks of planar
/// floats. Memory use is constant (one byte buffer of <see cref="BufferBytes"/>) whatever the file
/// length, and <see cref="Read"/> allocates nothing.
/// </summary>
/// <remarks>
/// Reads integer PCM 8/16/24/32-bit and IEEE float 32/64-bit, with a plain (tag 1 or 3) or a
/// WAVE_FORMAT_EXTENSIBLE fmt chunk, any channel count and sample rate. Unknown chunks (LIST, bext,
/// cue, JUNK, ...) are skipped wherever they are, including odd-sized ones with their pad byte.
/// A data chunk size of 0xFFFFFFFF (written by some streaming encoders) means "to the end of the file";
/// a trailing partial frame is ignored. Not supported (InvalidDataException): RF64, big-endian RIFX,
/// compressed encodings (ADPCM, mu-law, A-law, MP3...).
/// <para>Pipes, FIFOs and process substitution (streams that cannot seek) are read front to back:
/// the fmt chunk must come before the data chunk, the header's data size is only an upper bound
/// (<see cref="Streamed"/>), and the data ends where the stream ends.</para>
/// </remarks>
public sealed class WavReader : IDisposable
{
    private const int BufferBytes = 1 << 16;
    private readonly FileStream _stream;
    private readonly byte[] _buffer;
    private readonly long _dataOffset;

    /// <summary>Most channels a file may have: beyond any real recording, and what keeps memory bounded whatever a header says.</summary>
    public const int MaxChannels = 64;

    /// <summary>Lowest sample rate accepted (Hz): below any real recording; a 1 Hz header would otherwise resample to hours of audio.</summary>
    public const int MinSampleRate = 1000;

    /// <summary>Highest sample rate accepted (Hz): 768 kHz, the highest rate of real converters.</summary>
    public const int MaxSampleRate = 768000;

    /// <summary>Opens a WAV file (or a pipe carrying one) and validates its header.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// Not a RIFF/WAVE file, truncated, or an unsupported encoding; the message names the file and the problem.
    /// </exception>
    public WavReader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found.", path);
        Path = path;
        // bufferSize 1 = no FileStream buffer: we always read in large blocks into our own buffer.
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        try
        {
            Streamed = !_stream.CanSeek;
            if (Streamed)
            {
                (Format, FrameCount) = ParseHeaderStreamed(_stream, path);
            }
            else
            {
                (Format, _dataOffset, FrameCount) = ParseHeader(_stream, path);
                _stream.Position = _dataOffset;
            }
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
        int framesPerBuffer = Math.Max(1, BufferBytes / Format.BlockAlign);
        _buffer = new byte[framesPerBuffer * Format.BlockAlign];
    }

    /// <summary>The file being read.</summary>
    public string Path { get; }

    /// <summary>Sample format found in the fmt chunk.</summary>
    public WavFormat Format { get; }

    /// <summary>
    /// Number of complete frames in the data chunk. When <see cref="Streamed"/>, only an upper bound
    /// (the header's claim, or <see cref="long.MaxValue"/> for "unknown") until <see cref="Read"/>
    /// has returned 0; from then on the frames there were.
    /// </summary>
    public long FrameCount { get; private set; }

    /// <summary>True when the source cannot seek (a pipe or FIFO): read front to back, length known only at the end.</summary>
    public bool Streamed { get; }

    /// <summary>Frames read so far (the index of the next frame <see cref="Read"/> returns).</summary>
    public long Position { get; private set; }

    /// <summary>Sample rate in Hz.</summary>
    public int SampleRate => Format.SampleRate;

    /// <summary>Channel count.</summary>
    public int Channels => Format.Channels;

    /// <summary>Duration of the data chunk.</summary>
    // Tick-exact: TimeSpan.FromSeconds(double) would round to whole milliseconds.
    public TimeSpan Duration => TimeSpan.FromTicks((long)Math.Round((double)FrameCount * TimeSpan.TicksPerSecond / Format.SampleRate));

    /// <summary>
    /// Reads up to <paramref name="count"/> frames into channels[c][offset..offset+n) for every channel c
    /// and returns n; 0 only at the end of the data. Floats are in [-1, 1) for integer PCM.
    /// Allocates nothing.
    /// </summary>
    /// <param name="channels">One array per channel (exactly <see cref="Channels"/> arrays).</param>
    /// <param name="offset">First index written in each array.</param>
    /// <param name="count">Maximum frames to read; each array needs offset + count elements.</param>
    /// <exception cref="InvalidDataException">The file became shorter while being read.</exception>
    public int Read(float[][] channels, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length != Format.Channels)
            throw new ArgumentException($"Expected {Format.Channels} channel arrays, got {channels.Length}.", nameof(channels));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        foreach (var a in channels)
            if (a.Length < offset + count)
                throw new ArgumentException($"Each channel array needs {offset + count} elements; one has {a.Length}.", nameof(channels));

        int block = Format.BlockAlign, total = 0;
        count = (int)Math.Min(count, FrameCount - Position);
        while (total < count)
        {
            int frames = Math.Min(count - total, _buffer.Length / block);
            var bytes = _buffer.AsSpan(0, frames * block);
            int got = _stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length)
            {
                if (!Streamed)
                    throw new InvalidDataException(
                        $"{Path}: file ended at frame {Position + got / block} of {FrameCount} (was it truncated while being read?).");
                // A stream ends where it ends (the header's size was a bound); a partial last frame is dropped.
                frames = got / block;
                SampleCodec.Decode(Format, bytes[..(frames * block)], channels, offset + total, frames);
                total += frames;
                Position += frames;
                FrameCount = Position;
                break;
            }
            SampleCodec.Decode(Format, bytes, channels, offset + total, frames);
            total += frames;
            Position += frames;
        }
        return total;
    }

    /// <summary>Moves to frame <paramref name="frame"/> (0..<see cref="FrameCount"/>).</summary>
    public void Seek(long frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frame, FrameCount);
        if (Streamed) throw new NotSupportedException($"{Path}: a pipe cannot seek");
        _stream.Position = _dataOffset + frame * Format.BlockAlign;
        Position = frame;
    }

    public void Dispose() => _stream.Dispose();

    private static (WavFormat Format, long DataOffset, long Frames) ParseHeader(FileStream s, string path)
    {
        long fileLength = s.Length;
        Span<byte> head = stackalloc byte[12];
        if (s.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12)
            throw Bad(path, $"only {fileLength} bytes, too short for a WAV header");
        CheckRiff(head, path);

        WavFormat? format = null;
        long dataOffset = -1, dataBytes = 0;
        Span<byte> chunkHead = stackalloc byte[8];
        long pos = 12;
        // The RIFF size field is often wrong (streamed or crashed writers), so walk to the real file end.
        while (pos + 8 <= fileLength && (format == null || dataOffset < 0))
        {
            s.Position = pos;
            s.ReadExactly(chunkHead);
            string id = FourCC(chunkHead[..4]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHead[4..]);
            long body = pos + 8;
            if (id == "fmt ")
            {
                if (size < 16 || body + size > fileLength)
                    throw Bad(path, $"fmt chunk of {size} bytes is {(size < 16 ? "too small (need 16)" : "cut off by the end of the file")}");
                var fmt = new byte[Math.Min(size, 64)];
                s.ReadExactly(fmt);
                format = ParseFmt(fmt, path);
            }
            else if (id == "data")
            {
                dataOffset = body;
                if (size == uint.MaxValue) size = fileLength - body; // "unknown length" marker
                else if (body + size > fileLength)
                    throw Bad(path, $"truncated: the data chunk declares {size} bytes but only {fileLength - body} follow");
                dataBytes = size;
            }
            pos = body + size + (size & 1); // chunks are padded to an even size
        }
        if (format == null)
            throw Bad(path, dataOffset < 0 ? "no fmt or data chunk (truncated header?)" : "no fmt chunk");
        if (dataOffset < 0)
            throw Bad(path, "no data chunk (truncated?)");
        return (format, dataOffset, dataBytes / format.BlockAlign);
    }

    /// <summary>
    /// The header of a stream that cannot seek, read front to back up to the start of the data:
    /// chunks before it are skipped by reading them. Returns the format and the data size in frames
    /// as the header claims it (<see cref="long.MaxValue"/> for the "unknown" markers 0 and 0xFFFFFFFF).
    /// </summary>
    private static (WavFormat Format, long Frames) ParseHeaderStreamed(Stream s, string path)
    {
        Span<byte> head = stackalloc byte[12];
        int got = s.ReadAtLeast(head, 12, throwOnEndOfStream: false);
        if (got < 12) throw Bad(path, $"the stream ended after {got} bytes, too short for a WAV header");
        CheckRiff(head, path);
        WavFormat? format = null;
        Span<byte> chunkHead = stackalloc byte[8];
        var skip = new byte[1 << 16];
        while (true)
        {
            if (s.ReadAtLeast(chunkHead, 8, throwOnEndOfStream: false) < 8)
                throw Bad(path, format == null ? "no fmt or data chunk (truncated header?)" : "no data chunk (truncated?)");
            string id = FourCC(chunkHead[..4]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHead[4..]);
            if (id == "data")
            {
                if (format == null) throw Bad(path, "the data chunk comes before the fmt chunk, which a pipe cannot read (save it to a file first)");
                return (format, size is 0 or uint.MaxValue ? long.MaxValue : size / format.BlockAlign);
            }
            if (id == "fmt ")
            {
                if (size < 16 || size > 1024) throw Bad(path, $"fmt chunk of {size} bytes (expected 16 to 1024)");
                var fmt = new byte[size];
                if (s.ReadAtLeast(fmt, fmt.Length, throwOnEndOfStream: false) < fmt.Length) throw Bad(path, "the stream ended inside the fmt chunk");
                format = ParseFmt(fmt.AsSpan(0, (int)Math.Min(size, 64)), path);
            }
            // The rest of the chunk (all of it for chunks we do not read) and its pad byte.
            for (long left = (id == "fmt " ? 0 : size) + (size & 1); left > 0;)
            {
                int n = s.Read(skip, 0, (int)Math.Min(left, skip.Length));
                if (n == 0) throw Bad(path, $"the stream ended inside the {id.Trim()} chunk");
                left -= n;
            }
        }
    }

    private static void CheckRiff(ReadOnlySpan<byte> head, string path)
    {
        string riff = FourCC(head[..4]);
        if (riff is "RF64" or "BW64")
            throw Bad(path, $"{riff} (WAV larger than 4 GiB) is not supported");
        if (riff == "RIFX")
            throw Bad(path, "big-endian RIFX is not supported");
        if (riff != "RIFF" || FourCC(head[8..12]) != "WAVE")
            throw Bad(path, $"not a WAV file (starts with \"{Printable(head[..4])}\", expected \"RIFF....WAVE\")");
    }

    // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT are {0000000X-0000-0010-8000-00AA00389B71}; the first two
    // bytes hold the plain format tag and the remaining 14 are this fixed suffix (little-endian layout).
    private static ReadOnlySpan<byte> GuidSuffix => [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    private static WavFormat ParseFmt(ReadOnlySpan<byte> f, string path)
    {
        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(f);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(f[2..]);
        uint rate = BinaryPrimitives.ReadUInt32LittleEndian(f[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(f[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(f[14..]);
        bool extensible = tag == WavFormat.TagExtensible;
        uint mask = 0;
        ushort encodingTag = tag;
        if (extensible)
        {
            if (f.Length < 40)
                throw Bad(path, $"WAVE_FORMAT_EXTENSIBLE fmt chunk has {f.Length} bytes, needs 40");
            mask = BinaryPrimitives.ReadUInt32LittleEndian(f[20..]);
            var guid = f.Slice(24, 16);
            if (!guid[2..].SequenceEqual(GuidSuffix))
                throw Bad(path, $"unsupported WAVE_FORMAT_EXTENSIBLE sub-format {new Guid(guid)}");
            encodingTag = BinaryPrimitives.ReadUInt16LittleEndian(guid);
        }
        var encoding = encodingTag switch
        {
            WavFormat.TagPcm => WavEncoding.Pcm,
            WavFormat.TagIeeeFloat => WavEncoding.IeeeFloat,
            _ => throw Bad(path, $"unsupported encoding (format tag 0x{encodingTag:X4}{TagName(encodingTag)}); "
                                 + "supported: PCM and IEEE float"),
        };
        if (channels == 0) throw Bad(path, "fmt chunk says 0 channels");
        if (channels > MaxChannels) throw Bad(path, $"fmt chunk says {channels} channels; at most {MaxChannels} are supported");
        if (rate < MinSampleRate || rate > MaxSampleRate)
            throw Bad(path, $"fmt chunk says sample rate {rate} Hz; supported: {MinSampleRate} to {MaxSampleRate} Hz");
        if (blockAlign == 0 || blockAlign % channels != 0)
            throw Bad(path, $"block align {blockAlign} is not a multiple of the channel count {channels}");
        // Samples narrower than their container (e.g. 20 valid bits in 24, or wBitsPerSample 12 in a
        // 16-bit slot) are left-justified, so decoding the whole container is correct.
        int container = blockAlign / channels * 8;
        if (bits == 0 || bits > container)
            throw Bad(path, $"{bits} bits per sample do not fit the {container}-bit container implied by block align {blockAlign}");
        // Without WAVE_FORMAT_EXTENSIBLE the container is the bits rounded up to whole bytes: a
        // block align that says otherwise (16 bits in 4 bytes per mono frame) is a broken header,
        // not a 32-bit file.
        if (!extensible && container != (bits + 7) / 8 * 8)
            throw Bad(path, $"block align {blockAlign} does not match {channels} channel(s) of {bits} bits (expected {channels * ((bits + 7) / 8)})");
        var format = new WavFormat(encoding, container, (int)rate, channels, extensible, mask);
        string? problem = format.Problem();
        if (problem != null) throw Bad(path, problem);
        return format;
    }

    private static string TagName(ushort tag) => tag switch
    {
        2 => ", Microsoft ADPCM",
        6 => ", A-law",
        7 => ", mu-law",
        0x11 => ", IMA ADPCM",
        0x55 => ", MP3",
        _ => "",
    };

    private static string FourCC(ReadOnlySpan<byte> b) => System.Text.Encoding.ASCII.GetString(b);

    private static string Printable(ReadOnlySpan<byte> b)
    {
        Span<char> c = stackalloc char[b.Length];
        for (int i = 0; i < b.Length; i++) c[i] = b[i] is >= 32 and < 127 ? (char)b[i] : '?';
        return new string(c);
    }

    private static InvalidDataException Bad(string path, string problem) => new($"{path}: {problem}.");
}
