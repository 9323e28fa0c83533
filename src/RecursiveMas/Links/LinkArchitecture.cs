namespace RecursiveMas.Links;

/// <summary>
/// The layouts of a RecursiveLink, as named in the released RecursiveMAS code (the config value in
/// brackets). Inner links map an agent's last hidden state to its own next input embedding (d→d);
/// outer links map a sender's latent embeddings into a receiver's embedding space (d_in→d_out).
/// The default of each is the layout of the released checkpoints; the others are the ablation
/// variants of the paper's Table 4.
/// </summary>
public enum LinkArchitecture
{
    /// <summary>[ln_res_adapter] post_ln(x + proj2(gelu(proj1(pre_ln(x))))) — the shipped inner link.</summary>
    LayerNormResidual,

    /// <summary>[res_adapter] x + proj2(gelu(proj1(x))).</summary>
    ResidualTwoLayer,

    /// <summary>[adapter] proj2(gelu(proj1(x))).</summary>
    TwoLayer,

    /// <summary>[linear_res_adapter] x + proj1(x).</summary>
    ResidualLinear,

    /// <summary>[linear_adapter] proj1(x).</summary>
    Linear,

    /// <summary>[outer_ln_res_adapter] ln_target(proj2(gelu(proj1(ln_source(x)))) + residual_proj(x)), hidden 2·d_out — the shipped outer link.</summary>
    OuterLayerNormResidual,

    /// <summary>[outer_ln_adapter] ln_target(proj2(gelu(proj1(ln_source(x))))), hidden 2·d_out.</summary>
    OuterLayerNorm,

    /// <summary>[outer_res_adapter] proj2(gelu(proj1(x))) + residual_proj(x), hidden d_out.</summary>
    OuterResidualTwoLayer,

    /// <summary>[outer_adapter] proj2(gelu(proj1(x))), hidden d_out.</summary>
    OuterTwoLayer,

    /// <summary>[outer_linear_res_adapter] proj1(x) + residual_proj(x).</summary>
    OuterResidualLinear,

    /// <summary>[outer_linear_adapter] proj1(x).</summary>
    OuterLinear,
}

/// <summary>Names, aliases and structural facts of <see cref="LinkArchitecture"/> values.</summary>
public static class LinkArchitectures
{
    /// <summary>The released code's config name.</summary>
    public static string ConfigName(this LinkArchitecture a) => a switch
    {
        LinkArchitecture.LayerNormResidual => "ln_res_adapter",
        LinkArchitecture.ResidualTwoLayer => "res_adapter",
        LinkArchitecture.TwoLayer => "adapter",
        LinkArchitecture.ResidualLinear => "linear_res_adapter",
        LinkArchitecture.Linear => "linear_adapter",
        LinkArchitecture.OuterLayerNormResidual => "outer_ln_res_adapter",
        LinkArchitecture.OuterLayerNorm => "outer_ln_adapter",
        LinkArchitecture.OuterResidualTwoLayer => "outer_res_adapter",
        LinkArchitecture.OuterTwoLayer => "outer_adapter",
        LinkArchitecture.OuterResidualLinear => "outer_linear_res_adapter",
        LinkArchitecture.OuterLinear => "outer_linear_adapter",
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    /// <summary>
    /// Parses a config name or the released aliases ("1layer", "1layer_res", "2layer", "2layer_res",
    /// "2layer_ln_res"), which mean an inner or outer layout depending on <paramref name="outer"/>.
    /// </summary>
    public static bool TryParse(string name, bool outer, out LinkArchitecture architecture)
    {
        string canonical = name switch
        {
            "1layer" => outer ? "outer_linear_adapter" : "linear_adapter",
            "1layer_res" => outer ? "outer_linear_res_adapter" : "linear_res_adapter",
            "2layer" => outer ? "outer_adapter" : "adapter",
            "2layer_res" => outer ? "outer_res_adapter" : "res_adapter",
            "2layer_ln_res" => outer ? "outer_ln_res_adapter" : "ln_res_adapter",
            _ => name,
        };
        foreach (var candidate in Enum.GetValues<LinkArchitecture>())
        {
            if (candidate.ConfigName() == canonical && candidate.IsOuter() == outer)
            {
                architecture = candidate;
                return true;
            }
        }
        architecture = default;
        return false;
    }

    /// <summary>True for the d_in→d_out layouts.</summary>
    public static bool IsOuter(this LinkArchitecture a) => a >= LinkArchitecture.OuterLayerNormResidual;

    /// <summary>One projection (proj1) instead of proj1 → GELU → proj2.</summary>
    public static bool IsLinear(this LinkArchitecture a) =>
        a is LinkArchitecture.Linear or LinkArchitecture.ResidualLinear or LinkArchitecture.OuterLinear or LinkArchitecture.OuterResidualLinear;

    /// <summary>Input and output LayerNorms (pre_ln/post_ln, or ln_source/ln_target).</summary>
    public static bool HasLayerNorms(this LinkArchitecture a) =>
        a is LinkArchitecture.LayerNormResidual or LinkArchitecture.OuterLayerNormResidual or LinkArchitecture.OuterLayerNorm;

    /// <summary>Adds the input back (inner: x; outer: residual_proj(x)).</summary>
    public static bool HasResidual(this LinkArchitecture a) =>
        a is LinkArchitecture.LayerNormResidual or LinkArchitecture.ResidualTwoLayer or LinkArchitecture.ResidualLinear
            or LinkArchitecture.OuterLayerNormResidual or LinkArchitecture.OuterResidualTwoLayer or LinkArchitecture.OuterResidualLinear;
}
