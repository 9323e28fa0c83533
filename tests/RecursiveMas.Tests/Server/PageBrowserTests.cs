using System.Text.Json;
using PuppeteerSharp;
using RecursiveMas.Tests.Support;
using Xunit.Abstractions;

namespace RecursiveMas.Tests.Server;

/// <summary>
/// The page as a person uses it, in headless Chromium driven by PuppeteerSharp: load it, type a
/// question, click Ask, and see every round's steps and the answer appear — the same ones the API
/// gives for the same question. Saves a screenshot under the test results directory
/// (artifacts/test-results/screenshots, or RMAS_TEST_RESULTS).
/// </summary>
public sealed class PageBrowserTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    /// <summary>Bounds every wait on the page so a hang fails; time itself is never asserted.</summary>
    const int WaitMilliseconds = 120_000;

    [Fact]
    public async Task ThePageShowsEachRoundAndTheAnswerOfAQuestion()
    {
        const string question = "What is 7 plus 8?";
        // What the API answers for the same question and settings: the page must show exactly this.
        var api = await server.Post($$"""{"messages":[{"role":"user","content":"{{question}}"}],"rounds":2,"max_tokens":8}""");
        using var expected = JsonDocument.Parse(await api.Content.ReadAsStringAsync());
        string expectedText = expected.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        var expectedRows = expected.RootElement.GetProperty("rmas").GetProperty("steps").EnumerateArray().Select(s => new[]
        {
            s.GetProperty("round").GetInt32().ToString(),
            s.GetProperty("agent").GetString()!,
            s.GetProperty("kind").GetString() == "decode" ? "decodes the answer" : "thinks in latent space",
            s.GetProperty("latent_steps").GetInt32().ToString(),
            s.GetProperty("prefill_tokens").GetInt32().ToString(),
            s.GetProperty("generated_tokens").GetInt32().ToString(),
        }).ToList();
        Assert.Equal(6, expectedRows.Count); // 3 agents × 2 rounds

        await using var browser = await HeadlessChromium.Launch();
        await using var page = await browser.NewPageAsync();
        page.DefaultTimeout = WaitMilliseconds;
        await page.GoToAsync(server.BaseUrl + "/", WaitUntilNavigation.Load);
        await page.WaitForSelectorAsync("#ask");
        Assert.Equal(3, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#graph svg .agent').length"));

        // Type the question as a user would: select the example text in the box (triple click), delete it, type, set the token budget, click Ask.
        await page.ClickAsync("#question", new PuppeteerSharp.Input.ClickOptions { Count = 3 });
        await page.Keyboard.PressAsync("Backspace");
        await page.TypeAsync("#question", question);
        await page.TypeAsync("#max-tokens", "8");
        Assert.Equal(question, await page.EvaluateExpressionAsync<string>("document.getElementById('question').value"));
        await page.ClickAsync("#ask");

        // Every row of the rounds table, then the answer.
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('#steps tbody tr').length === {expectedRows.Count} || document.getElementById('status').className === 'error'");
        await page.WaitForFunctionAsync("() => document.getElementById('status').textContent === 'Done.' || document.getElementById('status').className === 'error'");
        Assert.Equal("Done.", await page.EvaluateExpressionAsync<string>("document.getElementById('status').textContent"));

        var rows = await page.EvaluateExpressionAsync<string[][]>(
            "[...document.querySelectorAll('#steps tbody tr')].map(r => [...r.cells].map(c => c.textContent))");
        Assert.Equal(expectedRows, rows.Select(r => r[..6]).ToList()); // all but the time column
        Assert.Equal(["Planner", "Critic", "Solver", "Planner", "Critic", "Solver"], rows.Select(r => r[1]));
        Assert.Equal(expectedText, await page.EvaluateExpressionAsync<string>("document.getElementById('answer').textContent"));
        Assert.Equal(3, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#graph .agent.done').length"));

        string path = Path.Combine(ResultsDirectory(), "screenshots", "rmas-serve-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(path, new ScreenshotOptions { FullPage = true });
        output.WriteLine($"screenshot: {path}");
        Assert.True(PngHeader.SizeOf(path).Width >= 1280, "the screenshot should show the whole page width");
        Assert.True(new FileInfo(path).Length > 10_000, "the screenshot should show the page");
    }

    static string ResultsDirectory()
    {
        string? configured = Environment.GetEnvironmentVariable("RMAS_TEST_RESULTS");
        return !string.IsNullOrEmpty(configured) ? configured : Path.Combine(RepositoryRoot.Path, "artifacts", "test-results");
    }
}
