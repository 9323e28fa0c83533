using RecursiveMas.Sandbox;

namespace RecursiveMas.Tools;

/// <summary>
/// The released Tool-Caller's Python tool (PAPER §7.5): the code between <c>&lt;python&gt;</c> tags runs in a
/// fresh <see cref="PythonSandbox"/> process (10 s timeout, no network, output capped at 6000 characters) after a
/// prelude importing math, itertools, functools, fractions, statistics and — when installed — sympy; the result
/// is what the code printed (and its error, if it failed). Without python3 the result says so; the tool never throws.
/// </summary>
public sealed class PythonTool(TimeSpan? timeout = null) : ITool
{
    /// <summary>The imports the released tool runs before the model's code.</summary>
    public const string Prelude = """
        import math, itertools, functools, fractions, statistics
        try:
            import sympy
        except ImportError:
            pass

        """;

    readonly TimeSpan _timeout = timeout ?? PythonSandbox.DefaultTimeout;

    public string Name => "python";

    public string Description => "<python>code</python> runs Python 3 code and returns what it prints, e.g. <python>print(sum(range(101)))</python>.";

    public string Invoke(string input)
    {
        if (!PythonSandbox.IsAvailable)
            return "error: the python tool is unavailable: python3 is not installed on this machine";
        var result = PythonSandbox.Run(Prelude + StripFence(input), _timeout);
        if (result.TimedOut)
            return $"error: the code did not finish within {_timeout.TotalSeconds:0.#} s and was stopped" + (result.Stdout.Length > 0 ? "\n" + result.Stdout : "");
        string output = result.Stdout.TrimEnd();
        if (result.ExitCode != 0)
            output = (output.Length > 0 ? output + "\n" : "") + "error: " + LastLines(result.Stderr.TrimEnd(), 6);
        return output.Length == 0 ? "(no output: use print() to see values)" : output;
    }

    /// <summary>Models often wrap the code in a markdown fence inside the tags.</summary>
    static string StripFence(string code)
    {
        string trimmed = code.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
            return code;
        int firstLine = trimmed.IndexOf('\n');
        if (firstLine < 0)
            return code;
        string body = trimmed[(firstLine + 1)..];
        int close = body.LastIndexOf("```", StringComparison.Ordinal);
        return close >= 0 ? body[..close] : body;
    }

    static string LastLines(string text, int count)
    {
        var lines = text.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - count)));
    }
}
