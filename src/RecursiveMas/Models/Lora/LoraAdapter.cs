using RecursiveMas.IO;
using RecursiveMas.Models.Blocks;
using RecursiveMas.Models.SafeTensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Lora;

/// <summary>
/// LoRA adapters on a frozen <see cref="CausalLM"/>'s linear projections (the LoRA baseline of PAPER §6.2):
/// one <see cref="LoraLayer"/> per targeted <see cref="Projection"/>, attached while this object lives. Saved
/// and loaded in PEFT's layout — <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> with keys
/// <c>base_model.model.{module}.lora_A.weight</c> / <c>.lora_B.weight</c> — so adapters interoperate with
/// PEFT. <see cref="Merge"/> folds the update into the base weights (W += scale · B A) for inference.
/// </summary>
/// <remarks>
/// Projections that share a fused matrix (q/k/v, gate/up) each get their own adapter; the fused forward adds
/// each part's update to its slice. The base weights never require gradients here: only A and B train.
/// </remarks>
public sealed class LoraAdapter : IDisposable
{
    /// <summary>The prefix PEFT gives every key: its PeftModel wraps the model as <c>base_model.model</c>.</summary>
    public const string KeyPrefix = "base_model.model.";

    private readonly List<(string Module, Projection Target, LoraLayer Layer)> _layers;
    private bool _detached;

    LoraAdapter(LoraConfig config, List<(string, Projection, LoraLayer)> layers)
    {
        Config = config;
        _layers = layers;
        foreach (var (_, target, layer) in _layers)
            target.Lora = layer;
    }

    /// <summary>The settings (target modules resolved to the names present in the model).</summary>
    public LoraConfig Config { get; }

    /// <summary>The adapted modules by path (e.g. <c>model.layers.0.self_attn.q_proj</c>), in model order.</summary>
    public IReadOnlyList<string> Modules => [.. _layers.Select(l => l.Module)];

    /// <summary>Every A and B under its PEFT key, in model order (A before B).</summary>
    public IReadOnlyList<(string Key, Parameter Tensor)> Parameters =>
        [.. _layers.SelectMany(l => new[] { (KeyOf(l.Module, "A"), l.Layer.A), (KeyOf(l.Module, "B"), l.Layer.B) })];

    /// <summary>
    /// What <see cref="Load"/> did to the adapter folder, for the caller to tell its user: a replacement of the folder
    /// that a process was ended in (<c>rmas pretrain --lora</c>'s swap: it was missing, its complete new adapter beside
    /// it) finished (<see cref="SwappedFolder.FinishInterrupted"/>); null when nothing.
    /// </summary>
    public string? FolderRecovery { get; private set; }

    /// <summary>Number of adapter parameters.</summary>
    public long ParameterCount => _layers.Sum(l => l.Layer.A.numel() + l.Layer.B.numel());

    /// <summary>Whether dropout is applied (training) or not (evaluation).</summary>
    public bool Training
    {
        set
        {
            foreach (var (_, _, layer) in _layers)
                layer.Training = value;
        }
    }

    /// <summary>Makes A and B require gradients (training) or not.</summary>
    public void SetTrainable(bool trainable)
    {
        foreach (var (_, _, layer) in _layers)
        {
            layer.A.requires_grad = trainable;
            layer.B.requires_grad = trainable;
        }
    }

    /// <summary>The PEFT key of a module's A or B.</summary>
    public static string KeyOf(string module, string part) => $"{KeyPrefix}{module}.lora_{part}.weight";

