using System.Globalization;

namespace RecursiveMas.Tasks;

/// <summary>
/// Word problems with dependent operations on a small count ("Ava has 7 coins. Ava gets 5 more.
/// Then Ava doubles them. ..."), split into three roles that each hold one skill: the planner turns
/// the story into operations ("Start with 7. Add 5. Multiply by 2."), the critic executes them step
/// by step ("7 + 5 = 12. 12 * 2 = 24."), the solver states the result ("The answer is \boxed{24}.").
/// <see cref="TaskExample.Answer"/> is the whole worked answer (chain, then the boxed result): what a
/// single agent fine-tuned on the full task is trained to write.
/// <para>
/// With <c>operationsPerRound</c> set, the roles work through at most that many operations a round
/// (<see cref="TaskExample.LaterRounds"/>): round r's plan
/// starts from the value the operations before its window reached (the solver's result of round r − 1,
/// which the planner reads as feedback) and lists the window's operations; the critic executes them and
/// the solver states where they end. At 4, a chain of up to four operations is finished in round 1
/// (later rounds restate the result: "Start with 24." → "24." → the boxed 24) and a long chain needs two
/// rounds: roles that give a recursive system's later rounds work to do. The planner's prompt must say
/// which round it is (<c>{round}</c>) to know where its window starts. Without it (the default, and the
/// zoo's data) round 1's roles cover the whole chain.
/// </para>
/// </summary>
public static class ArithmeticWordProblems
{
    static readonly string[] Names = ["Ava", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Ivy", "Jon", "Kim", "Lea", "Max", "Nia", "Oto", "Pia", "Rex"];
    static readonly string[] Items = ["apples", "books", "coins", "marbles", "pens", "stamps", "cards", "shells"];

    /// <summary>Largest value any intermediate result may take (keeps numbers to one or two digits).</summary>
    public const int MaxValue = 99;

    /// <summary>The standard split's chain lengths: 2–4 operations.</summary>
    public static readonly (int Min, int Max) ShortChains = (2, 4);

    /// <summary>The long-chain split's: 5–8 operations, more than one pass of the zoo's system carries.</summary>
    public static readonly (int Min, int Max) LongChains = (5, 8);

    enum Operation { Add, Subtract, Double, Triple }

    /// <summary>
    /// One problem with <paramref name="operations"/> (inclusive range) operations drawn from <paramref name="random"/>;
    /// its roles cover at most <paramref name="operationsPerRound"/> operations a round (null: the whole chain in round 1).
    /// </summary>
    public static TaskExample Draw(Random random, (int Min, int Max) operations, int? operationsPerRound = null)
    {
        if (operations.Min < 1 || operations.Max < operations.Min)
            throw new ArgumentOutOfRangeException(nameof(operations), operations, "need 1 ≤ min ≤ max operations");
        if (operationsPerRound < 1)
            throw new ArgumentOutOfRangeException(nameof(operationsPerRound), operationsPerRound, "a round covers at least one operation");
        string name = Names[random.Next(Names.Length)];
        string item = Items[random.Next(Items.Length)];
        int value = random.Next(2, 13);
        int steps = random.Next(operations.Min, operations.Max + 1);
        var question = new List<string> { $"{name} has {value} {item}." };
        var plan = new List<string> { $"Start with {value}." };
        var refined = new List<string>();
        var values = new List<int> { value };
        for (int s = 0; s < steps; s++)
        {
            var (op, amount) = PickOperation(random, value);
            int next = op switch
            {
                Operation.Add => value + amount,
                Operation.Subtract => value - amount,
                Operation.Double => value * 2,
                _ => value * 3,
            };
            string then = s == 0 ? "" : "Then ";
            question.Add(op switch
            {
                Operation.Add => $"{then}{name} gets {amount} more.",
                Operation.Subtract => $"{then}{name} gives away {amount}.",
                Operation.Double => $"{then}{name} doubles them.",
                _ => $"{then}{name} triples them.",
            });
            plan.Add(op switch
            {
                Operation.Add => $"Add {amount}.",
                Operation.Subtract => $"Subtract {amount}.",
                Operation.Double => "Multiply by 2.",
                _ => "Multiply by 3.",
            });
            string symbol = op switch { Operation.Add => "+", Operation.Subtract => "-", _ => "*" };
            int operand = op switch { Operation.Double => 2, Operation.Triple => 3, _ => amount };
            refined.Add($"{value} {symbol} {operand} = {next}.");
            value = next;
            values.Add(value);
        }
        question.Add($"How many {item} does {name} have now?");
        string chain = string.Join(" ", refined);
        string result = $"The answer is \\boxed{{{value.ToString(CultureInfo.InvariantCulture)}}}.";
        // Rounds 2, 3, … until the first with nothing left to do, which every later round repeats.
        int window = operationsPerRound ?? steps;
        var later = new List<IReadOnlyDictionary<string, string>>();
        for (int round = 2; operationsPerRound is not null && (round - 2) * window < steps; round++)
            later.Add(RoundRoles(round, window, plan, refined, values));
        return new TaskExample(string.Join(" ", question), RoundRoles(1, window, plan, refined, values), $"{chain} {result}") { LaterRounds = later };
    }

    /// <summary>The three roles' texts in <paramref name="round"/>: the operations of its window, from the value before it.</summary>
    static Dictionary<string, string> RoundRoles(int round, int operationsPerRound, List<string> plan, List<string> refined, List<int> values)
    {
        int steps = refined.Count;
        // In 64 bits, and the window cut to what is left: --ops-per-round may be as large as int.MaxValue.
        int first = (int)Math.Min((long)(round - 1) * operationsPerRound, steps);
        int end = first + Math.Min(operationsPerRound, steps - first);
        string Number(int v) => v.ToString(CultureInfo.InvariantCulture);
        var window = Enumerable.Range(first, end - first).ToList();
        return new Dictionary<string, string>
        {
            // plan[0] is "Start with …" of the question; operation s is plan[s + 1].
            [TaskRoles.Planner] = string.Join(" ", window.Select(s => plan[s + 1]).Prepend($"Start with {Number(values[first])}.")),
            // A window with nothing left restates the value, so the solver always reads its result off the last number.
            [TaskRoles.Critic] = window.Count == 0 ? $"{Number(values[first])}." : string.Join(" ", window.Select(s => refined[s])),
            [TaskRoles.Solver] = $"The answer is \\boxed{{{Number(values[end])}}}.",
        };
    }

    static (Operation Op, int Amount) PickOperation(Random random, int value)
    {
        while (true)
        {
            var op = (Operation)random.Next(4);
            switch (op)
            {
                case Operation.Add:
                    int add = random.Next(2, 10);
                    if (value + add <= MaxValue)
                        return (op, add);
                    break;
                case Operation.Subtract:
                    if (value > 2)
                        return (op, random.Next(1, Math.Min(value - 1, 9) + 1));
                    break;
                case Operation.Double:
                    if (value * 2 <= MaxValue)
                        return (op, 2);
                    break;
                default:
                    if (value * 3 <= MaxValue && value <= 20)
                        return (op, 3);
                    break;
            }
        }
    }
}
