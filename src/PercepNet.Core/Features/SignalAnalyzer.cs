using PercepNet.Dsp;

namespace PercepNet.Features;

/// <summary>
/// The analysis half of the signal model for one stream, one call per 480-sample frame
/// (<see cref="AnalyzeFrame(ReadOnlySpan{float}, FrameSpectrum?, FrameSpectrum?)"/>): it appends the
/// frame, tracks the pitch, and returns what the frame path needs: the NEWEST window's analysis
/// without look-ahead (the network's features come from it) and the analysis of the frame
/// <see cref="LookaheadFrames"/> frames back (DELAYED), whose comb filter and pitch use the
/// look-ahead and which the synthesis enhances. A second stream that takes its pitch from the first
/// (the clean side of the oracle and of the training targets) is built with <c>trackPitch: false</c>
/// and analysed with <see cref="AnalyzeFrame(ReadOnlySpan{float}, PitchResult, FrameSpectrum)"/>.
/// "Frame l" means the 960-sample window that ends with the l-th frame given.
/// </summary>
/// <remarks>
/// Allocates nothing after construction. The window analysed by <see cref="Analyze"/> is the one
/// <see cref="AnalyzeNewest"/> saw <see cref="LookaheadFrames"/> pushes earlier, so its plain
/// spectrum X and band energies are kept in a small ring and reused (the same computation on the
/// same samples, so bit-identical); only the comb-filtered half is recomputed.
/// </remarks>
internal sealed class SignalAnalyzer
{
    /// <summary>Frames of look-ahead between the newest frame and the analysed one.</summary>
    public const int LookaheadFrames = PitchTracker.LookaheadFrames;

    /// <summary>Samples of look-ahead after the analysed window (available to the comb filter).</summary>
    public const int LookaheadSamples = LookaheadFrames * FrameLayout.FrameSize;

    // History: comb filter past taps | the analysed window | look-ahead.
    private const int WindowStart = CombFilter.HistoryNeeded;
    private const int BufferLength = WindowStart + FrameLayout.WindowSize + LookaheadSamples;

    private readonly float[] _x = new float[BufferLength];
    private readonly float[] _p = new float[FrameLayout.WindowSize];
    private readonly Stft _stft = new();
    private readonly PitchTracker? _pitch;

    // Ring of the newest windows' X and Ex, indexed by push count modulo RingSize; _ringPush[slot]
    // is the push count the slot was computed at (-1: empty).
    private const int RingSize = LookaheadFrames + 1;
    private readonly float[][] _ringX = new float[RingSize][];
    private readonly float[][] _ringEx = new float[RingSize][];
    private readonly long[] _ringPush = new long[RingSize];
    private long _pushes;

    /// <param name="trackPitch">false when the period always comes from elsewhere (e.g. the clean
    /// side of an oracle uses the noisy side's pitch); <see cref="Push"/> then returns a default.</param>
    public SignalAnalyzer(bool trackPitch = true)
    {
        if (trackPitch) _pitch = new PitchTracker();
        for (int i = 0; i < RingSize; i++)
        {
            _ringX[i] = new float[Stft.SpectrumLength];
            _ringEx[i] = new float[FrameLayout.BandCount];
        }
        Array.Fill(_ringPush, -1);
    }

    /// <summary>
    /// Appends <paramref name="frame"/> (480 samples) and analyses: the newest window into
    /// <paramref name="newest"/> (no look-ahead: the features' source) and the delayed frame into
    /// <paramref name="delayed"/> with the tracked pitch (look-ahead); either may be null when not needed.
    /// </summary>
    /// <returns>The tracked pitch of the delayed frame.</returns>
    /// <exception cref="InvalidOperationException">The analyzer was built without pitch tracking.</exception>
    public PitchResult AnalyzeFrame(ReadOnlySpan<float> frame, FrameSpectrum? newest, FrameSpectrum? delayed)
    {
        if (_pitch == null) throw new InvalidOperationException("this analyzer takes its pitch from another stream: call AnalyzeFrame(frame, pitch, delayed)");
        PitchResult tracked = Push(frame);
        if (newest != null) AnalyzeNewest(newest);
        if (delayed != null) Analyze(tracked.Period, tracked.Correlation, delayed);
        return tracked;
    }

    /// <summary>
    /// Appends <paramref name="frame"/> and analyses the delayed frame with a pitch found elsewhere
    /// (another stream's tracker, for the same frame).
    /// </summary>
    public void AnalyzeFrame(ReadOnlySpan<float> frame, PitchResult pitch, FrameSpectrum delayed)
    {
        Push(frame);
        Analyze(pitch.Period, pitch.Correlation, delayed);
    }

