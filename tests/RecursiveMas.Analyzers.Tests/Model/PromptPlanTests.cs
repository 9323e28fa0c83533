using RecursiveMas.Analyzers.Tests.Infrastructure;
using RecursiveMas.Dsl;

namespace RecursiveMas.Analyzers.Tests.Model;

public class PromptPlanTests
{
    static AgentSpec Agent(string prompts) =>
        Specs.Agent($"""[Agent("a", HiddenSize = 8)] {prompts} public partial class A;""", "A");

    [Fact]
    public void First_and_later_rounds_fall_back_to_always()
    {
        var agent = Agent("""[Prompt("always")] [Prompt("first", When = PromptUse.FirstRound)]""");

        var plan = PromptPlan.For(agent, isDecoder: false, rounds: 3);

        Assert.Equal((1, 0, -1), (plan.FirstRound, plan.LaterRounds, plan.FinalDecode));
        Assert.Equal([PromptStage.FirstRound, PromptStage.LaterRounds], plan.Stages);
    }

    [Fact]
    public void Decoder_decodes_in_the_last_round_with_decode_else_its_round_prompt()
    {
        var withDecode = Agent("""[Prompt("later", When = PromptUse.LaterRounds)] [Prompt("first", When = PromptUse.FirstRound)] [Prompt("decode", When = PromptUse.Decode)]""");
        var withoutDecode = Agent("""[Prompt("later", When = PromptUse.LaterRounds)] [Prompt("first", When = PromptUse.FirstRound)]""");

        Assert.Equal(new PromptPlan(3, true, 1, 0, 2), PromptPlan.For(withDecode, isDecoder: true, rounds: 3));
        Assert.Equal(new PromptPlan(3, true, 1, 0, 0), PromptPlan.For(withoutDecode, isDecoder: true, rounds: 3));
        Assert.Equal(new PromptPlan(2, true, 1, -1, 0), PromptPlan.For(withoutDecode, isDecoder: true, rounds: 2));
        Assert.Equal(new PromptPlan(1, true, -1, -1, 1), PromptPlan.For(withoutDecode, isDecoder: true, rounds: 1));
    }

    [Fact]
    public void Only_stages_after_round_one_have_feedback()
    {
        var plan = PromptPlan.For(Agent("""[Prompt("a")]"""), isDecoder: true, rounds: 1);

        Assert.Equal([PromptStage.FinalDecode], plan.Stages);
        Assert.False(plan.IsAfterFirstRound(PromptStage.FinalDecode));
        Assert.True((plan with { Rounds = 2 }).IsAfterFirstRound(PromptStage.FinalDecode));
        Assert.True(plan.IsAfterFirstRound(PromptStage.LaterRounds));
    }

    [Fact]
    public void Missing_prompts_read_as_minus_one()
    {
        var plan = PromptPlan.For(Agent("""[Prompt("first", When = PromptUse.FirstRound)]"""), isDecoder: false, rounds: 2);

        Assert.Equal(-1, plan.PromptAt(PromptStage.LaterRounds));
    }
}
