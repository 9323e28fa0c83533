using RecursiveMas.Links;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Systems;

public sealed class SystemDescriptionTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    [Theory]
    [MemberData(nameof(Patterns))]
    public void SystemJsonRoundTrips(string pattern)
    {
        var d = zoo.Describe(pattern, 2);
        var again = SystemDescription.Parse(d.ToJson(), d.SourcePath!);
        Assert.Equal(d.ToJson(), again.ToJson());
        Assert.Equal(d.Pattern.Kind, again.Pattern.Kind);
        Assert.Equal(d.Agents.Select(a => a.Prompts.Count), again.Agents.Select(a => a.Prompts.Count));
    }

    public static IEnumerable<object[]> Patterns() => TinySystems.Patterns.Select(p => new object[] { p });

    [Theory]
    [InlineData("sequential", "Planner", "Solver", "Critic")]
    [InlineData("mixture", "Math", "Summarizer", null)]
    [InlineData("custom", "Reader", "Writer", null)]
    public void PlansHaveTheLoopAndDecoderOfThePattern(string pattern, string first, string decoder, string? middle)
    {
        var plan = SystemPlan.Build(zoo.Describe(pattern, 3));
        Assert.Equal(first, plan.First);
        Assert.Equal(decoder, plan.Decoder);
        Assert.Contains(plan.Edges, e => e.IsFeedback && e.To == first);
        if (middle is not null)
            Assert.Equal([first, middle, decoder], plan.Order);
    }

    [Fact]
    public void APromptWithoutItsMessageSlotIsRejectedWithTheAnalyzersMessage()
    {
        var d = zoo.Describe("sequential", 2);
        var broken = d with
        {
            Agents = [.. d.Agents.Select(a => a.Name == "Critic" ? a with { Prompts = [new(PromptUse.Always, "Question: {question} Refine.")] } : a)],
        };
        var e = Assert.Throws<ModelFileException>(() => SystemPlan.Build(broken));
        Assert.Contains("RMAS2001", e.Message);
        Assert.Contains("{from:Planner}", e.Message);
        Assert.Equal(d.SourcePath, e.FilePath);
    }

    [Fact]
    public void AClosedLoopNeedsFeedbackInLaterRoundsAndUnknownAgentsAreNamed()
    {
        var d = zoo.Describe("sequential", 2);
        var noFeedback = d with
        {
            Agents = [.. d.Agents.Select(a => a.Name == "Planner" ? a with { Prompts = [new(PromptUse.Always, "Plan: {question}")] } : a)],
        };
        Assert.Contains("RMAS2005", Assert.Throws<ModelFileException>(() => SystemPlan.Build(noFeedback)).Message);

        var unknown = d with { Pattern = d.Pattern with { Agents = ["Planner", "Ghost", "Solver"] } };
        var e = Assert.Throws<ModelFileException>(() => SystemPlan.Build(unknown));
        Assert.Contains("Ghost", e.Message);
        Assert.Contains("Critic is declared but not part of the pattern", e.Message);
    }

    [Fact]
    public void ADeclaredHiddenSizeMustMatchTheModel()
    {
        var d = zoo.Describe("distillation", 1);
        var wrong = d with { Agents = [.. d.Agents.Select(a => a.Name == "Learner" ? a with { HiddenSize = 80 } : a)] };
        wrong.Save(d.SourcePath!);
        var e = Assert.Throws<ModelFileException>(() => RecursiveSystem.Load(d.SourcePath!, new SystemLoadOptions { AllowUntrainedLinks = true }));
        Assert.Contains("RMAS1001", e.Message);
        Assert.Contains("80", e.Message);
        Assert.Contains("64", e.Message);
    }

    [Theory]
    [InlineData("""{"name":"x","pattern":{"kind":"sequential","agents":["A","B"]},"agents":[{"name":"A"}]}""", "agents[0].model")]
    [InlineData("""{"name":"x","pattern":{"kind":"ring"},"agents":[]}""", "pattern.kind")]
    [InlineData("""{"name":"x","pattern":{"kind":"mixture","experts":["A"]},"agents":[]}""", "pattern.summarizer")]
    [InlineData("""{"name":"x","rounds":"three","pattern":{"kind":"sequential","agents":[]},"agents":[]}""", "rounds")]
    [InlineData("""{"name":"x","pattern":{"kind":"sequential","agents":[]},"agents":[{"name":"A","model":"m","prompts":[{"use":"sometimes","template":"t"}]}]}""", "agents[0].prompts[0].use")]
    [InlineData("""{"name":"x","innerLink":"outer_ln_res_adapter","pattern":{"kind":"sequential","agents":[]},"agents":[]}""", "innerLink")]
    [InlineData("""{"format":"other/9","name":"x"}""", "format")]
    [InlineData("""{"name":"x","pattern":{"kind":"sequential","agents":["A"]},"agents":[{"name":"A","model":"m"},{"name":"A","model":"n"}]}""", "agents[1].name")]
    // A misspelt field would leave its default in place without a word.
    [InlineData("""{"name":"x","pattern":{"kind":"sequential","agents":["A"]},"agents":[{"name":"A","model":"m","latentStep":4}]}""", "agents[0].latentStep")]
    [InlineData("""{"name":"x","pattern":{"kind":"sequential","agents":["A"],"experts":["B"]},"agents":[{"name":"A","model":"m"}]}""", "pattern.experts")]
    [InlineData("""{"name":"x","pattern":{"kind":"sequential","agents":["A"]},"agents":[{"name":"A","model":"m"}],"decoding":{"maxTokens":8}}""", "decoding.maxTokens")]
    [InlineData("""{"name":"x","Rounds":2,"pattern":{"kind":"sequential","agents":["A"]},"agents":[{"name":"A","model":"m"}]}""", "Rounds")]
    [InlineData("""{"name":"x","pattern":{"kind":"sequential","agents":["A"]},"agents":[{"name":"A","model":"m"}],"decoding":{"maxNewTokens":0}}""", "decoding.maxNewTokens")]
    [InlineData("""{"name":"x","pattern":{"kind":"sequential","agents":["A"]},"agents":[{"name":"A","model":"m"}],"decoding":{"topP":1.5}}""", "decoding.topP")]
    [InlineData("""{"name":"x","textMessageTokens":-4,"pattern":{"kind":"sequential","agents":["A"]},"agents":[{"name":"A","model":"m"}]}""", "textMessageTokens")]
    public void MalformedSystemJsonNamesTheField(string json, string field)
    {
        var e = Assert.Throws<ModelFileException>(() => SystemDescription.Parse(json, "/tmp/SYSTEM.json"));
        Assert.Equal(field, e.Item);
        Assert.StartsWith("/tmp/SYSTEM.json", e.Message);
    }

    [Fact]
    public void AMisspeltFieldIsNamedWithTheFieldItMeant()
    {
        var e = Assert.Throws<ModelFileException>(() => SystemDescription.Parse(
            """{"name":"x","pattern":{"kind":"sequential","agents":["A"]},"agents":[{"name":"A","model":"m","latentStep":4}]}""", "/tmp/SYSTEM.json"));
        Assert.Contains("did you mean \"latentSteps\"", e.Message);
    }

    [Fact]
    public void LinkTypesAndDecodingSettingsAreRead()
    {
        var d = SystemDescription.Parse("""
            {"name":"x","rounds":2,"innerLink":"2layer_res","outerLink":"1layer",
             "pattern":{"kind":"distillation","expert":"E","learner":"L"},
             "agents":[{"name":"E","model":"m"},{"name":"L","model":"m"}],
             "decoding":{"maxNewTokens":50,"temperature":0.6,"topP":0.95,"seed":42}}
            """, "/tmp/SYSTEM.json");
        Assert.Equal(LinkArchitecture.ResidualTwoLayer, d.InnerLink);
        Assert.Equal(LinkArchitecture.OuterLinear, d.OuterLink);
        Assert.Equal(0.6, d.Decoding.Temperature);
        Assert.Equal(42, d.Decoding.Seed);
        Assert.Equal(["E", "L"], d.Pattern.Agents);
    }
}
