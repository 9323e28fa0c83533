using RecursiveMas.Hub;

namespace RecursiveMas.Tests.Hub;

public class HubPresetReposTests
{
    [Fact]
    public void TheFiveReleasedSystemsArePresets() =>
        Assert.Equal(["sequential-light", "sequential-scaled", "mixture", "distillation", "deliberation"], HubPresetRepos.Names);

    [Fact]
    public void EveryPresetListsValidRepositoriesWithOneOuterLinkRepository()
    {
        foreach (string name in HubPresetRepos.Names)
        {
            var repos = HubPresetRepos.Find(name)!;
            Assert.All(repos, r => Assert.Equal("RecursiveMAS", HubRepoId.Parse(r.RepoId).Owner));
            Assert.Equal(repos.Count, repos.Select(r => r.RepoId).Distinct().Count());
            Assert.Equal(repos.Count, repos.Select(r => r.Role).Distinct().Count());
            Assert.Single(repos, r => r.Role == "outer" && r.RepoId.EndsWith("-Outerlinks", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void SequentialLightIsThePapersThreeAgentsAndItsOuterLinks()
    {
        var repos = HubPresetRepos.Find("sequential-light")!;
        Assert.Equal(["planner", "critic", "solver", "outer"], repos.Select(r => r.Role));
        Assert.Equal("RecursiveMAS/Sequential-Light-Planner-Qwen3-1.7B", repos[0].RepoId);
        Assert.Equal("RecursiveMAS/Sequential-Light-Outerlinks", repos[3].RepoId);
    }

    [Fact]
    public void LookupIgnoresCaseAndTheOfficialCodesUnderscores()
    {
        Assert.Equal(HubPresetRepos.Find("sequential-light"), HubPresetRepos.Find("Sequential_Light"));
        Assert.Null(HubPresetRepos.Find("Qwen/Qwen3-0.6B"));
        Assert.Null(HubPresetRepos.Find("sequential"));
    }
}
