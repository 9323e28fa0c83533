using RecursiveMas.Links;
using RecursiveMas.Systems;

namespace RecursiveMas.Tests.Links;

/// <summary>Finding the release's link files as its resolver does, and SYSTEM.json's releasedLinks.</summary>
public sealed class ReleasedLinkFilesTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-released-" + Guid.NewGuid().ToString("N"));

    public ReleasedLinkFilesTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Touch(string relative, string text = "x")
    {
        string path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void TheInnerFileIsTheManifestsThenTheTasksThenAdapterPt()
    {
        Assert.Null(ReleasedLinkFiles.FindInner(Path.Combine(_dir, "absent"), "math"));
        Assert.Null(ReleasedLinkFiles.FindInner(_dir, "math"));

        string plain = Touch("adapter.pt");
        Assert.Equal((plain, "ln_res_adapter"), ReleasedLinkFiles.FindInner(_dir, "math"));
        Assert.Equal((plain, "ln_res_adapter"), ReleasedLinkFiles.FindInner(_dir, null));

        string math = Touch("adapter(math).pt");
        Touch("adapter_config.json", """{"adapter_type": "res_adapter"}""");
        Assert.Equal((math, "res_adapter"), ReleasedLinkFiles.FindInner(_dir, "math"));
        Assert.Equal((plain, "res_adapter"), ReleasedLinkFiles.FindInner(_dir, "code"));

        string named = Touch("weights/inner-math.pt");
        Touch(ReleasedLinkFiles.InnerManifestFileName, """{"tasks": {"math": {"adapter.pt": "weights/inner-math.pt"}}}""");
        Assert.Equal((named, "res_adapter"), ReleasedLinkFiles.FindInner(_dir, "math"));
    }

    [Fact]
    public void TheOuterFileComesFromTheManifestElseKeyPt()
    {
        Assert.Null(ReleasedLinkFiles.FindOuter(_dir, "outer_rt", null));
        string flat = Touch("outer_rt.pt");
        Assert.Equal((flat, "outer_ln_res_adapter"), ReleasedLinkFiles.FindOuter(_dir, "outer_rt", null));
        Touch(OfficialLinkConfig.OuterConfigFileName, """{"outer_rt_type": "outer_res_adapter"}""");
        Assert.Equal((flat, "outer_res_adapter"), ReleasedLinkFiles.FindOuter(_dir, "outer_rt", null));

        string listed = Touch("sets/rt.pt");
        Touch(ReleasedLinkFiles.OuterManifestFileName,
            """{"adapters": [{"legacy_key": "outer_tr", "filename": "tr.pt"}, {"legacy_key": "outer_rt", "filename": "sets/rt.pt", "adapter_type": "outer_linear_adapter"}]}""");
        Assert.Equal((listed, "outer_linear_adapter"), ReleasedLinkFiles.FindOuter(_dir, "outer_rt", null));
        Assert.Null(ReleasedLinkFiles.FindOuter(_dir, "outer_tr", null)); // listed, but the file is not there
    }

    [Fact]
    public void ATaskScopedManifestNeedsItsTaskAndKeepsFilesInside()
    {
        Touch(ReleasedLinkFiles.OuterManifestFileName, """{"tasks": {"math": {"adapters": [{"legacy_key": "outer_12", "filename": "../outer_12.pt"}]}}}""");
        Assert.Equal("tasks", Assert.Throws<ModelFileException>(() => ReleasedLinkFiles.FindOuter(_dir, "outer_12", null)).Item);
        var e = Assert.Throws<ModelFileException>(() => ReleasedLinkFiles.FindOuter(_dir, "outer_12", "code"));
        Assert.Contains("math", e.Message);
        Assert.Equal("tasks.math.adapters[0].filename", Assert.Throws<ModelFileException>(() => ReleasedLinkFiles.FindOuter(_dir, "outer_12", "math")).Item);
    }

    [Theory]
    [InlineData("""{"inner": [], "outer": []}""", "releasedLinks.outerFolder")]
    [InlineData("""{"inner": [{"agent": "A"}], "outerFolder": "o", "outer": []}""", "releasedLinks.inner[0].folder")]
    [InlineData("""{"inner": [], "outerFolder": "o", "outer": [{"key": "outer_12", "from": "A"}]}""", "releasedLinks.outer[0].to")]
    [InlineData("""{"task": 3, "inner": [], "outerFolder": "o", "outer": []}""", "releasedLinks.task")]
    public void SystemJsonNamesTheReleasedLinksFieldAtFault(string releasedLinks, string item)
    {
        string json = $$"""{"name": "S", "pattern": {"kind": "sequential", "agents": ["A"]}, "agents": [{"name": "A", "model": "a"}], "releasedLinks": {{releasedLinks}} }""";
        Assert.Equal(item, Assert.Throws<ModelFileException>(() => SystemDescription.Parse(json, "/x/SYSTEM.json")).Item);
    }
}
