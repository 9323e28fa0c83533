using System;
using System.Collections.Generic;
using System.Linq;

namespace RecursiveMas.Dsl;

/// <summary>
/// The rules about a <c>[RecursiveSystem]</c> class: its declaration, its pattern, its graph, its
/// links' widths, and its agents' prompts against its edges. Rules run in phases; a phase runs only
/// when the ones before it found no error, so one mistake gives one diagnostic rather than a cascade
/// (a system whose pattern names a non-agent is not also told its prompts lack a slot).
/// </summary>
internal static class SystemValidator
{
    /// <summary>The problems of <paramref name="system"/> itself; its agents' own problems come from <see cref="AgentValidator"/>.</summary>
    public static IReadOnlyList<Problem> Validate(SystemSpec system)
    {
        var problems = new List<Problem>();
        problems.AddRange(PartialRules.Check(system.Type, "a system"));
        problems.AddRange(TypeShapeRules.CheckSystem(system.Type));
        problems.AddRange(CheckDeclaration(system));
        problems.AddRange(CheckLinkWidths(system));
        if (problems.Any(p => p.IsError))
        {
            return problems;
        }

        var topology = Topology.Build(system);
        if (topology is null)
        {
            return problems;
        }

        problems.AddRange(CheckGraph(system, topology));
        if (!problems.Any(p => p.IsError))
        {
            problems.AddRange(topology.Order.SelectMany(agent => CheckPrompts(system, topology, system.FindAgent(agent)!)));
        }

        return problems;
    }

    /// <summary>
    /// Everything that stops the generator from emitting <paramref name="system"/>: its problems and
    /// those of every agent it names.
    /// </summary>
    public static IReadOnlyList<Problem> ValidateWithAgents(SystemSpec system) =>
        Validate(system).Concat(system.Agents.SelectMany(AgentValidator.Validate)).ToList();

    static IEnumerable<Problem> CheckDeclaration(SystemSpec system)
    {
        var owner = system.Type.FullName;
        var anchors = PatternAnchors(system).ToList();
        if (system.SystemAttributeIndex < 0)
        {
            if (anchors.Count > 0)
            {
                yield return Problem.Create(DiagnosticKind.PatternWithoutSystem, Site.Attribute(owner, anchors[0].Index), anchors[0].Name, system.Name);
            }
        }
        else if (system.Rounds < 1)
        {
            yield return Problem.Create(DiagnosticKind.RoundsTooSmall, Site.Named(owner, system.SystemAttributeIndex, "Rounds"), system.Rounds);
        }
        else if (system.Rounds > Limits.MaxRounds)
        {
            yield return Problem.Create(DiagnosticKind.RoundsTooLarge, Site.Named(owner, system.SystemAttributeIndex, "Rounds"), system.Rounds, Limits.MaxRounds);
        }

        var mentions = system.Mentions().ToList();
        foreach (var (type, site) in mentions.Where(m => m.Type.Length > 0 && system.FindAgent(m.Type) is null))
        {
            yield return Problem.Create(DiagnosticKind.NotAnAgent, site, type, system.Name);
        }

        foreach (var (type, site) in mentions)
        {
            if (system.FindAgent(type) is { } agent)
            {
                foreach (var problem in TypeShapeRules.CheckMention(agent, site))
                {
                    yield return problem;
                }
            }
        }

        if (anchors.Count == 0)
        {
            yield return Problem.Create(DiagnosticKind.NoPattern, Site.Declaration(owner), system.Name);
            yield break;
        }

        foreach (var extra in anchors.Skip(1))
        {
            yield return Problem.Create(DiagnosticKind.MoreThanOnePattern, Site.Attribute(owner, extra.Index), extra.Name, anchors[0].Name, system.Name);
        }

        foreach (var pattern in system.Patterns)
        {
            if (pattern.Agents.Count < Topology.MinimumAgents(pattern.Kind))
            {
                var (needs, has) = pattern.Kind == PatternKind.Mixture
                    ? ("a summarizer and at least 2 experts", Count(pattern.Agents.Count - 1, "expert"))
                    : ("at least 2 agents", Count(pattern.Agents.Count, "agent"));
                yield return Problem.Create(DiagnosticKind.TooFewAgents, Site.Attribute(owner, pattern.AttributeIndex), pattern.Kind, needs, has);
            }

            var seen = new HashSet<string>();
            for (var i = 0; i < pattern.Agents.Count; i++)
            {
                if (pattern.Agents[i].Length > 0 && !seen.Add(pattern.Agents[i]))
                {
                    yield return Problem.Create(DiagnosticKind.DuplicateAgent, Site.Argument(owner, pattern.AttributeIndex, i), ShortName(pattern.Agents[i]), pattern.Kind);
                }
            }
        }

        if (system.Links.Count == 0 && system.Decoders.Count > 0 && system.Patterns.Count == 0)
        {
            yield return Problem.Create(DiagnosticKind.TooFewAgents, Site.Attribute(owner, system.Decoders[0].AttributeIndex), "A custom graph", "at least one [Link]", "none");
        }

        var links = new HashSet<(string, string)>();
        foreach (var link in system.Links.Where(l => !links.Add((l.From, l.To)) && l.From.Length > 0 && l.To.Length > 0))
        {
            yield return Problem.Create(DiagnosticKind.DuplicateLink, Site.Attribute(owner, link.AttributeIndex), ShortName(link.From), ShortName(link.To));
        }

        foreach (var group in system.Agents.GroupBy(a => a.Name).Where(g => g.Count() > 1))
        {
            var first = group.First();
            foreach (var other in group.Skip(1))
            {
                var site = mentions.First(m => m.Type == other.FullName).Site;
                yield return Problem.Create(DiagnosticKind.AmbiguousAgentName, site, group.Key, first.FullName, other.FullName, system.Name);
            }
        }

        // Training texts keyed by a role go to the agent of that role, and links are looked up under roles, compared ignoring
        // case as Windows' and macOS's file systems compare file names: two agents of one role (a Role, or the class name
        // of an agent without one) got each other's texts and links, silently. Equal class names are RMAS0012's.
        var roles = new List<AgentSpec>();
        foreach (var agent in system.Agents)
        {
            if (roles.FirstOrDefault(r => r.Name != agent.Name && string.Equals(r.Role, agent.Role, System.StringComparison.OrdinalIgnoreCase)) is { } earlier)
            {
                var site = mentions.First(m => m.Type == agent.FullName).Site;
                yield return Problem.Create(DiagnosticKind.SharedRole, site, earlier.Name, agent.Name, earlier.Role, system.Name);
            }

            roles.Add(agent);
        }
    }

