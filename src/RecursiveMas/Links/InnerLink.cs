namespace RecursiveMas.Links;

/// <summary>
/// An agent's inner RecursiveLink R_in (d→d): maps the last hidden state h_t to the next input
/// embedding e_{t+1} during a latent rollout, so the agent "thinks" without decoding a token.
/// </summary>
public sealed class InnerLink : RecursiveLink
{
    /// <summary>A new link for an agent of hidden size <paramref name="dim"/>, PyTorch-default initialized from <paramref name="generator"/>.</summary>
    public InnerLink(string agent, int dim, LinkArchitecture architecture = LinkArchitecture.LayerNormResidual,
        TorchSharp.torch.Device? device = null, TorchSharp.torch.Generator? generator = null)
        : base($"inner.{agent}", Checked(architecture), dim, dim, device, generator)
    {
        Agent = agent;
    }

    /// <summary>The agent this link belongs to.</summary>
    public string Agent { get; }

    static LinkArchitecture Checked(LinkArchitecture a) =>
        a.IsOuter() ? throw new ArgumentException($"{a} is an outer-link layout", nameof(a)) : a;

    /// <summary>Loads <c>{basePath}.json/.safetensors</c>; <paramref name="expectedDim"/> is the agent's hidden size.</summary>
    /// <param name="device">Where the link lives (the CPU by default).</param>
    public static InnerLink Load(string basePath, string agent, int? expectedDim = null, TorchSharp.torch.Device? device = null)
    {
        var (architecture, inDim, _) = ReadConfig(basePath, $"inner.{agent}", outer: false, expectedDim, expectedDim);
        var link = new InnerLink(agent, inDim, architecture, device);
        try
        {
            link.LoadWeights(basePath);
            return link;
        }
        catch
        {
            link.Dispose();
            throw;
        }
    }
}
