using System.Text.Json.Nodes;
using RecursiveMas.Cli;
using RecursiveMas.Models;
using RecursiveMas.Models.Lora;
using RecursiveMas.Models.SafeTensors;
using RecursiveMas.Pretraining;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Tokenization;
using RecursiveMas.Tokenization;
using RecursiveMas.Zoo;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Pretraining;

/// <summary>The LoRA baseline (PAPER §6.2): adapters on a frozen decoder, trained like SFT, saved and loaded in PEFT's layout.</summary>
public sealed class LoraTests
{
    static readonly IReadOnlyList<TaskExample> Data = TaskSplits.Generate(TaskKind.Arithmetic, 1, 24, 0, 0).Train;
    static readonly SystemDescription System = AgentZoo.Sequential(ZooBudget.Tiny);
    static readonly long[] Ids = [5, 9, 20, 7, 3, 11];

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    static Tensor Logits(CausalLM model)
    {
        using var noGrad = no_grad();
        return model.Forward(new ForwardInput { InputIds = tensor(Ids, [1, Ids.Length]), LogitsToKeep = CausalLM.AllPositions }).Logits!.detach().clone();
    }

    /// <summary>A solver directory (pre-trained a little: a random model's output layer is too small for any adapter to move its loss) and its single-agent conversations.</summary>
    static (string Directory, IReadOnlyList<RoleConversation> Conversations) Solver(string root)
    {
        string solver = Path.Combine(root, "solver");
        AgentPretraining.Pretrain([System], TaskRoles.Solver, Data, TinyDecoderShape.For(ModelFamily.Llama, 32, 1, 300), solver,
            new PretrainingOptions { Steps = 30, BatchSize = 4, LearningRate = 1e-2, WarmupSteps = 5, Seed = 5, MaxLength = 400 });
        return (solver, AgentPretraining.SingleAgentConversations(System, solver, Data));
    }

    [Theory]
    [MemberData(nameof(TinyModels.AllFamilies), MemberType = typeof(TinyModels))]
    public void ZeroInitialisedBLeavesTheModelExactlyAsItWasAndANonZeroBChangesIt(string family)
    {
        using var model = TinyModels.Create(TinyModels.ByName(family));
        var before = Logits(model);
        using (var adapter = LoraAdapter.Create(model, new LoraConfig { Rank = 4, Alpha = 8 }, seed: 3))
        {
            // Every linear projection of the decoder layers, fused parts included, and not the LM head.
            Assert.Contains("model.layers.0.mlp.down_proj", adapter.Modules);
            Assert.DoesNotContain(adapter.Modules, m => m.EndsWith("lm_head", StringComparison.Ordinal));
            Assert.Contains(family == "qwen3_5" ? "model.layers.0.linear_attn.in_proj_qkv" : "model.layers.0.self_attn.k_proj", adapter.Modules);
            Assert.True(Same(before, Logits(model)), "B = 0 must give the base model's logits bit for bit");

            using (no_grad())
                foreach (var (key, b) in adapter.Parameters.Where(p => p.Key.Contains("lora_B")))
                    b.fill_(0.01);
            Assert.False(allclose(before, Logits(model), rtol: 0, atol: 1e-6), "a non-zero update must change the output");
        }
        // Disposed: the adapters are gone and the base model computes what it did.
        Assert.True(Same(before, Logits(model)));
    }

