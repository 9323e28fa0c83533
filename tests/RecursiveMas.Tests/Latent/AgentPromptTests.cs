using RecursiveMas.Latent;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Latent;

public sealed class AgentPromptTests
{
    static readonly ChatTemplate Chat = ChatTemplate.For(ChatTemplateKind.ChatMl);

    [Fact]
    public void RoundIsFilledWithTheNumberOneInstanceARound()
    {
        var prompt = new AgentPrompt("Question: {question} Feedback: {feedback} This is round {round}. Again: {round}.", Chat, "sys");
        var third = prompt.ForRound(3);
        Assert.Equal("Question: {question} Feedback: {feedback} This is round 3. Again: 3.", third.Template);
        Assert.Same(third, prompt.ForRound(3));
        Assert.Same(third, third.ForRound(5));
        Assert.Equal(prompt.Slots, third.Slots);
        Assert.Equal("sys", third.SystemPrompt);
        Assert.Contains("This is round 2.", prompt.ForRound(2).RenderWithText("q", _ => "m"));
        Assert.Throws<ArgumentOutOfRangeException>(() => prompt.ForRound(0));

        var plain = new AgentPrompt("Question: {question}", Chat);
        Assert.Same(plain, plain.ForRound(4));
    }

    [Fact]
    public void TheHeadIsTheRenderedTextBeforeTheQuestion()
    {
        var prompt = new AgentPrompt("You are a planner. Question: {question} Plan: {from:Critic}", Chat, "sys");
        string head = prompt.QuestionHead!;
        // What every question's rendering starts with, up to the question itself.
        foreach (string question in new[] { "What is 2 + 3?", "Tom has 5 marbles." })
        {
            string rendered = prompt.RenderWithText(question, _ => "m");
            Assert.StartsWith(head + question, rendered, StringComparison.Ordinal);
        }
        Assert.EndsWith("You are a planner. Question: ", head, StringComparison.Ordinal);
        Assert.Contains("sys", head, StringComparison.Ordinal);

        // Without slots the whole prompt after the head depends on the question: the head is all it shares.
        Assert.NotNull(new AgentPrompt("Reflect on it. Question: {question}", Chat).QuestionHead);
    }

    [Fact]
    public void NoHeadWhereTheQuestionComesAfterASlotOrNowhere()
    {
        // The text before the first slot is already the same for every question there.
        Assert.Null(new AgentPrompt("Plan: {from:Planner} Question: {question}", Chat).QuestionHead);
        Assert.Null(new AgentPrompt("Summarize the plan: {from:Planner}", Chat).QuestionHead);
    }
}
