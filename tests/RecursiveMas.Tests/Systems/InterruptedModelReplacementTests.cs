using RecursiveMas.Models;
using RecursiveMas.Systems;
using RecursiveMas.Tests.IO;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Training;

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
    string KilledBetweenRenames(string agentFolder)
    {
        string model = Path.Combine(relay.Root, "models", agentFolder);
        int dead = StagingFolderTests.DeadPid();
        string staging = $"{model}.partial-{dead}", aside = $"{model}.old-{dead}";
        Directory.Move(model, staging);
        Directory.CreateDirectory(Path.Combine(aside, agentFolder));
        File.WriteAllText(Path.Combine(aside, agentFolder, "config.json"), "{}");
        return staging;
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
}
