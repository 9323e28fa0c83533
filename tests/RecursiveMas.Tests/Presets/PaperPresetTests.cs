using System.Text.Json.Nodes;
using RecursiveMas.Cli;
using RecursiveMas.Presets;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Presets;

/// <summary>The five released systems: rmas systems, rmas init, and the presets against PAPER.md §1.2.</summary>
public sealed class PaperPresetTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-presets-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    public static IEnumerable<object[]> Names() => PaperPresets.All.Select(p => new object[] { p.Name });

    /// <summary>PAPER.md §1.2, written out again: agents with (base model, hidden size or null for "?", Hub repository) and outer keys (key, from, to).</summary>
    static readonly Dictionary<string, (string Pattern, (string Agent, string Model, int? Hidden, string Repo)[] Agents, string Decoder, string OuterRepo, (string Key, string From, string To)[] Outer, string InnerFile)> Paper = new()
    {
        ["Sequential-Light"] = ("Sequential",
            [("Planner", "Qwen3-1.7B", 2048, "RecursiveMAS/Sequential-Light-Planner-Qwen3-1.7B"),
             ("Critic", "Llama-3.2-1B-Instruct", 2048, "RecursiveMAS/Sequential-Light-Critic-Llama3.2-1B"),
             ("Solver", "Qwen2.5-Math-1.5B-Instruct", 1536, "RecursiveMAS/Sequential-Light-Solver-Qwen2.5-Math-1.5B")],
            "Solver", "RecursiveMAS/Sequential-Light-Outerlinks",
            [("outer_12", "Planner", "Critic"), ("outer_23", "Critic", "Solver"), ("outer_31", "Solver", "Planner")], "adapter(math).pt"),
        ["Sequential-Scaled"] = ("Sequential",
            [("Planner", "Gemma3-4B-it", 2560, "RecursiveMAS/Sequential-Scaled-Planner-Gemma3-4B"),
             ("Critic", "Llama-3.2-3B-Instruct", 3072, "RecursiveMAS/Sequential-Scaled-Critic-Llama3.2-3B"),
             ("Solver", "Qwen3.5-4B", 2560, "RecursiveMAS/Sequential-Scaled-Solver-Qwen3.5-4B")],
            "Solver", "RecursiveMAS/Sequential-Scaled-Outerlinks",
            [("outer_12", "Planner", "Critic"), ("outer_23", "Critic", "Solver"), ("outer_31", "Solver", "Planner")], "adapter(math).pt"),
        ["Mixture"] = ("Mixture",
            [("Summarizer", "Qwen3.5-2B", 2048, "RecursiveMAS/Mixture-Summarizer-Qwen3.5-2B"),
             ("Math", "DeepSeek-R1-Distill-Qwen-1.5B", 1536, "RecursiveMAS/Mixture-Math-DeepSeek-R1-Distill-Qwen-1.5B"),
             ("Code", "Qwen2.5-Coder-3B-Instruct", 2048, "RecursiveMAS/Mixture-Code-Qwen2.5-Coder-3B"),
             ("Science", "BioMistral-7B", 4096, "RecursiveMAS/Mixture-Science-BioMistral-7B")],
            "Summarizer", "RecursiveMAS/Mixture-Outerlinks",
            [("outer_1s", "Math", "Summarizer"), ("outer_2s", "Code", "Summarizer"), ("outer_3s", "Science", "Summarizer"),
             ("outer_s1", "Summarizer", "Math"), ("outer_s2", "Summarizer", "Code"), ("outer_s3", "Summarizer", "Science")], "adapter.pt"),
        ["Distillation"] = ("Distillation",
            [("Expert", "Qwen3.5-9B", null, "RecursiveMAS/Distillation-Expert-Qwen3.5-9B"),
             ("Learner", "Qwen3.5-4B", 2560, "RecursiveMAS/Distillation-Learner-Qwen3.5-4B")],
            "Learner", "RecursiveMAS/Distillation-Outerlinks", [("outer_el", "Expert", "Learner"), ("outer_le", "Learner", "Expert")], "adapter(math).pt"),
        ["Deliberation"] = ("Deliberation",
            [("Reflector", "Qwen3.5-4B", 2560, "RecursiveMAS/Deliberation-Reflector-Qwen3.5-4B"),
             ("ToolCaller", "Qwen3.5-4B", 2560, "RecursiveMAS/Deliberation-Toolcaller-Qwen3.5-4B")],
            "ToolCaller", "RecursiveMAS/Deliberation-Outerlinks", [("outer_rt", "Reflector", "ToolCaller"), ("outer_tr", "ToolCaller", "Reflector")], "adapter.pt"),
    };

    [Fact]
    public void RmasSystemsListsTheFivePresets()
    {
        var (code, output) = CliRunner.Run("systems");
        Assert.Equal(ExitCodes.Success, code);
        foreach (var name in Paper.Keys)
            Assert.Contains(name, output);
        Assert.Contains("d=unknown", output); // the Distillation expert

        var (jsonCode, json) = CliRunner.Run("systems", "--json");
        Assert.Equal(ExitCodes.Success, jsonCode);
        var list = JsonNode.Parse(json)!.AsArray();
        Assert.Equal(Paper.Keys, list.Select(p => (string)p!["name"]!));
        var expert = list.Single(p => (string)p!["name"]! == "Distillation")!["agents"]!.AsArray().Single(a => (string)a!["name"]! == "Expert")!;
        Assert.Null(expert["hidden_size"]);
        Assert.Contains("unknown", (string)expert["hidden_size_note"]!);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EachPresetMatchesPaperMdAndItsLinkKeys(string name)
    {
        var preset = PaperPresets.Find(name);
        var paper = Paper[name];
        Assert.Equal(paper.Pattern, preset.Pattern.ToString());
        Assert.Equal(paper.Agents, preset.Agents.Select(a => (a.Name, a.BaseModel, a.HiddenSize, a.RepoId)));
        Assert.All(preset.Agents.Where(a => a.HiddenSize is null), a => Assert.Contains("unknown", a.HiddenSizeNote));
        Assert.Equal(paper.Decoder, preset.Decoder);
        Assert.Equal(3, preset.Rounds);

        // The link mapping SYSTEM.json carries: every inner link in its agent's repository folder, every key of the release on its edge.
        var released = preset.ToDescription().ReleasedLinks!;
        Assert.Equal(paper.InnerFile, preset.InnerLinkFile);
        Assert.Equal(paper.InnerFile == "adapter.pt" ? null : "math", released.Task);
        Assert.Equal(paper.Agents.Select(a => (a.Agent, "models/" + a.Repo.Split('/')[1])), released.Inner.Select(i => (i.Agent, i.Folder)));
        Assert.Equal("models/" + paper.OuterRepo.Split('/')[1], released.OuterFolder);
        Assert.Equal(paper.Outer, released.Outer.Select(o => (o.Key, o.From, o.To)));
        // The keys cover exactly the edges the pattern has.
        var plan = SystemPlan.Build(preset.ToDescription());
        Assert.Equal(plan.Edges.Select(e => (e.From, e.To)).Order(), released.Outer.Select(o => (o.From, o.To)).Order());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void RmasInitWritesASystemJsonTheReaderAcceptsAndThatRoundTrips(string name)
    {
        string outDir = Path.Combine(_dir, name.ToLowerInvariant());
        var (code, output) = CliRunner.Run("init", name, "--out", outDir);
        Assert.True(code == ExitCodes.Success, output);
        var preset = PaperPresets.Find(name);
        foreach (var repo in preset.RepoIds)
            Assert.Contains($"{repo} → {PaperPresets.ModelFolder(repo)}", output);

        string path = Path.Combine(outDir, "SYSTEM.json");
        var loaded = SystemDescription.Load(path);
        // The DSL's rules, with the dimension checks on the hidden sizes PAPER.md states.
        var sizes = preset.Agents.Where(a => a.HiddenSize is not null)
            .ToDictionary(a => a.Name, a => (a.HiddenSize!.Value, Path.Combine(outDir, a.ModelFolder, "config.json")));
        var plan = SystemPlan.Build(loaded, sizes);
        Assert.Equal(preset.Decoder, plan.Decoder);
        Assert.Equal(preset.Rounds, loaded.Rounds);

        Assert.Equal(preset.Agents.Select(a => (a.Name, a.Role, a.ModelFolder, a.HiddenSize ?? 0, a.LatentSteps)),
            loaded.Agents.Select(a => (a.Name, a.Role!, a.Model, a.HiddenSize, a.LatentSteps)));
        Assert.All(loaded.Agents, a => Assert.Equal(preset.SystemPrompt, a.SystemPrompt));
        Assert.Equal(preset.Agents.SelectMany(a => a.Prompts.Select(p => (a.Name, p.Use, p.Template))),
            loaded.Agents.SelectMany(a => a.Prompts.Select(p => (a.Name, p.Use, p.Template))));
        Assert.Equal(preset.ToDescription().ToJson(), loaded.ToJson());
        Assert.Equal(loaded.ToJson(), SystemDescription.Parse(loaded.ToJson(), path).ToJson());
        Assert.Equal(loaded.ToJson() + "\n", File.ReadAllText(path));
    }

    [Fact]
    public void TheOfficialPromptsCarryTheReleasesCues()
    {
        var light = PaperPresets.SequentialLight;
        var planner = light.Agents[0].Prompts;
        Assert.Equal([PromptUse.FirstRound, PromptUse.LaterRounds], planner.Select(p => p.Use));
        Assert.DoesNotContain("{feedback}", planner[0].Template);
        Assert.Contains("This is round 2.\n", planner[1].Template);
        Assert.Contains("Feedback signal from the previous solver round:\n{feedback}\n", planner[1].Template);
        Assert.Contains("Initial Plan:\n{from:Planner}\n", light.Agents[1].Prompts[0].Template);
        Assert.EndsWith("Question:\n{question}\n\nSolve the question given information and put the final answer inside \\boxed{}, for example \\boxed{1}.",
            light.Agents[2].Prompts[0].Template);
        Assert.Contains("Math expert signal:\n{from:Math}\nCode expert signal:\n{from:Code}\nScience expert signal:\n{from:Science}\n",
            PaperPresets.Mixture.Agents[0].Prompts[0].Template);
        Assert.Contains("Expert plan:\n{from:Expert}\n", PaperPresets.Distillation.Agents[1].Prompts[0].Template);
        Assert.Contains("Reflector signal:\n{from:Reflector}\n", PaperPresets.Deliberation.Agents[1].Prompts[0].Template);
        Assert.Contains("<python> python code here </python>", PaperPresets.Deliberation.SystemPrompt);
        Assert.Equal("You are a helpful assistant.", light.SystemPrompt);
    }

    [Fact]
    public void RmasInitRefusesToOverwriteUnlessForced()
    {
        string outDir = Path.Combine(_dir, "existing");
        Directory.CreateDirectory(outDir);
        string path = Path.Combine(outDir, "SYSTEM.json");
        File.WriteAllText(path, "{ \"mine\": true }");

        var (code, output) = CliRunner.Run("init", "Mixture", "--out", outDir);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("already exists", output);
        Assert.Contains("--force", output);
        Assert.Equal("{ \"mine\": true }", File.ReadAllText(path));

        var (forced, forcedOutput) = CliRunner.Run("init", "mixture", "--out", outDir, "--force");
        Assert.True(forced == ExitCodes.Success, forcedOutput);
        Assert.Equal("Mixture", SystemDescription.Load(path).Name);
        Assert.Equal(["SYSTEM.json"], Directory.GetFiles(outDir).Select(Path.GetFileName));
    }

    [Fact]
    public void AnUnknownPresetIsNamedWithTheValidOnes()
    {
        var (code, output) = CliRunner.Run("init", "Sequential-Huge", "--out", Path.Combine(_dir, "x"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("unknown preset \"Sequential-Huge\"", output);
        foreach (var name in Paper.Keys)
            Assert.Contains(name, output);
        Assert.False(Directory.Exists(Path.Combine(_dir, "x")));

        Assert.Same(PaperPresets.SequentialLight, PaperPresets.Find("sequential_light"));
        Assert.Same(PaperPresets.Deliberation, PaperPresets.Find("DELIBERATION"));
    }
}
