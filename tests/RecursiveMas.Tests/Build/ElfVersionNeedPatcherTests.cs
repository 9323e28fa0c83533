using RecursiveMas.Build;

namespace RecursiveMas.Tests.Build;

/// <summary>
/// The build's fix for TorchSharp's native library (build/ElfVersionNeedPatcher.cs, compiled into
/// this test project without its MSBuild task wrapper), exercised on copies of the real library.
/// </summary>
public sealed class ElfVersionNeedPatcherTests : IDisposable
{
    const string Version = "GLIBCXX_3.4.32";
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-elf-" + Guid.NewGuid().ToString("N"));

    public ElfVersionNeedPatcherTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The unpatched library from the NuGet cache (the build never writes there).</summary>
    static string ShippedLibrary()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Directory.GetFiles(Path.Combine(packages, "libtorch-cpu-linux-x64"), "libLibTorchSharp.so", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(packages, "torchsharp"), "libLibTorchSharp.so", SearchOption.AllDirectories))
            .First();
    }

    string CopyOfShipped()
    {
        string copy = Path.Combine(_dir, "libLibTorchSharp.so");
        File.Copy(ShippedLibrary(), copy, overwrite: true);
        return copy;
    }

    [Fact]
    public void TheShippedLibraryNeedsTheVersionStronglyAndThePatchMakesItWeakByTwoBytes()
    {
        string copy = CopyOfShipped();
        Assert.False(ElfVersionNeedPatcher.IsWeak(copy, Version));
        byte[] before = File.ReadAllBytes(copy);

        Assert.Equal(ElfPatchOutcome.Patched, ElfVersionNeedPatcher.Patch(copy, Version));
        Assert.True(ElfVersionNeedPatcher.IsWeak(copy, Version));
        byte[] after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        Assert.Single(Enumerable.Range(0, before.Length), i => before[i] != after[i]); // the low byte of vna_flags
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
        Assert.False(ElfVersionNeedPatcher.IsWeak(ShippedLibrary(), Version)); // the cache copy is untouched
    }

    [Fact]
    public void PatchingIsIdempotent()
    {
        string copy = CopyOfShipped();
        ElfVersionNeedPatcher.Patch(copy, Version);
        byte[] once = File.ReadAllBytes(copy);
        Assert.Equal(ElfPatchOutcome.AlreadyWeak, ElfVersionNeedPatcher.Patch(copy, Version));
        Assert.Equal(once, File.ReadAllBytes(copy));
    }

    [Fact]
    public void ALibraryThatDoesNotAskForTheVersionIsLeftAlone()
    {
        string copy = CopyOfShipped();
        byte[] before = File.ReadAllBytes(copy);
        Assert.Equal(ElfPatchOutcome.NotRequired, ElfVersionNeedPatcher.Patch(copy, "GLIBCXX_9.9.99"));
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "not an ELF file")]
    [InlineData(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "not a 64-bit little-endian")]
    public void AnUnexpectedLayoutIsAClearError(byte[] content, string says)
    {
        string file = Path.Combine(_dir, "bad.so");
        File.WriteAllBytes(file, content);
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.Patch(file, Version));
        Assert.Contains(says, e.Message);
        Assert.Contains(file, e.Message);
        Assert.Equal(content, File.ReadAllBytes(file));
    }

    [Fact]
    public void ATruncatedLibraryIsAClearError()
    {
        string copy = CopyOfShipped();
        byte[] all = File.ReadAllBytes(copy);
        File.WriteAllBytes(copy, all[..4096]);
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.Patch(copy, Version));
        Assert.Contains("outside the file", e.Message);
    }

    [Fact]
    public void TheLibraryInThisTestOutputLoadsBecauseTheHostHasTheVersionOrTheCopyIsPatched()
    {
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(output), output);
        string? host = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }
            .FirstOrDefault(File.Exists);
        bool hostHasIt = host is not null && ElfVersionNeedPatcher.DefinesVersion(host, Version);
        Assert.True(hostHasIt || ElfVersionNeedPatcher.IsWeak(output, Version));
    }
}
