using RecursiveMas.Dsl;

namespace RecursiveMas.Systems;

/// <summary>A directed edge of a system's graph; loop-closing (feedback) edges carry messages into the next round.</summary>
public sealed record SystemEdge(string From, string To, bool IsFeedback);

/// <summary>
/// The executable shape of a <see cref="SystemDescription"/>: its edges, which of them close the
/// loop, the decoder and the order agents run in within a round. Built and checked by the same
/// code the DSL's analyzers use (generators/RecursiveMas.Dsl.Shared), so a SYSTEM.json is rejected
/// for exactly the reasons an attributed system fails to compile, with the same RMAS messages.
/// </summary>
public sealed class SystemPlan
{
    private SystemPlan(SystemDescription description, Topology topology, IReadOnlyList<string> warnings)
    {
        Description = description;
        Warnings = warnings;
        Topology = topology;
        Order = [.. topology.Order];
        Edges = [.. topology.Edges.Select(e => new SystemEdge(e.From, e.To, e.IsFeedback))];
        Decoder = topology.Decoder!;
        First = topology.First;
    }

    public SystemDescription Description { get; }

    /// <summary>The DSL's topology this plan was built from (what <see cref="RoundSchedule"/> and generated code schedule).</summary>
    internal Topology Topology { get; }

    /// <summary>Agents in run order within a round.</summary>
    public IReadOnlyList<string> Order { get; }

    public IReadOnlyList<SystemEdge> Edges { get; }

    /// <summary>The agent that decodes text in the last round.</summary>
    public string Decoder { get; }

    /// <summary>The agent the loop starts from.</summary>
    public string First { get; }

    public int Rounds => Description.Rounds;

    /// <summary>
    /// The DSL's warnings about the description, as its analyzers word them (RMAS2007 "looks like a placeholder but is
    /// not one", RMAS2010 "no {question} slot", RMAS0004 more rounds than is sane, …): the system runs, but most likely
    /// not as its author meant. A hand-written SYSTEM.json has no compiler to show them, so a host prints these.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Edges into <paramref name="agent"/>.</summary>
    public IEnumerable<SystemEdge> Into(string agent) => Edges.Where(e => e.To == agent);

    /// <summary>
    /// The agent whose message fills <paramref name="slot"/> of <paramref name="agent"/>'s prompt: the named
    /// sender of a <c>{from:X}</c> slot, the sender of the feedback edge into the agent for <c>{feedback}</c>;
    /// null when no agent sends it.
    /// </summary>
    public string? SenderOf(string agent, string slot) =>
        slot == Latent.AgentPrompt.FeedbackSlot ? Into(agent).FirstOrDefault(e => e.IsFeedback)?.From
        : slot.StartsWith(Latent.AgentPrompt.FromSlot(""), StringComparison.Ordinal) ? slot[Latent.AgentPrompt.FromSlot("").Length..]
        : null;

    /// <summary>Edges out of <paramref name="agent"/>.</summary>
    public IEnumerable<SystemEdge> OutOf(string agent) => Edges.Where(e => e.From == agent);

    /// <summary>True when <paramref name="from"/> reaches <paramref name="to"/> along forward edges.</summary>
    public bool ReachesForward(string from, string to) => Topology.ReachesForward(from, to);

