using RecursiveMas.Charts;
using RecursiveMas.Cli;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Charts;

/// <summary>`rmas plot` over files of the right kind and the wrong shape: exit 1 naming the file, never an internal error.</summary>
public sealed class HostileChartInputTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rmas-hostile-plot-" + Guid.NewGuid().ToString("N"));

    public HostileChartInputTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    static string TrainLine(string extra) =>
        "{\"stage\":\"outer\",\"step\":1,\"total_steps\":2,\"loss\":0.5,\"lr\":0.001,\"grad_norm\":1.0" + extra + "}";

    [Theory]
    [InlineData("comparison.json", """{"system":"s","data":"d","questions":2,"temperature":0,"rows":[1]}""")]
    [InlineData("comparison-surrogate.json", """{"system":"s\ud800","data":"d","questions":2,"temperature":0,"rows":[]}""")]
    [InlineData("serving.json", """{"suite":"serving","rows":[1]}""")]
    public void AFileOfTheRightKindAndTheWrongShapeIsExitOneNamingIt(string name, string json)
    {
        string path = Write(name, json);
        var (code, output) = CliRunner.Run("plot", path);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(path, output);
        Assert.DoesNotContain("internal error", output);
    }

    [Fact]
    public void ATrainingLogWithARoundBelowOneOrValuesNoAxisHoldsIsExitOne()
    {
        string round = Write("round.jsonl", TrainLine(",\"round_grad_norms\":[{\"link\":\"a\",\"round\":0,\"norm\":1.0}]") + "\n");
        var (code, output) = CliRunner.Run("plot", round);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("rounds must be integers from 1", output);

        string huge = Write("huge.jsonl", TrainLine("").Replace("\"loss\":0.5", "\"loss\":-1e308", StringComparison.Ordinal) + "\n"
            + TrainLine("").Replace("\"step\":1", "\"step\":2", StringComparison.Ordinal).Replace("\"loss\":0.5", "\"loss\":1e308", StringComparison.Ordinal) + "\n");
        (code, output) = CliRunner.Run("plot", huge);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("cannot be charted", output);
    }

    static string Comparison(string seedRun) =>
        """{"system":"s","data":"d","questions":2,"temperature":0,"rows":[{"method":"recursive","rounds":1,"seeds":[""" + seedRun + "]}]}";

    [Theory]
    [InlineData("""{"seed":1,"questions":2,"correct":50,"tokens_per_question":9,"seconds_per_question":0.1}""", "seeds[0].correct", "from 0 to 2, got 50")]
    [InlineData("""{"seed":1,"questions":0,"correct":0,"tokens_per_question":9,"seconds_per_question":0.1}""", "seeds[0].questions", "got 0")]
    [InlineData("""{"seed":1,"questions":2.5,"correct":1,"tokens_per_question":9,"seconds_per_question":0.1}""", "seeds[0].questions", "whole number")]
    [InlineData("""{"seed":1,"questions":2,"correct":1,"tokens_per_question":-9,"seconds_per_question":0.1}""", "seeds[0].tokens_per_question", "≥ 0, got -9")]
    [InlineData("""{"seed":1,"questions":2,"correct":1,"tokens_per_question":9,"seconds_per_question":0.1,"pass_at":{"1":1.5}}""", "seeds[0].pass_at.1", "from 0 to 1")]
    public void AComparisonCountingWhatNoRunCanCountIsRefusedNamingTheField(string seedRun, string field, string detail)
    {
        string path = Write("comparison.json", Comparison(seedRun));
        var (code, output) = CliRunner.Run("plot", path);
        Assert.Equal(ExitCodes.InvalidInput, code);
        var e = Assert.Throws<ModelFileException>(() => RecursiveMas.Evaluation.ComparisonResult.Load(path));
        Assert.Equal("rows[0]." + field, e.Item);
        Assert.Contains(detail, e.Message);
    }

    [Fact]
    public void AChartIsNeverWrittenOverItsInput()
    {
        string path = Write("train-log.jsonl", TrainLine("") + "\n");
        string before = File.ReadAllText(path);
        var (code, output) = CliRunner.Run("plot", path, "--out", path);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("would be written over it", output);
        Assert.Equal(before, File.ReadAllText(path));
    }
}
