using System.Text.Json;
using RecursiveMas.Charts;
using RecursiveMas.Cli;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Tokenization;
using RecursiveMas.Zoo;

namespace RecursiveMas.Tests.Evaluation;

/// <summary>
/// The whole pipeline at CI size, through the command line: a tiny zoo (tasks, pre-trained agents, trained links),
/// the SFT and LoRA baselines trained from its solver, then the comparison of every method over two round
/// counts and two seeds, written as JSON and PNG.
/// </summary>
public sealed class PipelineTests
{
    [Fact]
    public void PretrainThenFineTuneThenEvaluateEveryMethod()
    {
        using var dir = new TempDirectory();
        string zoo = Path.Combine(dir.Path, "zoo");
        var (code, output) = CliProcess.Run("zoo", "--seed", "3", "--out", zoo, "--tiny");
        Assert.True(code == ExitCodes.Success, output);
        string system = Path.Combine(zoo, AgentZoo.SequentialFile);
        string train = Path.Combine(zoo, "data", "arithmetic", "train.jsonl"), test = Path.Combine(zoo, "data", "arithmetic", "test.jsonl");
        string sft = Path.Combine(dir.Path, "sft"), lora = Path.Combine(dir.Path, "lora");
        string solver = Path.Combine(zoo, AgentZoo.Agents(ZooBudget.Tiny).Single(a => a.Name == "solver").ModelFolder);
        (code, output) = CliRunner.Run("pretrain", "--system", system, "--from", solver, "--data", train, "--steps", "2", "--batch", "2", "--out", sft);
        Assert.True(code == ExitCodes.Success, output);
        (code, output) = CliRunner.Run("pretrain", "--system", system, "--from", solver, "--data", train, "--steps", "2", "--batch", "2", "--lora-rank", "4", "--out", lora);
        Assert.True(code == ExitCodes.Success, output);

        string results = Path.Combine(dir.Path, "results");
        (code, output) = CliRunner.Run("eval", "--system", system, "--data", test, "--methods", "single,alone:critic,sft,lora,text,untrained,recursive", "--rounds", "1,2",
            "--seeds", "2", "--limit", "2", "--batch", "2", "--max-new-tokens", "4", "--sft-model", sft, "--lora-adapter", lora, "--json", "--out", results);
        Assert.True(code == ExitCodes.Success, output);
        using var json = JsonDocument.Parse(output);
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["single", "alone:critic", "sft", "lora", "text", "text", "untrained", "untrained", "recursive", "recursive"], rows.Select(r => r.GetProperty("method").GetString()));
        Assert.Equal([null, null, null, null, 1, 2, 1, 2, 1, 2], rows.Select(r => r.GetProperty("rounds").ValueKind == JsonValueKind.Null ? (int?)null : r.GetProperty("rounds").GetInt32()));
        foreach (var row in rows)
        {
            var seeds = row.GetProperty("seeds").EnumerateArray().ToList();
            Assert.Equal(2, seeds.Count);
            Assert.All(seeds, s => Assert.Equal(2, s.GetProperty("questions").GetInt32()));
            Assert.InRange(row.GetProperty("accuracy").GetProperty("mean").GetDouble(), 0, 1);
            Assert.True(row.GetProperty("seconds_per_question").GetProperty("mean").GetDouble() > 0);
            // The decoder writes at most 4 tokens (+ the boxed-answer retry's 16); text messages add up to 4 per
            // message (tiny budget), at most 3 messages per round.
            double tokens = row.GetProperty("tokens_per_question").GetProperty("mean").GetDouble();
            Assert.InRange(tokens, 1, row.GetProperty("method").GetString() == "text" ? 4 + 16 + 2 * 3 * 4 : 4 + 16);
        }
        // Text messages are generated tokens too: Recursive-TextMAS writes more than the decoder alone.
        double Tokens(int i) => rows[i].GetProperty("tokens_per_question").GetProperty("mean").GetDouble();
        Assert.True(Tokens(5) > Tokens(0));
        Assert.Equal(output.Trim(), File.ReadAllText(Path.Combine(results, "comparison.json")).Trim());
        Assert.Equal((ComparisonChart.Width, ComparisonChart.Height), PngHeader.SizeOf(Path.Combine(results, "comparison.png")));

        (code, output) = CliRunner.Run("eval", "--system", system, "--data", test, "--methods", "sft");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--sft-model", output);
        (code, output) = CliRunner.Run("eval", "--system", system, "--data", test, "--methods", "lora");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--lora-adapter", output);
        // The sampling range every front end holds to (the server's 400, rmas generate's usage error).
        (code, output) = CliRunner.Run("eval", "--system", system, "--data", test, "--temperature", "3");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--temperature must be between 0 (greedy) and 2, not 3", output);

        // A question the agents cannot hold is named by its place in the data, also where batches split it off.
        var lines = File.ReadLines(test).Take(3).ToList();
        var third = System.Text.Json.Nodes.JsonNode.Parse(lines[2])!.AsObject();
        third["question"] = string.Concat(Enumerable.Repeat("\u00a4\u00b6 ", 1500));
        lines[2] = third.ToJsonString();
        string tooLong = Path.Combine(dir.Path, "too-long.jsonl");
        File.WriteAllLines(tooLong, lines);
        foreach (string method in new[] { "text", "single", "recursive" })
        {
            (code, output) = CliRunner.Run("eval", "--system", system, "--data", tooLong, "--methods", method, "--rounds", "1", "--batch", "2");
            Assert.Equal(ExitCodes.InvalidInput, code);
            string flat = string.Join(" ", output.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"{tooLong}: 'question 3 of 3': method {method}: the request is too long", flat);
            Assert.Contains("max_position_embeddings", flat);
        }
    }
}
