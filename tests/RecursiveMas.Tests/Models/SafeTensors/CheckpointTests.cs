using System.Text.Json;
using System.Text.Json.Nodes;
using RecursiveMas.Models.SafeTensors;
using TorchSharp;
using static RecursiveMas.Tests.Models.SafeTensors.SafeTensorsTestSupport;

namespace RecursiveMas.Tests.Models.SafeTensors;

public class SafeTensorsCheckpointTests
{
    /// <summary>Seven tensors of mixed dtypes, 44 to 240 bytes each.</summary>
    static Dictionary<string, torch.Tensor> SampleTensors()
    {
        var random = new Random(7);
        return new Dictionary<string, torch.Tensor>
        {
            ["model.embed_tokens.weight"] = RandomTensor(torch.ScalarType.BFloat16, [10, 12], random),
            ["model.layers.0.self_attn.q_proj.weight"] = RandomTensor(torch.ScalarType.Float32, [6, 10], random),
            ["model.layers.0.self_attn.q_proj.bias"] = RandomTensor(torch.ScalarType.Float16, [22], random),
            ["model.layers.0.mlp.gate_proj.weight"] = RandomTensor(torch.ScalarType.Float32, [5, 4], random),
            ["model.norm.weight"] = RandomTensor(torch.ScalarType.Float64, [6], random),
            ["positions"] = RandomTensor(torch.ScalarType.Int64, [7], random),
            ["mask"] = RandomTensor(torch.ScalarType.Bool, [3, 16], random),
        };
    }

    static void DisposeAll(Dictionary<string, torch.Tensor> tensors)
    {
        foreach (var t in tensors.Values)
        {
            t.Dispose();
        }
    }

    [Fact]
    public void ShardedWriteRoundTripsThroughCheckpointOpen()
    {
        using var dir = new TempDirectory();
        var tensors = SampleTensors();
        try
        {
            SafeTensorsWriter.WriteSharded(dir.Path, tensors, maxShardBytes: 250);

            string index = dir.File("model.safetensors.index.json");
            string[] shards = dir.Entries().Where(e => e.EndsWith(".safetensors", StringComparison.Ordinal)).ToArray();
            Assert.True(shards.Length == 4, string.Join(", ", dir.Entries()));
            Assert.Equal(shards.Length + 1, dir.Entries().Length); // the shards and the index, no temporaries
            for (int i = 0; i < shards.Length; i++)
            {
                Assert.Equal($"model-{i + 1:D5}-of-{shards.Length:D5}.safetensors", shards[i]);
            }

            using (var json = JsonDocument.Parse(File.ReadAllBytes(index)))
            {
                long total = tensors.Values.Sum(t => t.numel() * t.element_size());
                Assert.Equal(total, json.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
                Assert.Equal(tensors.Count, json.RootElement.GetProperty("weight_map").EnumerateObject().Count());
            }
            foreach (string shard in shards)
            {
                using var file = SafeTensorsFile.Open(dir.File(shard));
                Assert.True(file.Tensors.Sum(t => t.ByteLength) <= 250 || file.Tensors.Count == 1);
            }

            using var checkpoint = Checkpoint.Open(dir.Path);
            Assert.Equal(index, checkpoint.SourcePath);
            Assert.Equal(tensors.Keys.Order(), checkpoint.Names.Order());
            foreach (var (name, original) in tensors)
            {
                Assert.True(checkpoint.Contains(name));
                Assert.StartsWith(dir.Path, checkpoint.FileOf(name));
                Assert.Equal(original.shape, checkpoint.GetInfo(name).Shape);
                using var loaded = checkpoint.Load(name);
                AssertSameTensor(original, loaded);
                using var destination = torch.zeros(original.shape, original.dtype);
                checkpoint.LoadInto(name, destination);
                AssertSameTensor(original, destination);
            }
            Assert.False(checkpoint.Contains("lm_head.weight"));
            var missing = Assert.Throws<ModelFileException>(() => checkpoint.Load("lm_head.weight"));
            AssertError(missing, index, "lm_head.weight", "no such tensor");
        }
        finally
        {
            DisposeAll(tensors);
        }
    }

    [Fact]
    public void ATensorLargerThanTheShardLimitGetsAShardOfItsOwn()
    {
        using var dir = new TempDirectory();
        using var small = torch.ones(2);
        using var big = torch.ones(100);
        SafeTensorsWriter.WriteSharded(dir.Path, [new("small", small), new("big", big), new("small2", small)], maxShardBytes: 16, baseName: "weights");
        Assert.Equal(
            ["weights-00001-of-00003.safetensors", "weights-00002-of-00003.safetensors", "weights-00003-of-00003.safetensors", "weights.safetensors.index.json"],
            dir.Entries());
    }

    [Fact]
    public void SingleFileDirectoryIsPreferredAndOpenFileWorks()
    {
        using var dir = new TempDirectory();
        using var t = torch.arange(4, dtype: torch.ScalarType.Int32);
        SafeTensorsWriter.Write(dir.File("model.safetensors"), [new("w", t)]);
        File.WriteAllText(dir.File("model.safetensors.index.json"), "this index is never read");

        using (var checkpoint = Checkpoint.Open(dir.Path))
        {
            Assert.Equal(dir.File("model.safetensors"), checkpoint.SourcePath);
            Assert.Equal(["w"], checkpoint.Names);
            Assert.Equal(dir.File("model.safetensors"), checkpoint.FileOf("w"));
            using var loaded = checkpoint.Load("w", torch.ScalarType.Float32);
            Assert.Equal(torch.ScalarType.Float32, loaded.dtype);
            var missing = Assert.Throws<ModelFileException>(() => checkpoint.GetInfo("v"));
            AssertError(missing, dir.File("model.safetensors"), "v", "no such tensor");
        }
        using (var checkpoint = Checkpoint.OpenFile(dir.File("model.safetensors")))
        {
            Assert.True(checkpoint.Contains("w"));
        }
    }

    [Fact]
    public void DirectoryWithoutACheckpointSaysWhatWasLookedFor()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<ModelFileException>(() => Checkpoint.Open(dir.Path));
        AssertError(error, dir.Path, null, "model.safetensors", "model.safetensors.index.json");

        string absent = dir.File("nope");
        AssertError(Assert.Throws<ModelFileException>(() => Checkpoint.Open(absent)), absent, null, "does not exist");
    }

