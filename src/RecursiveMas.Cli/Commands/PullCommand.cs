using System.ComponentModel;
using System.Text.Json;
using RecursiveMas.Hub;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas pull ID</c>: downloads a Hugging Face Hub repository — or every repository of a released
/// system (a preset) — into the Hub's cache, shared with Python's huggingface_hub, and optionally copies
/// it to a plain folder (<c>--to</c>). Resumes broken downloads and checks every file's hash.
/// </summary>
public sealed class PullCommand(IAnsiConsole console) : AsyncCommand<PullCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("A Hub repository (org/name) or a released system's preset: sequential-light, sequential-scaled, mixture, distillation, deliberation.")]
        public string Id { get; init; } = "";

        [CommandOption("--revision <R>")]
        [Description("Branch, tag or commit hash (for a preset: of every repository).")]
        [DefaultValue("main")]
        public string Revision { get; init; } = "main";

        [CommandOption("--to <DIR>")]
        [Description("Also copy the files into DIR as plain files (for a preset: DIR/<repository name> per repository). The cache is written either way.")]
        public string? To { get; init; }

        [CommandOption("--endpoint <URL>")]
        [Description("The Hub's URL (default: HF_ENDPOINT, else https://huggingface.co). HF_TOKEN is sent to it as a bearer token.")]
        public string? Endpoint { get; init; }

        [CommandOption("--cache-dir <DIR>")]
        [Description("The Hub cache (default: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub).")]
        public string? CacheDir { get; init; }

        [CommandOption("--max-size <GB>")]
        [Description("Refuse a repository larger than this many GB (10^9 bytes).")]
        [DefaultValue(500.0)]
        public double MaxSizeGb { get; init; } = 500;

        // curl's names: a user who has tuned curl or wget against a slow mirror knows them. Null keeps HubLimits' defaults.
        [CommandOption("--speed-limit <BYTES>")]
        [Description("Give up a download slower than this many bytes per second on average over --speed-time (default 1024), as curl's --speed-limit. The bytes so far are kept for the next pull.")]
        public long? SpeedLimit { get; init; }

        [CommandOption("--speed-time <SECONDS>")]
        [Description("The span --speed-limit's average is taken over (default 60), as curl's --speed-time.")]
        public int? SpeedTime { get; init; }

        /// <summary>
        /// The highest floor on a download's rate: 1 GiB/s is past most links a model is pulled over, so a larger value
        /// is a typo (a unit, a digit too many) that would give up every download, not a choice.
        /// </summary>
        public const long MaxSpeedLimit = 1L << 30;

        /// <summary>The longest window: past an hour a trickling server holds the pull for hours before the rule sees it.</summary>
        public const int MaxSpeedTime = 3600;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Id))
                return ValidationResult.Error("give a Hub repository id (org/name) or a preset name");
            if (HubPresetRepos.Find(Id) is null && !HubRepoId.TryParse(Id, out _))
                return ValidationResult.Error($"\"{Id}\" is neither a Hub repository id (org/name) nor a preset ({string.Join(", ", HubPresetRepos.Names)})");
            if (!(MaxSizeGb > 0))
                return ValidationResult.Error("--max-size must be more than 0");
            // 0 is not "off", as it is in HubLimits: without the rule a server sending a byte a minute holds the pull forever.
            if (SpeedLimit is < 1 or > MaxSpeedLimit)
                return ValidationResult.Error($"--speed-limit must be between 1 and {MaxSpeedLimit} bytes per second");
            if (SpeedTime is < 1 or > MaxSpeedTime)
                return ValidationResult.Error($"--speed-time must be between 1 and {MaxSpeedTime} seconds");
            if (Endpoint is not null)
            {
                try
                {
                    HubEnvironment.ParseEndpoint(Endpoint, "--endpoint");
                }
                catch (ArgumentException e)
                {
                    return ValidationResult.Error(e.Message);
                }
            }
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var environment = HubEnvironment.FromProcess();
        environment = environment with
        {
            Endpoint = settings.Endpoint is null ? environment.Endpoint : HubEnvironment.ParseEndpoint(settings.Endpoint, "--endpoint"),
            CacheDirectory = settings.CacheDir ?? environment.CacheDirectory,
        };
        var preset = HubPresetRepos.Find(settings.Id);
        var repos = preset?.Select(r => HubRepoId.Parse(r.RepoId)).ToList() ?? [HubRepoId.Parse(settings.Id)];
        var defaults = new HubLimits();
        var limits = defaults with
        {
            MaxTotalBytes = (long)Math.Min(settings.MaxSizeGb * 1e9, long.MaxValue / 2.0),
            LowSpeedBytesPerSecond = settings.SpeedLimit ?? defaults.LowSpeedBytesPerSecond,
            LowSpeedWindow = settings.SpeedTime is { } seconds ? TimeSpan.FromSeconds(seconds) : defaults.LowSpeedWindow,
        };

        using var client = new HubClient(environment, limits);
        var cache = new HubCache(environment.CacheDirectory);
        string? ExportFolder(HubRepoId repo) => settings.To is null ? null : preset is null ? settings.To : Path.Combine(settings.To, repo.Name);

        var results = new List<HubPullResult>();
        try
        {
            if (settings.Json || !console.Profile.Capabilities.Interactive)
            {
                var pull = new HubPull(client, cache);
                foreach (var repo in repos)
                    results.Add(await pull.PullAsync(repo, settings.Revision, ExportFolder(repo), cancellationToken));
            }
            else
            {
                await DownloadProgress.For(console).StartAsync(async progress =>
                {
                    var pull = new HubPull(client, cache) { OnProgress = DownloadProgress.Tracker(progress) };
                    foreach (var repo in repos)
                        results.Add(await pull.PullAsync(repo, settings.Revision, ExportFolder(repo), cancellationToken));
                });
            }
        }
        catch (HubException e) when (preset is null && !settings.Id.Contains('/') && e.StatusCode is 401 or 404)
        {
            throw new HubException($"{e.Message} (\"{settings.Id}\" is not a preset either: {string.Join(", ", HubPresetRepos.Names)})", e.StatusCode, e);
        }

        if (settings.Json)
        {
            // Straight to the output: the console would wrap long paths at its width and break the JSON.
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new
            {
                endpoint = environment.Endpoint.AbsoluteUri,
                cache = cache.Directory,
                preset = preset is null ? null : settings.Id,
                repos = results.Select(r => new
                {
                    repo = r.Listing.Repo.ToString(),
                    revision = r.Listing.Revision,
                    commit = r.Listing.Commit,
                    snapshot = r.SnapshotFolder,
                    to = r.ExportFolder,
                    files = r.Listing.Files.Count,
                    bytes = r.Listing.TotalBytes,
                    downloaded_files = r.DownloadedFiles,
                    downloaded_bytes = r.DownloadedBytes,
                    cached_files = r.CachedFiles,
                }),
            }, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        }
        foreach (var r in results)
        {
            console.MarkupLine($"{Markup.Escape(r.Listing.Repo.ToString())} @ {Markup.Escape(r.Listing.Revision)} ({r.Listing.Commit[..12]}): " +
                $"{r.Listing.Files.Count} files, {r.DownloadedFiles} downloaded ({DownloadProgress.Size(r.DownloadedBytes)}), {r.CachedFiles} already cached");
            console.MarkupLine($"  snapshot: {Markup.Escape(r.SnapshotFolder)}");
            if (r.ExportFolder is not null)
                console.MarkupLine($"  copied to: {Markup.Escape(r.ExportFolder)}");
        }
        return ExitCodes.Success;
    }
}
