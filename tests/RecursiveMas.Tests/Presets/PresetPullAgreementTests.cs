using RecursiveMas.Hub;
using RecursiveMas.Presets;

namespace RecursiveMas.Tests.Presets;

/// <summary>
/// <c>rmas pull PRESET --to DIR/models</c> must fetch exactly the repositories whose folders
/// <c>rmas init PRESET --out DIR</c> names (models/&lt;repository name&gt;): the two tables agree.
/// </summary>
public sealed class PresetPullAgreementTests
{
    [Fact]
    public void EveryPresetPullsTheRepositoriesItsSystemJsonNames()
    {
        Assert.Equal(PaperPresets.All.Count, HubPresetRepos.Names.Count);
        foreach (var preset in PaperPresets.All)
        {
            var pulled = HubPresetRepos.Find(preset.Name) ?? throw new Xunit.Sdk.XunitException($"rmas pull does not know preset {preset.Name}");
            Assert.Equal(preset.RepoIds.Order(StringComparer.Ordinal), pulled.Select(r => r.RepoId).Order(StringComparer.Ordinal));
        }
    }
}
