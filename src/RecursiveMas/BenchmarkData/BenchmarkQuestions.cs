using System.Text.Json;
using System.Text.RegularExpressions;
using RecursiveMas.Answers;
using RecursiveMas.Sandbox;

namespace RecursiveMas.BenchmarkData;

/// <summary>A free-form math question (MATH500, AIME) graded against <see cref="Gold"/>.</summary>
public sealed record MathQuestion(string Id, string Prompt, string Gold) : IGradedQuestion
{
    public bool IsAnsweredBy(string? generated, AnswerChecker checker) => checker.IsMathCorrect(generated, Gold);
}

/// <summary>A multiple-choice question (GPQA, MedQA): the options in the order shown, and the right letter.</summary>
public sealed record ChoiceQuestion(string Id, string Question, IReadOnlyList<string> Choices, char Correct) : IGradedQuestion
{
    public string Prompt => ChoicePrompt.Format(Question, Choices) +
        "\n\nPut only the letter of the correct option in \\boxed{}, e.g. \\boxed{A}.";

    public bool IsAnsweredBy(string? generated, AnswerChecker checker) => checker.IsChoiceCorrect(generated, Correct, Choices.Count);
}

/// <summary>How a code test feeds the program and reads its result.</summary>
public enum CodeTestKind
{
    /// <summary>A script appended to the program; passing = exit code 0 (MBPP+ asserts).</summary>
    Script,

    /// <summary>Input on stdin, expected stdout compared line by line without surrounding spaces (LiveCodeBench stdin).</summary>
    Stdin,

    /// <summary>JSON arguments one per line, <c>Solution().FUNC(*args)</c> compared to the expected JSON value (LiveCodeBench functional).</summary>
    Functional,
}

/// <summary>One test of a code question.</summary>
public sealed record CodeTest(CodeTestKind Kind, string Input, string Expected);

/// <summary>
/// A code-generation question (MBPP+, LiveCodeBench): the program is the last markdown code block of the answer
/// (PAPER §7.4), run in the <see cref="PythonSandbox"/> against every test with <see cref="Timeout"/> each; correct
/// only when all pass. The checker choice does not apply to code.
/// </summary>
public sealed partial record CodeQuestion(string Id, string Prompt, IReadOnlyList<CodeTest> Tests, string? FunctionName, TimeSpan Timeout) : IGradedQuestion
{
    public bool IsAnsweredBy(string? generated, AnswerChecker checker)
    {
        if (generated is null || ExtractCode(generated) is not { } code)
            return false;
        return Tests.All(test => Passes(code, test));
    }

    bool Passes(string code, CodeTest test)
    {
        switch (test.Kind)
        {
            case CodeTestKind.Script:
                return PythonSandbox.Run(code + "\n\n" + test.Input + "\n", Timeout).Succeeded;
            case CodeTestKind.Stdin:
                {
                    var run = PythonSandbox.Run(code, Timeout, test.Input, outputLimit: 1 << 20);
                    return run.Succeeded && SameLines(run.Stdout, test.Expected);
                }
            default:
                {
                    string harness = code + "\n\nimport json as _rmas_json, sys as _rmas_sys\n" +
                        "_rmas_args = [_rmas_json.loads(l) for l in _rmas_sys.stdin.read().split('\\n') if l.strip()]\n" +
                        $"print(_rmas_json.dumps(Solution().{FunctionName}(*_rmas_args)))\n";
                    var run = PythonSandbox.Run(harness, Timeout, test.Input, outputLimit: 1 << 20);
                    return run.Succeeded && SameJson(run.Stdout, test.Expected);
                }
        }
    }

    /// <summary>The last fenced code block (```python or plain ```) of <paramref name="answer"/>; null when there is none.</summary>
    public static string? ExtractCode(string answer)
    {
        var blocks = Fenced().Matches(answer);
        return blocks.Count == 0 ? null : blocks[^1].Groups[1].Value;
    }

    static bool SameLines(string actual, string expected)
    {
        static string[] Lines(string s) => s.Trim().Split('\n').Select(l => l.Trim()).ToArray();
        return Lines(actual).SequenceEqual(Lines(expected));
    }

    static bool SameJson(string actual, string expected)
    {
        try
        {
            using var a = JsonDocument.Parse(actual.Trim());
            using var e = JsonDocument.Parse(expected.Trim());
            return JsonElement.DeepEquals(a.RootElement, e.RootElement);
        }
        catch (JsonException)
        {
            return actual.Trim() == expected.Trim();
        }
    }

    [GeneratedRegex(@"```[ \t]*(?:python3?|py)?[ \t]*\r?\n(.*?)```", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Fenced();
}
