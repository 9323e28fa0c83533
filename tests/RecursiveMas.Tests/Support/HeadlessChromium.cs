using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RecursiveMas.Tests.Support;

/// <summary>
/// Debian's <c>chromium</c>, started headless with a fresh profile and the DevTools protocol on a free
/// loopback port. Not finding it is a test failure that says how to install it, never a silent pass.
/// </summary>
public sealed partial class HeadlessChromium : IDisposable
{
    static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

    private readonly Process _process;
    private readonly string _profile;

    HeadlessChromium(Process process, string profile, Uri devTools)
    {
        _process = process;
        _profile = profile;
        DevToolsUrl = devTools;
    }

    /// <summary>The browser's DevTools WebSocket (ws://127.0.0.1:PORT/devtools/browser/ID).</summary>
    public Uri DevToolsUrl { get; }

    /// <summary>The browser to use: <c>RMAS_CHROMIUM</c> when set, else the first of Debian's usual paths.</summary>
    public static string Locate()
    {
        string? configured = Environment.GetEnvironmentVariable("RMAS_CHROMIUM");
        if (!string.IsNullOrEmpty(configured))
            return File.Exists(configured) ? configured : throw new FileNotFoundException($"RMAS_CHROMIUM names {configured}, which does not exist", configured);
        return Candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
            "Chromium was not found (looked for " + string.Join(", ", Candidates) + "). Install it with `bash .ci/ensure-chromium` " +
            "(apt-get install chromium), or set RMAS_CHROMIUM to a Chromium or Chrome binary. The browser test needs it; it does not skip.");
    }

    public static HeadlessChromium Start(int width = 1280, int height = 1000)
    {
        string binary = Locate();
        string profile = Path.Combine(Path.GetTempPath(), "rmas-chromium-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank",
        })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();

        // Chromium prints "DevTools listening on ws://..." on stderr once it is ready.
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"{binary} exited before DevTools listened:\n{log}"));
                return;
            }
            lock (log) log.AppendLine(e.Data);
            if (DevToolsLine().Match(e.Data) is { Success: true } m)
                listening.TrySetResult(new Uri(m.Groups[1].Value));
        };
        process.BeginErrorReadLine();
        if (!listening.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{binary} did not open DevTools within 60 s:\n{log}");
        }
        return new HeadlessChromium(process, profile, listening.Task.Result);
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsLine();

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
