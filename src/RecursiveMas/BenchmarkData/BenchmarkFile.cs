using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RecursiveMas.Answers;
using RecursiveMas.IO;

namespace RecursiveMas.BenchmarkData;

/// <summary>
/// Reads a benchmark's published file into graded questions. Formats by extension: <c>.jsonl</c> (one record per
/// line, as the Hub's JSONL exports and <c>datasets.to_json</c> write them), <c>.json</c> (an array of records, as
/// the released <c>dataset/medqa.json</c>), <c>.csv</c> (GPQA's distributed <c>gpqa_diamond.csv</c>), <c>.parquet</c>
/// (the Hub's files, e.g. AIME's and MBPP+'s <c>test-00000-of-00001.parquet</c>; <see cref="ParquetTable"/>). Every
/// error names the file, the record and the field.
/// </summary>
public static class BenchmarkFile
{
    /// <summary>The released run.py's default seed, used for the GPQA option order.</summary>
    public const int DefaultShuffleSeed = 42;

    public static IReadOnlyList<IGradedQuestion> Read(Benchmark benchmark, string path, int shuffleSeed = DefaultShuffleSeed)
    {
        if (!File.Exists(path))
            throw new ModelFileException(path, null, $"{benchmark.Name()} data not found");
        var records = Records(path);
        var questions = new List<IGradedQuestion>();
        foreach (var record in records)
        {
            try
            {
                questions.Add(benchmark switch
                {
                    Benchmark.Math500 or Benchmark.Aime => MathOf(record),
                    Benchmark.Gpqa => GpqaOf(record, shuffleSeed),
                    Benchmark.MedQa => MedQaOf(record),
                    Benchmark.MbppPlus => MbppOf(record, benchmark.TestTimeout()),
                    _ => LiveCodeBenchOf(record, benchmark.TestTimeout()),
                });
            }
            catch (InvalidOperationException e)
            {
                // What JsonElement throws for a value it cannot give: a string with a lone surrogate escape ("\ud800"),
                // a field read as a type it does not have.
                throw new ModelFileException(path, record.Where, e.Message, e);
            }
        }
        if (questions.Count == 0)
            throw new ModelFileException(path, null, $"{benchmark.Name()} data has no questions");
        return questions;
    }

    /// <summary>One record with its place in the file, for messages.</summary>
    sealed record Record(string Path, string Where, IReadOnlyDictionary<string, JsonElement> Fields)
    {
        public JsonElement? Optional(string name) =>
            Fields.TryGetValue(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

        /// <summary>
        /// A required text field, the first of <paramref name="names"/> present: a string or a number as written. Blank
        /// text is an error: a question, an option or an answer that says nothing is a broken record, not a hard one.
        /// </summary>
        public string Text(params string[] names)
        {
            foreach (var name in names)
            {
                if (OptionalText(name) is not { } text)
                    continue;
                return string.IsNullOrWhiteSpace(text) ? throw Error(name, "is empty") : text;
            }
            throw Error(string.Join("\" or \"", names), "missing");
        }

        /// <summary>An optional text field (an id, starter code): a string or a number as written, else an error naming it.</summary>
        public string? OptionalText(string name) => Optional(name) is not { } value ? null : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw Error(name, "must be a string or a number"),
        };

        public ModelFileException Error(string field, string detail) => new(Path, $"{Where}, \"{field}\"", detail);
    }

