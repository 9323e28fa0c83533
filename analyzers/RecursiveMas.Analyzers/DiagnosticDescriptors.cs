using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using RecursiveMas.Dsl;

namespace RecursiveMas.Analyzers;

/// <summary>
/// Every diagnostic of the RecursiveMas analyzers, in one place. IDs: RMAS0xxx declarations,
/// RMAS1xxx dimensions, RMAS2xxx prompts, RMAS3xxx graphs; the number is the value of the matching
/// <see cref="DiagnosticKind"/>, which the shared rules report. Each has help text and a page under
/// <c>docs/diagnostics/</c>.
/// </summary>
public static class DiagnosticDescriptors
{
    /// <summary>Where the pages of <c>docs/diagnostics/</c> are published; one place to change when the repository moves.</summary>
    public const string HelpLinkBase = "https://github.com/recursivemas/recursivemas/blob/main/docs/diagnostics/";

    /// <summary>RMAS0001 (Error): Type is not an agent.</summary>
    public const string NotAnAgentId = "RMAS0001";

    /// <summary>RMAS0002 (Error): Agent and system types must be partial.</summary>
    public const string NotPartialId = "RMAS0002";

    /// <summary>RMAS0003 (Error): Rounds must be at least 1.</summary>
    public const string RoundsTooSmallId = "RMAS0003";

    /// <summary>RMAS0004 (Warning): Unusually many rounds.</summary>
    public const string RoundsTooLargeId = "RMAS0004";

    /// <summary>RMAS0005 (Error): LatentSteps must be at least 1.</summary>
    public const string LatentStepsTooSmallId = "RMAS0005";

    /// <summary>RMAS0006 (Warning): Absurdly many latent steps.</summary>
    public const string LatentStepsTooLargeId = "RMAS0006";

    /// <summary>RMAS0007 (Error): System has no collaboration pattern.</summary>
    public const string NoPatternId = "RMAS0007";

    /// <summary>RMAS0008 (Error): System has more than one collaboration pattern.</summary>
    public const string MoreThanOnePatternId = "RMAS0008";

    /// <summary>RMAS0009 (Error): Pattern has too few agents.</summary>
    public const string TooFewAgentsId = "RMAS0009";

    /// <summary>RMAS0010 (Error): Agent appears twice in a pattern.</summary>
    public const string DuplicateAgentId = "RMAS0010";

    /// <summary>RMAS0011 (Error): Agent model folder is empty.</summary>
    public const string EmptyModelId = "RMAS0011";

    /// <summary>RMAS0012 (Error): Two agents of a system share a class name.</summary>
    public const string AmbiguousAgentNameId = "RMAS0012";

    /// <summary>RMAS0013 (Error): Pattern without [RecursiveSystem].</summary>
    public const string PatternWithoutSystemId = "RMAS0013";

    /// <summary>RMAS1001 (Error): HiddenSize does not match config.json.</summary>
    public const string HiddenSizeMismatchId = "RMAS1001";

    /// <summary>RMAS1002 (Warning): Hidden size cannot be checked.</summary>
    public const string HiddenSizeUnknownId = "RMAS1002";

    /// <summary>RMAS1003 (Warning): Model config.json cannot be used.</summary>
    public const string ConfigInvalidId = "RMAS1003";

    /// <summary>RMAS1004 (Error): Link width does not match its agent.</summary>
    public const string LinkHiddenSizeMismatchId = "RMAS1004";

    /// <summary>RMAS1005 (Error): Hidden size is negative.</summary>
    public const string NegativeHiddenSizeId = "RMAS1005";

    /// <summary>RMAS1006 (Hidden): HiddenSize is read from config.json.</summary>
    public const string HiddenSizeFromConfigId = "RMAS1006";

    /// <summary>RMAS2001 (Error): Prompt has no slot for an incoming message.</summary>
    public const string MissingFromSlotId = "RMAS2001";

