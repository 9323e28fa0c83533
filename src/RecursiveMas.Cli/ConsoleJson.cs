using Spectre.Console;

namespace RecursiveMas.Cli;

/// <summary>
/// JSON a command prints (<c>--json</c>): written to the console's output as it is. Through the console's own
/// rendering it would be wrapped at the console's width — 80 columns when the output is a pipe — and a line
/// break inside a JSON string makes the whole document unreadable to whatever reads the pipe.
/// </summary>
static class ConsoleJson
{
    public static void Write(IAnsiConsole console, string json)
    {
        var output = console.Profile.Out.Writer;
        output.WriteLine(json);
        output.Flush();
    }
}
