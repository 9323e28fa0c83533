namespace RecursiveMas.Generators.Tests;

/// <summary>One declaration per pattern, as users write them (each compiles on its own with <c>using RecursiveMas;</c>).</summary>
internal static class Declarations
{
    /// <summary>The names of the declarations below, for theories over every pattern.</summary>
    public static TheoryData<string> Patterns { get; } =
        [nameof(Sequential), nameof(Mixture), nameof(Distillation), nameof(Deliberation), nameof(Custom)];

    /// <summary>The paper's Sequential style: planner → critic → solver, the solver's feedback back to the planner.</summary>
    public const string Sequential = """
        namespace MathApp;

        [Agent("llama-64", LatentSteps = 4)]
        [Prompt("You are a planner. Give a plan for the question. Question: {question}", When = PromptUse.FirstRound)]
        [Prompt("You are a planner. This is a later round. Question: {question} Feedback signal from the previous round: {feedback} Refine the plan.", When = PromptUse.LaterRounds)]
        public partial class Planner;

        [Agent("qwen3-96", LatentSteps = 3)]
        [Prompt("You are a critic. Question: {question} Initial plan: {from:Planner} Refine the plan.")]
        public partial class Critic;

        [Agent("qwen2-128", HiddenSize = 128, LatentSteps = 5, Role = "solver")]
        [Prompt("You are a solver. Refined plan: {from:Critic} Question: {question} Put the final answer inside \\boxed{}.")]
        public partial class Solver;

        [RecursiveSystem(Rounds = 3)]
        [Sequential(typeof(Planner), typeof(Critic), typeof(Solver))]
        public partial class SequentialTeam;
        """;

    /// <summary>Mixture: three experts to a summarizer, whose feedback is broadcast to all three (one fused matmul).</summary>
    public const string Mixture = """
        namespace MixtureApp;

        [Agent("llama-64", LatentSteps = 3)]
        [Prompt("You are the math expert. Question: {question}", When = PromptUse.FirstRound)]
        [Prompt("You are the math expert. Question: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)]
        public partial class Math;

        [Agent("qwen3-96", LatentSteps = 4)]
        [Prompt("You are the code expert. Question: {question}", When = PromptUse.FirstRound)]
        [Prompt("You are the code expert. Question: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)]
        public partial class Code;

        [Agent("mistral-64", LatentSteps = 2)]
        [Prompt("You are the science expert. Question: {question}", When = PromptUse.FirstRound)]
        [Prompt("You are the science expert. Question: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)]
        public partial class Science;

        [Agent("qwen2-128", LatentSteps = 3)]
        [Prompt("Math: {from:Math} Code: {from:Code} Science: {from:Science} Question: {question} Answer in \\boxed{}.")]
        public partial class Summarizer;

        [RecursiveSystem(Rounds = 2)]
        [Mixture(typeof(Summarizer), typeof(Math), typeof(Code), typeof(Science))]
        public partial class MixtureTeam;
        """;

    /// <summary>Distillation: expert → learner, with a separate decode prompt for the learner.</summary>
    public const string Distillation = """
        namespace DistillApp;

        [Agent("qwen3-96", LatentSteps = 4)]
        [Prompt("Provide a concise plan. Question: {question}", When = PromptUse.FirstRound)]
        [Prompt("Provide a concise plan. Question: {question} Learner feedback: {feedback}", When = PromptUse.LaterRounds)]
        public partial class Expert;

        [Agent("qwen2-64", LatentSteps = 3)]
        [Prompt("Expert plan: {from:Expert} Question: {question} Think it over.")]
        [Prompt("Expert plan: {from:Expert} Question: {question} Answer in \\boxed{}.", When = PromptUse.Decode)]
        public partial class Learner;

        [RecursiveSystem(Rounds = 3)]
        [Distillation(typeof(Expert), typeof(Learner))]
        public partial class DistillationTeam;
        """;

    /// <summary>Deliberation: reflector → tool-caller, one round, nested in a containing class.</summary>
    public const string Deliberation = """
        namespace ToolApp;

        public static partial class Teams
        {
            [Agent("qwen3-96", LatentSteps = 3)]
            [Prompt("Reflect on the question. Question: {question}", When = PromptUse.FirstRound)]
            [Prompt("Reflect on the question. Question: {question} Tool-caller feedback: {feedback}", When = PromptUse.LaterRounds)]
            public partial class Reflector;

            [Agent("qwen3-96", LatentSteps = 3)]
            [Prompt("Reflector signal: {from:Reflector} Question: {question} Use <calculator>expression</calculator> when needed.")]
            public partial class ToolCaller;

            [RecursiveSystem(Rounds = 1)]
            [Deliberation(typeof(Reflector), typeof(ToolCaller), SearchCorpus = "corpus.txt")]
            public partial class DeliberationTeam;
        }
        """;

    /// <summary>A custom graph: two forward paths into the writer, the writer's feedback to the reader.</summary>
    public const string Custom = """
        namespace CustomApp;

        [Agent("llama-64", LatentSteps = 3)]
        [Prompt("Read: {question}", When = PromptUse.FirstRound)]
        [Prompt("Read: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)]
        public partial class Reader;

        [Agent("mistral-64", LatentSteps = 2)]
        [Prompt("Check: {from:Reader} {question}")]
        public partial class Checker;

        [Agent("qwen2-128", LatentSteps = 4)]
        [Prompt("Reader: {from:Reader} Checker: {from:Checker} Question: {question}")]
        public partial class Writer;

        [RecursiveSystem(Rounds = 2)]
        [Link(typeof(Reader), typeof(Checker), FromHiddenSize = 64, ToHiddenSize = 64)]
        [Link(typeof(Checker), typeof(Writer))]
        [Link(typeof(Reader), typeof(Writer))]
        [Link(typeof(Writer), typeof(Reader))]
        [Decoder(typeof(Writer))]
        public partial class CustomTeam;
        """;
}
