using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RecursiveMas.Cli.Inspection;
using RecursiveMas.IO;
using RecursiveMas.Systems;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas inspect</c>: what a SYSTEM.json loads into — agents, families, hidden sizes, links with
/// parameter counts, rounds and pattern — as tables or JSON, and the graph as Graphviz DOT and PNG.
/// Links without a file count as untrained (their parameters are those training would start from).
/// </summary>
public sealed class InspectCommand(IAnsiConsole console) : Command<InspectCommand.Settings>
{
    public sealed class Settings : SystemSettings
    {
        [CommandOption("--dot <FILE>")]
        [Description("Write the graph as Graphviz DOT.")]
        public string? Dot { get; init; }

        [CommandOption("--png <FILE>")]
        [Description("Render the graph to PNG with Graphviz's dot (said so, and skipped, when dot is not installed).")]
        public string? Png { get; init; }
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Runtime.Configure(settings.Threads);
        SystemOverview overview;
        using (var system = settings.Load(console, settings.Json, allowUntrained: true))
            overview = SystemOverview.Of(system);

        string dot = SystemGraphDot.Write(overview);
        if (settings.Dot is not null)
            AtomicFile.WriteAllText(settings.Dot, dot);
        string? pngSkipped = null;
        if (settings.Png is not null)
        {
            if (Graphviz.Locate() is { } executable)
                Graphviz.RenderPng(executable, dot, settings.Png);
            else
                pngSkipped = "Graphviz's dot is not installed (apt-get install graphviz): no PNG written" + (settings.Dot is null ? "; --dot writes the DOT file" : "");
        }

        if (settings.Json)
        {
            var json = JsonSerializer.SerializeToNode(overview, Json)!.AsObject();
            json["link_parameters"] = overview.LinkParameters;
            json["dot"] = settings.Dot is null ? null : Path.GetFullPath(settings.Dot);
            json["png"] = settings.Png is null || pngSkipped is not null ? null : Path.GetFullPath(settings.Png);
            json["png_skipped"] = pngSkipped;
            ConsoleJson.Write(console, json.ToJsonString(Json));
            return ExitCodes.Success;
        }

        console.MarkupLine($"[bold]{Markup.Escape(overview.Name)}[/] · {overview.Pattern} · {overview.Rounds} rounds · decoder {Markup.Escape(overview.Decoder)}");
        var agents = new Table().AddColumns("agent", "model", "family", "hidden size", "layers", "latent steps", "model parameters", "inner link parameters", "inner link");
        foreach (var a in overview.Agents)
            agents.AddRow(Markup.Escape(a.Name + (a.IsDecoder ? " (decoder)" : "")), Markup.Escape(a.Model), a.Family, I(a.HiddenSize), I(a.Layers), I(a.LatentSteps),
                N(a.ModelParameters), N(a.InnerLinkParameters), a.InnerLinkTrained ? "trained" : "untrained");
        console.Write(agents);
        var links = new Table().AddColumns("link", "dimensions", "parameters", "kind", "state");
        foreach (var l in overview.Links)
            links.AddRow(Markup.Escape($"{l.From} → {l.To}"), $"{l.FromHiddenSize} → {l.ToHiddenSize}", N(l.Parameters), l.IsFeedback ? "feedback" : "forward",
                l.Trained ? "trained" : "untrained");
        console.Write(links);
        console.MarkupLine($"link parameters in total: {N(overview.LinkParameters)}");
        if (settings.Dot is not null)
            console.MarkupLine($"wrote {Markup.Escape(settings.Dot)}");
        if (settings.Png is not null)
            console.MarkupLine(pngSkipped is null ? $"wrote {Markup.Escape(settings.Png)}" : $"[yellow]{Markup.Escape(pngSkipped)}[/]");
        return ExitCodes.Success;
    }

    static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
