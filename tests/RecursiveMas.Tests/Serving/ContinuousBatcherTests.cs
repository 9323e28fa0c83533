using RecursiveMas.Serving;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Serving;

public sealed class ContinuousBatcherTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    static readonly string[] Questions =
    [
        "What is 12 plus 30?",
        "Paris?",
        "Plan the steps to compute 5 plus 6 and check the arithmetic carefully before answering.",
        "Berlin is the capital of which country?",
        "Seven.",
    ];

    static RunResult Alone(RecursiveSystem system, string question, RunOptions options) =>
        RecursiveRunner.Solve(system, question, options with { OnStep = null, OnAnswerText = null, CancellationToken = default });

    static void AssertSameAnswer(RunResult alone, RunResult batched, string what)
    {
        Assert.True(alone.Answers[0].Text == batched.Answers[0].Text, $"{what}: alone \"{alone.Answers[0].Text}\", batched \"{batched.Answers[0].Text}\"");
        Assert.Equal(alone.Answers[0].GeneratedTokens, batched.Answers[0].GeneratedTokens);
        Assert.Equal(alone.Answers[0].FinishReason, batched.Answers[0].FinishReason);
        Assert.Equal(alone.Rounds, batched.Rounds);
        // The same turns with the same counts (only the times differ).
        Assert.Equal(alone.Steps.Select(s => (s.Agent, s.Round, s.Kind, s.LatentSteps, s.GeneratedTokens, s.PrefillTokens)),
            batched.Steps.Select(s => (s.Agent, s.Round, s.Kind, s.LatentSteps, s.GeneratedTokens, s.PrefillTokens)));
    }

    [Theory]
    [InlineData("sequential")]
    [InlineData("mixture")]
    public async Task QuestionsJoiningMidRunGetExactlyWhatTheyGetAlone(string pattern)
    {
        using var system = zoo.Load(pattern, 2, maxNewTokens: 10);
        // Mixed prompt lengths, n and m; later questions are submitted from inside the first one's run,
        // so they join while it is between turns.
        var options = new[]
        {
            new RunOptions(),
            new RunOptions { Rounds = 3 },
            new RunOptions { Rounds = 1 },
            new RunOptions { LatentSteps = 2 },
            new RunOptions(),
        };
        using var batcher = new ContinuousBatcher(system, new BatcherOptions { MaxBatchSize = 8 });
        var tasks = new Task<RunResult>[Questions.Length];
        int submitted = 1;
        tasks[0] = batcher.Submit(Questions[0], options[0] with
        {
            OnStep = _ =>
            {
                if (submitted < Questions.Length)
                    for (int k = 0; k < 2 && submitted < Questions.Length; k++, submitted++)
                        tasks[submitted] = batcher.Submit(Questions[submitted], options[submitted]);
            },
        });
        await tasks[0].WaitAsync(TimeSpan.FromMinutes(3));
        Assert.Equal(Questions.Length, submitted);
        var results = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(3));

        for (int q = 0; q < Questions.Length; q++)
            AssertSameAnswer(Alone(system, Questions[q], options[q]), results[q], $"question {q}");
        // Turns were shared: more rows ran than turns.
        Assert.True(batcher.RowsRun > batcher.TurnsRun, $"{batcher.RowsRun} rows in {batcher.TurnsRun} turns: nothing was batched");
        Assert.Equal(0, batcher.Active);
    }

    [Fact]
    public async Task QuestionsAtDifferentRoundsShareATurnAndKeepTheirOwnRounds()
    {
        // The critic's prompt is the same in every round, so a newcomer's round-1 critic turn and a leader's
        // round-2 critic turn run as one batch; each must post its messages and record its step in its own round.
        using var system = zoo.Load("sequential", 2, maxNewTokens: 10);
        using var batcher = new ContinuousBatcher(system, new BatcherOptions { MaxBatchSize = 4 });
        Task<RunResult>? newcomer = null;
        var leader = batcher.Submit(Questions[0], new RunOptions
        {
            OnStep = step =>
            {
                if (step.Agent == "Planner" && step.Round == 2)
                    newcomer ??= batcher.Submit(Questions[2]); // the leader now waits at round 2's critic
            },
        });
        var led = await leader.WaitAsync(TimeSpan.FromMinutes(3));
        var joined = await newcomer!.WaitAsync(TimeSpan.FromMinutes(3));
        AssertSameAnswer(Alone(system, Questions[0], new RunOptions()), led, "leader");
        AssertSameAnswer(Alone(system, Questions[2], new RunOptions()), joined, "newcomer");
        Assert.True(batcher.RowsRun > batcher.TurnsRun, "the two rounds' critic turns did not share a batch");
    }

    [Fact]
    public async Task SeededSamplingGivesEachQuestionItsOwnDrawWhateverShareItsBatch()
    {
        using var system = zoo.Load("sequential", 2, maxNewTokens: 12);
        var sampled = system.Description.Decoding with { Temperature = 0.9, TopP = 0.95 };
        var options = Questions.Select((_, q) => new RunOptions { Decoding = sampled with { Seed = 100 + q } }).ToList();
        using var batcher = new ContinuousBatcher(system, new BatcherOptions { MaxBatchSize = 8 });
        var tasks = Questions.Select((q, i) => batcher.Submit(q, options[i])).ToList();
        var results = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(3));
        for (int q = 0; q < Questions.Length; q++)
            AssertSameAnswer(Alone(system, Questions[q], options[q]), results[q], $"question {q}");
        // The seeds really sample: the same question with another seed draws another text.
        var otherSeed = Alone(system, Questions[0], options[0] with { Decoding = sampled with { Seed = 7 } });
        var sameSeed = Alone(system, Questions[0], options[0]);
        Assert.Equal(sameSeed.Answers[0].Text, results[0].Answers[0].Text);
        Assert.NotEqual(otherSeed.Answers[0].Text, sameSeed.Answers[0].Text);
    }

    [Fact]
    public async Task PrefixesBeyondTheStoresBudgetStillRunAsOneBatch()
    {
        // A prefix budget that holds one question's prefixes, not a batch's: keeping one row's prefix must not
        // dispose another's that the batch still reads (it did; the turn failed and every row ran again alone).
        var description = zoo.Describe("sequential", 2);
        using var probe = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 5 });
        RecursiveRunner.Solve(probe, Questions[2]);
        long oneQuestion = probe.Agents.Max(a => a.Prefixes!.Bytes);
        using var system = RecursiveSystem.Load(description,
            new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 5, PrefixCacheBytes = oneQuestion + 1 });
        var failures = new List<string>();
        using var batcher = new ContinuousBatcher(system, new BatcherOptions { MaxBatchSize = 8, OnBatchRunAlone = (e, _) => failures.Add(e.Message) });
        var results = await Task.WhenAll(Questions.Select(q => batcher.Submit(q))).WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(batcher.BatchesRunAlone == 0, string.Join("; ", failures));
        for (int i = 0; i < Questions.Length; i++)
            AssertSameAnswer(Alone(probe, Questions[i], new RunOptions()), results[i], Questions[i]);
    }

    [Fact]
    public void SolveManyMatchesAStaticBatch()
    {
        using var system = zoo.Load("sequential", 2, maxNewTokens: 10);
        var many = ContinuousBatcher.SolveMany(system, Questions, maxBatchSize: 3);
        var batch = RecursiveRunner.SolveBatch(system, Questions);
        Assert.Equal(batch.Answers.Select(a => a.Text), many.Select(r => r.Answers[0].Text));
        Assert.Equal(batch.GeneratedTokens, many.Sum(r => r.GeneratedTokens));
        Assert.Equal(batch.PrefillTokens, many.Sum(r => r.PrefillTokens));
    }

    [Fact]
    public async Task ACancelledQuestionFreesItsRowAndTheOthersFinishUnchanged()
    {
        using var system = zoo.Load("sequential", 2, maxNewTokens: 24);
        using var cancelInDecode = new CancellationTokenSource();
        using var cancelBetweenTurns = new CancellationTokenSource();
        // Two rows: the third question waits until a cancelled one frees its row.
        using var batcher = new ContinuousBatcher(system, new BatcherOptions { MaxBatchSize = 2 });
        var decodeCancelled = batcher.Submit(Questions[0], new RunOptions
        {
            CancellationToken = cancelInDecode.Token,
            OnAnswerText = (_, _) => cancelInDecode.Cancel(),
        });
        var kept = batcher.Submit(Questions[1]);
        var waiting = batcher.Submit(Questions[2], new RunOptions
        {
            CancellationToken = cancelBetweenTurns.Token,
            OnStep = _ => cancelBetweenTurns.Cancel(),
        });
        var last = batcher.Submit(Questions[3]);

        var finished = await Task.WhenAll(kept, last).WaitAsync(TimeSpan.FromMinutes(3));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => decodeCancelled.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.True(decodeCancelled.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.True(waiting.IsCanceled);
        AssertSameAnswer(Alone(system, Questions[1], new RunOptions()), finished[0], "kept");
        AssertSameAnswer(Alone(system, Questions[3], new RunOptions()), finished[1], "last");
        // The question cancelled between turns ran exactly one turn; its row went to the next one.
        Assert.Equal(0, batcher.Active);
    }

    [Fact]
    public async Task AFullQueueRefusesAndDisposingFailsWhatIsLeft()
    {
        using var system = zoo.Load("sequential", 1, maxNewTokens: 4);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var batcher = new ContinuousBatcher(system, new BatcherOptions { MaxBatchSize = 1, MaxWaiting = 1 });
        try
        {
            var running = batcher.Submit(Questions[0], new RunOptions
            {
                OnStep = _ =>
                {
                    entered.Set();
                    release.Wait(TimeSpan.FromMinutes(1));
                },
            });
            Assert.True(entered.Wait(TimeSpan.FromMinutes(1)));
            var queued = batcher.Submit(Questions[1]);
            var full = Assert.Throws<BatcherFullException>(() => { _ = batcher.Submit(Questions[2]); });
            Assert.Equal(1, full.Waiting);
            Assert.Throws<ArgumentOutOfRangeException>(() => { _ = batcher.Submit(Questions[2], new RunOptions { Rounds = 0 }); });
            release.Set();
            await Task.WhenAll(running, queued).WaitAsync(TimeSpan.FromMinutes(2));

            // Disposing while questions wait: they fail with a clear error instead of hanging.
            release.Reset();
            entered.Reset();
            var blocking = batcher.Submit(Questions[0], new RunOptions { OnStep = _ => { entered.Set(); release.Wait(TimeSpan.FromSeconds(2)); } });
            Assert.True(entered.Wait(TimeSpan.FromMinutes(1)));
            var left = batcher.Submit(Questions[1]);
            batcher.Dispose();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => left.WaitAsync(TimeSpan.FromMinutes(1)));
            Assert.Throws<ObjectDisposedException>(() => { _ = batcher.Submit(Questions[2]); });
        }
        finally
        {
            release.Set();
            batcher.Dispose();
        }
    }
}
