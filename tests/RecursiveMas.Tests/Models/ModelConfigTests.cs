using RecursiveMas.Models;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Models;

public class ModelConfigTests
{
    const string File = "/models/x/config.json";

    static ModelConfig Parse(string json) => ModelConfig.Parse(json, File);

    static ModelFileException Fails(string json) => Assert.Throws<ModelFileException>(() => Parse(json));

    [Fact]
    public void ReadsALlama32StyleConfigWithLlama3RopeScaling()
    {
        var c = Parse("""
        {"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":2048,"intermediate_size":8192,
         "num_hidden_layers":16,"num_attention_heads":32,"num_key_value_heads":8,"head_dim":64,"vocab_size":128256,
         "rms_norm_eps":1e-05,"rope_theta":500000.0,"max_position_embeddings":131072,"tie_word_embeddings":true,
         "attention_bias":false,"mlp_bias":false,"hidden_act":"silu","torch_dtype":"bfloat16",
         "rope_scaling":{"factor":32.0,"high_freq_factor":4.0,"low_freq_factor":1.0,"original_max_position_embeddings":8192,"rope_type":"llama3"},
         "bos_token_id":128000,"eos_token_id":[128001,128008,128009]}
        """);
        Assert.Equal(ModelFamily.Llama, c.Family);
        Assert.Equal(4, c.GroupSize);
        Assert.Equal(RopeScalingKind.Llama3, c.RopeScaling.Kind);
        Assert.Equal(32, c.RopeScaling.Factor);
        Assert.Equal(8192, c.RopeScaling.OriginalMaxPositions);
        Assert.True(c.TieWordEmbeddings);
        Assert.False(c.QkvBias);
        Assert.Equal([128001, 128008, 128009], c.EosTokenIds);
        Assert.Equal(1_235_814_400, c.ParameterCount); // Llama-3.2-1B
    }

    [Fact]
    public void Qwen2HasQkvBiasesAndQwen3HasQueryKeyNormAndExplicitHeadDim()
    {
        var qwen2 = Parse("""{"model_type":"qwen2","hidden_size":1536,"intermediate_size":8960,"num_hidden_layers":28,"num_attention_heads":12,"num_key_value_heads":2,"vocab_size":151936,"tie_word_embeddings":true,"eos_token_id":151645}""");
        Assert.True(qwen2.QkvBias);
        Assert.False(qwen2.OutputProjectionBias);
        Assert.Equal(128, qwen2.HeadDim);
        Assert.Equal(1_543_714_304, qwen2.ParameterCount); // Qwen2.5-1.5B

        var qwen3 = Parse("""{"model_type":"qwen3","hidden_size":1024,"intermediate_size":3072,"num_hidden_layers":28,"num_attention_heads":16,"num_key_value_heads":8,"head_dim":128,"vocab_size":151936,"tie_word_embeddings":true,"attention_bias":false}""");
        Assert.True(qwen3.QueryKeyNorm);
        Assert.Equal(128, qwen3.HeadDim);
        Assert.NotEqual(qwen3.HiddenSize / qwen3.HeadCount, qwen3.HeadDim);
        Assert.Equal(596_049_920, qwen3.ParameterCount); // Qwen3-0.6B: 0.44B non-embedding + 0.16B tied embeddings
    }

    [Fact]
    public void MistralKeepsItsSlidingWindow()
    {
        var c = Parse("""{"model_type":"mistral","hidden_size":4096,"intermediate_size":14336,"num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"vocab_size":32000,"sliding_window":4096}""");
        Assert.Equal(4096, c.SlidingWindow);
        var noWindow = Parse("""{"model_type":"mistral","hidden_size":64,"intermediate_size":128,"num_hidden_layers":1,"num_attention_heads":4,"vocab_size":10,"sliding_window":null}""");
        Assert.Null(noWindow.SlidingWindow);
    }

    [Theory]
    [MemberData(nameof(TinyModels.AllFamilies), MemberType = typeof(TinyModels))]
    public void ToJsonRoundTrips(string family)
    {
        var config = TinyModels.ByName(family);
        var back = Parse(config.ToJson());
        Assert.Equal(config.ToJson(), back.ToJson());
        Assert.Equal(config.ParameterCount, back.ParameterCount);
        Assert.Equal(config.RopeScaling, back.RopeScaling);
    }

