using RecursiveMas.Latent;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Systems;

/// <summary>The positions one turn of a run reads and adds, computed without running a model.</summary>
/// <param name="Agent">The agent.</param>
/// <param name="Round">1-based round.</param>
/// <param name="IsFinalDecode">The decoder's text decode (else a latent rollout).</param>
/// <param name="PromptPositions">The assembled prompt: text tokens plus the latent message vectors in its slots.</param>
/// <param name="AddedPositions">Latent steps (a rollout) or the token budget (the decode) appended after the prompt.</param>
/// <param name="MaxPositions">The agent's model's <c>max_position_embeddings</c>.</param>
public sealed record TurnPositions(string Agent, int Round, bool IsFinalDecode, int PromptPositions, int AddedPositions, int MaxPositions)
{
    /// <summary>A Recursive-TextMAS message turn: <see cref="AddedPositions"/> is its token budget, not latent steps.</summary>
    public bool WritesText { get; init; }

    /// <summary>
    /// <see cref="PromptPositions"/> is a lower bound, not the count: the prompt's text was not tokenized because its
    /// length alone puts it past the model's positions (<see cref="RunAdmission.TextTokens"/>).
    /// </summary>
    public bool PromptIsLowerBound { get; init; }

    /// <summary>Every position the turn's cache holds (in 64 bits: a token budget near int.MaxValue must not wrap below the limit).</summary>
    public long TotalPositions => (long)PromptPositions + AddedPositions;
}

/// <summary>A question refused before any forward because a prompt it makes is longer than a limit.</summary>
public sealed class PromptTooLongException(string message, TurnPositions turn, int limit)
    : ArgumentException(message, "question")
{
    /// <summary>The turn over the limit.</summary>
    public TurnPositions Turn { get; } = turn;

    /// <summary>The limit it is over.</summary>
    public int Limit { get; } = limit;

    /// <summary>The message without the parameter name <see cref="ArgumentException.Message"/> appends.</summary>
    public string Reason { get; } = message;

    /// <summary>Which question of the batch it was checked in (0-based); null when it was checked alone.</summary>
    public int? Question { get; private init; }

    /// <summary>What is too long, without the question's place in a batch.</summary>
    public string TurnReason { get; private init; } = message;

    /// <summary>
    /// The same refusal, saying which question of a batch it is about (0-based <paramref name="index"/>): a caller
    /// that split a list into batches says the place in its list (batch offset + <see cref="Question"/>).
    /// </summary>
    public PromptTooLongException InQuestion(int index, int count) =>
        new($"question {index + 1} of {count}: {TurnReason}", Turn, Limit) { Question = index, TurnReason = TurnReason };
}

