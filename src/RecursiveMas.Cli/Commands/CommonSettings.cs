using System.ComponentModel;
using RecursiveMas.Models;
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

    /// <summary>More threads than any machine here has cores, by far: past it a typo would start a thread per unit of work.</summary>
    public const int MaxThreads = 1024;

    public override ValidationResult Validate() =>
        Threads is < 1 or > MaxThreads ? ValidationResult.Error($"--threads must be between 1 and {MaxThreads}") : ValidationResult.Success();

    /// <summary>
    /// A dtype option's value checked in the settings (exit 2, naming the option) rather than when the model loads.
    /// </summary>
    protected static ValidationResult? CheckDType(string option, string value)
    {
        try
        {
            ModelLoadOptions.ParseDType(value);
            return null;
        }
        catch (ArgumentException e)
        {
            return ValidationResult.Error($"{option}: {e.Message}");
        }
    }
}