    /// <summary>RMAS2002 (Error): Prompt reads from an agent that sends it nothing.</summary>
    public const string FromNotASenderId = "RMAS2002";

    /// <summary>RMAS2003 (Error): Prompt reads from an agent outside the system.</summary>
    public const string FromUnknownAgentId = "RMAS2003";

    /// <summary>RMAS2004 (Error): &#123;feedback&#125; where no loop closes.</summary>
    public const string FeedbackWithoutLoopId = "RMAS2004";

    /// <summary>RMAS2005 (Error): Loop does not close: later-round prompt lacks &#123;feedback&#125;.</summary>
    public const string MissingFeedbackSlotId = "RMAS2005";

    /// <summary>RMAS2006 (Error): &#123;feedback&#125; in a prompt used in round 1.</summary>
    public const string FeedbackInFirstRoundId = "RMAS2006";

    /// <summary>RMAS2007 (Warning): Unknown prompt placeholder.</summary>
    public const string UnknownPlaceholderId = "RMAS2007";

    /// <summary>RMAS2008 (Error): Two prompts for the same use.</summary>
    public const string DuplicatePromptUseId = "RMAS2008";

    /// <summary>RMAS2009 (Error): Agent has no prompt for a stage of the run.</summary>
    public const string MissingPromptId = "RMAS2009";

    /// <summary>RMAS3001 (Error): Custom graph has no decoder.</summary>
    public const string NoDecoderId = "RMAS3001";

    /// <summary>RMAS3002 (Error): Custom graph has more than one decoder.</summary>
    public const string MultipleDecodersId = "RMAS3002";

    /// <summary>RMAS3003 (Error): Decoder is not in the graph.</summary>
    public const string DecoderNotInGraphId = "RMAS3003";

    /// <summary>RMAS3004 (Error): Agent is unreachable from the first agent.</summary>
    public const string UnreachableAgentId = "RMAS3004";

    /// <summary>RMAS3005 (Error): Loop does not close.</summary>
    public const string LoopNotClosedId = "RMAS3005";

    /// <summary>RMAS3006 (Error): Agent receives more than one loop-closing edge.</summary>
    public const string MultipleFeedbackId = "RMAS3006";

    /// <summary>RMAS3007 (Error): Link declared twice.</summary>
    public const string DuplicateLinkId = "RMAS3007";

    /// <summary>RMAS0001: <c>'{0}' is not an agent: add [Agent("&lt;model folder&gt;")] to it, or remove it from system '{1}'</c></summary>
    public static readonly DiagnosticDescriptor NotAnAgent = new(
        id: NotAnAgentId,
        title: "Type is not an agent",
        messageFormat: "'{0}' is not an agent: add [Agent(\"<model folder>\")] to it, or remove it from system '{1}'",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Every type a pattern, [Link] or [Decoder] names must be a class with [Agent]; the generator needs its model, hidden size and prompts.",
        helpLinkUri: HelpLinkBase + NotAnAgentId + ".md");

    /// <summary>RMAS0002: <c>'{0}' must be declared partial: it is {1}, and the RecursiveMas source generator adds members to it</c></summary>
    public static readonly DiagnosticDescriptor NotPartial = new(
        id: NotPartialId,
        title: "Agent and system types must be partial",
        messageFormat: "'{0}' must be declared partial: it is {1}, and the RecursiveMas source generator adds members to it",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The source generator adds the agent's typed latent message and the system's recursion graph to the classes that declare them, so those classes, and every type they are nested in, must be partial.",
        helpLinkUri: HelpLinkBase + NotPartialId + ".md");

    /// <summary>RMAS0003: <c>Rounds is {0}; a recursive system runs at least 1 round</c></summary>
    public static readonly DiagnosticDescriptor RoundsTooSmall = new(
        id: RoundsTooSmallId,
        title: "Rounds must be at least 1",
        messageFormat: "Rounds is {0}; a recursive system runs at least 1 round",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Rounds is n, the number of recursion rounds; the paper's systems run 3.",
        helpLinkUri: HelpLinkBase + RoundsTooSmallId + ".md");

