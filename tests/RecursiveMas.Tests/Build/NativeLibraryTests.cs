using TorchSharp;
namespace RecursiveMas.Tests.Build;

public class NativeLibraryTests
{
    [Fact]
    public void TorchLoads()
    {
        using var a = torch.ones(2, 2);
        Assert.Equal(8f, a.matmul(a).sum().item<float>());
    }
}
