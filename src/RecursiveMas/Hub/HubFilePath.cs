using System.Text;

namespace RecursiveMas.Hub;

/// <summary>
/// File names that come from the Hub's listing become paths in the cache and in <c>--to</c> folders, so
/// a hostile or broken server could name <c>../../.bashrc</c>. Every name is checked here before anything
/// is downloaded; the cache also resolves each one through <see cref="IO.ContainedPath"/>. Names only Windows cannot
/// hold are refused as well, on every OS (see <see cref="Problem"/>).
/// </summary>
public static class HubFilePath
{
    /// <summary>The longest name of a file or folder, in UTF-8 bytes, that can be written through a temporary.</summary>
    public const int MaxSegmentBytes = 255 - IO.AtomicFile.TempNameExtraBytes;

    /// <summary>
    /// What <paramref name="path"/> is on a file system that ignores case and Unicode normalization (macOS's APFS and
    /// HFS+, Windows' NTFS, FAT and exFAT, many SMB and NFS mounts): two names with the same key are one file there,
    /// and the second written replaces the first. Upper-cased per character after NFC, as NTFS's upcase table does,
    /// not by the locale's rules; a rare pair that APFS keeps apart ("ı" and "i") is refused too, which costs less
    /// than a file replaced unseen.
    /// </summary>
    public static string FileSystemKey(string path) => path.Normalize(NormalizationForm.FormC).ToUpperInvariant();

    /// <summary>Null when <paramref name="path"/> is a plain relative path inside a repository, one every OS can hold; else why it is not.</summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0)
            return "is empty";
        if (path.Length > 1024)
            return "is longer than 1024 characters";
        if (path.Any(char.IsControl))
            return "holds a control character";
        if (path.Contains('\\'))
            return "holds a backslash";
        if (path.StartsWith('/') || Path.IsPathRooted(path))
            return "is an absolute path";
        foreach (string segment in path.Split('/'))
        {
            if (segment.Length == 0)
                return "has an empty segment";
            if (segment is "." or "..")
                return "climbs out of the repository with \"..\" or \".\"";
            // File systems take names of 255 bytes; the cache and --to write each file under a longer temporary name first.
            if (Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes)
                return $"has a segment longer than {MaxSegmentBytes} bytes (file systems take 255, and files are written under a temporary name {IO.AtomicFile.TempNameExtraBytes} bytes longer)";
            // What Windows cannot hold (con.txt, a trailing dot, '?') is refused on every OS, as case collisions are
            // (FileSystemKey): a snapshot or --to folder is shared and moved between machines. The rule is the one
            // roles and agent names follow (Dsl.FileNameRules), so one list of what Windows refuses serves all three.
            if (Dsl.FileNameRules.WhyNotAFileName(segment) is { } why)
                return segment == path ? why : $"has a segment \"{segment}\" that {why}";
        }
        return null;
    }
}
