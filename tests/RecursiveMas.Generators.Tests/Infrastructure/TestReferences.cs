using Microsoft.CodeAnalysis;

namespace RecursiveMas.Generators.Tests.Infrastructure;

/// <summary>
/// The references of every test compilation: the assemblies this test process runs on (the .NET
/// framework, TorchSharp, and the real RecursiveMas runtime), so generated code is compiled against
/// exactly the API it calls at run time.
/// </summary>
internal static class TestReferences
{
    public static IReadOnlyList<MetadataReference> All { get; } =
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => Path.GetFileName(path) is var name
                && (name.StartsWith("System.", StringComparison.Ordinal) || name is "mscorlib.dll" or "netstandard.dll"
                    or "TorchSharp.dll" or "RecursiveMas.dll" or "Microsoft.ML.Tokenizers.dll"))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
}
