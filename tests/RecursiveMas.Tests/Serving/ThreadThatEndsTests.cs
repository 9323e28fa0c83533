using RecursiveMas.Serving;

namespace RecursiveMas.Tests.Serving;

public sealed class ThreadThatEndsTests
{
    [Fact]
    public void RunsOnAThreadThatIsGoneAfterwardsAndPassesResultsAndExceptionsBack()
    {
        Thread? ran = null;
        int answer = ThreadThatEnds.Run("test work", () =>
        {
            ran = Thread.CurrentThread;
            return 42;
        });
        Assert.Equal(42, answer);
        Assert.NotSame(Thread.CurrentThread, ran);
        Assert.Equal("test work", ran!.Name);
        Assert.False(ran.IsAlive); // its OpenMP team, had it started one, is gone with it

        var e = Assert.Throws<InvalidOperationException>(() => ThreadThatEnds.Run<int>("failing work", () => throw new InvalidOperationException("bad row 3")));
        Assert.Equal("bad row 3", e.Message);
        Assert.Contains(nameof(RunsOnAThreadThatIsGoneAfterwardsAndPassesResultsAndExceptionsBack), e.StackTrace);
    }
}
