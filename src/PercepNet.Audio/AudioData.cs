using PercepNet.Dsp;

namespace PercepNet.Audio;

/// <summary>A whole decoded audio file: planar float samples (nominally in [-1, 1]), one array per channel.</summary>
public sealed class AudioData
{
    /// <summary>Wraps planar samples (the arrays are used as they are, not copied).</summary>
    /// <param name="sampleRate">Hz, > 0.</param>
    /// <param name="channels">At least one channel; all of the same length.</param>
    public AudioData(int sampleRate, float[][] channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length == 0) throw new ArgumentException("At least one channel is required.", nameof(channels));
        int n = channels[0].Length;
        foreach (var c in channels)
            if (c.Length != n) throw new ArgumentException("All channels must have the same length.", nameof(channels));
        SampleRate = sampleRate;
        Channels = channels;
    }

    /// <summary>Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Planar samples: Channels[c][i] is channel c at frame i.</summary>
    public float[][] Channels { get; }

    public int ChannelCount => Channels.Length;

    /// <summary>Frames (samples per channel).</summary>
    public int Length => Channels[0].Length;

    public double DurationSeconds => (double)Length / SampleRate;

    /// <summary>
    /// The WAV format the samples were read from (set by <see cref="AudioFile.Read"/>), or null.
    /// <see cref="AudioFile.Write(string, AudioData)"/> writes this format back.
    /// </summary>
    public WavFormat? SourceFormat { get; init; }

    /// <summary>The file the samples were read from, or null; <see cref="AudioFile.Write(string, AudioData)"/> refuses to overwrite it.</summary>
    public string? SourcePath { get; init; }

    /// <summary>
    /// The same audio at another sample rate (see <see cref="Resampler"/>: time-aligned, ceil(Length * rate /
    /// SampleRate) frames). Equal rates return this instance. <see cref="SourceFormat"/> and
    /// <see cref="SourcePath"/> are kept, so writing the result keeps the encoding and protects the input.
    /// </summary>
    public AudioData Resample(int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        if (sampleRate == SampleRate) return this;
        var channels = new float[ChannelCount][];
        for (int c = 0; c < channels.Length; c++) channels[c] = Resampler.Resample(Channels[c], SampleRate, sampleRate);
        return new AudioData(sampleRate, channels) { SourceFormat = SourceFormat, SourcePath = SourcePath };
    }

    /// <summary>Mono mix (mean of the channels); the first channel itself (not a copy) when mono.</summary>
    public float[] Mono()
    {
        if (ChannelCount == 1) return Channels[0];
        var m = new float[Length];
        foreach (var c in Channels)
            for (int i = 0; i < m.Length; i++) m[i] += c[i];
        float s = 1f / ChannelCount;
        for (int i = 0; i < m.Length; i++) m[i] *= s;
        return m;
    }
}
