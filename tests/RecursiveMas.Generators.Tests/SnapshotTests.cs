using Microsoft.CodeAnalysis;
using RecursiveMas.Generators.Tests.Infrastructure;

namespace RecursiveMas.Generators.Tests;

/// <summary>
/// The generated code of every pattern against its checked-in baseline (Baselines/&lt;test&gt;/), and
/// compiled, with the declarations, against the real RecursiveMas assembly without a warning.
/// </summary>
public sealed class SnapshotTests
{
    // The hidden sizes the tiny test models have; given as config.json files so the links get static dims.
    internal static readonly AdditionalText[] Configs =
    [
        GeneratorHarness.Config("llama-64", 64),
        GeneratorHarness.Config("qwen3-96", 96),
        GeneratorHarness.Config("qwen2-128", 128),
        GeneratorHarness.Config("mistral-64", 64),
        GeneratorHarness.Config("qwen2-64", 64),
    ];

    [Theory]
    [MemberData(nameof(Declarations.Patterns), MemberType = typeof(Declarations))]
    public void GeneratedCodeMatchesTheBaselineAndCompiles(string pattern)
    {
        var source = (string)typeof(Declarations).GetField(pattern)!.GetValue(null)!;
        var output = GeneratorHarness.Run(source, Configs);

        Baseline.Verify(pattern, output.Sources);
        Assert.True(output.CompilationProblems.Count == 0, string.Join("\n", output.CompilationProblems));
    }
}
