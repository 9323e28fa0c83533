using System.Text.Json;
using System.Text.Json.Nodes;

namespace RecursiveMas.Links;

/// <summary>
/// Reads link types from the official RecursiveMAS config files that sit next to the <c>.pt</c>
/// links: <c>adapter_config.json</c> (inner link, <c>{"adapter_type": "ln_res_adapter"}</c>) and
/// <c>outer_adapter_config.json</c> (outer links). The released training code writes the outer
/// config flat, one <c>"{name}_type"</c> (plus <c>_in_dim</c>/<c>_out_dim</c>) per link, e.g.
/// <c>"outer_12_type": "outer_ln_res_adapter"</c>; other layouts seen or plausible are accepted too
/// (see <see cref="ReadOuterType"/>). Types come back as canonical released names, checked to be
/// an inner or outer type as asked; every problem is a <see cref="ModelFileException"/> naming the
/// config file and the key at fault.
/// </summary>
public static class OfficialLinkConfig
{
    /// <summary>The inner link's config, next to <c>adapter.pt</c>.</summary>
    public const string InnerConfigFileName = "adapter_config.json";

    /// <summary>The outer links' config, next to <c>outer_12.pt</c> etc.</summary>
    public const string OuterConfigFileName = "outer_adapter_config.json";

    /// <summary>The inner link type of <c>adapter_config.json</c>: its <c>"adapter_type"</c> (or <c>"type"</c>).</summary>
    public static string ReadInnerType(string configPath)
    {
        var config = ReadObject(configPath);
        foreach (var key in new[] { "adapter_type", "type" })
            if (config[key] is not null)
                return Checked(configPath, key, StringAt(configPath, config, key), outer: false);
        throw new ModelFileException(configPath, "adapter_type",
            $"missing: an inner link config names its type in \"adapter_type\"; the file has {Keys(config)}");
    }

    /// <summary>
    /// The type of outer link <paramref name="linkName"/> (e.g. <c>outer_12</c>, <c>outer_rt</c>),
    /// looked up in this order: <c>"{name}_type"</c> (the released layout); <c>"{name}"</c> as a
    /// string or as an object with <c>"adapter_type"</c>/<c>"type"</c>; an <c>"adapters"</c> array
    /// entry whose <c>"legacy_key"</c> is the name or whose <c>"filename"</c> is <c>{name}.pt</c> (the
    /// <c>outerlink_config.json</c> manifest); a single <c>"adapter_type"</c> or
    /// <c>"outer_adapter_type"</c> for every link.
    /// </summary>
    public static string ReadOuterType(string configPath, string linkName)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkName);
        var config = ReadObject(configPath);

        string flat = linkName + "_type";
        if (config[flat] is not null)
            return Checked(configPath, flat, StringAt(configPath, config, flat), outer: true);

        if (config[linkName] is JsonNode entry)
        {
            if (entry.GetValueKind() == JsonValueKind.String)
                return Checked(configPath, linkName, entry.GetValue<string>(), outer: true);
            if (entry is JsonObject obj)
            {
                foreach (var key in new[] { "adapter_type", "type" })
                    if (obj[key] is not null)
                        return Checked(configPath, $"{linkName}.{key}", StringAt(configPath, obj, key, $"{linkName}.{key}"), outer: true);
                throw new ModelFileException(configPath, linkName, $"the entry of outer link '{linkName}' has no \"adapter_type\"; it has {Keys(obj)}");
            }
            throw new ModelFileException(configPath, linkName, $"must be a type name or an object with \"adapter_type\", got {entry.GetValueKind()}");
        }

        if (config["adapters"] is JsonArray adapters)
        {
            for (int i = 0; i < adapters.Count; i++)
            {
                if (adapters[i] is not JsonObject a)
                    continue;
                bool match = TextOf(a["legacy_key"]) == linkName || TextOf(a["filename"]) == linkName + ".pt";
                if (!match)
                    continue;
                string item = $"adapters[{i}].adapter_type";
                if (a["adapter_type"] is null)
                    throw new ModelFileException(configPath, item, $"the manifest entry of outer link '{linkName}' has no \"adapter_type\"");
                return Checked(configPath, item, StringAt(configPath, a, "adapter_type", item), outer: true);
            }
        }

        foreach (var key in new[] { "adapter_type", "outer_adapter_type" })
            if (config[key] is not null)
                return Checked(configPath, key, StringAt(configPath, config, key), outer: true);

        throw new ModelFileException(configPath, linkName,
            $"no type for outer link '{linkName}': expected \"{flat}\", \"{linkName}\", an \"adapters\" entry with \"legacy_key\": \"{linkName}\", " +
            $"or a single \"adapter_type\"; the file has {Keys(config)}");
    }

    internal static JsonObject ReadObject(string configPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(configPath);
        if (!File.Exists(configPath))
            throw new ModelFileException(configPath, null, "link config not found");
        try
        {
            return JsonNode.Parse(Tokenization.JsonFile.ReadSmall(configPath, Models.ModelConfig.MaxFileBytes)) as JsonObject
                ?? throw new ModelFileException(configPath, null, "a link config must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelFileException(configPath, null, $"not valid JSON: {e.Message}", e);
        }
    }

    static string StringAt(string configPath, JsonObject obj, string key, string? item = null) =>
        TextOf(obj[key]) ?? throw new ModelFileException(configPath, item ?? key, $"must be a string (a link type name), got {obj[key]!.GetValueKind()}");

    static string? TextOf(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    static string Checked(string configPath, string item, string type, bool outer)
    {
        if (!LinkArchitectures.TryParse(type, outer, out var architecture))
            throw new ModelFileException(configPath, item, $"\"{type}\" is not an {(outer ? "outer" : "inner")} link type");
        return architecture.ConfigName();
    }

    static string Keys(JsonObject obj) =>
        obj.Count == 0 ? "no keys" : "keys " + string.Join(", ", obj.Select(p => $"\"{p.Key}\""));
}
