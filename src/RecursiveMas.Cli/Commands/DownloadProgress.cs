using RecursiveMas.Hub;
using Spectre.Console;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// The progress display of <c>rmas pull</c>: one bar per file being downloaded, in bytes, with size,
/// speed and time remaining; files already in the cache get no bar. Shown on interactive terminals
/// only (<c>--json</c> and redirected output print just the summary).
/// </summary>
internal static class DownloadProgress
{
    public static Progress For(IAnsiConsole console) => console.Progress()
        .AutoClear(false)
        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
            new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn());

    /// <summary>A <see cref="HubPull.OnProgress"/> that keeps one task per file up to date.</summary>
    public static Action<HubFileProgress> Tracker(ProgressContext progress)
    {
        var tasks = new Dictionary<(HubRepoId, string), ProgressTask>();
        return update =>
        {
            if (update.State == HubFileState.Cached)
                return;
            var key = (update.Repo, update.File.Path);
            if (!tasks.TryGetValue(key, out var task))
            {
                task = progress.AddTask(Markup.Escape($"{update.Repo.Name}/{update.File.Path}"), maxValue: Math.Max(1, update.File.Size));
                tasks[key] = task;
            }
            task.Value = update.State == HubFileState.Downloaded ? task.MaxValue : update.Bytes;
        };
    }

    /// <summary>Bytes in the nearest binary unit, for the summary line.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : FormattableString.Invariant($"{value:0.0} {units[unit]}");
    }
}