    static IEnumerable<Problem> CheckLinkWidths(SystemSpec system)
    {
        var owner = system.Type.FullName;
        foreach (var link in system.Links)
        {
            foreach (var (property, declared, agent) in new[] { ("FromHiddenSize", link.FromHiddenSize, link.From), ("ToHiddenSize", link.ToHiddenSize, link.To) })
            {
                var site = Site.Named(owner, link.AttributeIndex, property);
                if (declared < 0)
                {
                    yield return Problem.Create(DiagnosticKind.NegativeHiddenSize, site, property, declared);
                }
                else if (declared > 0 && system.FindAgent(agent) is { HiddenSize: > 0 } spec && spec.HiddenSize != declared)
                {
                    yield return Problem.Create(DiagnosticKind.LinkHiddenSizeMismatch, site, property, declared, spec.Name, spec.HiddenSize);
                }
            }
        }
    }

    static IEnumerable<Problem> CheckGraph(SystemSpec system, Topology topology)
    {
        if (topology.Pattern != PatternKind.Custom)
        {
            yield break;
        }

        var owner = system.Type.FullName;
        var first = Name(system, topology.First);
        if (system.Decoders.Count == 0)
        {
            yield return Problem.Create(DiagnosticKind.NoDecoder, Site.Declaration(owner), system.Name);
        }

        foreach (var extra in system.Decoders.Skip(1))
        {
            yield return Problem.Create(DiagnosticKind.MultipleDecoders, Site.Attribute(owner, extra.AttributeIndex), system.Name);
        }

        if (system.Decoders.Count == 1 && topology.Decoder is null && system.Decoders[0].Agent.Length > 0)
        {
            yield return Problem.Create(DiagnosticKind.DecoderNotInGraph, Site.Argument(owner, system.Decoders[0].AttributeIndex, 0), Name(system, system.Decoders[0].Agent), system.Name);
        }

        foreach (var agent in topology.Unreachable)
        {
            var site = system.Mentions().First(m => m.Type == agent && system.Links.Any(l => l.AttributeIndex == m.Site.Index)).Site;
            yield return Problem.Create(DiagnosticKind.UnreachableAgent, site, Name(system, agent), first, system.Name);
        }

        // Walked backwards from the decoder over every link, loop-closing ones included.
        if (topology.Decoder is { } decodes)
        {
            var reaching = new HashSet<string> { decodes };
            for (var grew = true; grew;)
            {
                grew = false;
                foreach (var edge in topology.Edges)
                {
                    if (reaching.Contains(edge.To) && reaching.Add(edge.From))
                    {
                        grew = true;
                    }
                }
            }

            foreach (var agent in topology.Order.Where(a => !reaching.Contains(a) && !topology.Unreachable.Contains(a)))
            {
                var site = system.Mentions().First(m => m.Type == agent && system.Links.Any(l => l.AttributeIndex == m.Site.Index)).Site;
                yield return Problem.Create(DiagnosticKind.DeadEndAgent, site, Name(system, agent), Name(system, decodes), system.Name);
            }

            // One round delivers no loop-closing message (it is read in the next round), and the last round runs only the
            // agents with a forward path to the decoder (TurnSchedule): such an agent never ran, and the decoder read nothing of it.
            if (system.Rounds == 1)
            {
                foreach (var agent in topology.Order.Where(a => reaching.Contains(a) && !topology.Unreachable.Contains(a) && !topology.ReachesForward(a, decodes)))
                {
                    var site = system.Mentions().First(m => m.Type == agent && system.Links.Any(l => l.AttributeIndex == m.Site.Index)).Site;
                    yield return Problem.Create(DiagnosticKind.NeverRunsInOneRound, site, Name(system, agent), Name(system, decodes), system.Name);
                }
            }
        }

        foreach (var group in topology.Edges.Where(e => e.IsFeedback).GroupBy(e => e.To).Where(g => g.Count() > 1))
        {
            foreach (var extra in group.Skip(1))
            {
                var site = Site.Attribute(owner, system.Links[extra.LinkIndex].AttributeIndex);
                yield return Problem.Create(DiagnosticKind.MultipleFeedback, site, Name(system, group.Key), Name(system, group.First().From), Name(system, extra.From), system.Name);
            }
        }

        if (system.Rounds > 1 && topology.Decoder is { } decoder && !topology.HasPath(decoder, topology.First))
        {
            var site = Site.Argument(owner, system.Decoders[0].AttributeIndex, 0);
            yield return Problem.Create(DiagnosticKind.LoopNotClosed, site, Name(system, decoder), first, system.Name, system.Rounds);
        }
    }

