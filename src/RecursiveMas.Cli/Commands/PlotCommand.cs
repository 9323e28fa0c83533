using System.ComponentModel;
using System.Text.Json;
using RecursiveMas.Charts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas plot FILE</c>: draws the chart of a file RecursiveMas wrote again — <c>rmas eval</c>'s
/// comparison.json or a training run's train-log.jsonl — as a PNG (default: FILE with the extension .png).
/// </summary>
public sealed class PlotCommand(IAnsiConsole console) : Command<PlotCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("comparison.json (rmas eval --out), train-log.jsonl (rmas train --out) or the JSON of rmas bench --suite serving --out.")]
        public string File { get; init; } = "";

        [CommandOption("--out <PNG>")]
        [Description("Where to write the chart (default: FILE with the extension .png).")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var kind = ChartFile.Detect(settings.File);
        string written = ChartFile.Plot(settings.File, settings.Out);
        if (settings.Json)
            ConsoleJson.Write(console, JsonSerializer.Serialize(new { input = settings.File, kind = kind.ToString(), output = written }));
        else
            console.MarkupLine($"{(kind switch { ChartFile.Kind.Comparison => "comparison", ChartFile.Kind.Serving => "serving chart", _ => "training curves" })} written to {Markup.Escape(Path.GetFullPath(written))}");
        return ExitCodes.Success;
    }
}
