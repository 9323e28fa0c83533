using System.Text.Json.Nodes;
using RecursiveMas.Presets;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Presets;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Examples;

/// <summary>examples/PaperPresets: the C# declarations agree with the presets, and the tiny Sequential-Scaled declaration runs.</summary>
public sealed class PaperPresetsExampleTests(TinyScaledSystem tiny) : IClassFixture<TinyScaledSystem>
{
    public static IEnumerable<object[]> Declared() =>
    [
        ["Sequential-Light"], ["Sequential-Scaled"], ["Mixture"], ["Distillation"], ["Deliberation"],
    ];

    static SystemDescription DescribeDeclared(string preset) => preset switch
    {
        "Sequential-Light" => PaperPresetsExample.SequentialLightAgents.SequentialLight.Describe(),
        "Sequential-Scaled" => PaperPresetsExample.SequentialScaledAgents.SequentialScaled.Describe(),
        "Mixture" => PaperPresetsExample.MixtureAgents.Mixture.Describe(),
        "Distillation" => PaperPresetsExample.DistillationAgents.Distillation.Describe(),
        "Deliberation" => PaperPresetsExample.DeliberationAgents.Deliberation.Describe(),
        _ => throw new ArgumentException(preset),
    };

    [Theory]
    [MemberData(nameof(Declared))]
    public void EachCSharpDeclarationDescribesItsPreset(string name)
    {
        var declared = DescribeDeclared(name);
        var preset = PaperPresets.Find(name).ToDescription();
        Assert.Equal(preset.Name, declared.Name);
        Assert.Equal(preset.Rounds, declared.Rounds);
        Assert.Equal(preset.Pattern.Kind, declared.Pattern.Kind);
        Assert.Equal(preset.Pattern.Agents, declared.Pattern.Agents);
        Assert.Equal(
            preset.Agents.Select(a => (a.Name, a.Model, a.HiddenSize, a.LatentSteps, a.Role)).OrderBy(a => a.Name),
            declared.Agents.Select(a => (a.Name, a.Model, a.HiddenSize, a.LatentSteps, a.Role)).OrderBy(a => a.Name));
        Assert.Equal(
            preset.Agents.SelectMany(a => a.Prompts.Select(p => (a.Name, p.Use, p.Template))).Order(),
            declared.Agents.SelectMany(a => a.Prompts.Select(p => (a.Name, p.Use, p.Template))).Order());
    }

    [Fact]
    public void TheTinyDeclarationsSizesCameFromTheNestedConfigsAtCompileTime()
    {
        var graph = PaperPresetsExample.TinyScaled.TinyScaledTeam.Graph;
        Assert.Equal(TinyScaledSystem.Shapes.Select(s => (s.Key, s.Value.Hidden)).Order(), graph.Agents.Select(a => (a.Name, a.HiddenSize)).Order());
        Assert.Equal([("Planner", "Critic", 48, 64), ("Critic", "Solver", 64, 48), ("Solver", "Planner", 48, 48)],
            graph.Edges.Select(e => (e.From, e.To, e.FromHiddenSize, e.ToHiddenSize)));

        // The example's config.json files are the fixture's models' (plus a vision_config, as on the Hub).
        foreach (var agent in PaperPresets.SequentialScaled.Agents)
        {
            string folder = Path.GetFileName(tiny.ModelDirectory(agent.Name));
            var committed = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "PaperPresets", "tiny", folder, "config.json")))!.AsObject();
            var written = JsonNode.Parse(File.ReadAllText(Path.Combine(tiny.ModelDirectory(agent.Name), "config.json")))!.AsObject();
            committed.Remove("vision_config");
            Assert.True(JsonNode.DeepEquals(written, committed), $"{folder}/config.json differs from the fixture's");
        }
    }

    [Fact]
    public void TheTinyDeclarationLoadsTheFixturesModelsAndSolvesTwoRounds()
    {
        using var team = PaperPresetsExample.TinyScaled.TinyScaledTeam.Load(Path.Combine(tiny.Root, PaperPresets.ModelsFolder),
            Path.Combine(tiny.Root, "no-links"), options: new SystemLoadOptions { AllowUntrainedLinks = true, UntrainedLinkSeed = 9 });
        Assert.Equal([ModelsFamily("Planner"), ModelsFamily("Critic"), ModelsFamily("Solver")],
            team.Runtime.Agents.Select(a => a.Model.Config.Family.ToString()));
        var result = team.Solve("What is 12 plus 30?", new RunOptions { Decoding = new DecodingDescription { MaxNewTokens = 4, RetryWithoutBoxedAnswer = false } });
        Assert.Equal(6, result.Steps.Count);
        Assert.True(Assert.Single(result.Answers).GeneratedTokens > 0);
    }

    static string ModelsFamily(string agent) => TinyScaledSystem.Shapes[agent].Family switch
    {
        "gemma3" => "Gemma3",
        "llama" => "Llama",
        _ => "Qwen35",
    };
}
