using RecursiveMas.Latent;
using RecursiveMas.Links;
using RecursiveMas.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Latent;

public class LatentRolloutCancellationTests
{
    /// <summary>An inner link that counts its calls and cancels after the third: a cancel arriving mid-rollout.</summary>
    sealed class CancellingLink(InnerLink inner, CancellationTokenSource cancel) : nn.Module<Tensor, Tensor>("cancelling")
    {
        public int Calls { get; private set; }

        public override Tensor forward(Tensor h)
        {
            if (++Calls == 3)
                cancel.Cancel();
            return inner.forward(h);
        }
    }

    [Theory]
    [InlineData(RolloutMode.Cached)]
    [InlineData(RolloutMode.Reference)]
    public void ACancelMidRolloutStopsBeforeTheNextLatentStep(RolloutMode mode)
    {
        using var model = TinyModels.Create(TinyModels.Llama(), std: 0.02);
        using var seeded = new Generator(1);
        using var inner = new InnerLink("agent", model.HiddenSize, generator: seeded);
        using var cancel = new CancellationTokenSource();
        using var link = new CancellingLink(inner, cancel);
        using var noGrad = no_grad();
        var prompt = model.Embed(tensor(new long[] { 5, 8, 13, 21 }).unsqueeze(0));

        Assert.ThrowsAny<OperationCanceledException>(() => LatentRollout.Run(model, link, prompt, null, 32, mode, cancellationToken: cancel.Token));
        Assert.Equal(3, link.Calls);
    }
}