    /// <summary>Appends the newest 480 samples; returns the tracked pitch of the analysed frame.</summary>
    internal PitchResult Push(ReadOnlySpan<float> frame)
    {
        const int n = FrameLayout.FrameSize;
        Array.Copy(_x, n, _x, 0, BufferLength - n);
        frame[..n].CopyTo(_x.AsSpan(BufferLength - n));
        _pushes++;
        return _pitch?.Process(frame) ?? new PitchResult(FrameLayout.MinPeriod, 0);
    }

    /// <summary>The analysed window (960 samples), for tests and diagnostics.</summary>
    public ReadOnlySpan<float> Window => _x.AsSpan(WindowStart, FrameLayout.WindowSize);

    /// <summary>Analyses the delayed frame with the comb filter tuned to <paramref name="period"/>.</summary>
    internal void Analyze(int period, float pitchCorrelation, FrameSpectrum dst)
    {
        period = Math.Clamp(period, FrameLayout.MinPeriod, FrameLayout.MaxPeriod);
        if (!TryReuseNewest(dst))
        {
            _stft.Analyze(_x.AsSpan(WindowStart, FrameLayout.WindowSize), dst.X);
            ErbBands.Energy(dst.X, dst.Ex);
        }
        dst.CombPowerGain = CombFilter.Apply(_x, WindowStart, period, LookaheadSamples, _p);
        _stft.Analyze(_p, dst.P);
        ErbBands.EnergyAndCrossCorrelation(dst.X, dst.P, dst.Ep, dst.Exp);
        dst.UpdateCoherence();
        dst.Period = period;
        dst.PitchCorrelation = pitchCorrelation;
    }

    /// <summary>
    /// Analyses the NEWEST window (the one ending with the last pushed frame) without any look-ahead:
    /// the pitch is the tracker's zero-look-ahead estimate and the comb filter uses past taps only.
    /// This is what the network's features come from, so that the network's own 2-frame look-ahead
    /// (its convolutions) is the only one on the feature path and the total latency stays 30 ms.
    /// Needs pitch tracking (constructor).
    /// </summary>
    internal void AnalyzeNewest(FrameSpectrum dst)
    {
        if (_pitch == null) throw new InvalidOperationException("AnalyzeNewest needs an analyzer that tracks pitch");
        const int newestStart = BufferLength - FrameLayout.WindowSize;
        PitchResult p = _pitch.LatestZeroLookahead;
        int period = Math.Clamp(p.Period, FrameLayout.MinPeriod, FrameLayout.MaxPeriod);
        _stft.Analyze(_x.AsSpan(newestStart, FrameLayout.WindowSize), dst.X);
        ErbBands.Energy(dst.X, dst.Ex);
        KeepNewest(dst);
        dst.CombPowerGain = CombFilter.Apply(_x, newestStart, period, lookahead: 0, _p);
        _stft.Analyze(_p, dst.P);
        ErbBands.EnergyAndCrossCorrelation(dst.X, dst.P, dst.Ep, dst.Exp);
        dst.UpdateCoherence();
        dst.Period = period;
        dst.PitchCorrelation = p.Correlation;
    }

    /// <summary>Stores the newest window's X and Ex for the delayed analysis of a later push.</summary>
    private void KeepNewest(FrameSpectrum newest)
    {
        int slot = (int)(_pushes % RingSize);
        newest.X.CopyTo(_ringX[slot], 0);
        newest.Ex.CopyTo(_ringEx[slot], 0);
        _ringPush[slot] = _pushes;
    }

    /// <summary>Copies X and Ex of the analysed window into <paramref name="dst"/> if
    /// <see cref="AnalyzeNewest"/> computed them <see cref="LookaheadFrames"/> pushes ago.</summary>
    private bool TryReuseNewest(FrameSpectrum dst)
    {
        long push = _pushes - LookaheadFrames;
        if (push < 0) return false;
        int slot = (int)(push % RingSize);
        if (_ringPush[slot] != push) return false;
        _ringX[slot].CopyTo(dst.X, 0);
        _ringEx[slot].CopyTo(dst.Ex, 0);
        return true;
    }

    /// <summary>Starts a new stream.</summary>
    public void Reset()
    {
        Array.Clear(_x);
        Array.Fill(_ringPush, -1);
        _pushes = 0;
        _pitch?.Reset();
    }
}
