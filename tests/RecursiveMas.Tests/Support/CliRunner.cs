using System.Diagnostics;
using RecursiveMas.Cli;
using Spectre.Console;

namespace RecursiveMas.Tests.Support;

/// <summary>Runs <c>rmas</c> in-process, or as its own process, and captures what it prints.</summary>
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

    /// <summary>
    /// Runs the built <c>rmas</c> as a process to its exit: what an in-process run cannot show apart, standard error
    /// (notes and warnings written to <see cref="Console.Error"/>) from standard output.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunProcessAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "rmas"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        // Both read at once, so neither pipe can fill and block the process.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// As <see cref="RunProcessAsync"/>, with standard error written into standard output's pipe (<c>2&gt;&amp;1</c>), as a
    /// terminal shows both: what an output of two pipes cannot show, the order of a note and the progress display.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunProcessInterleavedAsync(params string[] args)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (string[])["-c", "exec \"$0\" \"$@\" 2>&1", Path.Combine(AppContext.BaseDirectory, "rmas"), .. args])
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
