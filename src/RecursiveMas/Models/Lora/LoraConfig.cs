using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RecursiveMas.IO;

namespace RecursiveMas.Models.Lora;

/// <summary>
/// A LoRA adapter's settings, read from and written to PEFT's <c>adapter_config.json</c>: rank r, alpha
/// (the update is scaled by alpha / r, or alpha / √r with rsLoRA), dropout on the adapter's input while
/// training, and which linear projections carry an adapter. Defaults are PEFT's <c>LoraConfig</c> defaults
/// (r 8, alpha 8, dropout 0); the paper does not state its settings (see docs/fidelity.md), and the target
/// default is every linear projection of the decoder layers (PEFT's <c>all-linear</c>; the LM head excluded).
/// </summary>
public sealed record LoraConfig
{
    /// <summary>PEFT's config file name.</summary>
    public const string ConfigFileName = "adapter_config.json";

    /// <summary>PEFT's weights file name.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    /// <summary>PEFT's target value for every linear layer but the output layer.</summary>
    public const string AllLinear = "all-linear";

    /// <summary>The rank r of the update B·A.</summary>
    public int Rank { get; init; } = 8;

    /// <summary>lora_alpha: the update is scaled by alpha / r.</summary>
    public double Alpha { get; init; } = 8;

    /// <summary>Dropout on the adapter's input while training (0 = none).</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// Module names (the last part of a module's path, or a whole dotted suffix, as PEFT matches them):
    /// <c>q_proj</c>, <c>down_proj</c>, …; null = every linear projection of the decoder layers.
    /// </summary>
    public IReadOnlyList<string>? TargetModules { get; init; }

    /// <summary>PEFT's other form of <c>target_modules</c>: a regular expression a module's whole path must match.</summary>
    public string? TargetPattern { get; init; }

    /// <summary>rsLoRA: scale by alpha / √r instead of alpha / r.</summary>
    public bool UseRsLora { get; init; }

    /// <summary>The base model the adapter was trained on (informational, as in PEFT).</summary>
    public string? BaseModel { get; init; }

