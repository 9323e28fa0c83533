using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RecursiveMas.Evaluation;

/// <summary>One (method, rounds) cell over all seeds; <see cref="Rounds"/> is 0 for single-agent methods.</summary>
public sealed record ComparisonRow(string Method, int Rounds, IReadOnlyList<SeedRun> Runs)
{
    public ConfidenceInterval Accuracy => ConfidenceInterval.Of([.. Runs.Select(r => r.Accuracy)]);

    public ConfidenceInterval TokensPerQuestion => ConfidenceInterval.Of([.. Runs.Select(r => r.TokensPerQuestion)]);

    public ConfidenceInterval SecondsPerQuestion => ConfidenceInterval.Of([.. Runs.Select(r => r.SecondsPerQuestion)]);

    /// <summary>k → pass@k over seeds, for the k every seed run reports (none with one sample per question).</summary>
    public IReadOnlyDictionary<int, ConfidenceInterval> PassAt =>
        Runs.Select(r => r.PassAt.Keys).Aggregate((IEnumerable<int>)Runs[0].PassAt.Keys, (a, b) => a.Intersect(b)).Order()
            .ToDictionary(k => k, k => ConfidenceInterval.Of([.. Runs.Select(r => r.PassAt[k])]));

    /// <summary>"recursive n=2", or the method alone for single-agent methods.</summary>
    public string Label => Rounds == 0 ? Method : $"{Method} n={Rounds}";
}

/// <summary>The comparison table: rows in the order run, with 95% t-intervals over seeds.</summary>
public sealed record ComparisonResult(string System, string Data, int Questions, double Temperature, IReadOnlyList<ComparisonRow> Rows)
{
    /// <summary>"strict" or "lenient": how answers were graded.</summary>
    public string Checker { get; init; } = "strict";

    /// <summary>The published benchmark the data was read as; null for the task JSONL.</summary>
    public string? Benchmark { get; init; }

    /// <summary>The seeds of all rows, ascending.</summary>
    public IReadOnlyList<long> Seeds => [.. Rows.SelectMany(r => r.Runs).Select(r => r.Seed).Distinct().Order()];

