using PercepNet.Audio;
using PercepNet.Dsp;

namespace PercepNet.Training.Corpus;

/// <summary>Level and bandwidth measurements of one file, streamed (constant memory).</summary>
public readonly record struct AudioStatsResult(
    int SampleRate, int Channels, double DurationSeconds, double BandwidthHz,
    double BackgroundDbfs, double ActiveDbfs, double ZeroFraction);

/// <summary>
/// Measures a file: levels from 20 ms frames of the first channel at its own rate; bandwidth from
/// the long-term spectrum of its active frames at 48 kHz (the system's own 960-point STFT).
/// </summary>
public static class AudioStats
{
    /// <summary>Spectrum level, relative to the spectrum's peak, that still counts as content.</summary>
    public const double BandwidthThresholdDb = 60;

    /// <summary>Measures at most <paramref name="maxSeconds"/> of the file.</summary>
    public static AudioStatsResult Measure(string path, double maxSeconds = 600)
    {
        using var reader = new WavReader(path);
        int rate = reader.SampleRate, ch = reader.Channels;
        long frames = Math.Min(reader.FrameCount, (long)(maxSeconds * rate));
        int frameLen = Math.Max(1, rate / 50);
        var buf = new float[ch][];
        for (int c = 0; c < ch; c++) buf[c] = new float[frameLen];
        var resampler = new Resampler(rate, FrameLayout.SampleRate);
        var r48 = new float[Resampler.OutputLength(frameLen, rate, FrameLayout.SampleRate) + 64];
        var window = new float[FrameLayout.WindowSize];
        int windowFill = 0;
        var stft = new Stft();
        var spec = new float[Stft.SpectrumLength];
        var frameDb = new List<double>();
        // Spectra summed per 1 dB level bucket (-140..0 dBFS), so the loudest half can be picked
        // afterwards in constant memory.
        var buckets = new double[Buckets, FrameLayout.BinCount];
        var bucketCount = new long[Buckets];
        int zeros = 0;
        long done = 0;
        while (done < frames)
        {
            int n = reader.Read(buf, 0, (int)Math.Min(frameLen, frames - done));
            if (n == 0) break;
            done += n;
            double sum = 0;
            for (int i = 0; i < n; i++) sum += buf[0][i] * buf[0][i];
            if (n == frameLen)
            {
                if (sum == 0) zeros++;
                else frameDb.Add(10 * Math.Log10(sum / n));
            }
            int m = resampler.Process(buf[0].AsSpan(0, n), r48);
            for (int i = 0; i < m; i++)
            {
                window[windowFill++] = r48[i];
                if (windowFill == FrameLayout.WindowSize)
                {
                    double e = 0;
                    foreach (float v in window) e += v * v;
                    if (e > 0)
                    {
                        stft.Analyze(window, spec);
                        int bucket = Math.Clamp((int)Math.Floor(10 * Math.Log10(e / FrameLayout.WindowSize)) + Buckets, 0, Buckets - 1);
                        bucketCount[bucket]++;
                        for (int k = 0; k < FrameLayout.BinCount; k++)
                            buckets[bucket, k] += spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1];
                    }
                    Array.Copy(window, FrameLayout.FrameSize, window, 0, FrameLayout.FrameSize);
                    windowFill = FrameLayout.FrameSize;
                }
            }
        }
        int totalFrames = frameDb.Count + zeros;
        double background = Percentile(frameDb, 0.05), active = Percentile(frameDb, 0.95);
        return new AudioStatsResult(rate, ch, (double)reader.FrameCount / rate,
            Bandwidth(buckets, bucketCount, rate), background, active, totalFrames == 0 ? 1 : (double)zeros / totalFrames);
    }

    private static double Percentile(List<double> v, double q)
    {
        if (v.Count == 0) return double.NegativeInfinity;
        var s = v.ToArray();
        Array.Sort(s);
        return s[(int)Math.Clamp(Math.Round(q * (s.Length - 1)), 0, s.Length - 1)];
    }

    private const int Buckets = 140;

    /// <summary>
    /// Highest frequency (50 Hz grid) where the mean power spectrum of the loudest half of the
    /// frames, smoothed over 500 Hz, is within <see cref="BandwidthThresholdDb"/> of its peak.
    /// </summary>
    private static double Bandwidth(double[,] buckets, long[] counts, int rate)
    {
        long total = counts.Sum();
        if (total == 0) return 0;
        var mean = new double[FrameLayout.BinCount];
        long used = 0;
        for (int bucket = Buckets - 1; bucket >= 0 && used < (total + 1) / 2; bucket--)
        {
            if (counts[bucket] == 0) continue;
            for (int k = 0; k < mean.Length; k++) mean[k] += buckets[bucket, k];
            used += counts[bucket];
        }
        const int half = 5; // +-5 bins = 500 Hz
        var smooth = new double[mean.Length];
        for (int k = 0; k < mean.Length; k++)
        {
            double s = 0; int c = 0;
            for (int j = Math.Max(0, k - half); j <= Math.Min(mean.Length - 1, k + half); j++) { s += mean[j]; c++; }
            smooth[k] = s / c;
        }
        double peak = smooth.Max();
        if (peak <= 0) return 0;
        double limit = peak * Math.Pow(10, -BandwidthThresholdDb / 10);
        int top = FrameLayout.BinCount - 1;
        while (top > 0 && smooth[top] < limit) top--;
        return Math.Min(top * FrameLayout.BinHz, rate / 2.0);
    }
}
