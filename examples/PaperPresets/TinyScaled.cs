// A Sequential-Scaled-shaped system over tiny random models (the test fixture TinyScaledSystem writes the
// same models): a multimodal Gemma3 planner → a Llama critic → a multimodal Qwen3.5 solver. No hidden size
// is written here: the compiler reads each from tiny/<model>/config.json, for Gemma3 and Qwen3.5 from the
// nested text_config as in the Hub's checkpoints (their vision_config has a hidden_size of its own), and sizes
// the typed links with them (Planner → Critic 48 → 64, Critic → Solver 64 → 48, Solver → Planner 48 → 48).
// A HiddenSize that disagrees with a nested config is an error (RMAS1001).
using RecursiveMas;
using RecursiveMas.Presets;

namespace PaperPresetsExample.TinyScaled
{
    [Agent("Sequential-Scaled-Planner-Gemma3-4B", LatentSteps = 3, Role = "planner")]
    [Prompt(PaperPrompts.SequentialPlanner, When = PromptUse.FirstRound)]
    [Prompt(PaperPrompts.SequentialPlannerWithFeedback, When = PromptUse.LaterRounds)]
    public partial class Planner;

    [Agent("Sequential-Scaled-Critic-Llama3.2-3B", LatentSteps = 3, Role = "critic")]
    [Prompt(PaperPrompts.SequentialCritic)]
    public partial class Critic;

    [Agent("Sequential-Scaled-Solver-Qwen3.5-4B", LatentSteps = 3, Role = "solver")]
    [Prompt(PaperPrompts.SequentialSolver)]
    public partial class Solver;

    [RecursiveSystem(Rounds = 2)]
    [Sequential(typeof(Planner), typeof(Critic), typeof(Solver))]
    public partial class TinyScaledTeam;
}
