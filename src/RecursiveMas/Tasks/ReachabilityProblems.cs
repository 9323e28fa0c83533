namespace RecursiveMas.Tasks;

/// <summary>
/// ProsQA-like questions: shuffled rules "Every X is a Y." over made-up concepts, one fact "Tom is a X.",
/// and two candidate concepts of which exactly one is reachable. Besides the true chain (2–4 rules)
/// there is a disjoint distractor chain ending at the wrong candidate and dead-end branches off the
/// true chain, so the answer needs the chain followed rule by rule. The plan names the start, the
/// refined plan lists the rules on the path, the answer walks it and boxes the reachable concept.
/// </summary>
public static class ReachabilityProblems
{
    static readonly string[] Concepts =
    [
        "wumpus", "yumpus", "zumpus", "dumpus", "rompus", "numpus", "tumpus", "vumpus", "impus", "jompus",
        "gorpus", "lempus", "brimpus", "sterpus", "lorpus", "grimpus", "fompus", "shumpus", "kumpus", "zorpus",
    ];

    static readonly string[] Names = ["Tom", "Sam", "Ann", "Bo", "Lin", "Max", "Rae", "Ted"];

    /// <summary>One problem drawn from <paramref name="random"/>.</summary>
    public static TaskExample Draw(Random random)
    {
        var pool = Concepts.OrderBy(_ => random.Next()).ToList();
        string Take()
        { var c = pool[^1]; pool.RemoveAt(pool.Count - 1); return c; }

        int length = random.Next(2, 5);                           // rules on the true path
        var path = Enumerable.Range(0, length + 1).Select(_ => Take()).ToList();
        int distractorLength = random.Next(1, 4);
        var distractor = Enumerable.Range(0, distractorLength + 1).Select(_ => Take()).ToList();
        var rules = new List<(string From, string To)>();
        for (int i = 0; i < length; i++)
            rules.Add((path[i], path[i + 1]));
        for (int i = 0; i < distractorLength; i++)
            rules.Add((distractor[i], distractor[i + 1]));
        // Dead ends hanging off the path: following the wrong rule leads nowhere useful.
        int branches = random.Next(1, 3);
        for (int b = 0; b < branches && pool.Count > 0; b++)
            rules.Add((path[random.Next(length)], Take()));

        string name = Names[random.Next(Names.Length)];
        string correct = path[^1], wrong = distractor[^1];
        bool correctFirst = random.Next(2) == 0;
        var shuffled = rules.OrderBy(_ => random.Next()).Select(r => $"Every {r.From} is a {r.To}.");
        string question = $"{string.Join(" ", shuffled)} {name} is a {path[0]}. " +
            $"Is {name} a {(correctFirst ? correct : wrong)} or a {(correctFirst ? wrong : correct)}?";
        string plan = $"{name} is a {path[0]}. Follow the rules from {path[0]}.";
        string refined = string.Join(" ", Enumerable.Range(0, length).Select(i => $"Every {path[i]} is a {path[i + 1]}."));
        string walk = string.Join(", ", path.Select(c => "a " + c));
        string answer = $"{name} is {walk}. The answer is \\boxed{{{correct}}}.";
        return new TaskExample(question, new Dictionary<string, string>
        {
            [TaskRoles.Planner] = plan,
            [TaskRoles.Critic] = refined,
            [TaskRoles.Solver] = answer,
        }, answer);
    }
}
