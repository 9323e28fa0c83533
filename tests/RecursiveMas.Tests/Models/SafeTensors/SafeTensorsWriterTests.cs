using RecursiveMas.Models.SafeTensors;
using TorchSharp;
using static RecursiveMas.Tests.Models.SafeTensors.SafeTensorsTestSupport;

namespace RecursiveMas.Tests.Models.SafeTensors;

/// <summary>A failing write must leave an existing file byte-identical and no temporary behind.</summary>
public class SafeTensorsWriterTests
{
    static (TempDirectory Dir, string Path, byte[] Old) DirectoryWithExistingFile()
    {
        var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        using var old = torch.arange(10, dtype: torch.ScalarType.Float32);
        SafeTensorsWriter.Write(path, [new("old", old)]);
        return (dir, path, File.ReadAllBytes(path));
    }

    static void AssertUntouched(TempDirectory dir, string path, byte[] old)
    {
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], dir.Entries());
    }

    [Fact]
    public void EnumerableThrowingMidwayLeavesTheOldFile()
    {
        var (dir, path, old) = DirectoryWithExistingFile();
        using (dir)
        {
            using var a = torch.ones(1000);
            IEnumerable<KeyValuePair<string, torch.Tensor>> Tensors()
            {
                yield return new("a", a);
                throw new InvalidOperationException("producer failed");
            }

            var error = Assert.Throws<InvalidOperationException>(() => SafeTensorsWriter.Write(path, Tensors()));
            Assert.Equal("producer failed", error.Message);
            AssertUntouched(dir, path, old);
        }
    }

    [Fact]
    public void FailureWhileWritingDataRemovesTheTemporaryAndLeavesTheOldFile()
    {
        var (dir, path, old) = DirectoryWithExistingFile();
        using (dir)
        {
            using var b = torch.ones(1000);
            var a = torch.ones(1000);
            // The producer frees "a" once enumeration ends, i.e. after the header is built but before
            // its data is written: the failure happens with the temporary file already open.
            IEnumerable<KeyValuePair<string, torch.Tensor>> Tensors()
            {
                yield return new("b", b);
                yield return new("a", a);
                a.Dispose();
            }

            // TorchSharp reports a disposed tensor as InvalidOperationException ("empty handle").
            Assert.Throws<InvalidOperationException>(() => SafeTensorsWriter.Write(path, Tensors()));
            AssertUntouched(dir, path, old);
        }
    }

    [Fact]
    public void DuplicateNamesAreRejectedBeforeAnythingIsWritten()
    {
        var (dir, path, old) = DirectoryWithExistingFile();
        using (dir)
        {
            using var a = torch.ones(2);
            var error = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(path, [new("x", a), new("y", a), new("x", a)]));
            Assert.Contains("'x'", error.Message);
            AssertUntouched(dir, path, old);
        }
    }

    [Fact]
    public void UnsupportedDTypeAndReservedNameAreRejected()
    {
        var (dir, path, old) = DirectoryWithExistingFile();
        using (dir)
        {
            using var complex = torch.zeros(2, dtype: torch.ScalarType.ComplexFloat32);
            var error = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(path, [new("c", complex)]));
            Assert.Contains("'c'", error.Message);

            using var a = torch.ones(2);
            Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(path, [new("__metadata__", a)]));
            AssertUntouched(dir, path, old);
        }
    }

    [Fact]
    public void SuccessfulWriteReplacesTheFile()
    {
        var (dir, path, _) = DirectoryWithExistingFile();
        using (dir)
        {
            using var fresh = torch.full(3, 2f);
            SafeTensorsWriter.Write(path, [new("fresh", fresh)]);
            Assert.Equal(["model.safetensors"], dir.Entries());
            using var file = SafeTensorsFile.Open(path);
            Assert.Equal("fresh", Assert.Single(file.Tensors).Name);
            using var loaded = file.Load("fresh");
            AssertSameValues(fresh, loaded);
        }
    }

    [Fact]
    public void WriteIsDeterministic()
    {
        using var dir = new TempDirectory();
        using var a = torch.arange(5, dtype: torch.ScalarType.Int64);
        var metadata = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        SafeTensorsWriter.Write(dir.File("1.safetensors"), [new("a", a)], metadata);
        SafeTensorsWriter.Write(dir.File("2.safetensors"), [new("a", a)], metadata.Reverse().ToDictionary());
        Assert.Equal(File.ReadAllBytes(dir.File("1.safetensors")), File.ReadAllBytes(dir.File("2.safetensors")));
    }
}
