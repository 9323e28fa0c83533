using RecursiveMas.Dsl;

namespace RecursiveMas.Analyzers.Tests.Model;

public class ConfigTests
{
    [Fact]
    public void Reads_hidden_size_model_type_and_vocab_size_skipping_everything_else()
    {
        const string json = """
            {
              "architectures": ["Qwen3ForCausalLM"],
              "bos_token_id": 151643, "rope_scaling": null, "tie_word_embeddings": true,
              "rope_theta": 1000000.0, "torch_dtype": "bfloat16", "layer_types": ["full_attention", "sliding\"_attention\u0021"],
              "quantization": { "bits": 4, "groups": [[1, 2], { "x": [] }] },
              "hidden_size": 2048, "model_type": "qwen3", "vocab_size": 151936
            }
            """;

        Assert.Equal(new ConfigJsonFacts(ConfigJsonStatus.Valid, "p", 2048, "qwen3", 151936, null), ConfigJsonReader.Read("p", json));
    }

    [Theory]
    [InlineData("""{ "model_type": "gemma3", "text_config": { "hidden_size": 2560 } }""", 2560)]
    [InlineData("""{ "model_type": "llama", "hidden_size": 1536, "text_config": { "hidden_size": 2560 } }""", 1536)]
    // A multimodal wrapper's language model is its text_config, whatever sizes its top level holds: the runtime loads 2560.
    [InlineData("""{ "model_type": "gemma3", "hidden_size": 1536, "text_config": { "hidden_size": 2560 } }""", 2560)]
    [InlineData("""{ "model_type": "qwen3_5", "hidden_size": 4096, "text_config": { "hidden_size": 2560 } }""", 2560)]
    [InlineData("""{ "model_type": "gemma3", "hidden_size": null, "text_config": { "hidden_size": 2560 } }""", 2560)]
    // Left out or null, a Gemma3 or Qwen3.5 hidden size is its family's default, as the runtime reads it.
    [InlineData("""{ "model_type": "gemma3", "text_config": { "hidden_size": null } }""", 2304)]
    [InlineData("""{ "model_type": "qwen3_5", "text_config": { "model_type": "qwen3_5_text" } }""", 4096)]
    [InlineData("""{ "model_type": "gemma3_text", "hidden_size": null }""", 2304)]
    public void Finds_the_hidden_size_where_the_runtime_reads_it(string json, int expected)
    {
        var config = ConfigJsonReader.Read("p", json);

        Assert.Equal((ConfigJsonStatus.Valid, expected), (config.Status, config.HiddenSize));
    }

