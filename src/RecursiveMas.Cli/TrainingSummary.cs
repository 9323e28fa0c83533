using RecursiveMas.Training;
using Spectre.Console;

namespace RecursiveMas.Cli;

/// <summary>Human-readable rendering of a <see cref="TrainingReport"/>: one row per stage, then the gradient each link got from each round.</summary>
static class TrainingSummary
{
    public static void Write(IAnsiConsole console, TrainingReport report)
    {
        static string Number(double v) => double.IsFinite(v) ? v.ToString("F4") : "-";
        static string Percent(double? v) => v is double a ? a.ToString("P1") : "-";
        static string Loss(double? v) => v is double l ? Number(l) : "-";
        var stages = new Table().AddColumns("stage", "steps", "resumed at", "first loss", "final loss", "eval before", "eval after", "held-out loss", "seconds");
        foreach (var s in report.Stages)
            stages.AddRow(s.Stage.ToString().ToLowerInvariant(), s.Steps.ToString(), s.ResumedFromStep.ToString(), Number(s.FirstLoss), Number(s.FinalLoss),
                Percent(s.InitialEvaluationAccuracy), Percent(s.EvaluationAccuracy),
                s.InitialEvaluationLoss is null && s.EvaluationLoss is null ? "-" : $"{Loss(s.InitialEvaluationLoss)} → {Loss(s.EvaluationLoss)}", s.Seconds.ToString("F1"));
        console.Write(stages);
        // A skipped step made no update (as released): said here, or a run whose every step was skipped read as a success.
        foreach (string warning in report.Warnings)
            console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");

        var gradients = report.Stages.SelectMany(s => s.RoundGradients).ToList();
        if (gradients.Count > 0)
        {
            var table = new Table().AddColumns("link", "round", "mean grad norm", "min", "max", "last");
            foreach (var g in gradients)
                table.AddRow(Markup.Escape(g.Link), g.Round.ToString(), g.Mean.ToString("E2"), g.Min.ToString("E2"), g.Max.ToString("E2"), g.Last.ToString("E2"));
            console.MarkupLine("[bold]gradient reaching each outer link from each round[/] (before clipping)");
            console.Write(table);
        }
        if (report.LinksDirectory is not null)
            console.MarkupLine($"links: {Markup.Escape(report.LinksDirectory)}");
        if (report.LogPath is not null)
            console.MarkupLine($"step log: {Markup.Escape(report.LogPath)}");
    }
}
