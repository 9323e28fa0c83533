using RecursiveMas.Cli;
using RecursiveMas.Models;
using RecursiveMas.Pretraining;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Tokenization;
using RecursiveMas.Tokenization;
using RecursiveMas.Zoo;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Pretraining;

public sealed class PretrainingTests
{
    static readonly IReadOnlyList<TaskExample> Data = TaskSplits.Generate(TaskKind.Arithmetic, 1, 24, 0, 0).Train;
    static readonly SystemDescription[] Systems = [AgentZoo.Sequential(ZooBudget.Tiny)];
    static readonly PretrainingOptions Few = new() { Steps = 4, BatchSize = 3, Seed = 5, MaxLength = 400 };

    static TinyDecoderShape Shape(ModelFamily family) => TinyDecoderShape.For(family, 32, 1, 300);

    [Theory]
    [InlineData(ModelFamily.Llama)]
    [InlineData(ModelFamily.Qwen2)]
    [InlineData(ModelFamily.Qwen3)]
    public void WeightStorageHoldsEveryWeightOnceAndGradientsLandOnTheFusedStorage(ModelFamily family)
    {
        using var model = new CausalLM(Shape(family).ToConfig(300));
        model.InitializeRandom(3);
        var storage = model.WeightStorage();
        Assert.Equal(model.Config.ParameterCount, storage.Sum(s => s.Tensor.numel()));
        Assert.Contains(storage, s => s.Name == "model.layers.0.self_attn.qkv.weight");
        Assert.Contains(storage, s => s.Name == "model.layers.0.mlp.gate_up.weight");
        Assert.DoesNotContain(storage, s => s.Name.Contains("q_proj") || s.Name.Contains("gate_proj"));
        Assert.Equal(family == ModelFamily.Qwen2, storage.Any(s => s.Name == "model.layers.0.self_attn.qkv.bias"));

        model.SetWeightsTrainable(true);
        var output = model.Forward(new ForwardInput { InputIds = tensor(new long[] { 5, 9, 20, 7 }, [1, 4]), LogitsToKeep = CausalLM.AllPositions });
        output.Logits!.square().mean().backward();
        var qkv = storage.Single(s => s.Name == "model.layers.0.self_attn.qkv.weight").Tensor;
        Assert.NotNull(qkv.grad);
        Assert.True(qkv.grad!.abs().sum().item<float>() > 0);
        var qView = model.named_parameters().Single(p => p.name == "model.layers.0.self_attn.q_proj.weight").parameter;
        Assert.Null(qView.grad);
        model.SetWeightsTrainable(false);
        Assert.All(storage, s => Assert.False(s.Tensor.requires_grad));
    }

