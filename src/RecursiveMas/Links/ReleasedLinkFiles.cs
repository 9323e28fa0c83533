using System.Text.Json;
using System.Text.Json.Nodes;

namespace RecursiveMas.Links;

/// <summary>
/// Finds the link files of the official RecursiveMAS release in downloaded Hub repositories, the way the
/// release's own resolver does (PAPER §1.2, [C] hf_resolver.py), and names their layout types.
/// </summary>
/// <remarks>
/// <para>Inner link, in an agent's repository: the file named by <c>innerlink_config.json</c>'s
/// <c>tasks.TASK["adapter.pt"]</c>, else <c>adapter(TASK).pt</c>, else <c>adapter.pt</c>. Its type is
/// <c>adapter_config.json</c>'s when that file is there, else <c>ln_res_adapter</c> (the release's fallback).</para>
/// <para>Outer link, in the outer-links repository: the <c>filename</c> of the entry whose
/// <c>legacy_key</c> is the key in <c>outerlink_config.json</c> (under <c>tasks.TASK.adapters</c> for a
/// task-scoped manifest, else <c>adapters</c>); without a manifest, <c>KEY.pt</c> (the name the released
/// training code saves). Its type is the entry's <c>adapter_type</c>, else <c>outer_adapter_config.json</c>'s
/// (beside the file, then in the repository's folder), else <c>outer_ln_res_adapter</c>.</para>
/// <para>A missing folder or file gives null (the link is not there); a manifest that is there but wrong
/// is a <see cref="ModelFileException"/> naming the field.</para>
/// </remarks>
public static class ReleasedLinkFiles
{
    /// <summary>The release's inner-link manifest.</summary>
    public const string InnerManifestFileName = "innerlink_config.json";

    /// <summary>The release's outer-links manifest.</summary>
    public const string OuterManifestFileName = "outerlink_config.json";

    /// <summary>The type the release assumes when an inner link's config is missing.</summary>
    public const string InnerFallbackType = "ln_res_adapter";

    /// <summary>The type the release assumes for an outer link whose type is written nowhere.</summary>
    public const string OuterFallbackType = "outer_ln_res_adapter";

    /// <summary>The inner link file of the agent repository in <paramref name="folder"/> and its type, or null when there is none.</summary>
    public static (string Path, string Type)? FindInner(string folder, string? task)
    {
        if (!Directory.Exists(folder))
            return null;
        var candidates = new List<string>();
        string manifest = Path.Combine(folder, InnerManifestFileName);
        if (task is not null && File.Exists(manifest)
            && OfficialLinkConfig.ReadObject(manifest)["tasks"] is JsonObject tasks && tasks[task] is JsonObject entry)
            candidates.Add(Text(manifest, entry["adapter.pt"], $"tasks.{task}.adapter.pt") ?? "adapter.pt");
        if (task is not null)
            candidates.Add($"adapter({task}).pt");
        candidates.Add("adapter.pt");
        foreach (var name in candidates)
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                string config = Path.Combine(folder, OfficialLinkConfig.InnerConfigFileName);
                return (path, File.Exists(config) ? OfficialLinkConfig.ReadInnerType(config) : InnerFallbackType);
            }
        }
        return null;
    }

    /// <summary>The file of outer link <paramref name="key"/> in the outer-links repository in <paramref name="folder"/> and its type, or null when there is none.</summary>
    public static (string Path, string Type)? FindOuter(string folder, string key, string? task)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (!Directory.Exists(folder))
            return null;
        string manifest = Path.Combine(folder, OuterManifestFileName);
        string fileName = key + ".pt";
        string? type = null;
        if (File.Exists(manifest) && ManifestEntry(manifest, key, task) is { } entry)
        {
            fileName = entry.FileName;
            type = entry.Type;
        }
        string path = Path.Combine(folder, fileName);
        if (!File.Exists(path))
            return null;
        if (type is null)
        {
            foreach (var dir in new[] { Path.GetDirectoryName(path)!, folder }.Distinct())
            {
                string config = Path.Combine(dir, OfficialLinkConfig.OuterConfigFileName);
                if (File.Exists(config))
                {
                    type = OfficialLinkConfig.ReadOuterType(config, key);
                    break;
                }
            }
        }
        return (path, type ?? OuterFallbackType);
    }

    /// <summary>The manifest's entry for <paramref name="key"/>: its file (relative to the manifest's folder) and type, if it names one.</summary>
    static (string FileName, string? Type)? ManifestEntry(string manifest, string key, string? task)
    {
        var root = OfficialLinkConfig.ReadObject(manifest);
        JsonNode? adapters;
        string at;
        if (root["tasks"] is JsonObject tasks)
        {
            if (task is null)
                throw new ModelFileException(manifest, "tasks", "a task-scoped manifest: the system must name its task (releasedLinks.task)");
            at = $"tasks.{task}.adapters";
            adapters = (tasks[task] as JsonObject
                ?? throw new ModelFileException(manifest, "tasks." + task, $"no links for task \"{task}\" (the manifest has {string.Join(", ", tasks.Select(t => t.Key))})"))["adapters"];
        }
        else
        {
            at = "adapters";
            adapters = root["adapters"];
        }
        if (adapters is not JsonArray list)
            throw new ModelFileException(manifest, at, "must be an array of {legacy_key, filename}");
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject e || Text(manifest, e["legacy_key"], $"{at}[{i}].legacy_key") != key)
                continue;
            string fileName = Text(manifest, e["filename"], $"{at}[{i}].filename")
                ?? throw new ModelFileException(manifest, $"{at}[{i}].filename", "missing");
            if (Path.IsPathRooted(fileName) || fileName.Split('/', '\\').Contains(".."))
                throw new ModelFileException(manifest, $"{at}[{i}].filename", $"\"{fileName}\" must stay inside the manifest's folder");
            return (fileName, Text(manifest, e["adapter_type"], $"{at}[{i}].adapter_type"));
        }
        return null;
    }

    static string? Text(string file, JsonNode? node, string at) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new ModelFileException(file, at, "must be a string"),
    };
}
