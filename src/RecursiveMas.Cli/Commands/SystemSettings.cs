using System.ComponentModel;
using RecursiveMas.Models;
using RecursiveMas.Systems;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>Options of the commands that load a whole system from SYSTEM.json (run, serve, inspect, train): one meaning of --system, --models, --links, --untrained, --dtype and --adapter.</summary>
public class SystemSettings : CommonSettings
{
    [CommandOption("--system <FILE>")]
    [Description("The system description (SYSTEM.json).")]
    public string System { get; init; } = "";

    [CommandOption("--models <DIR>")]
    [Description("Model root overriding the description's.")]
    public string? Models { get; init; }

    [CommandOption("--links <DIR>")]
    [Description("Links folder overriding the description's.")]
    public string? Links { get; init; }

    [CommandOption("--untrained")]
    [Description("Start links that have no file from their default initialization instead of failing.")]
    public bool Untrained { get; init; }

    [CommandOption("--dtype <DTYPE>")]
    [Description("Model dtype: f32 (default), bf16 or f16.")]
    [DefaultValue("f32")]
    public string DType { get; init; } = "f32";

    [CommandOption("--adapter <AGENT=DIR>")]
    [Description("A LoRA adapter (PEFT layout, e.g. from rmas pretrain --lora-rank) merged into that agent's model at load; repeat for several agents.")]
    public string[] Adapter { get; init; } = [];

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(System))
            return ValidationResult.Error("--system is required");
        if (AdapterMap is null)
            return ValidationResult.Error("--adapter takes AGENT=DIR, once per agent");
        if (CheckDType("--dtype", DType) is { } badDType)
            return badDType;
        return base.Validate();
    }

    /// <summary>--adapter as agent → directory; null when one is malformed or an agent is named twice.</summary>
    public IReadOnlyDictionary<string, string>? AdapterMap
    {
        get
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in Adapter)
            {
                int eq = entry.IndexOf('=');
                if (eq <= 0 || eq == entry.Length - 1 || !map.TryAdd(entry[..eq].Trim(), entry[(eq + 1)..].Trim()))
                    return null;
            }
            return map;
        }
    }

    /// <summary>How --models, --links, --untrained and --dtype load the system.</summary>
    public SystemLoadOptions LoadOptions(bool allowUntrained = false) => new()
    {
        Model = new ModelLoadOptions { DType = ModelLoadOptions.ParseDType(DType) },
        ModelRoot = Models,
        LinksDirectory = Links,
        AllowUntrainedLinks = Untrained || allowUntrained,
        Adapters = AdapterMap is { Count: > 0 } adapters ? adapters : null,
    };

    /// <summary>
    /// Loads the system, with a progress display on an interactive terminal (loading models is the long
    /// step); <paramref name="quiet"/> (JSON output) shows nothing.
    /// </summary>
    public RecursiveSystem Load(IAnsiConsole console, bool quiet, bool allowUntrained = false)
    {
        var description = SystemDescription.Load(System);
        var options = LoadOptions(allowUntrained);
        var system = quiet || !console.Profile.Capabilities.Interactive
            ? RecursiveSystem.Load(description, options)
            : console.Progress()
                .Columns(new TaskDescriptionColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask($"loading {description.Name}: {description.Agents.Count} agents, their models, tokenizers and links").IsIndeterminate();
                    var loaded = RecursiveSystem.Load(description, options);
                    task.Value = task.MaxValue;
                    task.StopTask();
                    return loaded;
                });
        PrintWarnings(system.Plan);
        PrintNotes(system.ModelRecoveries.Append(system.LinksRecovery));
        return system;
    }

    /// <summary>
    /// What a load did to the files it read (a folder replacement a killed process left half done, finished: <see
    /// cref="RecursiveSystem.LinksRecovery"/>, <see cref="ModelConfig.FolderRecovery"/>), as notes on standard error: the
    /// user should know folders were moved, and standard output (JSON included) stays as it is. Nulls are skipped.
    /// </summary>
    public static void PrintNotes(IEnumerable<string?> notes)
    {
        foreach (string note in notes.OfType<string>())
            Console.Error.WriteLine($"note: {note}");
    }

    /// <summary>
    /// The DSL's warnings about a system (<see cref="SystemPlan.Warnings"/>), on standard error: a hand-written
    /// SYSTEM.json has no compiler to show them, and they leave standard output (JSON included) as it is.
    /// </summary>
    public static void PrintWarnings(SystemPlan plan)
    {
        string file = plan.Description.SourcePath ?? $"system {plan.Description.Name}";
        foreach (string warning in plan.Warnings)
            Console.Error.WriteLine($"warning: {file}: {warning}");
    }
}