    [Theory]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": 64.0, "vocab_size": 1000.0 }""", 64, 1000)]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": 6.4e1, "vocab_size": 1e3 }""", 64, 1000)]
    [InlineData("""{ "model_type": "gemma3", "text_config": { "hidden_size": 2560.0, "vocab_size": 262208 } }""", 2560, 262208)]
    public void Reads_sizes_written_as_whole_numbers_with_a_fraction(string json, int hidden, int vocab)
    {
        var config = ConfigJsonReader.Read("p", json);

        Assert.Equal(ConfigJsonStatus.Valid, config.Status);
        Assert.Equal((hidden, vocab), (config.HiddenSize, config.VocabSize));
    }

    [Theory]
    [InlineData("", "the file is not a JSON object")]
    [InlineData("""{ "hidden_size": 2048, }""", "it is not valid JSON")]
    [InlineData("""{ "hidden_size": 2048 } trailing""", "unexpected text after the JSON object")]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": 20.5 }""", "its hidden_size is 20.5, not a positive integer")]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": 64.5 }""", "its hidden_size is 64.5, not a positive integer")]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": 1e300 }""", "its hidden_size is 1E+300, not a positive integer")]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": -4 }""", "its hidden_size is -4, not a positive integer")]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": null }""", "its hidden_size is null, not a positive integer")]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": [2048] }""", "its hidden_size is an array, not a positive integer")]
    [InlineData("""{ "model_type": "gemma3", "text_config": { "hidden_size": true } }""", "its text_config.hidden_size is true, not a positive integer")]
    [InlineData("""{ "model_type": "qwen3_5", "hidden_size": 2560, "vision_config": {} }""", "a multimodal \"qwen3_5\" config.json needs a text_config object")]
    [InlineData("""{ "model_type": "gemma3", "text_config": { "model_type": "llama" } }""", "it has no text_config.hidden_size field")]
    // The runtime reads the architecture from model_type alone: without one, or with one it does not load, it refuses the
    // file before any size, and the sizes beside it had been read as if the model would load.
    [InlineData("""{ "text_config": { "hidden_size": 2560 } }""", "it has no model_type field, which the runtime requires")]
    [InlineData("""{ "hidden_size": 1536, "text_config": { "hidden_size": 2560 } }""", "it has no model_type field, which the runtime requires")]
    [InlineData("""{ "model_type": null, "hidden_size": 2048 }""", "its model_type is null, not the name of an architecture")]
    [InlineData("""{ "model_type": 3, "hidden_size": 2048 }""", "its model_type is 3, not a string")]
    [InlineData("""{ "model_type": "gemma3", "text_config": { "model_type": ["gemma3_text"], "hidden_size": 2560 } }""", "its text_config.model_type is an array, not a string")]
    [InlineData("""{ "n_embd": 768, "model_type": "gpt2" }""", "unknown model_type \"gpt2\"; supported: llama, mistral, qwen2, qwen3, gemma3_text, gemma3, qwen3_5, qwen3_5_text")]
    [InlineData("""{ "model_type": "qwen3_5", "text_config": { "model_type": "qwen3_vl_text", "hidden_size": 2560 } }""", "unknown model_type \"qwen3_vl_text\"")]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": 70000 }""", "its hidden_size is 70000, more than the 65536 the runtime accepts")]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": 99999999999 }""", "its hidden_size is 99999999999, more than the 65536 the runtime accepts")]
    [InlineData("""{ "name": "unterminated }""", "a string is not closed")]
    public void Rejects_unusable_files_with_a_reason(string json, string reason)
    {
        var config = ConfigJsonReader.Read("models/x/config.json", json);

        Assert.Equal(ConfigJsonStatus.Invalid, config.Status);
        Assert.Equal("models/x/config.json", config.Path);
        Assert.Contains(reason, config.Error);
    }

    [Theory]
    [InlineData("models/Qwen3-1.7B/config.json", "Qwen3-1.7B", true)]
    [InlineData("Qwen3-1.7B/config.json", "Qwen3-1.7B", true)]
    [InlineData(@"C:\m\qwen\Qwen3-1.7B\config.json", "qwen/Qwen3-1.7B", true)]
    [InlineData("/m/qwen/Qwen3-1.7B/config.json", @"qwen\Qwen3-1.7B\", true)]
    [InlineData("/m/Qwen3-1.7B/config.json", "./Qwen3-1.7B", true)]
    [InlineData("/m/MyQwen3-1.7B/config.json", "Qwen3-1.7B", false)]
    [InlineData("/m/qwen3-1.7b/config.json", "Qwen3-1.7B", false)]
    [InlineData("/m/Qwen3-1.7B/generation_config.json", "Qwen3-1.7B", false)]
    [InlineData("/m/Qwen3-1.7B/config.json", "", false)]
    [InlineData("/m/planner/config.json", "models/../planner", true)] // as loading resolves it; had been looked for under models/../planner
    [InlineData("/m/qwen/Qwen3-1.7B/config.json", "qwen/./Qwen3-1.7B", true)]
    [InlineData("/m/qwen/Qwen3-1.7B/config.json", "qwen//Qwen3-1.7B", true)]
    [InlineData("/m/config.json", ".", false)]
    [InlineData("/m/planner/config.json", "../planner", false)] // outside the model root (RMAS0018)
    public void Matches_config_files_at_a_folder_boundary(string path, string model, bool matches) =>
        Assert.Equal(matches, ConfigJsonIndex.Matches(path, model));

    [Fact]
    public void Index_reads_each_file_once_and_prefers_the_first_path()
    {
        var reads = 0;
        var index = new ConfigJsonIndex(
        [
            ("z/m/config.json", () => { reads++; return """{ "model_type": "qwen3", "hidden_size": 2 }"""; }),
            ("a/m/config.json", () => { reads++; return """{ "model_type": "qwen3", "hidden_size": 1 }"""; }),
            ("a/m/tokenizer.json", () => throw new InvalidOperationException("not a config")),
            ("a/gone/config.json", () => null),
        ]);

        Assert.Equal(1, index.Find("m").HiddenSize);
        Assert.Equal(1, index.Find("m").HiddenSize);
        Assert.Equal(1, reads);
        Assert.Equal(ConfigJsonStatus.NotFound, index.Find("other").Status);
        Assert.Equal("the file cannot be read", index.Find("gone").Error);
    }
}
