using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Tokenization;
using SequentialMath;

namespace RecursiveMas.Tests.Examples;

/// <summary>
/// The README's main job, examples/SequentialMath: the zoo's Sequential system declared in C#. Its
/// generated code must run the shipped agents and links exactly as the runtime runs the zoo's own
/// SYSTEM.json, and the program must answer a question end to end.
/// </summary>
public sealed class SequentialMathTests
{
    static string Zoo => Path.Combine(RepositoryRoot.Path, "examples", "zoo");

    static readonly string[] Questions =
    [
        "Gus has 9 cards. Gus gives away 6. Then Gus gets 9 more. How many cards does Gus have now?",
        "Ava has 8 stamps. Ava gives away 3. Then Ava gets 9 more. How many stamps does Ava have now?",
    ];

    [Fact]
    public void TheDeclaredSystemAnswersExactlyAsTheZoosSystemJson()
    {
        var options = new RunOptions { Decoding = new DecodingDescription { MaxNewTokens = 72 } };
        using var declared = MathTeam.Load(Zoo, Path.Combine(Zoo, "links", "sequential"));
        using var described = RecursiveSystem.Load(Path.Combine(Zoo, "sequential.SYSTEM.json"));

        var generated = declared.SolveBatch(Questions, options);
        var runtime = RecursiveRunner.SolveBatch(described, Questions, options);

        Assert.Equal(2, generated.Rounds);
        Assert.Equal(runtime.Answers.Select(a => a.Text), generated.Answers.Select(a => a.Text));
        Assert.Equal(runtime.Steps.Select(s => (s.Round, s.Kind, s.LatentSteps, s.GeneratedTokens, s.PrefillTokens)),
                     generated.Steps.Select(s => (s.Round, s.Kind, s.LatentSteps, s.GeneratedTokens, s.PrefillTokens)));
        // Trained links, not untrained ones: the shipped agents write the boxed format.
        Assert.All(generated.Answers, a => Assert.NotNull(a.Answer));
    }

    [Fact]
    public void TheProgramAnswersAQuestionWithItsRoundsLatentStepsTokensAndTime()
    {
        var (code, output) = CliProcess.RunProgram("SequentialMath.dll", Questions[0], "--zoo", Zoo);

        Assert.True(code == 0, output);
        Assert.Contains($"Question: {Questions[0]}", output);
        Assert.Matches(@"Answer: +\d+", output);
        Assert.Matches(@"Rounds 2, latent steps 152 \(in 5 agent turns\), generated tokens \d+, time \d+\.\d\d s", output);
    }

    [Fact]
    public void TheProgramAnswersTheLongChainSplitAndCountsByChainLength()
    {
        string first = RecursiveMas.Tasks.TaskDataFile.Read(Path.Combine(Zoo, "data", "arithmetic-long", "test.jsonl"))[0].Question;
        var (code, output) = CliProcess.RunProgram("SequentialMath.dll", "--zoo", Zoo, "--split", "arithmetic-long", "--samples", "4");

        Assert.True(code == 0, output);
        Assert.Contains($"Question: {first}", output);
        Assert.Matches(@"Correct: \d of 4 \(\d+\.\d %\)", output);
        // The first four long chains have 6, 8, 6 and 8 operations.
        Assert.Matches(@"By chain length: 6 operations \d of 2, 8 operations \d of 2", output);
    }

    [Fact]
    public void AnUnknownSplitIsNamedWithTheZoosSplits()
    {
        var (code, output) = CliProcess.RunProgram("SequentialMath.dll", "--zoo", Zoo, "--split", "long");
        Assert.Equal(2, code);
        Assert.Contains("--split long", output);
        Assert.Contains("arithmetic or arithmetic-long", output);
    }

    [Fact]
    public void AMissingZooIsNamed()
    {
        using var dir = new TempDirectory();
        string missing = Path.Combine(dir.Path, "no-zoo");
        var (code, output) = CliProcess.RunProgram("SequentialMath.dll", "--zoo", missing);
        Assert.Equal(1, code);
        Assert.Contains(missing, output);
    }
}
