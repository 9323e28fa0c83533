using System.Text.Json;
using System.Text.RegularExpressions;

namespace RecursiveMas.Tools;

/// <summary>One searchable document.</summary>
public sealed record CorpusDocument(string Title, string Text);

/// <summary>
/// Offline search over one local corpus file, standing in for the official Tavily web search:
/// BM25 ranking, top 4 results, 320-character snippets (the official settings, PAPER §7.5).
/// The corpus is read once, at construction, from the one file it is given; a query is only ever
/// matched against that text, never used as a path, so the tool cannot read anything else.
/// Corpus formats: JSON Lines with "title" and "text" fields, or plain text with documents
/// separated by blank lines (first line = title).
/// </summary>
public sealed partial class CorpusSearchTool : ITool
{
    public const int ResultCount = 4;
    public const int SnippetLength = 320;
    const double K1 = 1.2, B = 0.75;

    private readonly IReadOnlyList<CorpusDocument> _documents;
    private readonly List<Dictionary<string, int>> _termCounts = [];
    private readonly Dictionary<string, int> _documentFrequency = [];
    private readonly double _averageLength;

    public CorpusSearchTool(string corpusPath)
        : this(Load(corpusPath))
    {
        CorpusPath = corpusPath;
    }

    public CorpusSearchTool(IReadOnlyList<CorpusDocument> documents)
    {
        _documents = documents;
        foreach (var doc in documents)
        {
            var counts = new Dictionary<string, int>();
            foreach (var term in Terms(doc.Title + " " + doc.Text))
                counts[term] = counts.GetValueOrDefault(term) + 1;
            _termCounts.Add(counts);
            foreach (var term in counts.Keys)
                _documentFrequency[term] = _documentFrequency.GetValueOrDefault(term) + 1;
        }
        _averageLength = _termCounts.Count == 0 ? 0 : _termCounts.Average(c => c.Values.Sum());
    }

    /// <summary>The file the corpus was read from, if any.</summary>
    public string? CorpusPath { get; }

    public string Name => "search";

    public string Description => "<search>query</search> searches the reference documents and returns the best passages.";

    public int DocumentCount => _documents.Count;

    public string Invoke(string input)
    {
        var hits = Search(input);
        if (hits.Count == 0)
            return "no results";
        return string.Join("\n", hits.Select((d, i) => $"[{i + 1}] {d.Title}: {Snippet(d.Text)}"));
    }

    /// <summary>The best documents for <paramref name="query"/> by BM25, at most <see cref="ResultCount"/>.</summary>
    public IReadOnlyList<CorpusDocument> Search(string query)
    {
        var terms = Terms(query).Distinct().ToList();
        if (terms.Count == 0)
            return [];
        int n = _documents.Count;
        var scored = new List<(double Score, int Index)>();
        for (int i = 0; i < n; i++)
        {
            var counts = _termCounts[i];
            double length = counts.Values.Sum(), score = 0;
            foreach (var term in terms)
            {
                if (!counts.TryGetValue(term, out int tf))
                    continue;
                int df = _documentFrequency[term];
                double idf = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / _averageLength));
            }
            if (score > 0)
                scored.Add((score, i));
        }
        return scored.OrderByDescending(s => s.Score).ThenBy(s => s.Index).Take(ResultCount).Select(s => _documents[s.Index]).ToList();
    }

    static string Snippet(string text)
    {
        string flat = WhitespaceRun().Replace(text, " ").Trim();
        return flat.Length <= SnippetLength ? flat : flat[..SnippetLength] + "…";
    }

    static IEnumerable<string> Terms(string text) =>
        Word().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    static IReadOnlyList<CorpusDocument> Load(string path)
    {
        if (!File.Exists(path))
            throw new ModelFileException(path, null, "search corpus not found");
        var lines = File.ReadAllLines(path);
        if (lines.FirstOrDefault(l => l.Trim().Length > 0)?.TrimStart().StartsWith('{') == true)
        {
            var docs = new List<CorpusDocument>();
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].Trim().Length == 0)
                    continue;
                try
                {
                    using var json = JsonDocument.Parse(lines[i]);
                    var root = json.RootElement;
                    string title = root.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "";
                    string body = root.TryGetProperty("text", out var x) ? x.GetString() ?? ""
                        : throw new ModelFileException(path, $"line {i + 1}", "a corpus record needs a \"text\" field");
                    docs.Add(new CorpusDocument(title, body));
                }
                catch (JsonException e)
                {
                    throw new ModelFileException(path, $"line {i + 1}", $"not valid JSON: {e.Message}", e);
                }
            }
            return docs;
        }
        return string.Join("\n", lines)
            .Split(["\n\n"], StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Trim())
            .Where(block => block.Length > 0)
            .Select(block =>
            {
                int newline = block.IndexOf('\n');
                return newline < 0 ? new CorpusDocument(block, block) : new CorpusDocument(block[..newline].Trim(), block[(newline + 1)..].Trim());
            })
            .ToList();
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();
}
