using System.Text.Json;
using RecursiveMas.IO;
using TorchSharp;

namespace RecursiveMas.Models.SafeTensors;

/// <summary>
/// A model's weights as Hugging Face stores them: one <c>model.safetensors</c>, or shards listed by
/// <c>model.safetensors.index.json</c>. Gives one name space over all shards; tensor data is read on
/// demand, one tensor at a time.
/// </summary>
/// <remarks>
/// Every file is opened and its header validated by <see cref="Open"/>/<see cref="OpenFile"/>, and
/// every index entry checked against its shard, so a broken checkpoint fails before any weight is read.
/// The files stay open until <see cref="Dispose"/>.
/// </remarks>
public sealed class Checkpoint : IDisposable
{
    /// <summary>The single-file checkpoint name looked for by <see cref="Open"/>.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The shard index name looked for by <see cref="Open"/> when there is no single file.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    readonly List<SafeTensorsFile> files;
    readonly Dictionary<string, SafeTensorsFile> fileOf;
    readonly IReadOnlyCollection<string> names;

    Checkpoint(string sourcePath, List<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> fileOf, string[] names)
    {
        SourcePath = sourcePath;
        this.files = files;
        this.fileOf = fileOf;
        // Wrapped so a caller cannot cast Names back to an array and change it.
        this.names = Array.AsReadOnly(names);
    }

    /// <summary>The file that defines the checkpoint: the single safetensors file or the shard index.</summary>
    public string SourcePath { get; }

    /// <summary>The <c>__metadata__</c> of a single-file checkpoint; empty for a sharded one (each shard has its own).</summary>
    public IReadOnlyDictionary<string, string> Metadata =>
        files.Count == 1 ? files[0].Metadata : System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Every tensor name, shard by shard in the order their data lies on disk.</summary>
    public IReadOnlyCollection<string> Names => names;

    /// <summary>The open safetensors files (one, or one per shard).</summary>
    public IReadOnlyList<SafeTensorsFile> Files => files;

    /// <summary>
    /// Opens the checkpoint in <paramref name="modelDirectory"/>: <c>model.safetensors</c> if present,
    /// else the shards listed by <c>model.safetensors.index.json</c>.
    /// </summary>
    /// <exception cref="ModelFileException">
    /// Neither file exists; the index is malformed, names a missing shard, or maps a tensor to a shard
    /// without it; or any safetensors file is malformed.
    /// </exception>
    public static Checkpoint Open(string modelDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        string directory = Path.GetFullPath(modelDirectory);
        if (!Directory.Exists(directory))
        {
            throw new ModelFileException(directory, null, "the model directory does not exist");
        }

        string single = Path.Combine(directory, SingleFileName);
        if (File.Exists(single))
        {
            return OpenFile(single);
        }
        string index = Path.Combine(directory, IndexFileName);
        if (File.Exists(index))
        {
            return OpenIndex(index);
        }
        throw new ModelFileException(directory, null,
            $"no safetensors checkpoint found: looked for '{SingleFileName}' and '{IndexFileName}'");
    }

    /// <summary>Opens a single safetensors file as a checkpoint.</summary>
    /// <exception cref="ModelFileException">The file is missing or malformed.</exception>
    public static Checkpoint OpenFile(string safetensorsPath)
    {
        var file = SafeTensorsFile.Open(safetensorsPath);
        var fileOf = file.Tensors.ToDictionary(t => t.Name, _ => file, StringComparer.Ordinal);
        return new Checkpoint(file.Path, [file], fileOf, file.Tensors.Select(t => t.Name).ToArray());
    }

    static Checkpoint OpenIndex(string indexPath)
    {
        var weightMap = ReadWeightMap(indexPath);
        string directory = Path.GetDirectoryName(indexPath)!;

        var opened = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        var files = new List<SafeTensorsFile>();
        try
        {
            // Check every shard exists before opening any, so the message lists the missing shard and
            // not whichever error opening an earlier one would give.
            foreach (var group in weightMap.GroupBy(e => e.Value, StringComparer.Ordinal))
            {
                // A shard name such as "../../secret.safetensors" must not make the loader read outside the model folder.
                string shardPath = ContainedPath.Resolve(directory, group.Key, indexPath, group.First().Key);
                if (!File.Exists(shardPath))
                {
                    string example = group.First().Key;
                    int count = group.Count();
                    throw new ModelFileException(indexPath, group.Key,
                        $"the shard file '{shardPath}' listed in weight_map does not exist ({count} tensor(s) map to it, e.g. '{example}')");
                }
            }
            foreach (string shard in weightMap.Select(e => e.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var file = SafeTensorsFile.Open(Path.Combine(directory, shard));
                opened.Add(shard, file);
                files.Add(file);
            }

            var fileOf = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var (name, shard) in weightMap)
            {
                var file = opened[shard];
                if (!file.Contains(name))
                {
                    throw new ModelFileException(indexPath, name,
                        $"weight_map maps this tensor to shard '{shard}', but that shard does not contain it");
                }
                fileOf.Add(name, file);
            }

            // A shard may hold tensors the index does not list; like transformers, the index decides.
            var names = files
                .SelectMany(f => f.Tensors.Where(t => fileOf.TryGetValue(t.Name, out var owner) && ReferenceEquals(owner, f)))
                .Select(t => t.Name)
                .ToArray();
            return new Checkpoint(indexPath, files, fileOf, names);
        }
        catch
        {
            foreach (var file in files)
            {
                file.Dispose();
            }
            throw;
        }
    }

