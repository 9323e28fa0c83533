using System.Collections;
using System.IO.Compression;
using RecursiveMas.Links;
using RecursiveMas.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Links;

/// <summary>
/// Importing the official <c>.pt</c> links through TorchSharp.PyBridge. There is no Python torch
/// here, so the files are made two ways: with PyBridge's own saver, and byte by byte as torch.save
/// lays them out (<see cref="TorchSaveFormat"/>), in float32 and bfloat16.
/// </summary>
public sealed class PyTorchLinkImportTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-ptimport-" + Guid.NewGuid().ToString("N"));

    public PyTorchLinkImportTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>A link with non-trivial LayerNorms, so a norm that is not loaded shows in the output.</summary>
    static TLink Perturbed<TLink>(TLink link) where TLink : RecursiveLink
    {
        using (no_grad())
            foreach (var (name, p) in link.named_parameters())
                if (name.Contains("ln"))
                    p.add_(randn(p.shape) * 0.3);
        return link;
    }

    /// <summary>The link's state dict in <paramref name="dtype"/>, in parameter order.</summary>
    static List<(string Name, Tensor Value)> StateDict(RecursiveLink link, ScalarType dtype, string prefix = "") =>
        link.named_parameters().Select(p => (prefix + p.name, p.parameter.detach().to(dtype))).ToList();

    static void SaveWithPyBridge(string path, List<(string Name, Tensor Value)> stateDict)
    {
        var table = new Hashtable();
        foreach (var (name, value) in stateDict)
            table[name] = value;
        PyTorchPickler.PickleStateDict(path, table);
    }

    /// <summary>What the import must equal: the original weights rounded through <paramref name="dtype"/>.</summary>
    static void AssertImportedExactly(RecursiveLink original, RecursiveLink imported, ScalarType dtype)
    {
        Assert.Equal(original.Architecture, imported.Architecture);
        Assert.Equal(original.InDim, imported.InDim);
        Assert.Equal(original.OutDim, imported.OutDim);
        var expected = original.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().to(dtype).to(ScalarType.Float32));
        foreach (var (name, p) in imported.named_parameters())
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            TensorAssert.Close(expected[name], p, 0, name);
        }
        using var rounded = original.Architecture.IsOuter()
            ? (RecursiveLink)new OuterLink("R", "S", original.InDim, original.OutDim, original.Architecture)
            : new InnerLink("R", original.InDim, original.Architecture);
        using (no_grad())
            foreach (var (name, p) in rounded.named_parameters())
                p.copy_(expected[name]);
        var x = randn(3, 5, original.InDim);
        TensorAssert.Close(rounded.forward(x), imported.forward(x), 0, "output");
    }

    static readonly string[] InnerPrefixes = ["", "pre_ln", "proj1", "act", "proj2", "post_ln"];
    static readonly string[] OuterPrefixes = ["", "ln_source", "proj1", "act", "proj2", "residual_proj", "ln_target"];

    public static IEnumerable<object[]> Dtypes() => new[] { ScalarType.Float32, ScalarType.BFloat16, ScalarType.Float16 }.Select(d => new object[] { d });

    [Theory]
    [MemberData(nameof(Dtypes))]
    public void APyBridgeSavedInnerLinkImportsExactly(ScalarType dtype)
    {
        using var original = Perturbed(new InnerLink("Planner", 16));
        string path = PathOf("adapter.pt");
        SaveWithPyBridge(path, StateDict(original, dtype));

        using var imported = PyTorchLinkImport.ImportInner(path, "Planner", "ln_res_adapter", expectedDim: 16);
        Assert.Equal("inner.Planner", imported.Id);
        AssertImportedExactly(original, imported, dtype);
    }

    [Theory]
    [MemberData(nameof(Dtypes))]
    public void APyBridgeSavedOuterLinkImportsExactlyWithDimsFromTheTensors(ScalarType dtype)
    {
        using var original = Perturbed(new OuterLink("Planner", "Critic", 12, 20));
        string path = PathOf("outer_12.pt");
        SaveWithPyBridge(path, StateDict(original, dtype));

        using var imported = PyTorchLinkImport.ImportOuter(path, "Planner", "Critic", "outer_ln_res_adapter");
        Assert.Equal((12, 20), (imported.InDim, imported.OutDim));
        AssertImportedExactly(original, imported, dtype);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void AFileLaidOutAsTorchSaveWritesItImportsExactly(ScalarType dtype)
    {
        using var inner = Perturbed(new InnerLink("Solver", 16));
        using var outer = Perturbed(new OuterLink("Solver", "Planner", 16, 24));
        string innerPath = PathOf("adapter.pt"), outerPath = PathOf("outer_31.pt");
        TorchSaveFormat.Write(innerPath, StateDict(inner, dtype), InnerPrefixes);
        TorchSaveFormat.Write(outerPath, StateDict(outer, dtype), OuterPrefixes);

        // torch.save's layout: one FOLDER/data.pkl, stored records, tensor data under FOLDER/data/N.
        using (var zip = ZipFile.OpenRead(innerPath))
        {
            var pickle = Assert.Single(zip.Entries, e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
            Assert.Equal("archive/data.pkl", pickle.FullName);
            Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
            Assert.Equal(8, zip.Entries.Count(e => e.FullName.StartsWith("archive/data/", StringComparison.Ordinal)));
            Assert.Contains(zip.Entries, e => e.FullName == "archive/byteorder");
        }

        using var importedInner = PyTorchLinkImport.ImportInner(innerPath, "Solver", "2layer_ln_res", 16);
        AssertImportedExactly(inner, importedInner, dtype);
        using var importedOuter = PyTorchLinkImport.ImportOuter(outerPath, "Solver", "Planner", "outer_ln_res_adapter", 16, 24);
        AssertImportedExactly(outer, importedOuter, dtype);
    }

    [Fact]
    public void PyBridgesSaverWritesAZipWithOneDataPklButNotTorchSavesExactLayout()
    {
        using var link = new InnerLink("A", 8);
        string path = PathOf("pybridge.pt");
        SaveWithPyBridge(path, StateDict(link, ScalarType.BFloat16));
        using var zip = ZipFile.OpenRead(path);
        var pickle = Assert.Single(zip.Entries, e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
        Assert.Equal("model/data.pkl", pickle.FullName); // torch.save writes archive/ (or the file's stem)
        Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith("/byteorder", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(LinkArchitecture.OuterLinear)]
    [InlineData(LinkArchitecture.OuterResidualTwoLayer)]
    [InlineData(LinkArchitecture.OuterLayerNorm)]
    public void OtherOuterLayoutsTakeOutDimFromTheirLastProjection(LinkArchitecture architecture)
    {
        using var original = Perturbed(new OuterLink("A", "B", 10, 6, architecture));
        string path = PathOf("outer.pt");
        TorchSaveFormat.Write(path, StateDict(original, ScalarType.BFloat16), [""]);
        using var imported = PyTorchLinkImport.ImportOuter(path, "A", "B", architecture.ConfigName(), 10, 6);
        AssertImportedExactly(original, imported, ScalarType.BFloat16);
    }

    [Fact]
    public void AModulePrefixIsDroppedAndTheImportSavesInOurFormat()
    {
        using var original = Perturbed(new InnerLink("Critic", 16));
        string path = PathOf("ddp.pt");
        SaveWithPyBridge(path, StateDict(original, ScalarType.BFloat16, prefix: "module."));
        using var imported = PyTorchLinkImport.ImportInner(path, "Critic", "ln_res_adapter");
        AssertImportedExactly(original, imported, ScalarType.BFloat16);

        string basePath = PathOf("inner.Critic");
        imported.Save(basePath);
        using var reloaded = InnerLink.Load(basePath, "Critic", 16);
        var x = randn(2, 16);
        TensorAssert.Close(imported.forward(x), reloaded.forward(x), 0);
    }

    [Fact]
    public void WrongDimsNameTheFileTheTensorAndBothSizes()
    {
        using var outer = new OuterLink("Planner", "Critic", 12, 20);
        string path = PathOf("outer_12.pt");
        SaveWithPyBridge(path, StateDict(outer, ScalarType.BFloat16));

        var e = Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportOuter(path, "Planner", "Critic", "outer_ln_res_adapter", 12, 24));
        Assert.Equal(path, e.FilePath);
        Assert.Equal("proj2.bias", e.Item);
        Assert.Contains("20", e.Message);
        Assert.Contains("24", e.Message);
        var e2 = Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportOuter(path, "Planner", "Critic", "outer_ln_res_adapter", 16, 20));
        Assert.Equal("proj1.weight", e2.Item);
        Assert.Contains("12", e2.Message);
        Assert.Contains("16", e2.Message);

        using var inner = new InnerLink("Planner", 16);
        string innerPath = PathOf("adapter.pt");
        SaveWithPyBridge(innerPath, StateDict(inner, ScalarType.Float32));
        var e3 = Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportInner(innerPath, "Planner", "ln_res_adapter", 2048));
        Assert.Contains(innerPath, e3.Message);
        Assert.Contains("2048", e3.Message);
    }

    [Fact]
    public void AnArchiveLargerThanItsLinkCanBeIsRefusedBeforeInflating()
    {
        // A real link file of 16→16 imports with its dims given: the bound does not bite.
        using var inner = new InnerLink("Planner", 16);
        string good = PathOf("adapter-good.pt");
        SaveWithPyBridge(good, StateDict(inner, ScalarType.Float64));
        using (var imported = PyTorchLinkImport.ImportInner(good, "Planner", "ln_res_adapter", 16))
        { }

        // A storage record declaring far more than a 16→16 link can hold (zeros compress to nothing:
        // the file is small, the inflated size is not) is named before anything is inflated.
        string bomb = PathOf("adapter-bomb.pt");
        using (var zip = ZipFile.Open(bomb, ZipArchiveMode.Create))
        {
            using (var pickle = zip.CreateEntry("archive/data.pkl").Open())
                pickle.Write([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]);
            using var storage = zip.CreateEntry("archive/data/0", System.IO.Compression.CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 8; i++)
                storage.Write(zeros);
        }
        Assert.True(new FileInfo(bomb).Length < 100_000);
        var e = Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportInner(bomb, "Planner", "ln_res_adapter", 16));
        Assert.Equal("archive/data/0", e.Item);
        Assert.Contains("8,388,608", e.Message);
        Assert.Contains("expected dimensions", e.Message);
        var o = Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportOuter(bomb, "Planner", "Critic", "outer_ln_res_adapter", 16, 16));
        Assert.Equal("archive/data/0", o.Item);
    }

    [Fact]
    public void AMissingTensorIsNamedWithTheFile()
    {
        using var link = new InnerLink("A", 8);
        var state = StateDict(link, ScalarType.BFloat16).Where(p => p.Name != "post_ln.bias").ToList();
        string path = PathOf("missing.pt");
        TorchSaveFormat.Write(path, state, InnerPrefixes);

        var e = Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportInner(path, "A", "ln_res_adapter"));
        Assert.Equal(path, e.FilePath);
        Assert.Equal("post_ln.bias", e.Item);
        Assert.Contains(path, e.Message);
        Assert.Contains("[8]", e.Message);

        // The tensor the dims are read from.
        string noProj1 = PathOf("noproj1.pt");
        SaveWithPyBridge(noProj1, StateDict(link, ScalarType.Float32).Where(p => !p.Name.StartsWith("proj1.", StringComparison.Ordinal)).ToList());
        Assert.Equal("proj1.weight", Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportInner(noProj1, "A", "ln_res_adapter")).Item);
    }

    [Fact]
    public void AWrongShapeGivesExpectedAndActual()
    {
        using var link = new OuterLink("A", "B", 12, 20);
        var state = StateDict(link, ScalarType.Float32);
        int i = state.FindIndex(p => p.Name == "residual_proj.weight");
        state[i] = ("residual_proj.weight", zeros(20, 11));
        string path = PathOf("shape.pt");
        SaveWithPyBridge(path, state);

        var e = Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportOuter(path, "A", "B", "outer_ln_res_adapter"));
        Assert.Equal("residual_proj.weight", e.Item);
        Assert.Contains("[20, 12]", e.Message);
        Assert.Contains("[20, 11]", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void AnUnknownOrMismatchedTypeIsRefused()
    {
        using var link = new InnerLink("A", 8);
        string path = PathOf("adapter.pt");
        SaveWithPyBridge(path, StateDict(link, ScalarType.BFloat16));

        var e = Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportInner(path, "A", "mystery_adapter"));
        Assert.Equal(path, e.FilePath);
        Assert.Equal("type", e.Item);
        Assert.Contains("ln_res_adapter", e.Message); // lists the known ones
        Assert.Equal("type", Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportOuter(path, "A", "B", "ln_res_adapter")).Item);

        // A real type that does not match the file: the norms are extra tensors.
        var e2 = Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportInner(path, "A", "res_adapter"));
        Assert.Contains("pre_ln.weight", e2.Message);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("empty")]
    [InlineData("legacy")]
    [InlineData("bare-pickle")]
    [InlineData("zip-without-pickle")]
    [InlineData("broken-zip")]
    [InlineData("truncated-record")]
    [InlineData("not-a-dict")]
    public void FilesThatAreNotStateDictsGiveAModelFileException(string kind)
    {
        string path = PathOf(kind + ".pt");
        switch (kind)
        {
            case "garbage":
                File.WriteAllBytes(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 + 11)).ToArray());
                break;
            case "empty":
                File.WriteAllBytes(path, []);
                break;
            case "legacy":
                File.WriteAllBytes(path, TorchSaveFormat.LegacyHeader());
                break;
            case "bare-pickle":
                File.WriteAllBytes(path, [0x80, 0x02, (byte)'}', (byte)'q', 0x00, (byte)'.']);
                break;
            case "zip-without-pickle":
                using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
                using (var s = zip.CreateEntry("archive/version").Open())
                    s.Write("3\n"u8);
                break;
            case "broken-zip":
                File.WriteAllBytes(path, [.. "PK\x03\x04"u8, .. new byte[60]]);
                break;
            case "truncated-record":
                {
                    using var link = new InnerLink("A", 8);
                    string whole = PathOf("whole.pt");
                    TorchSaveFormat.Write(whole, StateDict(link, ScalarType.BFloat16), InnerPrefixes);
                    using var source = ZipFile.OpenRead(whole);
                    using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
                    foreach (var entry in source.Entries)
                    {
                        using var data = new MemoryStream();
                        using (var s = entry.Open())
                            s.CopyTo(data);
                        byte[] bytes = entry.FullName == "archive/data/2" ? data.ToArray()[..10] : data.ToArray();
                        using var o = zip.CreateEntry(entry.FullName).Open();
                        o.Write(bytes);
                    }
                    break;
                }
            case "not-a-dict":
                using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
                using (var s = zip.CreateEntry("archive/data.pkl").Open())
                    s.Write([0x80, 0x02, (byte)']', (byte)'q', 0x00, (byte)'.']); // an empty list
                break;
        }

        var e = Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportInner(path, "A", "ln_res_adapter"));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        if (kind == "legacy")
            Assert.Contains("legacy", e.Message);
        Assert.Contains("not found", Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportInner(PathOf("absent.pt"), "A", "ln_res_adapter")).Message);
    }

    [Fact]
    public void AViewIntoALargerStorageIsAModelFileExceptionNotACrash()
    {
        // PyBridge 1.4.4 rebuilds each tensor as its own block, so a weight stored as a slice of a
        // bigger storage (storage_offset > 0) fails its bounds check: reported, never a native crash.
        using var link = new InnerLink("A", 8);
        var state = StateDict(link, ScalarType.Float32);
        var bias = state.Single(p => p.Name == "proj2.bias").Value;
        var views = new Dictionary<string, (Tensor Storage, long Offset)> { ["proj2.bias"] = (cat([zeros(4), bias]), 4) };
        string path = PathOf("view.pt");
        TorchSaveFormat.Write(path, state, InnerPrefixes, views: views);

        var e = Assert.Throws<ModelFileException>(() => PyTorchLinkImport.ImportInner(path, "A", "ln_res_adapter"));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("PyBridge", e.Message);
    }

    [Fact]
    public void TheOfficialConfigsGiveTheTypes()
    {
        string inner = PathOf(OfficialLinkConfig.InnerConfigFileName);
        File.WriteAllText(inner, """{"adapter_type": "ln_res_adapter"}""");
        Assert.Equal("ln_res_adapter", OfficialLinkConfig.ReadInnerType(inner));
        File.WriteAllText(inner, """{"adapter_type": "2layer_res"}""");
        Assert.Equal("res_adapter", OfficialLinkConfig.ReadInnerType(inner));

        string outer = PathOf(OfficialLinkConfig.OuterConfigFileName);
        // The released layout: flat "{name}_type" keys beside the dims and training settings.
        File.WriteAllText(outer, """
            {"non_last_loss_weight": 0.1, "num_recursive_rounds": 3,
             "outer_rt_in_dim": 2560, "outer_rt_out_dim": 2560, "outer_rt_type": "outer_ln_res_adapter",
             "outer_tr_in_dim": 2560, "outer_tr_out_dim": 2560, "outer_tr_type": "outer_res_adapter"}
            """);
        Assert.Equal("outer_ln_res_adapter", OfficialLinkConfig.ReadOuterType(outer, "outer_rt"));
        Assert.Equal("outer_res_adapter", OfficialLinkConfig.ReadOuterType(outer, "outer_tr"));
        var missing = Assert.Throws<ModelFileException>(() => OfficialLinkConfig.ReadOuterType(outer, "outer_12"));
        Assert.Equal("outer_12", missing.Item);
        Assert.Contains("outer_12_type", missing.Message);

        // A map from link names to types (strings or objects), the outerlink manifest, a single type.
        File.WriteAllText(outer, """{"outer_12": "2layer_ln_res", "outer_23": {"adapter_type": "outer_linear_adapter"}}""");
        Assert.Equal("outer_ln_res_adapter", OfficialLinkConfig.ReadOuterType(outer, "outer_12"));
        Assert.Equal("outer_linear_adapter", OfficialLinkConfig.ReadOuterType(outer, "outer_23"));
        File.WriteAllText(outer, """{"format_version": 1, "adapters": [{"legacy_key": "outer_el", "filename": "outer_el.pt", "adapter_type": "outer_adapter"}]}""");
        Assert.Equal("outer_adapter", OfficialLinkConfig.ReadOuterType(outer, "outer_el"));
        File.WriteAllText(outer, """{"adapter_type": "outer_ln_res_adapter"}""");
        Assert.Equal("outer_ln_res_adapter", OfficialLinkConfig.ReadOuterType(outer, "outer_s1"));

        // Errors name the file and the key.
        File.WriteAllText(outer, """{"outer_12_type": "ln_res_adapter"}""");
        var wrongKind = Assert.Throws<ModelFileException>(() => OfficialLinkConfig.ReadOuterType(outer, "outer_12"));
        Assert.Equal(("outer_12_type", outer), (wrongKind.Item, wrongKind.FilePath));
        File.WriteAllText(outer, """{"outer_12_type": 3}""");
        Assert.Equal("outer_12_type", Assert.Throws<ModelFileException>(() => OfficialLinkConfig.ReadOuterType(outer, "outer_12")).Item);
        File.WriteAllText(inner, """{"hidden": 4}""");
        Assert.Equal("adapter_type", Assert.Throws<ModelFileException>(() => OfficialLinkConfig.ReadInnerType(inner)).Item);
        File.WriteAllText(inner, "{not json");
        Assert.Equal(inner, Assert.Throws<ModelFileException>(() => OfficialLinkConfig.ReadInnerType(inner)).FilePath);
    }
}
