using RecursiveMas.Models.SafeTensors;
using RecursiveMas.Systems;
using RecursiveMas.Training;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Training;

/// <summary>Links trained in bf16 as released (<see cref="TrainingOptions.LinkDType"/>), and the float32 default left as it was.</summary>
public sealed class LinkDTypeTests(SecretRelay relay) : IClassFixture<SecretRelay>
{
    static readonly IReadOnlyList<TrainingExample> Data = SecretRelay.Examples(16, 0);

    string NewOutput() => Path.Combine(relay.Root, "dtype-" + Guid.NewGuid().ToString("N")[..8]);

    static TrainingOptions Options(string output, ScalarType dtype, int steps) => new()
    {
        Stage = TrainingStage.Both,
        Steps = steps,
        BatchSize = 4,
        LearningRate = 1e-2,
        WarmupSteps = 2,
        Seed = 3,
        OutputDirectory = output,
        DiagnoseEvery = 0,
        LinkDType = dtype,
    };

    static IEnumerable<(string File, SafeTensorInfo Tensor)> SavedTensors(string directory, string pattern) =>
        Directory.EnumerateFiles(directory, pattern).SelectMany(path =>
        {
            using var file = SafeTensorsFile.Open(path);
            return file.Tensors.Select(t => (Path.GetFileName(path), t)).ToList();
        });

    [Fact]
    public void Bf16TrainingLowersTheLossAndSavesBf16LinksThatLoadBackExactly()
    {
        string output = NewOutput();
        using var system = relay.Load(latentSteps: 2);
        string models = OuterTrainingTests.ModelHash(system);
        var report = LinkTrainer.Train(system, Data, Options(output, ScalarType.BFloat16, steps: 30));

        Assert.Equal([TrainingStage.Inner, TrainingStage.Outer], report.Stages.Select(s => s.Stage));
        Assert.All(report.Stages, s => Assert.Equal(30, s.Steps - s.SkippedSteps));
        Assert.All(report.Stages, s => Assert.True(s.FinalLoss < s.FirstLoss, $"{s.Stage}: loss {s.FirstLoss} → {s.FinalLoss}"));
        Assert.All(system.AllLinks, l => Assert.Equal(ScalarType.BFloat16, l.DType));
        Assert.Equal(models, OuterTrainingTests.ModelHash(system));

        // The trained links are saved in bf16, as the release's files are; so are the checkpoint's links and Adam moments.
        var saved = SavedTensors(report.LinksDirectory!, "*.safetensors").ToList();
        Assert.Equal(system.AllLinks.Count(), saved.Select(s => s.File).Distinct().Count());
        Assert.All(saved, s => Assert.True(s.Tensor.DType == SafeTensorsDType.BF16, $"{s.File}: {s.Tensor.Name} is {s.Tensor.DType}"));
        var checkpoint = SavedTensors(output, "checkpoint-*.safetensors").Where(s => !s.Tensor.Name.StartsWith("adam.step.", StringComparison.Ordinal)).ToList();
        Assert.Contains(checkpoint, s => s.Tensor.Name.StartsWith("adam.m.", StringComparison.Ordinal));
        Assert.All(checkpoint, s => Assert.True(s.Tensor.DType == SafeTensorsDType.BF16, $"{s.File}: {s.Tensor.Name} is {s.Tensor.DType}"));

        // Loading reads them into float32 links (bf16 → f32 is exact): the same values.
        using var reloaded = RecursiveSystem.Load(system.Description, new SystemLoadOptions { LinksDirectory = report.LinksDirectory });
        Assert.All(system.AllLinks.Zip(reloaded.AllLinks), pair =>
        {
            Assert.Equal(ScalarType.Float32, pair.Second.DType);
            Assert.All(pair.First.parameters().Zip(pair.Second.parameters()), p => Assert.True(p.First.to(ScalarType.Float32).equal(p.Second).all().item<bool>()));
        });

        // A float32 run cannot continue a bf16 checkpoint, and says which setting differs.
        var error = Assert.Throws<ModelFileException>(() => LinkTrainer.Train(reloaded, Data, Options(output, ScalarType.Float32, steps: 30) with { Resume = true }));
        Assert.Contains("link_dtype = bfloat16", error.Message);
    }

    [Fact]
    public void TheDefaultTrainsAndSavesFloat32()
    {
        string output = NewOutput();
        using var system = relay.Load(latentSteps: 2);
        var report = LinkTrainer.Train(system, Data, Options(output, ScalarType.Float32, steps: 2));
        Assert.Equal(ScalarType.Float32, new TrainingOptions().LinkDType);
        Assert.All(system.AllLinks, l => Assert.Equal(ScalarType.Float32, l.DType));
        Assert.All(SavedTensors(report.LinksDirectory!, "*.safetensors"), s => Assert.Equal(SafeTensorsDType.F32, s.Tensor.DType));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinkTrainer.Train(system, Data, Options(output, ScalarType.Float16, steps: 2)));
    }
}
