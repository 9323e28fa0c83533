using System.Diagnostics;
using RecursiveMas.IO;

namespace RecursiveMas.Cli.Inspection;

/// <summary>Renders DOT to PNG with Graphviz's <c>dot</c>, where it is installed.</summary>
static class Graphviz
{
    /// <summary><c>dot</c> on PATH, or null.</summary>
    public static string? Locate() => (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, OperatingSystem.IsWindows() ? "dot.exe" : "dot"))
        .FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="dotExecutable"/> on <paramref name="dot"/> and writes the PNG (temp file, then rename).</summary>
    public static void RenderPng(string dotExecutable, string dot, string pngPath)
    {
        var start = new ProcessStartInfo(dotExecutable, ["-Tpng"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new IOException($"could not start {dotExecutable}");
        var png = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(png);
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(dot);
        process.StandardInput.Close();
        copy.Wait();
        process.WaitForExit();
        if (process.ExitCode != 0 || png.Length == 0)
            throw new IOException($"{dotExecutable} -Tpng failed (exit code {process.ExitCode}): {errors.Result.Trim()}");
        AtomicFile.WriteAllBytes(pngPath, png.ToArray());
    }
}
