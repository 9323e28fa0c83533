using System.Text.RegularExpressions;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Build;

/// <summary>
/// The folders of src/RecursiveMas depend on each other without a cycle, and exactly as the table in
/// docs/architecture.md says (so the contributors' map stays true).
/// </summary>
public sealed partial class FolderDependencyTests
{
    static string Library => Path.Combine(RepositoryRoot.Path, "src", "RecursiveMas");

    [GeneratedRegex(@"\bRecursiveMas\.([A-Z][A-Za-z]+)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\| `(\w+)` \| (.+) \|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    /// <summary>Folder → the other folders its sources name.</summary>
    static Dictionary<string, SortedSet<string>> FromSources()
    {
        // Folders of code: packaging assets (buildTransitive/) hold no sources and are not a stage of the flow.
        var folders = Directory.GetDirectories(Library)
            .Where(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories).Any())
            .Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).ToHashSet()!;
        var uses = folders.ToDictionary(f => f!, _ => new SortedSet<string>(StringComparer.Ordinal));
        foreach (var folder in folders)
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Library, folder!), "*.cs", SearchOption.AllDirectories))
                foreach (Match m in Reference().Matches(File.ReadAllText(file)))
                    if (m.Groups[1].Value != folder && folders.Contains(m.Groups[1].Value))
                        uses[folder!].Add(m.Groups[1].Value);
        return uses;
    }

    static Dictionary<string, SortedSet<string>> FromTable()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "architecture.md"));
        int start = doc.IndexOf("<!-- folder-dependencies:start -->", StringComparison.Ordinal);
        int end = doc.IndexOf("<!-- folder-dependencies:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/architecture.md has no folder-dependencies table");
        return TableRow().Matches(doc[start..end]).ToDictionary(m => m.Groups[1].Value, m => new SortedSet<string>(
            m.Groups[2].Value == "—" ? [] : m.Groups[2].Value.Split(", ").Select(x => x.Trim('`')), StringComparer.Ordinal));
    }

    [Fact]
    public void FoldersDependOnEachOtherWithoutACycle()
    {
        var uses = FromSources();
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        void Visit(string folder)
        {
            state[folder] = 1;
            path.Add(folder);
            foreach (var next in uses[folder])
            {
                if (state.GetValueOrDefault(next) == 1)
                    Assert.Fail($"folder cycle: {string.Join(" → ", path.SkipWhile(f => f != next))} → {next}");
                if (state.GetValueOrDefault(next) == 0)
                    Visit(next);
            }
            path.RemoveAt(path.Count - 1);
            state[folder] = 2;
        }
        foreach (var folder in uses.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(folder) == 0)
                Visit(folder);
    }

    [Fact]
    public void TheArchitectureTableSaysWhatTheSourcesUse()
    {
        var sources = FromSources();
        var table = FromTable();
        Assert.Equal(sources.Keys.Order(StringComparer.Ordinal), table.Keys.Order(StringComparer.Ordinal));
        foreach (var (folder, used) in sources)
            Assert.True(used.SetEquals(table[folder]),
                $"{folder}: the sources use {string.Join(", ", used)}; docs/architecture.md says {string.Join(", ", table[folder])}");
    }
}
