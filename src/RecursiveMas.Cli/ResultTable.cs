using RecursiveMas.Systems;
using Spectre.Console;

namespace RecursiveMas.Cli;

/// <summary>Human-readable rendering of a <see cref="RunResult"/>.</summary>
static class ResultTable
{
    public static void Write(IAnsiConsole console, RecursiveSystem system, RunResult result)
    {
        foreach (var answer in result.Answers)
        {
            console.MarkupLine($"[bold]Q:[/] {Markup.Escape(answer.Question)}");
            console.WriteLine(answer.Text);
            console.MarkupLine($"[bold]Answer:[/] {Markup.Escape(answer.Answer ?? "(none extracted)")}");
            console.WriteLine();
        }
        var table = new Table().AddColumns("round", "agent", "step", "latent steps", "generated tokens", "prefill", "ms");
        foreach (var s in result.Steps)
            table.AddRow(s.Round.ToString(), Markup.Escape(s.Agent), s.Kind.Name(), s.LatentSteps.ToString(), s.GeneratedTokens.ToString(),
                s.PrefillTokens.ToString(), s.Milliseconds.ToString("F0"));
        console.Write(table);
        console.MarkupLine(
            $"{Markup.Escape(system.Description.Name)} · method {result.Method.Name()} · {result.Rounds} round(s) · {result.GeneratedTokens} generated tokens · " +
            $"{result.LatentThoughts} latent thoughts · {result.TotalMilliseconds / 1000:F2} s · peak memory {result.PeakMemoryBytes / 1e6:F0} MB");
    }
}