    /// <summary>
    /// Validates and plans <paramref name="description"/>. <paramref name="hiddenSizes"/> (agent → config.json
    /// hidden_size, with the config path) enables the dimension checks. Problems that are errors throw a
    /// <see cref="ModelFileException"/> naming the description file and listing every RMAS message.
    /// </summary>
    public static SystemPlan Build(SystemDescription description, IReadOnlyDictionary<string, (int HiddenSize, string ConfigPath)>? hiddenSizes = null)
    {
        string file = description.SourcePath ?? $"system {description.Name}";
        var names = description.Agents.Select(a => a.Name).ToList();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ModelFileException(file, "agents", $"two agents are called {duplicate.Key}");

        var spec = ToSpec(description, hiddenSizes);
        var problems = SystemValidator.ValidateWithAgents(spec);
        var errors = problems.Where(p => p.IsError).ToList();
        var mentioned = spec.Mentions().Select(m => m.Type).ToHashSet();
        var unused = names.Where(n => !mentioned.Contains(n)).ToList();
        if (errors.Count > 0 || unused.Count > 0)
        {
            var lines = errors.Select(DiagnosticText.Format).ToList();
            lines.AddRange(unused.Select(n => $"agent {n} is declared but not part of the pattern"));
            throw new ModelFileException(file, "pattern", "the system is not valid:\n  " + string.Join("\n  ", lines));
        }
        // Without hiddenSizes the models are read later (or never: eval, pretrain), so "no config.json found" says nothing.
        var warnings = problems
            .Where(p => DiagnosticText.For(p.Kind).Severity == ProblemSeverity.Warning && p.Kind != DiagnosticKind.HiddenSizeUnknown)
            .Select(DiagnosticText.Format).ToList();
        return new SystemPlan(description, Topology.Build(spec)!, warnings);
    }

    /// <summary>The description in the DSL's model (what the attributes of the same system would give).</summary>
    internal static SystemSpec ToSpec(SystemDescription d, IReadOnlyDictionary<string, (int HiddenSize, string ConfigPath)>? hiddenSizes)
    {
        // Not "in source": the partial-class rule (RMAS0002) is about C# declarations, not JSON.
        static TypeRef Type(string name) => new(name, name, "", "class", IsPartial: true, IsInSource: false, EquatableArray<ContainingTypeSpec>.Empty);

        var agents = d.Agents.Select(a =>
        {
            var config = hiddenSizes is not null && hiddenSizes.TryGetValue(a.Name, out var known)
                ? new ConfigJsonFacts(ConfigJsonStatus.Valid, known.ConfigPath, known.HiddenSize, null, 0, null)
                : ConfigJsonFacts.NotFound;
            var prompts = a.Prompts.Select((p, i) => new PromptSpec((PromptUseKind)(int)p.Use, PromptTemplate.Parse(p.Template), i + 1));
            return new AgentSpec(Type(a.Name), 0, a.Model, a.HiddenSize, config, a.LatentSteps, a.Role ?? a.Name, prompts.ToEquatableArray());
        }).ToList();

        var patterns = EquatableArray<PatternSpec>.Empty;
        var links = EquatableArray<LinkSpec>.Empty;
        var decoders = EquatableArray<DecoderSpec>.Empty;
        if (d.Pattern.Kind == CollaborationPattern.Custom)
        {
            links = d.Pattern.Links.Select((l, i) => new LinkSpec(l.From, l.To, l.FromHiddenSize, l.ToHiddenSize, i + 1)).ToEquatableArray();
            if (d.Pattern.Decoder is not null)
                decoders = EquatableArray.Create(new DecoderSpec(d.Pattern.Decoder, d.Pattern.Links.Count + 1));
        }
        else
        {
            patterns = EquatableArray.Create(new PatternSpec((PatternKind)(int)d.Pattern.Kind, d.Pattern.Agents.ToEquatableArray(), 1));
        }

        var mentioned = d.Pattern.Kind == CollaborationPattern.Custom
            ? d.Pattern.Links.SelectMany(l => new[] { l.From, l.To }).Concat(d.Pattern.Decoder is null ? [] : [d.Pattern.Decoder])
            : d.Pattern.Agents;
        var distinct = mentioned.Distinct().ToList();
        var known = agents.ToDictionary(a => a.Name);
        return new SystemSpec(
            Type(d.Name),
            d.Rounds,
            0,
            patterns,
            links,
            decoders,
            distinct.Where(known.ContainsKey).Select(n => known[n]).ToEquatableArray(),
            distinct.Where(n => !known.ContainsKey(n)).ToEquatableArray());
    }
}