    /// <summary>RMAS0004: <c>Rounds is {0}, more than {1}: each round runs every agent again, and links trained for one round count run off-distribution with another</c></summary>
    public static readonly DiagnosticDescriptor RoundsTooLarge = new(
        id: RoundsTooLargeId,
        title: "Unusually many rounds",
        messageFormat: "Rounds is {0}, more than {1}: each round runs every agent again, and links trained for one round count run off-distribution with another",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The paper evaluates 1 to 5 rounds and trains its links for 3; many more rounds multiply the cost and are most likely a typo.",
        helpLinkUri: HelpLinkBase + RoundsTooLargeId + ".md");

    /// <summary>RMAS0005: <c>Agent '{0}' has LatentSteps = {1}; an agent thinks at least one latent step per round</c></summary>
    public static readonly DiagnosticDescriptor LatentStepsTooSmall = new(
        id: LatentStepsTooSmallId,
        title: "LatentSteps must be at least 1",
        messageFormat: "Agent '{0}' has LatentSteps = {1}; an agent thinks at least one latent step per round",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "LatentSteps is m, the number of latent thoughts an agent produces per round before its message is sent.",
        helpLinkUri: HelpLinkBase + LatentStepsTooSmallId + ".md");

    /// <summary>RMAS0006: <c>Agent '{0}' has LatentSteps = {1}, more than {2}: every step is a forward pass of the model, and accuracy saturates around 80 steps</c></summary>
    public static readonly DiagnosticDescriptor LatentStepsTooLarge = new(
        id: LatentStepsTooLargeId,
        title: "Absurdly many latent steps",
        messageFormat: "Agent '{0}' has LatentSteps = {1}, more than {2}: every step is a forward pass of the model, and accuracy saturates around 80 steps",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The paper's released systems use 16 to 48 latent steps and report that accuracy saturates around 80; each step costs one forward pass.",
        helpLinkUri: HelpLinkBase + LatentStepsTooLargeId + ".md");

    /// <summary>RMAS0007: <c>System '{0}' declares no pattern: add one of [Sequential], [Mixture], [Distillation], [Deliberation], or [Link]s with a [Decoder]</c></summary>
    public static readonly DiagnosticDescriptor NoPattern = new(
        id: NoPatternId,
        title: "System has no collaboration pattern",
        messageFormat: "System '{0}' declares no pattern: add one of [Sequential], [Mixture], [Distillation], [Deliberation], or [Link]s with a [Decoder]",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A [RecursiveSystem] needs exactly one collaboration pattern to know its agents and edges.",
        helpLinkUri: HelpLinkBase + NoPatternId + ".md");

    /// <summary>RMAS0008: <c>{0} cannot be combined with {1} on system '{2}': a system uses exactly one pattern</c></summary>
    public static readonly DiagnosticDescriptor MoreThanOnePattern = new(
        id: MoreThanOnePatternId,
        title: "System has more than one collaboration pattern",
        messageFormat: "{0} cannot be combined with {1} on system '{2}': a system uses exactly one pattern",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A system uses exactly one of [Sequential], [Mixture], [Distillation], [Deliberation], or a custom graph of [Link]s plus a [Decoder]. [Decoder] belongs to custom graphs only: the built-in patterns name their decoder themselves.",
        helpLinkUri: HelpLinkBase + MoreThanOnePatternId + ".md");

    /// <summary>RMAS0009: <c>{0} needs {1}; it has {2}</c></summary>
    public static readonly DiagnosticDescriptor TooFewAgents = new(
        id: TooFewAgentsId,
        title: "Pattern has too few agents",
        messageFormat: "{0} needs {1}; it has {2}",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "[Sequential] needs at least 2 agents, [Mixture] a summarizer and at least 2 experts, and a custom graph at least one [Link].",
        helpLinkUri: HelpLinkBase + TooFewAgentsId + ".md");

