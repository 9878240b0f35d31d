namespace PercepNet.Dsp;

/// <summary>
/// Streaming pitch estimator and tracker for 48 kHz speech (one instance per stream).
/// <para>
/// Each <see cref="Process"/> call takes the newest <see cref="FrameLayout.FrameSize"/> samples,
/// searches the <see cref="FrameLayout.WindowSize"/>-sample window ending with them
/// (<see cref="PitchEstimator"/>) and advances a Viterbi tracker over the per-frame candidates
/// (<see cref="PitchViterbi"/>). It returns the tracked pitch of the frame that arrived
/// <see cref="LookaheadFrames"/> calls earlier, decided with that frame's two successors in view.
/// </para>
/// Allocation-free after construction; not thread-safe (one stream, one thread).
/// See docs/pitch.md for the algorithm, its parameters and measured accuracy.
/// </summary>
internal sealed class PitchTracker
{
    /// <summary>Frames of look-ahead: the result of a call describes the frame fed this many calls earlier.</summary>
    public const int LookaheadFrames = 2;

    /// <summary>What is reported for frames before the stream start and for silence with no history:
    /// the shortest period and zero correlation.</summary>
    public static readonly PitchResult NoPitch = new(FrameLayout.MinPeriod, 0f);

    private readonly PitchEstimator _estimator = new();
    private readonly PitchViterbi _viterbi = new(LookaheadFrames);
    private readonly PitchCandidate[] _candidates = new PitchCandidate[PitchEstimator.MaxCandidates];
    private int _lastRawPeriod = FrameLayout.MinPeriod;  // what a silent frame reports as its raw period

    /// <summary>Raw estimate of the newest frame: the best single-frame candidate (no tracking, no
    /// look-ahead; the zero-latency option). Correlation 0 for silence.</summary>
    public PitchResult LatestRaw { get; private set; } = NoPitch;

    /// <summary>Tracked estimate of the newest frame without look-ahead (the end of the best Viterbi path
    /// so far): for a low-latency mode; it may differ from what <see cref="Process"/> reports for the
    /// same frame two calls later.</summary>
    public PitchResult LatestZeroLookahead { get; private set; } = NoPitch;

    /// <summary>Whether the frame described by the last <see cref="Process"/> result was tracked as voiced.</summary>
    public bool LastVoiced { get; private set; }

    /// <summary>
    /// Feeds the newest <see cref="FrameLayout.FrameSize"/> samples (48 kHz, nominally in [-1, 1];
    /// NaN/Inf are treated as 0) and returns the tracked pitch of the frame fed
    /// <see cref="LookaheadFrames"/> calls earlier (<see cref="NoPitch"/> for the first two calls).
    /// </summary>
    /// <exception cref="ArgumentException">frame does not hold exactly FrameSize samples.</exception>
    public PitchResult Process(ReadOnlySpan<float> frame)
    {
        if (frame.Length != FrameLayout.FrameSize)
            throw new ArgumentException(
                $"PitchTracker.Process expects {FrameLayout.FrameSize} samples (10 ms at 48 kHz), got {frame.Length}.",
                nameof(frame));

        int n = _estimator.Analyze(frame, _candidates);
        ReadOnlySpan<PitchCandidate> cands = _candidates.AsSpan(0, n);

        PitchResult raw;
        if (n == 0)
        {
            raw = new PitchResult(_lastRawPeriod, 0f);
        }
        else
        {
            int best = 0;
            float bestCost = PitchViterbi.VoicedCost(cands[0].Period, cands[0].Correlation);
            for (int i = 1; i < n; i++)
            {
                float c = PitchViterbi.VoicedCost(cands[i].Period, cands[i].Correlation);
                if (c < bestCost) { bestCost = c; best = i; }
            }
            raw = cands[best].ToResult();
            _lastRawPeriod = raw.Period;
        }
        LatestRaw = raw;

        // An unvoiced decision still reports a period (held from the last voiced frame of its path, gently
        // re-centred on the local correlation peak) and the correlation measured there, so the comb filter
        // sees a continuous period and the network an honest correlation.
        int hold = _viterbi.Push(cands, raw.Period);
        _viterbi.SetUnvoiced(_estimator.MeasureAt(hold).ToResult());
        LatestZeroLookahead = _viterbi.Decide(0, out _);
        if (_viterbi.Frames <= LookaheadFrames)
        {
            LastVoiced = false;
            return NoPitch;
        }
        PitchResult result = _viterbi.Decide(LookaheadFrames, out bool voiced);
        LastVoiced = voiced;
        return result;
    }

    /// <summary>Starts a new stream: afterwards the tracker behaves bit-exactly like a new instance.</summary>
    public void Reset()
    {
        _estimator.Reset();
        _viterbi.Reset();
        Array.Clear(_candidates);
        _lastRawPeriod = FrameLayout.MinPeriod;
        LatestRaw = NoPitch;
        LatestZeroLookahead = NoPitch;
        LastVoiced = false;
    }
}
