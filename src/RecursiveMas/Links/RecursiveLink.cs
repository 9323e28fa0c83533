using System.Text.Json;
using System.Text.Json.Nodes;
using RecursiveMas.IO;
using RecursiveMas.Models;
using RecursiveMas.Models.Kernels;
using RecursiveMas.Models.SafeTensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Links;

/// <summary>
/// A trained RecursiveLink: the small network that turns hidden states into input embeddings,
/// inside one agent (<see cref="InnerLink"/>) or across agents (<see cref="OuterLink"/>). Parameter
/// names follow the released checkpoints (<c>pre_ln</c>, <c>proj1</c>, <c>proj2</c>, <c>post_ln</c>;
/// <c>ln_source</c>, <c>residual_proj</c>, <c>ln_target</c>) so official state dicts import unchanged.
/// Initialization is PyTorch's default (Kaiming-uniform linear layers, unit LayerNorms), as upstream.
/// A link is saved as <c>NAME.safetensors</c> plus <c>NAME.json</c> (type and dims).
/// </summary>
public abstract class RecursiveLink : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // snake_case: names are checkpoint keys
    private readonly LayerNorm? pre_ln;
    private readonly LayerNorm? post_ln;
    private readonly LayerNorm? ln_source;
    private readonly LayerNorm? ln_target;
    private readonly Linear proj1;
    private readonly Linear? proj2;
    private readonly Linear? residual_proj;
