using NAudio.Wave;

namespace PercepNet.Audio;

/// <summary>Whole-file WAV reading and writing (for streaming long files see the streaming readers).</summary>
public static class AudioFile
{
    /// <summary>Reads a whole WAV file into planar floats.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable WAV file.</exception>
    public static AudioData Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        try
        {
            using var reader = new WaveFileReader(path);
            var sp = reader.ToSampleProvider();
            int ch = sp.WaveFormat.Channels;
            var buf = new float[4096 * ch];
            var chans = new List<float>[ch];
            for (int c = 0; c < ch; c++) chans[c] = new List<float>();
            int n;
            while ((n = sp.Read(buf.AsSpan())) > 0)
                for (int i = 0; i < n; i++) chans[i % ch].Add(buf[i]);
            return new AudioData(sp.WaveFormat.SampleRate, chans.Select(l => l.ToArray()).ToArray());
        }
        catch (Exception e) when (e is FormatException or ArgumentException or EndOfStreamException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a readable WAV file ({e.Message})", e);
        }
    }

    /// <summary>Writes planar floats as a WAV file (32-bit float by default, or 16/24-bit PCM).</summary>
    public static void Write(string path, AudioData audio, int bitsPerSample = 32)
    {
        var fmt = bitsPerSample == 32
            ? WaveFormat.CreateIeeeFloatWaveFormat(audio.SampleRate, audio.ChannelCount)
            : new WaveFormat(audio.SampleRate, bitsPerSample, audio.ChannelCount);
        using var w = new WaveFileWriter(path, fmt);
        var frame = new float[audio.ChannelCount];
        for (int i = 0; i < audio.Length; i++)
        {
            for (int c = 0; c < frame.Length; c++) frame[c] = audio.Channels[c][i];
            w.WriteSamples(frame, 0, frame.Length);
        }
    }
}
