using System.Diagnostics;

namespace RecursiveMas.Cli.Benchmarks;

/// <summary>Wall-clock measurement for the <c>rmas bench</c> suites: a warm-up run, then the median of several.</summary>
static class BenchTiming
{
    /// <summary>Median milliseconds of <paramref name="repetitions"/> runs after <paramref name="warmups"/> unmeasured ones.</summary>
    public static double MedianMilliseconds(Action run, int repetitions, int warmups = 1)
    {
        for (int i = 0; i < warmups; i++)
            run();
        var times = new double[repetitions];
        for (int i = 0; i < repetitions; i++)
        {
            var watch = Stopwatch.StartNew();
            run();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        return Median(times);
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two of an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            throw new ArgumentException("no values", nameof(values));
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
