namespace RecursiveMas.Dsl;

/// <summary>
/// Everything the DSL rules can find wrong. The value is the number of the diagnostic ID
/// (<c>RMAS</c> + four digits): 0xxx declarations, 1xxx dimensions, 2xxx prompts, 3xxx graphs. Each
/// member lists the <see cref="Problem.Arguments"/> it comes with, in order; the message formats of
/// <see cref="DiagnosticText"/> (which the analyzers and the runtime both use) refer to them as
/// <c>{0}</c>, <c>{1}</c>, ….
/// </summary>
internal enum DiagnosticKind
{
    /// <summary>A pattern, link or decoder names a type without <c>[Agent]</c>. Args: type, system.</summary>
    NotAnAgent = 1,

    /// <summary>An agent or system class, or a type containing one, is not <c>partial</c>. Args: type, what it is ("agent", "system", "type containing agent X").</summary>
    NotPartial = 2,

    /// <summary><c>Rounds</c> &lt; 1. Args: value.</summary>
    RoundsTooSmall = 3,

    /// <summary><c>Rounds</c> &gt; <see cref="Limits.MaxRounds"/>. Args: value, limit.</summary>
    RoundsTooLarge = 4,

    /// <summary><c>LatentSteps</c> &lt; 1. Args: agent, value.</summary>
    LatentStepsTooSmall = 5,

    /// <summary><c>LatentSteps</c> &gt; <see cref="Limits.MaxLatentSteps"/>. Args: agent, value, limit.</summary>
    LatentStepsTooLarge = 6,

    /// <summary>A system declares no pattern. Args: system.</summary>
    NoPattern = 7,

    /// <summary>A system declares more than one pattern. Args: this pattern, the first pattern, system.</summary>
    MoreThanOnePattern = 8,

    /// <summary>A pattern has too few agents. Args: pattern, what it needs, what it has.</summary>
    TooFewAgents = 9,

    /// <summary>An agent appears twice in one pattern. Args: agent, pattern.</summary>
    DuplicateAgent = 10,

    /// <summary>An agent's model folder is empty. Args: agent.</summary>
    EmptyModel = 11,

    /// <summary>Two agents of a system have the same class name, so <c>{from:Name}</c> is ambiguous. Args: name, first agent, second agent, system.</summary>
    AmbiguousAgentName = 12,

    /// <summary>A pattern, link or decoder on a class without <c>[RecursiveSystem]</c>. Args: pattern, class.</summary>
    PatternWithoutSystem = 13,

    /// <summary>A member the user declares, or the class itself, has a name the generator gives a member of the class. Args: member, class, what the generated member is, what to do ("rename the member", "rename the class …", "give the constructor other parameters").</summary>
    MemberNameClash = 14,

    /// <summary>A class carries both <c>[Agent]</c> and <c>[RecursiveSystem]</c>. Args: class.</summary>
    AgentAndSystem = 15,

    /// <summary>A system class the generator cannot extend (static, abstract, generic, file-local, primary constructor, base without a parameterless constructor). Args: class, why and what to do.</summary>
    UnsupportedSystemClass = 16,

    /// <summary>An agent type generated code cannot name (static, file-local, or named as an open generic type). Args: agent, why and what to do.</summary>
    UnsupportedAgentType = 17,

    /// <summary>An agent's model folder is absolute or climbs out of the model root with <c>..</c> (<see cref="FileNameRules"/>). Args: agent, model, why.</summary>
    ModelOutsideRoot = 18,

    /// <summary>An agent's role cannot be one file name on every OS (<see cref="FileNameRules"/>). Args: agent, role, why.</summary>
    RoleNotAFileName = 19,

    /// <summary>The project compiles a C# version older than the generated code's (<c>GeneratedCodeLanguage</c>). Args: class, the project's version, the version needed.</summary>
    LanguageVersionTooOld = 20,

    /// <summary>An agent's name (its class name) cannot be one file name on every OS (<see cref="FileNameRules"/>). Args: agent, why.</summary>
    AgentNameNotAFileName = 21,

    /// <summary>Two agents of a system have one role (a Role, else the class name; ignoring case). Args: first agent, second agent, the role, system.</summary>
    SharedRole = 22,

    /// <summary>A class with <c>[Prompt]</c> and no <c>[Agent]</c> (a system class included), whose prompts nothing reads. Args: class.</summary>
    PromptWithoutAgent = 23,

    /// <summary>A non-generic type in the project's global namespace named like a namespace generated code names (<c>GeneratedCodeNamespaces</c>), which hides it even from <c>global::</c>. Args: class, the type's name.</summary>
    NamespaceHiddenByType = 24,

    /// <summary>An agent's model folder with a name in it that begins or ends with white space (<see cref="FileNameRules"/>). Args: agent, model, why, the folder trimmed.</summary>
    ModelPaddedWithWhiteSpace = 25,

    /// <summary>Declared <c>HiddenSize</c> differs from config.json. Args: agent, declared, config value, config path.</summary>
    HiddenSizeMismatch = 1001,

    /// <summary><c>HiddenSize</c> is 0 and no config.json was found. Args: agent, model.</summary>
    HiddenSizeUnknown = 1002,

    /// <summary>config.json found but unusable. Args: agent, config path, reason.</summary>
    ConfigInvalid = 1003,

