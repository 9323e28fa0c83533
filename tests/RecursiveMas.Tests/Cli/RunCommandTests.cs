using System.Text.Json;
using RecursiveMas.Cli;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cli;

public sealed class RunCommandTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    [Fact]
    public void RunsASystemAndPrintsTheAnswerAndTheSteps()
    {
        var d = zoo.Describe("sequential", 2);
        var (code, output) = CliRunner.Run("run", "--system", d.SourcePath!, "--question", "What is 12 plus 30?", "--untrained");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("Q: What is 12 plus 30?", output);
        Assert.Contains("Answer:", output);
        Assert.Contains("Planner", output);
        Assert.Contains("method recursive · 2 round(s)", output);
    }

    [Theory]
    [InlineData("--rounds", "abc", "option --rounds takes an integer, not \"abc\"")]
    [InlineData("--rounds", "99999999999", "option --rounds takes an integer its type can hold, not 99999999999")]
    [InlineData("--latent-steps", "2.5", "option --latent-steps takes an integer, not \"2.5\"")]
    [InlineData("--question", null, "option --question needs a value")]
    [InlineData("--question", " ", "--question must not be empty")]
    public void AnOptionWithABadOrMissingValueIsACommandLineErrorNamingIt(string option, string? value, string message)
    {
        var d = zoo.Describe("sequential", 1);
        string[] args = value is null ? ["run", "--system", d.SourcePath!, "--untrained", option] : ["run", "--system", d.SourcePath!, "--untrained", "--question", "Hi?", option, value];
        var (code, output) = CliRunner.Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, output);
    }

    [Fact]
    public void AnInputErrorSaysWhatIsWrongWithoutTheCSharpParameterBehindIt()
    {
        var d = zoo.Describe("sequential", 1);
        var (code, output) = CliRunner.Run("run", "--system", d.SourcePath!, "--untrained", "--question", "a <<SLOT: b");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("the question contains the reserved marker \"<<SLOT:\"", output);
        Assert.DoesNotContain("(Parameter", output);
    }

    [Theory]
    [InlineData("recursive")]
    [InlineData("text")]
    [InlineData("single")]
    public void EveryMethodPrintsJson(string method)
    {
        var d = zoo.Describe("distillation", 2);
        // The second question is longer than the console is wide: JSON must come out unwrapped.
        string longQuestion = string.Concat(Enumerable.Repeat("What is 5 plus 6? ", 14)).TrimEnd();
        var (code, output) = CliRunner.Run("run", "--system", d.SourcePath!, "--question", "Paris?", "--question", longQuestion,
            "--untrained", "--method", method, "--rounds", "1", "--latent-steps", "2", "--max-new-tokens", "3", "--json");
        Assert.Equal(ExitCodes.Success, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(longQuestion, json.RootElement.GetProperty("answers")[1].GetProperty("question").GetString());
        Assert.Equal(method, json.RootElement.GetProperty("method").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("answers").GetArrayLength());
        Assert.All(json.RootElement.GetProperty("answers").EnumerateArray(), a => Assert.InRange(a.GetProperty("generated_tokens").GetInt32(), 1, 3 + (method == "text" ? 512 : 0)));
    }

    [Theory]
    [InlineData("recursive", "for its latent steps")]
    [InlineData("text", "for its text message's tokens")]
    [InlineData("single", "for the answer's tokens")]
    public void AQuestionTheModelsCannotHoldIsRefusedByEveryMethod(string method, string added)
    {
        var d = zoo.Describe("sequential", 1);
        string huge = string.Concat(Enumerable.Repeat("\u00a4\u00b6 ", 1500));
        var (code, output) = CliRunner.Run("run", "--system", d.SourcePath!, "--question", huge, "--untrained", "--method", method);
        Assert.Equal(ExitCodes.InvalidInput, code);
        string flat = string.Join(" ", output.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("max_position_embeddings of 4096", flat);
        Assert.Contains(added, flat);
        Assert.DoesNotContain("Parameter", flat); // the reason alone, not ArgumentException's parameter name

        // A question whose length alone is past the context is refused from its length, without being tokenized.
        (code, output) = CliRunner.Run("run", "--system", d.SourcePath!, "--question", new string('\u00a4', 2_000_000), "--untrained", "--method", method);
        Assert.Equal(ExitCodes.InvalidInput, code);
        flat = string.Join(" ", output.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("would be at least", flat);
        Assert.Contains("max_position_embeddings of 4096", flat);
    }

    [Fact]
    public void MissingLinksInvalidSystemsAndBadOptionsAreReadableErrors()
    {
        var d = zoo.Describe("sequential", 1);
        var (code, output) = CliRunner.Run("run", "--system", d.SourcePath!, "--question", "x");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("--untrained", output);

        string broken = Path.Combine(zoo.Root, "broken.SYSTEM.json");
        File.WriteAllText(broken, File.ReadAllText(d.SourcePath!).Replace("{from:Planner}", "", StringComparison.Ordinal));
        var (brokenCode, brokenOutput) = CliRunner.Run("run", "--system", broken, "--question", "x", "--untrained");
        Assert.Equal(ExitCodes.InvalidInput, brokenCode);
        Assert.Contains("RMAS2001", brokenOutput);

        Assert.Equal(ExitCodes.Usage, CliRunner.Run("run", "--system", d.SourcePath!, "--question", "x", "--method", "magic").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRunner.Run("run", "--system", d.SourcePath!).ExitCode);
        var (missingCode, missingOutput) = CliRunner.Run("run", "--system", Path.Combine(zoo.Root, "nope.json"), "--question", "x");
        Assert.Equal(ExitCodes.InvalidInput, missingCode);
        Assert.Contains("nope.json", missingOutput);
    }
}