    /// <summary>RMAS0010: <c>Agent '{0}' appears more than once in [{1}]; every agent runs once per round</c></summary>
    public static readonly DiagnosticDescriptor DuplicateAgent = new(
        id: DuplicateAgentId,
        title: "Agent appears twice in a pattern",
        messageFormat: "Agent '{0}' appears more than once in [{1}]; every agent runs once per round",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "An agent is one node of the system's graph and runs once per round, so a pattern names it once.",
        helpLinkUri: HelpLinkBase + DuplicateAgentId + ".md");

    /// <summary>RMAS0011: <c>Agent '{0}' names no model: give the model's folder relative to the model root, such as [Agent("Qwen3-1.7B")]</c></summary>
    public static readonly DiagnosticDescriptor EmptyModel = new(
        id: EmptyModelId,
        title: "Agent model folder is empty",
        messageFormat: "Agent '{0}' names no model: give the model's folder relative to the model root, such as [Agent(\"Qwen3-1.7B\")]",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The model argument is the folder, relative to the model root given at load time, that holds the model's config.json, weights and tokenizer.",
        helpLinkUri: HelpLinkBase + EmptyModelId + ".md");

    /// <summary>RMAS0012: <c>Two agents of system '{3}' are named '{0}' ('{1}' and '{2}'), so {{from:{0}}} is ambiguous; rename one</c></summary>
    public static readonly DiagnosticDescriptor AmbiguousAgentName = new(
        id: AmbiguousAgentNameId,
        title: "Two agents of a system share a class name",
        messageFormat: "Two agents of system '{3}' are named '{0}' ('{1}' and '{2}'), so {{from:{0}}} is ambiguous; rename one",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Prompts name senders by class name ({from:Planner}), so the agents of one system need distinct class names.",
        helpLinkUri: HelpLinkBase + AmbiguousAgentNameId + ".md");

    /// <summary>RMAS0013: <c>{0} on '{1}' has no effect without [RecursiveSystem]: add [RecursiveSystem(Rounds = 3)]</c></summary>
    public static readonly DiagnosticDescriptor PatternWithoutSystem = new(
        id: PatternWithoutSystemId,
        title: "Pattern without [RecursiveSystem]",
        messageFormat: "{0} on '{1}' has no effect without [RecursiveSystem]: add [RecursiveSystem(Rounds = 3)]",
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Pattern, [Link] and [Decoder] attributes describe a recursive system and are only read on a class with [RecursiveSystem].",
        helpLinkUri: HelpLinkBase + PatternWithoutSystemId + ".md");

    /// <summary>RMAS1001: <c>Agent '{0}' declares HiddenSize = {1}, but {3} says hidden_size = {2}</c></summary>
    public static readonly DiagnosticDescriptor HiddenSizeMismatch = new(
        id: HiddenSizeMismatchId,
        title: "HiddenSize does not match config.json",
        messageFormat: "Agent '{0}' declares HiddenSize = {1}, but {3} says hidden_size = {2}",
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The links into and out of an agent are sized by its hidden size; a declared HiddenSize that differs from the model's config.json builds links that cannot take the model's hidden states.",
        helpLinkUri: HelpLinkBase + HiddenSizeMismatchId + ".md");

    /// <summary>RMAS1002: <c>Agent '{0}' has no HiddenSize and the project has no '{1}/config.json': add the model's config.json as an AdditionalFiles item, or declare HiddenSize</c></summary>
    public static readonly DiagnosticDescriptor HiddenSizeUnknown = new(
        id: HiddenSizeUnknownId,
        title: "Hidden size cannot be checked",
        messageFormat: "Agent '{0}' has no HiddenSize and the project has no '{1}/config.json': add the model's config.json as an AdditionalFiles item, or declare HiddenSize",
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "With HiddenSize = 0 the hidden size is read at compile time from the model's config.json, found among the project's AdditionalFiles items by a path ending with <model>/config.json. Without it the dimensions of the agent's links cannot be checked.",
        helpLinkUri: HelpLinkBase + HiddenSizeUnknownId + ".md");

