namespace RecursiveMas.Links;

/// <summary>
/// An agent's inner RecursiveLink R_in (d→d): maps the last hidden state h_t to the next input
/// embedding e_{t+1} during a latent rollout, so the agent "thinks" without decoding a token.
/// </summary>
public sealed class InnerLink : RecursiveLink
{
    /// <summary>A new link for an agent of hidden size <paramref name="dim"/>, PyTorch-default initialized.</summary>
    public InnerLink(string agent, int dim, LinkArchitecture architecture = LinkArchitecture.LayerNormResidual)
        : base($"inner.{agent}", Checked(architecture), dim, dim)
    {
        Agent = agent;
    }

    /// <summary>The agent this link belongs to.</summary>
    public string Agent { get; }

    static LinkArchitecture Checked(LinkArchitecture a) =>
        a.IsOuter() ? throw new ArgumentException($"{a} is an outer-link layout", nameof(a)) : a;

    /// <summary>Loads <c>{basePath}.json/.safetensors</c>; <paramref name="expectedDim"/> is the agent's hidden size.</summary>
    public static InnerLink Load(string basePath, string agent, int? expectedDim = null)
    {
        var (architecture, inDim, _) = ReadConfig(basePath, $"inner.{agent}", outer: false, expectedDim, expectedDim);
        var link = new InnerLink(agent, inDim, architecture);
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
