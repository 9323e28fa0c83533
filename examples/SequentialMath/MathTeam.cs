using RecursiveMas;

namespace SequentialMath;

// The zoo's Sequential system (examples/zoo/sequential.SYSTEM.json) written in C#. Three tiny agents of
// three families and hidden sizes, each trained for one part of the task: the planner turns the story
// into operations, the critic carries them out, the solver states the result. The planner's latent
// thoughts go to the critic, the critic's to the solver, the solver's back to the planner for the next
// round; only the solver writes text, at the end. Each agent thinks long enough to cover its own part.
//
// The prompts are the ones the zoo's links were trained with, word for word: a link learns to speak
// into one prompt, so changing them here would run the trained links off-distribution.
// Role names the agent in the links folder (inner.planner.safetensors, outer.planner-critic…).

[Agent("models/planner-qwen3-96", HiddenSize = 96, LatentSteps = 24, Role = "planner")]
[Prompt("Give a plan for the question. Question: {question}", When = PromptUse.FirstRound)]
[Prompt("Question: {question} Feedback from the previous round: {feedback} Give a plan.", When = PromptUse.LaterRounds)]
public partial class Planner;

[Agent("models/critic-qwen2-128", HiddenSize = 128, LatentSteps = 48, Role = "critic")]
[Prompt("Question: {question} Plan: {from:Planner} Carry out the plan step by step.")]
public partial class Critic;

[Agent("models/solver-llama-96", HiddenSize = 96, LatentSteps = 8, Role = "solver")]
[Prompt("Worked steps: {from:Critic} Question: {question} Put the final answer in \\boxed{}.")]
public partial class Solver;

// Two rounds, as the zoo's links were trained.
[RecursiveSystem(Rounds = 2)]
[Sequential(typeof(Planner), typeof(Critic), typeof(Solver))]
public partial class MathTeam;
