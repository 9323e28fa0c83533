using Microsoft.Extensions.AI;
using RecursiveMas.Decoding;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.ExtensionsAI;

public sealed class RecursiveMasChatClientTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    const string Question = "What is 12 plus 30?";

    static ChatOptions With(params (string Key, object? Value)[] properties)
    {
        var options = new ChatOptions { AdditionalProperties = [] };
        foreach (var (key, value) in properties)
            options.AdditionalProperties[key] = value;
        return options;
    }

    [Fact]
    public async Task ATokenBudgetBoundsEveryTokenOfTheAnswerTheBoxedAnswerRetryIncluded()
    {
        using var system = zoo.Load("sequential", 1, maxNewTokens: 8);
        // The tiny agents write no \boxed{} answer, so with the retry on the system appends its cue and continues.
        var retrying = system.Description.Decoding with { RetryWithoutBoxedAnswer = true, RetryTokens = 4 };
        using var client = new RecursiveMasChatClient(system, new RecursiveMasChatClientOptions { Decoding = retrying });
        var free = await client.GetResponseAsync(Question);
        Assert.Contains("Final Answer", free.Text);
        Assert.True(free.Usage!.OutputTokenCount > 8, $"{free.Usage.OutputTokenCount} tokens: the retry did not run");

        var bounded = await client.GetResponseAsync(Question, new ChatOptions { MaxOutputTokens = 3 });
        Assert.DoesNotContain("Final Answer", bounded.Text);
        Assert.InRange(bounded.Usage!.OutputTokenCount!.Value, 1, 3);

        // A request without a budget is held to the client's ceiling: 8 answer tokens + 4 retry tokens > 10.
        using var capped = new RecursiveMasChatClient(system, new RecursiveMasChatClientOptions { Decoding = retrying, MaxOutputTokens = 10 });
        var held = await capped.GetResponseAsync(Question);
        Assert.DoesNotContain("Final Answer", held.Text);
        Assert.InRange(held.Usage!.OutputTokenCount!.Value, 1, 8);
    }

    [Fact]
    public async Task TheBoxedAnswerRetrysCueIsCountedOnceAmongPromptTokensNotAsCompletion()
    {
        using var system = zoo.Load("sequential", 1, maxNewTokens: 8);
        var retrying = system.Description.Decoding with { RetryWithoutBoxedAnswer = true, RetryTokens = 4 };
        using var client = new RecursiveMasChatClient(system, new RecursiveMasChatClientOptions { Decoding = retrying });
        using var once = new RecursiveMasChatClient(system, new RecursiveMasChatClientOptions { Decoding = retrying with { RetryWithoutBoxedAnswer = false } });

        var retried = await client.GetResponseAsync(Question);
        var plain = await once.GetResponseAsync(Question);

        // The answer's text holds the cue the server wrote; the model wrote only what comes before and after it.
        Assert.StartsWith(plain.Text + SystemAgent.FinalAnswerCue, retried.Text);
        int cue = system.Agents.Single(a => a.Name == "Solver").Tokenizer.Encode(SystemAgent.FinalAnswerCue).Count;
        long continued = retried.Usage!.OutputTokenCount!.Value - plain.Usage!.OutputTokenCount!.Value;
        Assert.InRange(continued, 1, 4);
        // The retry reads its prompt again with the answer and the cue after it: all of it prefilled, the cue once.
        Assert.True(retried.Usage.InputTokenCount - plain.Usage.InputTokenCount > cue + plain.Usage.OutputTokenCount,
            $"{retried.Usage.InputTokenCount} vs {plain.Usage.InputTokenCount} prompt tokens: the retry's prefill is missing");
        foreach (var usage in new[] { retried.Usage, plain.Usage })
            Assert.Equal(usage.InputTokenCount + usage.OutputTokenCount, usage.TotalTokenCount);
    }

    [Fact]
    public async Task TheResponseIsTheRunnersAnswerWithItsUsage()
    {
        using var system = zoo.Load("sequential", 2, maxNewTokens: 8);
        var expected = RecursiveRunner.Solve(system, Question);
        using var client = new RecursiveMasChatClient(system);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, Question)]);

        Assert.Equal(expected.Answers[0].Text, response.Text);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal("SequentialTeam", response.ModelId);
        Assert.Equal(expected.PrefillTokens, response.Usage!.InputTokenCount);
        Assert.Equal(expected.GeneratedTokens, response.Usage.OutputTokenCount);
        Assert.Equal(expected.PrefillTokens + expected.GeneratedTokens, response.Usage.TotalTokenCount);
        // Planner 4 + Critic 3 in two rounds, Solver 5 in round 1 only (it decodes in round 2).
        Assert.Equal(2 * (4 + 3) + 5, response.Usage.AdditionalCounts!["latent_steps"]);
        Assert.Equal(2, response.Usage.AdditionalCounts["rounds"]);
        var reason = expected.Answers[0].FinishReason == FinishReason.MaxNewTokens ? ChatFinishReason.Length : ChatFinishReason.Stop;
        Assert.Equal(reason, response.FinishReason);
        Assert.IsType<RunResult>(response.RawRepresentation);
        Assert.Equal("RecursiveMas", client.GetService<ChatClientMetadata>()!.ProviderName);
    }

    [Fact]
    public async Task OptionsAndAdditionalPropertiesBecomeRunOptions()
    {
        using var system = zoo.Load("distillation", 3);
        RunOptions? seen = null;
        using var client = new RecursiveMasChatClient((q, o) => RecursiveRunner.Solve(system, q, seen = o),
            new RecursiveMasChatClientOptions { ModelId = "team", Decoding = system.Description.Decoding });
        var options = With(("rounds", 2), ("latent_steps", 3L));
        options.Temperature = 0.7f;
        options.TopP = 0.9f;
        options.MaxOutputTokens = 5;
        options.Seed = 11;

        var response = await client.GetResponseAsync(Question, options);

        Assert.NotNull(seen);
        Assert.Equal(2, seen!.Rounds);
        Assert.Equal(3, seen.LatentSteps);
        Assert.Equal(0.7, seen.Decoding!.Temperature, 5);
        Assert.Equal(0.9, seen.Decoding.TopP, 5);
        Assert.Equal(5, seen.Decoding.MaxNewTokens);
        Assert.Equal(11L, seen.Decoding.Seed);
        Assert.Equal(2, response.Usage!.AdditionalCounts!["rounds"]);
        // Expert thinks in rounds 1 and 2, Learner in round 1: three rollouts of 3 steps.
        Assert.Equal(9, response.Usage.AdditionalCounts["latent_steps"]);
        Assert.InRange(response.Usage.OutputTokenCount!.Value, 1, 5);
        Assert.Equal("team", response.ModelId);

        // The same seed samples the same text; the values arrive as JSON would give them, too.
        var again = await client.GetResponseAsync(Question, new ChatOptions
        {
            Temperature = 0.7f,
            TopP = 0.9f,
            MaxOutputTokens = 5,
            Seed = 11,
            AdditionalProperties = new() { ["rounds"] = System.Text.Json.JsonDocument.Parse("2").RootElement, ["latent_steps"] = "3" },
        });
        Assert.Equal(response.Text, again.Text);
    }

    [Fact]
    public async Task BadRequestsAreRejectedBeforeAnythingRuns()
    {
        int runs = 0;
        using var client = new RecursiveMasChatClient((q, o) => { runs++; throw new InvalidOperationException("must not run"); });

        var rounds = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync(Question, With(("rounds", 0))));
        Assert.Contains("rounds", rounds.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync(Question, With(("rounds", 65))));
        var steps = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync(Question, With(("latent_steps", 5000))));
        Assert.Contains("latent_steps", steps.Message);
        var text = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(Question, With(("rounds", "many"))));
        Assert.Contains("\"rounds\" must be an integer", text.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(Question, With(("latent_steps", 2.5))));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync(Question, new ChatOptions { MaxOutputTokens = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync(Question, new ChatOptions { MaxOutputTokens = 100_000 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync(Question, new ChatOptions { TopP = 1.5f }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync(Question, new ChatOptions { Temperature = -1 }));
        var tooHot = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync(Question, new ChatOptions { Temperature = 2.5f }));
        Assert.Equal(nameof(ChatOptions.Temperature), tooHot.ParamName);
        var topK = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync(Question, new ChatOptions { TopK = -2 }));
        Assert.Equal(nameof(ChatOptions.TopK), topK.ParamName);
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync(Question, new ChatOptions { StopSequences = ["."] }));
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync(Question, new ChatOptions { FrequencyPenalty = 0.5f }));
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync(Question, new ChatOptions { PresencePenalty = -1 }));
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync(Question, new ChatOptions { ResponseFormat = ChatResponseFormat.Json }));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(Question, new ChatOptions { ModelId = "gpt-4o" }));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([]));
        var last = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, Question), new ChatMessage(ChatRole.Assistant, "42")]));
        Assert.Contains("last message must be the user's", last.Message);
        Assert.Equal(0, runs);
    }

    [Fact]
    public async Task TopKMinusOneIsOffAsInVllm()
    {
        int? seen = null;
        using var client = new RecursiveMasChatClient((q, o) => { seen = o.Decoding?.TopK; throw new InvalidOperationException("seen"); });
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync(Question, new ChatOptions { TopK = -1 }));
        Assert.Equal(0, seen);
    }

    [Fact]
    public async Task HistoryIsIgnoredUnlessAskedForThenWrittenBeforeTheQuestion()
    {
        var questions = new List<string>();
        RunResult Record(string q, RunOptions o)
        {
            questions.Add(q);
            return new RunResult { Method = RunMethod.Recursive, Rounds = 1, Answers = [new QuestionAnswer(q, "ok", null, 1)], Steps = [], TotalMilliseconds = 0 };
        }
        ChatMessage[] conversation = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi"), new(ChatRole.Assistant, "Hello"), new(ChatRole.User, Question)];

        using (var plain = new RecursiveMasChatClient(Record))
            await plain.GetResponseAsync(conversation);
        using (var withHistory = new RecursiveMasChatClient(Record, new RecursiveMasChatClientOptions { IncludeHistory = true }))
            await withHistory.GetResponseAsync(conversation);

        Assert.Equal([Question, $"System: Be brief.\nUser: Hi\nAssistant: Hello\nUser: {Question}"], questions);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamingConcatenatesToTheNonStreamingAnswer(bool retryWithoutBoxedAnswer)
    {
        using var system = zoo.Load("sequential", 2, maxNewTokens: 12);
        var decoding = system.Description.Decoding with { RetryWithoutBoxedAnswer = retryWithoutBoxedAnswer, RetryTokens = 4 };
        using var client = new RecursiveMasChatClient(system, new RecursiveMasChatClientOptions { Decoding = decoding });
        var whole = await client.GetResponseAsync(Question);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Question))
            updates.Add(update);

        var textUpdates = updates.Where(u => u.Contents.OfType<TextContent>().Any()).ToList();
        Assert.True(textUpdates.Count > 1, "the answer arrives in several pieces");
        Assert.Equal(whole.Text, string.Concat(updates.Select(u => u.Text)));
        if (retryWithoutBoxedAnswer)
            Assert.Contains("Final Answer: \\boxed{", whole.Text);
        // One step update per agent step, before the text of the decode step ends.
        var steps = updates.SelectMany(u => u.Contents.OfType<AgentStepContent>()).Select(c => c.Step).ToList();
        Assert.Equal(["Planner", "Critic", "Solver", "Planner", "Critic", "Solver"], steps.Select(s => s.Agent));
        Assert.Equal(StepKind.Decode, steps[^1].Kind);
        // The last update carries the usage and the finish reason; all share one response id.
        var usage = updates[^1].Contents.OfType<UsageContent>().Single().Details;
        Assert.Equal(whole.Usage!.InputTokenCount, usage.InputTokenCount);
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
        Assert.Equal(whole.FinishReason, updates[^1].FinishReason);
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
        Assert.Equal(whole.Text, (await ToResponse(client.GetStreamingResponseAsync(Question))).Text);
    }

    static async Task<ChatResponse> ToResponse(IAsyncEnumerable<ChatResponseUpdate> updates) => await updates.ToChatResponseAsync();

    [Fact]
    public async Task CancellingBetweenAgentsStopsBeforeTheNextAgentRuns()
    {
        using var system = zoo.Load("sequential", 3);
        using var cancel = new CancellationTokenSource();
        var steps = new List<AgentStep>();
        using var client = new RecursiveMasChatClient((q, o) => RecursiveRunner.Solve(system, q, o with
        {
            OnStep = s => { steps.Add(s); cancel.Cancel(); },
        }));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(Question, cancellationToken: cancel.Token));
        Assert.Single(steps);
        // The client is free again: the next request runs to the end.
        Assert.NotNull((await client.GetResponseAsync(Question)).Text);
    }

    [Fact]
    public async Task CancellingWhileStreamingStopsTheDecodeWithinOneToken()
    {
        using var system = zoo.Load("sequential", 1, maxNewTokens: 40);
        var decoding = system.Description.Decoding with { MaxNewTokens = 40 };
        var tokens = new List<string>();
        using var client = new RecursiveMasChatClient((q, o) => RecursiveRunner.Solve(system, q, o with
        {
            OnAnswerText = (row, text) => { tokens.Add(text); o.OnAnswerText?.Invoke(row, text); },
        }), new RecursiveMasChatClientOptions { Decoding = decoding });
        var full = await client.GetResponseAsync(Question, new ChatOptions { MaxOutputTokens = 40 });
        Assume(full.Usage!.OutputTokenCount > 4);
        tokens.Clear();

        using var cancel = new CancellationTokenSource();
        var received = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Question, new ChatOptions { MaxOutputTokens = 40 }, cancel.Token))
            {
                if (update.Text.Length == 0)
                    continue;
                received.Add(update.Text);
                await cancel.CancelAsync();
            }
        });
        Assert.Single(received);
        // The stream holds one update and the run waits for room, checking the token before every decode
        // step: besides the token read, at most one waits in the stream and one more is being written.
        Assert.InRange(tokens.Count, 1, 3);
    }

    static void Assume(bool condition)
    {
        // The tiny random model must write more than a few tokens for the test to mean something.
        Assert.True(condition, "the tiny system's answer is too short for this test");
    }
}
