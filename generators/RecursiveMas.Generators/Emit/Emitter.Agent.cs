using RecursiveMas.Generators.Model;

namespace RecursiveMas.Generators.Emit;

internal static partial class Emitter
{
    /// <summary>
    /// The source of <c>&lt;Agent&gt;.g.cs</c>: the agent's declaration as constants, so code (and
    /// tests) can read its model folder, static hidden size and latent steps without reflection.
    /// </summary>
    public static string EmitAgent(AgentGenerationSpec agent)
    {
        var w = new SourceWriter();
        OpenType(w, agent.Type, "the [Agent] declaration of " + agent.Type.FullName, "");
        w.Summary("The model folder of [Agent(" + Str(agent.Model) + ")], relative to the model root given at load time.");
        w.Line("public const string ModelFolder = " + Str(agent.Model) + ";");
        w.Line();
        if (agent.HiddenSize > 0)
        {
            w.Summary("d, the hidden size (declared, or hidden_size of the model's config.json at compile time); loading checks it.");
            w.Line("public const int HiddenSize = " + Int(agent.HiddenSize) + ";");
            w.Line();
        }

        w.Summary("m, the latent thoughts per round.");
        w.Line("public const int LatentSteps = " + Int(agent.LatentSteps) + ";");
        w.Line();
        w.Summary("The role name (logs, training role targets).");
        w.Line("public const string Role = " + Str(agent.Role) + ";");
        CloseType(w, agent.Type);
        return w.ToString();
    }
}
