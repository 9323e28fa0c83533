using System.Linq;
using RecursiveMas.Dsl;
using RecursiveMas.Generators.Model;

namespace RecursiveMas.Generators.Emit;

internal static partial class Emitter
{
    const string Training = "global::RecursiveMas.Training.";
    const string Cancellation = "global::System.Threading.CancellationToken cancellationToken = default";

    // TrainInner / TrainOuter / Train over the runtime's LinkTrainer (RecursiveMAS §4), for the declared rounds.
    static void TrainingMethods(SourceWriter w, SystemGenerationSpec spec)
    {
        var renamed = spec.Agents.Where(a => a.Role != a.Name).ToList();
        var data = renamed.Count == 0 ? "data" : "ByAgentName(data)";
        var methods = new[]
        {
            ("TrainInner", "the inner loop: each agent's inner link learns to map its last hidden state into its own embedding space, on the role texts"),
            ("TrainOuter", "the outer loop: the rounds unrolled, all outer links trained jointly on the decoder's final-round cross-entropy through the frozen models"),
            ("Train", "the stages the options name (inner, outer, or inner then outer)"),
        };
        foreach (var (method, what) in methods)
        {
            w.Summary("Trains this system's links as in " + Paper + " §4, " + what + ". Runs the declared " + Int(spec.Rounds) + " " + Plural(spec.Rounds, "round", "rounds") + " unless the options say otherwise; the models stay frozen.");
            w.Line("/// <param name=\"data\">Questions, role texts keyed by agent (class name" + (renamed.Count == 0 ? "" : " or declared Role") + ") and answers.</param>");
            w.Signature("public " + Training + "TrainingReport " + method,
                [Collections + "IReadOnlyList<" + Training + "TrainingExample> data", Training + "TrainingOptions? options = null", Cancellation],
                " =>");
            w.Line("    " + Training + "LinkTrainer." + method + "(");
            w.Line("        " + GeneratedNames.RuntimeField + ",");
            w.Line("        " + data + ",");
            w.Line("        (options ?? new " + Training + "TrainingOptions()) with { Rounds = options?.Rounds ?? Rounds },");
            w.Line("        cancellationToken);");
            w.Line();
            w.Summary("As " + method + " over the examples of a training JSONL file (one {\"question\", \"roles\", \"answer\"} object a line).");
            w.Signature("public " + Training + "TrainingReport " + method, ["string jsonlPath", Training + "TrainingOptions? options = null", Cancellation], " =>");
            w.Line("    " + method + "(" + Training + "TrainingData.Load(jsonlPath), options, cancellationToken);");
            w.Line();
        }

        if (renamed.Count == 0)
        {
            return;
        }

        // Role targets keyed by a declared Role are re-keyed by the agent's name, which the trainer reads.
        w.Line("// Role targets keyed by a declared [Agent(Role = ...)] are re-keyed by the agent's name, which the trainer reads.");
        w.Signature("private static " + Collections + "IReadOnlyList<" + Training + "TrainingExample> ByAgentName", [Collections + "IReadOnlyList<" + Training + "TrainingExample> data"]);
        w.Open();
        w.Line("var renamed = new " + Training + "TrainingExample[data.Count];");
        w.Line("for (int i = 0; i < data.Count; i++)");
        w.Open();
        // Read from the example as given, written into a copy: a Role may be another agent's name (two agents' roles
        // swapped), and re-keying in place would let one agent's target overwrite the other's before it is read.
        w.Line("var source = data[i].RoleTargets;");
        w.Line("var roles = new " + Collections + "Dictionary<string, string>(source);");
        foreach (var role in renamed.Select(a => a.Role).Distinct())
        {
            w.Line("roles.Remove(" + Str(role) + ");");
        }

        var roleNames = renamed.Select(a => a.Role).ToList();
        foreach (var agent in spec.Agents.Where(a => a.Role != a.Name || roleNames.Contains(a.Name)))
        {
            w.Line("if (source.TryGetValue(" + Str(agent.Role) + ", out var " + agent.Identifier + "Target))");
            w.Line("    roles[" + Str(agent.Name) + "] = " + agent.Identifier + "Target;");
        }

        w.Line("renamed[i] = data[i] with { RoleTargets = roles };");
        w.Close();
        w.Line("return renamed;");
        w.Close();
        w.Line();
    }
}
