using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using RecursiveMas.Analyzers.Tests.Infrastructure;

namespace RecursiveMas.Analyzers.Tests.HelpLinks;

/// <summary>
/// A reported diagnostic links to the page of the diagnostics folder the build names
/// (<c>build_property.RecursiveMasDiagnosticDocs</c>, set by the package's props and, in this repository,
/// by Directory.Build.props), and to the published page without one.
/// </summary>
public sealed class HelpLinkTests
{
    const string NotPartialAgent = """
        using RecursiveMas;

        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public class Planner { }
        """;

    static readonly string RepositoryDocs = Path.Combine(RepositoryRoot(), "docs", "diagnostics") + Path.DirectorySeparatorChar;

    [Fact]
    public async Task With_a_docs_folder_the_link_opens_its_page()
    {
        var diagnostic = Assert.Single(await AnalyzeAsync(NotPartialAgent, RepositoryDocs));

        Assert.Equal("RMAS0002", diagnostic.Id);
        var uri = new Uri(diagnostic.Descriptor.HelpLinkUri);
        Assert.True(uri.IsFile, uri.ToString());
        Assert.Equal(Path.Combine(RepositoryDocs, "RMAS0002.md"), uri.LocalPath);
        Assert.StartsWith("# RMAS0002:", File.ReadAllText(uri.LocalPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_one_the_link_is_the_published_page()
    {
        var diagnostic = Assert.Single(await AnalyzeAsync(NotPartialAgent, docsFolder: null));

        Assert.Equal(DiagnosticDescriptors.HelpLinkBase + "RMAS0002.md", diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public async Task A_relative_docs_folder_is_ignored_rather_than_resolved_against_the_compilers_directory()
    {
        var diagnostic = Assert.Single(await AnalyzeAsync(NotPartialAgent, "docs/diagnostics/"));

        Assert.Equal(DiagnosticDescriptors.HelpLinkBase + "RMAS0002.md", diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public void Every_diagnostic_has_its_page_in_the_docs_folder()
    {
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            var page = new Uri(global::RecursiveMas.Analyzers.HelpLinks.PageUri(RepositoryDocs, descriptor.Id)).LocalPath;
            Assert.True(File.Exists(page), $"{descriptor.Id}: no page at {page}");
            Assert.StartsWith($"# {descriptor.Id}: {descriptor.Title}", File.ReadAllText(page), StringComparison.Ordinal);
        }
    }

    static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, string? docsFolder)
    {
        var compilation = CSharpCompilation.Create(
            "HelpLinkTests",
            [CSharpSyntaxTree.ParseText(source, path: "Agents.cs")],
            [.. TestReferences.Framework, TestReferences.RecursiveMas],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var globals = docsFolder is null
            ? ImmutableDictionary<string, string>.Empty
            : ImmutableDictionary<string, string>.Empty.Add(global::RecursiveMas.Analyzers.HelpLinks.DocsProperty, docsFolder);
        var options = new AnalyzerOptions([], new GlobalOptionsProvider(globals));
        return await compilation.WithAnalyzers([new DslAnalyzer()], options).GetAnalyzerDiagnosticsAsync();
    }

    static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RecursiveMas.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("RecursiveMas.sln not found above " + AppContext.BaseDirectory);
    }

    sealed class GlobalOptionsProvider(ImmutableDictionary<string, string> globals) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(globals);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(ImmutableDictionary<string, string>.Empty);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(ImmutableDictionary<string, string>.Empty);
    }

    sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