    /// <summary>The factor of the update: alpha / r, or alpha / √r with rsLoRA.</summary>
    public double Scale => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>Whether the module at <paramref name="path"/> (e.g. <c>model.layers.0.self_attn.q_proj</c>) carries an adapter.</summary>
    public bool Targets(string path)
    {
        if (TargetPattern is { } pattern)
            return Regex.IsMatch(path, $"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        if (TargetModules is not { } names)
            return path.Contains(".layers.", StringComparison.Ordinal);
        return names.Any(n => path == n || path.EndsWith("." + n, StringComparison.Ordinal));
    }

    /// <summary>Throws when a value is out of range, naming it.</summary>
    public void Validate()
    {
        if (Rank < 1)
            throw new ArgumentOutOfRangeException(nameof(Rank), Rank, "the LoRA rank must be at least 1");
        if (!(Alpha > 0 && double.IsFinite(Alpha)))
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "LoRA alpha must be positive");
        if (!(Dropout >= 0 && Dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "LoRA dropout must be in [0, 1)");
        if (TargetModules is { Count: 0 })
            throw new ArgumentException("target modules must name at least one module (null = every linear projection)", nameof(TargetModules));
    }

    /// <summary>Writes <c>adapter_config.json</c> into <paramref name="directory"/> (atomically), with PEFT's fields.</summary>
    public void Write(string directory)
    {
        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = BaseModel,
            ["r"] = Rank,
            ["lora_alpha"] = Alpha,
            ["lora_dropout"] = Dropout,
            ["target_modules"] = TargetPattern is { } pattern ? JsonValue.Create(pattern)
                : new JsonArray([.. (TargetModules ?? [AllLinear]).Select(n => (JsonNode)JsonValue.Create(n))]),
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["use_rslora"] = UseRsLora,
            ["use_dora"] = false,
            ["init_lora_weights"] = true,
            ["inference_mode"] = true,
            ["modules_to_save"] = null,
            ["layers_to_transform"] = null,
            ["rank_pattern"] = new JsonObject(),
            ["alpha_pattern"] = new JsonObject(),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Reads <c>adapter_config.json</c> from <paramref name="directory"/>. PEFT features this runtime does not
    /// implement (DoRA, trained biases, per-module ranks, extra trained modules, …) are refused by name
    /// rather than silently ignored.
    /// </summary>
    public static LoraConfig Read(string directory)
    {
        string path = Path.Combine(Path.GetFullPath(directory), ConfigFileName);
        if (!File.Exists(path))
            throw new ModelFileException(path, null, "LoRA adapter config not found (a PEFT adapter directory holds adapter_config.json and adapter_model.safetensors)");
        JsonObject root;
        try
        {
            root = JsonNode.Parse(Tokenization.JsonFile.ReadSmall(path, ModelConfig.MaxFileBytes)) as JsonObject ?? throw new ModelFileException(path, null, "must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, null, $"not valid JSON: {e.Message}", e);
        }

        string? type = String(root, "peft_type", path);
        if (!string.Equals(type, "LORA", StringComparison.OrdinalIgnoreCase))
            throw new ModelFileException(path, "peft_type", $"\"{type ?? "missing"}\" is not a LoRA adapter (expected \"LORA\")");
        Refuse(root, path, "use_dora", n => n.GetValueKind() == JsonValueKind.True, "DoRA adapters are not supported");
        Refuse(root, path, "fan_in_fan_out", n => n.GetValueKind() == JsonValueKind.True, "fan_in_fan_out (Conv1D layouts) is not supported");
        Refuse(root, path, "bias", n => n.GetValueKind() == JsonValueKind.String && n.GetValue<string>() != "none", "trained biases are not supported (only \"none\")");
        Refuse(root, path, "modules_to_save", IsNonEmpty, "extra fully trained modules are not supported");
        Refuse(root, path, "layers_to_transform", IsNonEmpty, "adapters on some layers only are not supported");
        Refuse(root, path, "rank_pattern", IsNonEmpty, "per-module ranks are not supported");
        Refuse(root, path, "alpha_pattern", IsNonEmpty, "per-module alphas are not supported");

        int rank = root["r"] is JsonValue r && r.GetValueKind() == JsonValueKind.Number && r.TryGetValue(out int rv) && rv >= 1 ? rv
            : throw new ModelFileException(path, "r", "the rank must be a positive integer");
        double alpha = root["lora_alpha"] is JsonValue a && a.GetValueKind() == JsonValueKind.Number ? a.GetValue<double>() : new LoraConfig().Alpha; // PEFT's default when absent
        double dropout = root["lora_dropout"] is JsonValue d && d.GetValueKind() == JsonValueKind.Number ? d.GetValue<double>() : 0;
        IReadOnlyList<string>? modules = null;
        string? pattern = null;
        switch (root["target_modules"])
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                string text = v.GetValue<string>();
                if (text != AllLinear)
                    pattern = text;
                break;
            case JsonArray list:
                modules = [.. list.Select(n => n is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>()
                    : throw new ModelFileException(path, "target_modules", "must list module names (strings)"))];
                if (modules.Contains(AllLinear))
                    modules = null;
                break;
            default:
                throw new ModelFileException(path, "target_modules", "must be a list of module names or a regular expression");
        }
        var config = new LoraConfig
        {
            Rank = rank,
            Alpha = alpha,
            Dropout = dropout,
            TargetModules = modules,
            TargetPattern = pattern,
            UseRsLora = root["use_rslora"]?.GetValueKind() == JsonValueKind.True,
            BaseModel = String(root, "base_model_name_or_path", path),
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ModelFileException(path, e.ParamName, e.Message, e);
        }
        return config;
    }

    static string? String(JsonObject root, string key, string path) => root[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw new ModelFileException(path, key, $"must be a string, not {other.GetValueKind().ToString().ToLower(CultureInfo.InvariantCulture)}"),
    };

    static bool IsNonEmpty(JsonNode node) => node switch
    {
        JsonObject o => o.Count > 0,
        JsonArray a => a.Count > 0,
        JsonValue v => v.GetValueKind() is not JsonValueKind.Null,
        _ => false,
    };

    static void Refuse(JsonObject root, string path, string key, Func<JsonNode, bool> unsupported, string why)
    {
        if (root[key] is { } node && unsupported(node))
            throw new ModelFileException(path, key, why);
    }
}
