using RecursiveMas.Links;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Links;

public sealed class RecursiveLinkTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-links-" + Guid.NewGuid().ToString("N"));

    public RecursiveLinkTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static RecursiveLink Create(LinkArchitecture a, int inDim, int outDim) =>
        a.IsOuter() ? new OuterLink("A", "B", inDim, outDim, a) : new InnerLink("A", inDim, a);

    /// <summary>The released formulas, written out with the link's own parameters.</summary>
    static Tensor Formula(RecursiveLink link, Tensor x)
    {
        var p = link.named_parameters().ToDictionary(e => e.name, e => (Tensor)e.parameter);
        Tensor Lin(string n, Tensor v) => nn.functional.linear(v, p[n + ".weight"], p[n + ".bias"]);
        Tensor Ln(string n, Tensor v) => nn.functional.layer_norm(v, [v.shape[^1]], p[n + ".weight"], p[n + ".bias"], 1e-5);
        Tensor Mlp(Tensor v) => Lin("proj2", nn.functional.gelu(Lin("proj1", v)));
        return link.Architecture switch
        {
            LinkArchitecture.LayerNormResidual => Ln("post_ln", x + Mlp(Ln("pre_ln", x))),
            LinkArchitecture.ResidualTwoLayer => x + Mlp(x),
            LinkArchitecture.TwoLayer => Mlp(x),
            LinkArchitecture.ResidualLinear => x + Lin("proj1", x),
            LinkArchitecture.Linear => Lin("proj1", x),
            LinkArchitecture.OuterLayerNormResidual => Ln("ln_target", Mlp(Ln("ln_source", x)) + Lin("residual_proj", x)),
            LinkArchitecture.OuterLayerNorm => Ln("ln_target", Mlp(Ln("ln_source", x))),
            LinkArchitecture.OuterResidualTwoLayer => Mlp(x) + Lin("residual_proj", x),
            LinkArchitecture.OuterTwoLayer => Mlp(x),
            LinkArchitecture.OuterResidualLinear => Lin("proj1", x) + Lin("residual_proj", x),
            LinkArchitecture.OuterLinear => Lin("proj1", x),
            _ => throw new ArgumentOutOfRangeException(),
        };
    }

    public static IEnumerable<object[]> Architectures() => Enum.GetValues<LinkArchitecture>().Select(a => new object[] { a });

    [Theory]
    [MemberData(nameof(Architectures))]
    public void EveryLayoutComputesItsReleasedFormula(LinkArchitecture architecture)
    {
        using var link = Create(architecture, 24, architecture.IsOuter() ? 40 : 24);
        // Perturb the norms so a forgotten affine shows.
        using (no_grad())
            foreach (var (name, p) in link.named_parameters())
                if (name.Contains("ln"))
                    p.add_(randn(p.shape) * 0.3);
        var x = randn(2, 5, 24);
        TensorAssert.Close(Formula(link, x), link.forward(x), 1e-6);
        Assert.Equal(LinkArchitectures.TryParse(architecture.ConfigName(), architecture.IsOuter(), out var parsed) ? parsed : (LinkArchitecture?)null, architecture);
    }

    [Fact]
    public void ReleasedLayoutsHaveTheReleasedParameterNamesAndCounts()
    {
        using var inner = new InnerLink("Planner", 2048);
        Assert.Equal(
            ["post_ln.bias", "post_ln.weight", "pre_ln.bias", "pre_ln.weight", "proj1.bias", "proj1.weight", "proj2.bias", "proj2.weight"],
            inner.state_dict().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2L * 2048 * 2048 + 6 * 2048, inner.ParameterCount); // PAPER §2.2: 8.40M

        using var outer = new OuterLink("Reflector", "ToolCaller", 2560, 2560);
        var shapes = outer.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal([5120L, 2560], shapes["proj1.weight"]);
        Assert.Equal([2560L, 5120], shapes["proj2.weight"]);
        Assert.Equal([2560L, 2560], shapes["residual_proj.weight"]);
        Assert.Equal([2560L], shapes["ln_source.weight"]);
        Assert.Equal(32_788_480, outer.ParameterCount); // PAPER §3.2: 32.79M, the Deliberation file's 65.58 MB in bf16

        Assert.True(LinkArchitectures.TryParse("2layer_ln_res", outer: true, out var alias));
        Assert.Equal(LinkArchitecture.OuterLayerNormResidual, alias);
        Assert.False(LinkArchitectures.TryParse("outer_ln_res_adapter", outer: false, out _));
    }

    [Theory]
    [InlineData(LinkArchitecture.LayerNormResidual)]
    [InlineData(LinkArchitecture.OuterLayerNormResidual)]
    [InlineData(LinkArchitecture.OuterLinear)]
    public void SavedLinksReloadToIdenticalOutputs(LinkArchitecture architecture)
    {
        using var link = Create(architecture, 16, architecture.IsOuter() ? 12 : 16);
        string basePath = Path.Combine(_dir, link.Id);
        link.Save(basePath);
        using RecursiveLink loaded = architecture.IsOuter()
            ? OuterLink.Load(basePath, "A", "B", 16, 12)
            : InnerLink.Load(basePath, "A", 16);
        Assert.Equal(architecture, loaded.Architecture);
        var x = randn(3, 16);
        TensorAssert.Close(link.forward(x), loaded.forward(x), 0);
    }

    [Fact]
    public void ALinkFileWithNonFiniteValuesOrATensorTheLinkLacksIsRefusedNamingTheTensor()
    {
        using var link = new InnerLink("Planner", 16);
        string basePath = Path.Combine(_dir, link.Id);
        link.Save(basePath);
        var tensors = link.named_parameters().Select(p => new KeyValuePair<string, TorchSharp.torch.Tensor>(p.name, p.parameter.detach().clone())).ToList();
        string first = tensors[0].Key;

        tensors[0].Value[0].fill_(float.NaN);
        RecursiveMas.Models.SafeTensors.SafeTensorsWriter.Write(basePath + ".safetensors", tensors);
        var nan = Assert.Throws<ModelFileException>(() => InnerLink.Load(basePath, "Planner", 16));
        Assert.Equal(first, nan.Item);
        Assert.Contains("NaN or infinite", nan.Message);

        tensors[0].Value.fill_(0.5f);
        RecursiveMas.Models.SafeTensors.SafeTensorsWriter.Write(basePath + ".safetensors", [.. tensors, new("extra.weight", TorchSharp.torch.zeros(2))]);
        Assert.Equal("extra.weight", Assert.Throws<ModelFileException>(() => InnerLink.Load(basePath, "Planner", 16)).Item);

        // The weights of the same shapes, but written as another link type's: the .json beside them is not theirs.
        RecursiveMas.Models.SafeTensors.SafeTensorsWriter.Write(basePath + ".safetensors", tensors, new Dictionary<string, string> { ["type"] = "another_link" });
        var mixed = Assert.Throws<ModelFileException>(() => InnerLink.Load(basePath, "Planner", 16));
        Assert.Equal("__metadata__.type", mixed.Item);
        Assert.Contains("\"another_link\"", mixed.Message);
        tensors.ForEach(t => t.Value.Dispose());
    }

    [Fact]
    public void ALinkFileWithWrongDimsNamesTheLinkAndBothSizes()
    {
        using var link = new OuterLink("Planner", "Critic", 64, 96);
        string basePath = Path.Combine(_dir, link.Id);
        link.Save(basePath);

        var e = Assert.Throws<ModelFileException>(() => OuterLink.Load(basePath, "Planner", "Critic", 64, 128));
        Assert.Contains("outer.Planner-Critic", e.Message);
        Assert.Contains("96", e.Message);
        Assert.Contains("128", e.Message);
        var e2 = Assert.Throws<ModelFileException>(() => OuterLink.Load(basePath, "Planner", "Critic", 80, 96));
        Assert.Contains("64", e2.Message);
        Assert.Contains("80", e2.Message);

        // Config says 96 but the weights are for another size.
        File.WriteAllText(basePath + ".json", """{"type":"outer_ln_res_adapter","in_dim":64,"out_dim":100}""");
        var e3 = Assert.Throws<ModelFileException>(() => OuterLink.Load(basePath, "Planner", "Critic"));
        Assert.NotNull(e3.Item);
        Assert.Contains("100", e3.Message);

        File.WriteAllText(basePath + ".json", """{"type":"ln_res_adapter","in_dim":64,"out_dim":96}""");
        Assert.Equal("type", Assert.Throws<ModelFileException>(() => OuterLink.Load(basePath, "Planner", "Critic")).Item);
        Assert.Contains("not found", Assert.Throws<ModelFileException>(() => InnerLink.Load(Path.Combine(_dir, "missing"), "X")).Message);
    }

    [Fact]
    public void FusedLinksEqualSeparateCallsAndPassTheSameGradients()
    {
        var links = new[] { new OuterLink("S", "E1", 32, 24), new OuterLink("S", "E2", 32, 40), new OuterLink("S", "E3", 32, 16) };
        using (no_grad())
            foreach (var link in links)
                foreach (var (name, p) in link.named_parameters())
                    if (name.Contains("ln"))
                        p.add_(randn(p.shape) * 0.3);
        using var fused = new FusedOuterLinks(links);
        var x = randn(2, 7, 32);

        var separate = links.Select(l => l.forward(x)).ToArray();
        var together = fused.Forward(x);
        for (int i = 0; i < links.Length; i++)
            TensorAssert.Close(separate[i], together[i], 1e-5, links[i].Id);

        // Training: gradients through the fused path equal those through separate calls.
        var weights = links.Select(_ => randn(2, 7, 1)).ToArray();
        separate.Select((y, i) => (y * weights[i]).sum()).Aggregate((a, b) => a + b).backward();
        var expectedGrads = links.SelectMany(l => l.parameters()).Select(p => p.grad!.clone()).ToArray();
        foreach (var l in links)
            l.zero_grad();
        fused.Forward(x).Select((y, i) => (y * weights[i]).sum()).Aggregate((a, b) => a + b).backward();
        var fusedGrads = links.SelectMany(l => l.parameters()).Select(p => p.grad!).ToArray();
        for (int i = 0; i < expectedGrads.Length; i++)
            TensorAssert.Close(expectedGrads[i], fusedGrads[i], 1e-4, $"gradient {i}");

        // Frozen: the folded weights are cached and still exact.
        foreach (var l in links)
            l.SetTrainable(false);
        using (no_grad())
        {
            var first = fused.Forward(x);
            var second = fused.Forward(x);
            for (int i = 0; i < links.Length; i++)
            {
                TensorAssert.Close(separate[i], first[i], 1e-5);
                TensorAssert.Close(first[i], second[i], 0);
            }
        }
        foreach (var l in links)
            l.Dispose();
    }

    [Fact]
    public void FrozenFusedLinksRefoldAfterAnyWriteToALink()
    {
        var links = new[] { new OuterLink("S", "E1", 16, 12), new OuterLink("S", "E2", 16, 8) };
        foreach (var l in links)
            l.SetTrainable(false);
        using var fused = new FusedOuterLinks(links);
        using var noGrad = no_grad();
        var x = randn(2, 3, 16);
        var before = fused.Forward(x); // fills the cache

        // In-place writes nobody announces (a user's copy_, an optimizer step, loading a checkpoint):
        // the parameters' version counters change, and with them the cache key.
        links[1].named_parameters().Single(p => p.name == "ln_source.weight").parameter.copy_(randn(16));
        links[0].named_parameters().Single(p => p.name == "proj1.bias").parameter.add_(0.5);

        var after = fused.Forward(x);
        for (int i = 0; i < links.Length; i++)
            TensorAssert.Close(links[i].forward(x), after[i], 1e-5, links[i].Id);
        Assert.True((before[0] - after[0]).abs().max().item<float>() > 1e-3, "the first link's output changed");
        foreach (var l in links)
            l.Dispose();
    }
}
