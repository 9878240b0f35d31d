using System.Buffers.Binary;

namespace PercepNet.Audio;

/// <summary>
/// Streaming, crash-safe WAV writer. Samples go to a hidden temporary file in the destination folder;
/// <see cref="Complete"/> fills in the header sizes and renames it over <see cref="Path"/>. Until then
/// the destination is untouched, and disposing without <see cref="Complete"/> (an exception, a
/// cancelled run) deletes the temporary file, so a half-written WAV never appears under the real name.
/// <see cref="Write"/> allocates nothing.
/// </summary>
/// <remarks>
/// Integer PCM is rounded to nearest and clipped (see the format's range); floats are stored as they are.
/// A plain header is written as tag 1 (PCM, 16-byte fmt) or 3 (float, 18-byte fmt + fact chunk);
/// <see cref="WavFormat.Extensible"/> formats get the 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk.
/// </remarks>
public sealed class WavWriter : IDisposable
{
    private const int BufferBytes = 1 << 16;
    private readonly FileStream _stream;
    private readonly byte[] _buffer;
    private readonly string _tempPath;
    private readonly int _factSizeOffset; // -1 without fact chunk
    private readonly int _dataSizeOffset;
    private bool _done;

    /// <summary>Starts writing a WAV file.</summary>
    /// <param name="path">Destination; replaced only when <see cref="Complete"/> succeeds.</param>
    /// <param name="format">Sample format to write (see <see cref="WavFormat.Problem"/>).</param>
    /// <param name="inputPath">
    /// The file the audio comes from, if any: writing to the same path throws, so a failed or buggy run
    /// can never destroy its own input.
    /// </param>
    /// <exception cref="ArgumentException">Unsupported format, or <paramref name="path"/> is the input file.</exception>
    /// <exception cref="DirectoryNotFoundException">The destination folder does not exist.</exception>
    public WavWriter(string path, WavFormat format, string? inputPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(format);
        string? problem = format.Problem();
        if (problem != null) throw new ArgumentException($"Cannot write {format}: {problem}.", nameof(format));
        if (inputPath != null && FileIdentity.Same(path, inputPath))
            throw new ArgumentException($"{path}: output path is the input file; refusing to overwrite the input.", nameof(path));
        string full = System.IO.Path.GetFullPath(path);
        string dir = System.IO.Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"{path}: folder {dir} does not exist.");
        Path = path;
        Format = format;
        _tempPath = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        _stream = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        _buffer = new byte[Math.Max(1, BufferBytes / format.BlockAlign) * format.BlockAlign];
        try
        {
            var header = BuildHeader(format, out _factSizeOffset, out _dataSizeOffset);
            _stream.Write(header);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Final destination.</summary>
    public string Path { get; }

    /// <summary>Format being written.</summary>
    public WavFormat Format { get; }

    /// <summary>Frames written so far.</summary>
    public long FramesWritten { get; private set; }

    /// <summary>Writes channels[c][offset..offset+count) for every channel c as interleaved frames.</summary>
    /// <exception cref="IOException">The data would exceed the 4 GiB limit of a RIFF file.</exception>
    public void Write(float[][] channels, int offset, int count)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length != Format.Channels)
            throw new ArgumentException($"Expected {Format.Channels} channel arrays, got {channels.Length}.", nameof(channels));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        foreach (var a in channels)
            if (a.Length < offset + count)
                throw new ArgumentException($"Each channel array needs {offset + count} elements; one has {a.Length}.", nameof(channels));
        int block = Format.BlockAlign;
        if (_dataSizeOffset + 8 + (FramesWritten + count) * block > uint.MaxValue)
            throw new IOException($"{Path}: more than 4 GiB of samples; RIFF/WAV cannot hold that (RF64 is not supported).");
        for (int done = 0; done < count;)
        {
            int frames = Math.Min(count - done, _buffer.Length / block);
            SampleCodec.Encode(Format, channels, offset + done, frames, _buffer);
            _stream.Write(_buffer, 0, frames * block);
            done += frames;
        }
        FramesWritten += count;
    }

    /// <summary>
    /// Finishes the header, flushes to disk and atomically renames the temporary file to <see cref="Path"/>
    /// (replacing any existing file). The writer is closed afterwards.
    /// </summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        long dataBytes = FramesWritten * Format.BlockAlign;
        if ((dataBytes & 1) != 0) _stream.WriteByte(0); // pad byte: chunks have even sizes
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)(_stream.Length - 8));
        _stream.Position = 4;
        _stream.Write(u32);
        if (_factSizeOffset >= 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)Math.Min(FramesWritten, uint.MaxValue));
            _stream.Position = _factSizeOffset + 8;
            _stream.Write(u32);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)dataBytes);
        _stream.Position = _dataSizeOffset + 4;
        _stream.Write(u32);
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        _done = true;
        try
        {
            File.Move(_tempPath, Path, overwrite: true);
        }
        catch
        {
            DeleteTemp(); // e.g. the destination is a folder or read-only: leave nothing behind
            throw;
        }
    }

    /// <summary>Closes the writer; without a prior <see cref="Complete"/> the partial file is deleted.</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        _stream.Dispose();
        DeleteTemp();
    }

    private void DeleteTemp()
    {
        try { File.Delete(_tempPath); }
        catch (IOException) { } // best effort: the hidden .tmp name says what it is
        catch (UnauthorizedAccessException) { }
    }

    private static byte[] BuildHeader(WavFormat f, out int factOffset, out int dataOffset)
    {
        bool isFloat = f.Encoding == WavEncoding.IeeeFloat;
        int fmtSize = f.Extensible ? 40 : isFloat ? 18 : 16;
        bool fact = isFloat; // a fact chunk is required for every non-PCM format
        int size = 12 + 8 + fmtSize + (fact ? 12 : 0) + 8;
        var h = new byte[size];
        var s = h.AsSpan();
        "RIFF"u8.CopyTo(s);
        "WAVE"u8.CopyTo(s[8..]);
        "fmt "u8.CopyTo(s[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)fmtSize);
        var fmt = s.Slice(20, fmtSize);
        ushort plainTag = isFloat ? WavFormat.TagIeeeFloat : WavFormat.TagPcm;
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, f.FormatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt[2..], (ushort)f.Channels);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt[4..], (uint)f.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt[8..], (uint)((long)f.SampleRate * f.BlockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt[12..], (ushort)f.BlockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt[14..], (ushort)f.BitsPerSample);
        if (fmtSize >= 18) BinaryPrimitives.WriteUInt16LittleEndian(fmt[16..], (ushort)(fmtSize - 18)); // cbSize
        if (f.Extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt[18..], (ushort)f.BitsPerSample); // wValidBitsPerSample
            BinaryPrimitives.WriteUInt32LittleEndian(fmt[20..], f.ChannelMask);
            // Sub-format GUID {0000000X-0000-0010-8000-00AA00389B71}, X = plain tag.
            new Guid(plainTag, 0x0000, 0x0010, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71).TryWriteBytes(fmt[24..]);
        }
        int p = 20 + fmtSize;
        factOffset = -1;
        if (fact)
        {
            factOffset = p;
            "fact"u8.CopyTo(s[p..]);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(p + 4)..], 4);
            p += 12;
        }
        dataOffset = p;
        "data"u8.CopyTo(s[p..]);
        return h;
    }
}
