using System.Reflection;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace RecursiveMas.Generators.Tests.Infrastructure;

/// <summary>
/// Compares generated files with the checked-in baselines under <c>Baselines/&lt;test&gt;/&lt;hint name&gt;.txt</c>
/// (the generator's version replaced by <c>%VERSION%</c>). The set of files must match as well as their
/// text. On a mismatch the failure shows a line diff; with <c>RMAS_UPDATE_BASELINES=1</c> the baselines are
/// rewritten (stale ones deleted) and the test passes.
/// </summary>
internal static class Baseline
{
    const string UpdateVariable = "RMAS_UPDATE_BASELINES";

    static string Directory => Path.Combine(
        typeof(Baseline).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!,
        "Baselines");

    public static void Verify(string testName, IReadOnlyList<(string HintName, string Source)> generated)
    {
        var folder = Path.Combine(Directory, testName);
        var actual = generated.ToDictionary(g => g.HintName + ".txt", g => g.Source.Replace(Emit.Emitter.Version, "%VERSION%", StringComparison.Ordinal));
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            System.IO.Directory.CreateDirectory(folder);
            foreach (var stale in System.IO.Directory.GetFiles(folder).Where(f => !actual.ContainsKey(Path.GetFileName(f))))
                File.Delete(stale);
            foreach (var (name, text) in actual)
                File.WriteAllText(Path.Combine(folder, name), text);
            return;
        }

        var expectedFiles = System.IO.Directory.Exists(folder)
            ? System.IO.Directory.GetFiles(folder).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToList()
            : [];
        var report = new StringBuilder();
        var actualFiles = actual.Keys.OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (!expectedFiles.SequenceEqual(actualFiles))
            report.Append($"generated files [{string.Join(", ", actualFiles)}] but the baselines are [{string.Join(", ", expectedFiles)}]\n");
        foreach (var name in actualFiles.Intersect(expectedFiles))
        {
            var expected = File.ReadAllText(Path.Combine(folder, name!)).ReplaceLineEndings("\n");
            if (expected != actual[name!])
                report.Append(Diff(name!, expected, actual[name!]));
        }

        Assert.True(report.Length == 0,
            $"{testName}: the generated code differs from Baselines/{testName} (run with {UpdateVariable}=1 to accept it):\n{report}");
    }

    // Changed lines only, with two lines of context, "-" for the baseline and "+" for the generated code.
    static string Diff(string name, string expected, string actual)
    {
        var diff = InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false);
        var lines = diff.Lines;
        var text = new StringBuilder($"--- Baselines/{name}\n+++ generated\n");
        for (int i = 0; i < lines.Count; i++)
        {
            bool near = Enumerable.Range(Math.Max(0, i - 2), Math.Min(lines.Count, i + 3) - Math.Max(0, i - 2)).Any(j => lines[j].Type != ChangeType.Unchanged);
            if (!near)
                continue;
            string mark = lines[i].Type switch { ChangeType.Inserted => "+", ChangeType.Deleted => "-", _ => " " };
            text.Append($"{lines[i].Position,5} {mark} {lines[i].Text}\n");
        }
        return text.ToString();
    }
}
