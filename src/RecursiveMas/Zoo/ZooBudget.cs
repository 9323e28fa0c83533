using RecursiveMas.Training;

namespace RecursiveMas.Zoo;

/// <summary>
/// How much data, capacity and training the zoo gets. <see cref="Shipped"/> is what examples/zoo was
/// built with (its CPU time is in examples/zoo/README.md; the budget is 90 CPU-minutes,
/// single-threaded); <see cref="Tiny"/> is for tests (seconds).
/// </summary>
public sealed record ZooBudget
{
    /// <summary>Training examples of the standard split (2–4 operations).</summary>
    public int TrainPerTask { get; init; } = 6000;

    /// <summary>Training examples of the long-chain split (5–8 operations), mixed into pre-training.</summary>
    public int TrainLong { get; init; } = 1000;

    /// <summary>
    /// Long-chain examples the planner reads; the split's training file holds this many and the other agents read
    /// its first <see cref="TrainLong"/>. Null = <see cref="TrainLong"/>. Finding the fifth to eighth operation of a
    /// story is what windowed rounds ask of the planner: in <see cref="Windowed"/> on 2,000 it fitted its training
    /// chains and wrote the exact round-2 plan of 4 of 50 held-out ones, on 6,000 (1.5 × the steps) of 47.
    /// </summary>
    public int? PlannerTrainLong { get; init; }

    /// <summary>The planner's pre-training steps as a share of <see cref="Steps"/>.</summary>
    public double PlannerStepShare { get; init; } = 0.7;

    /// <summary>
    /// Operations the roles cover in one round (<see cref="Tasks.ArithmeticWordProblems"/>): a standard chain is done
    /// in round 1 and restated after; a long chain's round 2 plans the rest from the value round 1 reached, which the
    /// planner reads in the solver's feedback (its later-round prompt then says the round). Null = round 1 covers the
    /// whole chain, as in the shipped zoo (examples/zoo/README.md says what windows did).
    /// </summary>
    public int? OperationsPerRound { get; init; }

    /// <summary>
    /// Where rounds differ, how often an agent's pre-training conversation stands for the restating round
    /// (<see cref="Pretraining.MessageFilling.LastRoundOdds"/>; drawn evenly, a standard example would teach the
    /// critic "restate the result" half the time). Null = evenly.
    /// </summary>
    public double? LastRoundOdds { get; init; }

    /// <summary>Validation examples per split.</summary>
    public int ValidationPerTask { get; init; } = 50;

    /// <summary>Test examples per split.</summary>
    public int TestPerTask { get; init; } = 200;

    /// <summary>Pre-training steps of an agent whose step share is 1 (the critic's; the others get their share of it).</summary>
    public int Steps { get; init; } = 2400;

    /// <summary>Conversations per step.</summary>
    public int BatchSize { get; init; } = 24;

    /// <summary>Peak learning rate of pre-training.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Share of pre-training conversations with noisy input embeddings (<see cref="Pretraining.PretrainingOptions.NoisyShare"/>).</summary>
    public double NoisyShare { get; init; } = 0.5;

    /// <summary>Largest relative noise scale of those conversations.</summary>
    public double NoiseScale { get; init; } = 0.5;

    /// <summary>
    /// Extra end-of-turn markers after role texts and messages in pre-training (<see cref="Pretraining.MessageFilling.EndOfTurnPadding"/>).
    /// As many as the longest gap between a short text and its agent's m: with 12, the critic's rollout of a
    /// 2-operation chain (≈ 16 tokens of m = 32) ran past the markers it had learned and invented more steps.
    /// </summary>
    public int EndOfTurnPadding { get; init; } = 24;

    /// <summary>
    /// Share of pre-training messages that go on after their markers with a fragment of another example's
    /// text (<see cref="Pretraining.MessageFilling.TrailingFragmentOdds"/>): the earlier zoo's solver, reading
    /// <c>22 * 2 = 44.&lt;|im_end|&gt;… 2 = 48.</c> from the critic's rollout, boxed 48.
    /// </summary>
    public double TrailingFragmentOdds { get; init; } = 0.25;

