namespace RecursiveMas.Presets;

/// <summary>
/// The user prompts of the five released RecursiveMAS systems for the "math" task (MATH500, GPQA, MedQA),
/// word for word as the release's <c>prompts.py</c> renders them (PAPER §7.2 summarises them and calls
/// prompts.py authoritative for the released checkpoints: the links were trained into exactly these
/// texts). The release's latent slots are written as this library's placeholders: <c>{question}</c>, the
/// sender's message <c>{from:Agent}</c>, and the loop-closing message <c>{feedback}</c>.
/// </summary>
/// <remarks>
/// Constants, so that attributed C# declarations (<c>examples/PaperPresets</c>) use the same text as
/// <see cref="PaperPresets"/>. Not covered: the "code" task's prompts (MBPP+) and the multiple-choice
/// variant of the final instruction, which the release picks per question.
/// </remarks>
public static class PaperPrompts
{
    /// <summary>The system message of every agent but Deliberation's ([C] prompts.py <c>SYSTEM_PROMPT</c>).</summary>
    public const string SystemPrompt = "You are a helpful assistant.";

    /// <summary>The final instruction of a math answer in the Mixture, Distillation and Deliberation decoders' prompts (the Sequential solver's differs).</summary>
    public const string BoxedAnswer = "Solve the question and put the final answer inside \\boxed{}, for example \\boxed{1}.";

    /// <summary>How the Mixture, Distillation and Deliberation prompts state the question ([C] <c>build_hie_task_context</c>).</summary>
    const string TaskContext = "The question is:\nQuestion:\n{question}\n";

    // Sequential (Light and Scaled): planner → critic ("refiner") → solver, feedback solver → planner.

    /// <summary>Planner, round 1 (no latent slot).</summary>
    public const string SequentialPlanner =
        "You are a planner agent in a multi-agent system.\nGive a plan for the question below.\nQuestion:\n{question}\n" +
        "Your response should be in the format of:\nStep 1: ...\n...\nStep n: ...";

    /// <summary>Planner, rounds 2 and later: the release says "This is round 2." in every later round (PAPER §10.12).</summary>
    public const string SequentialPlannerWithFeedback =
        "You are a planner agent in a recursive multi-agent system.\nThis is round 2.\nQuestion:\n{question}\n" +
        "Feedback signal from the previous solver round:\n{feedback}\n" +
        "Use the feedback as a soft correction signal to improve the plan.\nIf there is any conflict, prioritize the question constraints.\n" +
        "Output only a concise plan in the format:\nStep 1: ...\n...\nStep n: ...";

    /// <summary>Critic (the release's "refiner"), every round.</summary>
    public const string SequentialCritic =
        "You are a refiner agent in a multi-agent system.\nThe question is:\nQuestion:\n{question}\n" +
        "The initial plan from the planner:\nInitial Plan:\n{from:Planner}\n" +
        "You should refine the initial plan and respond with pure plan only in the format of:\nStep 1: ...\n...\nStep n: ...";

    /// <summary>Solver, every round (its latent feedback rollouts and its final decode read the same prompt).</summary>
    public const string SequentialSolver =
        "You are a solver agent in a multi-agent system.\nHere is the refined plan:\nRefined Plan:\n{from:Critic}\n" +
        "The question is:\nQuestion:\n{question}\n\n" +
        "Solve the question given information and put the final answer inside \\boxed{}, for example \\boxed{1}.";

    // Mixture: math, code and science specialists → summarizer, feedback summarizer → each specialist.

    // A specialist's prompt opens "You are the {math|code|science} expert in a multi-agent system."
    const string MixtureExpertHead = "You are the ";
    const string MixtureExpertTail = " in a multi-agent system.\n";
    const string MixtureFeedback =
        "Feedback signal from the previous summarizer round:\n{feedback}\n" +
        "Use the feedback as a soft correction signal, and provide a concise updated expert answer for the summarizer.\n";

    /// <summary>Math specialist, round 1.</summary>
    public const string MixtureMath = MixtureExpertHead + "math expert" + MixtureExpertTail + TaskContext;

    /// <summary>Math specialist, later rounds.</summary>
    public const string MixtureMathWithFeedback = MixtureExpertHead + "math expert" + MixtureExpertTail + MixtureFeedback + TaskContext;

    /// <summary>Code specialist, round 1.</summary>
    public const string MixtureCode = MixtureExpertHead + "code expert" + MixtureExpertTail + TaskContext;

