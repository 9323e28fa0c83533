using System.Net.Http.Json;
using System.Text.Json;
using RecursiveMas.Cli;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cluster;

/// <summary><c>rmas serve --cluster</c>: the OpenAI-compatible endpoint answers from the silos, concurrent requests included, as one process would.</summary>
public sealed class ClusterServeTests(TinySystems systems) : IClassFixture<TinySystems>
{
    [Fact]
    public async Task ServeAnswersConcurrentRequestsFromTheClusterAsOneProcess()
    {
        var description = systems.Describe("mixture", rounds: 2, maxNewTokens: 10);
        using var cluster = TinyCluster.Start(description.SourcePath!, ("one", "Math,Code,Science,Summarizer"), ("two", "Math,Code,Science,Summarizer"));
        using var serve = RmasProcess.Start("serve", "--system", description.SourcePath!, "--cluster", cluster.AddressText,
            "--urls", "http://127.0.0.1:0", "--max-batch", "4", "--json");
        using var ready = JsonDocument.Parse(serve.WaitForJsonLine(TimeSpan.FromSeconds(120)));
        string url = ready.RootElement.GetProperty("urls")[0].GetString()!;
        Assert.Equal(description.Name, ready.RootElement.GetProperty("model").GetString());

        string[] questions = ["What is 2 plus 2?", "Say hello.", "What is the capital of Italy?", "Count to three."];
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        var responses = await Task.WhenAll(questions.Select(async q =>
        {
            using var response = await http.PostAsJsonAsync("/v1/chat/completions", new { model = description.Name, messages = new[] { new { role = "user", content = q } } });
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}\n{serve.Output}\n{cluster.Output}");
            using var json = JsonDocument.Parse(body);
            return json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        }));
        using var local = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 1 });
        Assert.Equal(questions.Select(q => RecursiveRunner.Solve(local, q).Answers[0].Text), responses);
    }

    /// <summary>Two-byte characters the tiny tokenizers split byte by byte: about 5,000 positions, more than the tiny models' 4,096.</summary>
    static readonly string TooLong = string.Concat(Enumerable.Repeat("\u00a4\u00b6", 1300));

    [Fact]
    public async Task ServeRefusesAPromptLongerThanAModelHoldsWithTheSame400AsOneProcess()
    {
        var description = systems.Describe("distillation", rounds: 1, maxNewTokens: 4);
        using var cluster = TinyCluster.Start(description.SourcePath!, ("one", "Expert,Learner"));
        using var serve = RmasProcess.Start("serve", "--system", description.SourcePath!, "--cluster", cluster.AddressText, "--urls", "http://127.0.0.1:0", "--json");
        using var http = Client(serve);

        var (status, body) = await Post(http, description, TooLong);

        // The check one process runs, here over the tokenizers and config.json files alone: the same message, naming the agent and turn.
        var expected = Assert.Throws<PromptTooLongException>(() => RunAdmission.CheckLength(SystemPrompts.Load(description), TooLong));
        Assert.True(status == 400, $"{status}: {body}\n{serve.Output}\n{cluster.Output}");
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("messages", error.GetProperty("param").GetString());
        Assert.Equal(expected.TurnReason, error.GetProperty("message").GetString());
        Assert.Contains($"agent {expected.Turn.Agent}'s round 1 prompt", expected.Message);
        Assert.Contains($"max_position_embeddings of {expected.Turn.MaxPositions}", expected.Message);

        var (ok, answer) = await Post(http, description, "What is 2 plus 2?");
        Assert.True(ok == 200, $"{ok}: {answer}\n{serve.Output}\n{cluster.Output}");
    }

    [Fact]
    public async Task ATurnThatThrowsOnASiloIsAJsonErrorNamingTheAgentRoundAndSilo()
    {
        var description = systems.Describe("distillation", rounds: 1, maxNewTokens: 4);
        using var cluster = TinyCluster.Start(description.SourcePath!, ("one", "Expert,Learner"));
        // No model folders here: the server cannot check requests, says so, and sends them to the silos as they are.
        string empty = Directory.CreateTempSubdirectory("rmas-no-models-").FullName;
        try
        {
            using var serve = RmasProcess.Start("serve", "--system", description.SourcePath!, "--models", empty, "--cluster", cluster.AddressText,
                "--urls", "http://127.0.0.1:0", "--json");
            using var http = Client(serve);

            // A slot marker, which one process refuses before running, makes the first agent's grain throw.
            var (status, body) = await Post(http, description, "<<SLOT:from.Expert>> What is 2 plus 2?");

            Assert.True(status == 502, $"{status}: {body}\n{serve.Output}\n{cluster.Output}");
            Assert.Contains("requests are not checked here", serve.Output);
            var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
            Assert.Equal("cluster_error", error.GetProperty("code").GetString());
            Assert.Equal("server_error", error.GetProperty("type").GetString());
            string message = error.GetProperty("message").GetString()!;
            Assert.StartsWith("The cluster failed to answer this request: agent Expert's turn in round 1 on silo one failed;", message);
            Assert.DoesNotContain("reserved marker", body);

            var (ok, answer) = await Post(http, description, "What is 2 plus 2?");
            Assert.True(ok == 200, $"{ok}: {answer}\n{serve.Output}\n{cluster.Output}");
            // What the silo said is in the server's log (stderr), as for any failure inside a run.
            Assert.Contains("reserved marker", serve.Output);

            // rmas eval --cluster: the same failure is the cluster's exit code, naming the turn, not an internal error.
            string data = Path.Combine(empty, "marker.jsonl");
            File.WriteAllText(data, "{\"question\": \"<<SLOT:from.Expert>> What is 2 plus 2?\", \"answer\": \"\\\\boxed{4}\"}\n");
            var (code, output) = CliRunner.Run("eval", "--system", description.SourcePath!, "--data", data, "--cluster", cluster.AddressText,
                "--journal", Path.Combine(empty, "journal.jsonl"));
            Assert.True(code == ExitCodes.ClusterFailure, $"exit code {code}: {output}");
            Assert.Contains("agent Expert's turn in round 1 on silo one failed", output);
            Assert.DoesNotContain("internal error", output);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    static HttpClient Client(RmasProcess serve)
    {
        using var ready = JsonDocument.Parse(serve.WaitForJsonLine(TimeSpan.FromSeconds(120)));
        return new HttpClient { BaseAddress = new Uri(ready.RootElement.GetProperty("urls")[0].GetString()!), Timeout = TimeSpan.FromMinutes(2) };
    }

    static async Task<(int Status, string Body)> Post(HttpClient http, SystemDescription description, string question)
    {
        using var response = await http.PostAsJsonAsync("/v1/chat/completions", new { model = description.Name, messages = new[] { new { role = "user", content = question } } });
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
