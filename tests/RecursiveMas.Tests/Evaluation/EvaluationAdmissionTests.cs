using RecursiveMas.Evaluation;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Tokenization;

namespace RecursiveMas.Tests.Evaluation;

/// <summary>An evaluation refuses a question no agent can hold before it reads any model's weights, whatever the method.</summary>
public sealed class EvaluationAdmissionTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    [Theory]
    [InlineData("recursive")]
    [InlineData("untrained")]
    // The text methods refused it only once every model had loaded.
    [InlineData("text")]
    [InlineData("single")]
    [InlineData("alone:Critic")]
    public void AQuestionTooLongForTheRunIsRefusedBeforeAnyWeightsAreRead(string method)
    {
        // The agents' folders with weights that cannot be read: only the tokenizers and config.json files can.
        using var dir = new TempDirectory();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(zoo.Root, "models"), "*", SearchOption.AllDirectories))
        {
            string copy = Path.Combine(dir.Path, Path.GetRelativePath(zoo.Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            if (file.EndsWith(".safetensors", StringComparison.Ordinal))
                File.WriteAllText(copy, "not weights");
            else
                File.Copy(file, copy);
        }
        string system = Path.Combine(dir.Path, "sequential.SYSTEM.json");
        zoo.Describe("sequential", 1).Save(system);
        string data = Path.Combine(dir.Path, "test.jsonl");
        string line(string question) => $$"""{"question": "{{question}}", "roles": {}, "answer": "\\boxed{2}"}""";
        File.WriteAllLines(data, [line("What is 1 plus 1?"), line(new string('x', 200_000))]);

        var refused = Assert.Throws<ModelFileException>(() => MethodComparison.Run(system, data,
            new ComparisonOptions { Methods = [method], Rounds = [1], Seeds = 1, AllowUntrainedLinks = true }));

        string flat = refused.Message.ReplaceLineEndings(" ");
        Assert.Contains($"{data}: 'question 2 of 2': method {method}: the request is too long", flat);
        Assert.Contains("would be at least", flat);
        Assert.Contains("max_position_embeddings of 4096", flat);
    }
}
