using RecursiveMas.Models;
using RecursiveMas.Models.Lora;
using RecursiveMas.Pretraining;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Tests.IO;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Training;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Systems;

/// <summary>
/// A model folder that <c>rmas pretrain</c> was killed while swapping in (<c>OUT.partial-PID</c> complete,
/// <c>OUT.old-PID</c> beside it, no <c>OUT</c>): what loading a model from it does.
/// </summary>
public sealed class InterruptedModelReplacementTests(SecretRelay relay) : IClassFixture<SecretRelay>
{
    /// <summary>
    /// Leaves the relay's <paramref name="agentFolder"/> model as a writer that is gone left it between its two renames:
    /// its complete new model in the staging folder, what it replaced in the aside folder. Returns the staging folder.
    /// </summary>
    string KilledBetweenRenames(string agentFolder) => KilledBetweenRenamesAt(Path.Combine(relay.Root, "models", agentFolder));

    /// <summary>Leaves the folder <paramref name="folder"/> as <see cref="KilledBetweenRenames"/> does; returns the staging folder.</summary>
    static string KilledBetweenRenamesAt(string folder)
    {
        string name = Path.GetFileName(folder);
        int dead = StagingFolderTests.DeadPid();
        string staging = $"{folder}.partial-{dead}", aside = $"{folder}.old-{dead}";
        Directory.Move(folder, staging);
        Directory.CreateDirectory(Path.Combine(aside, name));
        File.WriteAllText(Path.Combine(aside, name, "config.json"), "{}");
        return staging;
    }

    /// <summary>A LoRA adapter for the relay's <paramref name="agentFolder"/> model, saved to a fresh folder beside the models, then left as a killed <c>rmas pretrain --lora</c> leaves it.</summary>
    (string Adapter, string Staging) KilledAdapter(string agentFolder = "expert")
    {
        string adapter = Path.Combine(relay.Root, "adapter-" + Guid.NewGuid().ToString("N")[..8]);
        using (var model = CausalLM.FromPretrained(Path.Combine(relay.Root, "models", agentFolder)))
        using (var created = LoraAdapter.Create(model, new LoraConfig { Rank = 2, TargetModules = ["q_proj", "v_proj"] }, seed: 1))
            created.Save(adapter);
        return (adapter, KilledBetweenRenamesAt(adapter));
    }

    static IEnumerable<string> ModelFolders(string root) => Directory.EnumerateDirectories(Path.Combine(root, "models")).Order(StringComparer.Ordinal);

    [Fact]
    public void ASystemLoadFinishesAModelFolderReplacementEndedBetweenItsTwoRenamesAndSaysSo()
    {
        // The load failed with "the model directory does not exist" while the complete model lay beside it, and the next
        // rmas pretrain into that folder deleted it.
        var expected = ModelFolders(relay.Root).ToList();
        string staging = KilledBetweenRenames("expert");

        using var system = RecursiveSystem.Load(relay.Describe(latentSteps: 2), new SystemLoadOptions { AllowUntrainedLinks = true });

        Assert.Equal(expected, ModelFolders(relay.Root));
        string note = Assert.Single(system.ModelRecoveries);
        Assert.Contains(staging, note);
        Assert.Null(system.LinksRecovery);
    }

    [Fact]
    public void AModelLoadFinishesTheReplacementAndALaterLoadHasNothingToSay()
    {
        string staging = KilledBetweenRenames("learner");
        string model = Path.Combine(relay.Root, "models", "learner");

        using (var finished = CausalLM.FromPretrained(model))
            Assert.Contains(staging, finished.Config.FolderRecovery);
        using var again = CausalLM.FromPretrained(model);

        Assert.Null(again.Config.FolderRecovery);
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public async Task RmasSaysOnStandardErrorThatItFinishedAnInterruptedModelReplacement()
    {
        string staging = KilledBetweenRenames("expert");
        var (exitCode, stdout, stderr) = await CliRunner.RunProcessAsync("inspect", "--system", relay.Describe(latentSteps: 2).SourcePath!, "--json");

        Assert.Equal(RecursiveMas.Cli.ExitCodes.Success, exitCode);
        Assert.NotEmpty(stdout);
        string note = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("note: ", StringComparison.Ordinal));
        Assert.Contains(staging, note);
        Assert.True(Directory.Exists(Path.Combine(relay.Root, "models", "expert")));
    }

