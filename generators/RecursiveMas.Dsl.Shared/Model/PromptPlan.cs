using System.Collections.Generic;

namespace RecursiveMas.Dsl;

/// <summary>When an agent reads a prompt during a run of a system.</summary>
internal enum PromptStage
{
    /// <summary>The latent rollout of round 1.</summary>
    FirstRound,

    /// <summary>The latent rollouts of rounds 2 and later.</summary>
    LaterRounds,

    /// <summary>The decoder's text decode at the end of the last round (it replaces the decoder's last rollout).</summary>
    FinalDecode,
}

/// <summary>
/// Which of an agent's prompts it reads at each stage of a run with <see cref="Rounds"/> rounds.
/// Round 1 uses the <c>FirstRound</c> prompt, else <c>Always</c>; rounds 2 and later use
/// <c>LaterRounds</c>, else <c>Always</c>; the decoder's final decode uses <c>Decode</c>, else the
/// prompt of its last round. The decoder does not roll out in the last round: it decodes instead.
/// </summary>
/// <param name="Rounds">n, the system's round count.</param>
/// <param name="IsDecoder">Whether the agent decodes the answer.</param>
/// <param name="FirstRound">Index into the agent's prompts for round 1's rollout; -1 when there is none (or no such rollout).</param>
/// <param name="LaterRounds">Index for the rollouts of rounds 2 and later; -1 when there is none (or no such rollout).</param>
/// <param name="FinalDecode">Index for the final decode; -1 when there is none (or the agent does not decode).</param>
internal sealed record PromptPlan(int Rounds, bool IsDecoder, int FirstRound, int LaterRounds, int FinalDecode)
{
    /// <summary>Whether the agent rolls out in round 1 (every agent but a decoder of a one-round system).</summary>
    public bool HasFirstRoundRollout => !IsDecoder || Rounds >= 2;

    /// <summary>Whether the agent rolls out in some round after the first.</summary>
    public bool HasLaterRoundsRollout => IsDecoder ? Rounds >= 3 : Rounds >= 2;

    /// <summary>The stages the agent goes through, in run order.</summary>
    public IEnumerable<PromptStage> Stages
    {
        get
        {
            if (HasFirstRoundRollout)
            {
                yield return PromptStage.FirstRound;
            }

            if (HasLaterRoundsRollout)
            {
                yield return PromptStage.LaterRounds;
            }

            if (IsDecoder)
            {
                yield return PromptStage.FinalDecode;
            }
        }
    }

    /// <summary>The prompt index the agent reads at <paramref name="stage"/>; -1 for none.</summary>
    public int PromptAt(PromptStage stage) => stage switch
    {
        PromptStage.FirstRound => FirstRound,
        PromptStage.LaterRounds => LaterRounds,
        _ => FinalDecode,
    };

    /// <summary>Whether <paramref name="stage"/> happens in round 2 or later, where a loop-closing message exists.</summary>
    public bool IsAfterFirstRound(PromptStage stage) =>
        stage == PromptStage.LaterRounds || (stage == PromptStage.FinalDecode && Rounds >= 2);

    /// <summary>Chooses the prompts of <paramref name="agent"/> for a run of <paramref name="rounds"/> rounds.</summary>
    public static PromptPlan For(AgentSpec agent, bool isDecoder, int rounds)
    {
        var always = Find(agent, PromptUseKind.Always);
        var first = Or(Find(agent, PromptUseKind.FirstRound), always);
        var later = Or(Find(agent, PromptUseKind.LaterRounds), always);
        var lastRound = rounds >= 2 ? later : first;
        var plan = new PromptPlan(rounds, isDecoder, -1, -1, -1);
        return plan with
        {
            FirstRound = plan.HasFirstRoundRollout ? first : -1,
            LaterRounds = plan.HasLaterRoundsRollout ? later : -1,
            FinalDecode = isDecoder ? Or(Find(agent, PromptUseKind.Decode), lastRound) : -1,
        };
    }

    // The first prompt with that use; a second one is a diagnostic (RMAS2008), not a choice.
    static int Find(AgentSpec agent, PromptUseKind use)
    {
        for (var i = 0; i < agent.Prompts.Count; i++)
        {
            if (agent.Prompts[i].Use == use)
            {
                return i;
            }
        }

        return -1;
    }

    static int Or(int index, int fallback) => index >= 0 ? index : fallback;
}
