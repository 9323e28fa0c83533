using System.Globalization;

namespace RecursiveMas.Tasks;

/// <summary>
/// Word problems with 2–4 dependent operations on a small count ("Ava has 7 coins. Ava gets 5 more.
/// Then Ava doubles them. ..."). The plan names the operations, the refined plan carries each
/// intermediate result, and the answer repeats the chain and boxes the result — so a solver that
/// reads a correct refined plan only has to copy, while a solver alone must compute every step.
/// </summary>
public static class ArithmeticWordProblems
{
    static readonly string[] Names = ["Ava", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Ivy", "Jon", "Kim", "Lea", "Max", "Nia", "Oto", "Pia", "Rex"];
    static readonly string[] Items = ["apples", "books", "coins", "marbles", "pens", "stamps", "cards", "shells"];

    /// <summary>Largest value any intermediate result may take (keeps numbers to one or two digits).</summary>
    public const int MaxValue = 99;

    enum Operation { Add, Subtract, Double, Triple }

    /// <summary>One problem drawn from <paramref name="random"/>.</summary>
    public static TaskExample Draw(Random random)
    {
        string name = Names[random.Next(Names.Length)];
        string item = Items[random.Next(Items.Length)];
        int value = random.Next(2, 13);
        int steps = random.Next(2, 5);
        var question = new List<string> { $"{name} has {value} {item}." };
        var plan = new List<string> { $"Start with {value}." };
        var refined = new List<string>();
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
        }
        question.Add($"How many {item} does {name} have now?");
        string chain = string.Join(" ", refined);
        string answer = $"{chain} The answer is \\boxed{{{value.ToString(CultureInfo.InvariantCulture)}}}.";
        return new TaskExample(string.Join(" ", question), new Dictionary<string, string>
        {
            [TaskRoles.Planner] = string.Join(" ", plan),
            [TaskRoles.Critic] = chain,
            [TaskRoles.Solver] = answer,
        }, answer);
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
