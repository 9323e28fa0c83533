using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RecursiveMas.Server.OpenAi;
using RecursiveMas.Systems;

namespace RecursiveMas.Cli.Benchmarks;

/// <summary>
/// Hostile load on the server <c>rmas serve</c> runs (docs/security.md): thousands of requests from
/// concurrent clients over real HTTP, a fixed share of them bad in the ways the server must refuse
/// (malformed JSON, wrong types, non-finite and out-of-range numbers, lone surrogates, slot markers,
/// prompts past the model's context, unknown models, wrong Content-Type, bodies over the limit). It
/// counts answers by status, checks that every good request was answered 200 and every bad one 4xx,
/// compares each good answer with what the question gets alone (greedy), and reads the resident memory
/// before and after. Not part of CI: a run of thousands of requests takes minutes.
/// </summary>
static class SoakBench
{
    public sealed record Result(string System, int Requests, int Concurrency, int Good, int Bad, double Seconds,
        IReadOnlyDictionary<string, int> ByStatus, int Unexpected, IReadOnlyList<string> UnexpectedExamples,
        int AnswersCompared, int AnswersDiffering, long RssStartBytes, long RssEndBytes, double RssGrowth, long PeakRssBytes);

    /// <summary>A request and the status class it must get: 200, or a 4xx.</summary>
    sealed record Probe(string Name, Func<HttpRequestMessage> Build, bool Good, string? Question);

    public static Result Run(RecursiveSystem system, string name, IReadOnlyList<string> questions, int requests, int concurrency, Action<string> log) =>
        RunAsync(system, name, questions, requests, concurrency, log).GetAwaiter().GetResult();

    static async Task<Result> RunAsync(RecursiveSystem system, string name, IReadOnlyList<string> questions, int requests, int concurrency, Action<string> log)
    {
        var random = new Random(7);
        var probes = Enumerable.Range(0, requests).Select(i => random.NextDouble() < 0.7
            ? Good(questions[random.Next(questions.Count)], stream: random.Next(2) == 1)
            : Bad(random.Next(BadKinds), random)).ToList();

        var byStatus = new ConcurrentDictionary<string, int>();
        var unexpected = new ConcurrentQueue<string>();
        var answers = new ConcurrentBag<(string Question, string Text)>();
        long rssStart, rssEnd;
        var watch = new Stopwatch();
        await using (var server = await BenchServer.Start(system, maxBatch: concurrency, maxQueue: 4 * concurrency))
        {
            // Warm up, then measure memory from a settled start.
            using (var warm = await server.Http.SendAsync(Good(questions[0], stream: false).Build()))
                warm.EnsureSuccessStatusCode();
            rssStart = Rss(settle: true);
            int next = -1;
            watch.Start();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                for (int i = Interlocked.Increment(ref next); i < probes.Count; i = Interlocked.Increment(ref next))
                {
                    var probe = probes[i];
                    using var response = await server.Http.SendAsync(probe.Build());
                    string body = await response.Content.ReadAsStringAsync();
                    int status = (int)response.StatusCode;
                    byStatus.AddOrUpdate(status.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                    bool expected = probe.Good ? status == 200 : status is >= 400 and < 500;
                    if (!expected)
                    {
                        unexpected.Enqueue($"{probe.Name}: {status} {body[..Math.Min(body.Length, 160)]}");
                        continue;
                    }
                    if (probe.Good)
                        answers.Add((probe.Question!, ChatCompletionText.Of(body)));
                    if ((i + 1) % 500 == 0)
                        log($"{i + 1} of {probes.Count} requests");
                }
            })));
            watch.Stop();
            rssEnd = Rss(settle: true);
        }

        // The batcher has stopped: the system answers each distinct question alone, as a reference.
        var alone = answers.Select(a => a.Question).Distinct().ToDictionary(q => q, q => RecursiveRunner.Solve(system, q).Answers[0].Text);
        int differing = answers.Count(a => a.Text != alone[a.Question]);
        var result = new Result(name, requests, concurrency, probes.Count(p => p.Good), probes.Count(p => !p.Good), watch.Elapsed.TotalSeconds,
            new SortedDictionary<string, int>(byStatus), unexpected.Count, [.. unexpected.Take(5)], answers.Count, differing,
            rssStart, rssEnd, (double)rssEnd / rssStart, RunRecorder.PeakMemoryBytes());
        log($"{name}: {requests} requests ({result.Good} good, {result.Bad} bad) from {concurrency} clients in {result.Seconds:F0} s; " +
            $"statuses {string.Join(", ", result.ByStatus.Select(kv => $"{kv.Key}×{kv.Value}"))}; unexpected {result.Unexpected}; " +
            $"{differing} of {answers.Count} answers differ from the question alone; resident memory {rssStart / 1e6:F0} MB → {rssEnd / 1e6:F0} MB ({result.RssGrowth:F2}x)");
        return result;
    }

    static Probe Good(string question, bool stream) => new(stream ? "good (stream)" : "good", () => Json(new Dictionary<string, object?>
    {
        ["messages"] = new[] { new { role = "user", content = question } },
        ["stream"] = stream,
    }), true, question);

    const int BadKinds = 12;

    static Probe Bad(int kind, Random random) => kind switch
    {
        0 => Refused("malformed JSON", () => Raw("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"")),
        1 => Refused("messages not an array", () => Raw("{\"messages\": \"hi\"}")),
        2 => Refused("non-finite temperature", () => Raw("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": 1e400}")),
        3 => Refused("lone surrogate", () => Raw("{\"messages\": [{\"role\": \"user\", \"content\": \"a\\ud800b\"}]}")),
        4 => Refused("slot marker in text", () => Json(new { messages = new[] { new { role = "user", content = "x <<SLOT:from.critic>> y" } } })),
        5 => Refused("rounds out of range", () => Json(new { messages = new[] { new { role = "user", content = "hi" } }, rounds = 0 })),
        6 => Refused("latent steps out of range", () => Json(new { messages = new[] { new { role = "user", content = "hi" } }, latent_steps = 1_000_000 })),
        7 => Refused("max_tokens out of range", () => Json(new { messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 1_000_000_000 })),
        8 => Refused("unknown model", () => Json(new { model = "not-this-one", messages = new[] { new { role = "user", content = "hi" } } })),
        9 => Refused("wrong Content-Type", () => new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", Encoding.UTF8, "text/plain"),
        }),
        10 => Refused("prompt past the context", () => Json(new { messages = new[] { new { role = "user", content = string.Join(" ", Enumerable.Repeat("seven", 20_000 + random.Next(100))) } } })),
        _ => Refused("body over the limit", () => Raw("{\"messages\": [{\"role\": \"user\", \"content\": \"" + new string('a', (1 << 20) + 10) + "\"}]}")),
    };

    static Probe Refused(string name, Func<HttpRequestMessage> build) => new(name, build, false, null);

    static HttpRequestMessage Json(object body) => Raw(JsonSerializer.Serialize(body));

    static HttpRequestMessage Raw(string body) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
    };

    /// <summary>Resident memory now, after a full collection when <paramref name="settle"/>.</summary>
    static long Rss(bool settle)
    {
        if (settle)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        return RunRecorder.ResidentMemoryBytes();
    }
}
