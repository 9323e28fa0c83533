using RecursiveMas.Baselines;
using RecursiveMas.Models;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;
using RecursiveMas.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Models;

/// <summary>Tests that change torch's process-wide default device run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(DefaultDeviceCollection), DisableParallelization = true)]
public sealed class DefaultDeviceCollection;

/// <summary>
/// The GPU path without a GPU. The system is loaded onto the CPU by name while torch's default device
/// is <c>meta</c> (shapes, no values): a tensor created without naming a device lands on meta, and the
/// first op that mixes it with the model's CPU tensors fails ("expected all tensors to be on the same
/// device", or no meta kernel), exactly where it would mix the CPU with CUDA on a GPU. (Putting the
/// model itself on meta cannot run: scaled_dot_product_attention with a mask, index_select and
/// logical_and have no meta kernels in libtorch's CPU build, and sampling reads values.) Loading,
/// the runner (prefill, rollout, fused outer links, decode with sampling and the boxed-answer retry),
/// the TextMAS baseline (text prompts as id batches) and link training (inner and outer stages, with
/// evaluation) all run under it.
/// </summary>
[Collection(nameof(DefaultDeviceCollection))]
public sealed class DeviceHarnessTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    static readonly Device Meta = new(DeviceType.META);

    /// <summary>Runs <paramref name="work"/> with meta as torch's default device, restoring the CPU after.</summary>
    static void WithMetaDefault(Action work)
    {
        set_default_device(Meta);
        try
        {
            Assert.Equal(DeviceType.META, zeros(1).device_type); // the harness is armed
            work();
        }
        finally
        {
            set_default_device(CPU);
        }
    }

    RecursiveSystem LoadOnCpu(string pattern, int rounds, int maxNewTokens) =>
        RecursiveSystem.Load(zoo.Describe(pattern, rounds, maxNewTokens), new SystemLoadOptions
        {
            AllowUntrainedLinks = true,
            UntrainedLinkSeed = 5,
            Model = new ModelLoadOptions { Device = CPU },
        });

    [Fact]
    public void TheRunnerAndTheTextBaselineCreateEveryTensorOnTheModelsDevice()
    {
        var decoding = new DecodingDescription { MaxNewTokens = 6, Temperature = 0.8, Seed = 3, RetryWithoutBoxedAnswer = true, RetryTokens = 2 };
        RunResult? expected = null;
        using (var reference = LoadOnCpu("sequential", 2, 6))
            expected = RecursiveRunner.Solve(reference, "What is 12 plus 30?", new RunOptions { Decoding = decoding });

        WithMetaDefault(() =>
        {
            using var system = LoadOnCpu("sequential", 2, 6);
            Assert.All(system.AllLinks.SelectMany(l => l.parameters()), p => Assert.Equal(DeviceType.CPU, p.device_type));
            foreach (var mode in new[] { RecursiveMas.Latent.RolloutMode.Cached, RecursiveMas.Latent.RolloutMode.Reference })
            {
                var result = RecursiveRunner.Solve(system, "What is 12 plus 30?", new RunOptions { Decoding = decoding, RolloutMode = mode });
                Assert.Equal(expected.Answers[0].Text, result.Answers[0].Text);
            }
            Assert.NotEmpty(TextMasBaseline.SolveBatch(system, ["Two?", "What is 12 plus 30?"], new RunOptions { Decoding = decoding }).Answers[1].Text);
        });
    }

    [Fact]
    public void LinkTrainingCreatesEveryTensorOnTheModelsDevice()
    {
        TrainingExample[] data =
        [
            new("What is 12 plus 30?", new Dictionary<string, string> { ["Planner"] = "Add.", ["Critic"] = "Check the sum.", ["Solver"] = "42" }, "42"),
            new("What is 2 plus 3?", new Dictionary<string, string> { ["Planner"] = "Add them.", ["Critic"] = "Fine.", ["Solver"] = "5" }, "5"),
        ];
        WithMetaDefault(() =>
        {
            using var system = LoadOnCpu("sequential", 2, 4);
            var report = LinkTrainer.Train(system, data, new TrainingOptions
            {
                Stage = TrainingStage.Both,
                Steps = 2,
                BatchSize = 2,
                MessageSource = MessageSource.Rollout,
                Evaluation = [data[1]],
                EvaluationDecoding = new DecodingDescription { MaxNewTokens = 3 },
            });
            Assert.All(report.Stages, s => Assert.True(double.IsFinite(s.FinalLoss), $"{s.Stage}: loss {s.FinalLoss}"));
        });
    }
}