    /// <summary>Code specialist, later rounds.</summary>
    public const string MixtureCodeWithFeedback = MixtureExpertHead + "code expert" + MixtureExpertTail + MixtureFeedback + TaskContext;

    /// <summary>Science specialist, round 1.</summary>
    public const string MixtureScience = MixtureExpertHead + "science expert" + MixtureExpertTail + TaskContext;

    /// <summary>Science specialist, later rounds.</summary>
    public const string MixtureScienceWithFeedback = MixtureExpertHead + "science expert" + MixtureExpertTail + MixtureFeedback + TaskContext;

    /// <summary>Summarizer, every round: three labelled slots (PAPER §2.4: 3 slots → 4 text segments).</summary>
    public const string MixtureSummarizer =
        "You are the summarizer agent in a multi-agent system.\nMath expert signal:\n{from:Math}\nCode expert signal:\n{from:Code}\n" +
        "Science expert signal:\n{from:Science}\n---\nYou may reference the three expert information.\n" +
        "Please reason step by step and solve the problem below:\n" + TaskContext + BoxedAnswer;

    // Distillation: expert → learner, feedback learner → expert.

    /// <summary>Expert, round 1.</summary>
    public const string DistillationExpert =
        "You are the expert agent in a multi-agent system.\n" + TaskContext +
        "Provide a concise, execution-ready plan that the learner can follow.\nDo not provide the final answer.\n" +
        "Your response should be in the format:\nStep 1: ...\n...\nStep n: ...";

    /// <summary>Expert, later rounds.</summary>
    public const string DistillationExpertWithFeedback =
        "You are the expert agent in a multi-agent system.\nFeedback signal from the previous round:\n{feedback}\n" +
        "Use the feedback as a soft correction signal.\n" + TaskContext +
        "Provide a concise, execution-ready updated plan.\nDo not provide the final answer.\n" +
        "Your response should be in the format:\nStep 1: ...\n...\nStep n: ...";

    /// <summary>Learner, every round.</summary>
    public const string DistillationLearner =
        "You are the learner executor in a multi-agent system.\nExpert plan:\n{from:Expert}\n" +
        "Use the expert plan as guidance, but prioritize the task constraints.\n---\n" + TaskContext + BoxedAnswer;

    // Deliberation: reflector → tool-caller, feedback tool-caller → reflector; the tool-caller decodes with tools.

    /// <summary>Reflector, round 1.</summary>
    public const string DeliberationReflector =
        "You are the reflector agent in a deliberation style multi-agent system.\n" +
        "You may use tools following the system instructions when helpful.\n" + TaskContext;

    /// <summary>Reflector, later rounds.</summary>
    public const string DeliberationReflectorWithFeedback =
        "You are the reflector agent in a deliberation style multi-agent system.\n" +
        "Toolcaller feedback signal from the previous round:\n{feedback}\nUse the feedback as a soft guidance.\n" +
        "You may use tools following the system instructions when helpful.\n" + TaskContext;

    /// <summary>Tool-caller, every round.</summary>
    public const string DeliberationToolCaller =
        "You are the toolcaller agent in a deliberation style multi-agent system.\nReflector signal:\n{from:Reflector}\n" +
        "Use the reflector signal as soft guidance.\nYou may use tools following the system instructions when helpful.\n---\n" +
        TaskContext + BoxedAnswer;

    /// <summary>
    /// The system message of both Deliberation agents ([C] reflector_tool_notes.py). It names the release's
    /// tools, a Wikipedia search and a Python interpreter; this library's tool loop offers <c>&lt;python&gt;</c> (a
    /// sandboxed local python3), <c>&lt;search&gt;</c> over a local corpus (nothing online) and <c>&lt;calculator&gt;</c>.
    /// </summary>
    public const string DeliberationSystemPrompt =
        "You are a helpful assistant that can solve the given question step by step with the help of the wikipedia search tool and python interpreter tool. " +
        "Given a question, you need to first think about the reasoning process in the mind and then provide the answer. " +
        "During thinking, you can invoke the wikipedia search tool to search and python interpreter tool to calculate the math problem for fact information about specific topics if needed. " +
        "The search query and result are enclosed within <search> </search> and <result> </result> tags respectively. " +
        "For example, <search> search query here </search> <result> search result here </result>, <python> python code here </python> <result> python interpreter result here </result>. " +
        "In the last part of the answer, the final exact answer is enclosed within \\boxed{} with latex format.";
}
