namespace RecursiveMas.Links;

/// <summary>
/// The outer RecursiveLink R_out of one edge sender→receiver (d_in→d_out): maps the sender's m latent
/// embeddings R_in(H) into the receiver's input-embedding space, where they fill a prompt slot.
/// </summary>
public sealed class OuterLink : RecursiveLink
{
    /// <summary>A new link, PyTorch-default initialized from <paramref name="generator"/>.</summary>
    public OuterLink(string from, string to, int inDim, int outDim, LinkArchitecture architecture = LinkArchitecture.OuterLayerNormResidual,
        TorchSharp.torch.Device? device = null, TorchSharp.torch.Generator? generator = null)
        : base(IdOf(from, to), Checked(architecture), inDim, outDim, device, generator)
    {
        From = from;
        To = to;
    }

    /// <summary>The sending agent.</summary>
    public string From { get; }

    /// <summary>The receiving agent.</summary>
    public string To { get; }

    /// <summary>The id of the link of an edge: <c>outer.From-To</c>.</summary>
    public static string IdOf(string from, string to) => $"outer.{from}-{to}";

    static LinkArchitecture Checked(LinkArchitecture a) =>
        a.IsOuter() ? a : throw new ArgumentException($"{a} is an inner-link layout", nameof(a));

    /// <summary>Loads <c>{basePath}.json/.safetensors</c>, checking dims against the agents' hidden sizes when given.</summary>
    /// <param name="device">Where the link lives (the CPU by default).</param>
    public static OuterLink Load(string basePath, string from, string to, int? expectedInDim = null, int? expectedOutDim = null,
        TorchSharp.torch.Device? device = null)
    {
        var (architecture, inDim, outDim) = ReadConfig(basePath, IdOf(from, to), outer: true, expectedInDim, expectedOutDim);
        var link = new OuterLink(from, to, inDim, outDim, architecture, device);
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
