using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace RecursiveMas.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="DslAnalyzer"/> over markup source (<c>{|RMAS1001:256|}</c> marks where a diagnostic
/// is expected) with <c>using RecursiveMas;</c> in scope and the given config.json files as
/// <c>AdditionalFiles</c>. Every test compilation must otherwise compile cleanly.
/// </summary>
internal static class Verify
{
    /// <summary>Analyzes <paramref name="source"/>; the hidden RMAS1006 is left out unless <paramref name="includeHidden"/>.</summary>
    public static Task AnalyzerAsync(string source, params ConfigFile[] configs) => AnalyzerAsync(source, configs, includeHidden: false);

    /// <summary>Analyzes <paramref name="source"/> and checks the listed diagnostics as well as the markup ones.</summary>
    public static Task AnalyzerAsync(string source, ConfigFile[] configs, bool includeHidden, params DiagnosticResult[] expected)
    {
        var test = AnalyzerTest(source, configs, includeHidden);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>A configured analyzer test, for tests that need more than source (other projects).</summary>
    public static CSharpAnalyzerTest<DslAnalyzer, DefaultVerifier> AnalyzerTest(string source, ConfigFile[]? configs = null, bool includeHidden = false)
    {
        var test = new CSharpAnalyzerTest<DslAnalyzer, DefaultVerifier> { TestCode = Prelude + source };
        Configure(test, configs ?? [], includeHidden);
        return test;
    }

    /// <summary>Applies <typeparamref name="TFix"/> to the marked diagnostics and compares with <paramref name="fixedSource"/>.</summary>
    public static Task CodeFixAsync<TFix>(string source, string fixedSource, params ConfigFile[] configs)
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<DslAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = Prelude + source,
            FixedCode = Prelude + fixedSource,
        };
        Configure(test, configs, includeHidden: true);
        return test.RunAsync();
    }

    /// <summary>An expected diagnostic, for checking message arguments: <c>Diagnostic("RMAS1001").WithLocation(0).WithArguments(...)</c>.</summary>
    public static DiagnosticResult Diagnostic(string id) =>
        new(DiagnosticDescriptors.All.Single(d => d.Id == id));

    const string Prelude = "using RecursiveMas;\n";

    static void Configure<TVerifier>(AnalyzerTest<TVerifier> test, ConfigFile[] configs, bool includeHidden)
        where TVerifier : IVerifier, new()
    {
        test.ReferenceAssemblies = TestReferences.None;
        test.TestState.AdditionalReferences.AddRange(TestReferences.Framework);
        test.TestState.AdditionalReferences.Add(TestReferences.RecursiveMas);
        foreach (var config in configs)
        {
            test.TestState.AdditionalFiles.Add((config.Path, config.Json));
        }

        if (!includeHidden)
        {
            test.DisabledDiagnostics.Add(DiagnosticDescriptors.HiddenSizeFromConfigId);
        }
    }
}

/// <summary>A config.json for the test project's <c>AdditionalFiles</c>.</summary>
/// <param name="Path">The item's path, e.g. <c>models/planner/config.json</c>.</param>
/// <param name="Json">The file's text.</param>
internal sealed record ConfigFile(string Path, string Json)
{
    /// <summary>A minimal Hugging Face config for <paramref name="model"/> with the given hidden size.</summary>
    public static ConfigFile For(string model, int hiddenSize) =>
        new($"/project/models/{model}/config.json", $$"""{ "model_type": "qwen3", "hidden_size": {{hiddenSize}}, "vocab_size": 151936 }""");
}
