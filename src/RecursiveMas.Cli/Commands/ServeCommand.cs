using System.ComponentModel;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Server;
using RecursiveMas.Systems;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas serve</c>: an OpenAI-compatible server (chat completions, models) and a live page for one
/// system, on loopback unless <c>--urls</c> names other addresses. Runs until Ctrl+C.
/// </summary>
public sealed class ServeCommand(IAnsiConsole console) : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : SystemSettings
    {
        [CommandOption("--urls <URLS>")]
        [Description("Addresses to listen on, separated by ';' (default http://127.0.0.1:8080; port 0 picks a free one).")]
        public string Urls { get; init; } = RmasServerOptions.DefaultUrl;

        [CommandOption("--max-body-bytes <N>")]
        [Description("Largest request body accepted (default 1048576); larger ones get 413.")]
        public long MaxBodyBytes { get; init; } = 1 << 20;

        [CommandOption("--max-tokens <N>")]
        [Description("Largest max_tokens a request may ask for (default 4096).")]
        public int MaxTokens { get; init; } = 4096;

        [CommandOption("--max-rounds <N>")]
        [Description("Largest rounds a request may ask for (default 64).")]
        public int MaxRounds { get; init; } = 64;

        [CommandOption("--max-latent-steps <M>")]
        [Description("Largest latent_steps a request may ask for (default 4096).")]
        public int MaxLatentSteps { get; init; } = 4096;

        [CommandOption("--max-queue <N>")]
        [Description("Requests that may wait for the worker (default 64); more get 503.")]
        public int MaxQueue { get; init; } = 64;

        public override ValidationResult Validate()
        {
            if (Urls.Split(';', StringSplitOptions.RemoveEmptyEntries).Any(u => !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
                return ValidationResult.Error($"--urls must be http:// or https:// addresses separated by ';', not \"{Urls}\"");
            if (MaxBodyBytes < 1 || MaxTokens < 1 || MaxRounds < 1 || MaxLatentSteps < 1 || MaxQueue < 1)
                return ValidationResult.Error("--max-body-bytes, --max-tokens, --max-rounds, --max-latent-steps and --max-queue must be at least 1");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Runtime.ConfigureThreads(settings.Threads);
        using var system = settings.Load(console, settings.Json);
        using var client = new RecursiveMasChatClient(system, new RecursiveMasChatClientOptions
        {
            MaxOutputTokens = settings.MaxTokens,
            MaxRounds = settings.MaxRounds,
            MaxLatentSteps = settings.MaxLatentSteps,
        });
        await using var app = RmasServer.Create(client, SystemOverview.Of(system), new RmasServerOptions
        {
            Urls = settings.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            MaxRequestBodyBytes = settings.MaxBodyBytes,
            MaxQueuedRequests = settings.MaxQueue,
        });
        await app.StartAsync(cancellationToken);
        if (settings.Json)
        {
            // One line a script can read to find the server (the bound port when --urls asked for port 0).
            console.Profile.Width = Math.Max(console.Profile.Width, 240);
            console.WriteLine(new JsonObject { ["model"] = client.ModelId, ["urls"] = new JsonArray([.. app.Urls.Select(u => (JsonNode)u)]) }.ToJsonString());
        }
        else
        {
            foreach (var url in app.Urls)
                console.MarkupLine($"serving [bold]{Markup.Escape(client.ModelId)}[/] at [link]{Markup.Escape(url)}[/]  (page: {Markup.Escape(url)}/, API: {Markup.Escape(url)}/v1/chat/completions)");
            console.MarkupLine("[grey]press Ctrl+C to stop[/]");
        }
        await app.WaitForShutdownAsync(cancellationToken);
        // Bounded: connections still open after 30 s are cut rather than keeping the process alive.
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StopAsync(grace.Token);
        return ExitCodes.Success;
    }
}
