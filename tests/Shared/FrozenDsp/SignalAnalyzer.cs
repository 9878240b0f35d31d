// FROZEN COPY of src/PercepNet.Core/Features/SignalAnalyzer.cs as of commit c974eeb (before the DSP speed work):
// the reference the optimised code is compared against (tests) and timed against (bench). Do not edit.
using PercepNet.Dsp;

namespace PercepNet.Frozen;

/// <summary>
/// The analysis half of the signal model for one stream. Each call to <see cref="Push"/> appends
/// the newest 480 samples; the frame analysed is the one <see cref="LookaheadFrames"/> frames
/// back, so the pitch tracker and the comb filter's future taps can use the look-ahead.
/// "Frame l" means the 960-sample window that ends with the l-th pushed frame.
/// </summary>
/// <remarks>Allocates nothing after construction.</remarks>
public sealed class SignalAnalyzer
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

    /// <param name="trackPitch">false when the period always comes from elsewhere (e.g. the clean
    /// side of an oracle uses the noisy side's pitch); <see cref="Push"/> then returns a default.</param>
    public SignalAnalyzer(bool trackPitch = true)
    {
        if (trackPitch) _pitch = new PitchTracker();
    }

    /// <summary>Appends the newest 480 samples; returns the tracked pitch of the analysed frame.</summary>
    public PitchResult Push(ReadOnlySpan<float> frame)
    {
        const int n = FrameLayout.FrameSize;
        Array.Copy(_x, n, _x, 0, BufferLength - n);
        frame[..n].CopyTo(_x.AsSpan(BufferLength - n));
        return _pitch?.Process(frame) ?? new PitchResult(FrameLayout.MinPeriod, 0);
    }

    /// <summary>The analysed window (960 samples), for tests and diagnostics.</summary>
    public ReadOnlySpan<float> Window => _x.AsSpan(WindowStart, FrameLayout.WindowSize);

    /// <summary>Analyses the delayed frame with the comb filter tuned to <paramref name="period"/>.</summary>
    public void Analyze(int period, float pitchCorrelation, FrameSpectrum dst)
    {
        period = Math.Clamp(period, FrameLayout.MinPeriod, FrameLayout.MaxPeriod);
        _stft.Analyze(_x.AsSpan(WindowStart, FrameLayout.WindowSize), dst.X);
        dst.CombPowerGain = CombFilter.Apply(_x, WindowStart, period, LookaheadSamples, _p);
        _stft.Analyze(_p, dst.P);
        ErbBands.Energy(dst.X, dst.Ex);
        ErbBands.Energy(dst.P, dst.Ep);
        ErbBands.CrossCorrelation(dst.X, dst.P, dst.Exp);
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
    public void AnalyzeNewest(FrameSpectrum dst)
    {
        if (_pitch == null) throw new InvalidOperationException("AnalyzeNewest needs an analyzer that tracks pitch");
        const int newestStart = BufferLength - FrameLayout.WindowSize;
        PitchResult p = _pitch.LatestZeroLookahead;
        int period = Math.Clamp(p.Period, FrameLayout.MinPeriod, FrameLayout.MaxPeriod);
        _stft.Analyze(_x.AsSpan(newestStart, FrameLayout.WindowSize), dst.X);
        dst.CombPowerGain = CombFilter.Apply(_x, newestStart, period, lookahead: 0, _p);
        _stft.Analyze(_p, dst.P);
        ErbBands.Energy(dst.X, dst.Ex);
        ErbBands.Energy(dst.P, dst.Ep);
        ErbBands.CrossCorrelation(dst.X, dst.P, dst.Exp);
        dst.UpdateCoherence();
        dst.Period = period;
        dst.PitchCorrelation = p.Correlation;
    }

    /// <summary>Starts a new stream.</summary>
    public void Reset()
    {
        Array.Clear(_x);
        _pitch?.Reset();
    }
}
