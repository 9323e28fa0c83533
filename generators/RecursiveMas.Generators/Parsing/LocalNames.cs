using System.Collections.Generic;
using System.Globalization;

namespace RecursiveMas.Generators.Parsing;

/// <summary>
/// Names the locals of the unrolled <c>SolveBatch</c>, each one once. The readable names (<c>planner1</c>,
/// <c>plannerToCritic1</c>) are built from agent names, which can spell each other's: agents <c>P</c> and <c>P1</c> give
/// <c>p11</c> for P's round 11 and P1's round 1; agent <c>AToB</c>'s round-1 latent is <c>aToB1</c>, the message
/// A → B's. A name already taken gets the first free <c>_2</c>, <c>_3</c>, … suffix instead of a CS0128 in generated code.
/// </summary>
internal sealed class LocalNames
{
    readonly HashSet<string> taken = new(System.StringComparer.Ordinal);

    /// <summary>Starts with <paramref name="reserved"/> (the method's parameters and fixed locals) taken.</summary>
    public LocalNames(params string[] reserved)
    {
        foreach (var name in reserved)
        {
            taken.Add(name);
        }
    }

    /// <summary><paramref name="preferred"/>, or it with the first suffix that makes it a name not given before.</summary>
    public string Take(string preferred)
    {
        var name = preferred;
        for (var n = 2; !taken.Add(name); n++)
        {
            name = preferred + "_" + n.ToString(CultureInfo.InvariantCulture);
        }

        return name;
    }
}
