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
/// <remarks>
/// The titles, message formats and descriptions come from the shared <see cref="DiagnosticText"/>
/// catalog, which the runtime library formats its messages with too: edit the text there. IDs,
/// categories and severities are written here as constants because the release-tracking analyzer
/// (RS2000…RS2008) reads them from each <c>new DiagnosticDescriptor(...)</c>; a test checks that they
/// equal the catalog's.
/// </remarks>
public static class DiagnosticDescriptors
{
    /// <summary>
    /// Where the pages of <c>docs/diagnostics/</c> are published; one place to change when the repository moves.
    /// A build that names the package's own copy of the pages links to those instead (<see cref="HelpLinks"/>).
    /// </summary>
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

    /// <summary>RMAS0014 (Error): Member name is taken by generated code.</summary>
    public const string MemberNameClashId = "RMAS0014";

    /// <summary>RMAS0015 (Error): Class is both an agent and a system.</summary>
    public const string AgentAndSystemId = "RMAS0015";

    /// <summary>RMAS0016 (Error): System class cannot be extended by the generator.</summary>
    public const string UnsupportedSystemClassId = "RMAS0016";

    /// <summary>RMAS0017 (Error): Agent type cannot be used by generated code.</summary>
    public const string UnsupportedAgentTypeId = "RMAS0017";

    /// <summary>RMAS0018 (Error): Agent model folder leaves the model root.</summary>
    public const string ModelOutsideRootId = "RMAS0018";

    /// <summary>RMAS0019 (Error): Agent role is not a file name.</summary>
    public const string RoleNotAFileNameId = "RMAS0019";

    /// <summary>RMAS0020 (Error): C# version too old for the generated code.</summary>
    public const string LanguageVersionTooOldId = "RMAS0020";

    /// <summary>RMAS0021 (Error): Agent name is not a file name.</summary>
    public const string AgentNameNotAFileNameId = "RMAS0021";

    /// <summary>RMAS0022 (Error): Two agents of a system share a role.</summary>
    public const string SharedRoleId = "RMAS0022";

    /// <summary>RMAS0023 (Warning): Prompt on a class that is not an agent.</summary>
    public const string PromptWithoutAgentId = "RMAS0023";

    /// <summary>RMAS0024 (Error): Type in the global namespace hides a namespace the generated code names.</summary>
    public const string NamespaceHiddenByTypeId = "RMAS0024";

    /// <summary>RMAS0025 (Error): Agent model folder begins or ends with white space.</summary>
    public const string ModelPaddedWithWhiteSpaceId = "RMAS0025";

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

    /// <summary>RMAS2010 (Warning): Prompt without the question.</summary>
    public const string NoQuestionSlotId = "RMAS2010";

    /// <summary>RMAS2011 (Error): Prompt for a use that does not exist.</summary>
    public const string UnknownPromptUseId = "RMAS2011";

    /// <summary>RMAS2012 (Warning): Placeholder in double braces.</summary>
    public const string DoubleBracedPlaceholderId = "RMAS2012";

    /// <summary>RMAS2013 (Warning): Decode prompt on an agent that does not decode.</summary>
    public const string DecodePromptNotOnDecoderId = "RMAS2013";

    /// <summary>RMAS2014 (Warning): Later-rounds prompt in a one-round system.</summary>
    public const string LaterRoundsPromptInOneRoundId = "RMAS2014";

    /// <summary>RMAS2015 (Warning): Prompt that no stage of the run reads.</summary>
    public const string PromptNeverReadId = "RMAS2015";

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

    /// <summary>RMAS3008 (Error): Agent's messages never reach the decoder.</summary>
    public const string DeadEndAgentId = "RMAS3008";

    /// <summary>RMAS3009 (Error): Agent never runs in a one-round system.</summary>
    public const string NeverRunsInOneRoundId = "RMAS3009";