    /// <summary>RMAS1003: <c>'{1}' of agent '{0}' cannot be used: {2}</c></summary>
    public static readonly DiagnosticDescriptor ConfigInvalid = new(
        id: ConfigInvalidId,
        title: "Model config.json cannot be used",
        messageFormat: "'{1}' of agent '{0}' cannot be used: {2}",
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The model's config.json must be a JSON object with a positive integer hidden_size (or n_embd or d_model; or any of these in text_config).",
        helpLinkUri: HelpLinkBase + ConfigInvalidId + ".md");

    /// <summary>RMAS1004: <c>{0} = {1}, but agent '{2}' has hidden size {3}</c></summary>
    public static readonly DiagnosticDescriptor LinkHiddenSizeMismatch = new(
        id: LinkHiddenSizeMismatchId,
        title: "Link width does not match its agent",
        messageFormat: "{0} = {1}, but agent '{2}' has hidden size {3}",
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A [Link]'s FromHiddenSize must equal the sending agent's hidden size and its ToHiddenSize the receiving agent's; 0 declares nothing.",
        helpLinkUri: HelpLinkBase + LinkHiddenSizeMismatchId + ".md");

    /// <summary>RMAS1005: <c>{0} is {1}; a hidden size is positive, or 0 to leave it undeclared</c></summary>
    public static readonly DiagnosticDescriptor NegativeHiddenSize = new(
        id: NegativeHiddenSizeId,
        title: "Hidden size is negative",
        messageFormat: "{0} is {1}; a hidden size is positive, or 0 to leave it undeclared",
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "HiddenSize, FromHiddenSize and ToHiddenSize are widths: positive, or 0 for 'take it from config.json' / 'not declared'.",
        helpLinkUri: HelpLinkBase + NegativeHiddenSizeId + ".md");

    /// <summary>RMAS1006: <c>Agent '{0}' takes hidden size {1} from {2}</c></summary>
    public static readonly DiagnosticDescriptor HiddenSizeFromConfig = new(
        id: HiddenSizeFromConfigId,
        title: "HiddenSize is read from config.json",
        messageFormat: "Agent '{0}' takes hidden size {1} from {2}",
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Hidden,
        isEnabledByDefault: true,
        description: "Offers to write the hidden size read from config.json into the declaration, so that the code states it and no longer depends on the file.",
        helpLinkUri: HelpLinkBase + HiddenSizeFromConfigId + ".md");

    /// <summary>RMAS2001: <c>This prompt of agent '{0}' has no {{from:{1}}} slot, but '{1}' sends '{0}' a message every round of system '{2}'</c></summary>
    public static readonly DiagnosticDescriptor MissingFromSlot = new(
        id: MissingFromSlotId,
        title: "Prompt has no slot for an incoming message",
        messageFormat: "This prompt of agent '{0}' has no {{from:{1}}} slot, but '{1}' sends '{0}' a message every round of system '{2}'",
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Every prompt an agent uses in a round needs a {from:Sender} slot for each agent with a forward edge into it; that is where the sender's latent message is inserted.",
        helpLinkUri: HelpLinkBase + MissingFromSlotId + ".md");

    /// <summary>RMAS2002: <c>{{from:{0}}}: '{0}' sends no message to '{1}' within a round of system '{2}'{3}</c></summary>
    public static readonly DiagnosticDescriptor FromNotASender = new(
        id: FromNotASenderId,
        title: "Prompt reads from an agent that sends it nothing",
        messageFormat: "{{from:{0}}}: '{0}' sends no message to '{1}' within a round of system '{2}'{3}",
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A {from:X} slot is filled by the forward edge X -> agent; X is in the system but has no such edge. A loop-closing edge is read through {feedback} instead.",
        helpLinkUri: HelpLinkBase + FromNotASenderId + ".md");

