using RecursiveMas.Training;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Training;

public sealed class LinkAdamWTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void UpdatesLikeTorchAdamW(double weightDecay)
    {
        var generator = new Generator(5);
        using var start = randn([4, 3], generator: generator);
        var ours = start.clone();
        var theirs = start.clone().requires_grad_(true);
        using var optimizer = new LinkAdamW([("w", ours)], 0.9, 0.95, 1e-8, weightDecay);
        var reference = optim.AdamW([new TorchSharp.Modules.Parameter(theirs)], lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: weightDecay);
        var referenceParameter = reference.parameters().Single();
        for (int step = 0; step < 5; step++)
        {
            using var gradient = randn([4, 3], generator: generator);
            double lr = 1e-2 * (step + 1) / 5;
            optimizer.Step(new Dictionary<string, Tensor> { ["w"] = gradient }, lr);

            foreach (var group in reference.ParamGroups)
                group.LearningRate = lr;
            reference.zero_grad();
            (referenceParameter * gradient).sum().backward();
            reference.step();
        }
        Assert.True(ours.allclose(referenceParameter.detach(), rtol: 1e-5, atol: 1e-7),
            $"max difference {(ours - referenceParameter.detach()).abs().max().item<float>()}");
    }
}