    static IEnumerable<Problem> CheckPrompts(SystemSpec system, Topology topology, AgentSpec agent)
    {
        var plan = PromptPlan.For(agent, agent.FullName == topology.Decoder, system.Rounds);
        var senders = topology.ForwardSources(agent.FullName).Select(s => Name(system, s)).ToList();
        var feedbackFrom = topology.FeedbackInto(agent.FullName).Select(e => Name(system, e.From)).FirstOrDefault();
        Site PromptSite(PromptSpec prompt) => Site.Argument(agent.FullName, prompt.AttributeIndex, 0);

        foreach (var stage in plan.Stages.Where(s => plan.PromptAt(s) < 0))
        {
            yield return Problem.Create(DiagnosticKind.MissingPrompt, Site.Declaration(agent.FullName), agent.Name, Describe(stage), system.Name);
        }

        // Only the decoder makes the final text decode (PromptPlan): a Decode prompt anywhere else is read by nothing.
        if (!plan.IsDecoder && topology.Decoder is { } decoder)
        {
            foreach (var prompt in agent.Prompts.Where(p => p.Use == PromptUseKind.Decode))
            {
                yield return Problem.Create(DiagnosticKind.DecodePromptNotOnDecoder, Site.Attribute(agent.FullName, prompt.AttributeIndex), agent.Name, Name(system, decoder), system.Name);
            }
        }

        // Only rollouts after round 1 read a LaterRounds prompt: one round has none. The first such prompt is the one a
        // later round would read; a second is RMAS2008 already.
        if (system.Rounds == 1 && agent.Prompts.FirstOrDefault(p => p.Use == PromptUseKind.LaterRounds) is { } later)
        {
            yield return Problem.Create(DiagnosticKind.LaterRoundsPromptInOneRound, Site.Attribute(agent.FullName, later.AttributeIndex), agent.Name, system.Name);
        }

        // A prompt is read where PromptPlan puts it, and one that no stage reads was ignored without a word. Left to their own
        // diagnostics: a second prompt of one use (RMAS2008), a use that is none (RMAS2011), a Decode prompt off the decoder
        // (RMAS2013), a LaterRounds prompt in one round (RMAS2014).
        var read = new HashSet<int>(plan.Stages.Select(plan.PromptAt).Where(i => i >= 0));
        for (var i = 0; i < agent.Prompts.Count; i++)
        {
            var use = agent.Prompts[i].Use;
            if (read.Contains(i) || !Enum.IsDefined(typeof(PromptUseKind), use) || agent.Prompts.Take(i).Any(p => p.Use == use)
                || (use == PromptUseKind.Decode && !plan.IsDecoder) || (use == PromptUseKind.LaterRounds && system.Rounds == 1))
            {
                continue;
            }

            var reads = plan.Stages.Where(s => plan.PromptAt(s) >= 0)
                .Select(s => "the " + agent.Prompts[plan.PromptAt(s)].Use + " prompt in " + DescribeRounds(plan, s)).ToList();
            var listed = reads.Count == 1 ? reads[0] : string.Join(", ", reads.Take(reads.Count - 1)) + " and " + reads[reads.Count - 1];
            yield return Problem.Create(DiagnosticKind.PromptNeverRead, Site.Attribute(agent.FullName, agent.Prompts[i].AttributeIndex), agent.Name,
                use.ToString(), system.Name, Count(system.Rounds, "round"), listed);
        }

        var used = plan.Stages
            .Where(s => plan.PromptAt(s) >= 0)
            .GroupBy(plan.PromptAt)
            .OrderBy(g => g.Key);
        foreach (var stages in used)
        {
            var prompt = agent.Prompts[stages.Key];
            var fromAgents = prompt.Template.FromAgents.ToList();
            foreach (var sender in senders.Where(s => !fromAgents.Contains(s)))
            {
                yield return Problem.Create(DiagnosticKind.MissingFromSlot, PromptSite(prompt), agent.Name, sender, system.Name);
            }

            if (feedbackFrom is null)
            {
                continue;
            }

            if (prompt.Template.HasFeedback && stages.Any(s => !plan.IsAfterFirstRound(s)))
            {
                yield return Problem.Create(DiagnosticKind.FeedbackInFirstRound, PromptSite(prompt), agent.Name, system.Name);
            }

            if (!prompt.Template.HasFeedback && stages.Any(plan.IsAfterFirstRound))
            {
                yield return Problem.Create(DiagnosticKind.MissingFeedbackSlot, PromptSite(prompt), agent.Name, feedbackFrom, system.Name);
            }
        }

        var names = system.Agents.Select(a => a.Name).ToList();
        foreach (var prompt in agent.Prompts)
        {
            foreach (var named in prompt.Template.FromAgents)
            {
                if (!names.Contains(named))
                {
                    yield return Problem.Create(DiagnosticKind.FromUnknownAgent, PromptSite(prompt), named, agent.Name, system.Name);
                }
                else if (!senders.Contains(named))
                {
                    var hint = named == feedbackFrom
                        ? "; its message to this agent closes the loop, so read it with {feedback} in a LaterRounds prompt"
                        : "";
                    yield return Problem.Create(DiagnosticKind.FromNotASender, PromptSite(prompt), named, agent.Name, system.Name, hint);
                }
            }

            if (feedbackFrom is null && prompt.Template.HasFeedback)
            {
                yield return Problem.Create(DiagnosticKind.FeedbackWithoutLoop, PromptSite(prompt), agent.Name, system.Name);
            }
        }
    }

