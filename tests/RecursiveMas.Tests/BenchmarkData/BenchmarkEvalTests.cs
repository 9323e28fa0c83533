using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RecursiveMas.Answers;
using RecursiveMas.BenchmarkData;
using RecursiveMas.Cli;
using RecursiveMas.Sandbox;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.BenchmarkData;

/// <summary>
/// Each benchmark's published format, written small by the test, read and graded, and run through <c>rmas eval</c>
/// over a tiny random-weight system (its answers are wrong: the tests check that eval reads, grades and reports).
/// </summary>
public sealed class BenchmarkEvalTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    static string Line(object record) => JsonSerializer.Serialize(record);

    static string Write(string directory, string name, string text)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    string Folder => Path.Combine(zoo.Root, "benchmarks");

    string Math500File() => Write(Folder, "math500.jsonl",
        Line(new { problem = "Compute $\\frac{1}{\\sqrt{2}}$ in simplest form.", solution = "Rationalize: $\\boxed{\\frac{\\sqrt2}{2}}$.", answer = "\\frac{\\sqrt{2}}{2}", subject = "Algebra", level = 2, unique_id = "test/algebra/1.json" }) + "\n" +
        Line(new { problem = "What is $1+1$?", solution = "$\\boxed{2}$", answer = "2", subject = "Prealgebra", level = 1, unique_id = "test/prealgebra/2.json" }) + "\n");

    string AimeFile() => Write(Folder, "aime.jsonl",
        Line(new { id = 60, problem = "Find the remainder when $2^{10}$ is divided by $1000$.", solution = "1024", answer = "24", url = "https://example.org" }) + "\n" +
        Line(new { problem_idx = 2, problem = "How many primes are below 10?", answer = 4 }) + "\n");

    string GpqaFile() => Write(Folder, "gpqa_diamond.csv",
        "Record ID,Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3,Subdomain\n" +
        "rec1,\"Which particle has no charge?\nChoose one.\",Neutron,Proton,Electron,\"Positron, anti-electron\",Physics\n" +
        "rec2,\"What is \"\"H2O\"\"?\",Water,Salt,Sugar,Sand,Chemistry\n" +
        "rec3,Which planet is largest?,Jupiter,Mars,Venus,Mercury,Astronomy\n" +
        "rec4,Which gas do plants take in?,Carbon dioxide,Oxygen,Helium,Neon,Biology\n");

    string MedQaFile() => Write(Folder, "medqa.json", JsonSerializer.Serialize(new object[]
    {
        new { question = "A patient has a deficiency of vitamin C. Which condition results?", answer = "Scurvy",
              options = new Dictionary<string, string> { ["A"] = "Rickets", ["B"] = "Scurvy", ["C"] = "Pellagra", ["D"] = "Beriberi" }, meta_info = "step1", answer_idx = "B" },
        new { question = "Which organ produces insulin?", answer = "Pancreas",
              options = new Dictionary<string, string> { ["A"] = "Pancreas", ["B"] = "Liver", ["C"] = "Kidney", ["D"] = "Spleen" }, meta_info = "step1" },
    }));

    string MbppFile() => Write(Folder, "mbppplus.jsonl",
        Line(new
        {
            task_id = 2,
            code = "def add(a, b):\n    return a + b",
            prompt = "Write a function to add two numbers.",
            source_file = "Benchmark Questions Verification V2.ipynb",
            test_imports = new[] { "import math" },
            test_list = new[] { "assert add(1, 2) == 3", "assert add(0, 0) == 0" },
            test = "inputs = [[1, 2], [3, 4], [-1, 1]]\nresults = [3, 7, 0]\nfor inp, exp in zip(inputs, results):\n    assert add(*inp) == exp\n",
        }) + "\n");

    /// <summary>LiveCodeBench's private tests as distributed: base64(zlib(pickle(json string))), made by Python's own pickle.</summary>
    static string PrivateTests(string json)
    {
        var run = PythonSandbox.Run($"import base64, pickle, zlib\nprint(base64.b64encode(zlib.compress(pickle.dumps({JsonSerializer.Serialize(json)}))).decode())");
        Assert.True(run.Succeeded, run.Stderr);
        return run.Stdout.Trim();
    }

    string LiveCodeBenchFile() => Write(Folder, "livecodebench.jsonl",
        Line(new
        {
            question_title = "Double",
            question_content = "Read n and print 2n.",
            platform = "atcoder",
            question_id = "abc001_a",
            contest_id = "abc001",
            contest_date = "2024-08-01T00:00:00",
            starter_code = "",
            difficulty = "easy",
            public_test_cases = JsonSerializer.Serialize(new[] { new { input = "3\n", output = "6\n", testtype = "stdin" } }),
            private_test_cases = PrivateTests(JsonSerializer.Serialize(new[] { new { input = "21\n", output = "42\n", testtype = "stdin" } })),
            metadata = "{}",
        }) + "\n" +
        Line(new
        {
            question_title = "Sum",
            question_content = "Return the sum of nums.",
            platform = "leetcode",
            question_id = "9001",
            contest_id = "weekly-1",
            contest_date = "2024-08-02T00:00:00",
            starter_code = "class Solution:\n    def total(self, nums: List[int]) -> int:\n        ",
            difficulty = "easy",
            public_test_cases = JsonSerializer.Serialize(new[] { new { input = "[1, 2, 3]", output = "6", testtype = "functional" } }),
            private_test_cases = JsonSerializer.Serialize(new[] { new { input = "[]", output = "0", testtype = "functional" } }),
            metadata = "{\"func_name\": \"total\"}",
        }) + "\n");

    [Fact]
    public void MathFilesAreReadAndGradedExactly()
    {
        var math = BenchmarkFile.Read(Benchmark.Math500, Math500File());
        Assert.Equal(2, math.Count);
        Assert.StartsWith("Compute", math[0].Prompt);
        Assert.True(math[0].IsAnsweredBy("so \\boxed{\\frac{1}{\\sqrt2}}", AnswerChecker.Strict));
        Assert.False(math[0].IsAnsweredBy("so \\boxed{\\frac{1}{\\sqrt3}}", AnswerChecker.Strict));
        var aime = BenchmarkFile.Read(Benchmark.Aime, AimeFile());
        Assert.True(aime[0].IsAnsweredBy("\\boxed{24}", AnswerChecker.Strict));
        Assert.True(aime[1].IsAnsweredBy("\\boxed{4}", AnswerChecker.Strict));   // a numeric "answer" field
        Assert.Equal((2000, 16000, 4000), (Benchmark.Math500.MaxNewTokens(), Benchmark.Aime.MaxNewTokens(), Benchmark.Gpqa.MaxNewTokens()));
    }

    [Fact]
    public void GpqaOptionsAreShuffledDeterministicallyBySeed()
    {
        string path = GpqaFile();
        var first = BenchmarkFile.Read(Benchmark.Gpqa, path).Cast<ChoiceQuestion>().ToList();
        var again = BenchmarkFile.Read(Benchmark.Gpqa, path).Cast<ChoiceQuestion>().ToList();
        var other = BenchmarkFile.Read(Benchmark.Gpqa, path, shuffleSeed: 7).Cast<ChoiceQuestion>().ToList();
        Assert.Equal(first.Select(q => string.Join("|", q.Choices)), again.Select(q => string.Join("|", q.Choices)));
        Assert.NotEqual(first.Select(q => string.Join("|", q.Choices)), other.Select(q => string.Join("|", q.Choices)));
        string[] right = ["Neutron", "Water", "Jupiter", "Carbon dioxide"];
        foreach (var (question, answer) in first.Zip(right).Concat(other.Zip(right)))
        {
            Assert.Equal(answer, question.Choices[question.Correct - 'A']);
            Assert.Equal(4, question.Choices.Distinct().Count());
        }
        Assert.Equal("Which particle has no charge?\nChoose one.", first[0].Question);   // a quoted field spanning lines
        Assert.Contains("Positron, anti-electron", first[0].Choices);
        Assert.Equal("What is \"H2O\"?", first[1].Question);
        Assert.Contains($"{first[2].Correct}. Jupiter", first[2].Prompt);
        Assert.True(first[2].IsAnsweredBy($"\\boxed{{{first[2].Correct}}}", AnswerChecker.Strict));
        // The permutation is a pure function of seed and question: a reordered file keeps each question's order.
        Assert.Equal(BenchmarkFile.ShuffledOrder(4, "42:Which planet is largest?"), BenchmarkFile.ShuffledOrder(4, "42:Which planet is largest?"));
    }

    // Rows as the Hub's parquet files hold them (column names as published; a null cell is an absent field).
    sealed class AimeRow
    {
        [JsonPropertyName("id")] public long Id { get; set; }
        [JsonPropertyName("problem")] public string? Problem { get; set; }
        [JsonPropertyName("solution")] public string? Solution { get; set; }
        [JsonPropertyName("answer")] public string? Answer { get; set; }
        [JsonPropertyName("url")] public string? Url { get; set; }
    }

    sealed class MbppRow
    {
        [JsonPropertyName("task_id")] public long TaskId { get; set; }
        [JsonPropertyName("code")] public string Code { get; set; } = "";
        [JsonPropertyName("prompt")] public string Prompt { get; set; } = "";
        [JsonPropertyName("source_file")] public string SourceFile { get; set; } = "";
        [JsonPropertyName("test_imports")] public List<string> TestImports { get; set; } = [];
        [JsonPropertyName("test_list")] public List<string> TestList { get; set; } = [];
        [JsonPropertyName("test")] public string Test { get; set; } = "";
    }

    string WriteParquet<T>(string name, IReadOnlyList<T> rows)
    {
        Directory.CreateDirectory(Folder);
        string path = Path.Combine(Folder, name);
        using (var stream = File.Create(path))
            Parquet.Serialization.ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult();
        return path;
    }

    string AimeParquet() => WriteParquet("aime-test-00000-of-00001.parquet", new[]
    {
        new AimeRow { Id = 60, Problem = "Find the remainder when $2^{10}$ is divided by $1000$.", Solution = "1024", Answer = "24", Url = "https://example.org" },
        new AimeRow { Id = 61, Problem = "How many primes are below 10?", Answer = "4" },
    });

    string MbppParquet() => WriteParquet("mbppplus-test-00000-of-00001.parquet", new[]
    {
        new MbppRow
        {
            TaskId = 2,
            Code = "def add(a, b):\n    return a + b",
            Prompt = "Write a function to add two numbers.",
            SourceFile = "Benchmark Questions Verification V2.ipynb",
            TestImports = ["import math"],
            TestList = ["assert add(1, 2) == 3", "assert add(0, 0) == 0"],
            Test = "inputs = [[1, 2], [3, 4], [-1, 1]]\nresults = [3, 7, 0]\nfor inp, exp in zip(inputs, results):\n    assert add(*inp) == exp\n",
        },
    });

    [Fact]
    public void ParquetFilesReadAsTheirJsonLinesExports()
    {
        var fromParquet = BenchmarkFile.Read(Benchmark.Aime, AimeParquet()).Cast<MathQuestion>().ToList();
        Assert.Equal(["60", "61"], fromParquet.Select(q => q.Id));
        Assert.Equal(["24", "4"], fromParquet.Select(q => q.Gold));
        Assert.Equal("How many primes are below 10?", fromParquet[1].Prompt);

        // MBPP+'s list columns (test_list, test_imports) read as the JSONL export's arrays: the same question.
        var parquet = (CodeQuestion)BenchmarkFile.Read(Benchmark.MbppPlus, MbppParquet())[0];
        var jsonl = (CodeQuestion)BenchmarkFile.Read(Benchmark.MbppPlus, MbppFile())[0];
        Assert.Equal(jsonl.Id, parquet.Id);
        Assert.Equal(jsonl.Prompt, parquet.Prompt);
        Assert.Equal(jsonl.Tests, parquet.Tests);
        Assert.Contains("assert add(0, 0) == 0", parquet.Prompt);
    }

    [Fact]
    public void AParquetFileRunsThroughEval()
    {
        var (_, root) = Eval("--data", AimeParquet(), "--benchmark", "aime");
        Assert.Equal(2, root.GetProperty("questions").GetInt32());
    }

    [Fact]
    public void MedQaReadsTheReleasedJsonWithOrWithoutAnswerIdx()
    {
        var medqa = BenchmarkFile.Read(Benchmark.MedQa, MedQaFile()).Cast<ChoiceQuestion>().ToList();
        Assert.Equal(['B', 'A'], medqa.Select(q => q.Correct));
        Assert.Equal(["Rickets", "Scurvy", "Pellagra", "Beriberi"], medqa[0].Choices);
    }

    [Fact]
    public void BadFilesNameTheFileRecordAndField()
    {
        string bad = Write(Folder, "bad-gpqa.csv", "Question,Correct Answer\nWhat?,This\n");
        var e = Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Gpqa, bad));
        Assert.Contains("line 2, \"Incorrect Answer 1\"", e.Message);
        string parquet = Write(Folder, "test-00000-of-00001.parquet", "PAR1");
        e = Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Math500, parquet));
        Assert.Contains("not a readable Parquet file", e.Message);
        Assert.Contains(parquet, e.Message);
        string noProblem = WriteParquet("no-problem.parquet", [new AimeRow { Id = 1, Problem = null, Answer = "3" }]);
        e = Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Aime, noProblem));
        Assert.Contains("row 1, \"problem\" or \"question\"", e.Message);
        string noAnswer = Write(Folder, "bad-math.jsonl", Line(new { problem = "1+1?" }) + "\n");
        e = Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Math500, noAnswer));
        Assert.Contains("line 1, \"answer\"", e.Message);
    }

    [Fact]
    public void PickledStringsAreReadWithoutRunningPickles()
    {
        // protocol 4: PROTO 4, FRAME n, SHORT_BINUNICODE "[]", MEMOIZE, STOP
        byte[] pickle = [0x80, 4, 0x95, 7, 0, 0, 0, 0, 0, 0, 0, 0x8c, 2, (byte)'[', (byte)']', 0x94, (byte)'.'];
        Assert.Equal("[]", PickledString.Read(pickle));
        // GLOBAL "os system" — a pickle that would run code — is refused.
        Assert.Throws<InvalidDataException>(() => PickledString.Read([0x80, 2, (byte)'c', .. Encoding.ASCII.GetBytes("os\nsystem\n"), (byte)'.']));
    }

    [PythonFact]
    public void CodeIsExtractedAndRunAgainstTheTests()
    {
        var mbpp = (CodeQuestion)BenchmarkFile.Read(Benchmark.MbppPlus, MbppFile())[0];
        Assert.Contains("assert add(1, 2) == 3", mbpp.Prompt);
        Assert.True(mbpp.IsAnsweredBy("Here:\n```python\ndef add(a, b):\n    return a + b\n```", AnswerChecker.Strict));
        Assert.False(mbpp.IsAnsweredBy("```python\ndef add(a, b):\n    return a - b\n```", AnswerChecker.Strict));
        Assert.False(mbpp.IsAnsweredBy("def add(a, b): return a + b", AnswerChecker.Strict));        // no code block
        Assert.False(new CodeQuestion("slow", "", [new CodeTest(CodeTestKind.Script, "", "")], null, TimeSpan.FromSeconds(1))
            .IsAnsweredBy("```python\nwhile True:\n    pass\n```", AnswerChecker.Strict));             // the time limit

        var lcb = BenchmarkFile.Read(Benchmark.LiveCodeBench, LiveCodeBenchFile()).Cast<CodeQuestion>().ToList();
        Assert.Equal(2, lcb[0].Tests.Count);                     // public + decoded private
        Assert.Equal("21\n", lcb[0].Tests[1].Input);
        Assert.True(lcb[0].IsAnsweredBy("```python\nn = int(input())\nprint(2 * n)\n```", AnswerChecker.Strict));
        Assert.False(lcb[0].IsAnsweredBy("```python\nn = int(input())\nprint(6)\n```", AnswerChecker.Strict));   // passes public, fails private
        Assert.Equal("total", lcb[1].FunctionName);
        Assert.True(lcb[1].IsAnsweredBy("```python\nfrom typing import List\nclass Solution:\n    def total(self, nums: List[int]) -> int:\n        return sum(nums)\n```", AnswerChecker.Strict));
        Assert.False(lcb[1].IsAnsweredBy("```python\nclass Solution:\n    def total(self, nums):\n        return 6\n```", AnswerChecker.Strict));
    }

    (int Code, JsonElement Root) Eval(params string[] extra)
    {
        zoo.Describe("sequential", 1, maxNewTokens: 3);
        string system = Path.Combine(zoo.Root, "sequential-1.SYSTEM.json");
        var (code, output) = CliRunner.Run(["eval", "--system", system, "--methods", "single", "--seeds", "1", "--max-new-tokens", "3", "--untrained", "--json", .. extra]);
        Assert.True(code == ExitCodes.Success, output);
        return (code, JsonDocument.Parse(output).RootElement.Clone());
    }

    [Theory]
    [InlineData("math500")]
    [InlineData("aime")]
    [InlineData("gpqa")]
    [InlineData("medqa")]
    [InlineData("mbppplus")]
    [InlineData("livecodebench")]
    public void EachBenchmarkRunsThroughEval(string benchmark)
    {
        if (benchmark is "livecodebench" && !PythonSandbox.IsAvailable)
            return; // the private tests of the sample file are pickled by python3 itself
        string data = benchmark switch
        {
            "math500" => Math500File(),
            "aime" => AimeFile(),
            "gpqa" => GpqaFile(),
            "medqa" => MedQaFile(),
            "mbppplus" => MbppFile(),
            _ => LiveCodeBenchFile(),
        };
        var (_, root) = Eval("--data", data, "--benchmark", benchmark, "--limit", "2");
        Assert.Equal(benchmark, root.GetProperty("benchmark").GetString());
        Assert.Equal("strict", root.GetProperty("checker").GetString());
        int expected = benchmark switch { "gpqa" or "math500" or "aime" or "medqa" or "livecodebench" => 2, _ => 1 };
        Assert.Equal(expected, root.GetProperty("questions").GetInt32());
        var seed = root.GetProperty("rows")[0].GetProperty("seeds")[0];
        Assert.Equal(expected, seed.GetProperty("questions").GetInt32());
        Assert.InRange(seed.GetProperty("correct").GetInt32(), 0, expected);
        Assert.InRange(seed.GetProperty("tokens_per_question").GetDouble(), 1, 3);
        if (benchmark == "mbppplus")
            Assert.Equal(0.2, root.GetProperty("temperature").GetDouble());   // the released run.py's MBPP+ temperature
    }

    [Fact]
    public void MultipleChoiceTaskDataIsGradedByLetterStrictOrLenient()
    {
        // Both golds are A; random weights write no parseable letter, so strict grades 0 and the official
        // leniency (unparseable = "A") grades every question correct.
        string data = Write(Folder, "choices.jsonl",
            Line(new { question = "Which is a prime?", roles = new { }, answer = "\\boxed{A}", choices = new[] { "7", "8", "9", "10" } }) + "\n" +
            Line(new { question = "Which is even?", roles = new { }, answer = "\\boxed{A}", choices = new[] { "2", "3" } }) + "\n");
        var example = RecursiveMas.Tasks.TaskDataFile.Read(data)[0];
        Assert.Equal("Which is a prime?\n\nA. 7\nB. 8\nC. 9\nD. 10", example.Prompt);
        Assert.True(example.IsAnsweredBy("\\boxed{A}", AnswerChecker.Strict));
        Assert.False(example.IsAnsweredBy("\\boxed{7}", AnswerChecker.Strict));

        var (_, strict) = Eval("--data", data, "--checker", "strict");
        var (_, lenient) = Eval("--data", data, "--checker", "lenient");
        Assert.Equal("lenient", lenient.GetProperty("checker").GetString());
        Assert.Equal(0.0, strict.GetProperty("rows")[0].GetProperty("accuracy").GetProperty("mean").GetDouble());
        Assert.Equal(1.0, lenient.GetProperty("rows")[0].GetProperty("accuracy").GetProperty("mean").GetDouble());

        string wrongLetter = Write(Folder, "bad-choices.jsonl",
            Line(new { question = "Q?", roles = new { }, answer = "\\boxed{E}", choices = new[] { "1", "2" } }) + "\n");
        var e = Assert.Throws<ModelFileException>(() => RecursiveMas.Tasks.TaskDataFile.Read(wrongLetter));
        Assert.Contains("\"answer\"", e.Message);
    }

    [Fact]
    public void SamplesReportPassAtK()
    {
        var (_, root) = Eval("--data", Math500File(), "--benchmark", "math500", "--samples", "3", "--temperature", "1");
        var seed = root.GetProperty("rows")[0].GetProperty("seeds")[0];
        Assert.Equal(3, seed.GetProperty("samples").GetInt32());
        var passAt = seed.GetProperty("pass_at").EnumerateObject().Select(p => (p.Name, p.Value.GetDouble())).ToList();
        Assert.Equal(["1", "2", "3"], passAt.Select(p => p.Name));
        Assert.Equal(seed.GetProperty("accuracy").GetDouble(), passAt[0].Item2, 12);   // pass@1 = mean accuracy over samples
        Assert.True(passAt[0].Item2 <= passAt[1].Item2 && passAt[1].Item2 <= passAt[2].Item2);
        Assert.True(root.GetProperty("rows")[0].GetProperty("pass_at").TryGetProperty("3", out _));
        var (code, output) = CliRunner.Run("eval", "--system", Path.Combine(zoo.Root, "sequential-1.SYSTEM.json"), "--data", Math500File(), "--checker", "loose");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--checker takes strict or lenient", output);
    }
}
