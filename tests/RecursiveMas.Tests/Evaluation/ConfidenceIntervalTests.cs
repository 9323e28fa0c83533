using RecursiveMas.Evaluation;

namespace RecursiveMas.Tests.Evaluation;

public sealed class ConfidenceIntervalTests
{
    [Fact]
    public void TIntervalsUseStudentQuantiles()
    {
        var ci = ConfidenceInterval.Of([1.0, 2.0, 3.0]);
        Assert.Equal(2.0, ci.Mean, 12);
        Assert.Equal(4.303 / Math.Sqrt(3), ci.HalfWidth, 9);
        Assert.Equal(0, ConfidenceInterval.Of([0.5]).HalfWidth);
        Assert.Equal(0, ConfidenceInterval.Of([0.5, 0.5, 0.5]).HalfWidth);
        Assert.Equal(12.706, ConfidenceInterval.TQuantile(1));
        Assert.Equal(1.96, ConfidenceInterval.TQuantile(100));
    }
}
