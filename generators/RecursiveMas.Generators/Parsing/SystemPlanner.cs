using System;
using System.Collections.Generic;
using System.Linq;
using RecursiveMas.Dsl;
using RecursiveMas.Generators.Model;

namespace RecursiveMas.Generators.Parsing;

/// <summary>
/// Decides everything about a system's generated code — which turns run, which links fuse, which
/// prompt each stage reads and which local feeds each slot — so the emitter only prints. A system
/// the shared rules reject (any error-severity RMAS problem) gets no code: the analyzers report it,
/// with locations, and the generator stays silent, as the cookbook recommends.
/// </summary>
internal static class SystemPlanner
{
    /// <summary>The generation spec of <paramref name="system"/> (configs applied), or null when nothing should be generated.</summary>
    public static SystemGenerationSpec? Plan(SystemSpec system)
    {
        // A class named like a member it would get (RMAS0014 at its identifier) gets none: the member could not compile.
        if (!AgentPlanner.CanExtend(system.Type) || SystemValidator.ValidateWithAgents(system).Any(p => p.IsError)
            || MemberNameRules.CheckSystem(system, []).Any())
        {
            return null;
        }

        var topology = Topology.Build(system);
        if (topology?.Decoder is null)
        {
            return null;
        }

        // The runtime names agents by class name; two agents with one simple name cannot be told apart there.
        var agents = system.Agents.ToList();
        if (agents.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count() != agents.Count)
        {
            return null;
        }

        var byFullName = agents.ToDictionary(a => a.FullName, StringComparer.Ordinal);
        var byName = agents.ToDictionary(a => a.Name, StringComparer.Ordinal);
        string NameOf(string fullName) => byFullName[fullName].Name;

        var edges = topology.Edges.Select(e => new EdgeGenerationSpec(
            NameOf(e.From),
            NameOf(e.To),
            byFullName[e.From].Type.GlobalName,
            byFullName[e.To].Type.GlobalName,
            e.IsFeedback,
            byFullName[e.From].HiddenSize,
            byFullName[e.To].HiddenSize,
            GeneratedNames.OuterLink(NameOf(e.From), NameOf(e.To)),
            Modifier(byFullName[e.From].Type.Visibility < byFullName[e.To].Type.Visibility ? byFullName[e.From].Type.Visibility : byFullName[e.To].Type.Visibility))).ToList();

        var unrolled = system.Rounds > Limits.MaxUnrolledRounds
            ? ([], [], []) // SolveBatch runs the runtime's loop instead
            : Unroll(system, topology, byFullName, byName, edges);
        if (unrolled is null)
        {
            return null;
        }

        var (turns, stages, senders) = unrolled.Value;
        return new SystemGenerationSpec(
            system.Type,
            Emit.Emitter.HintName(system.Type),
            system.Rounds,
            topology.Pattern,
            system.HasCustomGraph ? EquatableArray<string>.Empty : system.Patterns[0].Agents.Select(NameOf).ToEquatableArray(),
            system.Links.Select(l => new DeclaredLinkSpec(NameOf(l.From), NameOf(l.To), l.FromHiddenSize, l.ToHiddenSize)).ToEquatableArray(),
            NameOf(topology.Decoder),
            agents.Select(AgentPlanner.Plan).ToEquatableArray(),
            edges.ToEquatableArray(),
            senders.ToEquatableArray(),
            stages.ToEquatableArray(),
            turns.ToEquatableArray(),
            system.HasCustomGraph ? null : system.Patterns[0].SearchCorpus);
    }