    /// <summary>
    /// New adapters on every projection of <paramref name="model"/> that <paramref name="config"/> targets, as
    /// LoRA initialises them: A drawn like a PyTorch linear layer (Kaiming-uniform, a = √5: U(±1/√in)) from a
    /// generator seeded with <paramref name="seed"/>, B zero — so the adapted model starts equal to the base.
    /// </summary>
    public static LoraAdapter Create(CausalLM model, LoraConfig config, long seed)
    {
        config.Validate();
        var targets = Targets(model, config, source: null);
        // B·A has rank at most min(in, out): a larger r only adds zeros and memory (2e9 was an allocation libtorch refused, exit 70).
        var (narrowest, width) = targets.Select(t => (t.Name, Width: Math.Min(t.Projection.Weight.shape[0], t.Projection.Weight.shape[1]))).MinBy(t => t.Width);
        if (config.Rank > width)
            throw new ArgumentOutOfRangeException(nameof(config.Rank), config.Rank,
                $"the LoRA rank must be at most {width}, the smaller dimension of {narrowest}: an update B·A there cannot have a higher rank");
        using var generator = new Generator((ulong)seed);
        return Attach(config, targets, (_, projection) =>
        {
            var (outFeatures, inFeatures) = (projection.Weight.shape[0], projection.Weight.shape[1]);
            double bound = 1 / Math.Sqrt(inFeatures);
            return (empty(config.Rank, inFeatures, ScalarType.Float32, model.Device).uniform_(-bound, bound, generator),
                zeros(outFeatures, config.Rank, ScalarType.Float32, model.Device));
        });
    }

