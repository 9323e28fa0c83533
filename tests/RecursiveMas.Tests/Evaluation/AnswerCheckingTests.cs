using RecursiveMas.Answers;

namespace RecursiveMas.Tests.Evaluation;

public class AnswerCheckingTests
{
    [Theory]
    [InlineData(@"so the answer is \boxed{42}.", "42")]
    [InlineData(@"first \boxed{1} then \boxed{2}", "2")]
    [InlineData(@"\boxed{\frac{1}{2}}", @"\frac{1}{2}")]
    [InlineData(@"\boxed{\{1, 2\}}", @"\{1, 2\}")]
    [InlineData(@"\boxed{x^{2}+\sqrt{\frac{a}{b}}} and more", @"x^{2}+\sqrt{\frac{a}{b}}")]
    [InlineData(@"\fbox{7}", "7")]
    [InlineData(@"\boxed {  3 }", "3")]
    [InlineData(@"unfinished \boxed{1 + \frac{2}{3}", null)]
    [InlineData("no answer here", null)]
    public void LastBoxedMatchesBraces(string text, string? expected) =>
        Assert.Equal(expected, AnswerExtractor.LastBoxed(text));

    [Theory]
    [InlineData("Reasoning...\nFinal Answer: 12.", "12", AnswerSource.FinalAnswerLine)]
    [InlineData("Final Answer: \\boxed{7}", "7", AnswerSource.Boxed)]
    [InlineData("final answer:   x = 3\nmore text", "x = 3", AnswerSource.FinalAnswerLine)]
    [InlineData("The answer is 5", null, AnswerSource.None)]
    public void ExtractPrefersBoxedThenTheFinalAnswerLine(string text, string? value, AnswerSource source)
    {
        var answer = AnswerExtractor.Extract(text);
        Assert.Equal(value, answer.Value);
        Assert.Equal(source, answer.Source);
    }

    [Theory]
    [InlineData("42", "42", true)]
    [InlineData(@"\frac{1}{2}", "0.5", true)]
    [InlineData(@"\dfrac{1}{2}", "1/2", true)]
    [InlineData(@"\frac12", @"\frac{1}{2}", true)]
    [InlineData(@"-\frac{3}{6}", "-0.5", true)]
    [InlineData(@"\frac{\frac{1}{2}}{3}", @"\frac{1}{6}", true)]
    [InlineData(@"10\text{ cm}", "10", true)]
    [InlineData(@"90^\circ", "90", true)]
    [InlineData(@"50\%", "50", true)]
    [InlineData("1,000", "1000", true)]
    [InlineData("x = 5", "5", true)]
    [InlineData(@"\left( 1, 2 \right)", "(1,2)", true)]
    [InlineData(@"(1, \frac{1}{2})", "(1, 0.5)", true)]
    [InlineData("2.50", "2.5", true)]
    [InlineData(".5", "0.5", true)]
    [InlineData(@"\text{odd}", "odd", true)]
    [InlineData(@"\sqrt2", @"\sqrt{2}", true)]
    [InlineData(@"\frac{14}{3}", "4", false)]   // the released scorer's integer-part leniency would say true
    [InlineData("4.9", "4", false)]
    [InlineData("(1,2)", "[1,2]", false)]
    [InlineData("(1,2)", "(1,2,3)", false)]
    [InlineData("12", "21", false)]
    [InlineData("", "0", false)]
    [InlineData(@"\frac{1}{0}", "1", false)]
    [InlineData("1,2", "12", false)]
    public void StrictMathEquivalence(string predicted, string expected, bool equivalent) =>
        Assert.Equal(equivalent, MathEquivalence.AreEquivalent(predicted, expected));

    [Fact]
    public void MissingAnswersAreNeverEquivalent()
    {
        Assert.False(MathEquivalence.AreEquivalent(null, "1"));
        Assert.False(MathEquivalence.AreEquivalent("1", null));
    }

    [Theory]
    [InlineData(@"so \boxed{B}", 'B')]
    [InlineData(@"\boxed{(C)}", 'C')]
    [InlineData(@"\boxed{D. Paris}", 'D')]
    [InlineData(@"\boxed{\text{A}}", 'A')]
    [InlineData("Final Choice: (B)", 'B')]
    [InlineData("After thinking, the answer is (C).", 'C')]
    [InlineData(@"\boxed{E}", null)]             // only four options
    [InlineData("A cat sat on a mat.", null)]    // letters in prose are not answers
    [InlineData(@"\boxed{Bob}", null)]
    [InlineData("I am not sure.", null)]         // never defaults to A
    public void ChoiceLettersOnlyWhenClear(string text, char? expected) =>
        Assert.Equal(expected, AnswerExtractor.ExtractChoice(text));

    [Fact]
    public void TheChoiceCheckerNeverRewardsUnparseableOutputWithA()
    {
        Assert.False(ChoiceChecker.IsCorrect("I cannot decide", 'A'));
        Assert.False(ChoiceChecker.IsCorrect(@"\boxed{a}", 'A')); // a lower-case letter reads as prose, not a choice
        Assert.True(ChoiceChecker.IsCorrect(@"Final Answer: \boxed{A}", 'a'));
    }
}