    /// <summary>Parses the index's <c>weight_map</c>: tensor name → shard file name.</summary>
    static List<KeyValuePair<string, string>> ReadWeightMap(string indexPath)
    {
        // An index names a few thousand tensors (≈ 100 KB for the largest models).
        byte[] bytes = IO.FileBytes.Read(indexPath, 64L << 20);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new ModelFileException(indexPath, null, $"the index is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ModelFileException(indexPath, null, "the index must be a JSON object with a 'weight_map'");
            }
            // A tensor listed twice, or weight_map itself twice, means whichever entry a reader keeps (Python's
            // json, which transformers uses, keeps the last), so two tools could load different weights.
            if (DuplicateJsonKeys.Find(root) is { } twice)
            {
                throw new ModelFileException(indexPath, twice, $"{DuplicateJsonKeys.Reason} of the index: readers disagree on which one counts");
            }
            if (!root.TryGetProperty("weight_map", out var map))
            {
                throw new ModelFileException(indexPath, "weight_map", "the index has no 'weight_map'");
            }
            if (map.ValueKind != JsonValueKind.Object)
            {
                throw new ModelFileException(indexPath, "weight_map", "must be an object mapping tensor names to shard file names");
            }

            var entries = new List<KeyValuePair<string, string>>();
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(entry.Value.GetString()))
                {
                    throw new ModelFileException(indexPath, entry.Name, $"the weight_map value must be a shard file name, found {entry.Value.GetRawText()}");
                }
                entries.Add(new(entry.Name, entry.Value.GetString()!));
            }
            return entries;
        }
    }

    /// <summary>Whether the checkpoint has a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => fileOf.ContainsKey(name);

    /// <summary>The header entry of tensor <paramref name="name"/>.</summary>
    /// <exception cref="ModelFileException">No such tensor.</exception>
    public SafeTensorInfo GetInfo(string name) => Find(name).GetInfo(name);

    /// <summary>Full path of the safetensors file holding tensor <paramref name="name"/>.</summary>
    /// <exception cref="ModelFileException">No such tensor.</exception>
    public string FileOf(string name) => Find(name).Path;

    /// <summary>Reads tensor <paramref name="name"/>; see <see cref="SafeTensorsFile.Load"/>.</summary>
    /// <exception cref="ModelFileException">No such tensor, or its file can no longer be read.</exception>
    public torch.Tensor Load(string name, torch.ScalarType? dtype = null, torch.Device? device = null) =>
        Find(name).Load(name, dtype, device);

    /// <summary>Copies tensor <paramref name="name"/> into <paramref name="destination"/>; see <see cref="SafeTensorsFile.LoadInto"/>.</summary>
    /// <exception cref="ModelFileException">No such tensor, or a shape mismatch.</exception>
    public void LoadInto(string name, torch.Tensor destination) => Find(name).LoadInto(name, destination);

    /// <summary>
    /// <see cref="LoadInto"/>, then refuses NaN or infinite values, naming the tensor and its file (the shard that
    /// holds it) after <paramref name="owner"/> ("link inner.Planner: "). A weight that is not finite raises nothing at
    /// run time: every output turns NaN and the answer comes back empty, so it is found here, at the price of one pass
    /// over the weights at load. A weight stored as integers or booleans (a quantized checkpoint's packed codes, a
    /// mask saved in a weight's place) is refused too: the copy would turn each code into a float without a word, and
    /// the model would run on numbers that were never its weights.
    /// </summary>
    public void LoadFiniteInto(string name, torch.Tensor destination, string owner = "")
    {
        var file = Find(name);
        var stored = file.GetInfo(name).DType;
        if (!stored.IsFloatingPoint() && destination.is_floating_point())
            throw new ModelFileException(file.Path, name,
                $"{owner}is stored as {stored.ToHeaderName()}, but a weight must be a floating-point dtype (F32, F16, BF16 or F64)");
        file.LoadInto(name, destination);
        using (torch.no_grad())
        using (var finite = destination.isfinite().all())
            if (!finite.item<bool>())
                throw new ModelFileException(file.Path, name, $"{owner}holds NaN or infinite values");
    }

    /// <summary>Closes every file.</summary>
    public void Dispose()
    {
        foreach (var file in files)
        {
            file.Dispose();
        }
    }

    SafeTensorsFile Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return fileOf.TryGetValue(name, out var file)
            ? file
            : throw new ModelFileException(SourcePath, name, $"no such tensor in this checkpoint (it has {fileOf.Count} tensors)");
    }
}
