namespace PercepNet.Training.Training;

/// <summary>Linear warm-up to the peak, then a half-cosine decay to the minimum at the last step.</summary>
public sealed record LearningRateSchedule(double Peak, double Min, int WarmupSteps, long TotalSteps)
{
    /// <summary>The rate for the step with 0-based index <paramref name="step"/>.</summary>
    public double At(long step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        long decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        return Min + (Peak - Min) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
