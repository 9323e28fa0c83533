using System.Security.Cryptography;
using System.Text;

namespace RecursiveMas.Hub;

/// <summary>
/// The hash the Hub's listing gives for a file, computed over the bytes as they arrive (a resumed
/// download first feeds the part already on disk): SHA-256 of the content for LFS files, the git blob
/// id — SHA-1 of <c>"blob {size}\0"</c> followed by the content — for files git stores itself. So every
/// file is checked, not only the large ones.
/// </summary>
public sealed class HubContentHash : IDisposable
{
    readonly IncrementalHash hash;
    readonly HubFile file;

    HubContentHash(HubFile file)
    {
        this.file = file;
        hash = IncrementalHash.CreateHash(file.IsLfs ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1);
        AppendHeader();
    }

    /// <summary>Forgets everything appended (a download that starts over).</summary>
    public void Restart()
    {
        hash.GetHashAndReset();
        AppendHeader();
    }

    void AppendHeader()
    {
        if (!file.IsLfs)
            hash.AppendData(Encoding.ASCII.GetBytes($"blob {file.Size}\0"));
    }

    /// <summary>A fresh hash for <paramref name="file"/>.</summary>
    public static HubContentHash For(HubFile file) => new(file);

    /// <summary>"sha256" or "git blob id": how the mismatch message names the check.</summary>
    public string Algorithm => file.IsLfs ? "sha256" : "git blob id";

    /// <summary>What the listing says the content hashes to.</summary>
    public string Expected => file.IsLfs ? file.Sha256! : file.BlobId;

    public void Append(ReadOnlySpan<byte> bytes) => hash.AppendData(bytes);

    /// <summary>Feeds <paramref name="stream"/> to its end.</summary>
    public void Append(Stream stream)
    {
        byte[] buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer)) > 0)
            hash.AppendData(buffer.AsSpan(0, read));
    }

    /// <summary>The hash of everything appended, lower-case hex.</summary>
    public string Finish() => Convert.ToHexStringLower(hash.GetHashAndReset());

    /// <summary>True when the file at <paramref name="path"/> holds exactly <paramref name="file"/>'s content.</summary>
    public static bool Matches(string path, HubFile file)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != file.Size)
            return false;
        using var hash = For(file);
        using (var stream = info.OpenRead())
            hash.Append(stream);
        return hash.Finish() == hash.Expected;
    }

    public void Dispose() => hash.Dispose();
}
