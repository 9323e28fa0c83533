using RecursiveMas;

namespace RecursiveMas.Benchmarks.Generated;

// The `rmas bench --suite system` quick team, declared with the DSL, for GeneratedSolveBenchmarks.

[Agent("planner", LatentSteps = 4)]
[Prompt("You are a planner agent in a multi-agent system. Give a plan for the question below. Question: {question}", When = PromptUse.FirstRound)]
[Prompt("You are a planner agent in a recursive multi-agent system. Question: {question} Feedback signal from the previous round: {feedback} Use the feedback as a soft correction.", When = PromptUse.LaterRounds)]
public partial class Planner;

[Agent("critic", LatentSteps = 4)]
[Prompt("You are a refiner agent. Question: {question} The initial plan from the planner: {from:Planner} Refine the initial plan.")]
public partial class Critic;

[Agent("solver", LatentSteps = 4)]
[Prompt("You are a solver agent. Here is the refined plan: {from:Critic} The question is: {question} Put the final answer inside \\boxed{}.")]
public partial class Solver;

[RecursiveSystem(Rounds = 3)]
[Sequential(typeof(Planner), typeof(Critic), typeof(Solver))]
public partial class BenchTeam;
