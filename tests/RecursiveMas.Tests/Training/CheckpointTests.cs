using RecursiveMas.Systems;
using RecursiveMas.Training;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Training;

public sealed class CheckpointTests(SecretRelay relay) : IClassFixture<SecretRelay>
{
    static readonly IReadOnlyList<TrainingExample> Data = SecretRelay.Examples(12, 0);

    string NewOutput() => Path.Combine(relay.Root, "ckpt-" + Guid.NewGuid().ToString("N")[..8]);

    static TrainingOptions Options(string output, MessageSource source = MessageSource.Teacher) => new()
    {
        MessageSource = source,
        Rounds = 2,
        Steps = 6,
        BatchSize = 2,
        GradientAccumulation = 2,
        LearningRate = 5e-3,
        WarmupSteps = 2,
        CheckpointEvery = 2,
        Seed = 11,
        OutputDirectory = output,
        DiagnoseEvery = 3,
    };

    static Dictionary<string, Tensor> Weights(RecursiveSystem system) =>
        system.AllLinks.SelectMany(l => l.named_parameters().Select(p => (Key: $"{l.Id}.{p.name}", Value: p.parameter.detach().clone())))
            .ToDictionary(x => x.Key, x => x.Value);

    [Theory]
    [InlineData(TrainingStage.Outer, MessageSource.Teacher)]
    [InlineData(TrainingStage.Outer, MessageSource.Rollout)]
    [InlineData(TrainingStage.Both, MessageSource.Teacher)]
    public void KilledAndResumedRunEndsWhereAnUninterruptedRunEnds(TrainingStage stage, MessageSource source)
    {
        string straight = NewOutput(), interrupted = NewOutput(), initial = NewOutput();
        Dictionary<string, Tensor> expected;
        // Both runs start from the same links on disk (the untrained-link seeding uses torch's global
        // generator, which tests running in parallel share).
        RecursiveSystem Load() => RecursiveSystem.Load(relay.Describe(latentSteps: 2, rounds: 2), new SystemLoadOptions { LinksDirectory = initial });
        using (var system = relay.Load(latentSteps: 2, rounds: 2))
            system.SaveLinks(initial);
        using (var system = Load())
        {
            LinkTrainer.Train(system, Data, Options(straight, source) with { Stage = stage });
            expected = Weights(system);
        }

        // Stopped during the last stage's step 3: its last checkpoint is from step 2.
        using (var cts = new CancellationTokenSource())
        using (var system = Load())
        {
            var options = Options(interrupted, source) with
            {
                Stage = stage,
                OnProgress = p => { if (p.Stage != TrainingStage.Inner || stage == TrainingStage.Outer) { if (p.Step == 3) cts.Cancel(); } },
            };
            Assert.Throws<OperationCanceledException>(() => LinkTrainer.Train(system, Data, options, cts.Token));
        }
        using (var system = Load())
        {
            var report = LinkTrainer.Train(system, Data, Options(interrupted, source) with { Stage = stage, Resume = true });
            Assert.Equal(2, report.Stages[^1].ResumedFromStep);
            var actual = Weights(system);
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (key, value) in expected)
            {
                double difference = (actual[key] - value).abs().max().item<float>();
                Assert.True(difference <= 1e-6, $"{key} differs by {difference}");
            }
        }
        // The log reads as one run: every step once, in order.
        var steps = File.ReadLines(Path.Combine(interrupted, "train-log.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Select(e => $"{e.GetProperty("stage").GetString()}{e.GetProperty("step").GetInt32()}").ToList();
        var stages = stage == TrainingStage.Both ? new[] { "inner", "outer" } : ["outer"];
        Assert.Equal(stages.SelectMany(s => Enumerable.Range(1, 6).Select(i => s + i)), steps);
    }

    [Fact]
    public void ResumingWithDifferentSettingsNamesWhatDiffers()
    {
        string output = NewOutput();
        using var system = relay.Load(latentSteps: 2, rounds: 2);
        LinkTrainer.TrainOuter(system, Data, Options(output) with { Steps = 2 });

        var e = Assert.Throws<ModelFileException>(() => LinkTrainer.TrainOuter(system, Data, Options(output) with { Steps = 2, Resume = true, LearningRate = 1e-3 }));
        Assert.Equal("learning_rate", e.Item);
        Assert.Contains("checkpoint-outer.safetensors", e.Message);
        Assert.Contains("0.005", e.Message);

        e = Assert.Throws<ModelFileException>(() => LinkTrainer.TrainOuter(system, SecretRelay.Examples(12, 1), Options(output) with { Steps = 2, Resume = true }));
        Assert.Equal("data", e.Item);

        e = Assert.Throws<ModelFileException>(() => LinkTrainer.TrainOuter(system, Data, Options(output) with { Steps = 2, Resume = true, MessageSource = MessageSource.Rollout }));
        Assert.Equal("message_source", e.Item);

        using var other = relay.Load(latentSteps: 2, rounds: 2);
        e = Assert.Throws<ModelFileException>(() => LinkTrainer.TrainOuter(other, Data, Options(output) with { Steps = 2, Resume = true, Rounds = 3 }));
        Assert.Equal("rounds", e.Item);

        e = Assert.Throws<ModelFileException>(() => LinkTrainer.TrainOuter(system, Data, Options(NewOutput()) with { Resume = true }));
        Assert.Contains("nothing to resume", e.Message);
    }

    [Fact]
    public void CorruptCheckpointIsReportedNotLoaded()
    {
        string output = NewOutput();
        using var system = relay.Load(latentSteps: 2, rounds: 2);
        LinkTrainer.TrainOuter(system, Data, Options(output) with { Steps = 2 });
        string path = TrainingCheckpoint.PathFor(output, TrainingStage.Outer);
        var good = File.ReadAllBytes(path);

        // One byte of tensor data flipped: the header still parses, the digest does not match.
        var flipped = (byte[])good.Clone();
        flipped[^9] ^= 0x5A;
        File.WriteAllBytes(path, flipped);
        var e = Assert.Throws<ModelFileException>(() => LinkTrainer.TrainOuter(system, Data, Options(output) with { Steps = 2, Resume = true }));
        Assert.Equal("sha256", e.Item);
        Assert.Contains("corrupt", e.Message);

        // Cut short: the safetensors reader names the truncation.
        File.WriteAllBytes(path, good[..(good.Length / 2)]);
        e = Assert.Throws<ModelFileException>(() => LinkTrainer.TrainOuter(system, Data, Options(output) with { Steps = 2, Resume = true }));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void ATensorOfTheWrongDtypeIsNamedAndNothingIsRestored()
    {
        string output = NewOutput();
        using var system = relay.Load(latentSteps: 2, rounds: 2);
        LinkTrainer.TrainOuter(system, Data, Options(output) with { Steps = 2 });
        string path = TrainingCheckpoint.PathFor(output, TrainingStage.Outer);

        // Rewritten by another tool: one outer-link tensor in float64, the digest recomputed so it matches.
        var tensors = new SortedDictionary<string, TorchSharp.torch.Tensor>(StringComparer.Ordinal);
        Dictionary<string, string> metadata;
        using (var file = RecursiveMas.Models.SafeTensors.SafeTensorsFile.Open(path))
        {
            metadata = new Dictionary<string, string>(file.Metadata);
            foreach (var info in file.Tensors)
                tensors[info.Name] = file.Load(info.Name);
        }
        string victim = tensors.Keys.Last(k => k.StartsWith("link.outer.", StringComparison.Ordinal));
        tensors[victim] = tensors[victim].to(TorchSharp.torch.ScalarType.Float64);
        metadata["sha256"] = TrainingCheckpoint.Digest(tensors);
        RecursiveMas.Models.SafeTensors.SafeTensorsWriter.Write(path, tensors, metadata);

        using var fresh = relay.Load(latentSteps: 2, rounds: 2);
        var before = fresh.AllLinks.SelectMany(l => l.parameters()).Select(p => p.clone()).ToList();
        var e = Assert.Throws<ModelFileException>(() => LinkTrainer.TrainOuter(fresh, Data, Options(output) with { Steps = 2, Resume = true }));
        Assert.Equal(victim, e.Item);
        Assert.Contains("Float64", e.Message);
        // Checked before copying: no link was touched.
        Assert.All(before.Zip(fresh.AllLinks.SelectMany(l => l.parameters())), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
    }

    [Fact]
    public void InterruptedWriteLeavesTheLastGoodCheckpoint()
    {
        string output = NewOutput();
        string path = TrainingCheckpoint.PathFor(output, TrainingStage.Outer);
        byte[]? afterStep2 = null;
        int saves = 0;
        TrainingCheckpoint.BeforeCommit = partial =>
        {
            if (!partial.StartsWith(output, StringComparison.Ordinal))
                return; // another test's run
            if (++saves == 1)
                return;
            afterStep2 = File.ReadAllBytes(path);
            // The process dies halfway through writing step 4's checkpoint.
            using (var stream = new FileStream(partial, FileMode.Open))
                stream.SetLength(stream.Length / 2);
            throw new IOException("simulated crash while writing the checkpoint");
        };
        try
        {
            using var system = relay.Load(latentSteps: 2, rounds: 2);
            Assert.Throws<IOException>(() => LinkTrainer.TrainOuter(system, Data, Options(output)));
        }
        finally
        {
            TrainingCheckpoint.BeforeCommit = null;
        }
        Assert.Equal(afterStep2, File.ReadAllBytes(path));
        Assert.Equal(["checkpoint-outer.safetensors", "train-log.jsonl"], Directory.GetFiles(output).Select(Path.GetFileName).Order());

        using var resumed = relay.Load(latentSteps: 2, rounds: 2);
        var report = LinkTrainer.TrainOuter(resumed, Data, Options(output) with { Resume = true });
        Assert.Equal(2, report.Stages.Single().ResumedFromStep);
    }
}
