using RecursiveMas.Cluster;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cluster;

/// <summary>
/// A question answered on a cluster of real silo processes gets exactly the answer it gets in one process:
/// the same tokens, greedy and seeded sampling, for a pipeline of Sequential agents on three silos and a
/// Mixture split over two.
/// </summary>
public sealed class ClusterAnswerTests(TinySystems systems) : IClassFixture<TinySystems>
{
    static readonly string[] Questions = ["What is 12 plus 30?", "Name the capital of France.", "How many legs has a spider?"];

    [Fact]
    public Task SequentialPipelineOnThreeSilosAnswersAsOneProcess() =>
        AnswersAsOneProcess("sequential", [("planner-silo", "Planner"), ("critic-silo", "Critic"), ("solver-silo", "Solver")]);

    [Fact]
    public Task MixtureOnTwoSilosAnswersAsOneProcess() =>
        AnswersAsOneProcess("mixture", [("experts", "Math,Code"), ("rest", "Science,Summarizer")]);

    async Task AnswersAsOneProcess(string pattern, (string Name, string Agents)[] silos)
    {
        var description = systems.Describe(pattern, rounds: 2, maxNewTokens: 10);
        using var cluster = TinyCluster.Start(description.SourcePath!, silos);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var connection = await ClusterConnection.ConnectAsync(cluster.Address, cancellationToken: timeout.Token);
        await using var runner = await ClusterRunner.CreateAsync(connection.Client, description.SourcePath!, timeout.Token);
        Assert.Equal(silos.Select(s => s.Name).Order(StringComparer.Ordinal), runner.Silos.Select(s => s.Silo));
        Assert.Single(runner.Routes);

        using var local = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 1 });
        var greedy = new RunOptions();
        var sampled = new RunOptions { Decoding = description.Decoding with { Temperature = 0.9, TopK = 20, Seed = 11 } };
        var texts = new List<string>();
        foreach (var options in new[] { greedy, sampled })
        {
            // All questions in flight together: turns of different questions interleave on the silos.
            var remote = await Task.WhenAll(Questions.Select((q, i) => runner.SolveAsync(q, options, i, timeout.Token)));
            for (int i = 0; i < Questions.Length; i++)
            {
                var expected = RecursiveRunner.Solve(local, Questions[i], options);
                Assert.NotEmpty(remote[i].TokenIds);
                Assert.Equal(expected.Answers[0].Text, remote[i].Text);
                Assert.Equal(expected.Answers[0].GeneratedTokens, remote[i].TokenIds.Count);
                Assert.Equal(expected.Answers[0].FinishReason, remote[i].Reason);
                // The same turns, each on the silo that serves its agent.
                Assert.Equal(expected.Steps.Select(s => (s.Agent, s.Round, s.Kind, s.PrefillTokens)),
                    remote[i].Steps.Select(s => (s.Agent, s.Round, s.Kind, s.PrefillTokens)));
                foreach (var step in remote[i].Steps)
                    Assert.Contains(step.Agent, silos.Single(s => s.Name == step.Silo).Agents.Split(','));
                texts.Add(remote[i].Text);
            }
        }
        // Sampling was in effect (else the second pass proved nothing new).
        Assert.NotEqual(texts.Take(Questions.Length), texts.Skip(Questions.Length));
        Assert.All(Enumerable.Range(0, silos.Length), i => Assert.False(cluster.Silo(i).HasExited, cluster.Output));

        // A client with another SYSTEM.json is told which silo serves what.
        var other = systems.Describe(pattern == "mixture" ? "sequential" : "mixture", rounds: 2);
        var e = await Assert.ThrowsAsync<ClusterException>(() => ClusterRunner.CreateAsync(connection.Client, other.SourcePath!, timeout.Token));
        Assert.Contains($"silo {silos.Select(s => s.Name).Order(StringComparer.Ordinal).First()} serves system {description.Name}", e.Message);
        Assert.Contains(other.Name, e.Message);
    }
}
