using RecursiveMas;

namespace SequentialMath;

// The zoo's Sequential system (examples/zoo/sequential.SYSTEM.json) written in C#. Three tiny agents of
// three families and hidden sizes: the planner's latent thoughts go to the critic, the critic's to the
// solver, the solver's back to the planner for the next round; only the solver writes text, at the end.
//
// The prompts are the ones the zoo's links were trained with, word for word: a link learns to speak
// into one prompt, so changing them here would run the trained links off-distribution.
// Role names the agent in the links folder (inner.planner.safetensors, outer.planner-critic…).

[Agent("models/planner-qwen3-96", HiddenSize = 96, LatentSteps = 8, Role = "planner")]
[Prompt("Give a plan for the question. Question: {question}", When = PromptUse.FirstRound)]
[Prompt("Question: {question} Feedback from the previous round: {feedback} Give a plan.", When = PromptUse.LaterRounds)]
public partial class Planner;

[Agent("models/critic-qwen2-160", HiddenSize = 160, LatentSteps = 8, Role = "critic")]
[Prompt("Question: {question} Initial plan: {from:Planner} Refine the plan.")]
public partial class Critic;

[Agent("models/solver-llama-128", HiddenSize = 128, LatentSteps = 8, Role = "solver")]
[Prompt("Refined plan: {from:Critic} Question: {question} Put the final answer in \\boxed{}.")]
public partial class Solver;

// Two rounds, as the zoo's links were trained.
[RecursiveSystem(Rounds = 2)]
[Sequential(typeof(Planner), typeof(Critic), typeof(Solver))]
public partial class MathTeam;
