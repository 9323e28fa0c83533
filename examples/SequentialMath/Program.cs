using System.Diagnostics;
using System.Reflection;
using RecursiveMas.Answers;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Zoo;
using SequentialMath;

// Usage: dotnet run --project examples/SequentialMath -c Release -- ["question" ...] [--zoo DIR] [--split NAME] [--samples N] [--fresh N [--seed S]]
//   With no question, answers the first N (default 3) questions of the zoo's test split (--split arithmetic, the
//   default, or arithmetic-long) and shows the expected answers next to the system's. --fresh N draws N new
//   questions from that split's generator (none of them in the zoo's committed splits). Both end with the
//   accuracy, and by chain length where the questions' chains differ.
const string Usage = "usage: SequentialMath [\"question\" ...] [--zoo DIR] [--split arithmetic|arithmetic-long] [--samples N] [--fresh N [--seed S]]";
var questions = new List<string>();
string? zoo = null;
var split = TaskKind.Arithmetic;
int samples = 3;
int fresh = 0;
long freshSeed = 2026;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--zoo" when i + 1 < args.Length:
            zoo = args[++i];
            break;
        case "--split" when i + 1 < args.Length:
            string name = args[++i];
            if (!AgentZoo.Tasks.Any(t => t.Name() == name))
            {
                Console.Error.WriteLine($"error: --split {name}: the zoo has no such split; expected {string.Join(" or ", AgentZoo.Tasks.Select(t => t.Name()))}");
                return 2;
            }
            split = TaskKinds.Parse(name);
            break;
        case "--samples" when i + 1 < args.Length && int.TryParse(args[i + 1], out int n) && n > 0:
            samples = n;
            i++;
            break;
        case "--fresh" when i + 1 < args.Length && int.TryParse(args[i + 1], out int f) && f > 0:
            fresh = f;
            i++;
            break;
        case "--seed" when i + 1 < args.Length && long.TryParse(args[i + 1], out long seed):
            freshSeed = seed;
            i++;
            break;
        case "-h" or "--help":
            Console.WriteLine(Usage);
            return 0;
        default:
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"error: unknown option {args[i]} (see --help)");
                return 2;
            }
            questions.Add(args[i]);
            break;
    }
}

zoo ??= typeof(MathTeam).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
    .FirstOrDefault(a => a.Key == "RecursiveMas.ZooDirectory")?.Value;
if (zoo is null || !Directory.Exists(zoo))
{
    Console.Error.WriteLine($"error: the agent zoo was not found at '{zoo}'; pass --zoo examples/zoo");
    return 1;
}

// Without questions: sample questions whose expected answers (and chain lengths) we know.
var expected = new Dictionary<string, string>();
var operations = new Dictionary<string, int>();
if (fresh > 0)
{
    // New instances of the split's template: drawn from their own seed, and any question that is
    // in the zoo's committed splits (train, val, test) is skipped, so none of them was trained or tuned on.
    var known = Directory.EnumerateFiles(Path.Combine(zoo, "data"), "*.jsonl", SearchOption.AllDirectories)
        .SelectMany(TaskDataFile.Read).Select(e => e.Question).ToHashSet(StringComparer.Ordinal);
    var random = new Random(unchecked((int)freshSeed));
    while (questions.Count < fresh)
    {
        var example = split.Draw(random);
        if (known.Add(example.Question))
        {
            questions.Add(example.Question);
            expected[example.Question] = example.Gold;
            operations[example.Question] = Operations(example);
        }
    }
}
else if (questions.Count == 0)
{
    foreach (var example in TaskDataFile.Read(Path.Combine(zoo, "data", split.Name(), TaskSplits.TestFile)).Take(samples))
    {
        questions.Add(example.Question);
        expected[example.Question] = example.Gold;
        operations[example.Question] = Operations(example);
    }
}

var loading = Stopwatch.StartNew();
using var team = MathTeam.Load(zoo, Path.Combine(zoo, "links", "sequential"));
Console.WriteLine($"{MathTeam.Graph.Name}: {string.Join(" -> ", MathTeam.Graph.Agents.Select(a => $"{a.Name} (d={a.HiddenSize})"))}, " +
                  $"{MathTeam.Rounds} rounds, loaded in {loading.Elapsed.TotalSeconds:F1} s");

// Greedy decoding, with the answer budget the zoo's system was evaluated with.
var options = new RunOptions { Decoding = new DecodingDescription { MaxNewTokens = 72 } };
int correct = 0;
var byLength = new SortedDictionary<int, (int Correct, int Asked)>();
foreach (string question in questions)
{
    var result = team.Solve(question, options);
    var answer = result.Answers[0];
    Console.WriteLine();
    Console.WriteLine($"Question: {question}");
    bool right = expected.TryGetValue(question, out string? want) && MathEquivalence.AreEquivalent(answer.Answer, want);
    Console.WriteLine($"Answer:   {answer.Answer ?? "(no boxed answer)"}" +
                      (want is not null ? $"   (expected {want}: {(right ? "correct" : "wrong")})" : ""));
    if (right)
        correct++;
    if (operations.TryGetValue(question, out int length))
    {
        var (c, asked) = byLength.GetValueOrDefault(length);
        byLength[length] = (c + (right ? 1 : 0), asked + 1);
    }
    Console.WriteLine($"Text:     {answer.Text.ReplaceLineEndings(" ").Trim()}");
    int latentSteps = result.Steps.Sum(s => s.LatentSteps);
    Console.WriteLine($"Rounds {result.Rounds}, latent steps {latentSteps} (in {result.Steps.Count(s => s.LatentSteps > 0)} agent turns), " +
                      $"generated tokens {answer.GeneratedTokens}, time {result.TotalMilliseconds / 1000:F2} s");
}
if (expected.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine($"Correct: {correct} of {expected.Count} ({100.0 * correct / expected.Count:F1} %)");
    if (byLength.Count > 1)
        Console.WriteLine("By chain length: " + string.Join(", ", byLength.Select(b => $"{b.Key} operations {b.Value.Correct} of {b.Value.Asked}")));
}
return 0;

// A chain's length is its number of worked steps: the critic's role text writes one equation per operation.
static int Operations(TaskExample example) =>
    example.Roles.TryGetValue(TaskRoles.Critic, out string? steps) ? steps.Count(c => c == '=') : 0;