    /// <summary>RMAS0001: <c>'{0}' is not an agent: add [Agent("&lt;model folder&gt;")] to it, or remove it from system '{1}'</c></summary>
    public static readonly DiagnosticDescriptor NotAnAgent = new(
        id: NotAnAgentId,
        title: Title(DiagnosticKind.NotAnAgent),
        messageFormat: MessageFormat(DiagnosticKind.NotAnAgent),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.NotAnAgent),
        helpLinkUri: HelpLinkBase + NotAnAgentId + ".md");

    /// <summary>RMAS0002: <c>'{0}' must be declared partial: it is {1}, and the RecursiveMas source generator adds members to it</c></summary>
    public static readonly DiagnosticDescriptor NotPartial = new(
        id: NotPartialId,
        title: Title(DiagnosticKind.NotPartial),
        messageFormat: MessageFormat(DiagnosticKind.NotPartial),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.NotPartial),
        helpLinkUri: HelpLinkBase + NotPartialId + ".md");

    /// <summary>RMAS0003: <c>Rounds is {0}; a recursive system runs at least 1 round</c></summary>
    public static readonly DiagnosticDescriptor RoundsTooSmall = new(
        id: RoundsTooSmallId,
        title: Title(DiagnosticKind.RoundsTooSmall),
        messageFormat: MessageFormat(DiagnosticKind.RoundsTooSmall),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.RoundsTooSmall),
        helpLinkUri: HelpLinkBase + RoundsTooSmallId + ".md");

    /// <summary>RMAS0004: <c>Rounds is {0}, more than {1}: each round runs every agent again, and links trained for one round count run off-distribution with another</c></summary>
    public static readonly DiagnosticDescriptor RoundsTooLarge = new(
        id: RoundsTooLargeId,
        title: Title(DiagnosticKind.RoundsTooLarge),
        messageFormat: MessageFormat(DiagnosticKind.RoundsTooLarge),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.RoundsTooLarge),
        helpLinkUri: HelpLinkBase + RoundsTooLargeId + ".md");

    /// <summary>RMAS0005: <c>Agent '{0}' has LatentSteps = {1}; an agent thinks at least one latent step per round</c></summary>
    public static readonly DiagnosticDescriptor LatentStepsTooSmall = new(
        id: LatentStepsTooSmallId,
        title: Title(DiagnosticKind.LatentStepsTooSmall),
        messageFormat: MessageFormat(DiagnosticKind.LatentStepsTooSmall),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.LatentStepsTooSmall),
        helpLinkUri: HelpLinkBase + LatentStepsTooSmallId + ".md");

    /// <summary>RMAS0006: <c>Agent '{0}' has LatentSteps = {1}, more than {2}: every step is a forward pass of the model, and accuracy saturates around 80 steps</c></summary>
    public static readonly DiagnosticDescriptor LatentStepsTooLarge = new(
        id: LatentStepsTooLargeId,
        title: Title(DiagnosticKind.LatentStepsTooLarge),
        messageFormat: MessageFormat(DiagnosticKind.LatentStepsTooLarge),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.LatentStepsTooLarge),
        helpLinkUri: HelpLinkBase + LatentStepsTooLargeId + ".md");

    /// <summary>RMAS0007: <c>System '{0}' declares no pattern: add one of [Sequential], [Mixture], [Distillation], [Deliberation], or [Link]s with a [Decoder]</c></summary>
    public static readonly DiagnosticDescriptor NoPattern = new(
        id: NoPatternId,
        title: Title(DiagnosticKind.NoPattern),
        messageFormat: MessageFormat(DiagnosticKind.NoPattern),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.NoPattern),
        helpLinkUri: HelpLinkBase + NoPatternId + ".md");

    /// <summary>RMAS0008: <c>{0} cannot be combined with {1} on system '{2}': a system uses exactly one pattern</c></summary>
    public static readonly DiagnosticDescriptor MoreThanOnePattern = new(
        id: MoreThanOnePatternId,
        title: Title(DiagnosticKind.MoreThanOnePattern),
        messageFormat: MessageFormat(DiagnosticKind.MoreThanOnePattern),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.MoreThanOnePattern),
        helpLinkUri: HelpLinkBase + MoreThanOnePatternId + ".md");

    /// <summary>RMAS0009: <c>{0} needs {1}; it has {2}</c></summary>
    public static readonly DiagnosticDescriptor TooFewAgents = new(
        id: TooFewAgentsId,
        title: Title(DiagnosticKind.TooFewAgents),
        messageFormat: MessageFormat(DiagnosticKind.TooFewAgents),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.TooFewAgents),
        helpLinkUri: HelpLinkBase + TooFewAgentsId + ".md");

    /// <summary>RMAS0010: <c>Agent '{0}' appears more than once in [{1}]; every agent runs once per round</c></summary>
    public static readonly DiagnosticDescriptor DuplicateAgent = new(
        id: DuplicateAgentId,
        title: Title(DiagnosticKind.DuplicateAgent),
        messageFormat: MessageFormat(DiagnosticKind.DuplicateAgent),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.DuplicateAgent),
        helpLinkUri: HelpLinkBase + DuplicateAgentId + ".md");

    /// <summary>RMAS0011: <c>Agent '{0}' names no model: give the model's folder relative to the model root, such as [Agent("Qwen3-1.7B")]</c></summary>
    public static readonly DiagnosticDescriptor EmptyModel = new(
        id: EmptyModelId,
        title: Title(DiagnosticKind.EmptyModel),
        messageFormat: MessageFormat(DiagnosticKind.EmptyModel),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.EmptyModel),
        helpLinkUri: HelpLinkBase + EmptyModelId + ".md");

    /// <summary>RMAS0012: <c>Two agents of system '{3}' are named '{0}' ('{1}' and '{2}'), so {{from:{0}}} is ambiguous; rename one</c></summary>
    public static readonly DiagnosticDescriptor AmbiguousAgentName = new(
        id: AmbiguousAgentNameId,
        title: Title(DiagnosticKind.AmbiguousAgentName),
        messageFormat: MessageFormat(DiagnosticKind.AmbiguousAgentName),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.AmbiguousAgentName),
        helpLinkUri: HelpLinkBase + AmbiguousAgentNameId + ".md");

    /// <summary>RMAS0013: <c>{0} on '{1}' has no effect without [RecursiveSystem]: add [RecursiveSystem(Rounds = 3)]</c></summary>
    public static readonly DiagnosticDescriptor PatternWithoutSystem = new(
        id: PatternWithoutSystemId,
        title: Title(DiagnosticKind.PatternWithoutSystem),
        messageFormat: MessageFormat(DiagnosticKind.PatternWithoutSystem),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.PatternWithoutSystem),
        helpLinkUri: HelpLinkBase + PatternWithoutSystemId + ".md");

    /// <summary>RMAS0014: <c>'{1}' cannot have a member named '{0}': the generator adds {2} to it under that name; {3}</c></summary>
    public static readonly DiagnosticDescriptor MemberNameClash = new(
        id: MemberNameClashId,
        title: Title(DiagnosticKind.MemberNameClash),
        messageFormat: MessageFormat(DiagnosticKind.MemberNameClash),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.MemberNameClash),
        helpLinkUri: HelpLinkBase + MemberNameClashId + ".md");

    /// <summary>RMAS0015: <c>'{0}' has both [Agent] and [RecursiveSystem]: declare the agent and the system as separate classes</c></summary>
    public static readonly DiagnosticDescriptor AgentAndSystem = new(
        id: AgentAndSystemId,
        title: Title(DiagnosticKind.AgentAndSystem),
        messageFormat: MessageFormat(DiagnosticKind.AgentAndSystem),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.AgentAndSystem),
        helpLinkUri: HelpLinkBase + AgentAndSystemId + ".md");

    /// <summary>RMAS0016: <c>System class '{0}' {1}</c></summary>
    public static readonly DiagnosticDescriptor UnsupportedSystemClass = new(
        id: UnsupportedSystemClassId,
        title: Title(DiagnosticKind.UnsupportedSystemClass),
        messageFormat: MessageFormat(DiagnosticKind.UnsupportedSystemClass),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.UnsupportedSystemClass),
        helpLinkUri: HelpLinkBase + UnsupportedSystemClassId + ".md");

    /// <summary>RMAS0017: <c>Agent '{0}' {1}</c></summary>
    public static readonly DiagnosticDescriptor UnsupportedAgentType = new(
        id: UnsupportedAgentTypeId,
        title: Title(DiagnosticKind.UnsupportedAgentType),
        messageFormat: MessageFormat(DiagnosticKind.UnsupportedAgentType),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.UnsupportedAgentType),
        helpLinkUri: HelpLinkBase + UnsupportedAgentTypeId + ".md");

    /// <summary>RMAS0018: <c>Agent '{0}' names model folder "{1}", which {2}; loading refuses it: …</c></summary>
    public static readonly DiagnosticDescriptor ModelOutsideRoot = new(
        id: ModelOutsideRootId,
        title: Title(DiagnosticKind.ModelOutsideRoot),
        messageFormat: MessageFormat(DiagnosticKind.ModelOutsideRoot),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.ModelOutsideRoot),
        helpLinkUri: HelpLinkBase + ModelOutsideRootId + ".md");

    /// <summary>RMAS0019: <c>Agent '{0}' has Role = "{1}", which {2}; loading refuses it, …</c></summary>
    public static readonly DiagnosticDescriptor RoleNotAFileName = new(
        id: RoleNotAFileNameId,
        title: Title(DiagnosticKind.RoleNotAFileName),
        messageFormat: MessageFormat(DiagnosticKind.RoleNotAFileName),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.RoleNotAFileName),
        helpLinkUri: HelpLinkBase + RoleNotAFileNameId + ".md");

    /// <summary>RMAS0020: <c>'{0}' gets no generated code: the RecursiveMas source generator writes C# {2}, and this project compiles C# {1}; …</c></summary>
    public static readonly DiagnosticDescriptor LanguageVersionTooOld = new(
        id: LanguageVersionTooOldId,
        title: Title(DiagnosticKind.LanguageVersionTooOld),
        messageFormat: MessageFormat(DiagnosticKind.LanguageVersionTooOld),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.LanguageVersionTooOld),
        helpLinkUri: HelpLinkBase + LanguageVersionTooOldId + ".md");

    /// <summary>RMAS0021: <c>The name of agent '{0}' {1}; loading refuses it, since links are looked up in files named after agents: rename the agent</c></summary>
    public static readonly DiagnosticDescriptor AgentNameNotAFileName = new(
        id: AgentNameNotAFileNameId,
        title: Title(DiagnosticKind.AgentNameNotAFileName),
        messageFormat: MessageFormat(DiagnosticKind.AgentNameNotAFileName),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.AgentNameNotAFileName),
        helpLinkUri: HelpLinkBase + AgentNameNotAFileNameId + ".md");

    /// <summary>RMAS0022: <c>Agents '{0}' and '{1}' of system '{3}' both have the role "{2}" (compared ignoring case; an agent without a Role has its class name), so the training texts of that role and the link files under it would be mixed up between them: give each agent a role of its own</c></summary>
    public static readonly DiagnosticDescriptor SharedRole = new(
        id: SharedRoleId,
        title: Title(DiagnosticKind.SharedRole),
        messageFormat: MessageFormat(DiagnosticKind.SharedRole),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.SharedRole),
        helpLinkUri: HelpLinkBase + SharedRoleId + ".md");

    /// <summary>RMAS0023: <c>Class '{0}' has [Prompt] but no [Agent], so its prompts are never read: prompts belong on agent classes; move them to the agent that should read them, or add [Agent] to this class</c></summary>
    public static readonly DiagnosticDescriptor PromptWithoutAgent = new(
        id: PromptWithoutAgentId,
        title: Title(DiagnosticKind.PromptWithoutAgent),
        messageFormat: MessageFormat(DiagnosticKind.PromptWithoutAgent),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.PromptWithoutAgent),
        helpLinkUri: HelpLinkBase + PromptWithoutAgentId + ".md");

    /// <summary>RMAS0024: <c>'{0}' gets no generated code: the type '{1}' declared in the global namespace hides the namespace {1}, which the generated code names as global::{1}; rename that type or move it into a namespace</c></summary>
    public static readonly DiagnosticDescriptor NamespaceHiddenByType = new(
        id: NamespaceHiddenByTypeId,
        title: Title(DiagnosticKind.NamespaceHiddenByType),
        messageFormat: MessageFormat(DiagnosticKind.NamespaceHiddenByType),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.NamespaceHiddenByType),
        helpLinkUri: HelpLinkBase + NamespaceHiddenByTypeId + ".md");

    /// <summary>RMAS0025: <c>Agent '{0}' names model folder "{1}", which {2}; loading refuses it: write "{3}"</c></summary>
    public static readonly DiagnosticDescriptor ModelPaddedWithWhiteSpace = new(
        id: ModelPaddedWithWhiteSpaceId,
        title: Title(DiagnosticKind.ModelPaddedWithWhiteSpace),
        messageFormat: MessageFormat(DiagnosticKind.ModelPaddedWithWhiteSpace),
        category: "RecursiveMas.Declaration",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.ModelPaddedWithWhiteSpace),
        helpLinkUri: HelpLinkBase + ModelPaddedWithWhiteSpaceId + ".md");

    /// <summary>RMAS1001: <c>Agent '{0}' declares HiddenSize = {1}, but {3} says hidden_size = {2}</c></summary>
    public static readonly DiagnosticDescriptor HiddenSizeMismatch = new(
        id: HiddenSizeMismatchId,
        title: Title(DiagnosticKind.HiddenSizeMismatch),
        messageFormat: MessageFormat(DiagnosticKind.HiddenSizeMismatch),
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.HiddenSizeMismatch),
        helpLinkUri: HelpLinkBase + HiddenSizeMismatchId + ".md");

    /// <summary>RMAS1002: <c>Agent '{0}' has no HiddenSize and the project has no '{1}/config.json': add the model's config.json as an AdditionalFiles item, or declare HiddenSize</c></summary>
    public static readonly DiagnosticDescriptor HiddenSizeUnknown = new(
        id: HiddenSizeUnknownId,
        title: Title(DiagnosticKind.HiddenSizeUnknown),
        messageFormat: MessageFormat(DiagnosticKind.HiddenSizeUnknown),
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.HiddenSizeUnknown),
        helpLinkUri: HelpLinkBase + HiddenSizeUnknownId + ".md");

    /// <summary>RMAS1003: <c>'{1}' of agent '{0}' cannot be used: {2}</c></summary>
    public static readonly DiagnosticDescriptor ConfigInvalid = new(
        id: ConfigInvalidId,
        title: Title(DiagnosticKind.ConfigInvalid),
        messageFormat: MessageFormat(DiagnosticKind.ConfigInvalid),
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.ConfigInvalid),
        helpLinkUri: HelpLinkBase + ConfigInvalidId + ".md");

    /// <summary>RMAS1004: <c>{0} = {1}, but agent '{2}' has hidden size {3}</c></summary>
    public static readonly DiagnosticDescriptor LinkHiddenSizeMismatch = new(
        id: LinkHiddenSizeMismatchId,
        title: Title(DiagnosticKind.LinkHiddenSizeMismatch),
        messageFormat: MessageFormat(DiagnosticKind.LinkHiddenSizeMismatch),
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.LinkHiddenSizeMismatch),
        helpLinkUri: HelpLinkBase + LinkHiddenSizeMismatchId + ".md");

    /// <summary>RMAS1005: <c>{0} is {1}; a hidden size is positive, or 0 to leave it undeclared</c></summary>
    public static readonly DiagnosticDescriptor NegativeHiddenSize = new(
        id: NegativeHiddenSizeId,
        title: Title(DiagnosticKind.NegativeHiddenSize),
        messageFormat: MessageFormat(DiagnosticKind.NegativeHiddenSize),
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.NegativeHiddenSize),
        helpLinkUri: HelpLinkBase + NegativeHiddenSizeId + ".md");

    /// <summary>RMAS1006: <c>Agent '{0}' takes hidden size {1} from {2}</c></summary>
    public static readonly DiagnosticDescriptor HiddenSizeFromConfig = new(
        id: HiddenSizeFromConfigId,
        title: Title(DiagnosticKind.HiddenSizeFromConfig),
        messageFormat: MessageFormat(DiagnosticKind.HiddenSizeFromConfig),
        category: "RecursiveMas.Dimensions",
        defaultSeverity: DiagnosticSeverity.Hidden,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.HiddenSizeFromConfig),
        helpLinkUri: HelpLinkBase + HiddenSizeFromConfigId + ".md");

    /// <summary>RMAS2001: <c>This prompt of agent '{0}' has no {{from:{1}}} slot, but '{1}' sends '{0}' a message every round of system '{2}'</c></summary>
    public static readonly DiagnosticDescriptor MissingFromSlot = new(
        id: MissingFromSlotId,
        title: Title(DiagnosticKind.MissingFromSlot),
        messageFormat: MessageFormat(DiagnosticKind.MissingFromSlot),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.MissingFromSlot),
        helpLinkUri: HelpLinkBase + MissingFromSlotId + ".md");

    /// <summary>RMAS2002: <c>{{from:{0}}}: '{0}' sends no message to '{1}' within a round of system '{2}'{3}</c></summary>
    public static readonly DiagnosticDescriptor FromNotASender = new(
        id: FromNotASenderId,
        title: Title(DiagnosticKind.FromNotASender),
        messageFormat: MessageFormat(DiagnosticKind.FromNotASender),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.FromNotASender),
        helpLinkUri: HelpLinkBase + FromNotASenderId + ".md");

    /// <summary>RMAS2003: <c>{{from:{0}}} in a prompt of agent '{1}': system '{2}' has no agent named '{0}'</c></summary>
    public static readonly DiagnosticDescriptor FromUnknownAgent = new(
        id: FromUnknownAgentId,
        title: Title(DiagnosticKind.FromUnknownAgent),
        messageFormat: MessageFormat(DiagnosticKind.FromUnknownAgent),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.FromUnknownAgent),
        helpLinkUri: HelpLinkBase + FromUnknownAgentId + ".md");

    /// <summary>RMAS2004: <c>A prompt of agent '{0}' reads {{feedback}}, but no loop-closing edge leads to '{0}' in system '{1}'</c></summary>
    public static readonly DiagnosticDescriptor FeedbackWithoutLoop = new(
        id: FeedbackWithoutLoopId,
        title: Title(DiagnosticKind.FeedbackWithoutLoop),
        messageFormat: MessageFormat(DiagnosticKind.FeedbackWithoutLoop),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.FeedbackWithoutLoop),
        helpLinkUri: HelpLinkBase + FeedbackWithoutLoopId + ".md");

    /// <summary>RMAS2005: <c>Agent '{0}' receives the loop-closing message from '{1}' in system '{2}', but the prompt it uses after round 1 has no {{feedback}} slot: add one, or add a [Prompt(..., When = PromptUse.LaterRounds)] with it</c></summary>
    public static readonly DiagnosticDescriptor MissingFeedbackSlot = new(
        id: MissingFeedbackSlotId,
        title: Title(DiagnosticKind.MissingFeedbackSlot),
        messageFormat: MessageFormat(DiagnosticKind.MissingFeedbackSlot),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.MissingFeedbackSlot),
        helpLinkUri: HelpLinkBase + MissingFeedbackSlotId + ".md");

    /// <summary>RMAS2006: <c>Agent '{0}' uses this prompt in round 1 of system '{1}', where no loop-closing message exists yet: keep {{feedback}} for a [Prompt(..., When = PromptUse.LaterRounds)] and give round 1 a prompt without it</c></summary>
    public static readonly DiagnosticDescriptor FeedbackInFirstRound = new(
        id: FeedbackInFirstRoundId,
        title: Title(DiagnosticKind.FeedbackInFirstRound),
        messageFormat: MessageFormat(DiagnosticKind.FeedbackInFirstRound),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.FeedbackInFirstRound),
        helpLinkUri: HelpLinkBase + FeedbackInFirstRoundId + ".md");

    /// <summary>RMAS2007: <c>'{0}' in a prompt of agent '{1}' looks like a placeholder but is not one, so it stays literal text; the placeholders are {{question}}, {{feedback}}, {{from:AgentClassName}} and {{round}}</c></summary>
    public static readonly DiagnosticDescriptor UnknownPlaceholder = new(
        id: UnknownPlaceholderId,
        title: Title(DiagnosticKind.UnknownPlaceholder),
        messageFormat: MessageFormat(DiagnosticKind.UnknownPlaceholder),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.UnknownPlaceholder),
        helpLinkUri: HelpLinkBase + UnknownPlaceholderId + ".md");

    /// <summary>RMAS2008: <c>Agent '{0}' already has a prompt for When = {1}; an agent has at most one prompt per use</c></summary>
    public static readonly DiagnosticDescriptor DuplicatePromptUse = new(
        id: DuplicatePromptUseId,
        title: Title(DiagnosticKind.DuplicatePromptUse),
        messageFormat: MessageFormat(DiagnosticKind.DuplicatePromptUse),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.DuplicatePromptUse),
        helpLinkUri: HelpLinkBase + DuplicatePromptUseId + ".md");

    /// <summary>RMAS2009: <c>Agent '{0}' has no prompt for {1} of system '{2}': add a [Prompt] with When = PromptUse.Always, or one for that stage</c></summary>
    public static readonly DiagnosticDescriptor MissingPrompt = new(
        id: MissingPromptId,
        title: Title(DiagnosticKind.MissingPrompt),
        messageFormat: MessageFormat(DiagnosticKind.MissingPrompt),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.MissingPrompt),
        helpLinkUri: HelpLinkBase + MissingPromptId + ".md");

    /// <summary>RMAS2010: <c>A prompt of agent '{0}' (When = {1}) has no {{question}} slot, so the agent does not read the question in the stages that use it</c></summary>
    public static readonly DiagnosticDescriptor NoQuestionSlot = new(
        id: NoQuestionSlotId,
        title: Title(DiagnosticKind.NoQuestionSlot),
        messageFormat: MessageFormat(DiagnosticKind.NoQuestionSlot),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.NoQuestionSlot),
        helpLinkUri: HelpLinkBase + NoQuestionSlotId + ".md");

    /// <summary>RMAS2011: <c>A prompt of agent '{0}' has When = {1}, which is not a PromptUse: use Always, FirstRound, LaterRounds or Decode</c></summary>
    public static readonly DiagnosticDescriptor UnknownPromptUse = new(
        id: UnknownPromptUseId,
        title: Title(DiagnosticKind.UnknownPromptUse),
        messageFormat: MessageFormat(DiagnosticKind.UnknownPromptUse),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.UnknownPromptUse),
        helpLinkUri: HelpLinkBase + UnknownPromptUseId + ".md");

    /// <summary>RMAS2012: <c>'{0}' in a prompt of agent '{1}' fills {2} and keeps the outer braces as text around it: placeholders take single braces, as in {2}</c></summary>
    public static readonly DiagnosticDescriptor DoubleBracedPlaceholder = new(
        id: DoubleBracedPlaceholderId,
        title: Title(DiagnosticKind.DoubleBracedPlaceholder),
        messageFormat: MessageFormat(DiagnosticKind.DoubleBracedPlaceholder),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.DoubleBracedPlaceholder),
        helpLinkUri: HelpLinkBase + DoubleBracedPlaceholderId + ".md");

    /// <summary>RMAS2013: <c>The When = PromptUse.Decode prompt of agent '{0}' is never read: only '{1}', the decoder of system '{2}', makes the final text decode; move the prompt to '{1}' or remove it</c></summary>
    public static readonly DiagnosticDescriptor DecodePromptNotOnDecoder = new(
        id: DecodePromptNotOnDecoderId,
        title: Title(DiagnosticKind.DecodePromptNotOnDecoder),
        messageFormat: MessageFormat(DiagnosticKind.DecodePromptNotOnDecoder),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.DecodePromptNotOnDecoder),
        helpLinkUri: HelpLinkBase + DecodePromptNotOnDecoderId + ".md");

    /// <summary>RMAS2014: <c>The When = PromptUse.LaterRounds prompt of agent '{0}' is never read: system '{1}' runs 1 round, and only rounds 2 and later read it; set Rounds = 2 or more, or remove the prompt</c></summary>
    public static readonly DiagnosticDescriptor LaterRoundsPromptInOneRound = new(
        id: LaterRoundsPromptInOneRoundId,
        title: Title(DiagnosticKind.LaterRoundsPromptInOneRound),
        messageFormat: MessageFormat(DiagnosticKind.LaterRoundsPromptInOneRound),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.LaterRoundsPromptInOneRound),
        helpLinkUri: HelpLinkBase + LaterRoundsPromptInOneRoundId + ".md");

    /// <summary>RMAS2015: <c>The When = PromptUse.{1} prompt of agent '{0}' is never read: in system '{2}' ({3}) the agent reads {4}; remove the prompt, or the one that takes its place</c></summary>
    public static readonly DiagnosticDescriptor PromptNeverRead = new(
        id: PromptNeverReadId,
        title: Title(DiagnosticKind.PromptNeverRead),
        messageFormat: MessageFormat(DiagnosticKind.PromptNeverRead),
        category: "RecursiveMas.Prompts",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.PromptNeverRead),
        helpLinkUri: HelpLinkBase + PromptNeverReadId + ".md");

    /// <summary>RMAS3001: <c>System '{0}' declares [Link]s but no [Decoder]: name the agent that decodes the answer</c></summary>
    public static readonly DiagnosticDescriptor NoDecoder = new(
        id: NoDecoderId,
        title: Title(DiagnosticKind.NoDecoder),
        messageFormat: MessageFormat(DiagnosticKind.NoDecoder),
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.NoDecoder),
        helpLinkUri: HelpLinkBase + NoDecoderId + ".md");

    /// <summary>RMAS3002: <c>System '{0}' declares more than one [Decoder]; exactly one agent decodes</c></summary>
    public static readonly DiagnosticDescriptor MultipleDecoders = new(
        id: MultipleDecodersId,
        title: Title(DiagnosticKind.MultipleDecoders),
        messageFormat: MessageFormat(DiagnosticKind.MultipleDecoders),
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.MultipleDecoders),
        helpLinkUri: HelpLinkBase + MultipleDecodersId + ".md");

    /// <summary>RMAS3003: <c>Decoder '{0}' is not the source or target of any [Link] of system '{1}'</c></summary>
    public static readonly DiagnosticDescriptor DecoderNotInGraph = new(
        id: DecoderNotInGraphId,
        title: Title(DiagnosticKind.DecoderNotInGraph),
        messageFormat: MessageFormat(DiagnosticKind.DecoderNotInGraph),
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.DecoderNotInGraph),
        helpLinkUri: HelpLinkBase + DecoderNotInGraphId + ".md");

    /// <summary>RMAS3004: <c>No path of links leads from '{1}', the first agent of system '{2}', to '{0}', so '{0}' never receives a message</c></summary>
    public static readonly DiagnosticDescriptor UnreachableAgent = new(
        id: UnreachableAgentId,
        title: Title(DiagnosticKind.UnreachableAgent),
        messageFormat: MessageFormat(DiagnosticKind.UnreachableAgent),
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.UnreachableAgent),
        helpLinkUri: HelpLinkBase + UnreachableAgentId + ".md");

    /// <summary>RMAS3005: <c>System '{2}' runs {3} rounds, but no path of links leads from its decoder '{0}' back to its first agent '{1}': add a [Link] back, or set Rounds = 1</c></summary>
    public static readonly DiagnosticDescriptor LoopNotClosed = new(
        id: LoopNotClosedId,
        title: Title(DiagnosticKind.LoopNotClosed),
        messageFormat: MessageFormat(DiagnosticKind.LoopNotClosed),
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.LoopNotClosed),
        helpLinkUri: HelpLinkBase + LoopNotClosedId + ".md");

    /// <summary>RMAS3006: <c>Agent '{0}' already receives the loop-closing message from '{1}' in system '{3}'; this link from '{2}' would be a second one, and a prompt has one {{feedback}} slot</c></summary>
    public static readonly DiagnosticDescriptor MultipleFeedback = new(
        id: MultipleFeedbackId,
        title: Title(DiagnosticKind.MultipleFeedback),
        messageFormat: MessageFormat(DiagnosticKind.MultipleFeedback),
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.MultipleFeedback),
        helpLinkUri: HelpLinkBase + MultipleFeedbackId + ".md");

    /// <summary>RMAS3007: <c>The link '{0}' -&gt; '{1}' is declared more than once</c></summary>
    public static readonly DiagnosticDescriptor DuplicateLink = new(
        id: DuplicateLinkId,
        title: Title(DiagnosticKind.DuplicateLink),
        messageFormat: MessageFormat(DiagnosticKind.DuplicateLink),
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.DuplicateLink),
        helpLinkUri: HelpLinkBase + DuplicateLinkId + ".md");

    /// <summary>RMAS3008: <c>No path of links leads from '{0}' to '{1}', the decoder of system '{2}', so nothing '{0}' thinks can change the answer</c></summary>
    public static readonly DiagnosticDescriptor DeadEndAgent = new(
        id: DeadEndAgentId,
        title: Title(DiagnosticKind.DeadEndAgent),
        messageFormat: MessageFormat(DiagnosticKind.DeadEndAgent),
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.DeadEndAgent),
        helpLinkUri: HelpLinkBase + DeadEndAgentId + ".md");

    /// <summary>RMAS3009: <c>System '{2}' runs 1 round, and '{0}' reaches its decoder '{1}' only through loop-closing links, whose messages are read in the next round, so '{0}' never runs: set Rounds = 2 or more, or add a path of forward [Link]s from '{0}' to '{1}'</c></summary>
    public static readonly DiagnosticDescriptor NeverRunsInOneRound = new(
        id: NeverRunsInOneRoundId,
        title: Title(DiagnosticKind.NeverRunsInOneRound),
        messageFormat: MessageFormat(DiagnosticKind.NeverRunsInOneRound),
        category: "RecursiveMas.Graph",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: Description(DiagnosticKind.NeverRunsInOneRound),
        helpLinkUri: HelpLinkBase + NeverRunsInOneRoundId + ".md");

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
        MemberNameClash,
        AgentAndSystem,
        UnsupportedSystemClass,
        UnsupportedAgentType,
        ModelOutsideRoot,
        RoleNotAFileName,
        LanguageVersionTooOld,
        AgentNameNotAFileName,
        SharedRole,
        PromptWithoutAgent,
        NamespaceHiddenByType,
        ModelPaddedWithWhiteSpace,
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
        NoQuestionSlot,
        UnknownPromptUse,
        DoubleBracedPlaceholder,
        DecodePromptNotOnDecoder,
        LaterRoundsPromptInOneRound,
        PromptNeverRead,
        NoDecoder,
        MultipleDecoders,
        DecoderNotInGraph,
        UnreachableAgent,
        LoopNotClosed,
        MultipleFeedback,
        DuplicateLink,
        DeadEndAgent,
        NeverRunsInOneRound);

    static readonly Dictionary<string, DiagnosticDescriptor> ById = All.ToDictionary(d => d.Id);

    /// <summary>The descriptor of a shared-rule problem kind.</summary>
    internal static DiagnosticDescriptor For(DiagnosticKind kind) => ById[Problem.FormatId(kind)];

    /// <summary>The Roslyn severity of a shared-rule severity (same names and values).</summary>
    internal static DiagnosticSeverity ToRoslyn(ProblemSeverity severity) => severity switch
    {
        ProblemSeverity.Hidden => DiagnosticSeverity.Hidden,
        ProblemSeverity.Warning => DiagnosticSeverity.Warning,
        _ => DiagnosticSeverity.Error,
    };

    static string Title(DiagnosticKind kind) => DiagnosticText.For(kind).Title;

    static string MessageFormat(DiagnosticKind kind) => DiagnosticText.For(kind).MessageFormat;

    static string Description(DiagnosticKind kind) => DiagnosticText.For(kind).Description;
}