    // Walks the shared schedule, naming each turn's latent and messages, and collecting the stages and
    // senders it uses. Messages wait as the runtime's MessageBoard keeps them: forward ones for the
    // rest of the round, keyed by (sender, receiver); loop-closing ones for the next round, by receiver.
    static (List<TurnGenerationSpec>, List<StageSpec>, List<SenderSpec>)? Unroll(
        SystemSpec system, Topology topology, Dictionary<string, AgentSpec> byFullName, Dictionary<string, AgentSpec> byName, List<EdgeGenerationSpec> edges)
    {
        var turns = new List<TurnGenerationSpec>();
        var stages = new List<StageSpec>();
        var senders = new List<SenderSpec>();
        var forward = new Dictionary<(string From, string To), string>();
        var feedback = new Dictionary<string, string>(StringComparer.Ordinal);
        var nextFeedback = new Dictionary<string, string>(StringComparer.Ordinal);
        // SolveBatch's parameters and the locals the emitter writes itself.
        var locals = new LocalNames("questions", "options", "run", "answers");
        var round = 1;
        foreach (var turn in TurnSchedule.Turns(topology, system.Rounds))
        {
            if (turn.Round != round)
            {
                (round, feedback, nextFeedback) = (turn.Round, nextFeedback, new Dictionary<string, string>(StringComparer.Ordinal));
                forward.Clear();
            }

            var agent = byFullName[turn.Agent];
            var stageKind = turn.IsFinalDecode ? PromptStage.FinalDecode : turn.Round == 1 ? PromptStage.FirstRound : PromptStage.LaterRounds;
            var stage = StageOf(agent, stageKind, system, topology, byFullName, byName, stages);
            if (stage < 0)
            {
                return null;
            }

            var arguments = new List<string>();
            foreach (var slot in stages[stage].Slots)
            {
                var found = slot.IsFeedback
                    ? feedback.TryGetValue(agent.Name, out var message)
                    : forward.TryGetValue((slot.Sender, agent.Name), out message);
                if (!found)
                {
                    return null;
                }

                arguments.Add(message!);
            }

            if (turn.IsFinalDecode)
            {
                turns.Add(new TurnGenerationSpec(turn.Round, agent.Name, stage, -1, "", arguments.ToEquatableArray(), EquatableArray<string>.Empty));
                continue;
            }

            var sender = SenderOf(agent, turn.Outgoing.Any(e => e.IsFeedback), edges, senders);
            var identifier = GeneratedNames.Identifier(agent.Name);
            var latent = locals.Take(identifier + turn.Round.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var outputs = new List<string>();
            foreach (var index in senders[sender].Edges)
            {
                var edge = edges[index];
                var local = locals.Take(identifier + "To" + edge.To + turn.Round.ToString(System.Globalization.CultureInfo.InvariantCulture));
                outputs.Add(local);
                if (edge.IsFeedback)
                {
                    nextFeedback[edge.To] = local;
                }
                else
                {
                    forward[(edge.From, edge.To)] = local;
                }
            }

            turns.Add(new TurnGenerationSpec(turn.Round, agent.Name, stage, sender, latent, arguments.ToEquatableArray(), outputs.ToEquatableArray()));
        }

        return (turns, stages, senders);
    }

    // The index of the agent's stage, added on first use; -1 when the agent has no prompt for it or a
    // slot names no agent of the system (both rejected by the rules before this runs).
    static int StageOf(AgentSpec agent, PromptStage stage, SystemSpec system, Topology topology,
        Dictionary<string, AgentSpec> byFullName, Dictionary<string, AgentSpec> byName, List<StageSpec> stages)
    {
        var plan = PromptPlan.For(agent, agent.FullName == topology.Decoder, system.Rounds);
        var promptIndex = plan.PromptAt(stage);
        if (promptIndex < 0)
        {
            return -1;
        }

        // Rollouts that read the same prompt in every round share one stage (one method, one field);
        // the final decode always has its own.
        var oneThinkingPrompt = plan.FirstRound < 0 || plan.LaterRounds < 0 || plan.FirstRound == plan.LaterRounds;
        var (field, method) = GeneratedNames.Stage(agent.Name, stage, oneThinkingPrompt);
        var existing = stages.FindIndex(s => s.Method == method);
        if (existing >= 0)
        {
            return existing;
        }

        var slots = new List<SlotSpec>();
        foreach (var segment in agent.Prompts[promptIndex].Template.Parts)
        {
            SlotSpec slot;
            if (segment.Kind == TemplatePartKind.Feedback)
            {
                var from = topology.FeedbackInto(agent.FullName).Select(e => byFullName[e.From]).FirstOrDefault();
                if (from is null)
                {
                    return -1;
                }

                slot = new SlotSpec(true, from.Name, from.Type.GlobalName, "feedback");
            }
            else if (segment.Kind == TemplatePartKind.From)
            {
                if (!byName.TryGetValue(segment.Value, out var from))
                {
                    return -1;
                }

                slot = new SlotSpec(false, from.Name, from.Type.GlobalName, "from" + from.Name);
            }
            else
            {
                continue;
            }

            if (!slots.Contains(slot))
            {
                slots.Add(slot);
            }
        }

        var agentIndex = 0;
        while (system.Agents[agentIndex].FullName != agent.FullName)
        {
            agentIndex++;
        }

        stages.Add(new StageSpec(agentIndex, stage, field, method, slots.ToEquatableArray(), stage != PromptStage.FinalDecode && oneThinkingPrompt));
        return stages.Count - 1;
    }

    // The index of the agent's fused link group (with or without its loop-closing edges), added on first use.
    static int SenderOf(AgentSpec agent, bool includesFeedback, List<EdgeGenerationSpec> edges, List<SenderSpec> senders)
    {
        var existing = senders.FindIndex(s => s.Agent == agent.Name && s.IncludesFeedback == includesFeedback);
        if (existing >= 0)
        {
            return existing;
        }

        var indices = Enumerable.Range(0, edges.Count).Where(i => edges[i].From == agent.Name && (includesFeedback || !edges[i].IsFeedback));
        var withFeedback = includesFeedback && edges.Any(e => e.From == agent.Name && e.IsFeedback);
        senders.Add(new SenderSpec(
            agent.Name,
            includesFeedback,
            indices.ToEquatableArray(),
            GeneratedNames.Sender(agent.Name, withFeedback)));
        return senders.Count - 1;
    }

    // TypedOuterLink<TFrom, TTo> can be no more visible than its agent types.
    static string Modifier(TypeVisibility visibility) => visibility switch
    {
        TypeVisibility.Public => "public",
        TypeVisibility.Internal => "internal",
        _ => "private",
    };
}