/// <summary>
/// Checks a question against a system before a run, with no forward pass: text that would turn into
/// control tokens or slots, and prompts longer than a model holds or a caller allows. What a server runs
/// before it queues a request, so bad ones never reach the worker. Needs only the agents' prompts,
/// tokenizers and context sizes (<see cref="SystemPrompts"/>): a loaded system's, or those a client of a
/// cluster reads without any weights.
/// </summary>
public static class RunAdmission
{
    /// <summary>
    /// The first part of <paramref name="text"/> that the runtime would read as markup rather than
    /// text — a slot marker, or a string some agent's tokenizer turns into an added or special token —
    /// with a sentence saying so; null when there is none.
    /// </summary>
    public static string? ControlText(SystemPrompts system, string text)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(text);
        if (AgentPrompt.HasSlotMarker(text))
            return "the text contains \"<<SLOT:\", the runtime's marker for a latent message slot";
        foreach (var agent in system.Agents)
            if (agent.Tokenizer.FindAddedToken(text) is { } token)
                return $"the text contains \"{token}\", which agent {agent.Name}'s tokenizer reads as a control token";
        return null;
    }

    /// <summary>
    /// The positions of every turn of a run of <paramref name="question"/> with <paramref name="options"/>
    /// (rounds, latent steps, decoding), following <see cref="RoundSchedule"/> as the runner does. Each
    /// distinct prompt of an agent is tokenized once.
    /// </summary>
    /// <param name="cancellationToken">Checked while the prompts are tokenized.</param>
    public static IReadOnlyList<TurnPositions> Measure(SystemPrompts system, string question, RunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(question);
        options ??= new RunOptions();
        int rounds = options.RoundsFor(system.Description);
        var decoding = options.Decoding ?? system.Description.Decoding;
        var board = new MessageBoard<int>();
        var textTokens = new Dictionary<AgentPrompt, (int Count, bool AtLeast)>(ReferenceEqualityComparer.Instance);
        var turns = new List<TurnPositions>();
        foreach (var turn in RoundSchedule.Turns(system.Plan, rounds))
        {
            var agent = system.Agent(turn.Agent);
            var prompt = agent.PromptFor(turn.Round, turn.IsFinalDecode);
            if (!textTokens.TryGetValue(prompt, out var text))
            {
                text = PromptTextTokens(agent.Tokenizer, prompt, question,
                    () => [.. prompt.Render(question).Where(s => !s.IsSlot).Select(s => s.Text)], agent.MaxPositions, cancellationToken);
                textTokens[prompt] = text;
            }
            var messages = board.For(turn.Agent, turn.Round);
            int vectors = prompt.SlotUses.Sum(slot => messages.GetValueOrDefault(slot));
            int steps = options.LatentSteps ?? agent.LatentSteps;
            turns.Add(new TurnPositions(turn.Agent, turn.Round, turn.IsFinalDecode, (int)Math.Min(int.MaxValue, (long)text.Count + vectors),
                turn.IsFinalDecode ? (int)Math.Min(int.MaxValue, (long)decoding.MaxNewTokens + RetryPositions(agent, decoding)) : steps, agent.MaxPositions)
            { PromptIsLowerBound = text.AtLeast });
            foreach (var edge in turn.Outgoing)
                board.Post(edge, turn.Round, steps);
        }
        return turns;
    }

    /// <summary>
    /// The text tokens of <paramref name="prompt"/> holding <paramref name="question"/>, as <see cref="TextTokens"/>
    /// counts them in the texts <paramref name="render"/> gives; or, where the question alone puts any such prompt past
    /// <paramref name="maxPositions"/> (<see cref="QuestionTokensAtLeast"/>), that lower bound with AtLeast set, and
    /// nothing rendered: rendering copies the question into the prompt's text several times over (a 50 MB question
    /// took 1.7 GB to refuse), to be refused anyway.
    /// </summary>
    public static (int Count, bool AtLeast) PromptTextTokens(ModelTokenizer tokenizer, AgentPrompt prompt, string question,
        Func<IReadOnlyList<string>> render, int maxPositions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(render);
        long atLeast = QuestionTokensAtLeast(tokenizer, prompt, question);
        return atLeast > maxPositions ? ((int)Math.Min(atLeast, int.MaxValue), true) : TextTokens(tokenizer, render(), maxPositions, cancellationToken);
    }

    /// <summary>
    /// The fewest text tokens any rendering of <paramref name="prompt"/> around <paramref name="question"/> has, from
    /// the question alone (<see cref="ModelTokenizer.MinimumTokenCountWithin"/>): 0 for a prompt without
    /// <c>{question}</c>. The question is written verbatim, but some chat formats strip a message's ends (Llama 3,
    /// Gemma), so only its part between them is certain to be in the prompt.
    /// </summary>
    public static long QuestionTokensAtLeast(ModelTokenizer tokenizer, AgentPrompt prompt, string question)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(question);
        return prompt.ReadsQuestion ? tokenizer.MinimumTokenCountWithin(PythonText.Strip(question.AsSpan())) : 0;
    }

    /// <summary>
    /// The tokens of <paramref name="texts"/>, one prompt's text; or, where their length alone puts them past
    /// <paramref name="maxPositions"/>, a lower bound (<paramref name="maxPositions"/> is exceeded either way) with
    /// AtLeast set. Such a text is not tokenized: that costs memory and time in proportion to the text (a 50 MB
    /// question took 7.6 GB), to refuse it anyway.
    /// </summary>
    public static (int Count, bool AtLeast) TextTokens(ModelTokenizer tokenizer, IReadOnlyList<string> texts, int maxPositions,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(texts);
        long atLeast = texts.Sum(tokenizer.MinimumTokenCount);
        if (atLeast > maxPositions)
            return ((int)Math.Min(atLeast, int.MaxValue), true);
        return (texts.Sum(t => tokenizer.Encode(t, cancellationToken: cancellationToken).Count), false);
    }

    /// <summary>
    /// What the boxed-answer retry adds after an answer without one (its cue and its tokens; 0 without the retry): it
    /// re-reads the prompt and the answer and continues, so a decode holds up to this many positions more.
    /// </summary>
    static int RetryPositions(AgentPrompts agent, DecodingDescription decoding) => decoding.RetryWithoutBoxedAnswer
        ? agent.Tokenizer.Encode(SystemAgent.FinalAnswerCue).Count + decoding.RetryTokens
        : 0;

    /// <summary>
    /// The positions of one text turn (a Recursive-TextMAS message, or a decode of text) for one question: its prompt's
    /// text tokens with the messages <paramref name="messageText"/> gives for each slot (<see cref="PromptTextTokens"/>),
    /// and the <paramref name="budget"/> of tokens it writes. <paramref name="messageText"/> null: the messages are not
    /// known yet (before a run, what senders will write), so the prompt counts the question's bound alone
    /// (<see cref="QuestionTokensAtLeast"/>), a lower bound. What the text runs check before each turn
    /// (<see cref="RunContext.CheckTextPrompts"/>) and <c>rmas eval</c> before it loads any model.
    /// </summary>
    public static TurnPositions TextTurn(AgentPrompts agent, int round, bool decode, AgentPrompt prompt, string question,
        Func<string, string>? messageText, int budget, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var (positions, atLeast) = messageText is null
            ? ((int)Math.Min(QuestionTokensAtLeast(agent.Tokenizer, prompt, question), int.MaxValue), true)
            : PromptTextTokens(agent.Tokenizer, prompt, question, () => [prompt.RenderWithText(question, messageText)], agent.MaxPositions, cancellationToken);
        return new TurnPositions(agent.Name, round, decode, positions, budget, agent.MaxPositions) { WritesText = !decode, PromptIsLowerBound = atLeast };
    }

    /// <summary>
    /// <see cref="Check"/> of every turn <paramref name="turnsOf"/> gives for each of <paramref name="questions"/>, in
    /// order; a refusal says which question (1-based) of how many, as a run over them in batches says it. What
    /// <c>rmas eval</c> checks for a text method from the tokenizers and config.json files, before any weights load.
    /// </summary>
    public static void CheckEachQuestion(IReadOnlyList<string> questions, Func<string, IEnumerable<TurnPositions>> turnsOf)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(turnsOf);
        for (int i = 0; i < questions.Count; i++)
        {
            try
            {
                foreach (var turn in turnsOf(questions[i]))
                    Check(turn);
            }
            catch (PromptTooLongException e)
            {
                throw e.InQuestion(i, questions.Count);
            }
        }
    }

    /// <summary>
    /// <see cref="CheckLength"/> for each of <paramref name="questions"/>; with more than one, the message
    /// also says which question (1-based) is too long.
    /// </summary>
    public static void CheckEach(SystemPrompts system, IReadOnlyList<string> questions, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(questions);
        for (int i = 0; i < questions.Count; i++)
        {
            try
            {
                CheckLength(system, questions[i], options, cancellationToken: options?.CancellationToken ?? default);
            }
            catch (PromptTooLongException e) when (questions.Count > 1)
            {
                throw e.InQuestion(i, questions.Count);
            }
        }
    }

    /// <summary>
    /// Throws <see cref="PromptTooLongException"/> naming the first turn whose prompt is longer than
    /// <paramref name="maxPromptTokens"/> (when given), or whose prompt plus latent steps or token budget
    /// is more than its model's <c>max_position_embeddings</c>.
    /// </summary>
    public static void CheckLength(SystemPrompts system, string question, RunOptions? options = null, int? maxPromptTokens = null,
        CancellationToken cancellationToken = default)
    {
        foreach (var turn in Measure(system, question, options, cancellationToken))
            Check(turn, maxPromptTokens);
    }

    /// <summary>
    /// Throws <see cref="PromptTooLongException"/> when <paramref name="turn"/>'s prompt is longer than
    /// <paramref name="maxPromptTokens"/> (when given) or its prompt plus what it adds is more than its model holds.
    /// The one rule behind <see cref="CheckLength"/> and the text baselines' per-turn check (<see cref="RunContext"/>).
    /// </summary>
    public static void Check(TurnPositions turn, int? maxPromptTokens = null)
    {
        ArgumentNullException.ThrowIfNull(turn);
        string where = $"agent {turn.Agent}'s {(turn.IsFinalDecode ? "decode" : "round " + turn.Round)} prompt";
        string atLeast = turn.PromptIsLowerBound ? "at least " : "";
        if (turn.PromptPositions > maxPromptTokens)
            throw new PromptTooLongException(
                $"the request is too long: {where} would be {atLeast}{turn.PromptPositions} positions, over the limit of {maxPromptTokens} prompt positions",
                turn, maxPromptTokens.Value);
        if (turn.TotalPositions > turn.MaxPositions)
            throw new PromptTooLongException(
                $"the request is too long: {where} would be {atLeast}{turn.PromptPositions} positions and {turn.AddedPositions} more " +
                $"{(turn.IsFinalDecode ? "for the answer's tokens (with the boxed-answer retry's, where it runs)" : turn.WritesText ? "for its text message's tokens" : "for its latent steps")}, " +
                $"{atLeast}{turn.TotalPositions} in all, over its model's max_position_embeddings of {turn.MaxPositions}",
                turn, turn.MaxPositions);
    }
}
