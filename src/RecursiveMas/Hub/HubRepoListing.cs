using System.Text.Json;
using System.Text.RegularExpressions;

namespace RecursiveMas.Hub;

/// <summary>
/// What a repository holds at a revision: the commit the revision points to and every file with its
/// size and hashes. Parsed from the Hub's model-info answer with file metadata
/// (<c>GET /api/models/{repo}/revision/{revision}?blobs=true</c>: <c>sha</c> and
/// <c>siblings[{rfilename, size, blobId, lfs{sha256}}]</c>). Every value is checked before it is used,
/// because each becomes a URL, a file name or a number of bytes to write.
/// </summary>
public sealed partial record HubRepoListing(HubRepoId Repo, string Revision, string Commit, IReadOnlyList<HubFile> Files)
{
    /// <summary>Total bytes of all files.</summary>
    public long TotalBytes => Files.Sum(f => f.Size);

    /// <summary>Parses the Hub's JSON answer; <see cref="HubException"/> naming the repository and the entry at fault.</summary>
    public static HubRepoListing Parse(HubRepoId repo, string revision, ReadOnlySpan<byte> json, HubLimits limits)
    {
        string where = $"the Hub's listing of {repo} at {revision}";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new HubException($"{where} is not JSON: {e.Message}", inner: e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new HubException($"{where} is not a JSON object");
            string commit = String(root, "sha", where);
            if (!GitHash().IsMatch(commit))
                throw new HubException($"{where}: \"sha\" is \"{commit}\", not a 40-digit commit hash");
            if (!root.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array)
                throw new HubException($"{where} has no \"siblings\" array");
            if (siblings.GetArrayLength() > limits.MaxFiles)
                throw new HubException($"{where} lists {siblings.GetArrayLength()} files, more than the limit of {limits.MaxFiles}");

            var files = new List<HubFile>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            // Names are compared as a case-insensitive file system compares them, whatever file system this pull
            // writes to: refused always, not only where a probe of the target folder finds it case-insensitive. A
            // snapshot is shared (a cache on a macOS laptop or an SMB mount, read by huggingface_hub too) and a --to
            // folder is moved and archived, so a layout that is only sound on this disk is not sound; a probe answers
            // for one folder at one moment. The cost is a repository whose names differ only in case, which
            // huggingface_hub already breaks on macOS and Windows (one snapshot link silently replaces the other).
            var byFileSystemKey = new Dictionary<string, string>(StringComparer.Ordinal);
            int index = 0;
            foreach (var sibling in siblings.EnumerateArray())
            {
                // Reading a property of a number or null throws InvalidOperationException, which is no message for a user.
                if (sibling.ValueKind != JsonValueKind.Object)
                    throw new HubException($"{where}: \"siblings[{index}]\" is {sibling.ValueKind.ToString().ToLowerInvariant()}, not an object describing a file");
                index++;
                string path = String(sibling, "rfilename", where);
                if (HubFilePath.Problem(path) is { } problem)
                    throw new HubException($"{where} names the file \"{path}\", which {problem}; refusing to download from this repository");
                if (!seen.Add(path))
                    throw new HubException($"{where} lists \"{path}\" twice");
                if (!byFileSystemKey.TryAdd(HubFilePath.FileSystemKey(path), path))
                    throw new HubException($"{where} lists \"{byFileSystemKey[HubFilePath.FileSystemKey(path)]}\" and \"{path}\", names that differ only in case " +
                        "(or in Unicode normalization): one would overwrite the other on a case-insensitive file system (macOS, Windows, many mounts); " +
                        "refusing to download from this repository");
                string at = $"{where}, file \"{path}\"";
                if (!sibling.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt64(out long size) || size < 0)
                    throw new HubException($"{at}: no valid \"size\" (the Hub answers with sizes when asked with blobs=true)");
                if (size > limits.MaxFileBytes)
                    throw new HubException($"{at} is {size} bytes, more than the limit of {limits.MaxFileBytes} bytes per file");
                string blobId = String(sibling, "blobId", at);
                if (!GitHash().IsMatch(blobId))
                    throw new HubException($"{at}: \"blobId\" is \"{blobId}\", not a 40-digit git hash");
                string? sha256 = null;
                if (sibling.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object)
                {
                    sha256 = String(lfs, "sha256", at + " (lfs)");
                    if (!Sha256Hash().IsMatch(sha256))
                        throw new HubException($"{at}: \"lfs.sha256\" is \"{sha256}\", not a 64-digit SHA-256");
                    if (lfs.TryGetProperty("size", out var lfsSize))
                    {
                        if (lfsSize.ValueKind != JsonValueKind.Number || !lfsSize.TryGetInt64(out long lfsBytes))
                            throw new HubException($"{at}: \"lfs.size\" is not a whole number of bytes");
                        if (lfsBytes != size)
                            throw new HubException($"{at}: \"size\" {size} and \"lfs.size\" {lfsBytes} disagree");
                    }
                }
                else if (lfs.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
                {
                    throw new HubException($"{at}: \"lfs\" is {lfs.ValueKind.ToString().ToLowerInvariant()}, not an object"); // an LFS file checked as a git blob would fail its hash only after downloading
                }
                files.Add(new HubFile(path, size, blobId, sha256));
            }
            // "a" and "a/b" cannot both exist on disk: the second would fail after downloading, leaving half a snapshot.
            // Nor can "A" and "a/b" where case is ignored (see above).
            foreach (var file in files)
            {
                for (int slash = file.Path.IndexOf('/'); slash >= 0; slash = file.Path.IndexOf('/', slash + 1))
                {
                    if (byFileSystemKey.TryGetValue(HubFilePath.FileSystemKey(file.Path[..slash]), out var listed))
                        throw new HubException($"{where} lists \"{listed}\" both as a file and as the folder of \"{file.Path}\"");
                }
            }
            long total = files.Sum(f => f.Size);
            if (total > limits.MaxTotalBytes)
                throw new HubException($"{where} holds {total} bytes, more than the limit of {limits.MaxTotalBytes} bytes (raise it with --max-size if this is intended)");
            return new HubRepoListing(repo, revision, commit, files);
        }
    }

    static string String(JsonElement element, string name, string where) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new HubException($"{where}: missing or empty \"{name}\"");

    [GeneratedRegex("^[0-9a-f]{40}$")]
    internal static partial Regex GitHash();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hash();
}
