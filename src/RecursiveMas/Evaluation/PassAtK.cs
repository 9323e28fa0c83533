namespace RecursiveMas.Evaluation;

/// <summary>
/// The unbiased pass@k estimator (Chen et al. 2021): with n samples of a question of which c are correct,
/// pass@k = 1 − C(n−c, k) / C(n, k), the chance that k samples drawn without replacement from the n contain a
/// correct one. Computed as 1 − ∏_{i=n−c+1..n} (1 − k/i), which never forms the (huge) binomials.
/// </summary>
public static class PassAtK
{
    public static double Estimate(int n, int c, int k)
    {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), $"need 1 ≤ k ≤ n and 0 ≤ c ≤ n (n={n}, c={c}, k={k})");
        if (n - c < k)
            return 1.0;
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++)
            allWrong *= 1.0 - (double)k / i;
        return 1.0 - allWrong;
    }

    /// <summary>The mean over questions of <see cref="Estimate"/>, each question with <paramref name="n"/> samples.</summary>
    public static double Mean(IReadOnlyList<int> correctPerQuestion, int n, int k) =>
        correctPerQuestion.Count == 0 ? 0 : correctPerQuestion.Average(c => Estimate(n, c, k));

    /// <summary>The k reported for n samples: 1, 2, 4, … below n, and n itself.</summary>
    public static IReadOnlyList<int> ReportedKs(int n) =>
        [.. Enumerable.Range(0, 31).Select(e => 1 << e).TakeWhile(k => k < n).Append(n)];
}
