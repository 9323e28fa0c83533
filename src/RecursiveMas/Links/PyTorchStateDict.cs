using System.Collections;
using System.IO.Compression;
using RecursiveMas.Models.SafeTensors;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace RecursiveMas.Links;

/// <summary>
/// The tensors of a state dict written by <c>torch.save(module.state_dict(), path)</c>, read on the
/// CPU through TorchSharp.PyBridge's unpickler (no Python, no code execution: pickle globals other
/// than the tensor and OrderedDict rebuilders become inert objects). Names lose a leading
/// <c>module.</c> (a DataParallel/DDP wrapper's prefix). Tensors keep their stored dtype; the
/// instance owns them and frees them on <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// Before PyBridge sees the file it is checked to be a zip archive holding exactly one
/// <c>FOLDER/data.pkl</c> and no TorchScript records, so a legacy (non-zip) checkpoint, a bare
/// pickle, a TorchScript archive or arbitrary bytes each get their own
/// <see cref="ModelFileException"/>; any failure inside PyBridge (truncated or missing tensor
/// records, a top level that is not a dict, views into shared storage) is reported the same way,
/// with PyBridge's exception as the inner one.
/// </remarks>
public sealed class PyTorchStateDict : IDisposable
{
    /// <summary>The prefix <c>torch.nn.DataParallel</c> and DDP put in front of every name.</summary>
    public const string WrapperPrefix = "module.";

    // pickle.dumps(0x1950a86a20f9469cfc6c)'s payload: the magic number legacy torch.save writes first.
    static ReadOnlySpan<byte> LegacyMagic => [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    readonly Dictionary<string, Tensor> tensors;

    PyTorchStateDict(string sourcePath, Dictionary<string, Tensor> tensors)
    {
        SourcePath = sourcePath;
        this.tensors = tensors;
    }

    /// <summary>The <c>.pt</c> file read.</summary>
    public string SourcePath { get; }

    /// <summary>Every tensor name (without a <c>module.</c> prefix), in ordinal order.</summary>
    public IReadOnlyList<string> Names => tensors.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The number of tensors.</summary>
    public int Count => tensors.Count;

    /// <summary>True when the state dict has a tensor of this name.</summary>
    public bool Contains(string name) => tensors.ContainsKey(name);

    /// <summary>The tensor of this name, still owned by this instance; null when absent.</summary>
    public Tensor? Find(string name) => tensors.GetValueOrDefault(name);

    /// <summary>
    /// Reads a <c>torch.save</c>d state dict. Every failure is a <see cref="ModelFileException"/>
    /// naming <paramref name="ptPath"/> (and the entry at fault where there is one).
    /// </summary>
    /// <param name="maxBytes">
    /// When given, the archive's records may not declare more than this many uncompressed bytes in all
    /// (checked from the zip directory before anything is inflated or allocated): a link of known
    /// dimensions cannot need more, and a zip bomb or a model-sized file posing as a link is refused.
    /// </param>
    public static PyTorchStateDict Read(string ptPath, long? maxBytes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(ptPath);
        if (!File.Exists(ptPath))
            throw new ModelFileException(ptPath, null, "PyTorch checkpoint not found");

        Hashtable raw;
        using (var stream = OpenChecked(ptPath, maxBytes))
        {
            try
            {
                raw = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new ModelFileException(ptPath, null,
                    $"TorchSharp.PyBridge could not read this torch.save checkpoint ({e.GetType().Name}: {e.Message})", e);
            }
        }
        return FromPickled(ptPath, raw);
    }

    /// <summary>Opens the file after checking it is a torch.save zip archive; other formats get a precise error.</summary>
    static FileStream OpenChecked(string ptPath, long? maxBytes)
    {
        var stream = File.OpenRead(ptPath);
        try
        {
            Span<byte> head = stackalloc byte[32];
            int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            head = head[..n];
            if (!head.StartsWith("PK\x03\x04"u8))
            {
                if (head.IndexOf(LegacyMagic) >= 0)
                    throw new ModelFileException(ptPath, null,
                        "saved in PyTorch's legacy (non-zip) format (torch < 1.6, or _use_new_zipfile_serialization=False), " +
                        "which TorchSharp.PyBridge cannot read; re-save it with torch.save's default format: " +
                        "torch.save(torch.load(path), path)");
                if (n > 0 && head[0] == 0x80)
                    throw new ModelFileException(ptPath, null,
                        "a bare pickle stream, not a torch.save zip archive; re-save the state dict with torch.save");
                throw new ModelFileException(ptPath, null,
                    n == 0 ? "the file is empty" : "not a PyTorch checkpoint (a torch.save file is a zip archive starting with \"PK\")");
            }
            stream.Position = 0;
            CheckArchive(ptPath, stream, maxBytes);
            stream.Position = 0;
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>One <c>FOLDER/data.pkl</c>, no TorchScript records.</summary>
    static void CheckArchive(string ptPath, Stream stream, long? maxBytes)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(ptPath, null, $"starts like a zip archive but is not a readable one ({e.Message})", e);
        }
        using (zip)
        {
            var pickles = zip.Entries.Where(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).ToList();
            if (zip.Entries.Any(e => e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal) || e.FullName.Contains("/code/", StringComparison.Ordinal)))
                throw new ModelFileException(ptPath, null,
                    "a TorchScript archive (torch.jit.save), not a state dict; save the module's state_dict() with torch.save instead");
            if (pickles.Count == 0)
                throw new ModelFileException(ptPath, "data.pkl", "a zip archive without a data.pkl record: not a torch.save checkpoint");
            if (pickles.Count > 1)
                throw new ModelFileException(ptPath, "data.pkl",
                    $"the archive holds {pickles.Count} data.pkl records ({string.Join(", ", pickles.Select(p => p.FullName))}); torch.save writes one");
            if (maxBytes is long max)
            {
                long total = 0;
                foreach (var entry in zip.Entries)
                {
                    total += entry.Length;
                    if (entry.Length > max || total > max)
                        throw new ModelFileException(ptPath, entry.FullName,
                            $"the archive declares {(entry.Length > max ? entry.Length : total):N0} uncompressed bytes " +
                            $"{(entry.Length > max ? "in this record" : "up to this record")}, more than the {max:N0} a link of the expected dimensions can need");
                }
            }
        }
    }

