using System.Text.Json;
using System.Text.Json.Nodes;
using RecursiveMas.Links;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Systems;

/// <summary>SYSTEM.json → <see cref="SystemDescription"/>, naming the JSON path of every field at fault.</summary>
internal sealed class SystemDescriptionReader(string path)
{
    public SystemDescription Read(string json)
    {
        var documentOptions = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        JsonFile.RejectDuplicateKeys(path, json, documentOptions);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: documentOptions) as JsonObject
                ?? throw new ModelFileException(path, null, "a system description must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, null, $"not valid JSON: {e.Message}", e);
        }

        string? format = OptionalString(root, "format", "format");
        if (format is not null && format != SystemDescription.FormatName)
            throw new ModelFileException(path, "format", $"unknown format \"{format}\" (expected \"{SystemDescription.FormatName}\")");

        Only(root, null, "$schema", "format", "name", "rounds", "pattern", "agents", "modelRoot", "linksDir", "innerLink", "outerLink", "decoding",
            "toolCorpus", "releasedLinks", "singleAgentPrompt", "textMessageTokens");
        var agents = RequiredArray(root, "agents", "agents").Select((node, i) => ReadAgent(node, $"agents[{i}]")).ToList();
        for (int i = 0; i < agents.Count; i++)
            if (agents.FindIndex(a => a.Name == agents[i].Name) is var first && first < i)
                throw new ModelFileException(path, $"agents[{i}].name", $"agent name \"{agents[i].Name}\" is already agents[{first}]'s: every agent needs a name of its own");
        var decodingNode = root["decoding"];
        return new SystemDescription
        {
            Name = RequiredString(root, "name", "name"),
            Rounds = OptionalInt(root, "rounds", "rounds") ?? 3,
            Pattern = ReadPattern(root["pattern"] ?? throw Missing("pattern")),
            Agents = agents,
            ModelRoot = OptionalString(root, "modelRoot", "modelRoot") ?? ".",
            LinksDirectory = OptionalString(root, "linksDir", "linksDir") ?? "links",
            InnerLink = ReadLinkType(root, "innerLink", outer: false) ?? LinkArchitecture.LayerNormResidual,
            OuterLink = ReadLinkType(root, "outerLink", outer: true) ?? LinkArchitecture.OuterLayerNormResidual,
            Decoding = decodingNode is null ? new DecodingDescription() : ReadDecoding(Object(decodingNode, "decoding")),
            ToolCorpus = OptionalString(root, "toolCorpus", "toolCorpus"),
            ReleasedLinks = root["releasedLinks"] is null ? null : ReadReleasedLinks(Object(root["releasedLinks"], "releasedLinks")),
            SingleAgentPrompt = OptionalString(root, "singleAgentPrompt", "singleAgentPrompt") ?? SystemDescription.DefaultSingleAgentPrompt,
            TextMessageTokens = OptionalInt(root, "textMessageTokens", "textMessageTokens") is int tokens
                ? tokens >= 1 ? tokens : throw new ModelFileException(path, "textMessageTokens", "must be at least 1")
                : 256,
            SourcePath = path,
        };
    }

    AgentDescription ReadAgent(JsonNode? node, string at)
    {
        var o = Object(node, at);
        Only(o, at, "name", "model", "hiddenSize", "latentSteps", "role", "systemPrompt", "prompts");
        return new AgentDescription
        {
            Name = RequiredString(o, "name", at + ".name"),
            Model = RequiredString(o, "model", at + ".model"),
            HiddenSize = OptionalInt(o, "hiddenSize", at + ".hiddenSize") ?? 0,
            LatentSteps = OptionalInt(o, "latentSteps", at + ".latentSteps") ?? 32,
            Role = OptionalString(o, "role", at + ".role"),
            SystemPrompt = OptionalString(o, "systemPrompt", at + ".systemPrompt"),
            Prompts = (o["prompts"] is null ? [] : RequiredArray(o, "prompts", at + ".prompts"))
                .Select((p, i) => ReadPrompt(p, $"{at}.prompts[{i}]")).ToList(),
        };
    }

    PromptDescription ReadPrompt(JsonNode? node, string at)
    {
        var o = Object(node, at);
        Only(o, at, "use", "template");
        string use = OptionalString(o, "use", at + ".use") ?? "always";
        var kind = use switch
        {
            "always" => PromptUse.Always,
            "firstRound" => PromptUse.FirstRound,
            "laterRounds" => PromptUse.LaterRounds,
            "decode" => PromptUse.Decode,
            _ => throw new ModelFileException(path, at + ".use", $"\"{use}\" is not one of always, firstRound, laterRounds, decode"),
        };
        return new PromptDescription(kind, RequiredString(o, "template", at + ".template"));
    }

    /// <summary>The fields of each pattern kind's object.</summary>
    static readonly Dictionary<string, string[]> PatternFields = new(StringComparer.Ordinal)
    {
        ["sequential"] = ["kind", "agents"],
        ["mixture"] = ["kind", "summarizer", "experts"],
        ["distillation"] = ["kind", "expert", "learner"],
        ["deliberation"] = ["kind", "reflector", "toolCaller"],
        ["custom"] = ["kind", "links", "decoder"],
    };

    PatternDescription ReadPattern(JsonNode node)
    {
        var o = Object(node, "pattern");
        string kind = RequiredString(o, "kind", "pattern.kind");
        if (PatternFields.TryGetValue(kind, out var fields))
            Only(o, "pattern", fields);
        List<string> Names(string key) => RequiredArray(o, key, "pattern." + key)
            .Select((n, i) => StringValue(n, $"pattern.{key}[{i}]")).ToList();
        string Name(string key) => RequiredString(o, key, "pattern." + key);
        return kind switch
        {
            "sequential" => new PatternDescription { Kind = CollaborationPattern.Sequential, Agents = Names("agents") },
            "mixture" => new PatternDescription { Kind = CollaborationPattern.Mixture, Agents = [Name("summarizer"), .. Names("experts")] },
            "distillation" => new PatternDescription { Kind = CollaborationPattern.Distillation, Agents = [Name("expert"), Name("learner")] },
            "deliberation" => new PatternDescription { Kind = CollaborationPattern.Deliberation, Agents = [Name("reflector"), Name("toolCaller")] },
            "custom" => new PatternDescription
            {
                Kind = CollaborationPattern.Custom,
                Links = RequiredArray(o, "links", "pattern.links").Select((n, i) => ReadLink(n, $"pattern.links[{i}]")).ToList(),
                Decoder = OptionalString(o, "decoder", "pattern.decoder"),
            },
            _ => throw new ModelFileException(path, "pattern.kind", $"\"{kind}\" is not one of sequential, mixture, distillation, deliberation, custom"),
        };
    }

    LinkDescription ReadLink(JsonNode? node, string at)
    {
        var o = Object(node, at);
        Only(o, at, "from", "to", "fromHiddenSize", "toHiddenSize");
        return new LinkDescription(
            RequiredString(o, "from", at + ".from"),
            RequiredString(o, "to", at + ".to"),
            OptionalInt(o, "fromHiddenSize", at + ".fromHiddenSize") ?? 0,
            OptionalInt(o, "toHiddenSize", at + ".toHiddenSize") ?? 0);
    }

    ReleasedLinksDescription ReadReleasedLinks(JsonObject o)
    {
        const string at = "releasedLinks";
        Only(o, at, "task", "inner", "outerFolder", "outer");
        var inner = RequiredArray(o, "inner", at + ".inner").Select((n, i) =>
        {
            var e = Object(n, $"{at}.inner[{i}]");
            Only(e, $"{at}.inner[{i}]", "agent", "folder");
            return new ReleasedInnerLink(RequiredString(e, "agent", $"{at}.inner[{i}].agent"), RequiredString(e, "folder", $"{at}.inner[{i}].folder"));
        }).ToList();
        var outer = RequiredArray(o, "outer", at + ".outer").Select((n, i) =>
        {
            var e = Object(n, $"{at}.outer[{i}]");
            Only(e, $"{at}.outer[{i}]", "key", "from", "to");
            return new ReleasedOuterLink(RequiredString(e, "key", $"{at}.outer[{i}].key"),
                RequiredString(e, "from", $"{at}.outer[{i}].from"), RequiredString(e, "to", $"{at}.outer[{i}].to"));
        }).ToList();
        return new ReleasedLinksDescription(OptionalString(o, "task", at + ".task"), inner, RequiredString(o, "outerFolder", at + ".outerFolder"), outer);
    }

    DecodingDescription ReadDecoding(JsonObject o)
    {
        Only(o, "decoding", "maxNewTokens", "temperature", "topP", "topK", "seed", "retryWithoutBoxedAnswer", "retryTokens");
        var d = new DecodingDescription
        {
            MaxNewTokens = OptionalInt(o, "maxNewTokens", "decoding.maxNewTokens") ?? 256,
            Temperature = OptionalDouble(o, "temperature", "decoding.temperature") ?? 0,
            TopP = OptionalDouble(o, "topP", "decoding.topP") ?? 1,
            TopK = OptionalInt(o, "topK", "decoding.topK") ?? 0,
            Seed = OptionalLong(o, "seed", "decoding.seed"),
            RetryWithoutBoxedAnswer = OptionalBool(o, "retryWithoutBoxedAnswer", "decoding.retryWithoutBoxedAnswer") ?? true,
            RetryTokens = OptionalInt(o, "retryTokens", "decoding.retryTokens") ?? 16,
        };
        // What a run would refuse later, refused here naming the field (a run's message names no file).
        Require(d.MaxNewTokens >= 1, "decoding.maxNewTokens", "must be at least 1");
        Require(d.Temperature >= 0, "decoding.temperature", "must be 0 (greedy) or positive");
        Require(d.TopP is > 0 and <= 1, "decoding.topP", "must be in (0, 1]");
        Require(d.TopK >= 0, "decoding.topK", "must be 0 (off) or positive");
        Require(d.RetryTokens >= 1, "decoding.retryTokens", "must be at least 1");
        return d;
    }

    void Require(bool holds, string at, string what)
    {
        if (!holds)
            throw new ModelFileException(path, at, what);
    }

    LinkArchitecture? ReadLinkType(JsonObject o, string key, bool outer)
    {
        string? name = OptionalString(o, key, key);
        if (name is null)
            return null;
        return LinkArchitectures.TryParse(name, outer, out var a)
            ? a
            : throw new ModelFileException(path, key, $"\"{name}\" is not an {(outer ? "outer" : "inner")} link type");
    }

    ModelFileException Missing(string at) => new(path, at, "missing (required)");

    /// <summary>
    /// Refuses a field the format does not have, naming it (and the field it most likely meant): a misspelt
    /// <c>latentStep</c> would otherwise leave the default of 32 in place without a word.
    /// </summary>
    void Only(JsonObject o, string? at, params string[] fields)
    {
        foreach (var (key, _) in o)
        {
            if (Array.IndexOf(fields, key) >= 0)
                continue;
            string? meant = fields.FirstOrDefault(f => string.Equals(f, key, StringComparison.OrdinalIgnoreCase))
                ?? fields.Where(f => f.Length > 3 && (key.StartsWith(f[..^1], StringComparison.OrdinalIgnoreCase) || f.StartsWith(key, StringComparison.OrdinalIgnoreCase)))
                    .OrderBy(f => Math.Abs(f.Length - key.Length)).FirstOrDefault();
            throw new ModelFileException(path, at is null ? key : $"{at}.{key}",
                $"is not a field of {(at is null ? "a SYSTEM.json" : at)}{(meant is null ? "" : $" (did you mean \"{meant}\"?)")}; the fields are {string.Join(", ", fields.Where(f => f != "$schema"))}");
        }
    }

    JsonObject Object(JsonNode? node, string at) =>
        node as JsonObject ?? throw new ModelFileException(path, at, "must be an object");

    JsonArray RequiredArray(JsonObject o, string key, string at) =>
        o[key] switch
        {
            null => throw Missing(at),
            JsonArray a => a,
            _ => throw new ModelFileException(path, at, "must be an array"),
        };

    string RequiredString(JsonObject o, string key, string at) =>
        OptionalString(o, key, at) ?? throw Missing(at);

    string? OptionalString(JsonObject o, string key, string at) =>
        o[key] is null ? null : StringValue(o[key], at);

    string StringValue(JsonNode? node, string at) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
            : throw new ModelFileException(path, at, "must be a string");

    int? OptionalInt(JsonObject o, string key, string at) =>
        OptionalLong(o, key, at) is long l
            ? l is >= int.MinValue and <= int.MaxValue ? (int)l : throw new ModelFileException(path, at, "out of range")
            : null;

    long? OptionalLong(JsonObject o, string key, string at) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long l) => l,
        _ => throw new ModelFileException(path, at, "must be an integer"),
    };

    double? OptionalDouble(JsonObject o, string key, string at) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) && double.IsFinite(d) => d,
        _ => throw new ModelFileException(path, at, "must be a finite number"),
    };

    bool? OptionalBool(JsonObject o, string key, string at) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw new ModelFileException(path, at, "must be true or false"),
    };
}