    /// <summary>RMAS2003: <c>{{from:{0}}} in a prompt of agent '{1}': system '{2}' has no agent named '{0}'</c></summary>
    public static readonly DiagnosticDescriptor FromUnknownAgent = new(
        id: FromUnknownAgentId,
        title: "Prompt reads from an agent outside the system",
        messageFormat: "{{from:{0}}} in a prompt of agent '{1}': system '{2}' has no agent named '{0}'",
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "{from:X} names the class of an agent of the same system.",
        helpLinkUri: HelpLinkBase + FromUnknownAgentId + ".md");

    /// <summary>RMAS2004: <c>A prompt of agent '{0}' reads {{feedback}}, but no loop-closing edge leads to '{0}' in system '{1}'</c></summary>
    public static readonly DiagnosticDescriptor FeedbackWithoutLoop = new(
        id: FeedbackWithoutLoopId,
        title: "{feedback} where no loop closes",
        messageFormat: "A prompt of agent '{0}' reads {{feedback}}, but no loop-closing edge leads to '{0}' in system '{1}'",
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "{feedback} is filled by the loop-closing edge into the agent (e.g. the last agent back to the first in [Sequential]); this agent receives none.",
        helpLinkUri: HelpLinkBase + FeedbackWithoutLoopId + ".md");

    /// <summary>RMAS2005: <c>Agent '{0}' receives the loop-closing message from '{1}' in system '{2}', but the prompt it uses after round 1 has no {{feedback}} slot: add one, or add a [Prompt(..., When = PromptUse.LaterRounds)] with it</c></summary>
    public static readonly DiagnosticDescriptor MissingFeedbackSlot = new(
        id: MissingFeedbackSlotId,
        title: "Loop does not close: later-round prompt lacks {feedback}",
        messageFormat: "Agent '{0}' receives the loop-closing message from '{1}' in system '{2}', but the prompt it uses after round 1 has no {{feedback}} slot: add one, or add a [Prompt(..., When = PromptUse.LaterRounds)] with it",
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The loop-closing message produced in round r is read in round r + 1 through {feedback}; a prompt without it drops the message and the recursion does nothing.",
        helpLinkUri: HelpLinkBase + MissingFeedbackSlotId + ".md");

    /// <summary>RMAS2006: <c>Agent '{0}' uses this prompt in round 1 of system '{1}', where no loop-closing message exists yet: keep {{feedback}} for a [Prompt(..., When = PromptUse.LaterRounds)] and give round 1 a prompt without it</c></summary>
    public static readonly DiagnosticDescriptor FeedbackInFirstRound = new(
        id: FeedbackInFirstRoundId,
        title: "{feedback} in a prompt used in round 1",
        messageFormat: "Agent '{0}' uses this prompt in round 1 of system '{1}', where no loop-closing message exists yet: keep {{feedback}} for a [Prompt(..., When = PromptUse.LaterRounds)] and give round 1 a prompt without it",
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The loop-closing message is produced in round r and read in round r + 1, so round 1 has none. Round 1 uses the FirstRound prompt, else the Always prompt.",
        helpLinkUri: HelpLinkBase + FeedbackInFirstRoundId + ".md");