    [Fact]
    public void TrainingLowersTheLossAndChangesOnlyTheAdapters()
    {
        using var dir = new TempDirectory();
        var (solver, conversations) = Solver(dir.Path);
        using var model = CausalLM.FromPretrained(solver);
        var baseWeights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        using var adapter = LoraAdapter.Create(model, new LoraConfig { Rank = 4, Alpha = 8 }, seed: 1);
        var initial = adapter.Parameters.ToDictionary(p => p.Key, p => p.Tensor.detach().clone());

        var report = CausalLmTrainer.TrainAdapter(model, adapter, ModelTokenizer.Load(solver), conversations.Take(4).ToList(),
            new PretrainingOptions { Steps = 40, BatchSize = 4, LearningRate = 1e-2, WarmupSteps = 5, Seed = 2, MaxLength = 400 });

        Assert.True(report.FinalLoss < report.InitialLoss * 0.9, $"loss {report.InitialLoss} → {report.FinalLoss}");
        Assert.Equal(adapter.ParameterCount, report.Parameters);
        Assert.All(model.state_dict(), kv => Assert.True(Same(baseWeights[kv.Key], kv.Value), $"{kv.Key} changed"));
        Assert.All(adapter.Parameters, p => Assert.False(Same(initial[p.Key], p.Tensor), $"{p.Key} did not train"));
        Assert.All(adapter.Parameters, p => Assert.False(p.Tensor.requires_grad));
        Assert.All(model.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void ASavedAdapterIsPeftsLayoutAndReloadsToTheSameOutputAppliedOrMerged()
    {
        using var dir = new TempDirectory();
        var (solver, conversations) = Solver(dir.Path);
        string out1 = Path.Combine(dir.Path, "lora");
        var report = AgentPretraining.FineTuneLora(solver, conversations, out1,
            new PretrainingOptions { Steps = 6, BatchSize = 4, LearningRate = 1e-2, Seed = 2, MaxLength = 400 }, new LoraConfig { Rank = 4, Alpha = 16 });
        Assert.Equal([LoraConfig.ConfigFileName, LoraConfig.WeightsFileName], Directory.GetFiles(out1).Select(Path.GetFileName).Order());

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(out1, LoraConfig.ConfigFileName)))!;
        Assert.Equal("LORA", config["peft_type"]!.GetValue<string>());
        Assert.Equal(4, config["r"]!.GetValue<int>());
        Assert.Equal(16, config["lora_alpha"]!.GetValue<double>());
        Assert.Equal(["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], config["target_modules"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(solver, config["base_model_name_or_path"]!.GetValue<string>());
        using (var file = SafeTensorsFile.Open(Path.Combine(out1, LoraConfig.WeightsFileName)))
        {
            var q = file.GetInfo("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
            Assert.Equal([4L, 32L], q.Shape);
            Assert.Equal([32L, 4L], file.GetInfo("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight").Shape);
            Assert.Equal(7 * 2, file.Tensors.Count);
            Assert.Equal(report.Parameters, file.Tensors.Sum(t => t.ElementCount));
        }

        using var baseModel = CausalLM.FromPretrained(solver);
        var baseLogits = Logits(baseModel);
        Tensor adapted;
        using (var adapter = LoraAdapter.Load(out1, baseModel))
        {
            Assert.Equal(4, adapter.Config.Rank);
            adapted = Logits(baseModel);
            Assert.False(allclose(baseLogits, adapted, rtol: 0, atol: 1e-5), "the trained adapter must change the output");
            adapter.Merge();
        }
        var merged = Logits(baseModel);
        Assert.True(allclose(adapted, merged, rtol: 1e-4, atol: 1e-5), $"merged differs from applied by {(adapted - merged).abs().max().item<float>()}");

        // Loaded for a system: the decoder's model is adapted (merged at load), the saved model directory is not.
        var description = System with { ModelRoot = dir.Path, Agents = [.. System.Agents.Select(a => a with { Model = "solver" })] };
        using (var system = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true, Adapters = new Dictionary<string, string> { ["solver"] = out1 } }))
        {
            Assert.True(allclose(merged, Logits(system.Agent("solver").Model), rtol: 1e-4, atol: 1e-5));
            Assert.True(Same(baseLogits, Logits(system.Agent("planner").Model)), "an agent sharing the folder stays unadapted");
        }
        var error = Assert.Throws<ArgumentException>(() => RecursiveSystem.Load(description,
            new SystemLoadOptions { AllowUntrainedLinks = true, Adapters = new Dictionary<string, string> { ["judge"] = out1 } }));
        Assert.Contains("judge", error.Message);
    }

    [Fact]
    public void ABadAdapterFileNamesTheFileAndTheTensor()
    {
        using var dir = new TempDirectory();
        using var model = TinyModels.Create(TinyModels.Llama());
        string good = Path.Combine(dir.Path, "good");
        using (var adapter = LoraAdapter.Create(model, new LoraConfig { Rank = 4, TargetModules = ["q_proj", "v_proj"] }, seed: 1))
            adapter.Save(good);
        string weights = Path.Combine(good, LoraConfig.WeightsFileName);
        const string QA = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight";

        ModelFileException Fails(string name, Action<string> spoil)
        {
            string bad = Path.Combine(dir.Path, name);
            Directory.CreateDirectory(bad);
            foreach (var f in Directory.GetFiles(good))
                File.Copy(f, Path.Combine(bad, Path.GetFileName(f)));
            spoil(bad);
            var e = Assert.Throws<ModelFileException>(() => LoraAdapter.Load(bad, model));
            Assert.All(model.named_modules().Select(m => m.module).OfType<RecursiveMas.Models.Blocks.Projection>(), p => Assert.Null(p.Lora));
            return e;
        }
        Dictionary<string, Tensor> Stored()
        {
            using var file = SafeTensorsFile.Open(weights);
            return file.Tensors.ToDictionary(t => t.Name, t => file.Load(t.Name));
        }
        void Rewrite(string directory, Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>> change) =>
            SafeTensorsWriter.Write(Path.Combine(directory, LoraConfig.WeightsFileName), change(Stored()));

        // Missing tensor.
        var missing = Fails("missing", d => Rewrite(d, t => { t.Remove(QA); return t; }));
        Assert.Equal(QA, missing.Item);
        Assert.Contains(Path.Combine(dir.Path, "missing", LoraConfig.WeightsFileName), missing.Message);
        Assert.Contains("missing", missing.Detail);

        // Rank mismatch: the config says 8, the tensors hold 4.
        var rank = Fails("rank", d =>
        {
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(d, LoraConfig.ConfigFileName)))!;
            config["r"] = 8;
            File.WriteAllText(Path.Combine(d, LoraConfig.ConfigFileName), config.ToJsonString());
        });
        Assert.Equal(QA, rank.Item);
        Assert.Contains("rank mismatch", rank.Detail);
        Assert.Contains("r = 8", rank.Detail);

