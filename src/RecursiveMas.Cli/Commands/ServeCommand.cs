using System.ComponentModel;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using RecursiveMas.Cluster;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Server;
using RecursiveMas.Server.OpenAi;
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
        [Description("Largest rounds a request may ask for (default 16).")]
        public int MaxRounds { get; init; } = RunOptions.SaneMaxRounds;

        [CommandOption("--max-latent-steps <M>")]
        [Description("Largest latent_steps a request may ask for (default 1024).")]
        public int MaxLatentSteps { get; init; } = RunOptions.SaneMaxLatentSteps;

        [CommandOption("--max-prompt-tokens <N>")]
        [Description("Longest prompt (text tokens plus latent message vectors) any agent may get; longer requests get 400 before any forward (default: each model's max_position_embeddings).")]
        public int? MaxPromptTokens { get; init; }

        [CommandOption("--request-timeout <SECONDS>")]
        [Description("Time one run may hold the worker; then it is cancelled and answered 504 (default 600; 0 = no limit).")]
        public double RequestTimeout { get; init; } = 600;

        [CommandOption("--max-queue <N>")]
        [Description("Requests that may wait for a batch row (default 64); more get 503.")]
        public int MaxQueue { get; init; } = 64;

        [CommandOption("--max-batch <N>")]
        [Description("Requests run at once as one continuous batch (default 8; 1 = one at a time). Answers do not depend on it.")]
        public int MaxBatch { get; init; } = 8;

        [CommandOption("--allowed-hosts <HOSTS>")]
        [Description("Host header values accepted besides loopback names and the hosts in --urls, separated by ';' ('*' = any).")]
        public string? AllowedHosts { get; init; }

        [CommandOption("--allowed-origins <ORIGINS>")]
        [Description("Origins of other sites' pages allowed to call the API (CORS), e.g. https://app.example, separated by ';' ('*' = any).")]
        public string? AllowedOrigins { get; init; }

        [CommandOption("--api-key <KEY>")]
        [Description("Require 'Authorization: Bearer KEY' on /v1 requests (default: the RMAS_API_KEY environment variable, else none).")]
        public string? ApiKey { get; init; }

        [CommandOption("--certificate <FILE>")]
        [Description("Server certificate for https:// addresses: a .pfx/.p12 file, or a PEM certificate with --certificate-key.")]
        public string? Certificate { get; init; }

        [CommandOption("--certificate-key <FILE>")]
        [Description("The PEM private key of --certificate.")]
        public string? CertificateKey { get; init; }

        [CommandOption("--certificate-password <PASSWORD>")]
        [Description("Password of the .pfx file or encrypted PEM key.")]
        public string? CertificatePassword { get; init; }

        [CommandOption("--cluster <ADDRESS>")]
        [Description("Answer on an Orleans cluster of `rmas silo` processes instead of loading the system here: localhost:GATEWAY[[,GATEWAY…]] or redis://HOST:PORT. --max-batch questions at once, spread over the cluster's routes.")]
        public string? Cluster { get; init; }

        [CommandOption("--cluster-id <ID>")]
        [Description("Orleans cluster id of --cluster.")]
        [DefaultValue(ClusterConnection.DefaultClusterId)]
        public string ClusterId { get; init; } = ClusterConnection.DefaultClusterId;

        public IReadOnlyList<string> UrlList => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public override ValidationResult Validate()
        {
            if (UrlList.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
                return ValidationResult.Error($"--urls must be http:// or https:// addresses separated by ';', not \"{Urls}\"");
            if (UrlList.Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) && Certificate is null)
                return ValidationResult.Error("--urls has an https:// address: give its certificate with --certificate (a .pfx, or a PEM file with --certificate-key)");
            if (MaxBodyBytes < 1 || MaxTokens < 1 || MaxRounds < 1 || MaxLatentSteps < 1 || MaxQueue < 1 || MaxPromptTokens < 1 || MaxBatch < 1)
                return ValidationResult.Error("--max-body-bytes, --max-tokens, --max-rounds, --max-latent-steps, --max-prompt-tokens, --max-queue and --max-batch must be at least 1");
            if (!(RequestTimeout >= 0 && double.IsFinite(RequestTimeout)))
                return ValidationResult.Error("--request-timeout must be a number of seconds, 0 for no limit");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Runtime.Configure(settings.Threads);
        if (settings.Cluster is not null)
            return await ServeFromCluster(settings, cancellationToken);
        using var system = settings.Load(console, settings.Json);
        // Disposed before the system: the application, the client, then the batcher's thread (failing what is
        // left), so the batcher's thread has stopped before the models are disposed.
        await using var served = BatchedServer.Create(system, settings.MaxBatch, ChatOptions(settings), ServerOptions(settings));
        return await Serve(served.App, served.Client, settings, cancellationToken);
    }

    /// <summary>
    /// rmas serve --cluster: the same endpoints and page, each request a question answered on the cluster
    /// (up to --max-batch at once, spread over its routes); this process loads no model. Requests are checked
    /// as one process checks them (control text, prompt lengths: 400 before any silo works) against the
    /// agents' tokenizers and config.json files, read here without weights; a question the cluster fails
    /// to answer is a 502 naming the agent, round and silo at fault.
    /// </summary>
    async Task<int> ServeFromCluster(Settings settings, CancellationToken cancellationToken)
    {
        var address = ClusterAddress.Parse(settings.Cluster!);
        await using var connection = await ClusterConnection.ConnectAsync(address, settings.ClusterId, cancellationToken);
        await using var runner = await ClusterRunner.CreateAsync(connection.Client, settings.System, cancellationToken);
        int next = -1;
        SystemRunner run = (question, options) =>
        {
            try
            {
                return runner.SolveAsync(question, options, Interlocked.Increment(ref next), options.CancellationToken)
                    .GetAwaiter().GetResult().ToRunResult(options.RoundsFor(runner.Description));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw ClusterFailed(e);
            }
        };
        var chat = ChatOptions(settings) with { ConcurrentRuns = settings.MaxBatch };
        using var client = Prompts(runner.Description, settings) is { } prompts
            ? new RecursiveMasChatClient(run, prompts, chat)
            : new RecursiveMasChatClient(run, chat with { ModelId = runner.Description.Name, Decoding = runner.Description.Decoding });
        await using var app = RmasServer.Create(client, runner.Overview(), ServerOptions(settings) with { MaxConcurrentRequests = settings.MaxBatch });
        return await Serve(app, client, settings, cancellationToken);
    }

    /// <summary>
    /// The agents' prompts, tokenizers and context sizes, for checking requests here; null (said on stderr) when this
    /// machine lacks the model folders' tokenizer or config.json files: requests then go to the silos unchecked.
    /// </summary>
    static SystemPrompts? Prompts(SystemDescription description, Settings settings)
    {
        try
        {
            var prompts = SystemPrompts.Load(description, settings.LoadOptions());
            // Its config.json reads finish a folder swap a killed run left half done, here and not in the silos.
            SystemSettings.PrintNotes(prompts.ModelRecoveries);
            return prompts;
        }
        catch (ModelFileException e)
        {
            Console.Error.WriteLine($"warning: requests are not checked here (prompt lengths, control text) before the silos run them: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// A question the cluster failed to answer (a silo's turn threw, or no route was left) as a clear JSON error: 502
    /// naming the agent, round and silo at fault. As for any failure inside a run (docs/security.md), what the silo said
    /// and its stack trace go only to the server's log, under the response's x-request-id.
    /// </summary>
    static ApiError ClusterFailed(Exception e) =>
        new(502, $"The cluster failed to answer this request{(ClusterRunner.FailedTurn(e) is { } turn ? $": {turn} failed" : "")}; " +
            "the details are in the server's log under this response's x-request-id.", code: "cluster_error", type: "server_error", cause: e);

    static RecursiveMasChatClientOptions ChatOptions(Settings settings) => new()
    {
        MaxOutputTokens = settings.MaxTokens,
        MaxRounds = settings.MaxRounds,
        MaxLatentSteps = settings.MaxLatentSteps,
        MaxPromptTokens = settings.MaxPromptTokens,
    };

    static RmasServerOptions ServerOptions(Settings settings)
    {
        static IReadOnlyList<string> List(string? value) => value?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        return new RmasServerOptions
        {
            Urls = settings.UrlList,
            MaxRequestBodyBytes = settings.MaxBodyBytes,
            MaxQueuedRequests = settings.MaxQueue,
            RequestTimeout = settings.RequestTimeout > 0 ? TimeSpan.FromSeconds(settings.RequestTimeout) : null,
            AllowedHosts = List(settings.AllowedHosts),
            AllowedOrigins = List(settings.AllowedOrigins),
            ApiKey = settings.ApiKey ?? (Environment.GetEnvironmentVariable("RMAS_API_KEY") is { Length: > 0 } key ? key : null),
            CertificatePath = settings.Certificate,
            CertificateKeyPath = settings.CertificateKey,
            CertificatePassword = settings.CertificatePassword,
            // Errors (with their request id) to stderr, so stdout stays the one line --json promises.
            Logging = logging => logging.AddSimpleConsole(o => o.SingleLine = true).AddFilter("Microsoft", LogLevel.Warning)
                .Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace),
        };
    }

    /// <summary>Starts <paramref name="app"/>, says where it listens, and runs until stopped.</summary>
    async Task<int> Serve(WebApplication app, RecursiveMasChatClient client, Settings settings, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        if (settings.Json)
        {
            // One line a script can read to find the server (the bound port when --urls asked for port 0).
            ConsoleJson.Write(console, new JsonObject { ["model"] = client.ModelId, ["urls"] = new JsonArray([.. app.Urls.Select(u => (JsonNode)u)]) }.ToJsonString());
        }
        else
        {
            foreach (var url in app.Urls)
                console.MarkupLine($"serving [bold]{Markup.Escape(client.ModelId)}[/] at [link]{Markup.Escape(url)}[/]  (page: {Markup.Escape(url)}/, API: {Markup.Escape(url)}/v1/chat/completions)");
            console.MarkupLine("[grey]press Ctrl+C to stop[/]");
        }
        await app.WaitForShutdownAsync(cancellationToken);
        // The worker stops first (the running request is cancelled, waiting ones get 503), then Kestrel.
        // Bounded: connections still open after 30 s are cut rather than keeping the process alive.
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StopAsync(grace.Token);
        return ExitCodes.Success;
    }
}
