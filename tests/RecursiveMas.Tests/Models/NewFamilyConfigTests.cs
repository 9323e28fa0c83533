using RecursiveMas.Models;

namespace RecursiveMas.Tests.Models;

/// <summary>config.json files of Gemma3 and Qwen3.5 as the Hub ships them: nested text_config, omitted defaults, both rope layouts.</summary>
public class NewFamilyConfigTests
{
    const string File = "/models/x/config.json";

    static ModelConfig Parse(string json) => ModelConfig.Parse(json, File);

    [Fact]
    public void AMultimodalGemma3ConfigYieldsItsLanguageModelWithTransformersDefaults()
    {
        // Shaped like gemma-3-4b-it: the text_config leaves out what Gemma3TextConfig defaults.
        var c = Parse("""
        {"architectures":["Gemma3ForConditionalGeneration"],"model_type":"gemma3","eos_token_id":[1,106],"torch_dtype":"bfloat16",
         "text_config":{"model_type":"gemma3_text","hidden_size":2560,"intermediate_size":10240,"num_hidden_layers":34,
           "num_key_value_heads":4,"rope_scaling":{"factor":8.0,"rope_type":"linear"},"sliding_window":1024},
         "vision_config":{"model_type":"siglip_vision_model","hidden_size":1152}}
        """);
        Assert.Equal(ModelFamily.Gemma3, c.Family);
        Assert.True(c.Multimodal);
        Assert.Equal("gemma3", c.ModelType);
        Assert.Equal((2560, 8, 4, 256, 262_208), (c.HiddenSize, c.HeadCount, c.KeyValueHeadCount, c.HeadDim, c.VocabSize));
        Assert.Equal(HiddenActivation.GeluTanh, c.HiddenActivation);
        Assert.True(c.TieWordEmbeddings && c.ScaleEmbeddings && c.SandwichNorms && c.ZeroCenteredNorms && c.QueryKeyNorm);
        Assert.Equal(256, c.QueryPreAttentionScalar);
        Assert.Equal(1024, c.SlidingWindow);
        Assert.Equal((1_000_000.0, 10_000.0), (c.RopeTheta, c.SlidingRopeTheta!.Value));
        Assert.Equal(new RopeScaling(RopeScalingKind.Linear, Factor: 8), c.RopeScaling);
        // sliding_window_pattern 6 (the default): every sixth layer is global.
        Assert.Equal(LayerKind.SlidingAttention, c.KindOf(0));
        Assert.Equal(LayerKind.FullAttention, c.KindOf(5));
        Assert.Equal(LayerKind.FullAttention, c.KindOf(29));
        Assert.Equal(LayerKind.SlidingAttention, c.KindOf(33));
        Assert.Equal([1, 106], c.EosTokenIds);
        Assert.Equal("bfloat16", c.StoredDType);
        Assert.Null(c.FinalLogitSoftcap);
    }

    [Fact]
    public void Gemma3ReadsLayerTypesAndPerLayerTypeRopeParameters()
    {
        var c = Parse("""
        {"model_type":"gemma3_text","hidden_size":64,"intermediate_size":128,"num_hidden_layers":3,"num_attention_heads":2,
         "num_key_value_heads":1,"head_dim":32,"vocab_size":300,"query_pre_attn_scalar":32,"final_logit_softcapping":30.0,
         "layer_types":["sliding_attention","full_attention","full_attention"],"sliding_window":512,
         "rope_parameters":{"full_attention":{"rope_type":"linear","factor":4.0,"rope_theta":500000.0},
                            "sliding_attention":{"rope_type":"default","rope_theta":20000.0}}}
        """);
        Assert.False(c.Multimodal);
        Assert.Equal([LayerKind.SlidingAttention, LayerKind.FullAttention, LayerKind.FullAttention], c.LayerTypes);
        Assert.Equal((500_000.0, 20_000.0), (c.RopeTheta, c.SlidingRopeTheta!.Value));
        Assert.Equal(4, c.RopeScaling.Factor);
        Assert.Equal(30, c.FinalLogitSoftcap);
        Assert.Equal(1 / Math.Sqrt(32), c.AttentionScale);
    }

    [Fact]
    public void AMultimodalQwen35ConfigYieldsTheHybridTextModel()
    {
        var c = Parse("""
        {"architectures":["Qwen3_5ForConditionalGeneration"],"model_type":"qwen3_5","tie_word_embeddings":true,
         "text_config":{"model_type":"qwen3_5_text","hidden_size":2560,"intermediate_size":9216,"num_hidden_layers":8,
           "num_attention_heads":16,"num_key_value_heads":4,"head_dim":256,"vocab_size":248320,"hidden_act":"silu",
           "linear_conv_kernel_dim":4,"linear_key_head_dim":128,"linear_value_head_dim":128,"linear_num_key_heads":16,"linear_num_value_heads":32,
           "full_attention_interval":4,"eos_token_id":248044,"dtype":"bfloat16",
           "rope_parameters":{"rope_type":"default","rope_theta":10000000,"partial_rotary_factor":0.25,"mrope_section":[11,11,10],"mrope_interleaved":true}},
         "vision_config":{"depth":24}}
        """);
        Assert.Equal(ModelFamily.Qwen35, c.Family);
        Assert.True(c.Multimodal && c.TieWordEmbeddings && c.AttentionOutputGate && c.ZeroCenteredNorms);
        Assert.Equal("qwen3_5", c.ModelType);
        Assert.Equal([LayerKind.LinearAttention, LayerKind.LinearAttention, LayerKind.LinearAttention, LayerKind.FullAttention,
            LayerKind.LinearAttention, LayerKind.LinearAttention, LayerKind.LinearAttention, LayerKind.FullAttention], c.LayerTypes);
        Assert.Equal(new LinearAttentionShape(4, 16, 32, 128, 128), c.LinearAttention);
        Assert.Equal(64, c.RotaryDim);
        Assert.Equal(10_000_000, c.RopeTheta);
        Assert.Equal([248044], c.EosTokenIds);
        Assert.Equal("bfloat16", c.StoredDType);
        Assert.False(c.SandwichNorms || c.ScaleEmbeddings);
    }

    [Theory]
    [InlineData("""{"model_type":"gemma3","vision_config":{}}""", "text_config")]
    [InlineData("""{"model_type":"qwen3_5","text_config":{"num_hidden_layers":2,"layer_types":["linear_attention"]}}""", "text_config.layer_types")]
    [InlineData("""{"model_type":"qwen3_5_text","num_hidden_layers":1,"layer_types":["sliding_attention"]}""", "layer_types[0]")]
    [InlineData("""{"model_type":"qwen3_5_text","linear_num_key_heads":3,"linear_num_value_heads":4}""", "linear_num_value_heads")]
    [InlineData("""{"model_type":"gemma3_text","hidden_activation":"relu"}""", "hidden_activation")]
    public void BadNewFamilyConfigsNameTheField(string json, string field)
    {
        var e = Assert.Throws<ModelFileException>(() => Parse(json));
        Assert.Equal(field, e.Item);
    }
}