    /// <summary>The largest comparison.json read: one holds a row per method and round count (≈ 20 KB).</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>
    /// Reads what <see cref="ToJson"/> wrote (comparison.json). Rows are rebuilt from their per-seed runs,
    /// so the intervals are recomputed, not copied; anything missing or mistyped is a
    /// <see cref="ModelFileException"/> naming the file and the field.
    /// </summary>
    public static ComparisonResult Load(string path)
    {
        if (!File.Exists(path))
            throw new ModelFileException(path, null, "comparison file not found");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(Tokenization.JsonFile.ReadSmall(path, MaxFileBytes));
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, null, $"not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("rows", out var rowsElement) || rowsElement.ValueKind != JsonValueKind.Array)
                throw new ModelFileException(path, null, "not a comparison: expected a JSON object with \"rows\" (rmas eval's comparison.json)");
            var rows = new List<ComparisonRow>();
            foreach (var (row, i) in rowsElement.EnumerateArray().Select((r, i) => (r, i)))
            {
                string where = $"rows[{i}]";
                string method = Get(row, "method", JsonValueKind.String, path, where).GetString()!;
                var roundsElement = row.TryGetProperty("rounds", out var r) ? r : default;
                int rounds = roundsElement.ValueKind == JsonValueKind.Number ? roundsElement.GetInt32() : 0;
                var seeds = Get(row, "seeds", JsonValueKind.Array, path, where);
                var runs = seeds.EnumerateArray().Select((seed, j) =>
                {
                    string at = $"{where}.seeds[{j}]";
                    double Number(string key) => Get(seed, key, JsonValueKind.Number, path, at).GetDouble();
                    // What a chart and an interval are computed from must be what a run can have counted: a file that
                    // says 50 of 2 questions correct would plot as 2,500 %.
                    int Count(string key, int min, int max) =>
                        Number(key) is var value && value >= min && value <= max && value == Math.Floor(value)
                            ? (int)value
                            : throw new ModelFileException(path, $"{at}.{key}", string.Create(CultureInfo.InvariantCulture, $"must be a whole number from {min} to {max}, got {value}"));
                    double Measure(string key) => Number(key) is var value && value >= 0 && double.IsFinite(value)
                        ? value
                        : throw new ModelFileException(path, $"{at}.{key}", string.Create(CultureInfo.InvariantCulture, $"must be a finite number ≥ 0, got {value}"));
                    // samples and pass_at are absent from files written before --samples: one sample.
                    int samples = seed.TryGetProperty("samples", out _) ? Count("samples", 1, int.MaxValue) : 1;
                    var passAt = seed.TryGetProperty("pass_at", out _)
                        ? Get(seed, "pass_at", JsonValueKind.Object, path, at).EnumerateObject().ToDictionary(
                            p => int.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k >= 1 ? k : throw new ModelFileException(path, $"{at}.pass_at.{p.Name}", "keys must be k values"),
                            p => p.Value.ValueKind == JsonValueKind.Number && p.Value.GetDouble() is >= 0 and <= 1 ? p.Value.GetDouble() : throw new ModelFileException(path, $"{at}.pass_at.{p.Name}", "must be a number from 0 to 1"))
                        : new Dictionary<int, double>();
                    int questions = Count("questions", 1, int.MaxValue);
                    return new SeedRun(Get(seed, "seed", JsonValueKind.Number, path, at).GetInt64(), questions, Count("correct", 0, questions),
                        Measure("tokens_per_question"), Measure("seconds_per_question"))
                    { Samples = samples, PassAt = passAt };
                }).ToList();
                if (runs.Count == 0)
                    throw new ModelFileException(path, where + ".seeds", "no seed runs");
                rows.Add(new ComparisonRow(method, rounds, runs));
            }
            if (rows.Count == 0)
                throw new ModelFileException(path, "rows", "no rows");
            return new ComparisonResult(
                Get(root, "system", JsonValueKind.String, path, null).GetString()!,
                Get(root, "data", JsonValueKind.String, path, null).GetString()!,
                Get(root, "questions", JsonValueKind.Number, path, null).GetInt32(),
                Get(root, "temperature", JsonValueKind.Number, path, null).GetDouble(),
                rows)
            {
                Checker = root.TryGetProperty("checker", out var checker) && checker.ValueKind == JsonValueKind.String ? checker.GetString()! : "strict",
                Benchmark = root.TryGetProperty("benchmark", out var benchmark) && benchmark.ValueKind == JsonValueKind.String ? benchmark.GetString() : null,
            };
        }
    }

    static JsonElement Get(JsonElement parent, string key, JsonValueKind kind, string path, string? where)
    {
        string item = where is null ? key : $"{where}.{key}";
        if (!parent.TryGetProperty(key, out var value))
            throw new ModelFileException(path, item, "missing");
        if (value.ValueKind != kind)
            throw new ModelFileException(path, item, string.Create(CultureInfo.InvariantCulture, $"must be {kind}, got {value.ValueKind}"));
        return value;
    }

    public string ToJson()
    {
        static JsonObject Interval(ConfidenceInterval ci) => new() { ["mean"] = ci.Mean, ["ci95"] = ci.HalfWidth };
        var root = new JsonObject
        {
            ["system"] = System,
            ["data"] = Data,
            ["questions"] = Questions,
            ["temperature"] = Temperature,
            ["checker"] = Checker,
            ["benchmark"] = Benchmark,
            ["rows"] = new JsonArray([.. Rows.Select(r => (JsonNode)new JsonObject
            {
                ["method"] = r.Method,
                ["rounds"] = r.Rounds == 0 ? null : r.Rounds,
                ["accuracy"] = Interval(r.Accuracy),
                ["tokens_per_question"] = Interval(r.TokensPerQuestion),
                ["seconds_per_question"] = Interval(r.SecondsPerQuestion),
                ["pass_at"] = new JsonObject([.. r.PassAt.Select(p => KeyValuePair.Create(p.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)Interval(p.Value)))]),
                ["seeds"] = new JsonArray([.. r.Runs.Select(s => (JsonNode)new JsonObject
                {
                    ["seed"] = s.Seed,
                    ["correct"] = s.Correct,
                    ["questions"] = s.Questions,
                    ["samples"] = s.Samples,
                    ["accuracy"] = s.Accuracy,
                    ["pass_at"] = new JsonObject([.. s.PassAt.OrderBy(p => p.Key).Select(p => KeyValuePair.Create(p.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)p.Value))]),
                    ["tokens_per_question"] = s.TokensPerQuestion,
                    ["seconds_per_question"] = s.SecondsPerQuestion,
                })]),
            })]),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
