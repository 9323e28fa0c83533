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

        var agents = RequiredArray(root, "agents", "agents").Select((node, i) => ReadAgent(node, $"agents[{i}]")).ToList();
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
            TextMessageTokens = OptionalInt(root, "textMessageTokens", "textMessageTokens") ?? 256,
            SourcePath = path,
        };
    }

    AgentDescription ReadAgent(JsonNode? node, string at)
    {
        var o = Object(node, at);
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

    PatternDescription ReadPattern(JsonNode node)
    {
        var o = Object(node, "pattern");
        string kind = RequiredString(o, "kind", "pattern.kind");
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
        return new LinkDescription(
            RequiredString(o, "from", at + ".from"),
            RequiredString(o, "to", at + ".to"),
            OptionalInt(o, "fromHiddenSize", at + ".fromHiddenSize") ?? 0,
            OptionalInt(o, "toHiddenSize", at + ".toHiddenSize") ?? 0);
    }

    ReleasedLinksDescription ReadReleasedLinks(JsonObject o)
    {
        const string at = "releasedLinks";
        var inner = RequiredArray(o, "inner", at + ".inner").Select((n, i) =>
        {
            var e = Object(n, $"{at}.inner[{i}]");
            return new ReleasedInnerLink(RequiredString(e, "agent", $"{at}.inner[{i}].agent"), RequiredString(e, "folder", $"{at}.inner[{i}].folder"));
        }).ToList();
        var outer = RequiredArray(o, "outer", at + ".outer").Select((n, i) =>
        {
            var e = Object(n, $"{at}.outer[{i}]");
            return new ReleasedOuterLink(RequiredString(e, "key", $"{at}.outer[{i}].key"),
                RequiredString(e, "from", $"{at}.outer[{i}].from"), RequiredString(e, "to", $"{at}.outer[{i}].to"));
        }).ToList();
        return new ReleasedLinksDescription(OptionalString(o, "task", at + ".task"), inner, RequiredString(o, "outerFolder", at + ".outerFolder"), outer);
    }

    DecodingDescription ReadDecoding(JsonObject o) => new()
    {
        MaxNewTokens = OptionalInt(o, "maxNewTokens", "decoding.maxNewTokens") ?? 256,
        Temperature = OptionalDouble(o, "temperature", "decoding.temperature") ?? 0,
        TopP = OptionalDouble(o, "topP", "decoding.topP") ?? 1,
        TopK = OptionalInt(o, "topK", "decoding.topK") ?? 0,
        Seed = OptionalLong(o, "seed", "decoding.seed"),
        RetryWithoutBoxedAnswer = OptionalBool(o, "retryWithoutBoxedAnswer", "decoding.retryWithoutBoxedAnswer") ?? true,
        RetryTokens = OptionalInt(o, "retryTokens", "decoding.retryTokens") ?? 16,
    };

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
