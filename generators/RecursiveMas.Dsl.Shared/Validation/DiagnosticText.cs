using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RecursiveMas.Dsl;

/// <summary>
/// How serious a <see cref="Problem"/> is. Mirrors <c>Microsoft.CodeAnalysis.DiagnosticSeverity</c>
/// by name and value, so the analyzer maps it one to one; this code references no Roslyn types.
/// </summary>
internal enum ProblemSeverity
{
    /// <summary>Not shown by default (the analyzer offers a code fix on it).</summary>
    Hidden = 0,

    /// <summary>Shown, does not stop generation or a run.</summary>
    Warning = 2,

    /// <summary>Stops generation (and the runtime refuses the system).</summary>
    Error = 3,
}

/// <summary>
/// The text of every diagnostic the DSL rules report: title, message format, description (help text)
/// and severity, for each <see cref="DiagnosticKind"/>. The one source of these strings: the analyzers
/// build their <c>DiagnosticDescriptor</c>s from it, and the runtime library, which validates a
/// hand-written <c>SYSTEM.json</c> with the same rules, formats its messages with it, so both say
/// the same thing.
/// </summary>
/// <param name="Kind">The rule.</param>
/// <param name="Severity">Its default severity; only <see cref="ProblemSeverity.Error"/> stops generation.</param>
/// <param name="Title">A short title, e.g. <c>Type is not an agent</c>.</param>
/// <param name="MessageFormat">
/// A composite format over the problem's <see cref="Problem.Arguments"/> (<c>{0}</c>, <c>{1}</c>, …, as
/// listed on each <see cref="DiagnosticKind"/> member; <c>{{</c> and <c>}}</c> are literal braces).
/// </param>
/// <param name="Description">The help text: why the rule exists and what it expects.</param>
internal sealed record DiagnosticText(DiagnosticKind Kind, ProblemSeverity Severity, string Title, string MessageFormat, string Description)
{
    /// <summary>The diagnostic ID, e.g. <c>RMAS2001</c>.</summary>
    public string Id => Problem.FormatId(Kind);

    /// <summary>
    /// The analyzer category, by the ID's range: <c>RecursiveMas.Declaration</c> (0xxx),
    /// <c>RecursiveMas.Dimensions</c> (1xxx), <c>RecursiveMas.Prompts</c> (2xxx), <c>RecursiveMas.Graph</c> (3xxx).
    /// </summary>
    public string Category => ((int)Kind / 1000) switch
    {
        0 => "RecursiveMas.Declaration",
        1 => "RecursiveMas.Dimensions",
        2 => "RecursiveMas.Prompts",
        _ => "RecursiveMas.Graph",
    };

    /// <summary>Whether problems of this kind are errors (stop generation).</summary>
    public bool IsError => Severity == ProblemSeverity.Error;

    /// <summary>The text of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a member of <see cref="DiagnosticKind"/>.</exception>
    public static DiagnosticText For(DiagnosticKind kind) =>
        ByKind.TryGetValue(kind, out var text) ? text : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a diagnostic kind.");

    /// <summary>
    /// The message of <paramref name="problem"/> prefixed with its ID, e.g.
    /// <c>RMAS2001: This prompt of agent 'Critic' has no {from:Planner} slot, …</c>.
    /// </summary>
    public static string Format(Problem problem) => problem.Id + ": " + For(problem.Kind).FormatMessage(problem.Arguments);

    /// <summary>
    /// <see cref="MessageFormat"/> with <paramref name="arguments"/> filled in (invariant culture), exactly as
    /// Roslyn's <c>Diagnostic.GetMessage</c> does it: without arguments, or when they do not fit the
    /// format, the format itself.
    /// </summary>
    public string FormatMessage(IReadOnlyList<string> arguments)
    {
        if (arguments.Count == 0)
        {
            return MessageFormat;
        }

        try
        {
            return string.Format(CultureInfo.InvariantCulture, MessageFormat, arguments.Cast<object>().ToArray());
        }
        catch (FormatException)
        {
            return MessageFormat;
        }
    }

