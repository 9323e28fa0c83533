using System.Collections;
using System.Text.Json.Nodes;
using RecursiveMas.Links;
using RecursiveMas.Models;
using RecursiveMas.Presets;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;
using RecursiveMas.Training;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Presets;

/// <summary>
/// The Sequential-Scaled preset over tiny random Gemma3 (multimodal) → Llama → Qwen3.5 (multimodal) agents:
/// it loads from the nested configs, runs two rounds, trains one outer step, and imports link files laid out
/// as the release lays them out.
/// </summary>
public sealed class TinyScaledPresetTests(TinyScaledSystem tiny) : IClassFixture<TinyScaledSystem>
{
    [Fact]
    public void TheModelsHaveTheHubsNestedConfigs()
    {
        foreach (var agent in new[] { "Planner", "Solver" })
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(tiny.ModelDirectory(agent), "config.json")))!.AsObject();
            Assert.Null(json["hidden_size"]);
            Assert.Equal(TinyScaledSystem.Shapes[agent].Hidden, (int)json["text_config"]!["hidden_size"]!);
        }
        Assert.Equal("gemma3", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(tiny.ModelDirectory("Planner"), "config.json")))!["model_type"]);
        Assert.Equal("qwen3_5", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(tiny.ModelDirectory("Solver"), "config.json")))!["model_type"]);
    }

    [Fact]
    public void ItLoadsRunsTwoRoundsAndTrainsOneOuterStep()
    {
        using var system = tiny.Load(latentSteps: 3, rounds: 2);
        Assert.Equal(
            [("Planner", ModelFamily.Gemma3, 48, true), ("Critic", ModelFamily.Llama, 64, false), ("Solver", ModelFamily.Qwen35, 48, true)],
            system.Agents.Select(a => (a.Name, a.Model.Config.Family, a.HiddenSize, a.Model.Config.Multimodal)));
        Assert.Equal("Solver", system.Plan.Decoder);
        Assert.Equal((48, 64), (system.Link("Planner", "Critic").InDim, system.Link("Planner", "Critic").OutDim));
        Assert.Equal((64, 48), (system.Link("Critic", "Solver").InDim, system.Link("Critic", "Solver").OutDim));

        var messages = new List<(string From, string To, int Round, long[] Shape)>();
        var result = RecursiveRunner.Solve(system, "What is 12 plus 30?",
            new RunOptions { Rounds = 2, OnMessage = m => messages.Add((m.Edge.From, m.Edge.To, m.Round, m.Vectors.shape)) });
        Assert.Equal(2, result.Rounds);
        Assert.Equal(
            [("Planner", 1), ("Critic", 1), ("Solver", 1), ("Planner", 2), ("Critic", 2), ("Solver", 2)],
            result.Steps.Select(s => (s.Agent, s.Round)));
        Assert.Equal([("Planner", "Critic", 1), ("Critic", "Solver", 1), ("Solver", "Planner", 1), ("Planner", "Critic", 2), ("Critic", "Solver", 2)],
            messages.Select(m => (m.From, m.To, m.Round)));
        // A message is m = 3 vectors in the receiver's embedding space.
        Assert.All(messages, m => Assert.Equal([1, 3, TinyScaledSystem.Shapes[m.To].Hidden], m.Shape));
        var answer = Assert.Single(result.Answers);
        Assert.True(answer.GeneratedTokens > 0);

        // One outer step: the outer links move, the inner links and the models do not.
        var before = system.AllLinks.ToDictionary(l => l.Id, l => l.parameters().Select(p => p.detach().clone()).ToList());
        string modelsBefore = RecursiveMas.Tests.Training.OuterTrainingTests.ModelHash(system);
        var data = new[]
        {
            new TrainingExample("What is 12 plus 30?",
                new Dictionary<string, string> { ["Planner"] = "Step 1: add 12 and 30.", ["Critic"] = "Step 1: 12 plus 30 is 42." }, "\\boxed{42}"),
            new TrainingExample("What is 2 plus 3?",
                new Dictionary<string, string> { ["Planner"] = "Step 1: add 2 and 3.", ["Critic"] = "Step 1: 2 plus 3 is 5." }, "\\boxed{5}"),
        };
        var report = LinkTrainer.TrainOuter(system, data, new TrainingOptions { Steps = 1, BatchSize = 2, Rounds = 2, LearningRate = 1e-2, WarmupSteps = 0, Seed = 1 });
        var stage = Assert.Single(report.Stages);
        Assert.Equal(1, stage.Steps);
        Assert.Equal(0, stage.SkippedSteps);
        Assert.True(double.IsFinite(stage.FirstLoss) && stage.FirstLoss > 0, $"loss {stage.FirstLoss}");
        foreach (var link in system.AllLinks)
        {
            bool changed = link.parameters().Zip(before[link.Id]).Any(p => !p.First.detach().equal(p.Second).all().item<bool>());
            Assert.True(changed == link is OuterLink, $"{link.Id} {(changed ? "changed" : "did not change")}");
        }
        Assert.Equal(modelsBefore, RecursiveMas.Tests.Training.OuterTrainingTests.ModelHash(system));
    }

    /// <summary>Writes a state dict as a .pt file (PyBridge's torch.save-compatible writer).</summary>
    static void SavePt(string path, RecursiveLink link)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var table = new Hashtable();
        foreach (var (name, p) in link.named_parameters())
            table[name] = p.detach().to(ScalarType.BFloat16);
        PyTorchPickler.PickleStateDict(path, table);
    }

    [Fact]
    public void LinkFilesInTheReleasedLayoutAreImportedWithoutAnyLinkOfOurs()
    {
        // The release's layout: adapter(math).pt beside each agent's model, and a task-scoped outerlink_config.json
        // naming each key's file in the outer-links repository.
        var preset = PaperPresets.SequentialScaled;
        var originals = new List<RecursiveLink>();
        try
        {
            using (var untrained = tiny.Load())
            {
                using (no_grad())
                    foreach (var link in untrained.AllLinks)
                        foreach (var p in link.parameters())
                            p.add_(0.05);
                foreach (var agent in preset.Agents)
                {
                    SavePt(Path.Combine(tiny.ModelDirectory(agent.Name), "adapter(math).pt"), untrained.Agent(agent.Name).InnerLink);
                    File.WriteAllText(Path.Combine(tiny.ModelDirectory(agent.Name), "adapter_config.json"), """{"adapter_type": "ln_res_adapter"}""");
                }
                string outerDir = Path.Combine(tiny.Root, PaperPresets.ModelFolder(preset.OuterRepoId));
                var entries = new JsonArray();
                foreach (var l in preset.OuterLinks)
                {
                    SavePt(Path.Combine(outerDir, "math", l.Key + ".pt"), untrained.Link(l.From, l.To));
                    entries.Add(new JsonObject { ["legacy_key"] = l.Key, ["filename"] = $"math/{l.Key}.pt" });
                }
                File.WriteAllText(Path.Combine(outerDir, ReleasedLinkFiles.OuterManifestFileName),
                    new JsonObject { ["tasks"] = new JsonObject { ["math"] = new JsonObject { ["adapters"] = entries } } }.ToJsonString());
                File.WriteAllText(Path.Combine(outerDir, "math", OfficialLinkConfig.OuterConfigFileName),
                    """{"outer_12_type": "outer_ln_res_adapter", "outer_23_type": "outer_ln_res_adapter", "outer_31_type": "outer_ln_res_adapter"}""");
                foreach (var link in untrained.AllLinks)
                {
                    var copy = link is OuterLink o ? (RecursiveLink)new OuterLink(o.From, o.To, o.InDim, o.OutDim, o.Architecture) : new InnerLink(link.Id["inner.".Length..], link.InDim, link.Architecture);
                    using (no_grad())
                        foreach (var (mine, theirs) in copy.parameters().Zip(link.parameters()))
                            mine.copy_(theirs.to(ScalarType.BFloat16).to(ScalarType.Float32));
                    originals.Add(copy);
                }
            }

            // No links folder and no untrained links allowed: every link must come from the release's files.
            using var system = tiny.Load(allowUntrained: false);
            Assert.Equal(originals.Select(l => l.Id).Order(), system.ImportedLinkIds.Order());
            foreach (var expected in originals)
            {
                var actual = system.AllLinks.Single(l => l.Id == expected.Id);
                foreach (var (e, a) in expected.parameters().Zip(actual.parameters()))
                    TensorAssert.Close(e, a, 0, expected.Id);
            }
            Assert.All(SystemOverview.Of(system).Links, l => Assert.True(l.Trained));

            // A file of the wrong width is refused, naming the file.
            using (var wide = new InnerLink("Planner", 64))
                SavePt(Path.Combine(tiny.ModelDirectory("Planner"), "adapter(math).pt"), wide);
            var e2 = Assert.Throws<ModelFileException>(() => tiny.Load(allowUntrained: false));
            Assert.EndsWith("adapter(math).pt", e2.FilePath);
            Assert.Contains("hidden size 48", e2.Message);
        }
        finally
        {
            foreach (var l in originals)
                l.Dispose();
            foreach (var agent in preset.Agents)
            {
                File.Delete(Path.Combine(tiny.ModelDirectory(agent.Name), "adapter(math).pt"));
                File.Delete(Path.Combine(tiny.ModelDirectory(agent.Name), "adapter_config.json"));
            }
            string outer = Path.Combine(tiny.Root, PaperPresets.ModelFolder(preset.OuterRepoId));
            if (Directory.Exists(outer))
                Directory.Delete(outer, recursive: true);
        }
    }
}
