using RecursiveMas.Models.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models;

public sealed partial class CausalLM
{
    /// <summary>
    /// Loads a Hugging Face model directory: <c>config.json</c> plus <c>model.safetensors</c> or a
    /// sharded <c>model.safetensors.index.json</c>. Every tensor the architecture needs must be present
    /// with the right shape; tensors outside the decoder layers that the architecture does not use (a redundant
    /// <c>lm_head.weight</c> of a tied model) are ignored, but one inside a layer is refused (see <see cref="CheckEveryLayerTensorRead"/>). Weights are read one tensor at a time
    /// straight into the allocated parameters, so peak memory is the model plus one tensor, and each is checked
    /// to be finite (a NaN weight would give empty answers without an error). A multimodal
    /// wrapper (Gemma3, Qwen3.5) loads only its language model: keys under <c>model.language_model.</c> (or
    /// the older <c>language_model.model.</c>); vision and multi-token-prediction tensors are skipped.
    /// </summary>
    public static CausalLM FromPretrained(string modelDirectory, ModelLoadOptions? options = null)
    {
        options ??= new ModelLoadOptions();
        var config = ModelConfig.Load(modelDirectory);
        CheckMemory(config, options, modelDirectory);
        var model = new CausalLM(config, options.DType, options.Device);
        try
        {
            using var checkpoint = Checkpoint.Open(modelDirectory);
            string? layersPrefix = null;
            var read = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, parameter) in model.named_parameters())
            {
                var candidates = CheckpointKeys(config, name);
                string key = candidates.FirstOrDefault(checkpoint.Contains)
                    ?? throw new ModelFileException(checkpoint.SourcePath, candidates[0],
                        $"tensor missing: the {config.ModelType} architecture in config.json needs it " +
                        $"(shape [{string.Join(", ", parameter.shape)}])");
                CheckShape(checkpoint, key, parameter.shape, config);
                checkpoint.LoadFiniteInto(key, parameter);
                read.Add(key);
                if (layersPrefix is null && key.IndexOf("layers.0.", StringComparison.Ordinal) is int at and >= 0)
                    layersPrefix = key[..(at + "layers.".Length)];
            }
            if (layersPrefix is not null)
                CheckEveryLayerTensorRead(checkpoint, layersPrefix, read, config, modelDirectory);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A stored shape other than the one config.json gives is refused naming the tensor and config.json: the sizes are
    /// read from the config, so a wrong one there (num_key_value_heads left out of a grouped-query model, say) shows as
    /// every weight it shapes disagreeing with the file, and the message points at both.
    /// </summary>
    static void CheckShape(Checkpoint checkpoint, string key, long[] expected, ModelConfig config)
    {
        var stored = checkpoint.GetInfo(key);
        if (!stored.Shape.AsSpan().SequenceEqual(expected))
            throw new ModelFileException(checkpoint.FileOf(key), key,
                $"stores shape {stored.ShapeText}, but the {config.ModelType} architecture that config.json describes needs " +
                $"{SafeTensorInfo.FormatShape(expected)} (is one of config.json's sizes wrong: hidden_size, intermediate_size, " +
                "num_attention_heads, num_key_value_heads, head_dim, vocab_size? or is this another model's weight?)");
    }

    /// <summary>
    /// Every tensor of the checkpoint's decoder layers must be one the model read. A checkpoint with more decoder layers
    /// than config.json's <c>num_hidden_layers</c> is refused naming that field, and a weight inside a layer that the
    /// architecture config.json describes has no place for (a q_proj bias where <c>attention_bias</c> is absent, a norm
    /// of another family) naming the tensor: either would be skipped without a word, and the model would compute
    /// something its weights were never trained for. Old checkpoints' rotary <c>inv_freq</c> buffers are recomputed
    /// from the config, so they are the one layer tensor left unread.
    /// </summary>
    static void CheckEveryLayerTensorRead(Checkpoint checkpoint, string layersPrefix, HashSet<string> read, ModelConfig config, string modelDirectory)
    {
        foreach (string name in checkpoint.Names)
        {
            if (!name.StartsWith(layersPrefix, StringComparison.Ordinal) || read.Contains(name))
                continue;
            int end = name.IndexOf('.', layersPrefix.Length);
            if (end > layersPrefix.Length && int.TryParse(name.AsSpan(layersPrefix.Length, end - layersPrefix.Length), out int layer) && layer >= config.LayerCount)
                throw new ModelFileException(Path.Combine(modelDirectory, "config.json"), "num_hidden_layers",
                    $"is {config.LayerCount}, but {checkpoint.SourcePath} holds {name} (layer {layer}): the checkpoint has more layers than the config says");
            if (name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal))
                continue;
            throw new ModelFileException(checkpoint.FileOf(name), name,
                $"the {config.ModelType} architecture that config.json describes has no such weight, so the model would run without it " +
                "(does config.json lack a field such as attention_bias or mlp_bias?)");
        }
    }

    /// <summary>
    /// Writes <c>config.json</c> and <c>model.safetensors</c> (each atomically) in Hugging Face layout,
    /// in the dtype the weights have, or in <paramref name="dtype"/>.
    /// </summary>
    public void SavePretrained(string modelDirectory, ScalarType? dtype = null)
    {
        Directory.CreateDirectory(modelDirectory);
        var storedAs = dtype ?? DType;
        using var scope = NewDisposeScope();
        var tensors = named_parameters()
            .Select(p => new KeyValuePair<string, Tensor>(CheckpointKeys(Config, p.name)[0], p.parameter.detach().to(storedAs)))
            .ToList();
        SafeTensorsWriter.Write(Path.Combine(modelDirectory, Checkpoint.SingleFileName), tensors,
            new Dictionary<string, string> { ["format"] = "pt" });
        (Config with { StoredDType = DTypeName(storedAs) }).Save(modelDirectory);
    }

    /// <summary>
    /// Refuses, before allocating, a CPU model whose weights alone need more memory than this process
    /// may use: a config.json with huge sizes would otherwise kill the process on allocation.
    /// </summary>
    static void CheckMemory(ModelConfig config, ModelLoadOptions options, string modelDirectory)
    {
        if (options.Device is { } device && device.type != DeviceType.CPU)
            return;
        using var probe = empty(0, options.DType);
        double bytes = (double)config.ParameterCount * probe.element_size();
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
            throw new ModelFileException(Path.Combine(modelDirectory, "config.json"), null,
                $"describes a model of {config.ParameterCount:N0} parameters ({bytes / (1L << 30):0.#} GiB as {options.DType}), " +
                $"more than the {(double)available / (1L << 30):0.#} GiB of memory this process may use");
    }

    /// <summary>
    /// The checkpoint keys a parameter may be stored under, preferred first: its own name, or for a
    /// multimodal wrapper <c>model.language_model.…</c> then <c>language_model.model.…</c> (and
    /// <c>lm_head.weight</c> then <c>language_model.lm_head.weight</c>).
    /// </summary>
    internal static IReadOnlyList<string> CheckpointKeys(ModelConfig config, string name)
    {
        if (!config.Multimodal)
            return [name];
        if (name.StartsWith("model.", StringComparison.Ordinal))
        {
            string rest = name["model.".Length..];
            return ["model.language_model." + rest, "language_model.model." + rest];
        }
        return [name, "language_model." + name];
    }

    static string DTypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => "float32",
    };
}
