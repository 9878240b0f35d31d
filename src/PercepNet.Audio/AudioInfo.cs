namespace PercepNet.Audio;

/// <summary>
/// Format and level statistics of a WAV file, computed in one streaming pass (constant memory).
/// Levels are in dB relative to full scale: peak = 20 log10(max |x|); RMS = 20 log10(sqrt(mean x^2)),
/// so a full-scale sine has RMS -3.01 dBFS (the sox/Audacity convention, not AES17's +3 dB one).
/// Silence gives -infinity.
/// </summary>
public sealed class AudioInfo
{
    private AudioInfo(string path, WavFormat format, long frames, double[] peakDbfs, double[] rmsDbfs, long nonFinite)
    {
        NonFiniteSamples = nonFinite;
        Path = path;
        Format = format;
        Frames = frames;
        PeakDbfs = peakDbfs;
        RmsDbfs = rmsDbfs;
    }

    public string Path { get; }

    /// <summary>Sample format (encoding, bits, rate, channels, extensible header or not).</summary>
    public WavFormat Format { get; }

    /// <summary>wFormatTag as stored: 1 PCM, 3 IEEE float, 0xFFFE extensible.</summary>
    public ushort FormatTag => Format.FormatTag;

    public int BitsPerSample => Format.BitsPerSample;

    public int SampleRate => Format.SampleRate;

    public int Channels => Format.Channels;

    /// <summary>Samples per channel.</summary>
    public long Frames { get; }

    // Tick-exact: TimeSpan.FromSeconds(double) would round to whole milliseconds.
    public TimeSpan Duration => TimeSpan.FromTicks((long)Math.Round((double)Frames * TimeSpan.TicksPerSecond / Format.SampleRate));

    /// <summary>Per channel: 20 log10 of the largest absolute sample (0 dBFS = full scale).</summary>
    public IReadOnlyList<double> PeakDbfs { get; }

    /// <summary>Per channel: 20 log10 of the RMS value.</summary>
    public IReadOnlyList<double> RmsDbfs { get; }

    /// <summary>NaN or infinite samples (float files only), left out of the level statistics.</summary>
    public long NonFiniteSamples { get; }

    /// <summary>Reads the header and scans all samples once.</summary>
    /// <param name="path">A WAV file.</param>
    /// <param name="progress">Called with the fraction done (0..1) after each chunk, or null.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a readable WAV file (the message says why).</exception>
    public static AudioInfo Read(string path, Action<double>? progress = null)
    {
        using var reader = new WavReader(path);
        int ch = reader.Channels;
        const int Chunk = 8192;
        var buf = new float[ch][];
        for (int c = 0; c < ch; c++) buf[c] = new float[Chunk];
        var peak = new double[ch];
        var sumSquares = new double[ch];
        long nonFinite = 0;
        int n;
        while ((n = reader.Read(buf, 0, Chunk)) > 0)
        {
            for (int c = 0; c < ch; c++)
            {
                float p = 0;
                double s = 0;
                foreach (float v in buf[c].AsSpan(0, n))
                {
                    if (!float.IsFinite(v))
                    {
                        nonFinite++;
                        continue;
                    }
                    p = MathF.Max(p, MathF.Abs(v));
                    s += v * v;
                }
                peak[c] = Math.Max(peak[c], p);
                sumSquares[c] += s;
            }
            if (!reader.Streamed) progress?.Invoke((double)reader.Position / reader.FrameCount);
        }
        var peakDb = peak.Select(p => 20 * Math.Log10(p)).ToArray();
        var rmsDb = sumSquares.Select(s => 10 * Math.Log10(s / Math.Max(1, reader.FrameCount))).ToArray();
        return new AudioInfo(path, reader.Format, reader.FrameCount, peakDb, rmsDb, nonFinite);
    }

    public override string ToString() =>
        $"{Path}: {Format}, {Frames} frames ({Duration:hh\\:mm\\:ss\\.fff}), peak "
        + string.Join(" / ", PeakDbfs.Select(d => $"{d:F1}")) + " dBFS, RMS "
        + string.Join(" / ", RmsDbfs.Select(d => $"{d:F1}")) + " dBFS"
        + (NonFiniteSamples > 0 ? $", {NonFiniteSamples} NaN/infinite samples" : "");
}
