using System.Text.Json;
using RecursiveMas.Cli;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cli;

/// <summary>
/// What a hand-written SYSTEM.json gets that an attributed system gets from its compiler: the DSL's warnings, and
/// option values checked before any work.
/// </summary>
public sealed class SystemWarningsTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    // The tiny sequential team with the critic's prompt mistyped: {Question} for {question}, and {from:Planner unclosed. Two
    // rounds, which read the planner's LaterRounds prompt (one would add RMAS2014).
    string MistypedSystem()
    {
        var d = zoo.Describe("sequential", 2);
        var critic = d.Agents.Single(a => a.Name == "Critic") with
        {
            Prompts = [new PromptDescription(PromptUse.Always, "You are a critic. Question: {Question} Initial plan: {from:Planner} Check {from:Planner again.")],
        };
        string path = Path.Combine(Path.GetDirectoryName(d.SourcePath)!, $"SYSTEM-mistyped-{Guid.NewGuid():N}.json");
        (d with { Agents = [.. d.Agents.Select(a => a.Name == "Critic" ? critic : a)] }).Save(path);
        return path;
    }

    [Fact]
    public void TheSystemPlanCarriesTheAnalyzersWarnings()
    {
        var plan = SystemPlan.Build(SystemDescription.Load(MistypedSystem()));

        Assert.Equal(
        [
            "RMAS2007: '{Question}' in a prompt of agent 'Critic' looks like a placeholder but is not one, so it stays literal text; the placeholders are {question}, {feedback}, {from:AgentClassName} and {round}",
            "RMAS2007: '{from:Planner' in a prompt of agent 'Critic' looks like a placeholder but is not one, so it stays literal text; the placeholders are {question}, {feedback}, {from:AgentClassName} and {round}",
            "RMAS2010: A prompt of agent 'Critic' (When = PromptUse.Always) has no {question} slot, so the agent does not read the question in the stages that use it",
        ], plan.Warnings);
        Assert.Empty(SystemPlan.Build(zoo.Describe("sequential", 2)).Warnings);
    }

    [Fact]
    public void ACustomGraphWithAnAgentThatReachesNoDecoderIsRefusedAsItsAttributesWouldBe()
    {
        // The tiny custom team (Reader → Checker → Writer, Reader → Writer, Writer → Reader) with Checker's way on
        // cut: it still thinks every round, and nothing it thinks can reach the answer.
        var d = zoo.Describe("custom", 1);
        var deadEnd = d with
        {
            Pattern = d.Pattern with { Links = [.. d.Pattern.Links.Where(l => !(l.From == "Checker" && l.To == "Writer"))] },
        };

        var e = Assert.Throws<ModelFileException>(() => SystemPlan.Build(deadEnd));
        Assert.Contains("RMAS3008: No path of links leads from 'Checker' to 'Writer'", e.Message);
    }

    [Fact]
    public void AOneRoundCustomGraphWithAnAgentThatOnlyClosesTheLoopIsRefusedAsItsAttributesWouldBe()
    {
        // The tiny custom team with Checker's way to Writer turned back to Reader: a loop-closing message, read in round 2,
        // which a one-round run does not have, so Checker never ran and the system ran without it.
        var d = zoo.Describe("custom", 1);
        var loopOnly = d with
        {
            Pattern = d.Pattern with { Links = [new("Reader", "Checker"), new("Reader", "Writer"), new("Checker", "Reader")] },
        };

        var e = Assert.Throws<ModelFileException>(() => SystemPlan.Build(loopOnly));
        Assert.Contains("RMAS3009: System 'CustomTeam' runs 1 round, and 'Checker' reaches its decoder 'Writer' only through loop-closing links", e.Message);
    }

    [Fact]
    public void TwoAgentsOfOneRoleAreRefusedAsTheirAttributesWouldBe()
    {
        // Links are looked up under roles too: Critic's and Solver's would have been read from one inner.checker file.
        var d = zoo.Describe("sequential", 1);
        var shared = d with { Agents = [.. d.Agents.Select(a => a.Name is "Critic" or "Solver" ? a with { Role = a.Name == "Critic" ? "checker" : "Checker" } : a)] };

        var e = Assert.Throws<ModelFileException>(() => SystemPlan.Build(shared));
        Assert.Contains("RMAS0022: Agents 'Critic' and 'Solver' of system 'SequentialTeam' both have the role \"checker\"", e.Message);
    }

    [Fact]
    public void ADecodePromptOnAnAgentThatDoesNotDecodeIsAWarningAsItsAttributeWouldBe()
    {
        // Solver, the last of the sequential team, decodes: the critic's Decode prompt was never read.
        var d = zoo.Describe("sequential", 2);
        var critic = d.Agents.Single(a => a.Name == "Critic");
        critic = critic with { Prompts = [.. critic.Prompts, new PromptDescription(PromptUse.Decode, "Answer: {question} {from:Planner}")] };

        var plan = SystemPlan.Build(d with { Agents = [.. d.Agents.Select(a => a.Name == "Critic" ? critic : a)] });

        Assert.Equal(
            ["RMAS2013: The When = PromptUse.Decode prompt of agent 'Critic' is never read: only 'Solver', the decoder of system 'SequentialTeam', makes the final text decode; move the prompt to 'Solver' or remove it"],
            plan.Warnings);
    }

    [Fact]
    public void ALaterRoundsPromptInAOneRoundSystemIsAWarningAsItsAttributeWouldBe()
    {
        // One round has no later round: the planner's LaterRounds prompt, {feedback} and all, was never read.
        var plan = SystemPlan.Build(zoo.Describe("sequential", 1));

        Assert.Equal(
            ["RMAS2014: The When = PromptUse.LaterRounds prompt of agent 'Planner' is never read: system 'SequentialTeam' runs 1 round, and only rounds 2 and later read it; set Rounds = 2 or more, or remove the prompt"],
            plan.Warnings);
    }

    [Fact]
    public void ADecodersLaterRoundsPromptThatItsDecodePromptReplacesIsAWarningAsItsAttributeWouldBe()
    {
        // Two rounds: the solver decodes in round 2 instead of thinking, so with a Decode prompt its LaterRounds prompt was never read.
        var d = zoo.Describe("sequential", 2);
        var solver = d.Agents.Single(a => a.Name == "Solver");
        solver = solver with
        {
            Prompts =
            [
                new PromptDescription(PromptUse.FirstRound, "You are a solver. Refined plan: {from:Critic} Question: {question}"),
                new PromptDescription(PromptUse.LaterRounds, "You are a solver again. Refined plan: {from:Critic} Question: {question}"),
                new PromptDescription(PromptUse.Decode, "Answer. Refined plan: {from:Critic} Question: {question} Put the final answer inside \\boxed{}."),
            ],
        };
        var withDecode = d with { Agents = [.. d.Agents.Select(a => a.Name == "Solver" ? solver : a)] };

        Assert.Equal(
            ["RMAS2015: The When = PromptUse.LaterRounds prompt of agent 'Solver' is never read: in system 'SequentialTeam' (2 rounds) the agent reads " +
                "the FirstRound prompt in round 1 and the Decode prompt in the final decode (round 2); remove the prompt, or the one that takes its place"],
            SystemPlan.Build(withDecode).Warnings);
        Assert.Empty(SystemPlan.Build(withDecode with { Rounds = 3 }).Warnings);
    }

    [Fact]
    public void AModelFolderPaddedWithWhiteSpaceIsRefusedAsItsAttributeWouldBe()
    {
        // "llama-64 " was looked for under that name, and the load failed only when it was not found there.
        var d = zoo.Describe("sequential", 2);
        var padded = d with { Agents = [.. d.Agents.Select(a => a.Name == "Planner" ? a with { Model = "llama-64 " } : a)] };

        var e = Assert.Throws<ModelFileException>(() => SystemPlan.Build(padded));
        Assert.Contains("RMAS0025: Agent 'Planner' names model folder \"llama-64 \", which ends with white space; loading refuses it: write \"llama-64\"", e.Message);
    }

    [Fact]
    public async Task RmasPrintsTheWarningsOnStandardErrorAndLeavesItsJsonAlone()
    {
        string path = MistypedSystem();
        var (exitCode, stdout, stderr) = await CliRunner.RunProcessAsync("inspect", "--system", path, "--untrained", "--json");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("SequentialTeam", JsonDocument.Parse(stdout).RootElement.GetProperty("name").GetString());
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, line => Assert.StartsWith($"warning: {path}: RMAS20", line));
        Assert.Contains("RMAS2010: A prompt of agent 'Critic'", lines[2]);
    }

    [Fact]
    public void AnUnknownDtypeIsACommandLineErrorNamingTheOption()
    {
        var d = zoo.Describe("sequential", 1);
        var (code, output) = CliRunner.Run("run", "--system", d.SourcePath!, "--untrained", "--question", "Hi?", "--dtype", "f64");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--dtype: unknown dtype \"f64\" (use f32, bf16 or f16)", output);
    }

    [Fact]
    public void AnEvaluationWhoseOutputFolderCannotBeWrittenFailsBeforeItRuns()
    {
        var d = zoo.Describe("sequential", 1);
        string file = Path.Combine(Path.GetTempPath(), $"rmas-not-a-folder-{Guid.NewGuid():N}");
        File.WriteAllText(file, "a file, not a folder");
        try
        {
            string data = Path.Combine(Path.GetTempPath(), $"rmas-missing-{Guid.NewGuid():N}.jsonl"); // never read: the check comes first
            var (code, output) = CliRunner.Run("eval", "--system", d.SourcePath!, "--data", data, "--untrained", "--out", Path.Combine(file, "results"));
            Assert.Equal(ExitCodes.InvalidInput, code);
            Assert.Contains($"cannot write {Path.Combine(file, "results", "comparison.json")}", output);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
