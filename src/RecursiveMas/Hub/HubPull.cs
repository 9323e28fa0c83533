using RecursiveMas.IO;

namespace RecursiveMas.Hub;

/// <summary>What happened to one file during a pull, for progress displays.</summary>
/// <param name="Bytes">Bytes of the file on disk so far (equal to its size once done).</param>
public sealed record HubFileProgress(HubRepoId Repo, HubFile File, long Bytes, HubFileState State);

public enum HubFileState
{
    /// <summary>Its download started (or resumed: <see cref="HubFileProgress.Bytes"/> is where).</summary>
    Started,
    Receiving,
    /// <summary>Downloaded, verified and linked into the snapshot.</summary>
    Downloaded,
    /// <summary>Already in the cache: nothing downloaded.</summary>
    Cached,
}

/// <summary>The outcome of pulling one repository.</summary>
/// <param name="SnapshotFolder">The snapshot in the cache: a model folder that <c>--model</c> and SYSTEM.json accept.</param>
/// <param name="ExportFolder">The plain copy written with <c>--to</c>, or null.</param>
public sealed record HubPullResult(HubRepoListing Listing, string SnapshotFolder, string? ExportFolder, int DownloadedFiles, long DownloadedBytes, int CachedFiles);

/// <summary>
/// Pulls one repository at a revision into the cache, the way huggingface_hub's <c>snapshot_download</c>
/// does: list the files at the revision's commit, download each missing blob (resuming a
/// <c>.incomplete</c>, verifying its hash, renaming it into <c>blobs/</c>), link it into
/// <c>snapshots/{commit}/</c>, and record <c>refs/{revision}</c> last, so that the ref only ever names a
/// complete snapshot. A killed pull leaves at most a <c>.incomplete</c> blob, which the next pull resumes.
/// </summary>
public sealed class HubPull(HubClient client, HubCache cache)
{
    /// <summary>How long to wait for another process downloading the same blob.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Called as files start, grow and finish (on the pulling thread).</summary>
    public Action<HubFileProgress>? OnProgress { get; init; }

    /// <summary>Lists <paramref name="repo"/> at <paramref name="revision"/> without downloading (to size progress bars).</summary>
    public Task<HubRepoListing> ListAsync(HubRepoId repo, string revision, CancellationToken cancellationToken = default) =>
        client.ListAsync(repo, revision, cancellationToken);

    /// <summary>Pulls <paramref name="repo"/> at <paramref name="revision"/>; with <paramref name="exportFolder"/>, also copies the snapshot there.</summary>
    public async Task<HubPullResult> PullAsync(HubRepoId repo, string revision, string? exportFolder = null, CancellationToken cancellationToken = default) =>
        await PullAsync(await client.ListAsync(repo, revision, cancellationToken).ConfigureAwait(false), exportFolder, cancellationToken).ConfigureAwait(false);

    /// <summary>Pulls the files of <paramref name="listing"/> (from <see cref="ListAsync"/>).</summary>
    public async Task<HubPullResult> PullAsync(HubRepoListing listing, string? exportFolder = null, CancellationToken cancellationToken = default)
    {
        var repo = listing.Repo;
        string commit = listing.Commit;
        CheckFreeSpace(listing);
        int downloaded = 0, cached = 0;
        long bytes = 0;
        foreach (var file in listing.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (cache.HasSnapshotFile(repo, commit, file))
            {
                cached++;
                OnProgress?.Invoke(new HubFileProgress(repo, file, file.Size, HubFileState.Cached));
                continue;
            }
            string blob = cache.BlobPath(repo, file);
            using (cache.Lock(repo, file, LockWait, cancellationToken))
            {
                if (!(File.Exists(blob) && new FileInfo(blob).Length == file.Size)) // another revision may have brought it
                {
                    string incomplete = cache.IncompletePath(repo, file);
                    OnProgress?.Invoke(new HubFileProgress(repo, file, File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0, HubFileState.Started));
                    await client.DownloadAsync(repo, commit, file, incomplete,
                        have => OnProgress?.Invoke(new HubFileProgress(repo, file, have, HubFileState.Receiving)), cancellationToken).ConfigureAwait(false);
                    AtomicFile.Commit(incomplete, blob);
                    downloaded++;
                    bytes += file.Size;
                }
            }
            cache.Link(repo, commit, file);
            OnProgress?.Invoke(new HubFileProgress(repo, file, file.Size, HubFileState.Downloaded));
        }
        cache.WriteRef(repo, listing.Revision, commit);
        string snapshot = cache.SnapshotFolder(repo, commit);
        string? export = exportFolder is null ? null : HubFolderExport.Write(listing, snapshot, exportFolder);
        return new HubPullResult(listing, snapshot, export, downloaded, bytes, cached);
    }

    /// <summary>Refuses, before the first byte, a pull that cannot fit on the cache's disk.</summary>
    void CheckFreeSpace(HubRepoListing listing)
    {
        long needed = 0;
        foreach (var file in listing.Files)
        {
            if (File.Exists(cache.BlobPath(listing.Repo, file)))
                continue;
            var incomplete = new FileInfo(cache.IncompletePath(listing.Repo, file));
            needed += file.Size - (incomplete.Exists ? Math.Min(incomplete.Length, file.Size) : 0);
        }
        Directory.CreateDirectory(cache.Directory);
        long free = new DriveInfo(cache.Directory).AvailableFreeSpace;
        if (needed > free)
            throw new HubException($"{listing.Repo} needs {needed} more bytes in {cache.Directory}, which has {free} free");
    }
}
