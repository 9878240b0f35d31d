namespace PercepNet.Dsp;

/// <summary>
/// Pitch of one frame's analysis window (the <see cref="FrameLayout.WindowSize"/> samples ending at
/// the end of that frame).
/// </summary>
/// <param name="Period">Pitch period in samples at 48 kHz, in
/// [<see cref="FrameLayout.MinPeriod"/>, <see cref="FrameLayout.MaxPeriod"/>].</param>
/// <param name="Correlation">Normalised correlation of the (LPC-whitened) signal with itself delayed by
/// <paramref name="Period"/>, in [0, 1]: near 1 for clean voiced speech, near 0 for silence and noise.</param>
internal readonly record struct PitchResult(int Period, float Correlation);

/// <summary>One pitch hypothesis of one frame, as produced by <see cref="PitchEstimator"/>.</summary>
/// <param name="Period">Period in samples at 48 kHz.</param>
/// <param name="Correlation">Normalised correlation of the whitened signal at that period, in [0, 1].</param>
internal readonly record struct PitchCandidate(int Period, float Correlation)
{
    public PitchResult ToResult() => new(Period, Correlation);
}