    /// <summary>A link's declared width differs from its agent's hidden size. Args: property, declared, agent, agent's hidden size.</summary>
    LinkHiddenSizeMismatch = 1004,

    /// <summary>A hidden size is negative. Args: property, value.</summary>
    NegativeHiddenSize = 1005,

    /// <summary>(Hidden) <c>HiddenSize</c> is taken from config.json and can be pinned. Args: agent, config value, config path.</summary>
    HiddenSizeFromConfig = 1006,

    /// <summary>A prompt used in a round lacks <c>{from:X}</c> for an incoming forward edge. Args: agent, sender, system.</summary>
    MissingFromSlot = 2001,

    /// <summary><c>{from:Y}</c> where Y is in the system but sends this agent no forward message. Args: Y, agent, system, hint.</summary>
    FromNotASender = 2002,

    /// <summary><c>{from:Y}</c> where Y is not an agent of the system. Args: Y, agent, system.</summary>
    FromUnknownAgent = 2003,

    /// <summary><c>{feedback}</c> in a prompt of an agent that receives no loop-closing edge. Args: agent, system.</summary>
    FeedbackWithoutLoop = 2004,

    /// <summary>A prompt used in rounds ≥ 2 by an agent that receives a loop-closing edge lacks <c>{feedback}</c>. Args: agent, sender of the feedback, system.</summary>
    MissingFeedbackSlot = 2005,

    /// <summary><c>{feedback}</c> in a prompt used in round 1. Args: agent, system.</summary>
    FeedbackInFirstRound = 2006,

    /// <summary>A brace group that looks like a mistyped placeholder. Args: the group, agent.</summary>
    UnknownPlaceholder = 2007,

    /// <summary>Two prompts with the same <c>When</c>. Args: agent, use.</summary>
    DuplicatePromptUse = 2008,

    /// <summary>An agent has no prompt for some stage of a run. Args: agent, stage description, system.</summary>
    MissingPrompt = 2009,

    /// <summary>A prompt without <c>{question}</c>. Args: agent, use.</summary>
    NoQuestionSlot = 2010,

    /// <summary>A <c>When</c> value that is not a <c>PromptUse</c> member (<c>(PromptUse)42</c>). Args: agent, the value.</summary>
    UnknownPromptUse = 2011,

    /// <summary>A placeholder in double braces (<c>{{question}}</c>), whose outer braces stay in the text. Args: the doubled placeholder, agent, the placeholder.</summary>
    DoubleBracedPlaceholder = 2012,

    /// <summary>A <c>When = PromptUse.Decode</c> prompt on an agent that is not its system's decoder, so never read. Args: agent, the decoder, system.</summary>
    DecodePromptNotOnDecoder = 2013,

    /// <summary>A <c>When = PromptUse.LaterRounds</c> prompt in a system of one round, which has no later round to read it. Args: agent, system.</summary>
    LaterRoundsPromptInOneRound = 2014,

    /// <summary>
    /// A prompt no stage of the agent's run reads, each stage having a prompt of its own (an Always prompt beside FirstRound and
    /// LaterRounds ones; a decoder's round-1 or later-rounds prompt that its Decode prompt replaces). Args: agent, the prompt's use,
    /// system, rounds, what each stage reads.
    /// </summary>
    PromptNeverRead = 2015,

    /// <summary>A custom graph without <c>[Decoder]</c>. Args: system.</summary>
    NoDecoder = 3001,

    /// <summary>A custom graph with more than one <c>[Decoder]</c>. Args: system.</summary>
    MultipleDecoders = 3002,

    /// <summary>The decoder is not an endpoint of any link. Args: agent, system.</summary>
    DecoderNotInGraph = 3003,

    /// <summary>An agent no path of links reaches from the first agent. Args: agent, first agent, system.</summary>
    UnreachableAgent = 3004,

    /// <summary>Rounds &gt; 1 but no path leads from the decoder back to the first agent. Args: decoder, first agent, system, rounds.</summary>
    LoopNotClosed = 3005,

    /// <summary>An agent receives more than one loop-closing edge. Args: agent, first sender, this sender, system.</summary>
    MultipleFeedback = 3006,

    /// <summary>The same link is declared twice. Args: from, to.</summary>
    DuplicateLink = 3007,

    /// <summary>An agent of a custom graph from which no path of links leads to the decoder. Args: agent, decoder, system.</summary>
    DeadEndAgent = 3008,

    /// <summary>An agent of a one-round custom graph that reaches the decoder only through loop-closing links, so it never runs. Args: agent, decoder, system.</summary>
    NeverRunsInOneRound = 3009,
}

/// <summary>The numeric limits of the rules.</summary>
internal static class Limits
{
    /// <summary>More rounds than this draws a warning (the paper runs 1 to 5; links are trained for one n).</summary>
    public const int MaxRounds = 16;

    /// <summary>
    /// The most rounds the generator writes out turn by turn; a system with more runs the runtime's loop
    /// (generated code grows with the rounds: int.MaxValue of them never finished generating).
    /// </summary>
    public const int MaxUnrolledRounds = 64;

    /// <summary>More latent steps than this draws a warning (accuracy saturates around 80; each step is a forward pass).</summary>
    public const int MaxLatentSteps = 1024;
}