    /// <summary>RMAS2007: <c>'{0}' in a prompt of agent '{1}' looks like a placeholder but is not one, so it stays literal text; the placeholders are {{question}}, {{feedback}} and {{from:AgentClassName}}</c></summary>
    public static readonly DiagnosticDescriptor UnknownPlaceholder = new(
        id: UnknownPlaceholderId,
        title: "Unknown prompt placeholder",
        messageFormat: "'{0}' in a prompt of agent '{1}' looks like a placeholder but is not one, so it stays literal text; the placeholders are {{question}}, {{feedback}} and {{from:AgentClassName}}",
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Placeholders are exactly {question}, {feedback} and {from:AgentClassName}; all other text is literal. Brace groups after a LaTeX command (\\boxed{}, \\frac{a}{b}) and ones that do not look like a name ({1}, JSON) are not reported.",
        helpLinkUri: HelpLinkBase + UnknownPlaceholderId + ".md");

    /// <summary>RMAS2008: <c>Agent '{0}' already has a prompt for When = {1}; an agent has at most one prompt per use</c></summary>
    public static readonly DiagnosticDescriptor DuplicatePromptUse = new(
        id: DuplicatePromptUseId,
        title: "Two prompts for the same use",
        messageFormat: "Agent '{0}' already has a prompt for When = {1}; an agent has at most one prompt per use",
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Round 1 uses the FirstRound prompt, else Always; later rounds use LaterRounds, else Always; the decoder's final decode uses Decode, else its last round's prompt. Each use has at most one prompt.",
        helpLinkUri: HelpLinkBase + DuplicatePromptUseId + ".md");

    /// <summary>RMAS2009: <c>Agent '{0}' has no prompt for {1} of system '{2}': add a [Prompt] with When = PromptUse.Always, or one for that stage</c></summary>
    public static readonly DiagnosticDescriptor MissingPrompt = new(
        id: MissingPromptId,
        title: "Agent has no prompt for a stage of the run",
        messageFormat: "Agent '{0}' has no prompt for {1} of system '{2}': add a [Prompt] with When = PromptUse.Always, or one for that stage",
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Round 1 uses the FirstRound prompt, else Always; later rounds use LaterRounds, else Always; the decoder's final decode uses Decode, else its last round's prompt. The agent has none for one of the stages it runs.",
        helpLinkUri: HelpLinkBase + MissingPromptId + ".md");

    /// <summary>RMAS3001: <c>System '{0}' declares [Link]s but no [Decoder]: name the agent that decodes the answer</c></summary>
    public static readonly DiagnosticDescriptor NoDecoder = new(
        id: NoDecoderId,
        title: "Custom graph has no decoder",
        messageFormat: "System '{0}' declares [Link]s but no [Decoder]: name the agent that decodes the answer",
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "In a custom graph, [Decoder] names the one agent that decodes text at the end of the last round.",
        helpLinkUri: HelpLinkBase + NoDecoderId + ".md");

    /// <summary>RMAS3002: <c>System '{0}' declares more than one [Decoder]; exactly one agent decodes</c></summary>
    public static readonly DiagnosticDescriptor MultipleDecoders = new(
        id: MultipleDecodersId,
        title: "Custom graph has more than one decoder",
        messageFormat: "System '{0}' declares more than one [Decoder]; exactly one agent decodes",
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Only one agent decodes text, at the end of the last round.",
        helpLinkUri: HelpLinkBase + MultipleDecodersId + ".md");

    /// <summary>RMAS3003: <c>Decoder '{0}' is not the source or target of any [Link] of system '{1}'</c></summary>
    public static readonly DiagnosticDescriptor DecoderNotInGraph = new(
        id: DecoderNotInGraphId,
        title: "Decoder is not in the graph",
        messageFormat: "Decoder '{0}' is not the source or target of any [Link] of system '{1}'",
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The decoder must be one of the agents the custom graph's links connect.",
        helpLinkUri: HelpLinkBase + DecoderNotInGraphId + ".md");