    // Each built-in pattern attribute, and the custom graph at its first [Link] or [Decoder], by position.
    static IEnumerable<(int Index, string Name)> PatternAnchors(SystemSpec system)
    {
        var anchors = system.Patterns.Select(p => (p.AttributeIndex, "[" + p.Kind + "]")).ToList();
        var custom = system.Links.Select(l => (l.AttributeIndex, "[Link]"))
            .Concat(system.Decoders.Select(d => (d.AttributeIndex, "[Decoder]")))
            .OrderBy(a => a.AttributeIndex)
            .Take(1);
        return anchors.Concat(custom).OrderBy(a => a.AttributeIndex);
    }

    static string Describe(PromptStage stage) => stage switch
    {
        PromptStage.FirstRound => "round 1",
        PromptStage.LaterRounds => "rounds 2 and later",
        _ => "the final decode",
    };

    // Which rounds a stage of this plan covers: the decoder's last round is its final decode, not a rollout.
    static string DescribeRounds(PromptPlan plan, PromptStage stage)
    {
        var lastRollout = plan.IsDecoder ? plan.Rounds - 1 : plan.Rounds;
        return stage switch
        {
            PromptStage.FirstRound => "round 1",
            PromptStage.LaterRounds => lastRollout == 2 ? "round 2" : lastRollout == 3 ? "rounds 2 and 3" : "rounds 2 to " + lastRollout,
            _ => "the final decode (round " + plan.Rounds + ")",
        };
    }

    static string Count(int count, string noun) => count + " " + noun + (count == 1 ? "" : "s");

    static string Name(SystemSpec system, string fullName) => system.FindAgent(fullName)?.Name ?? ShortName(fullName);

    static string ShortName(string fullName) => fullName.Substring(fullName.LastIndexOf('.') + 1);
}