    static IReadOnlyList<Record> Records(string path)
    {
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".parquet":
                return [.. ParquetTable.Read(path).Select((row, i) => new Record(path, $"row {i + 1}", row))];
            case ".csv":
                return [.. CsvTable.Read(path).Select(row => new Record(path, $"line {row.Line}",
                    row.Fields.ToDictionary(c => c.Key, c => JsonSerializer.SerializeToElement(c.Value))))];
            case ".json":
                {
                    using var document = ParseJson(path, Utf8Text.Decode(path, FileBytes.Read(path, MaxWholeFileBytes)), null);
                    if (document.RootElement.ValueKind != JsonValueKind.Array)
                        throw new ModelFileException(path, null, "a .json benchmark file must hold an array of records (use .jsonl for one record per line)");
                    if (DuplicateJsonKeys.Find(document.RootElement) is { } twice)
                        throw new ModelFileException(path, twice, DuplicateJsonKeys.Reason);
                    return [.. document.RootElement.EnumerateArray().Select((e, i) => RecordOf(path, $"record {i + 1}", e))];
                }
            default:
                return JsonLines.Read(path, "benchmark data", "questions", (e, line) => RecordOf(path, JsonLines.Line(line), e));
        }
    }

    static JsonDocument ParseJson(string path, string text, string? where)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, where, $"not valid JSON: {e.Message}", e);
        }
    }

    static Record RecordOf(string path, string where, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new ModelFileException(path, where, "expected a JSON object");
        return new Record(path, where, element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone())); // keys checked once each (DuplicateJsonKeys)
    }

    static MathQuestion MathOf(Record r)
    {
        string gold = r.Text("answer").Trim();
        return new MathQuestion(r.Optional("unique_id")?.ToString() ?? r.Optional("id")?.ToString() ?? r.Where, r.Text("problem", "question"), gold);
    }

    /// <summary>
    /// GPQA: the right answer and the three wrong ones in an order drawn from a seeded permutation — seeded by the
    /// MD5 of "seed:question", so the order is stable across runs, machines and file order (PAPER §7.1: "a stable
    /// md5-seeded permutation"; the exact upstream formula was not available, so orders differ from upstream's).
    /// </summary>
    static ChoiceQuestion GpqaOf(Record r, int seed)
    {
        string question = r.Text("Question");
        var options = new List<(string Text, bool Right)> { (Clean(r.Text("Correct Answer")), true) };
        for (int i = 1; i <= 3; i++)
            options.Add((Clean(r.Text($"Incorrect Answer {i}")), false));
        var order = ShuffledOrder(options.Count, $"{seed.ToString(CultureInfo.InvariantCulture)}:{question}");
        var shown = order.Select(i => options[i]).ToList();
        return new ChoiceQuestion(r.OptionalText("Record ID") ?? r.Where, question.Trim(), [.. shown.Select(o => o.Text)],
            (char)('A' + shown.FindIndex(o => o.Right)));
    }

    static string Clean(string option) => option.Trim();

    /// <summary>A permutation of 0..n-1 from a Fisher–Yates shuffle driven by the MD5 of <paramref name="key"/>.</summary>
    public static int[] ShuffledOrder(int n, string key)
    {
        byte[] hash = MD5.HashData(Encoding.UTF8.GetBytes(key));
        var random = new Random(BitConverter.ToInt32(hash, 0));
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    static ChoiceQuestion MedQaOf(Record r)
    {
        if (r.Optional("options") is not { } options)
            throw r.Error("options", "missing");
        List<(string Letter, string Text)> choices = options.ValueKind switch
        {
            JsonValueKind.Object => [.. options.EnumerateObject().Select(o => (o.Name.Trim().ToUpperInvariant(),
                o.Value.ValueKind == JsonValueKind.String ? o.Value.GetString()! : throw r.Error("options." + o.Name, "must be a string")))],
            JsonValueKind.Array => [.. options.EnumerateArray().Select((o, i) => (((char)('A' + i)).ToString(),
                o.ValueKind == JsonValueKind.String ? o.GetString()! : throw r.Error($"options[{i}]", "must be a string")))],
            _ => throw r.Error("options", "must be an object of letter → text or an array of texts"),
        };
        if (choices.Count is < 2 or > 26 || choices.Select((c, i) => c.Letter == ((char)('A' + i)).ToString()).Any(ok => !ok))
            throw r.Error("options", "must be 2 to 26 options lettered A, B, C, … in order");
        string? letter = r.Optional("answer_idx") is { ValueKind: JsonValueKind.String } idx ? idx.GetString()!.Trim().ToUpperInvariant() : null;
        if (letter is null && r.Optional("answer") is { ValueKind: JsonValueKind.String } answer)
        {
            // Without answer_idx: the answer is the text of the right option (or its letter).
            string a = answer.GetString()!.Trim();
            letter = choices.FirstOrDefault(c => c.Text.Trim() == a || c.Letter == a.ToUpperInvariant()).Letter;
        }
        if (letter is not { Length: 1 } || letter[0] < 'A' || letter[0] >= 'A' + choices.Count)
            throw r.Error("answer_idx", $"must be the letter of one of the {choices.Count} options");
        return new ChoiceQuestion(r.Optional("id")?.ToString() ?? r.Where, r.Text("question").Trim(), [.. choices.Select(c => c.Text)], letter[0]);
    }

    /// <summary>
    /// MBPP+: the prompt with its first three example asserts (as the released code shows them); graded by the plus
    /// test script (<c>test</c>), else by <c>test_imports</c> + every assert of <c>test_list</c>, in one run.
    /// </summary>
    static CodeQuestion MbppOf(Record r, TimeSpan timeout)
    {
        var asserts = StringList(r, "test_list");
        var imports = r.Optional("test_imports") is { } _ ? StringList(r, "test_imports") : [];
        string prompt = r.Text("prompt", "text").Trim() + "\nYour code should pass these tests:\n" + string.Join("\n", asserts.Take(3)) +
            "\nWrite the Python function in a ```python code block.";
        string? plus = r.Optional("test") is { } test
            ? test.ValueKind == JsonValueKind.String ? test.GetString()! : throw r.Error("test", "must be a string (the plus test script)")
            : null;
        string tests = plus is { } given && given.Trim().Length > 0 ? given : string.Join("\n", asserts);
        if (tests.Trim().Length == 0)
            throw r.Error(plus is null ? "test_list" : "test", "no tests: every answer would pass");
        string script = string.Join("\n", imports) + "\n" + tests;
        return new CodeQuestion(r.Optional("task_id")?.ToString() ?? r.Where, prompt, [new CodeTest(CodeTestKind.Script, script, "")], null, timeout);
    }

    static List<string> StringList(Record r, string field)
    {
        if (r.Optional(field) is not { ValueKind: JsonValueKind.Array } list || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw r.Error(field, "must be an array of strings");
        return [.. list.EnumerateArray().Select(e => e.GetString()!)];
    }

    /// <summary>
    /// LiveCodeBench (code_generation_lite): public and private tests. <c>private_test_cases</c> is either JSON or,
    /// as distributed, base64 of zlib of a pickled JSON string — the pickle is read by <see cref="PickledString"/>,
    /// which accepts only a single string and never runs pickle code.
    /// </summary>
    static CodeQuestion LiveCodeBenchOf(Record r, TimeSpan timeout)
    {
        string starter = r.OptionalText("starter_code") ?? "";
        string content = r.Text("question_content").Trim();
        string prompt = starter.Trim().Length > 0
            ? content + "\n\nUse the following starter code and enclose your code within delimiters:\n```python\n" + starter.TrimEnd() + "\n```"
            : content + "\n\nRead the inputs from stdin, solve the problem and write the answer to stdout. Enclose your code within delimiters as follows:\n```python\n# YOUR CODE HERE\n```";
        string? functionName = null;
        if (r.Optional("metadata") is { ValueKind: JsonValueKind.String } metadata && metadata.GetString()!.Trim().Length > 0)
        {
            using var meta = ParseJson(r.Path, metadata.GetString()!, $"{r.Where}, \"metadata\"");
            if (meta.RootElement.ValueKind == JsonValueKind.Object && meta.RootElement.TryGetProperty("func_name", out var f) && f.ValueKind == JsonValueKind.String)
                functionName = f.GetString();
        }
        var tests = Tests(r, "public_test_cases", r.Text("public_test_cases"));
        if (r.Optional("private_test_cases") is { ValueKind: JsonValueKind.String } hidden && hidden.GetString()!.Trim().Length > 0)
            tests.AddRange(Tests(r, "private_test_cases", DecodePrivate(r, hidden.GetString()!.Trim())));
        if (tests.Count == 0)
            throw r.Error("public_test_cases", "no tests");
        if (tests.Any(t => t.Kind == CodeTestKind.Functional) && functionName is null)
            throw r.Error("metadata", "functional tests need \"func_name\" in the metadata");
        return new CodeQuestion(r.Optional("question_id")?.ToString() ?? r.Where, prompt, tests, functionName, timeout);
    }

    static string DecodePrivate(Record r, string text)
    {
        if (text.StartsWith('['))
            return text;
        try
        {
            using var compressed = new MemoryStream(Convert.FromBase64String(text));
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            using var pickle = new MemoryStream();
            // A few hundred kilobytes can inflate to gigabytes: stop past what any benchmark's tests need.
            var buffer = new byte[1 << 16];
            int read;
            while ((read = zlib.Read(buffer)) > 0)
            {
                if (pickle.Length + read > MaxPrivateTestBytes)
                    throw r.Error("private_test_cases", $"inflates to more than {MaxPrivateTestBytes >> 20} MiB");
                pickle.Write(buffer, 0, read);
            }
            return PickledString.Read(pickle.ToArray());
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            throw r.Error("private_test_cases", $"neither JSON nor base64(zlib(pickle(JSON string))): {e.Message}");
        }
    }

    /// <summary>The most bytes one question's compressed private tests may inflate to.</summary>
    public const int MaxPrivateTestBytes = 256 << 20;

    /// <summary>
    /// The largest .json or .csv benchmark file, which is read whole: what one array holds. Larger benchmarks come
    /// as .jsonl (read a line at a time) or .parquet.
    /// </summary>
    public const long MaxWholeFileBytes = int.MaxValue;

    static List<CodeTest> Tests(Record r, string field, string json)
    {
        using var document = ParseJson(r.Path, json, $"{r.Where}, \"{field}\"");
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            throw r.Error(field, "must be a JSON list of {input, output, testtype}");
        var tests = new List<CodeTest>();
        foreach (var (test, i) in document.RootElement.EnumerateArray().Select((t, i) => (t, i)))
        {
            string Field(string name) => test.ValueKind == JsonValueKind.Object && test.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw r.Error($"{field}[{i}].{name}", "missing or not a string");
            var kind = Field("testtype") switch
            {
                "stdin" => CodeTestKind.Stdin,
                "functional" => CodeTestKind.Functional,
                var other => throw r.Error($"{field}[{i}].testtype", $"\"{other}\" is neither stdin nor functional"),
            };
            tests.Add(new CodeTest(kind, Field("input"), Field("output")));
        }
        return tests;
    }
}
