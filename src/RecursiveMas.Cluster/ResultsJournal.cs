using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RecursiveMas.Cluster;

/// <summary>What a journal is the journal of: a resumed eval must be the same eval (compared field by field).</summary>
public sealed record JournalIdentity
{
    [JsonPropertyName("journal")] public string Kind { get; init; } = "rmas-cluster-eval/1";
    [JsonPropertyName("system")] public required string System { get; init; }
    [JsonPropertyName("systemDigest")] public required string SystemDigest { get; init; }
    [JsonPropertyName("data")] public required string Data { get; init; }
    [JsonPropertyName("dataDigest")] public required string DataDigest { get; init; }
    [JsonPropertyName("questions")] public required int Questions { get; init; }
    [JsonPropertyName("rounds")] public required int Rounds { get; init; }
    [JsonPropertyName("seed")] public required long Seed { get; init; }
    [JsonPropertyName("temperature")] public required double Temperature { get; init; }
    [JsonPropertyName("maxNewTokens")] public required int MaxNewTokens { get; init; }
    [JsonPropertyName("checker")] public required string Checker { get; init; }
}

/// <summary>One finished question, as the journal keeps it.</summary>
public sealed record JournalEntry
{
    [JsonPropertyName("index")] public required int Index { get; init; }
    [JsonPropertyName("question")] public required string Question { get; init; }
    [JsonPropertyName("text")] public required string Text { get; init; }
    [JsonPropertyName("answer")] public string? Answer { get; init; }
    [JsonPropertyName("correct")] public required bool Correct { get; init; }
    [JsonPropertyName("generatedTokens")] public required int GeneratedTokens { get; init; }
    [JsonPropertyName("milliseconds")] public required double Milliseconds { get; init; }
    [JsonPropertyName("silos")] public required IReadOnlyList<string> Silos { get; init; }
    [JsonPropertyName("attempts")] public required int Attempts { get; init; }
}

/// <summary>
/// The results journal of <c>rmas eval --cluster</c>: a JSON-lines file whose first line is the eval's
/// <see cref="JournalIdentity"/> and every other line one finished question, appended and flushed to disk as
/// it finishes. A killed eval loses nothing already computed: run the same command again and it reads the
/// journal, skips the questions in it and appends the rest. A last line cut short by the kill is dropped
/// (the file is truncated to the last whole line); a journal of another eval is refused, naming the field
/// that differs.
/// </summary>
public sealed class ResultsJournal : IDisposable
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private readonly FileStream _stream;
    private readonly object _lock = new();
    private readonly Dictionary<int, JournalEntry> _entries;

    private ResultsJournal(string path, FileStream stream, Dictionary<int, JournalEntry> entries, int resumed)
    {
        Path = path;
        _stream = stream;
        _entries = entries;
        Resumed = resumed;
    }

    public string Path { get; }

    /// <summary>Questions read back from an earlier run.</summary>
    public int Resumed { get; }

    /// <summary>Every finished question, by index.</summary>
    public IReadOnlyDictionary<int, JournalEntry> Entries
    {
        get
        {
            lock (_lock)
                return new Dictionary<int, JournalEntry>(_entries);
        }
    }

    /// <summary>Opens (or starts) the journal at <paramref name="path"/> for the eval <paramref name="identity"/>.</summary>
    public static ResultsJournal Open(string path, JournalIdentity identity)
    {
        path = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } dir)
            Directory.CreateDirectory(dir);
        var entries = new Dictionary<int, JournalEntry>();
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            long good = ReadExisting(path, stream, identity, entries);
            stream.SetLength(good);
            stream.Seek(good, SeekOrigin.Begin);
            var journal = new ResultsJournal(path, stream, entries, entries.Count);
            if (good == 0)
                journal.AppendLine(JsonSerializer.Serialize(identity, Json));
            return journal;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads the lines already there; returns the length of the whole lines kept.</summary>
    static long ReadExisting(string path, FileStream stream, JournalIdentity identity, Dictionary<int, JournalEntry> entries)
    {
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        long good = 0;
        int lineNumber = 0;
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)'\n')
                continue;
            lineNumber++;
            string line = Encoding.UTF8.GetString(bytes, start, i - start);
            if (lineNumber == 1)
            {
                var found = Parse<JournalIdentity>(line, path, lineNumber);
                if (Difference(found, identity) is { } diff)
                    throw new InvalidDataException($"{path}: the journal is of another eval ({diff}); use another --journal or delete it");
            }
            else
            {
                var entry = Parse<JournalEntry>(line, path, lineNumber);
                if (entry.Index < 0 || entry.Index >= identity.Questions)
                    throw new InvalidDataException($"{path}:{lineNumber}: question index {entry.Index} is outside 0..{identity.Questions - 1}");
                entries[entry.Index] = entry;
            }
            good = i + 1;
            start = i + 1;
        }
        // Whatever follows the last newline was cut short by a kill mid-write: dropped.
        return good;
    }

    static T Parse<T>(string line, string path, int lineNumber)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(line, Json) ?? throw new InvalidDataException($"{path}:{lineNumber}: empty line");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{lineNumber}: not a journal line: {e.Message}", e);
        }
    }

    /// <summary>The first field in which two identities differ, as "field: was X, now Y"; null when equal.</summary>
    static string? Difference(JournalIdentity was, JournalIdentity now)
    {
        var a = JsonSerializer.SerializeToElement(was, Json);
        var b = JsonSerializer.SerializeToElement(now, Json);
        foreach (var property in b.EnumerateObject())
        {
            string before = a.TryGetProperty(property.Name, out var value) ? value.GetRawText() : "(missing)";
            if (before != property.Value.GetRawText())
                return $"{property.Name}: was {before}, now {property.Value.GetRawText()}";
        }
        return null;
    }

    /// <summary>Records a finished question: appended and flushed to disk before this returns.</summary>
    public void Add(JournalEntry entry)
    {
        lock (_lock)
        {
            if (_entries.ContainsKey(entry.Index))
                throw new InvalidOperationException($"{Path}: question {entry.Index} is already in the journal");
            AppendLine(JsonSerializer.Serialize(entry, Json));
            _entries[entry.Index] = entry;
        }
    }

    void AppendLine(string line)
    {
        _stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
        _stream.Flush(flushToDisk: true);
    }

    public void Dispose() => _stream.Dispose();
}
