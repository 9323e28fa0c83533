using RecursiveMas.Tools;

namespace RecursiveMas.Tests.Tools;

public sealed class ToolTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-tools-" + Guid.NewGuid().ToString("N"));

    public ToolTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("(1 + 2) * 3", "9")]
    [InlineData("2 ^ 3 ^ 2", "512")]
    [InlineData("-2 ^ 2", "-4")]
    [InlineData("2 ** 10", "1024")]
    [InlineData("17 % 5", "2")]
    [InlineData("7 / 2", "3.5")]
    [InlineData("sqrt(16) + abs(-3)", "7")]
    [InlineData("max(1, 234, 5) - min(4, 2)", "232")]
    [InlineData("5!", "120")]
    [InlineData("round(2.5) + floor(1.9) + ceil(1.1)", "6")]
    [InlineData("round(3.14159, 2)", "3.14")]
    [InlineData("1e3 + 0.5", "1000.5")]
    [InlineData("12 × 3 ÷ 4 − 1", "8")]
    [InlineData("log(100) + ln(e)", "3")]
    public void EvaluatesArithmetic(string expression, string expected) =>
        Assert.Equal(expected, new CalculatorTool().Invoke(expression));

    [Theory]
    [InlineData("1 / 0", "division by zero")]
    [InlineData("2 +", "ends too early")]
    [InlineData("(1 + 2", "missing ')'")]
    [InlineData("sqrt(-1)", "negative")]
    [InlineData("x + 1", "unknown name 'x'")]
    [InlineData("foo(1)", "unknown function 'foo'")]
    [InlineData("1; 2", "unexpected ';'")]
    [InlineData("System.IO.File.ReadAllText(\"/etc/passwd\")", "unknown name")]
    [InlineData("Process.Start(\"sh\")", "unknown name")]
    [InlineData("typeof(string).Assembly", "unknown")]
    [InlineData("import os", "unknown name 'import'")]
    [InlineData("__import__('os').system('ls')", "unexpected '_'")]
    public void RefusesAnythingButArithmetic(string expression, string says)
    {
        string result = new CalculatorTool().Invoke(expression);
        Assert.StartsWith("error:", result);
        Assert.Contains(says, result);
    }

    [Fact]
    public void RefusesOverlongAndOverNestedInput()
    {
        Assert.Contains("longer than", new CalculatorTool().Invoke(new string('1', CalculatorTool.MaxInputLength + 1)));
        Assert.Contains("nested too deeply", new CalculatorTool().Invoke(new string('(', 200) + "1" + new string(')', 200)));
    }

    [Fact]
    public void SearchRanksTheCorpusAndReadsNothingElse()
    {
        string corpus = Path.Combine(_dir, "corpus.jsonl");
        File.WriteAllLines(corpus,
        [
            """{"title": "Paris", "text": "Paris is the capital and largest city of France."}""",
            """{"title": "Berlin", "text": "Berlin is the capital of Germany. It is known for its museums."}""",
            """{"title": "Rivers", "text": "The Seine flows through Paris; the Spree flows through Berlin."}""",
        ]);
        string secret = Path.Combine(_dir, "secret.txt");
        File.WriteAllText(secret, "the password is hunter2");

        var search = new CorpusSearchTool(corpus);
        Assert.Equal(3, search.DocumentCount);
        var hits = search.Search("capital of France");
        Assert.Equal("Paris", hits[0].Title);
        Assert.StartsWith("[1] Paris: Paris is the capital", search.Invoke("capital of France"));

        Assert.Equal("no results", search.Invoke(secret));
        Assert.Equal("no results", search.Invoke("hunter2 password"));
        Assert.Equal("no results", search.Invoke("../../etc/passwd"));
        Assert.Equal("no results", search.Invoke("   "));
    }

    [Fact]
    public void SearchReadsPlainTextCorporaAndRejectsBrokenOnes()
    {
        string plain = Path.Combine(_dir, "corpus.txt");
        File.WriteAllText(plain, "Photosynthesis\nPlants turn light into sugar.\n\nMitochondria\nThe powerhouse of the cell.\n");
        var search = new CorpusSearchTool(plain);
        Assert.Equal("Mitochondria", search.Search("powerhouse cell").Single().Title);

        string broken = Path.Combine(_dir, "broken.jsonl");
        File.WriteAllText(broken, "{\"title\": \"x\", \"text\": \"ok\"}\n{not json\n");
        var e = Assert.Throws<ModelFileException>(() => new CorpusSearchTool(broken));
        Assert.Equal("line 2", e.Item);
        Assert.Throws<ModelFileException>(() => new CorpusSearchTool(Path.Combine(_dir, "missing.jsonl")));
    }
}
