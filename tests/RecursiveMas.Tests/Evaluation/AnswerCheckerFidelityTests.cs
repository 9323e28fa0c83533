using RecursiveMas.Answers;
using RecursiveMas.Evaluation;

namespace RecursiveMas.Tests.Evaluation;

/// <summary>The strict checker's exact symbolic equivalence, the lenient (official) checker, and pass@k.</summary>
public class AnswerCheckerFidelityTests
{
    [Theory]
    [InlineData(@"\frac{\sqrt2}{2}", @"\frac{1}{\sqrt2}")]
    [InlineData(@"\frac{\sqrt{2}}{2}", @"\frac{1}{\sqrt{2}}")]
    [InlineData(@"\dfrac{\sqrt{2}}{2}", @"\frac{\sqrt2}{2}")]
    [InlineData("0.5", "1/2")]
    [InlineData(@"\frac12", "0.5")]
    [InlineData(@"\dfrac{1}{2}", "1/2")]
    [InlineData(@"2\sqrt{2}", @"\sqrt{8}")]
    [InlineData(@"\sqrt{12}", @"2\sqrt3")]
    [InlineData(@"\sqrt{\frac{1}{2}}", @"\frac{\sqrt2}{2}")]
    [InlineData(@"\frac{1}{1+\sqrt{2}}", @"\sqrt{2}-1")]
    [InlineData(@"(1+\sqrt2)^2", @"3+2\sqrt{2}")]
    [InlineData(@"2^{-1}", "0.5")]
    [InlineData(@"3\cdot\frac{\pi}{6}", @"\frac{\pi}{2}")]
    [InlineData(@"\frac{\pi}{2}", @"0.5\pi")]
    [InlineData(@"\sqrt{\pi^2}", @"\pi")]
    [InlineData(@"\frac{3\sqrt{3}}{2}", @"\frac{9}{2\sqrt3}")]
    [InlineData(@"4^{1/2}", "2")]
    [InlineData(@"\left(\frac{2}{3}\right)^{2}", @"\frac49")]
    [InlineData(@"2 \times 3 - 1", "5")]
    [InlineData(@"\sqrt{50}+\sqrt{2}", @"6\sqrt2")]
    public void SymbolicallyEqualAnswersAreEquivalent(string a, string b)
    {
        Assert.True(MathEquivalence.AreEquivalent(a, b), $"{a} should equal {b}");
        Assert.True(MathEquivalence.AreEquivalent(b, a), $"{b} should equal {a}");
    }

    [Theory]
    [InlineData(@"\frac{\sqrt2}{2}", @"\frac{\sqrt3}{2}")]
    [InlineData(@"\sqrt{2}", "2")]
    [InlineData(@"\sqrt{2}", "1.414")]
    [InlineData(@"\pi", "3.14")]
    [InlineData(@"\frac{1}{2}", @"\frac{1}{3}")]
    [InlineData(@"50\%", "0.5")]                    // the official scorer does not divide percents by 100 either
    [InlineData(@"2\frac{1}{2}", "1")]               // a possible mixed number: not evaluated, so not equal to 1
    [InlineData("2^10", "0")]                        // TeX's 2^1·0, surely meant 2^{10}: not evaluated
    [InlineData(@"\sqrt[3]{8}", "2")]                // n-th roots are outside the evaluator
    [InlineData(@"1+\sqrt2", @"1-\sqrt2")]
    [InlineData(@"\frac{14}{3}", "4")]
    [InlineData("x+1", "1+x")]                       // variables are outside the evaluator (strings differ)
    [InlineData(@"\frac{1}{0}", "0")]
    [InlineData("9^{9^{9}}", "1")]                  // refused for size, not computed
    public void DifferentValuesStayUnequal(string a, string b)
    {
        Assert.False(MathEquivalence.AreEquivalent(a, b), $"{a} should not equal {b}");
        Assert.False(MathEquivalence.AreEquivalent(b, a), $"{b} should not equal {a}");
    }

    [Fact]
    public void ExactValuesAreCanonical()
    {
        Assert.Equal("1/2·√2", ExactExpression.TryEvaluate(@"\frac{1}{\sqrt{2}}")!.ToString());
        Assert.Equal("-1 + 1·√2", ExactExpression.TryEvaluate(@"\frac{1}{1+\sqrt2}")!.ToString());
        Assert.Null(ExactExpression.TryEvaluate(@"\sqrt{-4}"));
        Assert.Null(ExactExpression.TryEvaluate(@"\sqrt{2+\sqrt3}"));
    }

