namespace RecursiveMas.Training;

/// <summary>
/// Linear warmup then half-cosine decay to 0, as transformers' <c>get_cosine_schedule_with_warmup</c>
/// (num_cycles 0.5) that the released trainer uses: the rate of the step with 0-based index s.
/// </summary>
public sealed record CosineSchedule(double PeakRate, int WarmupSteps, int TotalSteps)
{
    public double RateAt(int step)
    {
        if (step < WarmupSteps)
            return PeakRate * step / Math.Max(1, WarmupSteps);
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return PeakRate * Math.Max(0, 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
