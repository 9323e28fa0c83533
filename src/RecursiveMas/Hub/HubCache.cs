using RecursiveMas.IO;

namespace RecursiveMas.Hub;

/// <summary>
/// The Hub's cache layout on disk, the one huggingface_hub (and hf-hub, llama.cpp, …) read and write,
/// so a model pulled here is found by Python code and the other way round:
/// <code>
/// {cache}/models--{org}--{name}/blobs/{etag}                 content, once per distinct file
///                               blobs/{etag}.incomplete      a download in progress (resumed from its length)
///                               snapshots/{commit}/{path}    relative symlink to ../../blobs/{etag}
///                               refs/{revision}              the commit the revision pointed to
/// {cache}/.locks/models--{org}--{name}/{etag}.lock           held while a blob downloads
/// </code>
/// Where symlinks cannot be made (some Windows setups, some network file systems) the snapshot holds
/// a copy instead, as huggingface_hub does.
/// </summary>
public sealed class HubCache(string directory)
{
    /// <summary>The cache's root folder (<see cref="HubEnvironment.CacheDirectory"/>).</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    public string RepoFolder(HubRepoId repo) => Path.Combine(Directory, repo.CacheFolderName);

    public string BlobPath(HubRepoId repo, HubFile file) => Path.Combine(RepoFolder(repo), "blobs", file.BlobName);

    /// <summary>Where a blob's download grows until it is verified and renamed to <see cref="BlobPath"/>.</summary>
    public string IncompletePath(HubRepoId repo, HubFile file) => BlobPath(repo, file) + ".incomplete";

    public string SnapshotFolder(HubRepoId repo, string commit) => Path.Combine(RepoFolder(repo), "snapshots", commit);

    /// <summary>The file's place in its snapshot; its path was checked against the listing, and is resolved inside the snapshot again here.</summary>
    public string SnapshotPath(HubRepoId repo, string commit, HubFile file) =>
        ContainedPath.Resolve(SnapshotFolder(repo, commit), file.Path, $"{repo}@{commit}", file.Path);

    public string LockPath(HubRepoId repo, HubFile file) => Path.Combine(Directory, ".locks", repo.CacheFolderName, file.BlobName + ".lock");

    /// <summary>
    /// True when the snapshot already holds <paramref name="file"/> (a link to a blob, or a copy, of the
    /// listed size): a second pull of the same commit downloads nothing. Not re-hashed, as
    /// huggingface_hub does not: blobs are verified once, when they arrive.
    /// </summary>
    public bool HasSnapshotFile(HubRepoId repo, string commit, HubFile file)
    {
        var info = new FileInfo(SnapshotPath(repo, commit, file));
        if (info.LinkTarget is not null)
            info = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
        return info.Exists && info.Length == file.Size;
    }

    /// <summary>
    /// Puts <paramref name="file"/> into the snapshot of <paramref name="commit"/>: a relative symlink to
    /// its blob (replacing whatever was there, atomically: <see cref="AtomicFile.TryReplaceWithSymbolicLink"/>),
    /// or a copy where the file system refuses symlinks.
    /// </summary>
    public void Link(HubRepoId repo, string commit, HubFile file)
    {
        string blob = BlobPath(repo, file);
        string target = SnapshotPath(repo, commit, file);
        // Relative, as huggingface_hub makes them, so a cache that is moved or mounted elsewhere keeps working.
        if (!AtomicFile.TryReplaceWithSymbolicLink(target, Path.GetRelativePath(Path.GetDirectoryName(target)!, blob)))
            AtomicFile.Copy(blob, target);
    }

    /// <summary>
    /// Records that <paramref name="revision"/> (a branch or tag) pointed to <paramref name="commit"/>:
    /// <c>refs/{revision}</c> holds the hash. Nothing is written when the revision is the commit itself.
    /// </summary>
    public void WriteRef(HubRepoId repo, string revision, string commit)
    {
        if (revision == commit)
            return;
        string refs = Path.Combine(RepoFolder(repo), "refs");
        AtomicFile.WriteAllText(ContainedPath.Resolve(refs, revision, "--revision", revision), commit);
    }

    /// <summary>The commit <c>refs/{revision}</c> records, or null.</summary>
    public string? ReadRef(HubRepoId repo, string revision)
    {
        string path = ContainedPath.Resolve(Path.Combine(RepoFolder(repo), "refs"), revision, "--revision", revision);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    /// <summary>
    /// Holds the blob's lock file while it downloads (an exclusive lock that huggingface_hub's file locks
    /// also respect on Linux, both using flock), so two pulls of the same file do not write one
    /// <c>.incomplete</c> at once; waits up to <paramref name="wait"/> for another holder.
    /// </summary>
    public IDisposable Lock(HubRepoId repo, HubFile file, TimeSpan wait, CancellationToken cancellationToken)
    {
        string path = LockPath(repo, file);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200));
                cancellationToken.ThrowIfCancellationRequested();
            }
            catch (IOException e)
            {
                throw new HubException($"{repo}: another process holds {path} (downloading {file.Path}); waited {wait.TotalSeconds:0} s", inner: e);
            }
        }
    }
}
