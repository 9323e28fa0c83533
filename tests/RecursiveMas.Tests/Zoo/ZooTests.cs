using RecursiveMas.Baselines;
using RecursiveMas.Cli;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Tokenization;
using RecursiveMas.Zoo;

namespace RecursiveMas.Tests.Zoo;

public sealed class ZooTests
{
    static Dictionary<string, byte[]> Files(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes);

    [Fact]
    public void TheZooCommandIsByteIdenticalForTheSameSeed()
    {
        using var dir = new TempDirectory();
        Dictionary<string, byte[]> Build(string name, string seed)
        {
            string output = Path.Combine(dir.Path, name);
            var (code, text) = CliRunner.Run("zoo", "--seed", seed, "--out", output, "--tiny");
            Assert.True(code == ExitCodes.Success, text);
            return Files(output);
        }
        var first = Build("a", "5");
        var second = Build("b", "5");
        Assert.Equal(first.Keys.Order(), second.Keys.Order());
        foreach (var (file, bytes) in first)
            Assert.True(bytes.AsSpan().SequenceEqual(second[file]), $"{file} differs between two runs with the same seed");
        Assert.Contains("models/solver-llama-128/model.safetensors", first.Keys);
        Assert.Contains("models/planner-qwen3-96/tokenizer.json", first.Keys);
        Assert.Contains("models/critic-qwen2-160/config.json", first.Keys);
        Assert.Contains("data/reachability/test.jsonl", first.Keys);
        Assert.Contains(AgentZoo.SequentialFile, first.Keys);
        // Links were trained beside the models, for both systems.
        Assert.Contains("links/sequential/outer.planner-critic.safetensors", first.Keys);
        Assert.Contains("links/sequential/inner.solver.json", first.Keys);
        Assert.Contains("links/distillation/outer.critic-solver.safetensors", first.Keys);

        var other = Build("c", "6");
        Assert.False(first["models/solver-llama-128/model.safetensors"].AsSpan().SequenceEqual(other["models/solver-llama-128/model.safetensors"]));
    }

    static string Shipped => Path.Combine(RepositoryRoot.Path, "examples", "zoo");

    [Fact]
    public void TheShippedZooMatchesTheRecipeAndItsAgentsAreHeterogeneous()
    {
        foreach (var file in new[] { AgentZoo.SequentialFile, AgentZoo.DistillationFile })
            Assert.True(File.Exists(Path.Combine(Shipped, file)), file);
        Assert.Equal(AgentZoo.Sequential(ZooBudget.Shipped).ToJson() + "\n", File.ReadAllText(Path.Combine(Shipped, AgentZoo.SequentialFile)));
        var configs = AgentZoo.Agents(ZooBudget.Shipped).Select(a => RecursiveMas.Models.ModelConfig.Load(Path.Combine(Shipped, a.ModelFolder))).ToList();
        Assert.Equal([96, 160, 128], configs.Select(c => c.HiddenSize));
        Assert.Equal(["qwen3", "qwen2", "llama"], configs.Select(c => c.ModelType));
        Assert.All(AgentZoo.Agents(ZooBudget.Shipped), a =>
            Assert.InRange(new FileInfo(Path.Combine(Shipped, a.ModelFolder, "model.safetensors")).Length, 200_000, 8_000_000));
    }

    [Fact]
    public void TheShippedZooLoadsAndAnswers()
    {
        var test = TaskDataFile.Read(Path.Combine(Shipped, "data", "arithmetic", "test.jsonl")).Take(8).ToList();
        var questions = test.Select(e => e.Question).ToList();
        foreach (var file in new[] { AgentZoo.SequentialFile, AgentZoo.DistillationFile })
        {
            // The shipped links must all be there: no untrained fallback.
            using var system = RecursiveSystem.Load(Path.Combine(Shipped, file));
            var recursive = RecursiveRunner.SolveBatch(system, questions, new RunOptions { Rounds = 1 });
            Assert.Equal(questions.Count, recursive.Answers.Count);
            Assert.All(recursive.Answers, a => Assert.False(string.IsNullOrWhiteSpace(a.Text)));
            // The solver was trained to answer in the boxed format; alone it gets some, not all, right.
            var single = SingleAgentBaseline.SolveBatch(system, questions);
            Assert.All(single.Answers, a => Assert.NotNull(a.Answer));
            Assert.Contains(test, e => e.IsAnsweredBy(single.Answers[test.IndexOf(e)].Text));
        }
    }
}
