using System.Diagnostics;
using System.Text;

namespace RecursiveMas.Sandbox;

/// <summary>What one sandboxed Python run did.</summary>
/// <param name="ExitCode">The process exit code; null when it was killed at the timeout.</param>
/// <param name="Stdout">Standard output, cut at the output limit.</param>
/// <param name="Stderr">Standard error, cut at the output limit.</param>
/// <param name="TimedOut">Whether the run was killed at the timeout.</param>
public sealed record SandboxResult(int? ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;
}

/// <summary>Thrown when no Python interpreter can be found; the message says what to install.</summary>
public sealed class PythonMissingException(string message) : Exception(message);

/// <summary>
/// Runs untrusted Python (model-written code for the <c>&lt;python&gt;</c> tool and the code benchmarks) in a
/// separate <c>python3</c> process. What it does:
/// <list type="bullet">
/// <item>a fresh temporary directory as working directory, HOME and TMPDIR, deleted afterwards;</item>
/// <item>isolated mode (<c>python3 -I</c>: no PYTHON* variables, no user site-packages, no script directory on
/// sys.path) and an environment with nothing but PATH, HOME, TMPDIR and LANG — so no proxy settings or keys;</item>
/// <item>a wall-clock timeout after which the whole process tree is killed;</item>
/// <item>no network where the kernel allows an unprivileged network namespace (<c>unshare -rn</c>, probed once:
/// only a loopback device exists inside); elsewhere socket connect/bind/sendto and DNS lookups are replaced by
/// functions that raise — a guard against accidental network use, which code that wants to can undo;</item>
/// <item>limits set by the process on itself before the code runs: 4 GiB address space, 64 MiB per written file;</item>
/// <item>output read to the end but kept only up to a limit.</item>
/// </list>
/// What it does NOT protect against: the code runs as the same user, so it can read and write any file that
/// user can (outside its temporary directory too), start processes, and use CPU until the timeout. It is a
/// harness for evaluation on a machine you control, not a security boundary for hostile code.
/// </summary>
public static class PythonSandbox
{
    /// <summary>The official tool and MBPP+ time limit (PAPER §7.4, §7.5).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The official Python tool's output cap, in characters.</summary>
    public const int DefaultOutputLimit = 6000;

    static readonly Lazy<string?> Interpreter = new(FindInterpreter);
    static readonly Lazy<bool> NetworkNamespace = new(ProbeNetworkNamespace);

    /// <summary>Whether a <c>python3</c> interpreter was found on PATH.</summary>
    public static bool IsAvailable => Interpreter.Value is not null;

    /// <summary>The interpreter's real path (pyenv shims resolved), or null.</summary>
    public static string? InterpreterPath => Interpreter.Value;

    /// <summary>Whether runs get their own network namespace (no network at all) rather than the in-process guard.</summary>
    public static bool HasNetworkIsolation => IsAvailable && NetworkNamespace.Value;

    /// <summary>Runs <paramref name="code"/> as a script with <paramref name="stdin"/> as its input.</summary>
    /// <exception cref="PythonMissingException">No python3 on PATH.</exception>
    public static SandboxResult Run(string code, TimeSpan? timeout = null, string? stdin = null, int outputLimit = DefaultOutputLimit)
    {
        string python = Interpreter.Value
            ?? throw new PythonMissingException("python3 was not found on PATH; install Python 3 (e.g. apt-get install python3) to run model-written code");
        string directory = Path.Combine(Path.GetTempPath(), "rmas-python-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "main.py"), Guard + code, new UTF8Encoding(false));
            var start = new ProcessStartInfo
            {
                WorkingDirectory = directory,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            if (NetworkNamespace.Value)
            {
                start.FileName = "unshare";
                foreach (var a in new[] { "-rn", python })
                    start.ArgumentList.Add(a);
            }
            else
            {
                start.FileName = python;
            }
            foreach (var a in new[] { "-I", "-B", "-X", "utf8", "main.py" })
                start.ArgumentList.Add(a);
            start.Environment.Clear();
            start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
            start.Environment["HOME"] = directory;
            start.Environment["TMPDIR"] = directory;
            start.Environment["LANG"] = "C.UTF-8";
            start.Environment["RMAS_SANDBOX_NETNS"] = NetworkNamespace.Value ? "1" : "0";

            using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
            var stdout = ReadCapped(process.StandardOutput, outputLimit);
            var stderr = ReadCapped(process.StandardError, outputLimit);
            try
            {
                if (stdin is not null)
                    process.StandardInput.Write(stdin);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The program exited without reading its input.
            }
            bool exited = process.WaitForExit(timeout ?? DefaultTimeout);
            if (!exited)
            {
                try
                { process.Kill(entireProcessTree: true); }
                catch (InvalidOperationException) { }
                process.WaitForExit();
            }
            // Grandchildren that kept the pipes open cannot hold the caller forever.
            Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(5));
            return new SandboxResult(exited ? process.ExitCode : null, Finished(stdout), Finished(stderr), !exited);
        }
        finally
        {
            try
            { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    static string Finished(Task<string> read) => read.IsCompletedSuccessfully ? read.Result : "";

    static async Task<string> ReadCapped(StreamReader reader, int limit)
    {
        var kept = new StringBuilder();
        var buffer = new char[4096];
        bool cut = false;
        int n;
        while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            int room = limit - kept.Length;
            if (room > 0)
                kept.Append(buffer, 0, Math.Min(room, n));
            if (n > room)
                cut = true;
        }
        return cut ? kept.Append("\n…[output cut at ").Append(limit).Append(" characters]").ToString() : kept.ToString();
    }

    /// <summary>Prepended to every script: resource limits, and the network guard when there is no namespace.</summary>
    const string Guard = """
        import os as _rmas_os, resource as _rmas_resource
        for _rmas_limit, _rmas_value in ((_rmas_resource.RLIMIT_AS, 4 << 30), (_rmas_resource.RLIMIT_FSIZE, 64 << 20)):
            try:
                _rmas_resource.setrlimit(_rmas_limit, (_rmas_value, _rmas_value))
            except (ValueError, OSError):
                pass
        if _rmas_os.environ.get("RMAS_SANDBOX_NETNS") != "1":
            import socket as _rmas_socket
            def _rmas_no_network(*args, **kwargs):
                raise OSError("network access is disabled in the sandbox")
            for _rmas_name in ("connect", "connect_ex", "bind", "sendto", "sendmsg"):
                setattr(_rmas_socket.socket, _rmas_name, _rmas_no_network)
            _rmas_socket.getaddrinfo = _rmas_socket.create_connection = _rmas_no_network
        del _rmas_os, _rmas_resource

        """;

    static string? FindInterpreter()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "python3");
            if (!File.Exists(candidate))
                continue;
            // Resolve shims (pyenv, asdf): the sandbox's environment is cleared, which shims need.
            var (code, output) = Probe(candidate, ["-c", "import sys; print(sys.executable)"]);
            string resolved = output.Trim();
            if (code == 0 && resolved.Length > 0 && File.Exists(resolved))
                return resolved;
        }
        return null;
    }

    static bool ProbeNetworkNamespace() =>
        Interpreter.Value is { } python && Probe("unshare", ["-rn", python, "-I", "-c", "pass"]).Code == 0;

    static (int Code, string Output) Probe(string file, string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in arguments)
                start.ArgumentList.Add(a);
            using var process = Process.Start(start);
            if (process is null)
                return (-1, "");
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return (-1, "");
            }
            return (process.ExitCode, output.Result);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "");
        }
    }
}
