using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RecursiveMas.Analyzers.Tests.Infrastructure;

/// <summary>
/// A library compiled to an assembly image and referenced as metadata, as a NuGet package or a prebuilt DLL is: its types
/// have no source in the test project (an <c>AdditionalProjects</c> reference would be a compilation reference, whose types
/// keep their syntax), and no analyzer ran over it.
/// </summary>
internal static class CompiledLibrary
{
    /// <summary>Compiles <paramref name="source"/> (which must compile without errors) into assembly <paramref name="name"/>.</summary>
    public static MetadataReference Reference(string source, string name = "Library")
    {
        var compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText(source)],
            [.. TestReferences.Framework, TestReferences.RecursiveMas],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the library does not compile:\n" + string.Join("\n", errors));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }
}
