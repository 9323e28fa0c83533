using RecursiveMas.Decoding;
using RecursiveMas.Sandbox;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tools;

namespace RecursiveMas.Tests.Tools;

public sealed class PythonToolTests
{
    [PythonFact]
    public void RunsCodeWithThePreludeAndReturnsWhatItPrints()
    {
        var tool = new PythonTool();
        Assert.Equal("42", tool.Invoke("print(6 * 7)"));
        Assert.Equal("3628800", tool.Invoke("print(math.factorial(10))"));      // math comes from the prelude
        Assert.Equal("5050", tool.Invoke("```python\nprint(sum(range(101)))\n```"));
        Assert.Equal("(no output: use print() to see values)", tool.Invoke("x = 1"));
    }

    [PythonFact]
    public void ErrorsAreResultsNotExceptions()
    {
        string result = new PythonTool().Invoke("print('before')\n1 / 0");
        Assert.StartsWith("before\nerror:", result);
        Assert.Contains("ZeroDivisionError", result);
    }

    [PythonFact]
    public void CodeThatRunsTooLongIsStopped()
    {
        // 5 s: long enough for python3 to start and print even on a loaded machine; the loop never ends.
        string result = new PythonTool(TimeSpan.FromSeconds(5)).Invoke("print('started', flush=True)\nwhile True:\n    pass");
        Assert.StartsWith("error: the code did not finish within 5 s", result);
        Assert.Contains("started", result);
    }

    [PythonFact]
    public void TheSandboxHasNoNetworkNoProxiesAndItsOwnDirectory()
    {
        var result = PythonSandbox.Run("""
            import os, socket
            print(sorted(k for k in os.environ if 'proxy' in k.lower()))
            print(os.getcwd() == os.environ['HOME'])
            try:
                socket.create_connection(('198.51.100.1', 80), timeout=2)
                print('connected')
            except OSError as e:
                print('no network')
            """);
        Assert.True(result.Succeeded, result.Stderr);
        Assert.Equal(["[]", "True", "no network"], result.Stdout.Trim().Split('\n'));
    }

    [PythonFact]
    public void OutputIsCapped()
    {
        var result = PythonSandbox.Run("print('x' * 100000)", outputLimit: 1000);
        Assert.True(result.Succeeded);
        Assert.StartsWith(new string('x', 1000) + "\n…[output cut at 1000", result.Stdout);
    }

    [PythonFact]
    public void TheToolLoopRunsPythonCalls()
    {
        var segments = new Queue<string>(["<python>print(2 ** 10)</python>", " so \\boxed{1024}"]);
        var result = ToolLoop.Run((_, budget, stops) =>
        {
            string full = segments.Dequeue();
            int cut = full.IndexOf("</python>", StringComparison.Ordinal);
            return cut >= 0
                ? new GeneratedSequence([.. full[..(cut + 9)].Select(c => (int)c)], full[..cut], FinishReason.StopString)
                : new GeneratedSequence([.. full.Select(c => (int)c)], full, FinishReason.EndOfSequence);
        }, [new CalculatorTool(), new PythonTool()], 1000, ids => new string([.. ids.Select(i => (char)i)]));
        Assert.Equal("<python>print(2 ** 10)</python> <result>\n1024\n</result>\n so \\boxed{1024}", result.Text);
    }
}
