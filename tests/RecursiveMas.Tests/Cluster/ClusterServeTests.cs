using System.Net.Http.Json;
using System.Text.Json;
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
}
