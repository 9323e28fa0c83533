using RecursiveMas.Decoding;

namespace RecursiveMas.Tools;

/// <summary>
/// The tool protocol of the Deliberation pattern's final decode (PAPER §7.5): decode until a closing
/// tool tag (<c>&lt;/calculator&gt;</c>, <c>&lt;/python&gt;</c>, <c>&lt;/search&gt;</c>), run the tool on the text
/// inside the tags, append <c> &lt;result&gt;…&lt;/result&gt;</c> to the assistant text, and resume — at most
/// <see cref="MaxToolCalls"/> calls run, all segments sharing one token budget. A call beyond the budget is
/// not run but still answered (<see cref="BudgetSpentResult"/>), so the model's text stays well-formed and it
/// can go on to its answer.
/// </summary>
public static class ToolLoop
{
    /// <summary>Tool calls allowed per answer (as upstream).</summary>
    public const int MaxToolCalls = 5;

    /// <summary>The result given to a call after <see cref="MaxToolCalls"/> calls have run.</summary>
    public const string BudgetSpentResult = "error: the tool budget is spent (at most 5 tool calls per answer); this call was not run. Give the final answer in \\boxed{} now.";

    /// <summary>
    /// One decoding segment: given the assistant text so far and the remaining token budget, continue
    /// and stop at end-of-sequence, the budget, or one of <paramref name="stopStrings"/> (the closing tags).
    /// </summary>
    public delegate GeneratedSequence Continue(string assistantSoFar, int budget, IReadOnlyList<string> stopStrings);

    /// <summary>Runs the loop for one answer; <paramref name="decode"/> turns a segment's ids into its full text.</summary>
    public static GeneratedSequence Run(Continue generate, IReadOnlyList<ITool> tools, int maxNewTokens, Func<IReadOnlyList<int>, string> decode)
    {
        var closing = tools.Select(t => $"</{t.Name}>").ToArray();
        string assistant = "";
        var tokens = new List<int>();
        int budget = maxNewTokens, calls = 0;
        while (true)
        {
            var segment = generate(assistant, budget, closing);
            tokens.AddRange(segment.TokenIds);
            budget -= segment.TokenIds.Count;
            string text = segment.Text ?? decode(segment.TokenIds);
            var call = segment.Reason == FinishReason.StopString ? Called(text, decode(segment.TokenIds), tools) : null;
            if (call is null || budget <= 0 || segment.TokenIds.Count == 0)
                return new GeneratedSequence(tokens, assistant + text, segment.Reason);
            var (tool, input) = call.Value;
            string result = calls < MaxToolCalls ? tool.Invoke(input) : BudgetSpentResult;
            assistant += text + $"</{tool.Name}> <result>\n{result}\n</result>\n";
            calls++;
        }
    }

    /// <summary>The tool whose closing tag ended the segment, and the text inside its tags.</summary>
    static (ITool Tool, string Input)? Called(string cut, string full, IReadOnlyList<ITool> tools)
    {
        foreach (var tool in tools)
        {
            if (!full.AsSpan(Math.Min(cut.Length, full.Length)).StartsWith($"</{tool.Name}>", StringComparison.Ordinal))
                continue;
            int open = cut.LastIndexOf($"<{tool.Name}>", StringComparison.Ordinal);
            if (open >= 0)
                return (tool, cut[(open + tool.Name.Length + 2)..].Trim());
        }
        return null;
    }
}
