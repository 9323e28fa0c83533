using RecursiveMas.Systems;
using SequentialTeamExample;

// Usage: dotnet run --project examples/SequentialTeam -- [MODEL_ROOT [LINKS_DIR]] [--question TEXT] [--dot]
//   MODEL_ROOT holds planner/, critic/ and solver/ (Hugging Face folders); without it, tiny random
//   models are written to a temporary folder and the links start untrained.
var positional = new List<string>();
string question = "What is 12 plus 30?";
bool dot = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--question" && i + 1 < args.Length)
        question = args[++i];
    else if (args[i] == "--dot")
        dot = true;
    else
        positional.Add(args[i]);
}

if (dot)
{
    // The static graph needs no models: agents, edges with their dims, rounds.
    Console.Write(MathTeam.Graph.ToDot());
    return 0;
}

string? temporary = null;
string modelRoot;
if (positional.Count > 0)
{
    modelRoot = positional[0];
}
else
{
    temporary = Path.Combine(Path.GetTempPath(), "rmas-sequential-team-" + Guid.NewGuid().ToString("N"));
    Console.WriteLine($"No model root given: writing tiny random models to {temporary}");
    RandomAgents.Write(temporary);
    modelRoot = temporary;
}
string linksDir = positional.Count > 1 ? positional[1] : Path.Combine(modelRoot, "links");

try
{
    // Untrained links are allowed so the example runs before any training; a trained system passes
    // its links folder and drops the option.
    using var team = MathTeam.Load(modelRoot, linksDir, options: new SystemLoadOptions { AllowUntrainedLinks = true });
    Console.WriteLine($"{MathTeam.Graph.Name}: {MathTeam.Graph.Pattern}, {MathTeam.Rounds} rounds");
    foreach (var edge in MathTeam.Graph.Edges)
        Console.WriteLine($"  {edge.From} -> {edge.To}: {edge.FromHiddenSize} -> {edge.ToHiddenSize}{(edge.IsFeedback ? " (next round)" : "")}");

    var result = team.Solve(question, new RunOptions { Decoding = new DecodingDescription { MaxNewTokens = 24 } });
    foreach (var step in result.Steps)
        Console.WriteLine($"  round {step.Round} {step.Agent,-8} {step.Kind.Name(),-6} m={step.LatentSteps,-2}  prefill {step.PrefillTokens,4}  generated {step.GeneratedTokens,3}");
    Console.WriteLine($"Question: {question}");
    // Random weights and untrained links write noise; real models and trained links write an answer.
    Console.WriteLine($"Text:     {result.Answers[0].Text.ReplaceLineEndings(" ").Trim()}");
    Console.WriteLine($"Answer:   {result.Answers[0].Answer ?? "(no boxed answer)"}");
    return 0;
}
finally
{
    if (temporary is not null)
        Directory.Delete(temporary, recursive: true);
}
