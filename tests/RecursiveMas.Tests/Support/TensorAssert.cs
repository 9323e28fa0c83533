using static TorchSharp.torch;

namespace RecursiveMas.Tests.Support;

public static class TensorAssert
{
    /// <summary>Largest absolute elementwise difference.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        using var d = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max();
        return d.item<double>();
    }

    public static void Close(Tensor expected, Tensor actual, double tolerance, string what = "")
    {
        double diff = MaxAbsDiff(expected, actual);
        Assert.True(diff <= tolerance, $"{what} differs by {diff:G3} (tolerance {tolerance:G3})");
    }

    public static double[][] Rows(Tensor x2d) =>
        Enumerable.Range(0, (int)x2d.shape[0]).Select(i => x2d[i].to(ScalarType.Float64).data<double>().ToArray()).ToArray();
}
