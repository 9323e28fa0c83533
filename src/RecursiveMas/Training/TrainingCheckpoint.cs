using System.Security.Cryptography;
using System.Text;
using RecursiveMas.IO;
using RecursiveMas.Models.SafeTensors;
using RecursiveMas.Systems;
using static TorchSharp.torch;

namespace RecursiveMas.Training;

/// <summary>
/// One file per stage, <c>checkpoint-{stage}.safetensors</c>, holding everything a resumed run needs:
/// every link's weights in the dtype they train in (<c>link.ID.PARAM</c>), the optimizer's moments and step counts
/// (<c>adam.*</c>), and in the metadata the step, the run's
/// identity (system, links, data, schedule, seed, options) and a SHA-256 of all tensor bytes.
/// It is written completely to a temporary file and renamed over the previous one, so an interrupted
/// write leaves the last good checkpoint in place. Loading checks the identity field by field and
/// the digest, and names what does not match.
/// </summary>
internal static class TrainingCheckpoint
{
    public const string FormatName = "rmas-training-checkpoint/1";

    /// <summary>Test hook: called with the completely written temporary just before it replaces the checkpoint.</summary>
    internal static Action<string>? BeforeCommit { get; set; }

    public static string PathFor(string outputDirectory, TrainingStage stage) =>
        Path.Combine(Path.GetFullPath(outputDirectory), $"checkpoint-{stage.ToString().ToLowerInvariant()}.safetensors");

    public static void Save(string path, int step, IReadOnlyDictionary<string, string> identity, RecursiveSystem system, LinkAdamW optimizer)
    {
        using var scope = NewDisposeScope();
        var tensors = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var link in system.AllLinks)
            foreach (var (name, parameter) in link.named_parameters())
                tensors[$"link.{link.Id}.{name}"] = parameter.detach().contiguous();
        foreach (var (name, value) in optimizer.State())
            tensors[name] = value.detach().contiguous();

        var metadata = new Dictionary<string, string>(identity)
        {
            ["format"] = FormatName,
            ["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["sha256"] = Digest(tensors),
        };
        string partial = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.partial");
        try
        {
            SafeTensorsWriter.Write(partial, tensors, metadata);
            BeforeCommit?.Invoke(partial);
            AtomicFile.Commit(partial, path);
        }
        catch
        {
            AtomicFile.TryDelete(partial);
            throw;
        }
    }

    /// <summary>Restores links and optimizer from <paramref name="path"/>; returns the step it was written at.</summary>
    public static int Load(string path, IReadOnlyDictionary<string, string> identity, RecursiveSystem system, LinkAdamW optimizer)
    {
        using var file = SafeTensorsFile.Open(path);
        var metadata = file.Metadata;
        if (!metadata.TryGetValue("format", out var format) || format != FormatName)
            throw new ModelFileException(path, "format", $"not a training checkpoint (format \"{format ?? "missing"}\", expected \"{FormatName}\")");
        foreach (var (key, expected) in identity)
        {
            if (!metadata.TryGetValue(key, out var saved))
                throw new ModelFileException(path, key, "the checkpoint does not record this setting");
            if (saved != expected)
                throw new ModelFileException(path, key,
                    $"the checkpoint was written with {key} = {saved} but this run has {key} = {expected}; resume with the same settings or start a new output directory");
        }
        // A setting recorded only when it is used (e.g. a receiver weight) that this run leaves off differs too.
        foreach (var (key, saved) in metadata)
        {
            if (key is not ("format" or "step" or "sha256") && !identity.ContainsKey(key))
                throw new ModelFileException(path, key,
                    $"the checkpoint was written with {key} = {saved} but this run does not set it; resume with the same settings or start a new output directory");
        }
        if (!metadata.TryGetValue("step", out var stepText) || !int.TryParse(stepText, System.Globalization.CultureInfo.InvariantCulture, out int step) || step < 0)
            throw new ModelFileException(path, "step", $"the checkpoint's step \"{stepText}\" is not a non-negative integer");

        using var scope = NewDisposeScope();
        var tensors = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var info in file.Tensors)
            tensors[info.Name] = file.Load(info.Name);
        if (!metadata.TryGetValue("sha256", out var digest) || digest != Digest(tensors))
            throw new ModelFileException(path, "sha256", "the checkpoint's tensor data does not match its recorded digest (the file is corrupt)");

        Tensor Need(string name, long[] shape, ScalarType dtype)
        {
            if (!tensors.TryGetValue(name, out var t))
                throw new ModelFileException(path, name, "the checkpoint lacks this tensor");
            if (!t.shape.SequenceEqual(shape))
                throw new ModelFileException(path, name, $"the checkpoint has shape {SafeTensorInfo.FormatShape(t.shape)} but this run needs {SafeTensorInfo.FormatShape(shape)}");
            if (t.dtype != dtype)
                throw new ModelFileException(path, name, $"the checkpoint has dtype {t.dtype} but this run needs {dtype}");
            return t;
        }

        // Every tensor is checked before anything is copied: a bad checkpoint leaves the links and the
        // optimizer as they were, never half restored.
        var links = system.AllLinks
            .SelectMany(link => link.named_parameters().Select(p => (Parameter: p.parameter, Source: Need($"link.{link.Id}.{p.name}", p.parameter.shape, p.parameter.dtype))))
            .ToList();
        var moments = new List<(string Key, Tensor M, Tensor V, long Step)>();
        foreach (var (key, parameter) in optimizer.Parameters)
        {
            string stepName = $"adam.step.{key}";
            if (!tensors.ContainsKey(stepName))
                continue; // not updated yet when the checkpoint was written
            long saved = Need(stepName, [1], ScalarType.Int64).item<long>();
            if (saved < 1)
                throw new ModelFileException(path, stepName, $"an optimizer step count of {saved}; a saved moment has been updated at least once");
            moments.Add((key, Need($"adam.m.{key}", parameter.shape, parameter.dtype), Need($"adam.v.{key}", parameter.shape, parameter.dtype), saved));
        }
        using (no_grad())
            foreach (var (parameter, source) in links)
                parameter.copy_(source);
        foreach (var (key, m, v, saved) in moments)
            optimizer.Restore(key, m, v, saved);
        return step;
    }

    /// <summary>SHA-256 over every tensor's name, dtype, shape and bytes, in name order.</summary>
    internal static string Digest(SortedDictionary<string, Tensor> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, t) in tensors)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}|{t.dtype}|{string.Join(',', t.shape)}|"));
            using var contiguous = t.contiguous();
            TensorBytes.ForEachChunk(contiguous, (chunk, _) => hash.AppendData(chunk));
        }
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }
}
