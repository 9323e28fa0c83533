using RecursiveMas.Cli;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cli;

public class HelpTests
{
    public static IEnumerable<object[]> Commands() => [["forward"], ["generate"], ["run"], ["bench"], ["serve"], ["inspect"], ["train"], ["pull"], ["systems"], ["init"], ["eval"], ["silo"]];

    [Fact]
    public void TopLevelHelpListsTheCommands()
    {
        var (code, output) = CliRunner.Run("--help");
        Assert.Equal(ExitCodes.Success, code);
        foreach (var command in Commands())
            Assert.Contains((string)command[0], output);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryCommandHasHelpWithExamples(string command)
    {
        var (code, output) = CliRunner.Run(command, "--help");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("EXAMPLES:", output);
        Assert.DoesNotContain("error:", output);
    }

    /// <summary>An option a command does not know is a usage error naming it, before anything runs — not a setting dropped.</summary>
    [Theory]
    [MemberData(nameof(Commands))]
    public void AnUnknownOptionIsAUsageErrorNamingIt(string command)
    {
        var (code, output) = CliRunner.Run(command, "--no-such-option", "1");
        Assert.True(code == ExitCodes.Usage, $"{command}: exit {code}\n{output}");
        Assert.Contains("Unknown option 'no-such-option'", output);
    }
}
