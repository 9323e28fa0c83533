using RecursiveMas;

namespace SequentialTeamExample;

// A team of three agents on three different models, in the paper's Sequential style: the planner's
// latent thoughts go to the critic, the critic's to the solver, and the solver's back to the planner
// for the next round. Only the solver writes text, at the end of the last round.
//
// Hidden sizes are not written here: the compiler reads them from model-configs/<model>/config.json
// (AdditionalFiles), sizes every link with them, and loading checks them against the real models.

[Agent("planner", LatentSteps = 4)]
[Prompt("You are a planner. Give a plan for the question. Question: {question}", When = PromptUse.FirstRound)]
[Prompt("You are a planner. Question: {question} Feedback from the previous round: {feedback} Refine the plan.", When = PromptUse.LaterRounds)]
public partial class Planner;

[Agent("critic", LatentSteps = 4)]
[Prompt("You are a critic. Question: {question} Initial plan: {from:Planner} Refine the plan.")]
public partial class Critic;

[Agent("solver", LatentSteps = 4)]
[Prompt("You are a solver. Refined plan: {from:Critic} Question: {question} Put the final answer inside \\boxed{}.")]
public partial class Solver;

// The generator adds Load, Solve/SolveBatch (the three rounds unrolled), typed links such as
// PlannerToCritic (64 → 96), Graph, and TrainInner/TrainOuter to this class.
[RecursiveSystem(Rounds = 3)]
[Sequential(typeof(Planner), typeof(Critic), typeof(Solver))]
public partial class MathTeam;
