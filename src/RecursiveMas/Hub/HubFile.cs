namespace RecursiveMas.Hub;

/// <summary>
/// One file of a repository at a commit, as the Hub's listing describes it.
/// </summary>
/// <param name="Path">The path inside the repository ('/'-separated; checked by <see cref="HubFilePath"/>).</param>
/// <param name="Size">Bytes of content (for an LFS file the real file, not its pointer).</param>
/// <param name="BlobId">The git blob id (SHA-1 of <c>"blob {size}\0"</c> + content) of what git stores: the content, or for LFS the pointer.</param>
/// <param name="Sha256">For LFS files, the SHA-256 of the content; null for files git stores itself.</param>
public sealed record HubFile(string Path, long Size, string BlobId, string? Sha256)
{
    /// <summary>True for files stored through git LFS (weights, link checkpoints): the Hub serves them by redirect.</summary>
    public bool IsLfs => Sha256 is not null;

    /// <summary>
    /// The file's name in the cache's <c>blobs/</c>: its ETag on the Hub, which is the SHA-256 for an LFS
    /// file and the git blob id otherwise (the names huggingface_hub gives them, so both share blobs).
    /// </summary>
    public string BlobName => Sha256 ?? BlobId;
}
