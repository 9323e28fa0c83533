using System.Text.Json;
using System.Text.Json.Nodes;
using RecursiveMas.Tests.Support;
using Xunit.Abstractions;

namespace RecursiveMas.Tests.Server;

/// <summary>
/// The page as a person uses it, in headless Chromium driven through the DevTools protocol: load it,
/// type a question, press Ask, and see every round's steps and the answer appear. Saves a screenshot
/// under the test results directory (artifacts/test-results/screenshots, or RMAS_TEST_RESULTS).
/// </summary>
public sealed class PageBrowserTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ThePageShowsEachRoundAndTheAnswerOfAQuestion()
    {
        const string question = "What is 7 plus 8?";
        // What the API answers for the same question and settings: the page must show exactly this.
        var api = await server.Post($$"""{"messages":[{"role":"user","content":"{{question}}"}],"rounds":2,"max_tokens":8}""");
        var expected = JsonDocument.Parse(await api.Content.ReadAsStringAsync()).RootElement;
        string expectedText = expected.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

        using var chromium = HeadlessChromium.Start();
        await using var devTools = await DevToolsSession.Connect(chromium.DevToolsUrl);
        string page = await devTools.OpenPage(server.BaseUrl + "/");
        await WaitFor(devTools, page, "document.readyState === 'complete' && !!document.getElementById('ask')", "the page to load");
        Assert.Equal(3, (await devTools.Evaluate(page, "document.querySelectorAll('#graph svg .agent').length")).GetInt32());

        // Type the question as a user would (focus, select all, insert text), then click Ask.
        await devTools.Evaluate(page, "document.getElementById('question').focus(); document.getElementById('question').select(); document.getElementById('max-tokens').value = '8';");
        await devTools.Send("Input.insertText", new JsonObject { ["text"] = question }, page);
        await Click(devTools, page, "#ask");
        await WaitFor(devTools, page, "document.getElementById('status').textContent === 'Done.' || document.getElementById('status').className === 'error'", "the answer");

        string status = (await devTools.Evaluate(page, "document.getElementById('status').textContent")).GetString()!;
        Assert.Equal("Done.", status);
        var rows = (await devTools.Evaluate(page,
            "[...document.querySelectorAll('#steps tbody tr')].map(r => [...r.cells].map(c => c.textContent))")).EnumerateArray()
            .Select(r => r.EnumerateArray().Select(c => c.GetString()!).ToArray()).ToList();
        Assert.Equal(["1", "1", "1", "2", "2", "2"], rows.Select(r => r[0]));
        Assert.Equal(["Planner", "Critic", "Solver", "Planner", "Critic", "Solver"], rows.Select(r => r[1]));
        Assert.Equal(["4", "3", "5", "4", "3", "0"], rows.Select(r => r[3]));
        Assert.Equal("decodes the answer", rows[^1][2]);
        Assert.Equal(expectedText, (await devTools.Evaluate(page, "document.getElementById('answer').textContent")).GetString());
        Assert.Equal(3, (await devTools.Evaluate(page, "document.querySelectorAll('#graph .agent.done').length")).GetInt32());

        var shot = await devTools.Send("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true }, page);
        string path = Path.Combine(ResultsDirectory(), "screenshots", "rmas-serve-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(shot.GetProperty("data").GetString()!));
        output.WriteLine($"screenshot: {path}");
        Assert.True(new FileInfo(path).Length > 10_000, "the screenshot should show the page");
    }

    /// <summary>Clicks the centre of the element like a mouse does (pressed and released).</summary>
    static async Task Click(DevToolsSession devTools, string page, string selector)
    {
        var box = await devTools.Evaluate(page, $"(() => {{ const r = document.querySelector('{selector}').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()");
        double x = box[0].GetDouble(), y = box[1].GetDouble();
        foreach (var type in new[] { "mousePressed", "mouseReleased" })
            await devTools.Send("Input.dispatchMouseEvent", new JsonObject { ["type"] = type, ["x"] = x, ["y"] = y, ["button"] = "left", ["clickCount"] = 1 }, page);
    }

    /// <summary>Polls a condition in the page, a bounded number of times (a hang fails; time is never asserted).</summary>
    static async Task WaitFor(DevToolsSession devTools, string page, string condition, string what)
    {
        for (int i = 0; i < 1200; i++)
        {
            if ((await devTools.Evaluate(page, condition)).ValueKind == JsonValueKind.True)
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"the page never showed {what}");
    }

    static string ResultsDirectory()
    {
        string? configured = Environment.GetEnvironmentVariable("RMAS_TEST_RESULTS");
        if (!string.IsNullOrEmpty(configured))
            return configured;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RecursiveMas.sln")))
            dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? Path.GetTempPath(), "artifacts", "test-results");
    }
}
