using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RecursiveMas.Dsl;
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

    /// <summary>
    /// <c>layer_types</c> (Gemma3, Qwen3.5), one entry per layer; null = every layer is
    /// <see cref="LayerKind.SlidingAttention"/> when <see cref="SlidingWindow"/> is set (Mistral), else full attention.
    /// </summary>
    public IReadOnlyList<LayerKind>? LayerTypes { get; init; }

    /// <summary>The MLP activation (<c>hidden_act</c>, Gemma's <c>hidden_activation</c>).</summary>
    public HiddenActivation HiddenActivation { get; init; } = HiddenActivation.Silu;

    /// <summary>
    /// Gemma3 and Qwen3.5 norms: y = x / rms(x) · (1 + w), computed in float32 and cast after the scale
    /// (Llama's norms cast before it); stored weights are zero-centred.
    /// </summary>
    public bool ZeroCenteredNorms { get; init; }

    /// <summary>Gemma3's four norms per layer: the attention and MLP outputs are normed before the residual add.</summary>
    public bool SandwichNorms { get; init; }

    /// <summary>Gemma3: input embeddings are multiplied by √hidden_size, rounded to the weights' dtype.</summary>
    public bool ScaleEmbeddings { get; init; }

    /// <summary><c>query_pre_attn_scalar</c> (Gemma3): attention scores are scaled by its −½ power instead of head_dim's.</summary>
    public double? QueryPreAttentionScalar { get; init; }

    /// <summary><c>attn_logit_softcapping</c>: scores become cap · tanh(scores / cap) before the mask; null = none.</summary>
    public double? AttentionLogitSoftcap { get; init; }

    /// <summary><c>final_logit_softcapping</c>: logits become cap · tanh(logits / cap); null = none.</summary>
    public double? FinalLogitSoftcap { get; init; }

    /// <summary>
    /// Rope base of the sliding-window layers (Gemma3's <c>rope_local_base_freq</c>), which use no rope scaling;
    /// null = sliding layers rotate like the others (Mistral).
    /// </summary>
    public double? SlidingRopeTheta { get; init; }

    /// <summary><c>partial_rotary_factor</c>: the share of each head's channels that rotary rotates (the first ones).</summary>
    public double PartialRotaryFactor { get; init; } = 1;

    /// <summary>Qwen3.5: q_proj also yields a per-channel gate; the attention output is multiplied by sigmoid(gate).</summary>
    public bool AttentionOutputGate { get; init; }

    /// <summary>The Gated DeltaNet layers' shape (Qwen3.5); null when the model has none.</summary>
    public LinearAttentionShape? LinearAttention { get; init; }

    /// <summary>
    /// The config.json is a multimodal wrapper (<c>gemma3</c>, <c>qwen3_5</c>) with the text model under
    /// <c>text_config</c>; checkpoint keys of the language model sit under <c>model.language_model.</c>
    /// (or <c>language_model.model.</c>), and vision / multi-token-prediction tensors are not loaded.
    /// </summary>
    public bool Multimodal { get; init; }

    /// <summary>The token mixer of layer <paramref name="layer"/>.</summary>
    public LayerKind KindOf(int layer) =>
        LayerTypes is { } types ? types[layer] : SlidingWindow is null ? LayerKind.FullAttention : LayerKind.SlidingAttention;

    /// <summary>Channels of each head that rotary rotates (even).</summary>
    public int RotaryDim => Math.Max(2, (int)(HeadDim * PartialRotaryFactor) / 2 * 2);

    /// <summary>The attention score scale: query_pre_attn_scalar^−½, else head_dim^−½.</summary>
    public double AttentionScale => 1 / Math.Sqrt(QueryPreAttentionScalar ?? HeadDim);

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
        ModelFamily.Gemma3 => Multimodal ? "gemma3" : "gemma3_text",
        ModelFamily.Qwen35 => Multimodal ? "qwen3_5" : "qwen3_5_text",
        _ => throw new InvalidOperationException($"unknown family {Family}"),
    };

    /// <summary>
    /// What the load did to the model folder, for the caller to tell its user: a replacement of the folder that a
    /// process was ended in (<c>rmas pretrain</c>'s swap: it was missing, its complete new model beside it) finished
    /// (<see cref="SwappedFolder.FinishInterrupted"/>); null when nothing. Not a config.json field.
    /// </summary>
    public string? FolderRecovery { get; init; }

    /// <summary>
    /// Reads and validates <c>config.json</c> in <paramref name="modelDirectory"/>, first finishing a replacement of the
    /// folder a process was ended in between its two renames (<see cref="FolderRecovery"/> says so), or refusing it with
    /// an <see cref="IOException"/> naming the folders when it cannot be finished safely.
    /// </summary>
    public static ModelConfig Load(string modelDirectory)
    {
        // Every model load reads config.json first (CausalLM.FromPretrained, a system's Resolve): the one place where a
        // model folder a killed pretrain left beside its place is moved in, rather than reported missing while the
        // complete model lies beside it.
        string? recovery = SwappedFolder.FinishInterrupted(modelDirectory);
        string path = Path.Combine(modelDirectory, "config.json");
        if (!File.Exists(path))
            throw new ModelFileException(path, null, Directory.Exists(modelDirectory)
                ? "config.json not found in the model directory"
                : "the model directory does not exist");
        return Parse(JsonFile.ReadSmall(path, MaxFileBytes), path) with { FolderRecovery = recovery };
    }

    /// <summary>The largest config.json read (real ones are a few KiB); also the bound on a link's or an adapter's config.</summary>
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
        var text = new JsonObject
        {
            ["model_type"] = Family switch { ModelFamily.Gemma3 => "gemma3_text", ModelFamily.Qwen35 => "qwen3_5_text", _ => ModelType },
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = LayerCount,
            ["num_attention_heads"] = HeadCount,
            ["num_key_value_heads"] = KeyValueHeadCount,
            ["head_dim"] = HeadDim,
            ["vocab_size"] = VocabSize,
            ["rms_norm_eps"] = RmsNormEps,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            [Family == ModelFamily.Gemma3 ? "hidden_activation" : "hidden_act"] =
                HiddenActivation == HiddenActivation.GeluTanh ? "gelu_pytorch_tanh" : "silu",
            ["torch_dtype"] = StoredDType ?? "float32",
        };
        if (Family == ModelFamily.Qwen35)
        {
            text["rope_parameters"] = new JsonObject
            {
                ["rope_type"] = "default",
                ["rope_theta"] = RopeTheta,
                ["partial_rotary_factor"] = PartialRotaryFactor,
            };
        }
        else
        {
            text["rope_theta"] = RopeTheta;
            if (RopeScaling.Kind != RopeScalingKind.None)
                text["rope_scaling"] = RopeScalingJson(RopeScaling);
        }
        if (Family == ModelFamily.Llama)
        {
            text["attention_bias"] = QkvBias;
            text["mlp_bias"] = MlpBias;
        }
        if (Family is ModelFamily.Qwen3 or ModelFamily.Gemma3 or ModelFamily.Qwen35)
            text["attention_bias"] = QkvBias;
        if (Family is ModelFamily.Mistral or ModelFamily.Gemma3)
            text["sliding_window"] = SlidingWindow;
        if (LayerTypes is { } types)
            text["layer_types"] = new JsonArray(types.Select(t => (JsonNode)LayerTypeName(t)).ToArray());
        if (Family == ModelFamily.Gemma3)
        {
            text["query_pre_attn_scalar"] = QueryPreAttentionScalar;
            text["rope_local_base_freq"] = SlidingRopeTheta;
            text["final_logit_softcapping"] = FinalLogitSoftcap;
            text["attn_logit_softcapping"] = AttentionLogitSoftcap;
        }
        if (LinearAttention is { } linear)
        {
            text["linear_conv_kernel_dim"] = linear.ConvKernel;
            text["linear_num_key_heads"] = linear.KeyHeads;
            text["linear_num_value_heads"] = linear.ValueHeads;
            text["linear_key_head_dim"] = linear.KeyHeadDim;
            text["linear_value_head_dim"] = linear.ValueHeadDim;
        }
        if (BosTokenId is int bos)
            text["bos_token_id"] = bos;
        if (EosTokenIds.Count == 1)
            text["eos_token_id"] = EosTokenIds[0];
        else if (EosTokenIds.Count > 1)
            text["eos_token_id"] = new JsonArray(EosTokenIds.Select(i => (JsonNode)i).ToArray());
        if (PadTokenId is int pad)
            text["pad_token_id"] = pad;

        JsonObject o;
        if (Multimodal)
        {
            o = new JsonObject
            {
                ["architectures"] = new JsonArray(Family == ModelFamily.Gemma3 ? "Gemma3ForConditionalGeneration" : "Qwen3_5ForConditionalGeneration"),
                ["model_type"] = ModelType,
                ["tie_word_embeddings"] = TieWordEmbeddings,
                ["torch_dtype"] = StoredDType ?? "float32",
                ["text_config"] = text,
            };
        }
        else
        {
            o = new JsonObject
            {
                ["architectures"] = new JsonArray(Family switch
                {
                    ModelFamily.Llama => "LlamaForCausalLM",
                    ModelFamily.Mistral => "MistralForCausalLM",
                    ModelFamily.Qwen2 => "Qwen2ForCausalLM",
                    ModelFamily.Gemma3 => "Gemma3ForCausalLM",
                    ModelFamily.Qwen35 => "Qwen3_5ForCausalLM",
                    _ => "Qwen3ForCausalLM",
                }),
            };
            foreach (var (key, value) in text.ToList())
            {
                text.Remove(key);
                o[key] = value;
            }
        }
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    static JsonObject RopeScalingJson(RopeScaling scaling)
    {
        var s = new JsonObject
        {
            ["rope_type"] = scaling.Kind == RopeScalingKind.Llama3 ? "llama3" : "linear",
            ["factor"] = scaling.Factor,
        };
        if (scaling.Kind == RopeScalingKind.Llama3)
        {
            s["low_freq_factor"] = scaling.LowFrequencyFactor;
            s["high_freq_factor"] = scaling.HighFrequencyFactor;
            s["original_max_position_embeddings"] = scaling.OriginalMaxPositions;
        }
        return s;
    }

    static string LayerTypeName(LayerKind kind) => kind switch
    {
        LayerKind.SlidingAttention => "sliding_attention",
        LayerKind.LinearAttention => "linear_attention",
        _ => "full_attention",
    };

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
            long attention = d * q * (AttentionOutputGate ? 2 : 1) + 2 * d * kv + q * d
                + (QkvBias ? q * (AttentionOutputGate ? 2 : 1) + 2 * kv : 0) + (OutputProjectionBias ? d : 0) + (QueryKeyNorm ? 2L * HeadDim : 0);
            long mlp = 3 * d * ff + (MlpBias ? 2 * ff + d : 0);
            long norms = (SandwichNorms ? 4 : 2) * d;
            long total = 0;
            for (int i = 0; i < LayerCount; i++)
                total += mlp + norms + (KindOf(i) == LayerKind.LinearAttention ? LinearAttentionParameters() : attention);
            return total + EmbeddingParameterCount + d;
        }
    }

    /// <summary>The token embedding's parameters, and the LM head's where it is not tied to them.</summary>
    public long EmbeddingParameterCount => (long)VocabSize * HiddenSize * (TieWordEmbeddings ? 1 : 2);

    /// <summary>
    /// The parameters a position's forward pass multiplies through: all but <see cref="EmbeddingParameterCount"/> (a
    /// latent step reads no head). Benchmarks count a position's weight FLOPs as 2 · this and a step's weight bytes by it.
    /// </summary>
    public long ProjectedParameterCount => ParameterCount - EmbeddingParameterCount;

    long LinearAttentionParameters()
    {
        var s = LinearAttention!;
        long d = HiddenSize;
        // in_proj_qkv, in_proj_z, in_proj_b, in_proj_a, conv1d, dt_bias, A_log, norm, out_proj
        return d * s.ConvDim + d * s.ValueDim + 2 * d * s.ValueHeads + (long)s.ConvDim * s.ConvKernel
            + 2L * s.ValueHeads + s.ValueHeadDim + (long)s.ValueDim * d;
    }

    /// <summary>The <c>torch_dtype</c> names of the floating-point dtypes safetensors weights are read in (transformers writes these).</summary>
    static readonly string[] WeightDTypeNames = ["float32", "float16", "bfloat16", "float64"];

    /// <summary>Reads fields with the file and key named in every error.</summary>
    sealed class ConfigReader
    {
        readonly JsonObject _wrapper;   // the file's top level
        readonly JsonObject _root;      // the text model's fields: text_config for multimodal wrappers, else the top level
        readonly string _prefix;        // "text_config." when _root is nested
        readonly string path;

        public ConfigReader(JsonObject top, string sourcePath)
        {
            _wrapper = top;
            _root = top;
            _prefix = "";
            path = sourcePath;
            string modelType = RequiredString("model_type");
            if (TextModelRules.IsMultimodalWrapper(modelType))
            {
                _root = top["text_config"] as JsonObject
                    ?? throw new ModelFileException(path, "text_config", $"a multimodal \"{modelType}\" config.json needs a text_config object");
                _prefix = "text_config.";
                Multimodal = true;
            }
        }

        bool Multimodal { get; }

        JsonObject root => _root;

        string Field(string key) => _prefix + key;

        public ModelConfig Read()
        {
            string wrapperType = (string)_wrapper["model_type"]!;
            string modelType = Multimodal ? TextModelRules.TextModelType(wrapperType, OptionalString("model_type")) : wrapperType;
            ModelFamily family = modelType switch
            {
                "llama" => ModelFamily.Llama,
                "mistral" => ModelFamily.Mistral,
                "qwen2" => ModelFamily.Qwen2,
                "qwen3" => ModelFamily.Qwen3,
                "gemma3_text" or "gemma3" => ModelFamily.Gemma3,
                "qwen3_5_text" or "qwen3_5" => ModelFamily.Qwen35,
                // The analyzers refuse the same types at compile time (TextModelRules, shared): the list is theirs too.
                _ => throw new ModelFileException(path, Field("model_type"), TextModelRules.WhyUnsupported(modelType)!),
            };
            bool gemma = family == ModelFamily.Gemma3, qwen35 = family == ModelFamily.Qwen35;

            string actKey = gemma && root["hidden_activation"] is not null ? "hidden_activation" : "hidden_act";
            string act = OptionalString(actKey) ?? (gemma ? "gelu_pytorch_tanh" : "silu");
            var activation = act switch
            {
                "silu" => HiddenActivation.Silu,
                "gelu_pytorch_tanh" => HiddenActivation.GeluTanh,
                _ => throw new ModelFileException(path, Field(actKey), $"{actKey} \"{act}\" is not supported (\"silu\" or \"gelu_pytorch_tanh\")"),
            };

            // Gemma3 and Qwen3.5 config.json files leave out fields whose defaults the transformers config class holds.
            int hidden = OptionalPositiveInt("hidden_size") ?? TextModelRules.DefaultHiddenSize(modelType) ?? PositiveInt("hidden_size");
            int heads = OptionalPositiveInt("num_attention_heads") ?? (gemma ? 8 : qwen35 ? 16 : PositiveInt("num_attention_heads"));
            int kvHeads = OptionalPositiveInt("num_key_value_heads") ?? (gemma || qwen35 ? 4 : heads);
            if (heads % kvHeads != 0)
                throw new ModelFileException(path, Field("num_key_value_heads"),
                    $"num_attention_heads ({heads}) is not a multiple of num_key_value_heads ({kvHeads})");
            int? headDimField = OptionalPositiveInt("head_dim") ?? (gemma || qwen35 ? 256 : null);
            if (headDimField is null && hidden % heads != 0)
                throw new ModelFileException(path, Field("head_dim"),
                    $"head_dim is absent and hidden_size ({hidden}) is not a multiple of num_attention_heads ({heads})");
            int headDim = headDimField ?? hidden / heads;
            if (headDim % 2 != 0)
                throw new ModelFileException(path, Field("head_dim"), $"head_dim ({headDim}) must be even for rotary embeddings");
            int layers = OptionalPositiveInt("num_hidden_layers") ?? (gemma ? 26 : qwen35 ? 32 : PositiveInt("num_hidden_layers"));

            bool attentionBias = OptionalBool("attention_bias") ?? false;
            int? slidingWindow = null;
            if (family == ModelFamily.Mistral)
                slidingWindow = OptionalPositiveInt("sliding_window");
            if (gemma)
                slidingWindow = OptionalPositiveInt("sliding_window") ?? 4096;
            if (family == ModelFamily.Qwen2 && (OptionalBool("use_sliding_window") ?? false))
                throw new ModelFileException(path, Field("use_sliding_window"), "Qwen2 sliding-window attention is not supported");
            if (gemma && (OptionalBool("use_bidirectional_attention") ?? false))
                throw new ModelFileException(path, Field("use_bidirectional_attention"), "bidirectional (embedding) Gemma3 models are not decoders");

            IReadOnlyList<LayerKind>? layerTypes = gemma || qwen35 ? ReadLayerTypes(family, layers) : null;
            var (ropeTheta, ropeScaling, slidingTheta, partialRotary) = ReadRope(family);
            bool tieDefault = gemma;
            bool tie = (Multimodal ? OptionalBoolAt(_wrapper, "tie_word_embeddings", "tie_word_embeddings") : null)
                ?? OptionalBool("tie_word_embeddings") ?? tieDefault;

            var config = new ModelConfig
            {
                Family = family,
                HiddenSize = hidden,
                IntermediateSize = OptionalPositiveInt("intermediate_size") ?? (gemma ? 9216 : qwen35 ? 12288 : PositiveInt("intermediate_size")),
                LayerCount = layers,
                HeadCount = heads,
                KeyValueHeadCount = kvHeads,
                HeadDim = headDim,
                VocabSize = OptionalPositiveInt("vocab_size") ?? (gemma ? 262_208 : qwen35 ? 248_320 : PositiveInt("vocab_size")),
                RmsNormEps = OptionalPositiveDouble("rms_norm_eps") ?? 1e-6,
                RopeTheta = ropeTheta,
                RopeScaling = ropeScaling,
                MaxPositionEmbeddings = OptionalPositiveInt("max_position_embeddings") ?? (gemma ? 131_072 : qwen35 ? 32_768 : 4096),
                TieWordEmbeddings = tie,
                QkvBias = family == ModelFamily.Qwen2 || attentionBias,
                OutputProjectionBias = (family is ModelFamily.Llama or ModelFamily.Qwen3 or ModelFamily.Gemma3 or ModelFamily.Qwen35) && attentionBias,
                MlpBias = family == ModelFamily.Llama && (OptionalBool("mlp_bias") ?? false),
                QueryKeyNorm = family is ModelFamily.Qwen3 or ModelFamily.Gemma3 or ModelFamily.Qwen35,
                SlidingWindow = slidingWindow,
                LayerTypes = layerTypes,
                HiddenActivation = activation,
                ZeroCenteredNorms = gemma || qwen35,
                SandwichNorms = gemma,
                ScaleEmbeddings = gemma,
                QueryPreAttentionScalar = gemma ? OptionalPositiveDouble("query_pre_attn_scalar") ?? 256 : null,
                AttentionLogitSoftcap = gemma ? OptionalPositiveDouble("attn_logit_softcapping") : null,
                FinalLogitSoftcap = gemma ? OptionalPositiveDouble("final_logit_softcapping") : null,
                SlidingRopeTheta = slidingTheta,
                PartialRotaryFactor = partialRotary,
                AttentionOutputGate = qwen35,
                LinearAttention = qwen35 ? ReadLinearAttention() : null,
                Multimodal = Multimodal,
                BosTokenId = OptionalInt("bos_token_id") ?? (Multimodal ? OptionalIntAt(_wrapper, "bos_token_id") : null),
                EosTokenIds = ReadIntOrList("eos_token_id") is { Count: > 0 } eos ? eos
                    : Multimodal ? ReadIntOrListAt(_wrapper, "eos_token_id", "eos_token_id") : [],
                PadTokenId = OptionalInt("pad_token_id") ?? (Multimodal ? OptionalIntAt(_wrapper, "pad_token_id") : null),
                StoredDType = WeightDType(root, _prefix) ?? (Multimodal ? WeightDType(_wrapper, "") : null),
            };
            // A stop id the model cannot produce would never stop a decode: it runs to its budget without a word.
            foreach (int id in config.EosTokenIds)
                if (id < 0 || id >= config.VocabSize)
                    throw new ModelFileException(path, Field("eos_token_id"), $"{id} is not a token of the model's vocabulary (vocab_size {config.VocabSize})");
            return config;
        }

        IReadOnlyList<LayerKind> ReadLayerTypes(ModelFamily family, int layers)
        {
            if (root["layer_types"] is JsonNode node)
            {
                if (node is not JsonArray a || a.Count != layers)
                    throw new ModelFileException(path, Field("layer_types"), $"must be a list of {layers} layer types (one per layer)");
                return a.Select((n, i) => (n is JsonValue v && v.TryGetValue(out string? s) ? s : null) switch
                {
                    "full_attention" => LayerKind.FullAttention,
                    "sliding_attention" when family == ModelFamily.Gemma3 => LayerKind.SlidingAttention,
                    "linear_attention" when family == ModelFamily.Qwen35 => LayerKind.LinearAttention,
                    var other => throw new ModelFileException(path, Field($"layer_types[{i}]"),
                        $"\"{other}\" is not a layer type of this family"),
                }).ToArray();
            }
            // Older configs: Gemma3's sliding_window_pattern (every n-th layer global), Qwen3.5's full_attention_interval.
            string key = family == ModelFamily.Gemma3 ? "sliding_window_pattern" : "full_attention_interval";
            int interval = OptionalPositiveInt(key) ?? (family == ModelFamily.Gemma3 ? 6 : 4);
            var other = family == ModelFamily.Gemma3 ? LayerKind.SlidingAttention : LayerKind.LinearAttention;
            return Enumerable.Range(0, layers).Select(i => (i + 1) % interval == 0 ? LayerKind.FullAttention : other).ToArray();
        }

        LinearAttentionShape ReadLinearAttention()
        {
            var shape = new LinearAttentionShape(
                ConvKernel: OptionalPositiveInt("linear_conv_kernel_dim") ?? 4,
                KeyHeads: OptionalPositiveInt("linear_num_key_heads") ?? 16,
                ValueHeads: OptionalPositiveInt("linear_num_value_heads") ?? 32,
                KeyHeadDim: OptionalPositiveInt("linear_key_head_dim") ?? 128,
                ValueHeadDim: OptionalPositiveInt("linear_value_head_dim") ?? 128);
            if (shape.ValueHeads % shape.KeyHeads != 0)
                throw new ModelFileException(path, Field("linear_num_value_heads"),
                    $"linear_num_value_heads ({shape.ValueHeads}) is not a multiple of linear_num_key_heads ({shape.KeyHeads})");
            return shape;
        }

        /// <summary>
        /// The rope base and scaling of the (global) attention layers, the sliding layers' own base (Gemma3) and
        /// the partial rotary factor, from <c>rope_theta</c>/<c>rope_scaling</c>/<c>rope_local_base_freq</c> or
        /// from transformers v5's <c>rope_parameters</c> (flat, or one entry per layer type).
        /// </summary>
        (double Theta, RopeScaling Scaling, double? SlidingTheta, double PartialRotary) ReadRope(ModelFamily family)
        {
            bool gemma = family == ModelFamily.Gemma3;
            double defaultTheta = gemma ? 1_000_000 : qwenDefault(family);
            double partial = OptionalPositiveDouble("partial_rotary_factor") ?? (family == ModelFamily.Qwen35 ? 0.25 : 1);
            double theta = OptionalPositiveDouble("rope_theta") ?? defaultTheta;
            var scaling = root["rope_scaling"] is JsonNode s ? ReadRopeObject(s, "rope_scaling", allowTheta: false).Scaling : RopeScaling.None;
            double? sliding = gemma ? OptionalPositiveDouble("rope_local_base_freq") ?? 10_000 : null;
            if (root["rope_parameters"] is JsonNode p)
            {
                if (p is not JsonObject o)
                    throw new ModelFileException(path, Field("rope_parameters"), "must be an object");
                if (o["full_attention"] is JsonNode full)
                {
                    var (t, sc) = ReadRopeObject(full, "rope_parameters.full_attention", allowTheta: true);
                    (theta, scaling) = (t ?? theta, sc);
                    if (gemma && o["sliding_attention"] is JsonNode local)
                    {
                        var (lt, ls) = ReadRopeObject(local, "rope_parameters.sliding_attention", allowTheta: true);
                        if (ls.Kind != RopeScalingKind.None)
                            throw new ModelFileException(path, Field("rope_parameters.sliding_attention"), "sliding layers with rope scaling are not supported");
                        sliding = lt ?? sliding;
                    }
                }
                else
                {
                    var (t, sc) = ReadRopeObject(o, "rope_parameters", allowTheta: true);
                    (theta, scaling) = (t ?? theta, sc);
                    if (o["partial_rotary_factor"] is JsonValue pv && TryNumber(pv, out double pr) && pr > 0)
                        partial = pr;
                }
            }
            if (partial > 1)
                throw new ModelFileException(path, Field("partial_rotary_factor"), "must be at most 1");
            return (theta, scaling, sliding, partial);

            static double qwenDefault(ModelFamily f) => f == ModelFamily.Qwen35 ? 10_000_000 : 10_000;
        }

        (double? Theta, RopeScaling Scaling) ReadRopeObject(JsonNode node, string field, bool allowTheta)
        {
            if (node is not JsonObject o)
                throw new ModelFileException(path, Field(field), "must be an object or null");
            double? theta = null;
            if (allowTheta && o["rope_theta"] is JsonValue tv)
                theta = TryNumber(tv, out double t) && t > 0 ? t : throw new ModelFileException(path, Field(field + ".rope_theta"), "must be a positive number");
            string? type = (o["rope_type"] ?? o["type"]) is JsonValue v && v.TryGetValue(out string? s) ? s : null;
            switch (type)
            {
                case null or "default":
                    return (theta, RopeScaling.None);
                case "linear":
                    return (theta, new RopeScaling(RopeScalingKind.Linear, Factor: NestedPositiveDouble(o, field, "factor")));
                case "llama3":
                    var scaling = new RopeScaling(
                        RopeScalingKind.Llama3,
                        Factor: NestedPositiveDouble(o, field, "factor"),
                        LowFrequencyFactor: NestedPositiveDouble(o, field, "low_freq_factor"),
                        HighFrequencyFactor: NestedPositiveDouble(o, field, "high_freq_factor"),
                        OriginalMaxPositions: (int)Math.Min(NestedPositiveDouble(o, field, "original_max_position_embeddings"), 1 << 24));
                    if (scaling.HighFrequencyFactor <= scaling.LowFrequencyFactor)
                        throw new ModelFileException(path, Field(field + ".high_freq_factor"), "must be greater than low_freq_factor");
                    return (theta, scaling);
                default:
                    throw new ModelFileException(path, Field(field + ".rope_type"),
                        $"rope scaling \"{type}\" is not supported (supported: default, linear, llama3)");
            }
        }

        double NestedPositiveDouble(JsonObject o, string parent, string key)
        {
            string field = Field(parent + "." + key);
            if (o[key] is not JsonValue v || !TryNumber(v, out double d))
                throw new ModelFileException(path, field, "missing or not a number");
            if (!(d > 0))
                throw new ModelFileException(path, field, $"must be positive, got {d.ToString(CultureInfo.InvariantCulture)}");
            return d;
        }

        /// <summary>
        /// <c>torch_dtype</c> (<c>dtype</c> in newer transformers): the weights' dtype as written. Weights are read in the
        /// dtype their safetensors header gives, so the field only informs, but a name that is not one of the dtypes
        /// weights are read in ("float8", a typo) means a checkpoint this runtime does not read, or a wrong file: refused,
        /// naming the field and the names accepted, rather than carried into the configs it writes.
        /// </summary>
        string? WeightDType(JsonObject o, string prefix)
        {
            foreach (string key in new[] { "torch_dtype", "dtype" })
            {
                if (OptionalStringAt(o, key, prefix + key) is not { } name)
                    continue;
                if (name == "auto")
                    return null; // from_pretrained's "as the checkpoint says", which some exported configs keep: says nothing
                return WeightDTypeNames.Contains(name, StringComparer.Ordinal) ? name
                    : throw new ModelFileException(path, prefix + key,
                        $"\"{name}\" is not a dtype this runtime reads weights in; accepted: {string.Join(", ", WeightDTypeNames)}");
            }
            return null;
        }

        string RequiredString(string key) =>
            OptionalString(key) ?? throw new ModelFileException(path, Field(key), "missing (required)");

        string? OptionalString(string key) => OptionalStringAt(root, key, Field(key));

        string? OptionalStringAt(JsonObject o, string key, string field) => o[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            _ => throw new ModelFileException(path, field, "must be a string"),
        };

        int PositiveInt(string key, int? max = null) =>
            OptionalPositiveInt(key, max) ?? throw new ModelFileException(path, Field(key), "missing (required)");

        // Upper bounds on sizes, checked before anything is allocated from them (far above any released model).
        static int UpperBound(string key) => key switch
        {
            "hidden_size" => TextModelRules.MaxHiddenSize,
            "num_attention_heads" or "num_key_value_heads" or "num_hidden_layers" => 1 << 10,
            "head_dim" => 1 << 12,
            "intermediate_size" => 1 << 18,
            "vocab_size" => 1 << 22,
            _ => 1 << 24,
        };

        /// <summary>A positive integer no larger than <paramref name="max"/> (default: the key's <c>UpperBound</c>): sizes are bounded before anything is allocated from them.</summary>
        int? OptionalPositiveInt(string key, int? max = null)
        {
            int? value = OptionalInt(key);
            if (value is <= 0)
                throw new ModelFileException(path, Field(key), $"must be a positive integer, got {value}");
            int bound = max ?? UpperBound(key);
            if (value > bound)
                throw new ModelFileException(path, Field(key), $"is {value}, more than the {bound} this runtime accepts");
            return value;
        }

        int? OptionalInt(string key) => OptionalIntAt(root, key, Field(key));

        int? OptionalIntAt(JsonObject o, string key, string? field = null)
        {
            JsonNode? node = o[key];
            if (node is null)
                return null;
            if (node is JsonValue v && TryNumber(v, out double d) && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
                return (int)d;
            throw new ModelFileException(path, field ?? key, $"must be an integer, got {node.ToJsonString()}");
        }

        double? OptionalPositiveDouble(string key)
        {
            JsonNode? node = root[key];
            if (node is null)
                return null;
            if (node is JsonValue v && TryNumber(v, out double d))
            {
                if (!(d > 0))
                    throw new ModelFileException(path, Field(key), $"must be positive, got {node.ToJsonString()}");
                return d;
            }
            throw new ModelFileException(path, Field(key), $"must be a number, got {node.ToJsonString()}");
        }

        bool? OptionalBool(string key) => OptionalBoolAt(root, key, Field(key));

        bool? OptionalBoolAt(JsonObject o, string key, string field) => o[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out bool b) => b,
            var n => throw new ModelFileException(path, field, $"must be true or false, got {n.ToJsonString()}"),
        };

        IReadOnlyList<int> ReadIntOrList(string key) => ReadIntOrListAt(root, key, Field(key));

        IReadOnlyList<int> ReadIntOrListAt(JsonObject o, string key, string field)
        {
            JsonNode? node = o[key];
            if (node is JsonArray a)
                // In int's range before the cast: 1e20 would wrap to int.MinValue and be refused as "not a token".
                return a.Select((n, i) => n is JsonValue v && TryNumber(v, out double d) && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue
                    ? (int)d
                    : throw new ModelFileException(path, $"{field}[{i}]", "must be an integer (a 32-bit one)")).ToArray();
            return OptionalIntAt(o, key, field) is int single ? [single] : [];
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
