using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>Options every model command shares.</summary>
public class ModelSettings : CommandSettings
{
    [CommandOption("--model <DIR>")]
    [Description("Hugging Face model directory (config.json, model.safetensors or sharded index, tokenizer files).")]
    public string Model { get; init; } = "";

    [CommandOption("--dtype <DTYPE>")]
    [Description("Weight and compute dtype: f32 (default), bf16 or f16.")]
    [DefaultValue("f32")]
    public string DType { get; init; } = "f32";

    [CommandOption("--threads <N>")]
    [Description("CPU threads for TorchSharp (default: all cores).")]
    public int? Threads { get; init; }

    [CommandOption("--verbose")]
    [Description("Print stack traces on errors.")]
    public bool Verbose { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model))
            return ValidationResult.Error("--model is required");
        if (Threads is < 1)
            return ValidationResult.Error("--threads must be at least 1");
        return ValidationResult.Success();
    }
}