    [Fact]
    public void UnknownModelTypeIsNamed()
    {
        var e = Fails("""{"model_type":"gpt2","hidden_size":64}""");
        Assert.Equal("model_type", e.Item);
        Assert.Contains(File, e.Message);
        Assert.Contains("gpt2", e.Message);
    }

    [Fact]
    public void IntegersWrittenWithAFractionAndTheWeightDTypeNamesAreRead()
    {
        // Some exporters write sizes as 64.0; the DSL's reader of config.json reads them by the same rule.
        var c = Parse("""{"model_type":"llama","hidden_size":8.0,"intermediate_size":8,"num_hidden_layers":1e0,"num_attention_heads":2,"vocab_size":10,"torch_dtype":"bfloat16"}""");
        Assert.Equal((8, 1, "bfloat16"), (c.HiddenSize, c.LayerCount, c.StoredDType));
        // "auto" (from_pretrained's "as the checkpoint says") informs of nothing: read as absent.
        Assert.Null(Parse("""{"model_type":"llama","hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10,"torch_dtype":"auto"}""").StoredDType);
    }

    [Theory]
    [InlineData("hidden_size", """{"model_type":"llama","intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10}""", "missing")]
    [InlineData("hidden_size", """{"model_type":"llama","hidden_size":0,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10}""", "positive")]
    [InlineData("num_hidden_layers", """{"model_type":"llama","hidden_size":8,"intermediate_size":8,"num_hidden_layers":-1,"num_attention_heads":2,"vocab_size":10}""", "positive")]
    [InlineData("vocab_size", """{"model_type":"llama","hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":"many"}""", "integer")]
    [InlineData("num_key_value_heads", """{"model_type":"llama","hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":4,"num_key_value_heads":3,"vocab_size":10}""", "multiple")]
    [InlineData("head_dim", """{"model_type":"llama","hidden_size":10,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":4,"vocab_size":10}""", "multiple")]
    [InlineData("model_type", """{"hidden_size":8}""", "missing")]
    [InlineData("hidden_act", """{"model_type":"llama","hidden_act":"gelu","hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10}""", "silu")]
    [InlineData("rope_scaling.rope_type", """{"model_type":"llama","hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10,"rope_scaling":{"rope_type":"yarn","factor":4}}""", "yarn")]
    [InlineData("rope_scaling.low_freq_factor", """{"model_type":"llama","hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10,"rope_scaling":{"rope_type":"llama3","factor":4}}""", "missing")]
    [InlineData("torch_dtype", """{"model_type":"llama","hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10,"torch_dtype":"float8"}""", "accepted: float32, float16, bfloat16, float64")]
    [InlineData("dtype", """{"model_type":"llama","hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10,"dtype":"bf16"}""", "\"bf16\" is not a dtype")]
    [InlineData("text_config.torch_dtype", """{"model_type":"gemma3","text_config":{"torch_dtype":"int4"}}""", "int4")]
    [InlineData("eos_token_id[1]", """{"model_type":"llama","hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10,"eos_token_id":[1,1e20]}""", "must be an integer (a 32-bit one)")]
    [InlineData("hidden_size", """{"model_type":"llama","hidden_size":8.5,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10}""", "must be an integer, got 8.5")]
    [InlineData("use_sliding_window", """{"model_type":"qwen2","use_sliding_window":true,"hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10}""", "not supported")]
    public void InvalidFieldsAreNamed(string field, string json, string says)
    {
        var e = Fails(json);
        Assert.Equal(field, e.Item);
        Assert.Contains(File, e.Message);
        Assert.Contains(says, e.Message);
    }

    [Fact]
    public void MalformedJsonAndMissingFilesAreReported()
    {
        var e = Fails("{\"model_type\": ");
        Assert.Contains("not valid JSON", e.Message);
        Assert.Contains("must be a JSON object", Fails("[1,2]").Message);

        string dir = Path.Combine(Path.GetTempPath(), "rmas-no-such-model-" + Guid.NewGuid());
        var missing = Assert.Throws<ModelFileException>(() => ModelConfig.Load(dir));
        Assert.Contains("does not exist", missing.Message);
    }
}
