using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RecursiveMas.Dsl;
using RecursiveMas.Dsl.Roslyn;

namespace RecursiveMas.Analyzers.Tests.Infrastructure;

/// <summary>Compiles source and extracts specs with the shared extractor, for tests of the model itself.</summary>
internal static class Specs
{
    /// <summary>The system named <paramref name="systemName"/> in <paramref name="source"/>.</summary>
    public static SystemSpec System(string source, string systemName, params ConfigFile[] configs)
    {
        var (compilation, extractor) = Compile(source, configs);
        return extractor.ExtractSystem(compilation.GetTypeByMetadataName(systemName)!)
            ?? throw new InvalidOperationException($"{systemName} is not a system");
    }

    /// <summary>The agent named <paramref name="agentName"/> in <paramref name="source"/>.</summary>
    public static AgentSpec Agent(string source, string agentName, params ConfigFile[] configs)
    {
        var (compilation, extractor) = Compile(source, configs);
        return extractor.ExtractAgent(compilation.GetTypeByMetadataName(agentName)!)
            ?? throw new InvalidOperationException($"{agentName} is not an agent");
    }

    static (Compilation, SpecExtractor) Compile(string source, ConfigFile[] configs)
    {
        var compilation = CSharpCompilation.Create(
            "Specs",
            [CSharpSyntaxTree.ParseText("using RecursiveMas;\n" + source)],
            [.. TestReferences.Framework, TestReferences.RecursiveMas],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var configIndex = new ConfigJsonIndex(configs.Select(c => (c.Path, (Func<string?>)(() => c.Json))));
        return (compilation, new SpecExtractor(DslSymbols.Create(compilation)!, configIndex));
    }
}
