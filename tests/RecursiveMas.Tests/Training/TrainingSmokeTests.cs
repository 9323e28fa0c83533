using RecursiveMas.Training;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Training;

public sealed class TrainingSmokeTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    static readonly TrainingExample[] Data =
    [
        new("What is 12 plus 30?", new Dictionary<string, string> { ["Planner"] = "Step 1: add 12 and 30.", ["Critic"] = "Step 1: add. Step 2: check." }, "\\boxed{42}"),
        new("Name the capital of France.", new Dictionary<string, string> { ["Planner"] = "Step 1: read the question.", ["Critic"] = "Paris is the capital." }, "\\boxed{Paris}"),
    ];

    [Theory]
    [InlineData(TrainingStage.Inner, MessageSource.Teacher)]
    [InlineData(TrainingStage.Outer, MessageSource.Teacher)]
    [InlineData(TrainingStage.Outer, MessageSource.Rollout)]
    public void StagesRun(TrainingStage stage, MessageSource source)
    {
        using var system = zoo.Load("sequential", 2);
        var report = LinkTrainer.Train(system, Data, new TrainingOptions { Stage = stage, MessageSource = source, Steps = 2, WarmupSteps = 0 });
        Assert.Single(report.Stages);
        Assert.True(double.IsFinite(report.FinalLoss));
    }
}
