namespace PercepNet.Metrics;

/// <summary>Settings of <see cref="SpeechPreservation"/>.</summary>
public sealed record PreservationOptions
{
    /// <summary>Window length in seconds (windows do not overlap).</summary>
    public double WindowSeconds { get; init; } = 0.5;

    /// <summary>A window is speech-active when its clean energy is within this many dB of the file's loudest window.</summary>
    public double ActiveRangeDb { get; init; } = 20;

    /// <summary>A window is lost when the output is more than this many dB below the input.</summary>
    public double LossThresholdDb { get; init; } = 6;

    /// <summary>
    /// Both signals pass a zero-phase high-pass at this frequency first (a 2nd-order Butterworth run
    /// forwards and backwards; 0 = none): hum,
    /// rumble and DC steps below speech are not speech, and denoisers rightly remove them.
    /// </summary>
    public double HighPassHz { get; init; } = 50;

    /// <summary>Window energies are floored here (dBFS, mean square of full scale = 0 dB) so digital silence stays finite.</summary>
    public double FloorDbfs { get; init; } = -120;
}

/// <summary>One speech-active window: its start and the level of the input and of the output.</summary>
public sealed record PreservationWindow(double StartSeconds, double InputDbfs, double OutputDbfs)
{
    /// <summary>Output minus input level, dB (negative: the system removed energy).</summary>
    public double ChangeDb => OutputDbfs - InputDbfs;
}

/// <summary>What a system did to clean speech: the speech-active windows of one file (or of many, pooled).</summary>
public sealed record PreservationResult(IReadOnlyList<PreservationWindow> Windows, double LossThresholdDb)
{
    /// <summary>Number of speech-active windows.</summary>
    public int ActiveCount => Windows.Count;

    /// <summary>Windows whose level fell by more than the threshold.</summary>
    public int LostCount => Windows.Count(w => w.ChangeDb < -LossThresholdDb);

    /// <summary>Share (0..1) of the speech-active windows that were lost; NaN without active windows.</summary>
    public double LostShare => ActiveCount == 0 ? double.NaN : (double)LostCount / ActiveCount;

    /// <summary>Mean level change over the speech-active windows, dB (each window counts once).</summary>
    public double MeanChangeDb => ActiveCount == 0 ? double.NaN : Windows.Average(w => w.ChangeDb);

    /// <summary>The window with the largest loss (lowest change), or null.</summary>
    public PreservationWindow? Worst => Windows.MinBy(w => w.ChangeDb);
}

/// <summary>
/// Speech preservation (pass-through) measure: clean speech goes into a system and the output is
/// compared with it, window by window. A denoiser given clean speech should return it; a window
/// that comes out much quieter means speech was deleted (issue 13: whole words 20-35 dB down on
/// voices the model never heard). Per 0.5 s window (no overlap) the mean-square level of input
/// and output, both high-passed at 50 Hz and with each window's DC offset removed, are compared; windows within 20 dB of the input file's loudest are speech-active;
/// the measure is the share of those that lost more than 6 dB, the mean change and the worst window.
/// Input and output must be time-aligned at the same rate (our denoiser's and the peers' run.sh
/// outputs are); only the length both cover is measured. Callers average channels first
/// (e.g. <c>AudioData.Mono</c> of PercepNet.Audio).
/// </summary>
public static class SpeechPreservation
{
    /// <summary>Measures one mono signal pair at <paramref name="sampleRate"/>.</summary>
    /// <exception cref="ArgumentException">A signal has no samples or the rate is not positive.</exception>
    public static PreservationResult Measure(ReadOnlySpan<float> input, ReadOnlySpan<float> output, int sampleRate, PreservationOptions? options = null)
    {
        var o = options ?? new PreservationOptions();
        if (sampleRate <= 0) throw new ArgumentException($"sample rate {sampleRate} Hz");
        if (input.Length == 0 || output.Length == 0) throw new ArgumentException("a signal has no samples");
        if (o.HighPassHz > 0)
        {
            input = HighPass(input, o.HighPassHz, sampleRate);
            output = HighPass(output, o.HighPassHz, sampleRate);
        }
        int window = Math.Max(1, (int)Math.Round(o.WindowSeconds * sampleRate));
        int count = Math.Min(input.Length, output.Length) / window;
        var inDb = new double[count];
        var outDb = new double[count];
        for (int w = 0; w < count; w++)
        {
            inDb[w] = LevelDbfs(input.Slice(w * window, window), o.FloorDbfs);
            outDb[w] = LevelDbfs(output.Slice(w * window, window), o.FloorDbfs);
        }
        var windows = new List<PreservationWindow>();
        if (count > 0)
        {
            double loudest = inDb.Max();
            for (int w = 0; w < count; w++)
                if (inDb[w] >= loudest - o.ActiveRangeDb && inDb[w] > o.FloorDbfs)
                    windows.Add(new PreservationWindow((double)w * window / sampleRate, inDb[w], outDb[w]));
        }
        return new PreservationResult(windows, o.LossThresholdDb);
    }

    /// <summary>The windows of several files as one result (each window counts once).</summary>
    public static PreservationResult Pool(IEnumerable<PreservationResult> results, double lossThresholdDb = 6) =>
        new(results.SelectMany(r => r.Windows).ToList(), lossThresholdDb);

    /// <summary>
    /// An RBJ high-pass biquad (Q = 0.7071) run forwards, then backwards: zero phase (no delay that
    /// would carry a loud window's signal into the next one) and a 4th-order magnitude slope.
    /// </summary>
    private static float[] HighPass(ReadOnlySpan<float> x, double cutoffHz, int rate)
    {
        double w = 2 * Math.PI * Math.Min(cutoffHz, 0.45 * rate) / rate, cos = Math.Cos(w), alpha = Math.Sin(w) / (2 * 0.7071067811865476);
        double a0 = 1 + alpha;
        double b0 = (1 + cos) / 2 / a0, b1 = -(1 + cos) / a0, b2 = (1 + cos) / 2 / a0, a1 = -2 * cos / a0, a2 = (1 - alpha) / a0;
        var y = x.ToArray();
        for (int pass = 0; pass < 2; pass++)
        {
            double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
            for (int k = 0; k < y.Length; k++)
            {
                int i = pass == 0 ? k : y.Length - 1 - k;
                double v = y[i], r = b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
                x2 = x1; x1 = v; y2 = y1; y1 = r;
                y[i] = (float)r;
            }
        }
        return y;
    }

    /// <summary>Mean-square level of the window with its mean (DC) removed: a constant offset is not speech, and every denoiser removes it.</summary>
    private static double LevelDbfs(ReadOnlySpan<float> x, double floorDbfs)
    {
        double mean = 0;
        foreach (float v in x) mean += v;
        mean /= x.Length;
        double sum = 0;
        foreach (float v in x) sum += (v - mean) * (v - mean);
        double ms = sum / x.Length;
        return Math.Max(floorDbfs, 10 * Math.Log10(Math.Max(ms, 1e-300)));
    }
}