    /// <summary>
    /// The solver's end-of-turn padding, with no trailing fragments. It reads the critic's worked steps and
    /// boxes their last result, and it read them worse with the senders' recipe: at d = 96, trained with 24
    /// markers and fragments it boxed the right number for 194 of 400 fresh chains given in text, with 12 and
    /// none for 326. The critic's messages no longer need a reader that skips fragments: with 24 markers
    /// it keeps "saying" end-of-turn to its last (48th) step, past the markers it learned (a logit lens over its
    /// rollouts, examples/zoo/README.md).
    /// </summary>
    public int SolverEndOfTurnPadding { get; init; } = 12;

    /// <summary>Decoder layers of the planner and the solver.</summary>
    public int Layers { get; init; } = 3;

    /// <summary>
    /// Decoder layers of the solver. Reading the last result off worked steps that end in end-of-turn
    /// padding, with the question's numbers beside them, took more than 3 layers and 1,440 steps: that
    /// solver boxed the right number for 37 of 48 exact chains.
    /// </summary>
    public int SolverLayers { get; init; } = 4;

    /// <summary>Decoder layers of the critic (it executes every operation, so it gets the most depth).</summary>
    public int CriticLayers { get; init; } = 5;

    /// <summary>
    /// The critic's latent steps m, which bound the chain one round carries: its worked steps are ≈ 8 tokens an
    /// operation, so a long chain (5–8 operations) needs 40–64. At 36 the zoo answered 2 % of long chains; 48 (outer
    /// links retrained) answers a third of them for ≈ 7 points of the standard split; 56 broke both
    /// (examples/zoo/README.md, "How the critic's m was chosen"). Pre-training and the inner links never read it.
    /// </summary>
    public int CriticLatentSteps { get; init; } = 48;

    /// <summary>Upper bound on each tokenizer's vocabulary.</summary>
    public int VocabSize { get; init; } = 512;

    /// <summary>Tokens each agent may write per message in the Recursive-TextMAS baseline (a long chain's worked steps fit).</summary>
    public int TextMessageTokens { get; init; } = 96;

    /// <summary>Inner-link training steps per agent (cosine and token loss).</summary>
    public int InnerSteps { get; init; } = 1500;

    /// <summary>Peak learning rate of those steps.</summary>
    public double InnerLearningRate { get; init; } = 2e-3;

    /// <summary>
    /// Inner-link steps that follow with latent consistency added (<see cref="InnerConsistencyWeight"/>).
    /// A second stage because consistency alone, from an untrained link, pulls the link's outputs off the
    /// embeddings (the critic's link ended at cosine 0.78 when both ran from the start).
    /// </summary>
    public int ConsistencySteps { get; init; } = 500;

    /// <summary>Peak learning rate of the consistency steps.</summary>
    public double ConsistencyLearningRate { get; init; } = 5e-4;

    /// <summary>Examples per inner-link training step.</summary>
    public int InnerBatchSize { get; init; } = 16;

    /// <summary>
    /// Inner-loop weights beyond the released cosine (<see cref="TrainingOptions.InnerTokenWeight"/>,
    /// <see cref="TrainingOptions.InnerConsistencyWeight"/>); the senders' role texts fill the slots
    /// (<see cref="TrainingOptions.InnerReadsRoleMessages"/>) whenever either is on.
    /// </summary>
    public double InnerTokenWeight { get; init; } = 1.0;

    /// <inheritdoc cref="InnerTokenWeight"/>
    public double InnerConsistencyWeight { get; init; } = 1.0;

    /// <summary>Weight of each receiving agent's role-text loss in outer training (<see cref="TrainingOptions.ReceiverRoleWeight"/>).</summary>
    public double ReceiverRoleWeight { get; init; } = 1.0;

    /// <summary>Steps per outer link of the token-alignment warm start (<see cref="OuterLinkAlignment"/>); 0 = none.</summary>
    public int AlignSteps { get; init; } = 300;

