using System.Diagnostics;

namespace RecursiveMas.Tests.Support;

/// <summary>
/// Runs <c>rmas</c> as a child process (the build copies rmas.dll beside the tests). For commands that
/// change process-wide TorchSharp state — <c>rmas zoo</c> sets one intra-op thread — which in-process
/// would change the numerics of tests running in parallel (and theirs its own).
/// </summary>
public static class CliProcess
{
    public static (int ExitCode, string Output) Run(params string[] args) => RunProgram("rmas.dll", args);

    /// <summary>Runs a program the build copied beside the tests (rmas.dll, an example's dll); returns its exit code and stdout + stderr.</summary>
    public static (int ExitCode, string Output) RunProgram(string dll, params string[] args) =>
        Dotnet([Path.Combine(AppContext.BaseDirectory, dll), .. args]);

    /// <summary>Runs the dotnet host with <paramref name="args"/> (<c>pack …</c>, <c>msbuild …</c>, a dll); returns its exit code and stdout + stderr.</summary>
    public static (int ExitCode, string Output) Dotnet(params string[] args)
    {
        // The dotnet CLI tells the processes it starts where its host is; fall back to PATH.
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start dotnet {string.Join(' ', args)}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 10 minutes");
        }
        return (process.ExitCode, stdout + stderr.Result);
    }
}
