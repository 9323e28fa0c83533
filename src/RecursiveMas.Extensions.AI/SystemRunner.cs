using RecursiveMas.Systems;

namespace RecursiveMas.Extensions.AI;

/// <summary>
/// Answers one question with some recursive system: a loaded <see cref="RecursiveSystem"/>
/// (<c>(q, o) =&gt; RecursiveRunner.Solve(system, q, o)</c>), a baseline, or generated code. It must honour
/// <see cref="RunOptions.Rounds"/>, <see cref="RunOptions.LatentSteps"/>, <see cref="RunOptions.Decoding"/>,
/// report through <see cref="RunOptions.OnStep"/> and <see cref="RunOptions.OnAnswerText"/>, and check
/// <see cref="RunOptions.CancellationToken"/> — what <see cref="RecursiveRunner"/> does.
/// </summary>
public delegate RunResult SystemRunner(string question, RunOptions options);