    /// <summary>RMAS3004: <c>No path of links leads from '{1}', the first agent of system '{2}', to '{0}', so '{0}' never receives a message</c></summary>
    public static readonly DiagnosticDescriptor UnreachableAgent = new(
        id: UnreachableAgentId,
        title: "Agent is unreachable from the first agent",
        messageFormat: "No path of links leads from '{1}', the first agent of system '{2}', to '{0}', so '{0}' never receives a message",
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The first agent of a custom graph is the source of its first [Link]; every agent must be reachable from it.",
        helpLinkUri: HelpLinkBase + UnreachableAgentId + ".md");

    /// <summary>RMAS3005: <c>System '{2}' runs {3} rounds, but no path of links leads from its decoder '{0}' back to its first agent '{1}': add a [Link] back, or set Rounds = 1</c></summary>
    public static readonly DiagnosticDescriptor LoopNotClosed = new(
        id: LoopNotClosedId,
        title: "Loop does not close",
        messageFormat: "System '{2}' runs {3} rounds, but no path of links leads from its decoder '{0}' back to its first agent '{1}': add a [Link] back, or set Rounds = 1",
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "With more than one round, what the agents think must flow back to the start of the next round: some path of links must lead from the decoder to the first agent.",
        helpLinkUri: HelpLinkBase + LoopNotClosedId + ".md");

    /// <summary>RMAS3006: <c>Agent '{0}' already receives the loop-closing message from '{1}' in system '{3}'; this link from '{2}' would be a second one, and a prompt has one {{feedback}} slot</c></summary>
    public static readonly DiagnosticDescriptor MultipleFeedback = new(
        id: MultipleFeedbackId,
        title: "Agent receives more than one loop-closing edge",
        messageFormat: "Agent '{0}' already receives the loop-closing message from '{1}' in system '{3}'; this link from '{2}' would be a second one, and a prompt has one {{feedback}} slot",
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "An edge closes the loop when it points back to an agent still being visited in a depth-first walk from the first agent; an agent receives at most one such edge.",
        helpLinkUri: HelpLinkBase + MultipleFeedbackId + ".md");

    /// <summary>RMAS3007: <c>The link '{0}' -&gt; '{1}' is declared more than once</c></summary>
    public static readonly DiagnosticDescriptor DuplicateLink = new(
        id: DuplicateLinkId,
        title: "Link declared twice",
        messageFormat: "The link '{0}' -> '{1}' is declared more than once",
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Each edge of a custom graph is one trained link; declare it once.",
        helpLinkUri: HelpLinkBase + DuplicateLinkId + ".md");

    /// <summary>All descriptors, for <c>SupportedDiagnostics</c>.</summary>
    public static ImmutableArray<DiagnosticDescriptor> All { get; } = ImmutableArray.Create(
        NotAnAgent,
        NotPartial,
        RoundsTooSmall,
        RoundsTooLarge,
        LatentStepsTooSmall,
        LatentStepsTooLarge,
        NoPattern,
        MoreThanOnePattern,
        TooFewAgents,
        DuplicateAgent,
        EmptyModel,
        AmbiguousAgentName,
        PatternWithoutSystem,
        HiddenSizeMismatch,
        HiddenSizeUnknown,
        ConfigInvalid,
        LinkHiddenSizeMismatch,
        NegativeHiddenSize,
        HiddenSizeFromConfig,
        MissingFromSlot,
        FromNotASender,
        FromUnknownAgent,
        FeedbackWithoutLoop,
        MissingFeedbackSlot,
        FeedbackInFirstRound,
        UnknownPlaceholder,
        DuplicatePromptUse,
        MissingPrompt,
        NoDecoder,
        MultipleDecoders,
        DecoderNotInGraph,
        UnreachableAgent,
        LoopNotClosed,
        MultipleFeedback,
        DuplicateLink);

    static readonly Dictionary<string, DiagnosticDescriptor> ById = All.ToDictionary(d => d.Id);

    /// <summary>The descriptor of a shared-rule problem kind.</summary>
    internal static DiagnosticDescriptor For(DiagnosticKind kind) => ById[Problem.FormatId(kind)];
}
