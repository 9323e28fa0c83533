namespace RecursiveMas.Evaluation;

/// <summary>A mean with the half-width of its two-sided 95% Student-t confidence interval.</summary>
public sealed record ConfidenceInterval(double Mean, double HalfWidth, int Count)
{
    /// <summary>Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.</summary>
    static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>The t quantile for <paramref name="degreesOfFreedom"/> (1.96 beyond 30).</summary>
    public static double TQuantile(int degreesOfFreedom) =>
        degreesOfFreedom < 1 ? double.NaN : degreesOfFreedom <= T975.Length ? T975[degreesOfFreedom - 1] : 1.96;

    /// <summary>mean ± t·s/√n over <paramref name="values"/>; the half-width is 0 for one value (no spread measurable).</summary>
    public static ConfidenceInterval Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("no values", nameof(values));
        double mean = values.Average();
        if (values.Count == 1)
            return new ConfidenceInterval(mean, 0, 1);
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return new ConfidenceInterval(mean, TQuantile(values.Count - 1) * Math.Sqrt(variance / values.Count), values.Count);
    }

    public double Low => Mean - HalfWidth;

    public double High => Mean + HalfWidth;
}
