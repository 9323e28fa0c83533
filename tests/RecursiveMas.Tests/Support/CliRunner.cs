using RecursiveMas.Cli;
using Spectre.Console;

namespace RecursiveMas.Tests.Support;

/// <summary>Runs <c>rmas</c> in-process and captures what it prints.</summary>
public static class CliRunner
{
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        int code = RmasApp.Run(args, console);
        return (code, writer.ToString());
    }
}
