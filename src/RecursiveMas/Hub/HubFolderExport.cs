using RecursiveMas.IO;

namespace RecursiveMas.Hub;

/// <summary>
/// <c>rmas pull --to DIR</c>: a plain folder holding a snapshot's files as regular files (no symlinks
/// into a cache), to move, archive or point <c>--model</c> and SYSTEM.json at. Each file is copied
/// atomically (temporary, then rename), and one already there with the right content is left alone, so
/// a second export copies nothing.
/// </summary>
public static class HubFolderExport
{
    /// <summary>Copies the files of <paramref name="listing"/> from <paramref name="snapshotFolder"/> into <paramref name="folder"/>; returns its full path.</summary>
    public static string Write(HubRepoListing listing, string snapshotFolder, string folder)
    {
        string root = Path.GetFullPath(folder);
        foreach (var file in listing.Files)
        {
            string source = ContainedPath.Resolve(snapshotFolder, file.Path, $"{listing.Repo}@{listing.Commit}", file.Path);
            string target = ContainedPath.Resolve(root, file.Path, $"--to {folder}", file.Path);
            // Checking a pipe's content would wait for a writer, and a copy would be written into it: not a model file.
            if (AtomicFile.IsSpecial(target))
                throw new HubException($"--to {folder}: {file.Path} is a device, pipe or socket there, not a file; remove it or choose another folder");
            if (HubContentHash.Matches(target, file))
                continue;
            AtomicFile.Copy(source, target);
        }
        return root;
    }
}
