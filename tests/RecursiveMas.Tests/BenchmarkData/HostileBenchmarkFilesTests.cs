using System.IO.Compression;
using System.Text;
using System.Text.Json;
using RecursiveMas.BenchmarkData;
using RecursiveMas.Tasks;

namespace RecursiveMas.Tests.BenchmarkData;

/// <summary>
/// Benchmark and data files written to hurt the readers (each found by probing `rmas eval --benchmark` and the data
/// readers): every one is refused with a <see cref="ModelFileException"/> naming the file and the record, before it
/// costs memory or time, and none is read as something it does not say.
/// </summary>
public sealed class HostileBenchmarkFilesTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-hostile-bench-" + Guid.NewGuid().ToString("N"));

    public HostileBenchmarkFilesTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    sealed class MathRow
    {
        public string? problem { get; set; }
        public string? answer { get; set; }
        public double score { get; set; }
    }

    string Parquet(string name, params MathRow[] rows)
    {
        string path = Path.Combine(_dir, name);
        using (var stream = File.Create(path))
            global::Parquet.Serialization.ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult();
        return path;
    }

    [Fact]
    public void AParquetFooterClaimingBillionsOfRowsIsRefusedBeforeTheReaderAllocatesForThem()
    {
        byte[] file = File.ReadAllBytes(Parquet("two.parquet", new MathRow { problem = "1+1?", answer = "2" }, new MathRow { problem = "2+2?", answer = "4" }));
        int footerLength = BitConverter.ToInt32(file, file.Length - 8);
        byte[] footer = file[(file.Length - 8 - footerLength)..^8];
        // The row group's num_rows (Thrift compact: field delta 1, type i64, zigzag varint of 2) is the footer's last 0x16 0x04.
        int at = footer.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0x16, 0x04]);
        Assert.True(at > 0);
        var varint = new List<byte>();
        for (ulong v = 100_000_000_000UL << 1; ; v >>= 7)
        {
            if (v < 0x80)
            { varint.Add((byte)v); break; }
            varint.Add((byte)(v | 0x80));
        }
        byte[] newFooter = [.. footer[..(at + 1)], .. varint, .. footer[(at + 2)..]];
        string path = Write("billions.parquet", [.. file[..(file.Length - 8 - footerLength)], .. newFooter, .. BitConverter.GetBytes(newFooter.Length), .. "PAR1"u8]);

        var e = Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Math500, path));
        Assert.Contains("claims 100000000000 rows", e.Message);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0xFFFFFFFFu)]
    public void AParquetFooterLengthThatCannotFitIsRefused(uint length)
    {
        string path = Write($"footer-{length}.parquet", [.. "PAR1"u8, .. new byte[10], .. BitConverter.GetBytes(length), .. "PAR1"u8]);
        var e = Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Math500, path));
        Assert.Contains("not a readable Parquet file", e.Message);
        Assert.Contains($"footer length {length}", e.Message);
    }

    [Fact]
    public void ANaNInAColumnTheBenchmarkDoesNotReadIsNoError()
    {
        string path = Parquet("nan.parquet", new MathRow { problem = "1+1?", answer = "2", score = double.NaN });
        var question = Assert.Single(BenchmarkFile.Read(Benchmark.Math500, path));
        Assert.Equal("1+1?", question.Prompt);
    }

    [Fact]
    public void ALoneSurrogateEscapeOrAWrongTypeIsAnErrorNamingTheRecord()
    {
        string surrogate = Write("surrogate.jsonl", """{"problem":"a\ud800","answer":"2"}""" + "\n");
        var e = Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Math500, surrogate));
        Assert.Equal("line 1", e.Item);

        string task = Write("task.jsonl", """{"question":"q\udfff","answer":"2"}""" + "\n");
        Assert.Equal("line 1", Assert.Throws<ModelFileException>(() => TaskDataFile.Read(task)).Item);

        // A GPQA record id written as a number is an id like any other.
        string gpqa = Write("gpqa.jsonl", JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Question"] = "Q?",
            ["Correct Answer"] = "a",
            ["Incorrect Answer 1"] = "b",
            ["Incorrect Answer 2"] = "c",
            ["Incorrect Answer 3"] = "d",
            ["Record ID"] = 7,
        }) + "\n");
        Assert.Equal("7", ((ChoiceQuestion)Assert.Single(BenchmarkFile.Read(Benchmark.Gpqa, gpqa))).Id);
    }

    [Fact]
    public void AnEmptyQuestionOrAnEmptyGoldAnswerIsRefusedNotGradedAgainstNothing()
    {
        string task = Write("empty-question.jsonl", """{"question":"Ava has 2.","answer":"\\boxed{2}"}""" + "\n" + """{"question":"  ","answer":"\\boxed{2}"}""" + "\n");
        var question = Assert.Throws<ModelFileException>(() => TaskDataFile.Read(task));
        Assert.Equal("line 2, \"question\"", question.Item);
        Assert.Contains("is empty", question.Message);

        // \boxed{} as gold would count an answer of \boxed{} correct.
        string gold = Write("empty-gold.jsonl", """{"question":"Ava has 2.","answer":"The answer is \\boxed{ }"}""" + "\n");
        Assert.Contains("\\boxed{} answer is empty", Assert.Throws<ModelFileException>(() => TaskDataFile.Read(gold)).Message);

        string training = Write("empty-training.jsonl", """{"question":"","roles":{},"answer":"\\boxed{2}"}""" + "\n");
        Assert.Contains("\"question\" is empty", Assert.Throws<ModelFileException>(() => RecursiveMas.Training.TrainingData.Load(training)).Message);

        string math = Write("empty-problem.jsonl", """{"problem":" ","answer":"2"}""" + "\n");
        Assert.Equal("line 1, \"problem\"", Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Math500, math)).Item);
        string gpqa = Write("empty-option.csv", GpqaHeader + "Q?,a,,c,d,r1\n");
        Assert.Equal("line 2, \"Incorrect Answer 1\"", Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Gpqa, gpqa)).Item);
    }

    [Fact]
    public void AKeyTwiceInOneRecordIsRefusedInEveryJsonReader()
    {
        string jsonl = Write("twice.jsonl", """{"problem":"a","problem":"b","answer":"2"}""" + "\n");
        Assert.Equal("line 1", Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Math500, jsonl)).Item);
        string array = Write("twice.json", """[{"problem":"a","answer":"2"},{"problem":"a","answer":"2","answer":"3"}]""");
        Assert.Equal("[1].answer", Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Math500, array)).Item);
        string task = Write("task-twice.jsonl", """{"question":"q","answer":"1","answer":"2"}""" + "\n");
        Assert.Contains("answer appears more than once", Assert.Throws<ModelFileException>(() => TaskDataFile.Read(task)).Message);
    }

    [Fact]
    public void JsonAndCsvFilesThatAreNotUtf8AreRefused()
    {
        string json = Write("latin1.json", [.. "[{\"problem\":\"caf"u8, 0xE9, .. "\",\"answer\":\"2\"}]"u8]);
        Assert.Contains("not valid UTF-8", Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Math500, json)).Message);
        string csv = Write("latin1.csv", [.. "Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3\nQ1 caf"u8, 0xE9, .. "?,a,b,c,d\n"u8]);
        Assert.Equal("line 2", Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Gpqa, csv)).Item);
    }

    const string GpqaHeader = "Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3,Record ID\n";

    [Fact]
    public void ACsvQuoteNeverClosedOrAColumnNamedTwiceIsRefusedAndRowsAreNamedByTheirLine()
    {
        // The open quote would swallow the next two rows into the first one's Record ID.
        string open = Write("open.csv", GpqaHeader + "Q1?,a,b,c,d,\"r1\nQ2?,a,b,c,d,r2\nQ3?,a,b,c,d,r3\n");
        var e = Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Gpqa, open));
        Assert.Equal("line 2", e.Item);
        Assert.Contains("never closed", e.Message);

        string twice = Write("twice.csv", "Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3,Question\nQ?,a,b,c,d,OTHER\n");
        Assert.Contains("names the column \"Question\" twice", Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Gpqa, twice)).Message);

        // Blank lines and a quoted line break are counted: the short row starts on line 6.
        string blanks = Write("blanks.csv", GpqaHeader + "\"Q1\nsecond line?\",a,b,c,d,r1\n\n\nQ2?,a,b\n");
        Assert.Equal("line 6", Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.Gpqa, blanks)).Item);
    }

    [Fact]
    public void AnMbppQuestionWithoutTestsIsRefusedRatherThanPassedByEveryAnswer()
    {
        string empty = Write("mbpp.jsonl", """{"task_id":1,"prompt":"Write f","test_list":[],"test_imports":[]}""" + "\n");
        Assert.Contains("no tests", Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.MbppPlus, empty)).Message);
        string notText = Write("mbpp-5.jsonl", """{"task_id":1,"prompt":"Write f","test_list":["assert f() == 1"],"test":5}""" + "\n");
        Assert.Contains("\"test\"", Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.MbppPlus, notText)).Message);
    }

    static string Compressed(byte[] pickle)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
            zlib.Write(pickle);
        return Convert.ToBase64String(output.ToArray());
    }

    string LiveCodeBench(string privateTests) => Write($"lcb-{Guid.NewGuid():N}.jsonl", JsonSerializer.Serialize(new
    {
        question_content = "Read n and print 2n.",
        question_id = "abc001_a",
        starter_code = "",
        public_test_cases = JsonSerializer.Serialize(new[] { new { input = "3\n", output = "6\n", testtype = "stdin" } }),
        private_test_cases = privateTests,
        metadata = "{}",
    }) + "\n");

    [Fact]
    public void PrivateTestsThatEndEarlyOrInflateWithoutBoundAreRefusedNamingTheField()
    {
        foreach (byte[] truncated in new byte[][] { [0x80, 4, 0x8c], [0x80, 4, 0x58, 1], [0x80, 4, 0x8d, 1], [0x80] })
        {
            var e = Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.LiveCodeBench, LiveCodeBench(Compressed(truncated))));
            Assert.Contains("private_test_cases", e.Message);
        }
        // A pickled string that is not UTF-8 is damage, not a test input with U+FFFD in it.
        Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.LiveCodeBench, LiveCodeBench(Compressed([0x80, 4, 0x8c, 1, 0xE9, (byte)'.']))));

        // A few hundred kilobytes that inflate past the bound.
        var bomb = new byte[BenchmarkFile.MaxPrivateTestBytes + (1 << 20)];
        var inflated = Assert.Throws<ModelFileException>(() => BenchmarkFile.Read(Benchmark.LiveCodeBench, LiveCodeBench(Compressed(bomb))));
        Assert.Contains("inflates to more than 256 MiB", inflated.Message);
    }
}