    [Theory]
    [InlineData("recursive,single")] // the latent method reads the tokenizers and config.json files first (SystemPrompts.Load)
    [InlineData("single,recursive")] // the single-agent method loads the system first (RecursiveSystem.Load)
    public async Task RmasEvalSaysOnStandardErrorThatItFinishedAnInterruptedModelReplacementOnce(string methods)
    {
        // rmas eval finished the swap without a word, where every other command that loads a model says so.
        string staging = KilledBetweenRenames("expert");
        var (exitCode, stdout, stderr) = await CliRunner.RunProcessAsync("eval", "--system", relay.Describe(latentSteps: 2).SourcePath!, "--data", relay.WriteTestData(),
            "--methods", methods, "--rounds", "1", "--seeds", "2", "--max-new-tokens", "1", "--untrained", "--json");

        Assert.True(exitCode == RecursiveMas.Cli.ExitCodes.Success, stdout + stderr);
        Assert.NotEmpty(stdout);
        // Four loads of the system (two methods, two seeds): the first finishes the swap, and only it has something to say.
        string note = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("note: ", StringComparison.Ordinal));
        Assert.Contains(staging, note);
        Assert.True(Directory.Exists(Path.Combine(relay.Root, "models", "expert")));
    }

    [Fact]
    public async Task RmasEvalSaysOnStandardErrorThatItFinishedAnInterruptedAdapterReplacement()
    {
        // The decoder's adapter of method lora.
        var (adapterDir, staging) = KilledAdapter("learner");
        var (exitCode, stdout, stderr) = await CliRunner.RunProcessAsync("eval", "--system", relay.Describe(latentSteps: 2).SourcePath!, "--data", relay.WriteTestData(),
            "--methods", "lora", "--lora-adapter", adapterDir, "--seeds", "1", "--max-new-tokens", "1", "--json");

        Assert.True(exitCode == RecursiveMas.Cli.ExitCodes.Success, stdout + stderr);
        Assert.NotEmpty(stdout);
        string note = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("note: ", StringComparison.Ordinal));
        Assert.Contains(staging, note);
        Assert.True(Directory.Exists(adapterDir));
    }

    [Fact]
    public void AnAdapterLoadFinishesTheReplacementAndSaysSo()
    {
        // LoraAdapter.Load reported "LoRA adapter config not found" while the complete adapter lay beside its place.
        var (adapterDir, staging) = KilledAdapter();
        using var model = CausalLM.FromPretrained(Path.Combine(relay.Root, "models", "expert"));

        using (var adapter = LoraAdapter.Load(adapterDir, model))
            Assert.Contains(staging, adapter.FolderRecovery);
        using var again = LoraAdapter.Load(adapterDir, model);

        Assert.Null(again.FolderRecovery);
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public async Task RmasSaysOnStandardErrorThatItFinishedAnInterruptedAdapterReplacement()
    {
        var (adapterDir, staging) = KilledAdapter();
        var (exitCode, stdout, stderr) = await CliRunner.RunProcessAsync("inspect", "--system", relay.Describe(latentSteps: 2).SourcePath!,
            "--adapter", $"Expert={adapterDir}", "--json");

        Assert.Equal(RecursiveMas.Cli.ExitCodes.Success, exitCode);
        Assert.NotEmpty(stdout);
        string note = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("note: ", StringComparison.Ordinal));
        Assert.Contains(staging, note);
        Assert.True(Directory.Exists(adapterDir));
    }

    [Fact]
    public void ReadingOnlyTheTokenizerOfAModelFolderFinishesTheReplacement()
    {
        // SingleAgentConversations (and FineTune, FineTuneLora, which read the tokenizer first) reported the folder missing.
        string staging = KilledBetweenRenames("learner");
        string model = Path.Combine(relay.Root, "models", "learner");

        var conversations = AgentPretraining.SingleAgentConversations(relay.Describe(), model,
            [new TaskExample("What is the code?", new Dictionary<string, string>(), "1")]);

        Assert.Single(conversations);
        Assert.True(Directory.Exists(model));
        Assert.False(Directory.Exists(staging));
        Assert.Null(ModelTokenizer.Load(model).FolderRecovery);
    }

    [Fact]
    public void ATokenizerLoadSaysItFinishedTheReplacement()
    {
        string staging = KilledBetweenRenames("expert");

        Assert.Contains(staging, ModelTokenizer.Load(Path.Combine(relay.Root, "models", "expert")).FolderRecovery);
    }

    [Fact]
    public async Task RmasGenerateReadsGenerationConfigFromTheFolderItFinishes()
    {
        // generation_config.json was read before the model load finished the swap: missing then, so the built-in
        // defaults decoded. A malformed one shows which was read: the finished folder's is refused, naming it.
        string staging = KilledBetweenRenames("expert");
        string model = Path.Combine(relay.Root, "models", "expert");
        string generationConfig = Path.Combine(staging, "generation_config.json");
        string? kept = File.Exists(generationConfig) ? File.ReadAllText(generationConfig) : null;
        File.WriteAllText(generationConfig, "{\"do_sample\": true, \"temperature\": \"hot\"}");
        try
        {
            var (exitCode, stdout, stderr) = await CliRunner.RunProcessAsync("generate", "--model", model, "--prompt", "1", "--max-new-tokens", "1");

            Assert.NotEqual(RecursiveMas.Cli.ExitCodes.Success, exitCode);
            // The error names the file (wrapped to the console's width) and the field.
            Assert.Contains("'temperature': must be a number in [0, 100], not \"hot\"", stdout + stderr);
            Assert.Contains($"note: {model} was missing", stderr);
        }
        finally
        {
            string restored = Path.Combine(model, "generation_config.json");
            if (kept is null)
                File.Delete(restored);
            else
                File.WriteAllText(restored, kept);
        }
    }
}
