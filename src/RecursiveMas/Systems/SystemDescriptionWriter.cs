using System.Text.Json.Nodes;
using RecursiveMas.Links;

namespace RecursiveMas.Systems;

/// <summary><see cref="SystemDescription"/> → SYSTEM.json; <see cref="SystemDescriptionReader"/> reads it back to an equal description.</summary>
internal static class SystemDescriptionWriter
{
    public static JsonObject Write(SystemDescription s)
    {
        var root = new JsonObject
        {
            ["format"] = SystemDescription.FormatName,
            ["name"] = s.Name,
            ["rounds"] = s.Rounds,
            ["modelRoot"] = s.ModelRoot,
            ["linksDir"] = s.LinksDirectory,
            ["innerLink"] = s.InnerLink.ConfigName(),
            ["outerLink"] = s.OuterLink.ConfigName(),
            ["pattern"] = Pattern(s.Pattern),
            ["agents"] = new JsonArray(s.Agents.Select(Agent).ToArray<JsonNode?>()),
            ["decoding"] = new JsonObject
            {
                ["maxNewTokens"] = s.Decoding.MaxNewTokens,
                ["temperature"] = s.Decoding.Temperature,
                ["topP"] = s.Decoding.TopP,
                ["topK"] = s.Decoding.TopK,
                ["seed"] = s.Decoding.Seed,
                ["retryWithoutBoxedAnswer"] = s.Decoding.RetryWithoutBoxedAnswer,
                ["retryTokens"] = s.Decoding.RetryTokens,
            },
            ["singleAgentPrompt"] = s.SingleAgentPrompt,
            ["textMessageTokens"] = s.TextMessageTokens,
        };
        if (s.ToolCorpus is not null)
            root["toolCorpus"] = s.ToolCorpus;
        if (s.ReleasedLinks is { } released)
            root["releasedLinks"] = ReleasedLinks(released);
        return root;
    }

    static JsonObject ReleasedLinks(ReleasedLinksDescription r) => new()
    {
        ["task"] = r.Task,
        ["inner"] = new JsonArray(r.Inner.Select(i => (JsonNode?)new JsonObject { ["agent"] = i.Agent, ["folder"] = i.Folder }).ToArray()),
        ["outerFolder"] = r.OuterFolder,
        ["outer"] = new JsonArray(r.Outer.Select(l => (JsonNode?)new JsonObject { ["key"] = l.Key, ["from"] = l.From, ["to"] = l.To }).ToArray()),
    };

    static JsonObject Pattern(PatternDescription p)
    {
        JsonArray Names(IEnumerable<string> names) => new(names.Select(n => (JsonNode?)n).ToArray());
        return p.Kind switch
        {
            CollaborationPattern.Sequential => new JsonObject { ["kind"] = "sequential", ["agents"] = Names(p.Agents) },
            CollaborationPattern.Mixture => new JsonObject { ["kind"] = "mixture", ["summarizer"] = p.Agents[0], ["experts"] = Names(p.Agents.Skip(1)) },
            CollaborationPattern.Distillation => new JsonObject { ["kind"] = "distillation", ["expert"] = p.Agents[0], ["learner"] = p.Agents[1] },
            CollaborationPattern.Deliberation => new JsonObject { ["kind"] = "deliberation", ["reflector"] = p.Agents[0], ["toolCaller"] = p.Agents[1] },
            _ => new JsonObject
            {
                ["kind"] = "custom",
                ["links"] = new JsonArray(p.Links.Select(l => (JsonNode?)new JsonObject
                {
                    ["from"] = l.From,
                    ["to"] = l.To,
                    ["fromHiddenSize"] = l.FromHiddenSize,
                    ["toHiddenSize"] = l.ToHiddenSize,
                }).ToArray()),
                ["decoder"] = p.Decoder,
            },
        };
    }

    static JsonObject Agent(AgentDescription a)
    {
        var o = new JsonObject
        {
            ["name"] = a.Name,
            ["model"] = a.Model,
            ["hiddenSize"] = a.HiddenSize,
            ["latentSteps"] = a.LatentSteps,
        };
        if (a.Role is not null)
            o["role"] = a.Role;
        if (a.SystemPrompt is not null)
            o["systemPrompt"] = a.SystemPrompt;
        o["prompts"] = new JsonArray(a.Prompts.Select(p => (JsonNode?)new JsonObject
        {
            ["use"] = p.Use switch
            {
                PromptUse.FirstRound => "firstRound",
                PromptUse.LaterRounds => "laterRounds",
                PromptUse.Decode => "decode",
                _ => "always",
            },
            ["template"] = p.Template,
        }).ToArray());
        return o;
    }
}
