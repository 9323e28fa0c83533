using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RecursiveMas.Generators.Tests.Infrastructure;

/// <summary>What one generator run gave: the generated files by hint name, and the compilation that includes them.</summary>
internal sealed record GeneratorOutput(GeneratorDriver Driver, GeneratorDriverRunResult Result, Compilation Compilation)
{
    /// <summary>Generated sources by hint name, in ordinal order of hint names.</summary>
    public IReadOnlyList<(string HintName, string Source)> Sources =>
        Result.Results.SelectMany(r => r.GeneratedSources)
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .Select(s => (s.HintName, s.SourceText.ToString()))
            .ToList();

    /// <summary>Errors and warnings of the compilation with the generated files (the test sources compile cleanly on their own).</summary>
    public IReadOnlyList<Diagnostic> CompilationProblems =>
        Compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}

/// <summary>
/// Runs <see cref="RecursiveSystemGenerator"/> over source text (with <c>using RecursiveMas;</c>) and
/// in-memory config.json files, with step tracking on, as the compiler does.
/// </summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static CSharpCompilation Compile(params string[] sources) => CSharpCompilation.Create(
        "GeneratorTests",
        sources.Select((s, i) => CSharpSyntaxTree.ParseText("using RecursiveMas;\n" + s, ParseOptions, path: $"Source{i}.cs")),
        TestReferences.All,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver(params AdditionalText[] configs) =>
        CSharpGeneratorDriver.Create(
            [new RecursiveSystemGenerator().AsSourceGenerator()],
            configs.ToImmutableArray(),
            ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once over <paramref name="compilation"/>.</summary>
    public static GeneratorOutput Run(GeneratorDriver driver, Compilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Assert.Empty(diagnostics);
        return new GeneratorOutput(driver, driver.GetRunResult(), output);
    }

    /// <summary>Runs the generator over <paramref name="source"/> with the given config files.</summary>
    public static GeneratorOutput Run(string source, params AdditionalText[] configs)
    {
        var compilation = Compile(source);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the test source does not compile:\n" + string.Join("\n", errors));
        return Run(Driver(configs), compilation);
    }

    /// <summary>A config.json at <c>models/&lt;model&gt;/config.json</c> with the given hidden size.</summary>
    public static AdditionalText Config(string model, int hiddenSize) =>
        new InMemoryAdditionalText($"/project/models/{model}/config.json",
            $$"""{ "model_type": "qwen3", "hidden_size": {{hiddenSize}}, "vocab_size": 320 }""");
}
