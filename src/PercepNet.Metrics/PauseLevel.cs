namespace PercepNet.Metrics;

/// <summary>
/// Residual noise between words, the thing DNSMOS BAK hears but cannot say where: the power of the
/// test signal in the clean reference's pauses, in dB relative to the reference's speech level.
/// On the noisy input it is about minus the SNR; the enhanced minus noisy difference is how far a
/// system brings the background down where nobody talks. Lower is quieter.
/// <list type="bullet">
/// <item>Frames of 10 ms. A frame is speech when the reference's level is within
/// <see cref="SpeechRangeDb"/> of its loudest frame; the speech level is the mean power of those
/// frames.</item>
/// <item>A pause frame has no speech frame within <see cref="MarginFrames"/> on either side, so
/// word tails, reverberation and a system's delay of up to 50 ms do not count as residual noise.</item>
/// <item>NaN when the pair holds less than <see cref="MinPauseSeconds"/> of pauses.</item>
/// </list>
/// </summary>
public static class PauseLevel
{
    /// <summary>Frames within this many dB of the reference's loudest frame are speech.</summary>
    public const double SpeechRangeDb = 40;

    /// <summary>Frames (10 ms) a pause frame keeps from any speech frame.</summary>
    public const int MarginFrames = 5;

    /// <summary>Less pause than this gives NaN.</summary>
    public const double MinPauseSeconds = 0.1;

    /// <summary>Pause level of <paramref name="test"/> against <paramref name="clean"/> (same rate, aligned), dB re speech.</summary>
    public static double Compute(ReadOnlySpan<float> clean, ReadOnlySpan<float> test, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        int n = sampleRate / 100, frames = Math.Min(clean.Length, test.Length) / n;
        if (n == 0 || frames == 0) return double.NaN;
        var level = new double[frames];
        double max = double.NegativeInfinity;
        for (int f = 0; f < frames; f++)
        {
            double s = 0;
            foreach (float v in clean.Slice(f * n, n)) s += (double)v * v;
            level[f] = 10 * Math.Log10(s / n + 1e-30);
            max = Math.Max(max, level[f]);
        }
        double threshold = max - SpeechRangeDb, speechPower = 0, pausePower = 0;
        int speechFrames = 0, pauseFrames = 0, lastSpeech = int.MinValue / 2;
        // Distance to the nearest speech frame, forward pass then backward pass.
        var distance = new int[frames];
        for (int f = 0; f < frames; f++)
        {
            if (level[f] > threshold) lastSpeech = f;
            distance[f] = f - lastSpeech;
        }
        lastSpeech = int.MaxValue / 2;
        for (int f = frames - 1; f >= 0; f--)
        {
            if (level[f] > threshold) lastSpeech = f;
            distance[f] = Math.Min(distance[f], lastSpeech - f);
        }
        for (int f = 0; f < frames; f++)
        {
            if (distance[f] == 0)
            {
                speechPower += Math.Pow(10, level[f] / 10);
                speechFrames++;
            }
            else if (distance[f] > MarginFrames)
            {
                double s = 0;
                foreach (float v in test.Slice(f * n, n)) s += (double)v * v;
                pausePower += s / n;
                pauseFrames++;
            }
        }
        if (speechFrames == 0 || pauseFrames * n < MinPauseSeconds * sampleRate) return double.NaN;
        return 10 * Math.Log10((pausePower / pauseFrames + 1e-30) / (speechPower / speechFrames));
    }
}
