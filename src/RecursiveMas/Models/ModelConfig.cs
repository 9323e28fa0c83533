using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RecursiveMas.IO;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Models;

/// <summary>
/// The architecture of a decoder LLM, read from a Hugging Face <c>config.json</c>. Field names in
/// comments are the config.json keys. Every value the model needs is validated here, so a bad
/// config fails with the file and field named instead of as a shape error deep in a forward pass.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Architecture family (<c>model_type</c>).</summary>
    public required ModelFamily Family { get; init; }

    /// <summary><c>hidden_size</c>: width of the residual stream, the embeddings and the hidden states.</summary>
    public required int HiddenSize { get; init; }

    /// <summary><c>intermediate_size</c>: width of the SwiGLU MLP.</summary>
    public required int IntermediateSize { get; init; }

    /// <summary><c>num_hidden_layers</c>.</summary>
    public required int LayerCount { get; init; }

    /// <summary><c>num_attention_heads</c>.</summary>
    public required int HeadCount { get; init; }

    /// <summary><c>num_key_value_heads</c> (defaults to the head count; fewer means grouped-query attention).</summary>
    public required int KeyValueHeadCount { get; init; }

    /// <summary><c>head_dim</c> (defaults to hidden_size / num_attention_heads; Qwen3 states it explicitly).</summary>
    public required int HeadDim { get; init; }

    /// <summary><c>vocab_size</c>.</summary>
    public required int VocabSize { get; init; }

    /// <summary><c>rms_norm_eps</c>.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary><c>rope_theta</c>.</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary><c>rope_scaling</c>.</summary>
    public RopeScaling RopeScaling { get; init; } = RopeScaling.None;

    /// <summary><c>max_position_embeddings</c>.</summary>
    public int MaxPositionEmbeddings { get; init; } = 4096;

    /// <summary><c>tie_word_embeddings</c>: the LM head reuses the input embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Biases on q, k and v projections (Qwen2 always; Llama when <c>attention_bias</c>).</summary>
    public bool QkvBias { get; init; }

    /// <summary>Bias on the attention output projection (Llama when <c>attention_bias</c>).</summary>
    public bool OutputProjectionBias { get; init; }

    /// <summary>Biases on the MLP projections (Llama <c>mlp_bias</c>).</summary>
    public bool MlpBias { get; init; }

    /// <summary>Per-head RMSNorm on queries and keys before rotary embedding (Qwen3).</summary>
    public bool QueryKeyNorm { get; init; }

    /// <summary><c>sliding_window</c> (Mistral): keys further back than this are not attended; null = full attention.</summary>
    public int? SlidingWindow { get; init; }

    /// <summary><c>bos_token_id</c>, when given.</summary>
    public int? BosTokenId { get; init; }

    /// <summary><c>eos_token_id</c> (an int or a list in config.json).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary><c>pad_token_id</c>, when given.</summary>
    public int? PadTokenId { get; init; }

    /// <summary><c>torch_dtype</c> / <c>dtype</c> as written (informational: weights are widened to the compute dtype).</summary>
    public string? StoredDType { get; init; }

    /// <summary>Query heads per key/value head.</summary>
    public int GroupSize => HeadCount / KeyValueHeadCount;

    /// <summary>The <c>model_type</c> string of <see cref="Family"/>.</summary>
    public string ModelType => Family switch
    {
        ModelFamily.Llama => "llama",
        ModelFamily.Mistral => "mistral",
        ModelFamily.Qwen2 => "qwen2",
        ModelFamily.Qwen3 => "qwen3",
        _ => throw new InvalidOperationException($"unknown family {Family}"),
    };

    /// <summary>Reads and validates <c>config.json</c> in <paramref name="modelDirectory"/>.</summary>
    public static ModelConfig Load(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, "config.json");
        if (!File.Exists(path))
            throw new ModelFileException(path, null, Directory.Exists(modelDirectory)
                ? "config.json not found in the model directory"
                : "the model directory does not exist");
        return Parse(JsonFile.ReadSmall(path, MaxFileBytes), path);
    }

    /// <summary>The largest config.json read (real ones are a few KiB).</summary>
    public const long MaxFileBytes = 1 << 20;

    /// <summary>Parses config.json text; <paramref name="sourcePath"/> names the file in errors.</summary>
    public static ModelConfig Parse(string json, string sourcePath)
    {
        JsonFile.RejectDuplicateKeys(sourcePath, json);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject
                ?? throw new ModelFileException(sourcePath, null, "config.json must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelFileException(sourcePath, null, $"not valid JSON: {e.Message}", e);
        }
        return new ConfigReader(root, sourcePath).Read();
    }

    /// <summary>A config.json that <see cref="Parse"/> reads back to an equal record (our own checkpoints use it).</summary>
    public string ToJson()
    {
        var o = new JsonObject
        {
            ["architectures"] = new JsonArray(Family switch
            {
                ModelFamily.Llama => "LlamaForCausalLM",
                ModelFamily.Mistral => "MistralForCausalLM",
                ModelFamily.Qwen2 => "Qwen2ForCausalLM",
                _ => "Qwen3ForCausalLM",
            }),
            ["model_type"] = ModelType,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = LayerCount,
            ["num_attention_heads"] = HeadCount,
            ["num_key_value_heads"] = KeyValueHeadCount,
            ["head_dim"] = HeadDim,
            ["vocab_size"] = VocabSize,
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["hidden_act"] = "silu",
            ["torch_dtype"] = StoredDType ?? "float32",
        };
        if (Family == ModelFamily.Llama)
        {
            o["attention_bias"] = QkvBias;
            o["mlp_bias"] = MlpBias;
        }
        if (Family == ModelFamily.Qwen3)
            o["attention_bias"] = QkvBias;
        if (Family == ModelFamily.Mistral)
            o["sliding_window"] = SlidingWindow;
        if (RopeScaling.Kind != RopeScalingKind.None)
        {
            var s = new JsonObject
            {
                ["rope_type"] = RopeScaling.Kind == RopeScalingKind.Llama3 ? "llama3" : "linear",
                ["factor"] = RopeScaling.Factor,
            };
            if (RopeScaling.Kind == RopeScalingKind.Llama3)
            {
                s["low_freq_factor"] = RopeScaling.LowFrequencyFactor;
                s["high_freq_factor"] = RopeScaling.HighFrequencyFactor;
                s["original_max_position_embeddings"] = RopeScaling.OriginalMaxPositions;
            }
            o["rope_scaling"] = s;
        }
        if (BosTokenId is int bos) o["bos_token_id"] = bos;
        if (EosTokenIds.Count == 1) o["eos_token_id"] = EosTokenIds[0];
        else if (EosTokenIds.Count > 1) o["eos_token_id"] = new JsonArray(EosTokenIds.Select(i => (JsonNode)i).ToArray());
        if (PadTokenId is int pad) o["pad_token_id"] = pad;
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes <see cref="ToJson"/> to <c>config.json</c> in <paramref name="modelDirectory"/> (temp file, then rename).</summary>
    public void Save(string modelDirectory)
    {
        Directory.CreateDirectory(modelDirectory);
        AtomicFile.WriteAllText(Path.Combine(modelDirectory, "config.json"), ToJson());
    }

    /// <summary>Number of parameters of a model with this architecture (embeddings and LM head included).</summary>
    public long ParameterCount
    {
        get
        {
            long d = HiddenSize, q = (long)HeadCount * HeadDim, kv = (long)KeyValueHeadCount * HeadDim, ff = IntermediateSize;
            long attention = d * q + 2 * d * kv + q * d + (QkvBias ? q + 2 * kv : 0) + (OutputProjectionBias ? d : 0) + (QueryKeyNorm ? 2L * HeadDim : 0);
            long mlp = 3 * d * ff + (MlpBias ? 2 * ff + d : 0);
            long layer = attention + mlp + 2 * d;
            long embeddings = (long)VocabSize * d * (TieWordEmbeddings ? 1 : 2);
            return LayerCount * layer + embeddings + d;
        }
    }

    /// <summary>Reads fields with the file and key named in every error.</summary>
    sealed class ConfigReader(JsonObject root, string path)
    {
        public ModelConfig Read()
        {
            string modelType = RequiredString("model_type");
            ModelFamily family = modelType switch
            {
                "llama" => ModelFamily.Llama,
                "mistral" => ModelFamily.Mistral,
                "qwen2" => ModelFamily.Qwen2,
                "qwen3" => ModelFamily.Qwen3,
                _ => throw new ModelFileException(path, "model_type",
                    $"unknown model_type \"{modelType}\"; supported: llama, mistral, qwen2, qwen3"),
            };

            string act = OptionalString("hidden_act") ?? "silu";
            if (act != "silu")
                throw new ModelFileException(path, "hidden_act", $"hidden_act \"{act}\" is not supported (only \"silu\")");

            int hidden = PositiveInt("hidden_size", 1 << 16);
            int heads = PositiveInt("num_attention_heads", 1 << 10);
            int kvHeads = OptionalPositiveInt("num_key_value_heads", 1 << 10) ?? heads;
            if (heads % kvHeads != 0)
                throw new ModelFileException(path, "num_key_value_heads",
                    $"num_attention_heads ({heads}) is not a multiple of num_key_value_heads ({kvHeads})");
            int? headDimField = OptionalPositiveInt("head_dim", 1 << 12);
            if (headDimField is null && hidden % heads != 0)
                throw new ModelFileException(path, "head_dim",
                    $"head_dim is absent and hidden_size ({hidden}) is not a multiple of num_attention_heads ({heads})");
            int headDim = headDimField ?? hidden / heads;
            if (headDim % 2 != 0)
                throw new ModelFileException(path, "head_dim", $"head_dim ({headDim}) must be even for rotary embeddings");

            bool attentionBias = OptionalBool("attention_bias") ?? false;
            int? slidingWindow = null;
            if (family == ModelFamily.Mistral)
                slidingWindow = OptionalPositiveInt("sliding_window", 1 << 24);
            if (family == ModelFamily.Qwen2 && (OptionalBool("use_sliding_window") ?? false))
                throw new ModelFileException(path, "use_sliding_window", "Qwen2 sliding-window attention is not supported");

            return new ModelConfig
            {
                Family = family,
                HiddenSize = hidden,
                IntermediateSize = PositiveInt("intermediate_size", 1 << 18),
                LayerCount = PositiveInt("num_hidden_layers", 1 << 10),
                HeadCount = heads,
                KeyValueHeadCount = kvHeads,
                HeadDim = headDim,
                VocabSize = PositiveInt("vocab_size", 1 << 22),
                RmsNormEps = OptionalPositiveDouble("rms_norm_eps") ?? 1e-6,
                RopeTheta = OptionalPositiveDouble("rope_theta") ?? 10000,
                RopeScaling = ReadRopeScaling(),
                MaxPositionEmbeddings = OptionalPositiveInt("max_position_embeddings", 1 << 24) ?? 4096,
                TieWordEmbeddings = OptionalBool("tie_word_embeddings") ?? false,
                QkvBias = family == ModelFamily.Qwen2 || attentionBias,
                OutputProjectionBias = (family is ModelFamily.Llama or ModelFamily.Qwen3) && attentionBias,
                MlpBias = family == ModelFamily.Llama && (OptionalBool("mlp_bias") ?? false),
                QueryKeyNorm = family == ModelFamily.Qwen3,
                SlidingWindow = slidingWindow,
                BosTokenId = OptionalInt("bos_token_id"),
                EosTokenIds = ReadIntOrList("eos_token_id"),
                PadTokenId = OptionalInt("pad_token_id"),
                StoredDType = OptionalString("torch_dtype") ?? OptionalString("dtype"),
            };
        }

        RopeScaling ReadRopeScaling()
        {
            JsonNode? node = root["rope_scaling"];
            if (node is null)
                return RopeScaling.None;
            if (node is not JsonObject o)
                throw new ModelFileException(path, "rope_scaling", "must be an object or null");
            string? type = (o["rope_type"] ?? o["type"]) is JsonValue v && v.TryGetValue(out string? s) ? s : null;
            switch (type)
            {
                case null or "default":
                    return RopeScaling.None;
                case "linear":
                    return new RopeScaling(RopeScalingKind.Linear, Factor: NestedPositiveDouble(o, "factor"));
                case "llama3":
                    var scaling = new RopeScaling(
                        RopeScalingKind.Llama3,
                        Factor: NestedPositiveDouble(o, "factor"),
                        LowFrequencyFactor: NestedPositiveDouble(o, "low_freq_factor"),
                        HighFrequencyFactor: NestedPositiveDouble(o, "high_freq_factor"),
                        OriginalMaxPositions: (int)Math.Min(NestedPositiveDouble(o, "original_max_position_embeddings"), 1 << 24));
                    if (scaling.HighFrequencyFactor <= scaling.LowFrequencyFactor)
                        throw new ModelFileException(path, "rope_scaling.high_freq_factor", "must be greater than low_freq_factor");
                    return scaling;
                default:
                    throw new ModelFileException(path, "rope_scaling.rope_type",
                        $"rope scaling \"{type}\" is not supported (supported: default, linear, llama3)");
            }
        }

        double NestedPositiveDouble(JsonObject o, string key)
        {
            string field = "rope_scaling." + key;
            if (o[key] is not JsonValue v || !TryNumber(v, out double d))
                throw new ModelFileException(path, field, "missing or not a number");
            if (!(d > 0))
                throw new ModelFileException(path, field, $"must be positive, got {d.ToString(CultureInfo.InvariantCulture)}");
            return d;
        }

        string RequiredString(string key) =>
            OptionalString(key) ?? throw new ModelFileException(path, key, "missing (required)");

        string? OptionalString(string key) => root[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            _ => throw new ModelFileException(path, key, "must be a string"),
        };

        int PositiveInt(string key, int max) =>
            OptionalPositiveInt(key, max) ?? throw new ModelFileException(path, key, "missing (required)");

        /// <summary>A positive integer no larger than <paramref name="max"/>: sizes are bounded before anything is allocated from them.</summary>
        int? OptionalPositiveInt(string key, int max)
        {
            int? value = OptionalInt(key);
            if (value is <= 0)
                throw new ModelFileException(path, key, $"must be a positive integer, got {value}");
            if (value > max)
                throw new ModelFileException(path, key, $"is {value}, more than the {max} this runtime accepts");
            return value;
        }

        int? OptionalInt(string key)
        {
            JsonNode? node = root[key];
            if (node is null)
                return null;
            if (node is JsonValue v && TryNumber(v, out double d) && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
                return (int)d;
            throw new ModelFileException(path, key, $"must be an integer, got {node.ToJsonString()}");
        }

        double? OptionalPositiveDouble(string key)
        {
            JsonNode? node = root[key];
            if (node is null)
                return null;
            if (node is JsonValue v && TryNumber(v, out double d))
            {
                if (!(d > 0))
                    throw new ModelFileException(path, key, $"must be positive, got {node.ToJsonString()}");
                return d;
            }
            throw new ModelFileException(path, key, $"must be a number, got {node.ToJsonString()}");
        }

        bool? OptionalBool(string key) => root[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out bool b) => b,
            var n => throw new ModelFileException(path, key, $"must be true or false, got {n.ToJsonString()}"),
        };

        IReadOnlyList<int> ReadIntOrList(string key)
        {
            JsonNode? node = root[key];
            if (node is JsonArray a)
                return a.Select((n, i) => n is JsonValue v && TryNumber(v, out double d) && d == Math.Floor(d)
                    ? (int)d
                    : throw new ModelFileException(path, $"{key}[{i}]", "must be an integer")).ToArray();
            return OptionalInt(key) is int single ? [single] : [];
        }

        /// <summary>A finite number (1e400 is not one: it would read as infinity).</summary>
        static bool TryNumber(JsonValue v, out double d)
        {
            if (v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out d) && double.IsFinite(d))
                return true;
            d = 0;
            return false;
        }
    }
}