#pragma warning restore IDE1006

    /// <param name="device">Where the parameters live (the CPU by default); links sit on their models' device.</param>
    /// <param name="generator">
    /// Draws the initial weights (PyTorch's default init, see <see cref="Initialize"/>); null = torch's
    /// process-wide generator, as a bare <c>nn.Linear</c> would. Seeded callers pass their own, so no
    /// process-wide state decides a result.
    /// </param>
    private protected RecursiveLink(string id, LinkArchitecture architecture, int inDim, int outDim, Device? device, Generator? generator) : base(id)
    {
        if (inDim <= 0 || outDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(inDim), $"link {id}: dims must be positive, got {inDim}→{outDim}");
        Id = id;
        Architecture = architecture;
        InDim = inDim;
        OutDim = outDim;
        bool outer = architecture.IsOuter();
        int hidden = outer ? (architecture.HasLayerNorms() ? 2 * outDim : outDim) : outDim;
        proj1 = nn.Linear(inDim, architecture.IsLinear() ? outDim : hidden, device: device);
        if (!architecture.IsLinear())
            proj2 = nn.Linear(hidden, outDim, device: device);
        if (architecture.HasLayerNorms())
        {
            if (outer)
            {
                ln_source = nn.LayerNorm(inDim, device: device);
                ln_target = nn.LayerNorm(outDim, device: device);
            }
            else
            {
                pre_ln = nn.LayerNorm(inDim, device: device);
                post_ln = nn.LayerNorm(outDim, device: device);
            }
        }
        if (outer && architecture.HasResidual())
            residual_proj = nn.Linear(inDim, outDim, device: device);
        RegisterComponents();
        if (generator is not null)
            Initialize(generator);
    }

    /// <summary>
    /// PyTorch's default init of every linear layer, drawn from <paramref name="generator"/> in
    /// construction order (weight, then bias): kaiming-uniform with a = √5, i.e. U(±1/√fan_in), and
    /// the bias U(±1/√fan_in). LayerNorms stay at weight 1, bias 0.
    /// </summary>
    void Initialize(Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var layer in new[] { proj1, proj2, residual_proj })
        {
            if (layer is null)
                continue;
            double bound = 1 / Math.Sqrt(layer.weight!.size(1));
            layer.weight.uniform_(-bound, bound, generator);
            layer.bias!.uniform_(-bound, bound, generator);
        }
    }

    /// <summary>
    /// Sets the output LayerNorm's affine so the link's output starts with the per-dimension mean and
    /// spread of <paramref name="embeddings"/> [V, d_out] (the receiving model's input embeddings), instead
    /// of PyTorch's unit gain: a LayerNorm's output has norm √d, which for small models is many times a
    /// real token embedding and swamps the residual stream of every step it is fed to. Links without an
    /// output LayerNorm are left as they are (returns false).
    /// </summary>
    public bool MatchOutputToEmbeddings(Tensor embeddings)
    {
        if (TargetNorm is not { } norm)
            return false;
        if (embeddings.dim() != 2 || embeddings.size(1) != OutDim)
            throw new ArgumentException($"link {Id}: embeddings must be [V, {OutDim}], got [{string.Join(", ", embeddings.Sizes())}]", nameof(embeddings));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var table = embeddings.to(float32);
        norm.weight!.copy_(table.std(0).to(norm.weight.dtype));
        norm.bias!.copy_(table.mean([0L]).to(norm.bias.dtype));
        return true;
    }

    /// <summary>Name used in errors and file names, e.g. <c>inner.Planner</c> or <c>outer.Planner-Critic</c>.</summary>
    public string Id { get; }

    /// <summary>The layout.</summary>
    public LinkArchitecture Architecture { get; }

    /// <summary>Input width (the sender's hidden size).</summary>
    public int InDim { get; }

    /// <summary>Output width (the receiver's embedding size).</summary>
    public int OutDim { get; }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    internal LayerNorm? SourceNorm => ln_source ?? pre_ln;
    internal LayerNorm? TargetNorm => ln_target ?? post_ln;
    internal Linear FirstProjection => proj1;
    internal Linear? SecondProjection => proj2;
    internal Linear? ResidualProjection => residual_proj;

    /// <summary>x [..., in] → [..., out], computed in the link's dtype and returned in x's dtype.</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.size(-1) != InDim)
            throw new ArgumentException($"link {Id} expects inputs of width {InDim}, got {x.size(-1)}");
        using var scope = NewDisposeScope();
        var dtype = proj1.weight!.dtype;
        var input = x.dtype == dtype ? x : x.to(dtype);
        var h = SourceNorm is { } norm ? norm.forward(input) : input;
        var y = proj2 is null ? Project(proj1, h) : Project(proj2, nn.functional.gelu(Project(proj1, h)));
        if (Architecture.HasResidual())
            y = residual_proj is not null ? y.Plus(Project(residual_proj, input)) : y.Plus(input);
        if (TargetNorm is { } target)
            y = target.forward(y);
        if (y.dtype != x.dtype)
            y = y.to(x.dtype);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One of the link's linear layers: the CPU kernels at inference (<see cref="CpuLinear.Linear"/>), so a
    /// question's messages have the same bits alone and batched; libtorch's with a graph (training).
    /// </summary>
    internal static Tensor Project(Linear layer, Tensor x) => CpuLinear.Linear(x, layer.weight!, layer.bias);

    /// <summary>The dtype of the parameters (and of the link's computation): float32 unless converted (<see cref="ConvertTo"/>).</summary>
    public ScalarType DType => proj1.weight!.dtype;

    /// <summary>
    /// Converts every parameter to <paramref name="dtype"/> (e.g. bfloat16, to train as released); the link then
    /// computes in it, reading and returning its callers' dtype. Parameters are replaced, so references taken
    /// before (optimizer state, gradients) no longer belong to the link.
    /// </summary>
    public void ConvertTo(ScalarType dtype)
    {
        if (DType == dtype)
            return;
        bool trainable = parameters().Any(p => p.requires_grad);
        this.to(dtype);
        SetTrainable(trainable);
    }

    /// <summary>Freezes or unfreezes every parameter.</summary>
    public void SetTrainable(bool trainable)
    {
        foreach (var p in parameters())
            p.requires_grad = trainable;
    }

    /// <summary>
    /// Writes <c>{basePath}.safetensors</c> in the link's dtype (float32, or bfloat16 for links trained in it, as the
    /// release's link files are) and <c>{basePath}.json</c>, each atomically. <see cref="LoadWeights"/> reads either
    /// into float32 (bfloat16 → float32 is exact).
    /// </summary>
    public void Save(string basePath)
    {
        using var scope = NewDisposeScope();
        var tensors = named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter.detach())).ToList();
        SafeTensorsWriter.Write(basePath + ".safetensors", tensors, new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["type"] = Architecture.ConfigName(),
        });
        var config = new JsonObject
        {
            ["type"] = Architecture.ConfigName(),
            ["in_dim"] = InDim,
            ["out_dim"] = OutDim,
        };
        AtomicFile.WriteAllText(basePath + ".json", config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Reads the link config <c>{basePath}.json</c>; checks the type against <paramref name="outer"/>
    /// and, where given, the dims against what the system needs (an error names the link and both sizes).
    /// </summary>
    private protected static (LinkArchitecture Architecture, int InDim, int OutDim) ReadConfig(
        string basePath, string id, bool outer, int? expectedIn, int? expectedOut)
    {
        string path = basePath + ".json";
        if (!File.Exists(path))
            throw new ModelFileException(path, id, "link config not found");
        JsonObject config;
        try
        {
            config = JsonNode.Parse(Tokenization.JsonFile.ReadSmall(path, ModelConfig.MaxFileBytes)) as JsonObject
                ?? throw new ModelFileException(path, id, "link config must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, id, $"link config is not valid JSON: {e.Message}", e);
        }
        string type = config["type"]?.GetValueKind() == JsonValueKind.String ? config["type"]!.GetValue<string>()
            : throw new ModelFileException(path, "type", $"link {id}: missing \"type\"");
        if (!LinkArchitectures.TryParse(type, outer, out var architecture))
            throw new ModelFileException(path, "type",
                $"link {id}: \"{type}\" is not an {(outer ? "outer" : "inner")} link type");
        int inDim = ReadDim(config, "in_dim", path, id);
        int outDim = ReadDim(config, "out_dim", path, id);
        if (expectedIn is int ei && ei != inDim)
            throw new ModelFileException(path, "in_dim", $"link {id} reads hidden states of size {inDim} but its sender has hidden size {ei}");
        if (expectedOut is int eo && eo != outDim)
            throw new ModelFileException(path, "out_dim", $"link {id} writes embeddings of size {outDim} but its receiver has hidden size {eo}");
        if (!outer && inDim != outDim)
            throw new ModelFileException(path, "out_dim", $"inner link {id} must map d→d, got {inDim}→{outDim}");
        return (architecture, inDim, outDim);
    }

    static int ReadDim(JsonObject config, string key, string path, string id)
    {
        if (config[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int dim) && dim > 0)
            return dim;
        throw new ModelFileException(path, key, $"link {id}: \"{key}\" must be a positive integer");
    }

    /// <summary>
    /// Fills the parameters from <c>{basePath}.safetensors</c>; every tensor checked for presence, shape and finite
    /// values, and a tensor the link does not have refused (the file of another link type, or not a link's file): a
    /// link is a few matrices, so a broken one is cheap to find here and costly to find in answers.
    /// </summary>
    private protected void LoadWeights(string basePath)
    {
        using var checkpoint = Checkpoint.OpenFile(basePath + ".safetensors");
        // Save writes the type into both files; two that disagree are not one link's (a .json copied over another's).
        if (checkpoint.Metadata.TryGetValue("type", out string? stored) && stored != Architecture.ConfigName())
            throw new ModelFileException(checkpoint.SourcePath, "__metadata__.type",
                $"link {Id}: the weights say \"{stored}\" but {basePath}.json says \"{Architecture.ConfigName()}\": the two files are not one link's");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, parameter) in named_parameters())
        {
            if (!checkpoint.Contains(name))
                throw new ModelFileException(checkpoint.SourcePath, name,
                    $"link {Id} ({Architecture.ConfigName()}, {InDim}→{OutDim}) needs this tensor");
            checkpoint.LoadFiniteInto(name, parameter, $"link {Id}: ");
            names.Add(name);
        }
        if (checkpoint.Names.FirstOrDefault(n => !names.Contains(n)) is { } extra)
            throw new ModelFileException(checkpoint.SourcePath, extra,
                $"link {Id} ({Architecture.ConfigName()}, {InDim}→{OutDim}) has no such tensor: the file of another link type, or not a link's file");
    }
}