    /// <summary>The text of every kind, in the order of <see cref="DiagnosticKind"/>.</summary>
    public static IReadOnlyList<DiagnosticText> All { get; } = new DiagnosticText[]
    {
        new(DiagnosticKind.NotAnAgent, ProblemSeverity.Error,
            "Type is not an agent",
            "'{0}' is not an agent: add [Agent(\"<model folder>\")] to it, or remove it from system '{1}'",
            "Every type a pattern, [Link] or [Decoder] names must be a class with [Agent]; the generator needs its model, hidden size and prompts."),
        new(DiagnosticKind.NotPartial, ProblemSeverity.Error,
            "Agent and system types must be partial",
            "'{0}' must be declared partial: it is {1}, and the RecursiveMas source generator adds members to it",
            "The source generator adds the agent's typed latent message and the system's recursion graph to the classes that declare them, so those classes, and every type they are nested in, must be partial."),
        new(DiagnosticKind.RoundsTooSmall, ProblemSeverity.Error,
            "Rounds must be at least 1",
            "Rounds is {0}; a recursive system runs at least 1 round",
            "Rounds is n, the number of recursion rounds; the paper's systems run 3."),
        new(DiagnosticKind.RoundsTooLarge, ProblemSeverity.Warning,
            "Unusually many rounds",
            "Rounds is {0}, more than {1}: each round runs every agent again, and links trained for one round count run off-distribution with another",
            "The paper evaluates 1 to 5 rounds and trains its links for 3; many more rounds multiply the cost and are most likely a typo."),
        new(DiagnosticKind.LatentStepsTooSmall, ProblemSeverity.Error,
            "LatentSteps must be at least 1",
            "Agent '{0}' has LatentSteps = {1}; an agent thinks at least one latent step per round",
            "LatentSteps is m, the number of latent thoughts an agent produces per round before its message is sent."),
        new(DiagnosticKind.LatentStepsTooLarge, ProblemSeverity.Warning,
            "Absurdly many latent steps",
            "Agent '{0}' has LatentSteps = {1}, more than {2}: every step is a forward pass of the model, and accuracy saturates around 80 steps",
            "The paper's released systems use 16 to 48 latent steps and report that accuracy saturates around 80; each step costs one forward pass."),
        new(DiagnosticKind.NoPattern, ProblemSeverity.Error,
            "System has no collaboration pattern",
            "System '{0}' declares no pattern: add one of [Sequential], [Mixture], [Distillation], [Deliberation], or [Link]s with a [Decoder]",
            "A [RecursiveSystem] needs exactly one collaboration pattern to know its agents and edges."),
        new(DiagnosticKind.MoreThanOnePattern, ProblemSeverity.Error,
            "System has more than one collaboration pattern",
            "{0} cannot be combined with {1} on system '{2}': a system uses exactly one pattern",
            "A system uses exactly one of [Sequential], [Mixture], [Distillation], [Deliberation], or a custom graph of [Link]s plus a [Decoder]. [Decoder] belongs to custom graphs only: the built-in patterns name their decoder themselves."),
        new(DiagnosticKind.TooFewAgents, ProblemSeverity.Error,
            "Pattern has too few agents",
            "{0} needs {1}; it has {2}",
            "[Sequential] needs at least 2 agents, [Mixture] a summarizer and at least 2 experts, and a custom graph at least one [Link]."),
        new(DiagnosticKind.DuplicateAgent, ProblemSeverity.Error,
            "Agent appears twice in a pattern",
            "Agent '{0}' appears more than once in [{1}]; every agent runs once per round",
            "An agent is one node of the system's graph and runs once per round, so a pattern names it once."),
        new(DiagnosticKind.EmptyModel, ProblemSeverity.Error,
            "Agent model folder is empty",
            "Agent '{0}' names no model: give the model's folder relative to the model root, such as [Agent(\"Qwen3-1.7B\")]",
            "The model argument is the folder, relative to the model root given at load time, that holds the model's config.json, weights and tokenizer."),
        new(DiagnosticKind.AmbiguousAgentName, ProblemSeverity.Error,
            "Two agents of a system share a class name",
            "Two agents of system '{3}' are named '{0}' ('{1}' and '{2}'), so {{from:{0}}} is ambiguous; rename one",
            "Prompts name senders by class name ({from:Planner}), so the agents of one system need distinct class names."),
        new(DiagnosticKind.PatternWithoutSystem, ProblemSeverity.Error,
            "Pattern without [RecursiveSystem]",
            "{0} on '{1}' has no effect without [RecursiveSystem]: add [RecursiveSystem(Rounds = 3)]",
            "Pattern, [Link] and [Decoder] attributes describe a recursive system and are only read on a class with [RecursiveSystem]."),
        new(DiagnosticKind.MemberNameClash, ProblemSeverity.Error,
            "Member name is taken by generated code",
            "'{1}' cannot have a member named '{0}': the generator adds {2} to it under that name; {3}",
            "The source generator adds members to [RecursiveSystem] and [Agent] classes (Solve, Load, Rounds, per-agent links and stages, agent constants). A member of the same name in the user's part of the class clashes with them (CS0102/CS0111 inside generated code) or, as an overload, takes calls meant for the generated member, and a class named like one of them cannot compile (CS0542); these names are reserved. Two agents whose names spell each other's members (P and PFirstRound both give _pFirstRound) are reported the same way."),
        new(DiagnosticKind.AgentAndSystem, ProblemSeverity.Error,
            "Class is both an agent and a system",
            "'{0}' has both [Agent] and [RecursiveSystem]: declare the agent and the system as separate classes",
            "The generator adds an agent's constants (ModelFolder, HiddenSize, LatentSteps, Role) to an [Agent] class and a whole system (Load, Solve, links, stages) to a [RecursiveSystem] class. One class cannot be both: its agent constants were silently left out."),
        new(DiagnosticKind.UnsupportedSystemClass, ProblemSeverity.Error,
            "System class cannot be extended by the generator",
            "System class '{0}' {1}",
            "The generator adds instance members, a private constructor and a Load method that calls it to a [RecursiveSystem] class, in a partial declaration in another file. So the class must be one it can construct (not static or abstract, no primary constructor to chain to, a base class constructible without arguments), not generic, and not file-local (a part in another file would be another class)."),
        new(DiagnosticKind.UnsupportedAgentType, ProblemSeverity.Error,
            "Agent type cannot be used by generated code",
            "Agent '{0}' {1}",
            "Generated code names every agent as a type argument (Thoughts<Planner>, Message<Planner, Solver>, TypedOuterLink<Planner, Solver>) and adds its constants in a partial declaration in another file. So an agent type is not static (a static class is no type argument), not file-local (another file cannot name it), and a system names a generic agent with its type arguments (typeof(P<int>), not typeof(P<>))."),
        new(DiagnosticKind.ModelOutsideRoot, ProblemSeverity.Error,
            "Agent model folder leaves the model root",
            "Agent '{0}' names model folder \"{1}\", which {2}; loading refuses it: give the folder relative to the model root, such as [Agent(\"Qwen3-1.7B\")]",
            "The model argument is a folder relative to the model root given at load time, and loading resolves it inside that root: a path that is absolute (/models/x, C:\\models\\x) or climbs out with '..' is refused, so that no system file can make the runtime read elsewhere. Choose where the models are with the model root (rmas --models, SystemLoadOptions.ModelRoot), not in the declaration."),
        new(DiagnosticKind.RoleNotAFileName, ProblemSeverity.Error,
            "Agent role is not a file name",
            "Agent '{0}' has Role = \"{1}\", which {2}; loading refuses it, since links are looked up in files named after roles: use a plain name, such as \"planner\"",
            "A role names the agent in logs and training outputs, and loading looks up the agent's link files under it in the links folder, so it must be one file name on every OS: not empty, not '.' or '..', and without '/', '\\', control characters or any of < > : \" | ? *; not a name Windows keeps for a device (CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9, also with an extension, such as con.txt), and not ending in a dot or a space, which Windows drops."),
        new(DiagnosticKind.LanguageVersionTooOld, ProblemSeverity.Error,
            "C# version too old for the generated code",
            "'{0}' gets no generated code: the RecursiveMas source generator writes C# {2}, and this project compiles C# {1}; set <LangVersion>{2}</LangVersion> or later in the project file",
            "The generated code uses C# 10 (file-scoped namespaces; records, init-only setters, target-typed new and not patterns are C# 9). A project that compiles an older version, by its LangVersion or the default of an older target framework (C# 7.3 for netstandard2.0 and .NET Framework), got errors inside the generated files; the generator writes nothing there, and this diagnostic names each agent and system class that goes without."),
        new(DiagnosticKind.AgentNameNotAFileName, ProblemSeverity.Error,
            "Agent name is not a file name",
            "The name of agent '{0}' {1}; loading refuses it, since links are looked up in files named after agents: rename the agent",
            "Loading looks up an agent's link files under its name (inner.<name>, outer.<from>-<to>) as well as under its role, so the name, an agent class's name, must be one file name on every OS as a role must: not a name Windows keeps for a device (CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9, in any case). A class named Con or Aux compiled, and its system was refused when it loaded."),
        new(DiagnosticKind.SharedRole, ProblemSeverity.Error,
            "Two agents of a system share a role",
            "Agents '{0}' and '{1}' of system '{3}' both have the role \"{2}\" (compared ignoring case; an agent without a Role has its class name), so the training texts of that role and the link files under it would be mixed up between them: give each agent a role of its own",
            "An agent's role is its Role, or its class name when it has none. Training data's role texts are handed to the agent of that role, and loading looks up an agent's link files under its role when none are saved under its name. So no two agents of a system may have one role, compared ignoring case as the file systems of Windows and macOS compare file names: one's texts trained the other's links, and one's link files were loaded for the other."),
        new(DiagnosticKind.PromptWithoutAgent, ProblemSeverity.Warning,
            "Prompt on a class that is not an agent",
            "Class '{0}' has [Prompt] but no [Agent], so its prompts are never read: prompts belong on agent classes; move them to the agent that should read them, or add [Agent] to this class",
            "Only an agent reads prompts: the prompts of a stage are looked up on the class with [Agent] that runs it. A [Prompt] on any other class, a system class included, was ignored without a word, and its agents ran with the prompts they had of their own."),
        new(DiagnosticKind.NamespaceHiddenByType, ProblemSeverity.Error,
            "Type in the global namespace hides a namespace the generated code names",
            "'{0}' gets no generated code: the type '{1}' declared in the global namespace hides the namespace {1}, which the generated code names as global::{1}; rename that type or move it into a namespace",
            "The generated code names RecursiveMas, System and TorchSharp types by their full names after global::, so a type of the same name in one of the project's own namespaces changes nothing. A non-generic type with one of these names in the global namespace is another matter: C# takes it over the referenced namespace even after global:: (CS0437), and every generated file failed with CS0426 ('IDisposable' does not exist in the type 'System'), naming no cause. The generator writes nothing there, and this diagnostic names each agent and system class that goes without."),
        new(DiagnosticKind.ModelPaddedWithWhiteSpace, ProblemSeverity.Error,
            "Agent model folder begins or ends with white space",
            "Agent '{0}' names model folder \"{1}\", which {2}; loading refuses it: write \"{3}\"",
            "A space before or after a folder name (\"planner \", \" qwen/Qwen3-1.7B\") is a typo far more often than a folder's real name. Loading looked for the folder under the padded name and failed only when it did not find it there, with the space hard to see in the message (Windows drops a trailing space, and could open another folder). Loading refuses such a model folder, naming it, and so do the analyzers; a folder whose name really has such spaces needs renaming."),
        new(DiagnosticKind.HiddenSizeMismatch, ProblemSeverity.Error,
            "HiddenSize does not match config.json",
            "Agent '{0}' declares HiddenSize = {1}, but {3} says hidden_size = {2}",
            "The links into and out of an agent are sized by its hidden size; a declared HiddenSize that differs from the model's config.json builds links that cannot take the model's hidden states."),
        new(DiagnosticKind.HiddenSizeUnknown, ProblemSeverity.Warning,
            "Hidden size cannot be checked",
            "Agent '{0}' has no HiddenSize and the project has no '{1}/config.json': add the model's config.json as an AdditionalFiles item, or declare HiddenSize",
            "With HiddenSize = 0 the hidden size is read at compile time from the model's config.json, found among the project's AdditionalFiles items by a path ending with <model>/config.json. Without it the dimensions of the agent's links cannot be checked."),
        new(DiagnosticKind.ConfigInvalid, ProblemSeverity.Warning,
            "Model config.json cannot be used",
            "'{1}' of agent '{0}' cannot be used: {2}",
            "The model's config.json must be a JSON object with a top-level model_type the runtime loads (" + string.Join(", ", TextModelRules.SupportedModelTypes) + "; it reads the architecture from nothing else, and refuses the file without one) and a positive integer hidden_size of at most 65536, where the runtime reads it: in text_config when model_type is a multimodal \"gemma3\" or \"qwen3_5\" (a top-level hidden_size beside it is not read), else at the top level. Gemma3 and Qwen3.5 models may leave it out (or null) for their family's default."),
        new(DiagnosticKind.LinkHiddenSizeMismatch, ProblemSeverity.Error,
            "Link width does not match its agent",
            "{0} = {1}, but agent '{2}' has hidden size {3}",
            "A [Link]'s FromHiddenSize must equal the sending agent's hidden size and its ToHiddenSize the receiving agent's; 0 declares nothing."),
        new(DiagnosticKind.NegativeHiddenSize, ProblemSeverity.Error,
            "Hidden size is negative",
            "{0} is {1}; a hidden size is positive, or 0 to leave it undeclared",
            "HiddenSize, FromHiddenSize and ToHiddenSize are widths: positive, or 0 for 'take it from config.json' / 'not declared'."),
        new(DiagnosticKind.HiddenSizeFromConfig, ProblemSeverity.Hidden,
            "HiddenSize is read from config.json",
            "Agent '{0}' takes hidden size {1} from {2}",
            "Offers to write the hidden size read from config.json into the declaration, so that the code states it and no longer depends on the file."),
        new(DiagnosticKind.MissingFromSlot, ProblemSeverity.Error,
            "Prompt has no slot for an incoming message",
            "This prompt of agent '{0}' has no {{from:{1}}} slot, but '{1}' sends '{0}' a message every round of system '{2}'",
            "Every prompt an agent uses in a round needs a {from:Sender} slot for each agent with a forward edge into it; that is where the sender's latent message is inserted."),
        new(DiagnosticKind.FromNotASender, ProblemSeverity.Error,
            "Prompt reads from an agent that sends it nothing",
            "{{from:{0}}}: '{0}' sends no message to '{1}' within a round of system '{2}'{3}",
            "A {from:X} slot is filled by the forward edge X -> agent; X is in the system but has no such edge. A loop-closing edge is read through {feedback} instead."),
        new(DiagnosticKind.FromUnknownAgent, ProblemSeverity.Error,
            "Prompt reads from an agent outside the system",
            "{{from:{0}}} in a prompt of agent '{1}': system '{2}' has no agent named '{0}'",
            "{from:X} names the class of an agent of the same system."),
        new(DiagnosticKind.FeedbackWithoutLoop, ProblemSeverity.Error,
            "{feedback} where no loop closes",
            "A prompt of agent '{0}' reads {{feedback}}, but no loop-closing edge leads to '{0}' in system '{1}'",
            "{feedback} is filled by the loop-closing edge into the agent (e.g. the last agent back to the first in [Sequential]); this agent receives none."),
        new(DiagnosticKind.MissingFeedbackSlot, ProblemSeverity.Error,
            "Loop does not close: later-round prompt lacks {feedback}",
            "Agent '{0}' receives the loop-closing message from '{1}' in system '{2}', but the prompt it uses after round 1 has no {{feedback}} slot: add one, or add a [Prompt(..., When = PromptUse.LaterRounds)] with it",
            "The loop-closing message produced in round r is read in round r + 1 through {feedback}; a prompt without it drops the message and the recursion does nothing."),
        new(DiagnosticKind.FeedbackInFirstRound, ProblemSeverity.Error,
            "{feedback} in a prompt used in round 1",
            "Agent '{0}' uses this prompt in round 1 of system '{1}', where no loop-closing message exists yet: keep {{feedback}} for a [Prompt(..., When = PromptUse.LaterRounds)] and give round 1 a prompt without it",
            "The loop-closing message is produced in round r and read in round r + 1, so round 1 has none. Round 1 uses the FirstRound prompt, else the Always prompt."),
        new(DiagnosticKind.UnknownPlaceholder, ProblemSeverity.Warning,
            "Unknown prompt placeholder",
            "'{0}' in a prompt of agent '{1}' looks like a placeholder but is not one, so it stays literal text; the placeholders are {{question}}, {{feedback}}, {{from:AgentClassName}} and {{round}}",
            "Placeholders are exactly {question}, {feedback}, {from:AgentClassName} and {round}; all other text is literal. Brace groups after a LaTeX command (\\boxed{}, \\frac{a}{b}) and ones that do not look like a name ({1}, JSON) are not reported."),
        new(DiagnosticKind.DuplicatePromptUse, ProblemSeverity.Error,
            "Two prompts for the same use",
            "Agent '{0}' already has a prompt for When = {1}; an agent has at most one prompt per use",
            "Round 1 uses the FirstRound prompt, else Always; later rounds use LaterRounds, else Always; the decoder's final decode uses Decode, else its last round's prompt. Each use has at most one prompt."),
        new(DiagnosticKind.MissingPrompt, ProblemSeverity.Error,
            "Agent has no prompt for a stage of the run",
            "Agent '{0}' has no prompt for {1} of system '{2}': add a [Prompt] with When = PromptUse.Always, or one for that stage",
            "Round 1 uses the FirstRound prompt, else Always; later rounds use LaterRounds, else Always; the decoder's final decode uses Decode, else its last round's prompt. The agent has none for one of the stages it runs."),
        new(DiagnosticKind.NoQuestionSlot, ProblemSeverity.Warning,
            "Prompt without the question",
            "A prompt of agent '{0}' (When = {1}) has no {{question}} slot, so the agent does not read the question in the stages that use it",
            "Every agent of a RecursiveMAS system reads the question, in every round: its messages carry what it thought about the question, not the question itself. A prompt without {question} is almost always a slip (a typo such as {Question} is reported as an unknown placeholder as well)."),
        new(DiagnosticKind.UnknownPromptUse, ProblemSeverity.Error,
            "Prompt for a use that does not exist",
            "A prompt of agent '{0}' has When = {1}, which is not a PromptUse: use Always, FirstRound, LaterRounds or Decode",
            "A prompt is read in the stages its When names: PromptUse.Always, FirstRound, LaterRounds or Decode. A value cast from another number names none, so the prompt would never be read."),
        new(DiagnosticKind.DoubleBracedPlaceholder, ProblemSeverity.Warning,
            "Placeholder in double braces",
            "'{0}' in a prompt of agent '{1}' fills {2} and keeps the outer braces as text around it: placeholders take single braces, as in {2}",
            "Placeholders are {question}, {feedback}, {from:AgentClassName} and {round}, in single braces; every other character is literal. Double braces are the placeholders of Jinja, Mustache and Semantic Kernel, not of these prompts: {{question}} puts the question between a literal '{' and '}'. Inside a C# interpolated string, write {{question}} to get {question}: the attribute's value is what counts."),
        new(DiagnosticKind.DecodePromptNotOnDecoder, ProblemSeverity.Warning,
            "Decode prompt on an agent that does not decode",
            "The When = PromptUse.Decode prompt of agent '{0}' is never read: only '{1}', the decoder of system '{2}', makes the final text decode; move the prompt to '{1}' or remove it",
            "A Decode prompt is read once, by the system's decoder, for the final text decode of the last round. Every other agent thinks in latent space and reads its FirstRound, LaterRounds or Always prompts, so a Decode prompt on it was ignored without a word."),
        new(DiagnosticKind.LaterRoundsPromptInOneRound, ProblemSeverity.Warning,
            "Later-rounds prompt in a one-round system",
            "The When = PromptUse.LaterRounds prompt of agent '{0}' is never read: system '{1}' runs 1 round, and only rounds 2 and later read it; set Rounds = 2 or more, or remove the prompt",
            "A LaterRounds prompt is read by the agent's rollouts of rounds 2 and later. A system of one round has none, so the prompt was ignored without a word, and whatever it says (the {feedback} slot of the loop, most often) never reached the agent. A run that asks for more rounds than the system declares (RunOptions.Rounds, rmas eval --rounds) does read it: if the system is meant to run so, declare that round count, or suppress this warning."),
        new(DiagnosticKind.PromptNeverRead, ProblemSeverity.Warning,
            "Prompt that no stage of the run reads",
            "The When = PromptUse.{1} prompt of agent '{0}' is never read: in system '{2}' ({3}) the agent reads {4}; remove the prompt, or the one that takes its place",
            "Each stage of an agent's run reads one prompt: round 1 the FirstRound prompt, else Always; rounds 2 and later LaterRounds, else Always; the decoder's final decode Decode, else its last round's prompt. The decoder does not roll out in the last round, so in a system of two rounds its LaterRounds prompt is read by no rollout when a Decode prompt takes the final decode, and in a system of one round its FirstRound prompt neither; an Always prompt beside prompts for every stage is read by none. Such a prompt was ignored without a word. A LaterRounds prompt in a system of one round is RMAS2014."),
        new(DiagnosticKind.NoDecoder, ProblemSeverity.Error,
            "Custom graph has no decoder",
            "System '{0}' declares [Link]s but no [Decoder]: name the agent that decodes the answer",
            "In a custom graph, [Decoder] names the one agent that decodes text at the end of the last round."),
        new(DiagnosticKind.MultipleDecoders, ProblemSeverity.Error,
            "Custom graph has more than one decoder",
            "System '{0}' declares more than one [Decoder]; exactly one agent decodes",
            "Only one agent decodes text, at the end of the last round."),
        new(DiagnosticKind.DecoderNotInGraph, ProblemSeverity.Error,
            "Decoder is not in the graph",
            "Decoder '{0}' is not the source or target of any [Link] of system '{1}'",
            "The decoder must be one of the agents the custom graph's links connect."),
        new(DiagnosticKind.UnreachableAgent, ProblemSeverity.Error,
            "Agent is unreachable from the first agent",
            "No path of links leads from '{1}', the first agent of system '{2}', to '{0}', so '{0}' never receives a message",
            "The first agent of a custom graph is the source of its first [Link]; every agent must be reachable from it."),
        new(DiagnosticKind.LoopNotClosed, ProblemSeverity.Error,
            "Loop does not close",
            "System '{2}' runs {3} rounds, but no path of links leads from its decoder '{0}' back to its first agent '{1}': add a [Link] back, or set Rounds = 1",
            "With more than one round, what the agents think must flow back to the start of the next round: some path of links must lead from the decoder to the first agent."),
        new(DiagnosticKind.MultipleFeedback, ProblemSeverity.Error,
            "Agent receives more than one loop-closing edge",
            "Agent '{0}' already receives the loop-closing message from '{1}' in system '{3}'; this link from '{2}' would be a second one, and a prompt has one {{feedback}} slot",
            "An edge closes the loop when it points back to an agent still being visited in a depth-first walk from the first agent; an agent receives at most one such edge."),
        new(DiagnosticKind.DuplicateLink, ProblemSeverity.Error,
            "Link declared twice",
            "The link '{0}' -> '{1}' is declared more than once",
            "Each edge of a custom graph is one trained link; declare it once."),
        new(DiagnosticKind.DeadEndAgent, ProblemSeverity.Error,
            "Agent's messages never reach the decoder",
            "No path of links leads from '{0}' to '{1}', the decoder of system '{2}', so nothing '{0}' thinks can change the answer",
            "Every agent of a custom graph must reach the decoder along its links (loop-closing ones included): an agent that sends to no one, or only to agents that never reach the decoder, costs its links and turns and changes no answer."),
        new(DiagnosticKind.NeverRunsInOneRound, ProblemSeverity.Error,
            "Agent never runs in a one-round system",
            "System '{2}' runs 1 round, and '{0}' reaches its decoder '{1}' only through loop-closing links, whose messages are read in the next round, so '{0}' never runs: set Rounds = 2 or more, or add a path of forward [Link]s from '{0}' to '{1}'",
            "A loop-closing link's message is read in the next round, and the last round runs only the agents with a path of forward links to the decoder, which then decodes. So with Rounds = 1, an agent of a custom graph whose links reach the decoder only through loop-closing ones never runs: its model is loaded, its links exist, and the decoder reads nothing of it."),
    };

    // After All: static initializers run in textual order.
    static readonly Dictionary<DiagnosticKind, DiagnosticText> ByKind = All.ToDictionary(t => t.Kind);
}