    /// <summary>Validates the unpickled object: string keys, tensor values, names unique once <c>module.</c> is dropped.</summary>
    static PyTorchStateDict FromPickled(string ptPath, Hashtable raw)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (DictionaryEntry entry in raw)
            {
                if (entry.Key is not string key)
                    throw new ModelFileException(ptPath, entry.Key?.ToString(), "state dict keys must be strings");
                if (entry.Value is not Tensor tensor)
                    throw new ModelFileException(ptPath, key,
                        $"not a tensor but {Describe(entry.Value)}; the file must be torch.save(module.state_dict(), path)");
                string name = key.StartsWith(WrapperPrefix, StringComparison.Ordinal) ? key[WrapperPrefix.Length..] : key;
                if (!tensors.TryAdd(name, tensor))
                    throw new ModelFileException(ptPath, key, $"'{name}' appears both with and without the '{WrapperPrefix}' prefix");
            }
            return new PyTorchStateDict(ptPath, tensors);
        }
        catch
        {
            foreach (var value in raw.Values)
                (value as Tensor)?.Dispose();
            throw;
        }
    }

    static string Describe(object? value) => value switch
    {
        null => "None",
        IDictionary => "a nested dict",
        IList => "a list",
        _ => $"a {value.GetType().Name}",
    };

    /// <summary>A tensor's shape as errors print it, e.g. <c>[2048, 2048]</c>.</summary>
    internal static string FormatShape(ReadOnlySpan<long> shape) => SafeTensorInfo.FormatShape(shape);

    /// <summary>Frees every tensor.</summary>
    public void Dispose()
    {
        foreach (var t in tensors.Values)
            t.Dispose();
        tensors.Clear();
    }
}
