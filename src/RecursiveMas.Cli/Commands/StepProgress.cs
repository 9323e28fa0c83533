using Spectre.Console;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// The progress display every long counted step uses (training, pre-training, the zoo, evaluation):
/// description, bar, percentage, time remaining, spinner; kept on screen when done so the final
/// losses stay readable above the summary.
/// </summary>
internal static class StepProgress
{
    public static Progress For(IAnsiConsole console) => console.Progress()
        .AutoClear(false)
        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn());
}