    /// <summary>
    /// Outer-link training steps; 0 = leave the links untrained. With the critic's 48-step messages the held-out loss
    /// still fell at 300 (0.53 at 200, 0.49 at 300) and levelled off near 0.43 from 320 to 600; the standard split went
    /// from 86 % to 93 % (examples/zoo-results/training/outer-train-log.jsonl).
    /// </summary>
    public int LinkSteps { get; init; } = 600;

    /// <summary>
    /// Steps of the last stage, where rounds differ (<see cref="OperationsPerRound"/>): the feedback link alone
    /// learns to carry the solver's result into the next round's planner, scored on that planner's plan, with the
    /// forward links frozen after they learned round 1. Trained together, the forward links learned the later
    /// rounds' "restate the result" and broke round 1 (examples/zoo/README.md).
    /// </summary>
    public int FeedbackSteps { get; init; } = 300;

    /// <summary>Examples per link-training step.</summary>
    public int LinkBatchSize { get; init; } = 8;

    /// <summary>Peak learning rate of link training.</summary>
    public double LinkLearningRate { get; init; } = 1e-3;

    /// <summary>Training examples per split the links train on.</summary>
    public int LinkExamplesPerTask { get; init; } = 1500;

    /// <summary>
    /// Messages of outer training: the m-step rollouts inference sends (the default), computed without a
    /// graph so each link learns from its receivers (<see cref="TrainingOptions.DetachSenders"/>: through
    /// the critic's 32-step rollout the gradient reached norms of 1e5), or the released recipe's
    /// teacher-forced states of the role texts (<see cref="MessageSource.Teacher"/>).
    /// </summary>
    public MessageSource LinkMessages { get; init; } = MessageSource.Rollout;

    /// <summary>Weight of the earlier rounds' decoder loss in outer training (so round 1 alone also answers).</summary>
    public double EarlierRoundWeight { get; init; } = 0.5;

    /// <summary>Held-out questions scored during link training (for the curves), every <see cref="EvaluateEvery"/> steps.</summary>
    public int LinkEvaluationQuestions { get; init; } = 24;

    /// <summary>Evaluate the held-out questions every N outer steps; 0 = only before and after.</summary>
    public int EvaluateEvery { get; init; } = 40;

    /// <summary>
    /// Evaluate them every N steps of the inner and consistency stages too (their held-out loss is those stages'
    /// validation curve; the accuracy there is the system's with outer links not yet trained); 0 = before and after.
    /// </summary>
    public int InnerEvaluateEvery { get; init; } = 100;

    public static ZooBudget Shipped { get; } = new();

    /// <summary>
    /// The windowed recipe measured in examples/zoo/README.md ("What was tried for long chains"): four operations a
    /// round, the planner on three times the long chains, the feedback link trained alone on later rounds. It made
    /// rounds help in text (long chains 0 % at n = 1, 56 % at n = 2) and broke the latent system's round 1.
    /// </summary>
    public static ZooBudget Windowed { get; } = new()
    {
        // As measured then: the critic's m and the outer steps of that time.
        CriticLatentSteps = 36,
        LinkSteps = 300,
        OperationsPerRound = 4,
        TrainLong = 2000,
        PlannerTrainLong = 6000,
        PlannerStepShare = 1.5,
        LastRoundOdds = 0.2,
    };

    public static ZooBudget Tiny { get; } = new()
    {
        TrainPerTask = 40,
        TrainLong = 10,
        ValidationPerTask = 4,
        TestPerTask = 6,
        Steps = 3,
        BatchSize = 4,
        Layers = 1,
        CriticLayers = 1,
        SolverLayers = 1,
        VocabSize = 320,
        TextMessageTokens = 4,
        InnerSteps = 2,
        ConsistencySteps = 2,
        InnerBatchSize = 2,
        AlignSteps = 2,
        LinkSteps = 2,
        FeedbackSteps = 2,
        LinkBatchSize = 2,
        LinkExamplesPerTask = 4,
        LinkEvaluationQuestions = 2,
        EvaluateEvery = 0,
        InnerEvaluateEvery = 0,
    };
}