    /// <summary>
    /// Reads the PEFT adapter in <paramref name="directory"/> and attaches it to <paramref name="model"/>. Every
    /// targeted projection must have both tensors, of shapes [r, in] and [out, r] with r from the config; a
    /// missing, extra, misshapen or non-floating tensor fails with an error naming the file and the tensor,
    /// before anything is attached. First finishes a replacement of the folder a process was ended in between its two
    /// renames (<see cref="FolderRecovery"/> says so), or refuses it with an <see cref="IOException"/> naming the folders.
    /// </summary>
    public static LoraAdapter Load(string directory, CausalLM model)
    {
        // The one place adapters are opened: a killed rmas pretrain --lora leaves no folder, its complete adapter beside it.
        string? recovery = SwappedFolder.FinishInterrupted(directory);
        var config = LoraConfig.Read(directory);
        string path = Path.Combine(Path.GetFullPath(directory), LoraConfig.WeightsFileName);
        if (!File.Exists(path))
            throw new ModelFileException(path, null, "LoRA adapter weights not found");
        var targets = Targets(model, config, Path.Combine(Path.GetFullPath(directory), LoraConfig.ConfigFileName));
        using var file = SafeTensorsFile.Open(path);
        var stored = file.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, projection) in targets)
        {
            var (outFeatures, inFeatures) = (projection.Weight.shape[0], projection.Weight.shape[1]);
            Check(KeyOf(name, "A"), [config.Rank, inFeatures], rankAxis: 0);
            Check(KeyOf(name, "B"), [outFeatures, config.Rank], rankAxis: 1);
        }
        var extra = stored.Keys.FirstOrDefault(k => !expected.Contains(k));
        if (extra is not null)
            throw new ModelFileException(path, extra, $"names no adapted projection of this model (the config targets {targets.Count} modules, e.g. {targets[0].Name})");

        var adapter = Attach(config, targets, (name, _) =>
            (file.Load(KeyOf(name, "A"), ScalarType.Float32, model.Device), file.Load(KeyOf(name, "B"), ScalarType.Float32, model.Device)));
        adapter.FolderRecovery = recovery;
        return adapter;

        void Check(string key, long[] shape, int rankAxis)
        {
            expected.Add(key);
            if (!stored.TryGetValue(key, out var info))
                throw new ModelFileException(path, key, $"missing: the adapter's target_modules cover this projection but the file has no such tensor");
            if (info.DType.ToScalarType() is not (ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64))
                throw new ModelFileException(path, key, $"must hold floating-point values, not {info.DType.ToHeaderName()}");
            if (info.Shape.Length == 2 && info.Shape[1 - rankAxis] == shape[1 - rankAxis] && info.Shape[rankAxis] != shape[rankAxis])
                throw new ModelFileException(path, key, $"rank mismatch: shape {info.ShapeText} has rank {info.Shape[rankAxis]} but adapter_config.json says r = {config.Rank}");
            if (!info.Shape.AsSpan().SequenceEqual(shape))
                throw new ModelFileException(path, key, $"shape mismatch: expected {SafeTensorInfo.FormatShape(shape)} for this model but the file stores {info.ShapeText}");
        }
    }

    /// <summary>An adapter of one layer per target, A and B from <paramref name="tensors"/>; nothing is left attached or allocated when one fails.</summary>
    static LoraAdapter Attach(LoraConfig config, List<(string Name, Projection Projection)> targets, Func<string, Projection, (Tensor A, Tensor B)> tensors)
    {
        var layers = new List<(string, Projection, LoraLayer)>();
        try
        {
            foreach (var (name, projection) in targets)
            {
                var (a, b) = tensors(name, projection);
                layers.Add((name, projection, new LoraLayer(a, b, config.Scale, config.Dropout)));
            }
        }
        catch
        {
            foreach (var (_, _, layer) in layers)
                layer.Dispose();
            throw;
        }
        return new LoraAdapter(Resolved(config, targets), layers);
    }

    /// <summary>Writes <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> (float32) into <paramref name="directory"/>, each atomically.</summary>
    public void Save(string directory, string? baseModel = null)
    {
        ObjectDisposedException.ThrowIf(_detached, this);
        Directory.CreateDirectory(directory);
        using var scope = NewDisposeScope();
        SafeTensorsWriter.Write(Path.Combine(directory, LoraConfig.WeightsFileName),
            Parameters.Select(p => KeyValuePair.Create(p.Key, p.Tensor.detach().to(ScalarType.Float32).contiguous())),
            new Dictionary<string, string> { [SafeTensorsWriter.FormatMetadataKey] = "pt" });
        (Config with { BaseModel = baseModel ?? Config.BaseModel }).Write(directory);
    }

    /// <summary>
    /// Folds every update into its base weight (W += scale · B A, computed in float32, stored in the model's
    /// dtype) and detaches the adapters: the model then computes the adapted function with no extra cost.
    /// </summary>
    public void Merge()
    {
        ObjectDisposedException.ThrowIf(_detached, this);
        using (no_grad())
        {
            foreach (var (_, target, layer) in _layers)
            {
                using var scope = NewDisposeScope();
                var weight = target.Weight;
                weight.copy_(weight.to(ScalarType.Float32).Plus(layer.WeightDelta()).to(weight.dtype));
            }
        }
        Detach();
    }

    /// <summary>Removes the adapters from the model (it computes the base function again) and frees them.</summary>
    public void Dispose() => Detach();

    void Detach()
    {
        if (_detached)
            return;
        _detached = true;
        foreach (var (_, target, layer) in _layers)
        {
            if (ReferenceEquals(target.Lora, layer))
                target.Lora = null;
            layer.Dispose();
        }
    }

    /// <summary>The model's projections the config targets, in model order; refuses none, the LM head and already adapted ones.</summary>
    static List<(string Name, Projection Projection)> Targets(CausalLM model, LoraConfig config, string? source)
    {
        var targets = model.named_modules()
            .Where(m => m.module is Projection && config.Targets(m.name))
            .Select(m => (m.name, (Projection)m.module))
            .ToList();
        string where = source ?? "LoRA config";
        if (targets.Count == 0)
            throw new ModelFileException(where, "target_modules", $"no linear projection of this model ({model.Config.ModelType}) matches");
        if (targets.Any(t => t.name == "lm_head"))
            throw new ModelFileException(where, "target_modules", "an adapter on lm_head is not supported (PEFT's all-linear leaves it out too)");
        if (targets.FirstOrDefault(t => t.Item2.Lora is not null) is { name: not null } adapted)
            throw new InvalidOperationException($"{adapted.name} already carries a LoRA adapter; dispose or merge it first");
        return targets;
    }

    /// <summary>The config with its targets named explicitly (what a PEFT config saved for this model lists).</summary>
    static LoraConfig Resolved(LoraConfig config, List<(string Name, Projection Projection)> targets) =>
        config.TargetModules is null && config.TargetPattern is null
            ? config with { TargetModules = [.. targets.Select(t => t.Name[(t.Name.LastIndexOf('.') + 1)..]).Distinct()] }
            : config;
}
