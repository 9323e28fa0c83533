using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using RecursiveMas.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli;

/// <summary>
/// The <c>rmas</c> command line: command registration and the one place where exceptions become
/// exit codes and readable messages (stack traces only with <c>--verbose</c>).
/// </summary>
public static class RmasApp
{
    /// <summary>Runs the tool; <paramref name="console"/> replaces the terminal in tests.</summary>
    public static int Run(string[] args, IAnsiConsole? console = null)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("rmas");
            if (console is not null)
                config.ConfigureConsole(console);
            config.PropagateExceptions();
            // An option a command does not know is an error, not a setting silently dropped (`eval --limt 5`
            // would otherwise run the whole data set).
            config.UseStrictParsing();
            config.ValidateExamples();

            config.AddCommand<ForwardCommand>("forward")
                .WithDescription("Run one forward pass of a Hugging Face model and write final-norm hidden states and logits to a safetensors file.")
                .WithExample("forward", "--model", "models/qwen3-tiny", "--ids", "1,2,3", "--out", "forward.safetensors");
            config.AddCommand<RunCommand>("run")
                .WithDescription("Answer questions with a recursive multi-agent system (SYSTEM.json), by RecursiveMAS or a baseline.")
                .WithExample("run", "--system", "SYSTEM.json", "--question", "What is 12 plus 30?")
                .WithExample("run", "--system", "SYSTEM.json", "--question", "What is 12 plus 30?", "--method", "text", "--rounds", "2", "--json");
            config.AddCommand<BenchCommand>("bench")
                .WithDescription("Measure RecursiveMas's speedups side by side: the KV-cached latent rollout (rollout) or RecursiveMAS vs Recursive-TextMAS (system), outer-loop training step vs frozen forward+backward (training), throughput and latency of rmas serve under 1-32 concurrent clients (serving), thousands of good and bad requests against it (soak), a latent message's hop between silo processes vs an agent turn and eval throughput on 1-3 silos (cluster).")
                .WithExample("bench", "--suite", "rollout", "--json")
                .WithExample("bench", "--suite", "system", "--out", "bench-system.json")
                .WithExample("bench", "--suite", "training", "--json")
                .WithExample("bench", "--suite", "serving", "--json", "--out", "bench-serving.json")
                .WithExample("bench", "--suite", "soak", "--requests", "2000", "--concurrency", "16", "--out", "bench-soak.json")
                .WithExample("bench", "--suite", "cluster", "--json", "--out", "bench-cluster.json");
            config.AddCommand<TasksCommand>("tasks")
                .WithDescription("Write train/val/test JSONL splits of a synthetic reasoning task (arithmetic or reachability) from a seed.")
                .WithExample("tasks", "--task", "arithmetic", "--seed", "7", "--train", "2000", "--val", "100", "--test", "200", "--out", "data/arithmetic");
            config.AddCommand<PretrainCommand>("pretrain")
                .WithDescription("Pre-train a tiny decoder from scratch for one agent on a task's role texts, or fine-tune one on the single-agent prompt (--from, the SFT baseline; with --lora-rank, LoRA adapters: the LoRA baseline).")
                .WithExample("pretrain", "--system", "examples/zoo/sequential.SYSTEM.json", "--agent", "solver", "--data", "examples/zoo/data/arithmetic/train.jsonl", "--family", "llama", "--hidden", "128", "--out", "solver")
                .WithExample("pretrain", "--system", "examples/zoo/sequential.SYSTEM.json", "--from", "examples/zoo/models/solver-llama-96", "--data", "examples/zoo/data/arithmetic/train.jsonl", "--steps", "200", "--out", "sft-solver")
                .WithExample("pretrain", "--system", "examples/zoo/sequential.SYSTEM.json", "--from", "examples/zoo/models/solver-llama-96", "--data", "examples/zoo/data/arithmetic/train.jsonl", "--steps", "200", "--lora-rank", "8", "--out", "lora-solver");
            config.AddCommand<ZooCommand>("zoo")
                .WithDescription("Regenerate the embedded agent zoo (task data, SYSTEM.json files, three pre-trained agents) bit for bit from a seed.")
                .WithExample("zoo", "--seed", "7", "--out", "examples/zoo");
            config.AddCommand<EvalCommand>("eval")
                .WithDescription("Compare methods (single, sft, lora, text, recursive) over round counts and seeds on a test set: accuracy, generated tokens and wall time, with 95% intervals; JSON and a chart (PNG) with --out.")
                .WithExample("eval", "--system", "examples/zoo/sequential.SYSTEM.json", "--data", "examples/zoo/data/arithmetic/test.jsonl", "--methods", "single,text,recursive", "--rounds", "1,2,3", "--seeds", "3", "--out", "results")
                .WithExample("eval", "--system", "SYSTEM.json", "--data", "test.jsonl", "--cluster", "localhost:30000,30001,30002", "--rounds", "2", "--out", "results");
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train a system's links by the inner-outer loop from JSONL data (checkpoints, --resume, held-out evaluation).")
                .WithExample("train", "--system", "SYSTEM.json", "--data", "train.jsonl", "--eval", "eval.jsonl", "--stage", "both", "--out", "runs/first")
                .WithExample("train", "--system", "SYSTEM.json", "--data", "train.jsonl", "--stage", "outer", "--message-source", "rollout", "--rounds", "3", "--steps", "200", "--out", "runs/first", "--resume");
            config.AddCommand<PlotCommand>("plot")
                .WithDescription("Draw the chart of rmas eval's comparison.json, a training run's train-log.jsonl or the serving benchmark's JSON again, as a PNG.")
                .WithExample("plot", "results/comparison.json")
                .WithExample("plot", "runs/first/train-log.jsonl", "--out", "runs/first/curves.png");
            config.AddCommand<SiloCommand>("silo")
                .WithDescription("Start an Orleans silo serving some agents of a system (their models and links) to rmas eval --cluster; several silos make a cluster (pipeline: agents on different silos; replicas: whole systems on several).")
                .WithExample("silo", "--system", "SYSTEM.json", "--agents", "planner,critic", "--name", "a")
                .WithExample("silo", "--system", "SYSTEM.json", "--agents", "solver", "--name", "b", "--cluster", "localhost:11111", "--silo-port", "11112", "--gateway-port", "30001")
                .WithExample("silo", "--system", "SYSTEM.json", "--name", "replica-1", "--cluster", "redis://10.0.0.5:6379", "--advertise", "10.0.0.7");
            config.AddCommand<ServeCommand>("serve")
                .WithDescription("Serve a system over HTTP: OpenAI-compatible /v1/chat/completions (plain and SSE) and /v1/models, and a live page at /.")
                .WithExample("serve", "--system", "SYSTEM.json")
                .WithExample("serve", "--system", "SYSTEM.json", "--urls", "http://127.0.0.1:5005", "--max-tokens", "512");
            config.AddCommand<InspectCommand>("inspect")
                .WithDescription("Show a system's agents, families, hidden sizes, links with parameter counts, rounds and pattern; write its graph as Graphviz DOT and PNG.")
                .WithExample("inspect", "--system", "SYSTEM.json")
                .WithExample("inspect", "--system", "SYSTEM.json", "--dot", "system.dot", "--png", "system.png")
                .WithExample("inspect", "--system", "SYSTEM.json", "--json");
            config.AddCommand<PullCommand>("pull")
                .WithDescription("Download a Hugging Face Hub repository, or every repository of a released system (preset), into the Hub's cache shared with Python (resumable, hash-checked); --to also copies it to a plain folder.")
                .WithExample("pull", "Qwen/Qwen3-0.6B")
                .WithExample("pull", "sequential-light", "--to", "models/sequential-light")
                .WithExample("pull", "RecursiveMAS/Sequential-Light-Outerlinks", "--revision", "main", "--json");
            config.AddCommand<SystemsCommand>("systems")
                .WithDescription("List the five systems the RecursiveMAS authors released (agents, models, hidden sizes, rounds, link keys, Hub repositories).")
                .WithExample("systems")
                .WithExample("systems", "--json");
            config.AddCommand<InitCommand>("init")
                .WithDescription("Write the SYSTEM.json of a released system (rmas systems) into a folder; its models and links go in models/<repository name> beside it.")
                .WithExample("init", "Sequential-Light", "--out", "sequential-light")
                .WithExample("init", "Deliberation", "--out", "deliberation", "--force");
            config.AddCommand<GenerateCommand>("generate")
                .WithDescription("Generate text with a Hugging Face model (chat template applied unless --raw).")
                .WithExample("generate", "--model", "models/qwen3-tiny", "--prompt", "What is 2+3?")
                .WithExample("generate", "--model", "models/qwen3-tiny", "--prompt", "Once upon", "--raw", "--temperature", "0.7", "--seed", "1")
                .WithExample("generate", "--model", "models/qwen3-tiny", "--prompt", "What is 2+3?", "--system-prompt", "Answer with a number only.");
        });

        var output = console ?? AnsiConsole.Console;
        bool verbose = args.Contains("--verbose");
        if (BadOptionValue(args) is { } bad)
            return Fail(output, ExitCodes.Usage, bad, new ArgumentException(bad), verbose: false, hint: "run 'rmas --help' for usage");
        // Ctrl+C and SIGTERM cancel the command (it stops at its next check and exits 130, leaving no temporary
        // files behind); a second signal ends the process at once.
        using var cancel = new CancellationTokenSource();
        void Stop(PosixSignalContext signal)
        {
            if (cancel.IsCancellationRequested)
                return;
            signal.Cancel = true;
            cancel.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            return app.Run(args, cancel.Token);
        }
        catch (CommandParseException e)
        {
            return Fail(output, ExitCodes.Usage, e.Message, e, verbose, hint: args is ["generate", ..] && args.Contains("--system")
                ? "the system message is --system-prompt TEXT (--system names a SYSTEM.json in other commands)"
                : "run 'rmas --help' for usage");
        }
        catch (CommandRuntimeException e)
        {
            return Fail(output, ExitCodes.Usage, e.Message, e, verbose, hint: "run 'rmas --help' for usage");
        }
        catch (OperationCanceledException e)
        {
            return Fail(output, ExitCodes.Cancelled, "cancelled", e, verbose);
        }
        catch (RecursiveMas.Cluster.ClusterException e)
        {
            return Fail(output, ExitCodes.ClusterFailure, e.Message, e, verbose);
        }
        catch (RecursiveMas.Systems.PromptTooLongException e)
        {
            // Reason: the message without ArgumentException's "(Parameter 'question')".
            return Fail(output, ExitCodes.InvalidInput, e.Reason, e, verbose);
        }
        catch (Exception e) when (IsInputError(e))
        {
            return Fail(output, ExitCodes.InvalidInput, ErrorText.Reason(e), e, verbose);
        }
        catch (Exception e)
        {
            return Fail(output, ExitCodes.InternalError, $"internal error: {e.GetType().Name}: {e.Message}", e, verbose,
                hint: verbose ? null : "run again with --verbose for the stack trace");
        }
    }

    /// <summary>
    /// What is wrong with the first option given a bad value, checked before Spectre.Console.Cli parses: an option
    /// that takes a value given none (last on the line, or followed by another option), which Spectre would bind to
    /// its internal "__default_command" (`--out` alone wrote into a folder of that name), and a number option given
    /// text or a number its type cannot hold, which Spectre reports as "Failed to convert 'abc' to Nullable`1"
    /// without naming the option. Options are read from every command's settings; a name that is a flag somewhere,
    /// or a number in one command and text in another, is left to the parser. Null when nothing is wrong.
    /// </summary>
    internal static string? BadOptionValue(IReadOnlyList<string> args)
    {
        var options = args.Count > 0 && OptionsOf(args[0]) is { } own ? own : ValueOptions.Value;
        for (int i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Contains('=') || !options.TryGetValue(args[i], out var type))
                continue;
            bool valueFollows = i + 1 < args.Count && !(args[i + 1].StartsWith('-') && !IsNumber(args[i + 1]));
            if (!valueFollows)
                return $"option {args[i]} needs a value";
            string value = args[i + 1];
            if (type is { } number && !Fits(value, number))
            {
                bool whole = number == typeof(int) || number == typeof(long);
                string kind = whole ? "an integer" : "a finite number";
                return whole && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) || !whole && IsNumber(value)
                    ? $"option {args[i]} takes {kind} its type can hold, not {value}"
                    : $"option {args[i]} takes {kind}, not \"{value}\"";
            }
        }
        return null;
    }

    static bool IsNumber(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    static bool Fits(string text, Type number) =>
        number == typeof(int) ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        : number == typeof(long) ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        : number == typeof(double) ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
        : number == typeof(float) ? float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float f) && float.IsFinite(f)
        : true;

    static Type? NumberType(Type type) => type == typeof(int) || type == typeof(long) || type == typeof(float) || type == typeof(double) ? type : null;

    /// <summary>Every option that requires a value, with its number type (int, long, float, double) or null for any other.</summary>
    static readonly Lazy<Dictionary<string, Type?>> ValueOptions = new(() => RequiredValues(typeof(RmasApp).Assembly.GetTypes()
        .Where(t => typeof(CommandSettings).IsAssignableFrom(t))));

    /// <summary>
    /// The options of the command named <paramref name="name"/> (<c>run</c> → <c>RunCommand</c>'s settings, inherited
    /// ones included); null when no command has that name.
    /// </summary>
    static Dictionary<string, Type?>? OptionsOf(string name)
    {
        if (name.Length == 0 || !name.All(char.IsAsciiLetterLower))
            return null;
        var command = typeof(RmasApp).Assembly.GetType($"{typeof(RunCommand).Namespace}.{char.ToUpperInvariant(name[0])}{name[1..]}Command");
        for (var type = command; type is not null; type = type.BaseType)
            if (type.IsGenericType && type.GetGenericArguments() is [var settings] && typeof(CommandSettings).IsAssignableFrom(settings))
                return RequiredValues([settings]);
        return null;
    }

    static Dictionary<string, Type?> RequiredValues(IEnumerable<Type> settingsTypes)
    {
        var options = settingsTypes
            .SelectMany(t => t.GetProperties())
            .SelectMany(p => p.GetCustomAttributes(typeof(CommandOptionAttribute), inherit: true).Cast<CommandOptionAttribute>()
                .SelectMany(o => o.LongNames.Select(name => (Name: "--" + name, Required: o.ValueName is not null && !o.ValueIsOptional,
                    Number: NumberType(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType)))))
            .DistinctBy(o => (o.Name, o.Required, o.Number))
            .ToList();
        // A name with more than one meaning (across commands) is left to the parser.
        return options.GroupBy(o => o.Name).Where(g => g.Count() == 1 && g.Single().Required)
            .ToDictionary(g => g.Key, g => (Type?)g.Single().Number, StringComparer.Ordinal);
    }

    /// <summary>Errors that mean "the input is wrong", not "rmas is broken".</summary>
    static bool IsInputError(Exception e) => e is ModelFileException or ArgumentException or FileNotFoundException
        or DirectoryNotFoundException or InvalidDataException or JsonException or FormatException or UnauthorizedAccessException
        or IOException;

    static int Fail(IAnsiConsole console, int code, string message, Exception e, bool verbose, string? hint = null)
    {
        // The message as plain text: escaped markup would still turn ":ghost:" in a name into an emoji.
        console.Markup("[red]error:[/] ");
        console.Write(new Text(message));
        console.WriteLine();
        if (hint is not null)
            console.MarkupLine($"[grey]{Markup.Escape(hint)}[/]");
        if (verbose)
            console.WriteLine(e.ToString());
        return code;
    }
}