        // Wrong shape: an input width the model does not have.
        var shape = Fails("shape", d => Rewrite(d, t => { t[QA] = zeros(4, 16); return t; }));
        Assert.Equal(QA, shape.Item);
        Assert.Contains("shape mismatch", shape.Detail);

        // A tensor for a module the config does not target.
        const string Extra = "base_model.model.model.layers.0.self_attn.o_proj.lora_A.weight";
        var extra = Fails("extra", d => Rewrite(d, t => { t[Extra] = zeros(4, 32); return t; }));
        Assert.Equal(Extra, extra.Item);

        // Unsupported PEFT features are refused by name.
        var dora = Fails("dora", d =>
        {
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(d, LoraConfig.ConfigFileName)))!;
            config["use_dora"] = true;
            File.WriteAllText(Path.Combine(d, LoraConfig.ConfigFileName), config.ToJsonString());
        });
        Assert.Equal("use_dora", dora.Item);
        Assert.EndsWith(LoraConfig.ConfigFileName, dora.FilePath);
    }

    [Fact]
    public void TheCommandWritesAnAdapterAndRefusesLoraWithoutABaseModel()
    {
        using var dir = new TempDirectory();
        var (solver, _) = Solver(dir.Path);
        string system = Path.Combine(dir.Path, "SYSTEM.json"), data = Path.Combine(dir.Path, "train.jsonl"), lora = Path.Combine(dir.Path, "lora");
        System.Save(system);
        TaskDataFile.Write(data, Data);
        var (code, output) = CliRunner.Run("pretrain", "--system", system, "--from", solver, "--data", data, "--steps", "2", "--batch", "2",
            "--lora-rank", "2", "--lora-alpha", "4", "--lora-targets", "q_proj,v_proj", "--out", lora, "--json");
        Assert.True(code == ExitCodes.Success, output);
        var config = LoraConfig.Read(lora);
        Assert.Equal((2, 4.0, 2.0), (config.Rank, config.Alpha, config.Scale));
        Assert.Equal(["q_proj", "v_proj"], config.TargetModules!);
        Assert.Contains($"\"parameters\":{2 * (2 * 32 + 2 * 32) * 1}", output);

        // An adapter folder is replaced by the next run into it; a folder holding anything else is refused and kept.
        (code, output) = CliRunner.Run("pretrain", "--system", system, "--from", solver, "--data", data, "--steps", "2", "--batch", "2", "--lora-rank", "2", "--out", lora);
        Assert.True(code == ExitCodes.Success, output);
        File.WriteAllText(Path.Combine(lora, "notes.txt"), "precious");
        (code, output) = CliRunner.Run("pretrain", "--system", system, "--from", solver, "--data", data, "--steps", "2", "--batch", "2", "--lora-rank", "2", "--out", lora);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("notes.txt", output);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(lora, "notes.txt")));
        Assert.True(File.Exists(Path.Combine(lora, LoraConfig.ConfigFileName)));

        // A rank past the projections' dimensions: 2e9 was an allocation libtorch refused (exit 70).
        (code, output) = CliRunner.Run("pretrain", "--system", system, "--from", solver, "--data", data, "--steps", "1", "--batch", "2", "--lora-rank", "2000000000", "--out", Path.Combine(dir.Path, "big"));
        Assert.True(code == ExitCodes.InvalidInput, output);
        Assert.Contains("the LoRA rank must be at most 32", output);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "big")));

        (code, output) = CliRunner.Run("pretrain", "--system", system, "--agent", "solver", "--data", data, "--lora-rank", "2", "--out", Path.Combine(dir.Path, "x"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--from", output);

        // Commands that load a system take --adapter AGENT=DIR.
        (code, output) = CliRunner.Run("run", "--system", system, "--question", "What is 2 + 3?", "--adapter", "solver");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--adapter takes AGENT=DIR", output);
    }

    [Fact]
    public void AnOutputFolderHoldingTheModelOrTheSystemItReadsIsRefusedAndKept()
    {
        using var dir = new TempDirectory();
        var (solver, _) = Solver(dir.Path);
        string data = Path.Combine(dir.Path, "train.jsonl");
        TaskDataFile.Write(data, Data);
        byte[] weights = File.ReadAllBytes(Path.Combine(solver, "model.safetensors"));
        string system = Path.Combine(dir.Path, "SYSTEM.json");
        System.Save(system);

        // --out the --from folder: the base model was deleted and replaced by an adapter that names it as its base.
        foreach (string[] lora in (string[][])[["--lora-rank", "2"], []])
        {
            var (code, output) = CliRunner.Run(["pretrain", "--system", system, "--from", solver, "--data", data, "--steps", "1", "--batch", "2", .. lora, "--out", solver]);
            Assert.True(code == ExitCodes.InvalidInput, output);
            Assert.Contains("which this command reads", output);
            Assert.Equal(weights, File.ReadAllBytes(Path.Combine(solver, "model.safetensors")));
            Assert.False(File.Exists(Path.Combine(solver, LoraConfig.ConfigFileName)));
        }

        // --out the folder of the SYSTEM.json (only .json files in it): the system was deleted and replaced by the model.
        string alone = Path.Combine(dir.Path, "alone");
        Directory.CreateDirectory(alone);
        string aloneSystem = Path.Combine(alone, "SYSTEM.json");
        File.Copy(system, aloneSystem);
        var (c, o) = CliRunner.Run("pretrain", "--system", aloneSystem, "--agent", "solver", "--data", data, "--hidden", "32", "--layers", "1", "--vocab", "300",
            "--steps", "1", "--batch", "2", "--out", alone);
        Assert.True(c == ExitCodes.InvalidInput, o);
        Assert.Contains("SYSTEM.json, which this command reads", o);
        Assert.True(File.Exists(aloneSystem));
        Assert.False(File.Exists(Path.Combine(alone, "model.safetensors")));
    }
}
