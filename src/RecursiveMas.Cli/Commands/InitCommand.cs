using System.ComponentModel;
using System.Text.Json.Nodes;
using RecursiveMas.Presets;
using RecursiveMas.Systems;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas init PRESET --out DIR</c>: writes <c>DIR/SYSTEM.json</c> for one of the paper's released systems
/// (<see cref="PaperPreset.ToDescription"/>), checked by the DSL's rules first, written atomically, never
/// over an existing file unless <c>--force</c>. Models are expected in <c>DIR/models/&lt;repository name&gt;</c>.
/// </summary>
public sealed class InitCommand(IAnsiConsole console) : Command<InitCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandArgument(0, "<PRESET>")]
        [Description("The released system: Sequential-Light, Sequential-Scaled, Mixture, Distillation or Deliberation (any case; the release's style names work too).")]
        public string Preset { get; init; } = "";

        [CommandOption("--out <DIR>")]
        [Description("The folder to write SYSTEM.json into (created if missing).")]
        public string Out { get; init; } = "";

        [CommandOption("--force")]
        [Description("Overwrite an existing SYSTEM.json.")]
        public bool Force { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out is required") : base.Validate();
    }

    /// <summary>The file name <c>rmas init</c> writes.</summary>
    public const string FileName = "SYSTEM.json";

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var preset = PaperPresets.Find(settings.Preset);
        string path = Path.GetFullPath(Path.Combine(settings.Out, FileName));
        if (File.Exists(path) && !settings.Force)
            throw new IOException($"{path} already exists; pass --force to overwrite it");

        var description = preset.ToDescription();
        SystemPlan.Build(description); // the DSL's rules, before anything is written
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        description.Save(path);

        var repos = preset.RepoIds.Select(r => (Repo: r, Folder: PaperPresets.ModelFolder(r))).ToList();
        if (settings.Json)
        {
            ConsoleJson.Write(console, new JsonObject
            {
                ["preset"] = preset.Name,
                ["system"] = path,
                ["download"] = new JsonArray(repos.Select(r => (JsonNode?)new JsonObject { ["repo"] = r.Repo, ["folder"] = r.Folder }).ToArray()),
                ["notes"] = new JsonArray(preset.Notes.Select(n => (JsonNode?)n).ToArray()),
            }.ToJsonString(new() { WriteIndented = true }));
            return ExitCodes.Success;
        }

        console.MarkupLine($"wrote {Markup.Escape(path)} ({Markup.Escape(preset.Name)}: {preset.Agents.Count} agents, {preset.Rounds} rounds, decoder {Markup.Escape(preset.Decoder)})");
        console.MarkupLine("download these Hugging Face repositories into the folders beside it:");
        foreach (var (repo, folder) in repos)
            console.MarkupLine($"  {Markup.Escape(repo)} → {Markup.Escape(folder)}");
        foreach (var note in preset.Notes)
            console.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
        return ExitCodes.Success;
    }
}
