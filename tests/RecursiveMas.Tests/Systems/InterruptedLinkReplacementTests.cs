using System.Diagnostics;
using RecursiveMas.Systems;
using RecursiveMas.Tests.IO;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Training;

namespace RecursiveMas.Tests.Systems;

/// <summary>
/// What a process ended inside <see cref="RecursiveSystem.ReplaceLinks"/> leaves beside a links folder (<c>links.partial-PID</c>,
/// <c>links.old-PID</c>, and between its two renames no <c>links</c> at all), and what the next replacement and load do with it.
/// </summary>
public sealed class InterruptedLinkReplacementTests(SecretRelay relay) : IClassFixture<SecretRelay>
{
    /// <summary>A process that runs until disposed: a writer that is still writing.</summary>
    sealed class RunningProcess : IDisposable
    {
        readonly Process _process = Process.Start("sleep", ["600"]);

        public int Id => _process.Id;

        public void Dispose()
        {
            _process.Kill();
            _process.WaitForExit();
            _process.Dispose();
        }
    }

    string NewParent()
    {
        string parent = Path.Combine(relay.Root, "interrupted-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(parent);
        return parent;
    }

    /// <summary>A folder standing for a writer's staging or aside folder, with a file in it.</summary>
    static string Leftover(string links, string kind, int pid)
    {
        string folder = $"{links}.{kind}-{pid}";
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "inner.Expert.json"), "{}");
        return folder;
    }

    static void AssertSameLinks(RecursiveSystem expected, RecursiveSystem actual) =>
        Assert.All(expected.AllLinks.Zip(actual.AllLinks), pair =>
            Assert.All(pair.First.parameters().Zip(pair.Second.parameters()), p => Assert.True(p.First.allclose(p.Second, rtol: 0, atol: 0), pair.First.Id)));

    [Fact]
    public void ReplacingLinksRemovesWhatWritersThatAreGoneLeftAndKeepsWhatARunningOneWrites()
    {
        // Each process killed inside ReplaceLinks left its folders beside the links for ever: only this process's own were removed.
        using var system = relay.Load(latentSteps: 2);
        using var running = new RunningProcess();
        string links = Path.Combine(NewParent(), "links");
        system.SaveLinks(links);
        int dead = StagingFolderTests.DeadPid();
        string deadStaging = Leftover(links, "partial", dead), deadAside = Leftover(links, "old", dead);
        string liveStaging = Leftover(links, "partial", running.Id), liveAside = Leftover(links, "old", running.Id);

        system.ReplaceLinks(links);

        Assert.False(Directory.Exists(deadStaging), "the staging folder of a writer that is gone was kept");
        Assert.False(Directory.Exists(deadAside), "the aside folder of a writer that is gone was kept");
        Assert.True(Directory.Exists(liveStaging), "the staging folder of a running writer was removed");
        Assert.True(Directory.Exists(liveAside), "the aside folder of a running writer was removed");
        Assert.Equal([links, liveAside, liveStaging], Directory.EnumerateDirectories(Path.GetDirectoryName(links)!).Order(StringComparer.Ordinal));
        Assert.Equal(system.AllLinks.Count() * 2, Directory.EnumerateFiles(links).Count());
    }

    [Fact]
    public void ALoadFinishesAReplacementEndedBetweenItsTwoRenamesAndSaysSo()
    {
        // Killed between its renames, a writer left no links folder: the load failed, or with untrained links allowed ran
        // untrained, while the complete trained links lay beside it.
        using var trained = relay.Load(latentSteps: 2, linkSeed: 11);
        string links = Path.Combine(NewParent(), "links");
        int dead = StagingFolderTests.DeadPid();
        string staging = $"{links}.partial-{dead}", aside = $"{links}.old-{dead}";
        trained.SaveLinks(staging);
        // The links it was replacing, moved into its aside folder.
        using (var before = relay.Load(latentSteps: 2, linkSeed: 12))
            before.SaveLinks(Path.Combine(aside, "links"));

        using var loaded = RecursiveSystem.Load(trained.Description, new SystemLoadOptions { LinksDirectory = links, AllowUntrainedLinks = true, UntrainedLinkSeed = 13 });

        AssertSameLinks(trained, loaded);
        Assert.Equal([links], Directory.EnumerateDirectories(Path.GetDirectoryName(links)!));
        Assert.NotNull(loaded.LinksRecovery);
        Assert.Contains(staging, loaded.LinksRecovery);
        Assert.Contains(aside, loaded.LinksRecovery);
    }

    [Fact]
    public void ReplacingLinksFinishesAnEarlierReplacementEndedBetweenItsRenamesBeforeItsOwn()
    {
        using var system = relay.Load(latentSteps: 2, linkSeed: 21);
        string links = Path.Combine(NewParent(), "links");
        int dead = StagingFolderTests.DeadPid();
        using (var earlier = relay.Load(latentSteps: 2, linkSeed: 22))
            earlier.SaveLinks($"{links}.partial-{dead}");
        Directory.CreateDirectory($"{links}.old-{dead}");

        system.ReplaceLinks(links);

        Assert.Equal([links], Directory.EnumerateDirectories(Path.GetDirectoryName(links)!));
        using var loaded = RecursiveSystem.Load(system.Description, new SystemLoadOptions { LinksDirectory = links });
        Assert.Null(loaded.LinksRecovery);
        AssertSameLinks(system, loaded);
    }

    [Fact]
    public void ALoadRefusesAMissingLinksFolderARunningProcessIsReplacingAndTouchesNothing()
    {
        using var system = relay.Load(latentSteps: 2);
        using var running = new RunningProcess();
        string links = Path.Combine(NewParent(), "links");
        string staging = Leftover(links, "partial", running.Id), aside = Leftover(links, "old", running.Id);

        var refused = Assert.Throws<IOException>(() =>
            RecursiveSystem.Load(system.Description, new SystemLoadOptions { LinksDirectory = links, AllowUntrainedLinks = true }).Dispose());

        Assert.Contains(aside, refused.Message);
        Assert.Contains(staging, refused.Message);
        Assert.Contains("try again", refused.Message);
        Assert.False(Directory.Exists(links));
        Assert.True(Directory.Exists(staging) && Directory.Exists(aside), "a running writer's folders were moved or deleted");
    }

    [Fact]
    public void ALoadRefusesAMissingLinksFolderTwoWritersThatAreGoneWereReplacingAndNamesTheirFolders()
    {
        using var system = relay.Load(latentSteps: 2);
        string links = Path.Combine(NewParent(), "links");
        // Neither PID can run: DeadPid is above the kernel's pid_max, and PIDs stay below it.
        int first = StagingFolderTests.DeadPid(), second = first - 1;
        var folders = new[] { first, second }.SelectMany(pid => new[] { Leftover(links, "partial", pid), Leftover(links, "old", pid) }).ToList();

        var refused = Assert.Throws<IOException>(() =>
            RecursiveSystem.Load(system.Description, new SystemLoadOptions { LinksDirectory = links, AllowUntrainedLinks = true }).Dispose());

        Assert.All(folders, folder => Assert.Contains(folder, refused.Message));
        Assert.False(Directory.Exists(links));
        Assert.All(folders, folder => Assert.True(Directory.Exists(folder), folder));
    }

    [Fact]
    public async Task RmasSaysOnStandardErrorThatItFinishedAnInterruptedReplacement()
    {
        using var trained = relay.Load(latentSteps: 2, linkSeed: 31);
        string links = Path.Combine(NewParent(), "links");
        int dead = StagingFolderTests.DeadPid();
        trained.SaveLinks($"{links}.partial-{dead}");
        Directory.CreateDirectory($"{links}.old-{dead}");
        var (exitCode, stdout, stderr) = await CliRunner.RunProcessAsync("inspect", "--system", trained.Description.SourcePath!, "--links", links, "--json");

        Assert.Equal(RecursiveMas.Cli.ExitCodes.Success, exitCode);
        Assert.NotEmpty(stdout);
        string note = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("note: ", StringComparison.Ordinal));
        Assert.Contains($"{links}.partial-{dead}", note);
        Assert.Equal([links], Directory.EnumerateDirectories(Path.GetDirectoryName(links)!));
    }

    /// <summary>
    /// Leaves <paramref name="system"/>'s links folder as a writer that is gone left it, killed between its two renames:
    /// no links folder, its complete new one beside it (returned) and its aside folder. The load finishes that swap.
    /// </summary>
    static string KilledBetweenRenames(RecursiveSystem system)
    {
        string links = Path.Combine(system.Description.BaseDirectory, system.Description.LinksDirectory);
        int dead = StagingFolderTests.DeadPid();
        system.SaveLinks($"{links}.partial-{dead}");
        Directory.CreateDirectory($"{links}.old-{dead}");
        return $"{links}.partial-{dead}";
    }

    [Fact]
    public async Task RmasEvalSaysOnStandardErrorThatItFinishedAnInterruptedReplacement()
    {
        // rmas eval reads the links folder its SYSTEM.json names, and finished its swap without a word.
        using var trained = relay.Load(latentSteps: 2, linkSeed: 41);
        string links = Path.Combine(trained.Description.BaseDirectory, trained.Description.LinksDirectory);
        string staging = KilledBetweenRenames(trained);
        var (exitCode, stdout, stderr) = await CliRunner.RunProcessAsync("eval", "--system", trained.Description.SourcePath!, "--data", relay.WriteTestData(),
            "--methods", "recursive", "--rounds", "1", "--seeds", "2", "--max-new-tokens", "1", "--json");

        Assert.True(exitCode == RecursiveMas.Cli.ExitCodes.Success, stdout + stderr);
        Assert.NotEmpty(stdout);
        string note = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("note: ", StringComparison.Ordinal));
        Assert.Contains(staging, note);
        Assert.True(Directory.Exists(links));
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public async Task RmasEvalWritesItsNotesAfterItsProgressDisplayOnceEach()
    {
        // The notes were written as the loads made them, while the progress display was live: on a terminal, into the
        // region it redraws, garbling both.
        using var trained = relay.Load(latentSteps: 2, linkSeed: 43);
        string staging = KilledBetweenRenames(trained);
        var (exitCode, output) = await CliRunner.RunProcessInterleavedAsync("eval", "--system", trained.Description.SourcePath!, "--data", relay.WriteTestData(),
            "--methods", "recursive", "--rounds", "1", "--seeds", "2", "--max-new-tokens", "1");

        Assert.True(exitCode == RecursiveMas.Cli.ExitCodes.Success, output);
        var lines = output.Split('\n');
        int note = Assert.Single(Enumerable.Range(0, lines.Length), i => lines[i].StartsWith("note: ", StringComparison.Ordinal));
        Assert.Contains(staging, lines[note]);
        int lastProgress = Array.FindLastIndex(lines, line => line.Contains("evaluating", StringComparison.Ordinal));
        Assert.True(lastProgress >= 0, output);
        Assert.True(note > lastProgress, $"the note came inside the progress display:\n{output}");
        Assert.True(note < Array.FindIndex(lines, line => line.Contains("accuracy (95% CI)", StringComparison.Ordinal)), output);
    }
}
