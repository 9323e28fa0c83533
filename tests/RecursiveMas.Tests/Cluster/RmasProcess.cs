using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RecursiveMas.Tests.Cluster;

/// <summary>
/// A real <c>rmas silo</c> (or any long-running <c>rmas</c> command) as a child process: started with the
/// arguments given, ready once it prints its JSON line, killed (with its children) on <see cref="Dispose"/>.
/// Output is kept for failure messages. Every wait is bounded.
/// </summary>
public sealed class RmasProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RmasProcess(Process process, string description)
    {
        _process = process;
        Description = description;
    }

    public string Description { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything it printed so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static RmasProcess Start(params string[] args)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rmas.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        var process = new Process { StartInfo = start };
        var started = new RmasProcess(process, "rmas " + string.Join(' ', args));
        process.OutputDataReceived += (_, e) => started.Received(e.Data, stdout: true);
        process.ErrorDataReceived += (_, e) => started.Received(e.Data, stdout: false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    void Received(string? line, bool stdout)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
        if (stdout && line.TrimStart().StartsWith('{'))
            _firstLine.TrySetResult(line);
    }

    /// <summary>Waits for the process's JSON line (a silo's "ready"); fails with its output when it exits or times out first.</summary>
    public string WaitForJsonLine(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var done = Task.WhenAny(_firstLine.Task, exited, Task.Delay(timeout)).GetAwaiter().GetResult();
        if (done == _firstLine.Task)
            return _firstLine.Task.Result;
        if (done == exited)
            throw new InvalidOperationException($"{Description} exited with {_process.ExitCode} before it was ready:\n{Output}");
        throw new TimeoutException($"{Description} was not ready in {timeout.TotalSeconds:F0} s:\n{Output}");
    }

    /// <summary>Waits for the process to end; returns its exit code (kills it and fails on timeout).</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"{Description} did not finish in {timeout.TotalSeconds:F0} s:\n{Output}");
        }
        _process.WaitForExit(); // the output's end
        return _process.ExitCode;
    }

    /// <summary>Kills the process (SIGKILL: no chance to say goodbye to the cluster) and waits for it.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    /// <summary><paramref name="count"/> distinct free TCP ports on the loopback interface.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ =>
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return l;
        }).ToList();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners)
            l.Stop();
        return ports;
    }
}
