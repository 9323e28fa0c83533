using Microsoft.CodeAnalysis;
using RecursiveMas.Analyzers.Tests.Infrastructure;
using RecursiveMas.Dsl;

namespace RecursiveMas.Analyzers.Tests.Model;

/// <summary>The diagnostic catalog, the shared rules, the release file and the docs agree.</summary>
public class CatalogTests
{
    static readonly string RepositoryRoot = TestReferences.Metadata("RepositoryRoot")!;

    // By number: the rule kinds are internal to the analyzer assembly.
    public static TheoryData<int> Kinds => new(Enum.GetValues<DiagnosticKind>().Select(k => (int)k));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_rule_has_a_descriptor_with_its_severity_and_help(int number)
    {
        var kind = (DiagnosticKind)number;
        var descriptor = DiagnosticDescriptors.For(kind);

        Assert.Equal(Problem.FormatId(kind), descriptor.Id);
        Assert.Equal(Problem.IsErrorKind(kind), descriptor.DefaultSeverity == DiagnosticSeverity.Error);
        Assert.NotEmpty(descriptor.Description.ToString());
        Assert.EndsWith($"docs/diagnostics/{descriptor.Id}.md", descriptor.HelpLinkUri);
        Assert.StartsWith("RecursiveMas.", descriptor.Category);
    }

    [Fact]
    public void Every_descriptor_is_a_rule_and_ids_are_in_their_ranges()
    {
        Assert.Equal(Enum.GetValues<DiagnosticKind>().Select(Problem.FormatId), DiagnosticDescriptors.All.Select(d => d.Id));
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            var expected = (int.Parse(descriptor.Id[4..]) / 1000) switch
            {
                0 => "RecursiveMas.Declaration",
                1 => "RecursiveMas.Dimensions",
                2 => "RecursiveMas.Prompts",
                _ => "RecursiveMas.Graph",
            };
            Assert.Equal(expected, descriptor.Category);
        }
    }

    [Fact]
    public void Every_descriptor_has_a_docs_page_listed_in_the_index_and_a_release_entry()
    {
        var index = File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "diagnostics", "README.md"));
        var releases = File.ReadAllText(Path.Combine(RepositoryRoot, "analyzers", "RecursiveMas.Analyzers", "AnalyzerReleases.Unshipped.md"));
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            var page = Path.Combine(RepositoryRoot, "docs", "diagnostics", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{page} is missing");
            Assert.StartsWith($"# {descriptor.Id}: {descriptor.Title}", File.ReadAllText(page));
            Assert.Contains($"[{descriptor.Id}]({descriptor.Id}.md)", index);
            Assert.Contains($"{descriptor.Id} | {descriptor.Category} | {descriptor.DefaultSeverity} |", releases);
        }
    }

    [Fact]
    public void The_prompt_use_mirror_matches_the_runtime_enum() =>
        Assert.Equal(
            Enum.GetValues<PromptUse>().Select(v => (v.ToString(), (int)v)),
            Enum.GetValues<PromptUseKind>().Select(v => (v.ToString(), (int)v)));
}
