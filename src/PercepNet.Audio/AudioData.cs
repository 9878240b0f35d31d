namespace PercepNet.Audio;

/// <summary>A whole decoded audio file: planar float samples in [-1, 1], one array per channel.</summary>
public sealed class AudioData
{
    public AudioData(int sampleRate, float[][] channels)
    {
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate));
        if (channels.Length == 0) throw new ArgumentException("At least one channel is required.", nameof(channels));
        int n = channels[0].Length;
        foreach (var c in channels)
            if (c.Length != n) throw new ArgumentException("All channels must have the same length.", nameof(channels));
        SampleRate = sampleRate;
        Channels = channels;
    }

    public int SampleRate { get; }
    public float[][] Channels { get; }
    public int ChannelCount => Channels.Length;
    public int Length => Channels[0].Length;
    public double DurationSeconds => (double)Length / SampleRate;

    /// <summary>Mono mix (mean of the channels); the first channel itself when mono.</summary>
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