    /// <summary>Where the official leniency (PAPER §7.3) and the strict checker disagree, and where both agree.</summary>
    [Theory]
    [InlineData(@"\boxed{4}", @"\frac{14}{3}", true, false)]      // (1) integer part of 14/3 is 4
    [InlineData(@"\boxed{3.9}", "3", true, false)]                // (1) integer part 3
    [InlineData(@"\boxed{2x}", "x^2", true, false)]               // (1) first numbers both 2
    [InlineData("The result is 12 apples", "12", true, false)]    // no box: the whole text, first number 12
    [InlineData(@"\boxed{\frac{\sqrt2}{2}}", @"\frac{1}{\sqrt2}", false, true)]  // symbolic: strict only
    [InlineData(@"\boxed{0.5}", @"\frac{1}{2}", true, true)]       // (1): 0 vs 0 — lenient for the wrong reason
    [InlineData(@"\boxed{7}", "8", false, false)]
    [InlineData(@"\boxed{\text{odd}}", "odd", true, true)]         // both strip \text{} (official: strategy 2 after the greedy box)
    [InlineData(@"\boxed{\text{even}}", "odd", false, false)]
    public void LenientAndStrictDiffer(string generated, string gold, bool lenient, bool strict)
    {
        Assert.Equal(strict, AnswerChecker.Strict.IsMathCorrect(generated, gold));
        Assert.Equal(lenient, AnswerChecker.Lenient.IsMathCorrect(generated, gold));
    }

    [Fact]
    public void LenientExtractionFallsBackToTheWholeTextAndGreedyBoxes()
    {
        Assert.Equal("7", LenientChecker.Extract(@"first \boxed{3} then \boxed{7}"));
        Assert.Equal(@"\frac{1}{2}", LenientChecker.Extract(@"so \boxed{\frac{1}{2}}"));
        Assert.Equal("12", LenientChecker.Extract("Final Answer: 12"));
        Assert.Equal("no answer at all", LenientChecker.Extract("  no answer at all "));
    }

    [Fact]
    public void UnparseableChoicesCountAsAOnlyWhenLenient()
    {
        const string rambling = "I am not sure which one it is.";
        Assert.True(AnswerChecker.Lenient.IsChoiceCorrect(rambling, 'A', 4));
        Assert.False(AnswerChecker.Strict.IsChoiceCorrect(rambling, 'A', 4));
        Assert.True(AnswerChecker.Strict.IsChoiceCorrect(@"\boxed{C}", 'C', 4));
        Assert.True(AnswerChecker.Lenient.IsChoiceCorrect(@"\boxed{C}", 'C', 4));
        Assert.False(AnswerChecker.Lenient.IsChoiceCorrect(@"\boxed{C}", 'A', 4));
    }

    [Theory]
    [InlineData(10, 0, 1, 0.0)]
    [InlineData(10, 3, 1, 0.3)]
    [InlineData(10, 10, 5, 1.0)]
    [InlineData(4, 1, 2, 0.5)]                  // 1 − C(3,2)/C(4,2) = 1 − 3/6
    [InlineData(5, 2, 2, 0.7)]                  // 1 − C(3,2)/C(5,2) = 1 − 3/10
    [InlineData(10, 1, 10, 1.0)]
    [InlineData(10, 2, 3, 0.5333333333333333)]  // 1 − C(8,3)/C(10,3) = 1 − 56/120
    [InlineData(200, 1, 100, 0.5)]              // 1 − C(199,100)/C(200,100) = 1 − 100/200
    public void PassAtKIsTheUnbiasedEstimator(int n, int c, int k, double expected) =>
        Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void PassAtKReportsPowersOfTwoAndN()
    {
        Assert.Equal([1], PassAtK.ReportedKs(1));
        Assert.Equal([1, 2, 4, 5], PassAtK.ReportedKs(5));
        Assert.Equal([1, 2, 4, 8], PassAtK.ReportedKs(8));
        Assert.Equal(0.375, PassAtK.Mean([0, 1, 2, 0], 2, 1), 12);   // (0 + 1/2 + 1 + 0) / 4
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(3, 1, 4));
    }
}