    [Fact]
    public void TrainingChangesTheCheckpointNamedViewsAndASavedModelReloadsToIdenticalLogits()
    {
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "solver");
        var report = AgentPretraining.Pretrain(Systems, TaskRoles.Solver, Data, Shape(ModelFamily.Qwen2), output, Few with { Steps = 3 });
        Assert.Equal(3, report.Steps);
        foreach (var file in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.DoesNotContain(Directory.EnumerateDirectories(dir.Path), d => d.Contains(".partial-"));

        // A fresh random model with the same seed differs from the trained one in the q/k/v views.
        using var trained = CausalLM.FromPretrained(output);
        using var initial = new CausalLM(trained.Config);
        initial.InitializeRandom(Few.Seed, std: 0.02);
        Tensor Q(CausalLM m) => m.named_parameters().Single(p => p.name == "model.layers.0.self_attn.q_proj.weight").parameter;
        Tensor Gate(CausalLM m) => m.named_parameters().Single(p => p.name == "model.layers.0.mlp.gate_proj.weight").parameter;
        Assert.False(Q(initial).eq(Q(trained)).all().item<bool>());
        Assert.False(Gate(initial).eq(Gate(trained)).all().item<bool>());

        // Saved and reloaded: the same logits, bit for bit.
        var tokenizer = ModelTokenizer.Load(output);
        var ids = tokenizer.Encode("Ava has 7 coins. Ava gets 5 more.");
        using var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Count]);
        string again = Path.Combine(dir.Path, "again");
        trained.SavePretrained(again);
        using var reloaded = CausalLM.FromPretrained(again);
        using var a = trained.Forward(new ForwardInput { InputIds = input, LogitsToKeep = CausalLM.AllPositions }).Logits!;
        using var b = reloaded.Forward(new ForwardInput { InputIds = input, LogitsToKeep = CausalLM.AllPositions }).Logits!;
        Assert.True(a.eq(b).all().item<bool>());
    }

    [Fact]
    public void ARunRemovesTheStagingFolderADeadRunLeftAndKeepsALiveOnes()
    {
        // A run ended by a second signal leaves OUT.partial-PID, which nothing removed: each such run added one.
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "solver");
        string dead = output + ".partial-" + RecursiveMas.Tests.IO.StagingFolderTests.DeadPid(), live = output + ".partial-1";
        foreach (string folder in new[] { dead, live })
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "config.json"), "{}");
        }

        AgentPretraining.Pretrain(Systems, TaskRoles.Solver, Data, Shape(ModelFamily.Qwen2), output, Few with { Steps = 1 });

        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
        Assert.False(Directory.Exists(dead), "the staging folder of a run that is gone was kept");
        Assert.True(Directory.Exists(live), "the staging folder of a running process (PID 1) was removed");
        Assert.Equal([live], Directory.EnumerateDirectories(dir.Path, "*.partial-*"));
    }

    /// <summary>The weights a run with <paramref name="seed"/> writes, from a folder of its own.</summary>
    static byte[] WeightsOfARun(long seed)
    {
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "solver");
        AgentPretraining.Pretrain(Systems, TaskRoles.Solver, Data, Shape(ModelFamily.Qwen2), output, Few with { Steps = 1, Seed = seed });
        return File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
    }

    [Fact]
    public void ARunOverAnExistingModelSwapsInTheNewOneAndRemovesWhatAKilledRunLeftBesideIt()
    {
        // The old model was deleted before the new one was renamed in, and a run's folders beside the output were
        // removed only when they were staging folders: a run killed after its swap left OUT.old-PID for ever.
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "solver");
        AgentPretraining.Pretrain(Systems, TaskRoles.Solver, Data, Shape(ModelFamily.Qwen2), output, Few with { Steps = 1, Seed = 11 });
        string deadAside = $"{output}.old-{RecursiveMas.Tests.IO.StagingFolderTests.DeadPid()}";
        Directory.CreateDirectory(Path.Combine(deadAside, "solver"));
        File.WriteAllText(Path.Combine(deadAside, "solver", "config.json"), "{}");

        AgentPretraining.Pretrain(Systems, TaskRoles.Solver, Data, Shape(ModelFamily.Qwen2), output, Few with { Steps = 1, Seed = 12 });

        Assert.Equal([output], Directory.EnumerateDirectories(dir.Path));
        Assert.Equal(WeightsOfARun(12), File.ReadAllBytes(Path.Combine(output, "model.safetensors")));
    }

    [Fact]
    public void ARunAfterOneKilledBetweenItsRenamesLeavesOnlyItsOwnModel()
    {
        // Killed between deleting the old model and renaming the new one in, a run left no model folder, and the next
        // run's cleanup deleted the complete new model beside it as a half-written staging folder.
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "solver");
        int dead = RecursiveMas.Tests.IO.StagingFolderTests.DeadPid();
        AgentPretraining.Pretrain(Systems, TaskRoles.Solver, Data, Shape(ModelFamily.Qwen2), output, Few with { Steps = 1, Seed = 11 });
        Directory.Move(output, $"{output}.partial-{dead}");
        Directory.CreateDirectory($"{output}.old-{dead}");

        AgentPretraining.Pretrain(Systems, TaskRoles.Solver, Data, Shape(ModelFamily.Qwen2), output, Few with { Steps = 1, Seed = 12 });

        Assert.Equal([output], Directory.EnumerateDirectories(dir.Path));
        Assert.Equal(WeightsOfARun(12), File.ReadAllBytes(Path.Combine(output, "model.safetensors")));
    }

    [Fact]
    public void TheSameSeedWritesBitIdenticalWeightsAndAnotherSeedDoesNot()
    {
        using var dir = new TempDirectory();
        byte[] Run(string name, long seed)
        {
            string output = Path.Combine(dir.Path, name);
            AgentPretraining.Pretrain(Systems, TaskRoles.Planner, Data, Shape(ModelFamily.Qwen3), output, Few with { Seed = seed });
            return File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
        }
        var first = Run("a", 11);
        Assert.Equal(first, Run("b", 11));
        Assert.NotEqual(first, Run("c", 12));
    }

    [Fact]
    public void EmbeddingNoiseIsSeededAndChangesTheWeights()
    {
        using var dir = new TempDirectory();
        byte[] Run(string name, double noisyShare)
        {
            string output = Path.Combine(dir.Path, name);
            AgentPretraining.Pretrain(Systems, TaskRoles.Planner, Data, Shape(ModelFamily.Qwen3), output, Few with { Seed = 11, NoisyShare = noisyShare, NoiseScale = 0.5 });
            return File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
        }
        var noisy = Run("a", 1.0);
        Assert.Equal(noisy, Run("b", 1.0));
        Assert.NotEqual(noisy, Run("c", 0.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => (Few with { NoisyShare = 1.5 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (Few with { NoiseScale = double.NaN }).Validate());
    }

    [Fact]
    public void EndOfTurnPaddingFollowsTargetsAndMessages()
    {
        var chat = ChatTemplate.Detect(null, "qwen2");
        int Trailing(string text, string marker)
        {
            int n = 0;
            while (text.EndsWith(marker, StringComparison.Ordinal))
            { text = text[..^marker.Length]; n++; }
            return n;
        }
        var plain = RoleCorpus.Build(Systems, TaskRoles.Critic, chat, "<E>", Data, 3, new MessageFilling { ForwardOdds = 1 });
        Assert.All(plain, c => Assert.Equal(1, Trailing(c.Target, "<E>")));
        Assert.All(plain, c => Assert.DoesNotContain("<E>", c.Prompt));
        var padded = RoleCorpus.Build(Systems, TaskRoles.Critic, chat, "<E>", Data, 3, new MessageFilling { ForwardOdds = 1, EndOfTurnPadding = 5 });
        Assert.All(padded, c => Assert.InRange(Trailing(c.Target, "<E>"), 1, 6));
        Assert.Contains(padded, c => Trailing(c.Target, "<E>") > 1);
        // The plan in the prompt is followed by 0–5 markers before the rest of the template.
        Assert.Contains(padded, c => c.Prompt.Contains(".<E> Carry out", StringComparison.Ordinal));
        Assert.Contains(padded, c => c.Prompt.Contains(". Carry out", StringComparison.Ordinal));
        Assert.Throws<ArgumentOutOfRangeException>(() => RoleCorpus.Build(Systems, TaskRoles.Critic, chat, "<E>", Data, 3, new MessageFilling { EndOfTurnPadding = -1 }));
    }

    [Fact]
    public void TrailingFragmentsFollowMessagesButNeverTargets()
    {
        var chat = ChatTemplate.Detect(null, "qwen2");
        var plans = Data.Select(e => e.Roles[TaskRoles.Planner]).ToList();
        var plain = RoleCorpus.Build(Systems, TaskRoles.Critic, chat, "<E>", Data, 3, new MessageFilling { ForwardOdds = 1 });
        var tailed = RoleCorpus.Build(Systems, TaskRoles.Critic, chat, "<E>", Data, 3, new MessageFilling { ForwardOdds = 1, TrailingFragmentOdds = 1 });
        // Targets are untouched: the critic's own text and one marker, as without fragments.
        Assert.Equal(plain.Select(c => c.Target), tailed.Select(c => c.Target));
        foreach (var conversation in tailed)
        {
            // The plan, a marker, then the tail of some example's plan (whole words) and the rest of the template.
            int marker = conversation.Prompt.IndexOf("<E>", StringComparison.Ordinal);
            Assert.True(marker > 0, conversation.Prompt);
            string after = conversation.Prompt[(marker + 3)..];
            string fragment = after[..after.IndexOf(" Carry out", StringComparison.Ordinal)];
            Assert.NotEmpty(fragment);
            Assert.Contains(plans, p => p.EndsWith(fragment, StringComparison.Ordinal) && (p.Length == fragment.Length || p[^(fragment.Length + 1)] == ' '));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => RoleCorpus.Build(Systems, TaskRoles.Critic, chat, "<E>", Data, 3, new MessageFilling { TrailingFragmentOdds = 1.5 }));
    }

    [Fact]
    public void LossFallsOnARepeatedCorpus()
    {
        using var dir = new TempDirectory();
        var report = AgentPretraining.Pretrain(Systems, TaskRoles.Critic, Data.Take(4).ToList(), Shape(ModelFamily.Llama),
            Path.Combine(dir.Path, "critic"), new PretrainingOptions { Steps = 40, BatchSize = 4, LearningRate = 1e-2, WarmupSteps = 5, Seed = 2 });
        Assert.True(report.FinalLoss < report.InitialLoss * 0.6, $"loss {report.InitialLoss} → {report.FinalLoss}");
    }

    [Fact]
    public void TheCorpusUsesTheAgentsPromptsFillsOrEmptiesMessagesAndEndsTurns()
    {
        var chat = ChatTemplate.For(ChatTemplateKind.ChatMl);
        var solver = RoleCorpus.Build(Systems, TaskRoles.Solver, chat, "<|im_end|>", Data, seed: 3);
        Assert.Equal(2 * Data.Count, solver.Count);
        Assert.All(solver, c => Assert.EndsWith("}.<|im_end|>", c.Target));
        Assert.All(solver, c => Assert.EndsWith("<|im_start|>assistant\n", c.Prompt));
        Assert.Contains(solver, c => c.Prompt.Contains("Please reason step by step"));
        var withSteps = solver.Where(c => c.Prompt.Contains("Worked steps: ")).ToList();
        Assert.Contains(withSteps, c => c.Prompt.Contains(" = "));
        Assert.Contains(withSteps, c => c.Prompt.Contains("Worked steps:  Question:"));
        var critic = RoleCorpus.Build(Systems, TaskRoles.Critic, chat, "<|im_end|>", Data, seed: 3);
        Assert.Equal(Data.Count, critic.Count);
        Assert.Contains(critic, c => c.Prompt.Contains("Plan: Start with"));
        Assert.Contains(critic, c => c.Prompt.Contains("Plan:  Carry out"));

        // The zoo's filling: the critic always reads a plan, the solver always reads worked steps and never
        // learns the single-agent prompt, the planner reads feedback some of the time.
        var alwaysPlan = RoleCorpus.Build(Systems, TaskRoles.Critic, chat, "<|im_end|>", Data, 3, AgentZoo.Filling(TaskRoles.Critic, ZooBudget.Shipped));
        Assert.All(alwaysPlan, c => Assert.Contains("Plan: Start with", c.Prompt));
        var zooSolver = RoleCorpus.Build(Systems, TaskRoles.Solver, chat, "<|im_end|>", Data, 3, AgentZoo.Filling(TaskRoles.Solver, ZooBudget.Shipped));
        Assert.Equal(Data.Count, zooSolver.Count);
        Assert.All(zooSolver, c => Assert.Contains(" = ", c.Prompt));
        var planner = RoleCorpus.Build(Systems, TaskRoles.Planner, chat, "<|im_end|>", Data, 3, AgentZoo.Filling(TaskRoles.Planner, ZooBudget.Shipped));
        Assert.Contains(planner, c => c.Prompt.Contains("Feedback from the previous round: The answer is"));
        Assert.Contains(planner, c => c.Prompt.Contains("Feedback from the previous round:  Give a plan."));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            RoleCorpus.Build(Systems, TaskRoles.Critic, chat, "", Data, 3, new MessageFilling { ForwardOdds = 1.5 }));

        var missing = Data.Select(e => e with { Roles = new Dictionary<string, string> { [TaskRoles.Solver] = e.Answer } }).ToList();
        var error = Assert.Throws<ArgumentException>(() => RoleCorpus.Build(Systems, TaskRoles.Critic, chat, "<|im_end|>", missing, 3));
        Assert.Contains("agent critic", error.Message);
        Assert.Throws<ArgumentException>(() => RoleCorpus.Build(Systems, "judge", chat, "", Data, 3));
    }

    /// <summary>
    /// Where an example's roles change by round, each conversation stands for one round: the prompt says
    /// which, the agent writes that round's text, and the feedback is what the solver wrote the round before.
    /// </summary>
    [Fact]
    public void EachRoundIsLearnedWithItsNumberItsTextAndTheRoundBeforesFeedback()
    {
        var chat = ChatTemplate.For(ChatTemplateKind.ChatMl);
        var chains = TaskSplits.Generate(TaskKind.ArithmeticLong, 1, 60, 0, 0, operationsPerRound: 4).Train;
        // The zoo's system with a planner told which round it is (its window of operations starts there).
        var zoo = Systems[0];
        SystemDescription[] systems = [zoo with
        {
            Agents = zoo.Agents.Select(a => a.Name != TaskRoles.Planner ? a : a with
            {
                Prompts = a.Prompts.Select(p => p.Use != PromptUse.LaterRounds ? p
                    : p with { Template = p.Template.Replace(" Give a plan.", " This is round {round}. Give a plan.", StringComparison.Ordinal) }).ToList(),
            }).ToList(),
        }];
        Assert.Contains(systems[0].Agents, a => a.Prompts.Any(p => p.Template.Contains("{round}")));
        var planner = RoleCorpus.Build(systems, TaskRoles.Planner, chat, "<E>", chains, 3,
            new MessageFilling { FeedbackOdds = 1, SingleAgentPrompt = false });
        Assert.Equal(chains.Count, planner.Count);
        var rounds = new HashSet<int>();
        for (int i = 0; i < chains.Count; i++)
        {
            var (e, c) = (chains[i], planner[i]);
            Assert.DoesNotContain("{round}", c.Prompt);
            int round = c.Prompt.Contains("This is round 2.") ? 2 : c.Prompt.Contains("This is round 3.") ? 3 : 1;
            rounds.Add(round);
            Assert.Equal(e.RolesIn(round)[TaskRoles.Planner] + "<E>", c.Target);
            if (round > 1)
                Assert.Contains($"Feedback from the previous round: {e.RolesIn(round - 1)[TaskRoles.Solver]} This is round {round}.", c.Prompt);
        }
        Assert.Equal([1, 2, 3], rounds.Order());
        // The critic's "always" prompt learns every round's window too, each with that round's plan.
        var critic = RoleCorpus.Build(systems, TaskRoles.Critic, chat, "<E>", chains, 3, new MessageFilling { ForwardOdds = 1 });
        var criticRounds = critic.Select((c, i) => Enumerable.Range(1, 3).First(r =>
            c.Target == chains[i].RolesIn(r)[TaskRoles.Critic] + "<E>" && c.Prompt.Contains($"Plan: {chains[i].RolesIn(r)[TaskRoles.Planner]} Carry out")));
        Assert.Equal([1, 2, 3], criticRounds.Distinct().Order());
    }

    [Fact]
    public void TheCommandPretrainsAndFineTunesTheSftBaseline()
    {
        using var dir = new TempDirectory();
        string system = Path.Combine(dir.Path, "SYSTEM.json"), data = Path.Combine(dir.Path, "train.jsonl");
        Systems[0].Save(system);
        TaskDataFile.Write(data, Data);
        string solver = Path.Combine(dir.Path, "solver"), sft = Path.Combine(dir.Path, "sft");
        var (code, output) = CliRunner.Run("pretrain", "--system", system, "--agent", "solver", "--data", data, "--family", "llama",
            "--hidden", "32", "--layers", "1", "--vocab", "300", "--steps", "2", "--batch", "2", "--out", solver, "--json");
        Assert.True(code == ExitCodes.Success, output);
        Assert.Contains("\"steps\":2", output);
        (code, output) = CliRunner.Run("pretrain", "--system", system, "--from", solver, "--data", data, "--steps", "2", "--batch", "2", "--out", sft);
        Assert.True(code == ExitCodes.Success, output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(solver, "tokenizer.json")), File.ReadAllBytes(Path.Combine(sft, "tokenizer.json")));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(solver, "model.safetensors")), File.ReadAllBytes(Path.Combine(sft, "model.safetensors")));

        (code, output) = CliRunner.Run("pretrain", "--system", system, "--agent", "judge", "--data", data, "--out", Path.Combine(dir.Path, "x"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("judge", output);

        // A shape the decoder cannot have is a usage error naming its option, before the data is read. (--vocab: the
        // tokenizer's floor was exit 1 after the data loaded, naming no option; past config.json's bound it sized tables by it.)
        foreach (var (option, value, message) in new[]
        {
            ("--hidden", "63", "--hidden 63: the hidden size must be a positive multiple of 32"),
            ("--layers", "5000", "--layers 5000: the layer count must be between 1 and 1024"),
            ("--vocab", "0", "--vocab 0: the vocabulary must hold at least 261"),
            ("--vocab", "2000000000", "--vocab 2000000000: the vocabulary must be at most 4194304"),
        })
        {
            (code, output) = CliRunner.Run("pretrain", "--system", system, "--agent", "solver", "--data", "/nonexistent.jsonl", option, value, "--out", Path.Combine(dir.Path, "y"));
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains(message, output);
        }
    }

    [Fact]
    public void ALearningRateThatBreaksTheModelABatchPastTheDataAndAHugeStepCountAreInputErrorsNotCrashes()
    {
        using var dir = new TempDirectory();
        string system = Path.Combine(dir.Path, "SYSTEM.json"), data = Path.Combine(dir.Path, "train.jsonl");
        Systems[0].Save(system);
        TaskDataFile.Write(data, Data.Take(4).ToList());
        string[] tiny = ["pretrain", "--system", system, "--agent", "solver", "--data", data, "--hidden", "32", "--layers", "1", "--vocab", "300"];

        // A learning rate that turns the loss NaN was an InvalidOperationException: exit 70, "internal error".
        var (code, output) = CliRunner.Run([.. tiny, "--steps", "8", "--batch", "2", "--lr", "1e30", "--out", Path.Combine(dir.Path, "a")]);
        Assert.True(code == ExitCodes.InvalidInput, output);
        Assert.Contains("training diverged at step", output);
        Assert.DoesNotContain("internal error", output);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "a")), "a diverged run left a model behind");

        // A batch past the conversations only repeats them; one near int.MaxValue was an OutOfMemoryException.
        (code, output) = CliRunner.Run([.. tiny, "--steps", "1", "--batch", "2000000000", "--out", Path.Combine(dir.Path, "b")]);
        Assert.True(code == ExitCodes.InvalidInput, output);
        Assert.Contains("a batch of 2000000000 conversations is more than the", output);

        // The loss list was allocated for every step up front: int.MaxValue steps was an OutOfMemoryException before the first.
        using var cancel = new CancellationTokenSource();
        var options = Few with { Steps = int.MaxValue, BatchSize = 2, OnProgress = _ => cancel.Cancel() };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            AgentPretraining.Pretrain(Systems, TaskRoles.Solver, Data.Take(4).ToList(), Shape(ModelFamily.Llama), Path.Combine(dir.Path, "c"), options, cancel.Token));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "c")));
    }
}
