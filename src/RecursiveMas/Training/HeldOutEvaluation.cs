using RecursiveMas.Answers;
using RecursiveMas.Systems;

namespace RecursiveMas.Training;

/// <summary>
/// Accuracy of the system as inference runs it (<see cref="RecursiveRunner"/>: latent rollouts, final
/// decode) on held-out examples, by the strict checker: the answer extracted from the output
/// (<see cref="AnswerExtractor"/>, no fallback to the whole text) must be equivalent
/// (<see cref="MathEquivalence"/>) to the reference — the example's boxed answer, else its whole answer.
/// </summary>
public static class HeldOutEvaluation
{
    /// <summary>The fraction of <paramref name="examples"/> answered correctly.</summary>
    public static double Accuracy(RecursiveSystem system, IReadOnlyList<TrainingExample> examples, RunOptions runOptions, int batchSize = 8)
    {
        if (examples.Count == 0)
            throw new ArgumentException("no evaluation examples", nameof(examples));
        int correct = 0;
        for (int start = 0; start < examples.Count; start += batchSize)
        {
            var chunk = examples.Skip(start).Take(batchSize).ToList();
            var result = RecursiveRunner.SolveBatch(system, [.. chunk.Select(e => e.Question)], runOptions);
            for (int i = 0; i < chunk.Count; i++)
                if (IsCorrect(result.Answers[i].Text, chunk[i].Answer))
                    correct++;
        }
        return (double)correct / examples.Count;
    }

    /// <summary>The strict check of one output against one reference answer.</summary>
    public static bool IsCorrect(string output, string reference)
    {
        var predicted = AnswerExtractor.Extract(output).Value;
        string expected = AnswerExtractor.Extract(reference).Value ?? reference.Trim();
        return predicted is not null && MathEquivalence.AreEquivalent(predicted, expected);
    }
}
