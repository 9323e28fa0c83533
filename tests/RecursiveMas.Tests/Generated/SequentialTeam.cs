namespace RecursiveMas.Tests.Generated;

// The "sequential" system of TinySystems, declared with the DSL: same agents, models, prompts and
// latent steps, so its generated code and RecursiveRunner on the SYSTEM.json must agree exactly.

[Agent("models/llama-64", LatentSteps = 4)]
[Prompt("You are a planner. Give a plan for the question. Question: {question}", When = PromptUse.FirstRound)]
[Prompt("You are a planner. This is a later round. Question: {question} Feedback signal from the previous round: {feedback} Refine the plan.", When = PromptUse.LaterRounds)]
public partial class Planner;

[Agent("models/qwen3-96", LatentSteps = 3)]
[Prompt("You are a critic. Question: {question} Initial plan: {from:Planner} Refine the plan.")]
public partial class Critic;

[Agent("models/qwen2-128", HiddenSize = 128, LatentSteps = 5)]
[Prompt("You are a solver. Refined plan: {from:Critic} Question: {question} Put the final answer inside \\boxed{}.")]
public partial class Solver;

[RecursiveSystem(Rounds = 3)]
[Sequential(typeof(Planner), typeof(Critic), typeof(Solver))]
public partial class SequentialTeam;

// The same team with a wrong declared hidden size for the solver (the model's config.json says 128).
// Without config.json among AdditionalFiles the analyzers cannot see it; loading must.
[Agent("models/qwen2-128", HiddenSize = 100, LatentSteps = 5)]
[Prompt("You are a solver. Refined plan: {from:Critic} Question: {question} Put the final answer inside \\boxed{}.")]
public partial class WrongSolver;

[RecursiveSystem(Rounds = 1)]
[Sequential(typeof(Planner), typeof(Critic), typeof(WrongSolver))]
public partial class WrongSizeTeam;
