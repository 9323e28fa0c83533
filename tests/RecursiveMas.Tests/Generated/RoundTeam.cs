namespace RecursiveMas.Tests.Generated;

// Prompts that say which round it is ({round}, as the released later-round prompts do): a generated system binds each
// prompt once and must still read "Round 3." in round 3, as RecursiveRunner does.

[Agent("models/llama-64", LatentSteps = 4)]
[Prompt("Round {round}. Give a plan. Question: {question}", When = PromptUse.FirstRound)]
[Prompt("Round {round}. Refine the plan. Question: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)]
public partial class RoundPlanner;

[Agent("models/qwen3-96", LatentSteps = 3)]
[Prompt("Round {round}. Plan: {from:RoundPlanner} Question: {question} Put the final answer inside \\boxed{}.")]
public partial class RoundSolver;

[RecursiveSystem(Rounds = 3)]
[Sequential(typeof(RoundPlanner), typeof(RoundSolver))]
public partial class RoundTeam;

// Two agents whose declared roles are each other's names: role texts keyed by role must reach the right agent.

[Agent("models/llama-64", LatentSteps = 2, Role = "SwappedSolver")]
[Prompt("Plan. Question: {question}", When = PromptUse.FirstRound)]
[Prompt("Plan again. Question: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)]
public partial class SwappedPlanner;

[Agent("models/qwen3-96", LatentSteps = 2, Role = "SwappedPlanner")]
[Prompt("Plan: {from:SwappedPlanner} Question: {question} Answer in \\boxed{}.")]
public partial class SwappedSolver;

[RecursiveSystem(Rounds = 2)]
[Sequential(typeof(SwappedPlanner), typeof(SwappedSolver))]
public partial class SwappedRolesTeam;
