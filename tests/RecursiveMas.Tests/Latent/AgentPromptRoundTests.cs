using RecursiveMas.Latent;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Latent;

public sealed class AgentPromptRoundTests
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
}
