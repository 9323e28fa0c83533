using System.Text.Json.Nodes;
using RecursiveMas.Presets;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas systems</c>: the five systems the RecursiveMAS authors released (<see cref="PaperPresets"/>) —
/// agents, base models, hidden sizes (or unknown), latent steps, rounds, decoder, link keys and the Hub
/// repositories to download — as a table or JSON.
/// </summary>
public sealed class SystemsCommand(IAnsiConsole console) : Command<CommonSettings>
{
    public override int Execute(CommandContext context, CommonSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Json)
        {
            ConsoleJson.Write(console, new JsonArray(PaperPresets.All.Select(p => (JsonNode?)ToJson(p)).ToArray()).ToJsonString(new() { WriteIndented = true }));
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("preset", "pattern", "agents (base model, hidden size, m)", "rounds", "decoder", "outer links", "inner links");
        foreach (var p in PaperPresets.All)
        {
            string agents = string.Join("\n", p.Agents.Select(a => $"{a.Name}: {a.BaseModel}, d={a.HiddenSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}, m={a.LatentSteps}"));
            string outer = string.Join(" ", p.OuterLinks.Select(l => $"{l.Key} ({l.From}→{l.To})"));
            table.AddRow(Markup.Escape(p.Name), p.Pattern.ToString().ToLowerInvariant(), Markup.Escape(agents), p.Rounds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(p.Decoder), Markup.Escape(outer), Markup.Escape(p.InnerLinkFile));
        }
        console.Write(table);
        console.MarkupLine(Markup.Escape($"rmas init PRESET --out DIR writes DIR/SYSTEM.json; the models and links go in DIR/{PaperPresets.ModelsFolder}/<repository name> (rmas systems --json lists the repositories)."));
        return ExitCodes.Success;
    }

    /// <summary>A preset as JSON: everything the table shows plus repositories, model folders and notes.</summary>
    internal static JsonObject ToJson(PaperPreset p) => new()
    {
        ["name"] = p.Name,
        ["style"] = p.Style,
        ["pattern"] = p.Pattern.ToString().ToLowerInvariant(),
        ["rounds"] = p.Rounds,
        ["decoder"] = p.Decoder,
        ["agents"] = new JsonArray(p.Agents.Select(a => (JsonNode?)new JsonObject
        {
            ["name"] = a.Name,
            ["role"] = a.Role,
            ["base_model"] = a.BaseModel,
            ["family"] = a.Family,
            ["repo"] = a.RepoId,
            ["model_folder"] = a.ModelFolder,
            ["hidden_size"] = a.HiddenSize,
            ["hidden_size_note"] = a.HiddenSizeNote,
            ["latent_steps"] = a.LatentSteps,
        }).ToArray()),
        ["outer_repo"] = p.OuterRepoId,
        ["outer_folder"] = PaperPresets.ModelFolder(p.OuterRepoId),
        ["outer_links"] = new JsonArray(p.OuterLinks.Select(l => (JsonNode?)new JsonObject { ["key"] = l.Key, ["from"] = l.From, ["to"] = l.To }).ToArray()),
        ["inner_link_file"] = p.InnerLinkFile,
        ["link_task"] = p.TaskScopedLinks ? PaperPreset.LinkTask : null,
        ["notes"] = new JsonArray(p.Notes.Select(n => (JsonNode?)n).ToArray()),
    };
}
