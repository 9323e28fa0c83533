using System.Text.Json.Nodes;
using RecursiveMas.Models;
using RecursiveMas.Models.SafeTensors;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

/// <summary>Files written to hurt the loader: each is refused with a <see cref="ModelFileException"/> naming the file and key, before any harm.</summary>
public sealed class HostileFilesTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    static readonly string Config = TinyModels.Llama(64, vocab: 320).ToJson();

    static string With(string key, string rawValue) =>
        Config.TrimEnd().TrimEnd('}') + $",\n  \"{key}\": {rawValue}\n}}";

    [Theory]
    [InlineData("hidden_size", "64", "more than once")]           // a second hidden_size: which one wins depends on the reader
    [InlineData("rms_norm_eps", "1e400", "must be a number")]        // infinity, not a number
    [InlineData("rope_theta", "-1", "must be positive")]
    [InlineData("eos_token_id", "99999", "not a token of the model's vocabulary")]  // a stop that could never come
    [InlineData("eos_token_id", "[2, -1]", "not a token of the model's vocabulary")]
    public void ConfigValuesThatAreNotOneFiniteNumberAreRefusedNamingTheKey(string key, string value, string message)
    {
        string json = key == "hidden_size" ? With(key, value) : Replace(key, value);
        var e = Assert.Throws<ModelFileException>(() => ModelConfig.Parse(json, "config.json"));
        Assert.Equal(key, e.Item);
        Assert.Contains(message, e.Detail);
    }

    /// <summary>The tiny config with <paramref name="key"/> set to <paramref name="rawValue"/> (added or replaced).</summary>
    static string Replace(string key, string rawValue)
    {
        var o = JsonNode.Parse(Config)!.AsObject();
        o.Remove(key);
        return o.ToJsonString().TrimEnd('}') + $",\"{key}\":{rawValue}}}";
    }

    [Theory]
    [InlineData("hidden_size", "1000000")]
    [InlineData("num_hidden_layers", "100000")]
    [InlineData("vocab_size", "2000000000")]
    [InlineData("intermediate_size", "2147483647")]
    [InlineData("max_position_embeddings", "1000000000")]
    public void SizesAreBoundedBeforeAnythingIsAllocated(string key, string value)
    {
        var e = Assert.Throws<ModelFileException>(() => ModelConfig.Parse(Replace(key, value), "config.json"));
        Assert.Equal(key, e.Item);
        Assert.Contains("more than the", e.Detail);
    }

    [Fact]
    public void AModelLargerThanTheMemoryOfTheProcessIsRefusedBeforeAllocation()
    {
        string dir = Path.Combine(zoo.Root, "huge-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        // Every size within its bound, the whole far beyond any machine: 1024 layers of 65536².
        var o = JsonNode.Parse(Replace("hidden_size", "65536"))!.AsObject();
        o["num_hidden_layers"] = 1024;
        o["intermediate_size"] = 262144;
        o["num_attention_heads"] = 512;
        o["num_key_value_heads"] = 512;
        o["head_dim"] = 128;
        File.WriteAllText(Path.Combine(dir, "config.json"), o.ToJsonString());

        var e = Assert.Throws<ModelFileException>(() => CausalLM.FromPretrained(dir));
        Assert.EndsWith("config.json", e.FilePath);
        Assert.Contains("more than the", e.Detail);
    }

    [Fact]
    public void AnOversizedConfigIsNotRead()
    {
        string dir = Path.Combine(zoo.Root, "padded-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), Config.TrimEnd().TrimEnd('}') + ", \"pad\": \"" + new string(' ', (int)ModelConfig.MaxFileBytes) + "\"}");
        var e = Assert.Throws<ModelFileException>(() => ModelConfig.Load(dir));
        Assert.Contains("at most", e.Detail);
    }

    [Fact]
    public void SystemJsonWithADuplicateKeyOrAnInfiniteNumberIsRefusedNamingIt()
    {
        var d = zoo.Describe("distillation", 1);
        string json = File.ReadAllText(d.SourcePath!);
        string twice = json.Replace("\"name\": \"Expert\",", "\"name\": \"Expert\", \"name\": \"Impostor\",", StringComparison.Ordinal);
        Assert.NotEqual(json, twice);
        var duplicate = Assert.Throws<ModelFileException>(() => SystemDescription.Parse(twice, d.SourcePath!));
        Assert.Equal("agents[0].name", duplicate.Item);

        var o = JsonNode.Parse(json)!.AsObject();
        o["decoding"]!["temperature"] = JsonNode.Parse("1e400");
        var infinite = Assert.Throws<ModelFileException>(() => SystemDescription.Parse(o.ToJsonString(), d.SourcePath!));
        Assert.Equal("decoding.temperature", infinite.Item);
    }

    [Theory]
    [InlineData("model", "../../etc")]
    [InlineData("model", "/etc")]
    [InlineData("name", "../../escaped")]
    [InlineData("role", "x/../../../y")]
    public void AgentFoldersAndNamesThatLeaveTheirFolderAreRefused(string field, string value)
    {
        var d = zoo.Describe("distillation", 1);
        var agent = d.Agents[0];
        agent = field switch
        {
            "model" => agent with { Model = value },
            "name" => agent with { Name = value },
            _ => agent with { Role = value },
        };
        var hostile = d with { Agents = [agent, .. d.Agents.Skip(1)] };
        var e = Assert.Throws<ModelFileException>(() => RecursiveSystem.Load(hostile, new SystemLoadOptions { AllowUntrainedLinks = true }));
        Assert.Equal($"agents[0].{field}", e.Item);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../elsewhere")]
    [InlineData("/etc")]
    public void ASystemFilesModelRootThatLeavesItsFolderIsRefusedUnlessTheCallerChoosesIt(string modelRoot)
    {
        var d = zoo.Describe("sequential", 1);
        var hostile = SystemDescription.Parse((d with { ModelRoot = modelRoot }).ToJson(), d.SourcePath!);
        var e = Assert.Throws<ModelFileException>(() => RecursiveSystem.Load(hostile, new SystemLoadOptions { AllowUntrainedLinks = true }));
        Assert.Equal("modelRoot", e.Item);
        Assert.Contains(modelRoot, e.Message);
        // The caller's own choice (rmas --models) is trusted.
        using var chosen = RecursiveSystem.Load(hostile, new SystemLoadOptions { AllowUntrainedLinks = true, ModelRoot = zoo.Root });
        Assert.Equal(3, chosen.Agents.Count);
    }

    [Theory]
    [InlineData("../../../tmp")]
    [InlineData("/tmp")]
    public void ASystemFilesLinksFolderThatLeavesItsFolderIsRefusedUnlessTheCallerChoosesIt(string linksDir)
    {
        var d = zoo.Describe("sequential", 1);
        var hostile = SystemDescription.Parse((d with { LinksDirectory = linksDir }).ToJson(), d.SourcePath!);
        var e = Assert.Throws<ModelFileException>(() => RecursiveSystem.Load(hostile, new SystemLoadOptions { AllowUntrainedLinks = true }));
        Assert.Equal("linksDir", e.Item);
        using var chosen = RecursiveSystem.Load(hostile, new SystemLoadOptions { AllowUntrainedLinks = true, LinksDirectory = Path.Combine(zoo.Root, "no-links-here") });
        Assert.Equal(3, chosen.Agents.Count);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../../etc/passwd")]
    public void ASystemFilesSearchCorpusThatLeavesItsFolderIsRefused(string corpus)
    {
        // <search> would otherwise quote any file the process can read into prompts and answers.
        var d = zoo.Describe("deliberation", 1);
        var hostile = SystemDescription.Parse((d with { ToolCorpus = corpus }).ToJson(), d.SourcePath!);
        var e = Assert.Throws<ModelFileException>(() => RecursiveSystem.Load(hostile, new SystemLoadOptions { AllowUntrainedLinks = true }));
        Assert.Equal("toolCorpus", e.Item);
        Assert.Contains(corpus, e.Message);
        using var inside = RecursiveSystem.Load(SystemDescription.Parse(d.ToJson(), d.SourcePath!), new SystemLoadOptions { AllowUntrainedLinks = true });
        Assert.Equal(2, inside.Agents.Count);
    }

    [Fact]
    public void ACheckpointWithMoreLayersThanItsConfigIsRefusedNamingTheField()
    {
        string dir = Path.Combine(zoo.Root, "layers-" + Guid.NewGuid().ToString("N"));
        var config = ModelDirectoryBuilder.TinyConfig(ModelFamily.Llama, 64, 2);
        using (var model = new CausalLM(config))
        {
            model.InitializeRandom(1);
            model.SavePretrained(dir);
        }
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        json["num_hidden_layers"] = 1;
        File.WriteAllText(Path.Combine(dir, "config.json"), json.ToJsonString());

        var e = Assert.Throws<ModelFileException>(() => CausalLM.FromPretrained(dir));
        Assert.Equal("num_hidden_layers", e.Item);
        Assert.Contains("model.layers.1.", e.Message);
    }

    [Fact]
    public void AModelWeightThatIsNotFiniteIsRefusedNamingTheTensor()
    {
        string dir = Path.Combine(zoo.Root, "nan-" + Guid.NewGuid().ToString("N"));
        var config = ModelDirectoryBuilder.TinyConfig(ModelFamily.Llama, 64, 2);
        using (var model = new CausalLM(config))
        {
            model.InitializeRandom(1);
            using (no_grad())
                model.named_parameters().Single(p => p.name.EndsWith("layers.1.mlp.up_proj.weight", StringComparison.Ordinal)).parameter[3, 5] = float.NaN;
            model.SavePretrained(dir);
        }

        var e = Assert.Throws<ModelFileException>(() => CausalLM.FromPretrained(dir));
        Assert.Equal("model.layers.1.mlp.up_proj.weight", e.Item);
        Assert.Equal(Path.Combine(dir, Checkpoint.SingleFileName), e.FilePath);
        Assert.Contains("NaN or infinite", e.Detail);
    }

    /// <summary>A tiny Llama's folder whose model.safetensors holds its weights as <paramref name="change"/> leaves them.</summary>
    string ModelWithWeights(string tag, Action<Dictionary<string, Tensor>> change)
    {
        string dir = Path.Combine(zoo.Root, tag + "-" + Guid.NewGuid().ToString("N"));
        using var model = new CausalLM(ModelDirectoryBuilder.TinyConfig(ModelFamily.Llama, 64, 2));
        model.InitializeRandom(1);
        model.SavePretrained(dir);
        using var scope = NewDisposeScope();
        var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());
        change(weights);
        SafeTensorsWriter.Write(Path.Combine(dir, Checkpoint.SingleFileName), weights);
        return dir;
    }

    [Theory]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Bool)]
    public void AModelWeightStoredAsIntegersIsRefusedNamingTheTensor(ScalarType stored)
    {
        // Converted on load, the codes would become the weights without a word (a quantized checkpoint's packed ints, say).
        string dir = ModelWithWeights("int-weight", w => w["model.norm.weight"] = ones(64, stored));

        var e = Assert.Throws<ModelFileException>(() => CausalLM.FromPretrained(dir));
        Assert.Equal("model.norm.weight", e.Item);
        Assert.Equal(Path.Combine(dir, Checkpoint.SingleFileName), e.FilePath);
        Assert.Contains("floating-point", e.Detail);
    }

    [Theory]
    [InlineData("model.layers.1.self_attn.q_proj.bias")]   // attention_bias left out of config.json: the biases would be dropped
    [InlineData("model.layers.0.mlp.extra_norm.weight")]
    public void ALayerWeightTheConfigHasNoPlaceForIsRefusedNamingTheTensor(string name)
    {
        string dir = ModelWithWeights("unread-weight", w => w[name] = ones(64));

        var e = Assert.Throws<ModelFileException>(() => CausalLM.FromPretrained(dir));
        Assert.Equal(name, e.Item);
        Assert.Equal(Path.Combine(dir, Checkpoint.SingleFileName), e.FilePath);
        Assert.Contains("has no such weight", e.Detail);
    }

    [Fact]
    public void AWeightOfAnotherShapeNamesTheTensorAndConfigJson()
    {
        // One layer's q_proj of another width, as a checkpoint stitched from two models would have.
        string dir = ModelWithWeights("q-width", w => w["model.layers.1.self_attn.q_proj.weight"] = ones(32, 64));

        var e = Assert.Throws<ModelFileException>(() => CausalLM.FromPretrained(dir));
        Assert.Equal("model.layers.1.self_attn.q_proj.weight", e.Item);
        Assert.Equal(Path.Combine(dir, Checkpoint.SingleFileName), e.FilePath);
        Assert.Contains("stores shape [32, 64]", e.Detail);
        Assert.Contains("config.json", e.Detail);
    }

    [Fact]
    public void AnOldCheckpointsRotaryBufferStillLoads()
    {
        // transformers before 4.31 saved inv_freq with every layer; it is recomputed from rope_theta.
        string dir = ModelWithWeights("inv-freq", w => w["model.layers.0.self_attn.rotary_emb.inv_freq"] = ones(8));
        using var model = CausalLM.FromPretrained(dir);
        Assert.Equal(2, model.Config.LayerCount);
    }

    [Fact]
    public void AShardNameThatLeavesTheModelFolderIsRefused()
    {
        string dir = Path.Combine(zoo.Root, "sharded-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, Checkpoint.IndexFileName),
            """{"metadata":{},"weight_map":{"model.embed_tokens.weight":"../../outside.safetensors"}}""");
        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Open(dir));
        Assert.Equal("model.embed_tokens.weight", e.Item);
        Assert.Contains("outside", e.Detail);
    }

    [Fact]
    public void ATokenizerWithIdsPastTheModelsVocabularyIsRefusedAtLoad()
    {
        // The llama-64 agent's tokenizer with a model whose embedding matrix is 8 rows short.
        string dir = Path.Combine(zoo.Root, "models", "short-vocab");
        string source = Path.Combine(zoo.Root, "models", "llama-64");
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(source).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal) && !f.EndsWith("config.json", StringComparison.Ordinal) || f.EndsWith("tokenizer_config.json", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)), overwrite: true);
        var config = ModelConfig.Load(source);
        using (var small = new CausalLM(config with { VocabSize = config.VocabSize - 8 }))
        {
            small.InitializeRandom(1);
            small.SavePretrained(dir);
        }

        var d = zoo.Describe("distillation", 1);
        var hostile = d with { Agents = [d.Agents[0] with { Model = "models/short-vocab" }, .. d.Agents.Skip(1)] };
        var e = Assert.Throws<ModelFileException>(() => RecursiveSystem.Load(hostile, new SystemLoadOptions { AllowUntrainedLinks = true }));
        Assert.Equal("vocab_size", e.Item);
    }
}