    /// <summary>The sample tensors sharded into 4 files: 240 | 240 | 44+80+48+56 | 48 bytes.</summary>
    static (TempDirectory Dir, string Index) WrittenShards()
    {
        var dir = new TempDirectory();
        var tensors = SampleTensors();
        try
        {
            SafeTensorsWriter.WriteSharded(dir.Path, tensors, maxShardBytes: 250);
        }
        finally
        {
            DisposeAll(tensors);
        }
        Assert.Equal(5, dir.Entries().Length);
        return (dir, dir.File("model.safetensors.index.json"));
    }

    static void EditIndex(string index, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(index))!.AsObject();
        edit(root);
        File.WriteAllText(index, root.ToJsonString());
    }

    [Fact]
    public void MissingShardNamesTheIndexAndTheShard()
    {
        var (dir, index) = WrittenShards();
        using (dir)
        {
            File.Delete(dir.File("model-00002-of-00004.safetensors"));
            var error = Assert.Throws<ModelFileException>(() => Checkpoint.Open(dir.Path));
            AssertError(error, index, "model-00002-of-00004.safetensors", "does not exist");
        }
    }

    [Fact]
    public void WeightMapPointingAtTheWrongShardNamesTensorShardAndIndex()
    {
        var (dir, index) = WrittenShards();
        using (dir)
        {
            string tensor = "model.norm.weight";
            string wrongShard = "";
            EditIndex(index, root =>
            {
                var map = root["weight_map"]!.AsObject();
                string right = map[tensor]!.GetValue<string>();
                wrongShard = map.Select(e => e.Value!.GetValue<string>()).First(s => s != right);
                map[tensor] = wrongShard;
            });
            var error = Assert.Throws<ModelFileException>(() => Checkpoint.Open(dir.Path));
            AssertError(error, index, tensor, $"shard '{wrongShard}'", "does not contain it");
        }
    }

    [Theory]
    [InlineData("""{"metadata": {}}""", "weight_map", "no 'weight_map'")]
    [InlineData("""{"weight_map": ["model-00001-of-00004.safetensors"]}""", "weight_map", "must be an object")]
    [InlineData("""{"weight_map": {"w": 3}}""", "w", "must be a shard file name")]
    [InlineData("""{"weight_map": {"w": "model-00001-of-00004.safetensors", "w": "model-00002-of-00004.safetensors"}}""", "weight_map.w", "more than once")]
    [InlineData("""{"weight_map": {}, "weight_map": {}}""", "weight_map", "more than once")]
    [InlineData("""[1]""", null, "must be a JSON object")]
    [InlineData("""{"weight_map": {""", null, "not valid JSON")]
    public void MalformedIndexIsNamed(string indexJson, string? item, string fragment)
    {
        var (dir, index) = WrittenShards();
        using (dir)
        {
            File.WriteAllText(index, indexJson);
            AssertError(Assert.Throws<ModelFileException>(() => Checkpoint.Open(dir.Path)), index, item, fragment);
        }
    }

    [Fact]
    public void MalformedShardIsReportedWithTheShardsPath()
    {
        var (dir, _) = WrittenShards();
        using (dir)
        {
            string shard = dir.File("model-00001-of-00004.safetensors");
            File.WriteAllBytes(shard, [1, 2, 3]);
            AssertError(Assert.Throws<ModelFileException>(() => Checkpoint.Open(dir.Path)), shard, null, "truncated");
        }
    }
}
