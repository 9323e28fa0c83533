using System.ComponentModel;
using System.Globalization;
using RecursiveMas.Models;
using RecursiveMas.Models.SafeTensors;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace RecursiveMas.Cli.Commands;

/// <summary><c>rmas forward</c>: hidden states and logits of one sequence, for comparing against other implementations.</summary>
public sealed class ForwardCommand(IAnsiConsole console) : Command<ForwardCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--ids <IDS>")]
        [Description("Comma-separated token ids, e.g. 1,2,3.")]
        public string Ids { get; init; } = "";

        [CommandOption("--out <FILE>")]
        [Description("Output safetensors file: float32 'hidden' [[T, hidden_size]] and 'logits' [[T, vocab_size]].")]
        public string Out { get; init; } = "";

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful)
                return baseResult;
            if (string.IsNullOrWhiteSpace(Ids))
                return ValidationResult.Error("--ids is required");
            if (string.IsNullOrWhiteSpace(Out))
                return ValidationResult.Error("--out is required");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        long[] ids = ParseIds(settings.Ids);
        Runtime.Configure(settings.Threads);
        using var model = CausalLM.FromPretrained(settings.Model, new ModelLoadOptions { DType = ModelLoadOptions.ParseDType(settings.DType) });
        SystemSettings.PrintNotes([model.Config.FolderRecovery]);
        long vocab = model.Config.VocabSize;
        foreach (long id in ids)
            if (id >= vocab)
                throw new ArgumentException($"--ids: token id {id} is outside the model's vocabulary [0, {vocab})");
        if (ids.Length > model.Config.MaxPositionEmbeddings)
            throw new ArgumentException($"--ids: {ids.Length} ids are more positions than the model's max_position_embeddings of {model.Config.MaxPositionEmbeddings}");

        using var scope = NewDisposeScope();
        using var output = model.Forward(new ForwardInput { InputIds = tensor(ids).unsqueeze(0), LogitsToKeep = CausalLM.AllPositions });
        SafeTensorsWriter.Write(settings.Out,
        [
            new("hidden", output.Hidden[0].to(ScalarType.Float32).contiguous()),
            new("logits", output.Logits![0].to(ScalarType.Float32).contiguous()),
        ]);
        if (settings.Json)
            ConsoleJson.Write(console, System.Text.Json.JsonSerializer.Serialize(new
            {
                @out = Path.GetFullPath(settings.Out),
                hidden = new[] { ids.Length, model.HiddenSize },
                logits = new[] { ids.Length, (int)vocab },
            }));
        else
            console.MarkupLine($"wrote [green]{Markup.Escape(settings.Out)}[/]: hidden [[{ids.Length}, {model.HiddenSize}]], logits [[{ids.Length}, {vocab}]]");
        return ExitCodes.Success;
    }

    static long[] ParseIds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var ids = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ids[i]))
                throw new ArgumentException($"--ids: \"{parts[i]}\" (item {i + 1}) is not a non-negative integer token id");
        }
        return ids;
    }
}
