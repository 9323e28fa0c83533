using System.Text.Json;
using RecursiveMas.Systems;

namespace RecursiveMas.Tests.Systems;

public class RunKindsTests
{
    [Theory]
    [InlineData(StepKind.Latent, "latent")]
    [InlineData(StepKind.Decode, "decode")]
    [InlineData(StepKind.Text, "text")]
    public void AStepKindIsItsLowercaseNameInJsonAndTables(StepKind kind, string name)
    {
        Assert.Equal(name, kind.Name());
        Assert.Equal($"\"{name}\"", JsonSerializer.Serialize(kind));
        Assert.Equal(kind, JsonSerializer.Deserialize<StepKind>($"\"{name}\""));
    }

    [Theory]
    [InlineData(RunMethod.Recursive, "recursive")]
    [InlineData(RunMethod.Text, "text")]
    [InlineData(RunMethod.Single, "single")]
    [InlineData(RunMethod.Alone, "alone")]
    [InlineData(RunMethod.LatentMas, "latentmas")]
    public void ARunMethodIsItsLowercaseNameInJsonAndTables(RunMethod method, string name)
    {
        Assert.Equal(name, method.Name());
        Assert.Equal($"\"{name}\"", JsonSerializer.Serialize(method));
    }

    [Fact]
    public void EveryValueHasAName()
    {
        Assert.All(Enum.GetValues<StepKind>(), k => Assert.False(string.IsNullOrEmpty(k.Name())));
        Assert.All(Enum.GetValues<RunMethod>(), m => Assert.False(string.IsNullOrEmpty(m.Name())));
    }

    [Fact]
    public void TheResultJsonWritesKindAndMethodAsBefore()
    {
        var result = new RunResult
        {
            Method = RunMethod.LatentMas,
            Rounds = 1,
            Answers = [new QuestionAnswer("q", "a", null, 1)],
            Steps = [new AgentStep("Solo", 1, StepKind.Latent, 4, 0, 3, 1), new AgentStep("Solo", 1, StepKind.Decode, 0, 1, 3, 1)],
            TotalMilliseconds = 2,
        };
        string json = result.ToJson();
        Assert.Contains("\"method\": \"latentmas\"", json);
        Assert.Contains("\"kind\": \"latent\"", json);
        Assert.Contains("\"kind\": \"decode\"", json);
    }
}
