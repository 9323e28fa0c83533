using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>Options of the commands that load one model.</summary>
public class ModelSettings : CommonSettings
{
    [CommandOption("--model <DIR>")]
    [Description("Hugging Face model directory (config.json, model.safetensors or sharded index, tokenizer files).")]
    public string Model { get; init; } = "";

    [CommandOption("--dtype <DTYPE>")]
    [Description("Weight and compute dtype: f32 (default), bf16 or f16.")]
    [DefaultValue("f32")]
    public string DType { get; init; } = "f32";

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model))
            return ValidationResult.Error("--model is required");
        if (CheckDType("--dtype", DType) is { } badDType)
            return badDType;
        return base.Validate();
    }
}
