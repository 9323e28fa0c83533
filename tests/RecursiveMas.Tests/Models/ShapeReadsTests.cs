using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

public class ShapeReadsTests
{
    [Fact]
    public void GiveWhatTorchSharpGives()
    {
        using var scope = NewDisposeScope();
        var view = randn(2, 3, 5, 7).transpose(1, 2).narrow(3, 1, 4);
        Assert.Equal(view.shape, view.Sizes());
        Assert.Equal(view.stride(), view.Strides());
        Assert.Empty(tensor(3f).Sizes());
    }
}
