namespace PercepNet.Audio;

/// <summary>
/// Whole-file WAV reading and writing. For long files use <see cref="WavReader"/> / <see cref="WavWriter"/>
/// (constant memory) or <see cref="AudioPipeline"/>.
/// </summary>
public static class AudioFile
{
    /// <summary>Reads a whole WAV file into planar floats (see <see cref="WavReader"/> for the formats).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Not a WAV file, truncated, unsupported encoding, or too long for one array.</exception>
    public static AudioData Read(string path)
    {
        using var reader = new WavReader(path);
        if (reader.Streamed) return ReadStreamed(reader, path);
        if (reader.FrameCount > Array.MaxLength)
            throw new InvalidDataException(
                $"{path}: {reader.FrameCount} frames do not fit in memory as one array; use WavReader to stream it.");
        int n = (int)reader.FrameCount;
        var channels = new float[reader.Channels][];
        for (int c = 0; c < channels.Length; c++) channels[c] = new float[n];
        int got = 0;
        while (got < n)
            got += reader.Read(channels, got, n - got);
        return new AudioData(reader.SampleRate, channels) { SourceFormat = reader.Format, SourcePath = path };
    }

    /// <summary>A pipe: read in chunks until it ends (memory grows with what arrives, not with the header's claim).</summary>
    private static AudioData ReadStreamed(WavReader reader, string path)
    {
        const int Chunk = 1 << 16;
        var parts = new List<float[][]>();
        var counts = new List<int>();
        long total = 0;
        while (true)
        {
            var buf = new float[reader.Channels][];
            for (int c = 0; c < buf.Length; c++) buf[c] = new float[Chunk];
            int n = reader.Read(buf, 0, Chunk);
            if (n == 0) break;
            total += n;
            if (total > Array.MaxLength)
                throw new InvalidDataException($"{path}: more than {Array.MaxLength} frames do not fit in memory as one array; use WavReader to stream it.");
            parts.Add(buf);
            counts.Add(n);
        }
        var channels = new float[reader.Channels][];
        for (int c = 0; c < channels.Length; c++)
        {
            channels[c] = new float[total];
            int at = 0;
            for (int k = 0; k < parts.Count; k++)
            {
                parts[k][c].AsSpan(0, counts[k]).CopyTo(channels[c].AsSpan(at));
                at += counts[k];
            }
        }
        return new AudioData(reader.SampleRate, channels) { SourceFormat = reader.Format, SourcePath = path };
    }

    /// <summary>
    /// Writes <paramref name="audio"/> in the format it was read in (<see cref="AudioData.SourceFormat"/>, but
    /// at its current sample rate and channel count), or as 32-bit float when it was not read from a file.
    /// Safe: see <see cref="WavWriter"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is the file the audio was read from.</exception>
    public static void Write(string path, AudioData audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var format = audio.SourceFormat is { } f
            ? f with { SampleRate = audio.SampleRate, Channels = audio.ChannelCount, ChannelMask = f.Channels == audio.ChannelCount ? f.ChannelMask : 0 }
            : WavFormat.Float32(audio.SampleRate, audio.ChannelCount);
        Write(path, audio, format);
    }

    /// <summary>
    /// Writes planar floats with the given bit depth: 8, 16 or 24 -> integer PCM (rounded, clipped),
    /// 32 or 64 -> IEEE float. Safe: see <see cref="WavWriter"/>.
    /// </summary>
    public static void Write(string path, AudioData audio, int bitsPerSample)
    {
        ArgumentNullException.ThrowIfNull(audio);
        Write(path, audio, WavFormat.FromBitDepth(bitsPerSample, audio.SampleRate, audio.ChannelCount));
    }

    /// <summary>Writes planar floats in an explicit format (its rate and channel count must match the audio).</summary>
    public static void Write(string path, AudioData audio, WavFormat format)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentNullException.ThrowIfNull(format);
        if (format.SampleRate != audio.SampleRate || format.Channels != audio.ChannelCount)
            throw new ArgumentException(
                $"Format {format} does not match the audio ({audio.SampleRate} Hz, {audio.ChannelCount} ch).", nameof(format));
        using var w = new WavWriter(path, format, audio.SourcePath);
        w.Write(audio.Channels, 0, audio.Length);
        w.Complete();
    }
}
