namespace PercepNet.Dsp;

/// <summary>Pitch period (48 kHz samples, 60..768) and normalised correlation in [0,1] of one frame.</summary>
public readonly record struct PitchResult(int Period, float Correlation);

/// <summary>
/// PLACEHOLDER until the tracked estimator lands: brute-force full-rate normalised correlation
/// over the frame's 960-sample window, no tracking. Same contract as the real tracker: the result
/// of <see cref="Process"/> describes the frame that arrived <see cref="LookaheadFrames"/> calls earlier.
/// </summary>
public sealed class PitchTracker
{
    public const int LookaheadFrames = 2;
    private const int Hist = FrameLayout.MaxPeriod + FrameLayout.WindowSize;
    private readonly float[] _x = new float[Hist];
    private readonly PitchResult[] _delay = new PitchResult[LookaheadFrames + 1];

    public PitchTracker() => Reset();

    public PitchResult Process(ReadOnlySpan<float> frame)
    {
        const int n = FrameLayout.FrameSize, w = FrameLayout.WindowSize;
        Array.Copy(_x, n, _x, 0, Hist - n);
        frame[..n].CopyTo(_x.AsSpan(Hist - n));
        ReadOnlySpan<float> cur = _x.AsSpan(Hist - w, w);
        double e0 = 0;
        foreach (float v in cur) e0 += v * v;
        int best = FrameLayout.MinPeriod; double bestC = 0;
        for (int t = FrameLayout.MinPeriod; t <= FrameLayout.MaxPeriod; t++)
        {
            ReadOnlySpan<float> past = _x.AsSpan(Hist - w - t, w);
            double xy = 0, yy = 0;
            for (int i = 0; i < w; i++) { xy += cur[i] * past[i]; yy += past[i] * past[i]; }
            double c = xy / Math.Sqrt(e0 * yy + 1e-20);
            if (c > bestC * 1.0001) { bestC = c; best = t; }
        }
        for (int i = 0; i < LookaheadFrames; i++) _delay[i] = _delay[i + 1];
        _delay[LookaheadFrames] = new PitchResult(best, (float)Math.Clamp(bestC, 0, 1));
        return _delay[0];
    }

    public void Reset()
    {
        Array.Clear(_x);
        for (int i = 0; i < _delay.Length; i++) _delay[i] = new PitchResult(FrameLayout.MinPeriod, 0);
    }
}
