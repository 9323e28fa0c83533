using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>Options every command has.</summary>
public class CommonSettings : CommandSettings
{
    [CommandOption("--threads <N>")]
    [Description("CPU threads for TorchSharp (default: all cores).")]
    public int? Threads { get; init; }

    [CommandOption("--json")]
    [Description("Print the result as JSON.")]
    public bool Json { get; init; }

    [CommandOption("--verbose")]
    [Description("Print stack traces on errors.")]
    public bool Verbose { get; init; }

    public override ValidationResult Validate() =>
        Threads is < 1 ? ValidationResult.Error("--threads must be at least 1") : ValidationResult.Success();
}
