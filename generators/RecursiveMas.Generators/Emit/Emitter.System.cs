using System.Linq;
using RecursiveMas.Dsl;
using RecursiveMas.Generators.Model;

namespace RecursiveMas.Generators.Emit;

internal static partial class Emitter
{
    /// <summary>The source of <c>&lt;System&gt;.g.cs</c>.</summary>
    public static string EmitSystem(SystemGenerationSpec spec)
    {
        var w = new SourceWriter();
        OpenType(w, spec.Type, "the [RecursiveSystem] declaration of " + spec.Type.FullName, " : global::System.IDisposable");
        SystemMembers(w, spec);
        Construction(w, spec);
        Solve(w, spec);
        TrainingMethods(w, spec);
        StageMethods(w, spec);
        SenderMethods(w, spec);
        CloseType(w, spec.Type);
        return w.ToString();
    }

    // public const int Rounds = 3; public static SystemGraph Graph { get; } = …; public static SystemDescription Describe(…) => …;
    static void SystemMembers(SourceWriter w, SystemGenerationSpec spec)
    {
        var name = spec.Type.Name;
        w.Summary("n: the rounds declared by [RecursiveSystem(Rounds = " + Int(spec.Rounds) + ")]; Solve runs them unrolled.");
        w.Line("public const int Rounds = " + Int(spec.Rounds) + ";");
        w.Line();

        w.Summary("The static recursion graph: agents, edges with their dims (d_from → d_to), the decoder and the rounds. ToDot() draws it; ToSystemJson() gives the runtime's SYSTEM.json.");
        w.Line("public static " + Systems + "SystemGraph Graph { get; } = new(");
        w.Line("    " + Str(name) + ",");
        w.Line("    " + Systems + "CollaborationPattern." + spec.Pattern + ",");
        w.Line("    Rounds,");
        w.Line("    " + Str(spec.Decoder) + ",");
        w.Line("    new " + Systems + "GraphAgent[]");
        w.Line("    {");
        foreach (var agent in spec.Agents)
        {
            w.Line("        new(" + Join([Str(agent.Name), Str(agent.Model), Int(agent.HiddenSize), Int(agent.LatentSteps), Str(agent.Role)]) + "),");
        }

        w.Line("    },");
        w.Line("    new " + Systems + "GraphEdge[]");
        w.Line("    {");
        foreach (var edge in spec.Edges)
        {
            w.Line("        new(" + Join([Str(edge.From), Str(edge.To), Bool(edge.IsFeedback), Int(edge.FromHiddenSize), Int(edge.ToHiddenSize)]) + "),");
        }

        w.Line("    },");
        w.Line("    Describe());");
        w.Line();

        w.Summary("The system as the runtime's data (what SYSTEM.json holds), with the given model root and links folder. Hidden sizes known at compile time are stated, so loading checks them against each model's config.json.");
        w.Line("public static " + Systems + "SystemDescription Describe(string modelRoot = \".\", string linksDir = \"links\") => new()");
        w.Open();
        w.Line("Name = " + Str(name) + ",");
        w.Line("Rounds = Rounds,");
        w.Line("ModelRoot = modelRoot,");
        w.Line("LinksDirectory = linksDir,");
        if (spec.SearchCorpus is { } corpus)
        {
            w.Line("// [Deliberation(SearchCorpus = ...)]: the search tool's corpus, beside the models.");
            w.Line("ToolCorpus = global::System.IO.Path.Combine(modelRoot, " + Str(corpus) + "),");
        }

        if (spec.Pattern == PatternKind.Custom)
        {
            w.Line("Pattern = new()");
            w.Open();
            w.Line("Kind = " + Systems + "CollaborationPattern.Custom,");
            w.Line("Links = new " + Systems + "LinkDescription[]");
            w.Open();
            foreach (var link in spec.DeclaredLinks)
            {
                w.Line("new(" + Join([Str(link.From), Str(link.To), Int(link.FromHiddenSize), Int(link.ToHiddenSize)]) + "),");
            }

            w.Close(",");
            w.Line("Decoder = " + Str(spec.Decoder) + ",");
            w.Close(",");
        }
        else
        {
            w.Line("Pattern = new() { Kind = " + Systems + "CollaborationPattern." + spec.Pattern + ", Agents = new[] { " + Join(spec.PatternAgents.Select(Str)) + " } },");
        }

        w.Line("Agents = new " + Systems + "AgentDescription[]");
        w.Open();
        foreach (var agent in spec.Agents)
        {
            w.Line("new()");
            w.Open();
            w.Line("Name = " + Str(agent.Name) + ",");
            w.Line("Model = " + Str(agent.Model) + ",");
            w.Line("HiddenSize = " + Int(agent.HiddenSize) + ",");
            w.Line("LatentSteps = " + Int(agent.LatentSteps) + ",");
            if (agent.Role != agent.Name)
            {
                w.Line("Role = " + Str(agent.Role) + ",");
            }

            w.Line("Prompts = new " + Systems + "PromptDescription[]");
            w.Open();
            foreach (var prompt in agent.Prompts)
            {
                w.Line("new(" + Use(prompt.Use) + ", " + Str(prompt.Template) + "),");
            }

            w.Close(",");
            w.Close(",");
        }

        w.Close(",");
        w.Close(";");
        w.Line();
    }

    // Fields, typed links, the private constructor, Load and Dispose.
    static void Construction(SourceWriter w, SystemGenerationSpec spec)
    {
        var name = spec.Type.Name;
        w.Line("// The loaded runtime system (models, tokenizers, links); everything below reads it through typed fields.");
        w.Line("private readonly " + Systems + "RecursiveSystem " + GeneratedNames.RuntimeField + ";");
        foreach (var agent in spec.Agents)
        {
            w.Line("private readonly " + Systems + "SystemAgent " + GeneratedNames.AgentField(agent.Name) + ";");
        }

        w.Line();
        w.Line("// The prompt each stage reads, bound to its agent's chat format.");
        foreach (var stage in spec.Stages)
        {
            w.Line("private readonly " + Latent + "AgentPrompt " + stage.PromptField + ";");
        }


        w.Line();
        foreach (var agent in spec.Agents)
        {
            w.Summary(agent.Name + "'s inner link R_in, " + Dim(agent.HiddenSize) + " → " + Dim(agent.HiddenSize) + ": its last hidden state becomes its next input embedding.");
            w.Line("public " + Links + "InnerLink " + GeneratedNames.InnerLink(agent.Name) + " { get; }");
            w.Line();
        }

        foreach (var edge in spec.Edges)
        {
            w.Summary("The " + Verb(edge.IsFeedback) + " outer link " + edge.From + " → " + edge.To + ", " + Dim(edge.FromHiddenSize) + " → " + Dim(edge.ToHiddenSize) + ".");
            w.Line(edge.PropertyModifier + " " + Latent + "TypedOuterLink<" + edge.FromType + ", " + edge.ToType + "> " + edge.Property + " { get; }");
            w.Line();
        }

        w.Summary("The loaded system, for the runtime's runners, baselines and trainers.");
        w.Line("public " + Systems + "RecursiveSystem Runtime => " + GeneratedNames.RuntimeField + ";");
        w.Line();

        w.Line("private " + name + "(" + Systems + "RecursiveSystem runtime)");
        w.Open();
        w.Line(GeneratedNames.RuntimeField + " = runtime;");
        foreach (var agent in spec.Agents)
        {
            w.Line(GeneratedNames.AgentField(agent.Name) + " = runtime.Agent(" + Str(agent.Name) + ");");
        }

        foreach (var stage in spec.Stages)
        {
            var agent = GeneratedNames.AgentField(spec.Agents[stage.Agent].Name);
            var call = stage.Stage switch
            {
                // Templates: one binding serves every round it is read in, and RunContext fills {round} with that round.
                PromptStage.FirstRound => ".TemplateFor(1, decode: false);",
                PromptStage.LaterRounds => ".TemplateFor(2, decode: false);",
                _ => ".TemplateFor(Rounds, decode: true);",
            };
            w.Line(stage.PromptField + " = " + agent + call);
        }

        foreach (var agent in spec.Agents)
        {
            w.Line(GeneratedNames.InnerLink(agent.Name) + " = " + GeneratedNames.AgentField(agent.Name) + ".InnerLink;");
        }

        foreach (var edge in spec.Edges)
        {
            w.Line(edge.Property + " = new(runtime.Link(" + Str(edge.From) + ", " + Str(edge.To) + "));");
        }

        w.Close();
        w.Line();

        w.Summary("Loads the agents' models and tokenizers from modelRoot/<model> and the links from linksDir (inner.<Agent>, outer.<From>-<To>). Hidden sizes come from each model's config.json and must equal the ones declared or read at compile time.");
        w.Line("/// <param name=\"modelRoot\">The folder the agents' model folders are relative to.</param>");
        w.Line("/// <param name=\"linksDir\">The folder of the trained links.</param>");
        w.Line("/// <param name=\"device\">Where the models and links live; null keeps the options' device (the CPU by default).</param>");
        w.Line("/// <param name=\"options\">Dtype, untrained links for tests and training from scratch, and other load settings.</param>");
        w.Signature("public static " + name + " Load", ["string modelRoot", "string linksDir", Torch + "Device? device = null", Systems + "SystemLoadOptions? options = null"]);
        w.Open();
        w.Line("options = (options ?? new " + Systems + "SystemLoadOptions()) with { ModelRoot = modelRoot, LinksDirectory = linksDir };");
        w.Line("if (device is not null)");
        w.Line("    options = options with { Model = options.Model with { Device = device } };");
        w.Line("var runtime = " + Systems + "RecursiveSystem.Load(Describe(modelRoot, linksDir), options);");
        w.Line("try");
        w.Open();
        w.Line("return new " + name + "(runtime);");
        w.Close();
        w.Line("catch");
        w.Open();
        w.Line("runtime.Dispose();");
        w.Line("throw;");
        w.Close();
        w.Close();
        w.Line();

        w.Summary("Frees the models, tokenizers and links.");
        w.Line("public void Dispose() => " + GeneratedNames.RuntimeField + ".Dispose();");
        w.Line();
    }

    // Solve and SolveBatch: the declared rounds as straight-line code, the runtime's loop for any other n.
    static void Solve(SourceWriter w, SystemGenerationSpec spec)
    {
        w.Summary("Answers one question (see SolveBatch).");
        w.Line("public " + Systems + "RunResult Solve(string question, " + Systems + "RunOptions? options = null) => SolveBatch(new[] { question }, options);");
        w.Line();

        w.Summary(spec.Turns.Count == 0
            ? "Answers a batch of questions with the runtime's loop (RecursiveRunner): " + Int(spec.Rounds) + " rounds are more than the generator writes out."
            : "Answers a batch of questions: the " + Int(spec.Rounds) + " declared " + Plural(spec.Rounds, "round", "rounds") + " unrolled below, with the same schedule, fused links and accounting as RecursiveRunner. Options asking for another round count run the runtime's loop instead.");
        w.Signature("public " + Systems + "RunResult SolveBatch", [Collections + "IReadOnlyList<string> questions", Systems + "RunOptions? options = null"]);
        w.Open();
        w.Line("options ??= new " + Systems + "RunOptions();");
        if (spec.Turns.Count == 0)
        {
            // More rounds than the generator writes out (Limits.MaxUnrolledRounds): the runtime's loop runs them.
            w.Line("return " + Systems + "RecursiveRunner.SolveBatch(" + GeneratedNames.RuntimeField + ", questions, options);");
            w.Close();
            w.Line();
            return;
        }

        w.Line("if (options.RoundsFor(" + GeneratedNames.RuntimeField + ".Description) != Rounds)");
        w.Line("    return " + Systems + "RecursiveRunner.SolveBatch(" + GeneratedNames.RuntimeField + ", questions, options);");
        w.Line();
        w.Line("using var run = new " + Systems + "RunContext(" + GeneratedNames.RuntimeField + ", questions, options);");
        var round = 0;
        foreach (var turn in spec.Turns)
        {
            if (turn.Round != round)
            {
                round = turn.Round;
                w.Line();
                w.Line("// ── Round " + Int(round) + " of " + Int(spec.Rounds) + " ──");
            }

            var stage = spec.Stages[turn.Stage];
            var reads = Names(stage.Slots.Select(s => s.IsFeedback ? "{feedback} from " + s.Sender : "{from:" + s.Sender + "}"));
            var arguments = string.Concat(turn.Arguments.Select(a => ", " + a));
            if (turn.Sender < 0)
            {
                w.Line("// " + turn.Agent + " decodes the answer, reading " + reads + ".");
                w.Line("var answers = " + stage.Method + "(run, " + Int(turn.Round) + arguments + ");");
                w.Line("return run.Result(global::RecursiveMas.Systems.RunMethod.Recursive, answers);");
                continue;
            }

            var sender = spec.Senders[turn.Sender];
            var receivers = Names(sender.Edges.Select(i => spec.Edges[i].To + (spec.Edges[i].IsFeedback ? " (next round)" : "")));
            w.Line("// " + turn.Agent + " thinks, reading " + reads + "; sends to " + receivers + ".");
            w.Line("var " + turn.Latent + " = " + stage.Method + "(run, " + Int(turn.Round) + arguments + ");");
            var outputs = turn.Outputs.Count == 1 ? turn.Outputs[0] : "(" + Join(turn.Outputs) + ")";
            w.Line("var " + outputs + " = " + sender.Method + "(run, " + turn.Latent + ", " + Int(turn.Round) + ");");
        }

        w.Close();
        w.Line();
    }

    // One method per agent stage; its parameters are the prompt's slots as typed messages.
    static void StageMethods(SourceWriter w, SystemGenerationSpec spec)
    {
        foreach (var stage in spec.Stages)
        {
            var agent = spec.Agents[stage.Agent];
            var parameters = new[] { Systems + "RunContext run", "int round" }
                .Concat(stage.Slots.Select(s => Latent + "Message<" + s.SenderType + ", " + agent.Type.GlobalName + "> " + s.Parameter)).ToList();
            var messages = stage.PromptField + ".BySlot(" + Join(stage.Slots.Select(s => s.Parameter + ".Vectors")) + ")";
            if (stage.Stage == PromptStage.FinalDecode)
            {
                w.Summary(agent.Name + "'s final decode, in the last round: its text answer from its decode prompt with the latent messages in their slots.");
                w.Signature("private " + Collections + "IReadOnlyList<global::RecursiveMas.Decoding.GeneratedSequence> " + stage.Method, parameters, " =>");
                w.Line("    run.Decode(" + GeneratedNames.AgentField(agent.Name) + ", round, " + stage.PromptField + ", " + messages + ");");
                w.Line();
                continue;
            }

            var when = stage.EveryRound ? "every round it thinks in" : Describe(stage.Stage);
            w.Summary(agent.Name + "'s latent rollout in " + when + ": m = " + Int(agent.LatentSteps) + " thoughts (unless the options say otherwise); returns E = R_in(H), [B, m, " + Dim(agent.HiddenSize) + "].");
            w.Signature("private " + Latent + "Thoughts<" + agent.Type.GlobalName + "> " + stage.Method, parameters, " =>");
            w.Line("    new(run.Think(" + GeneratedNames.AgentField(agent.Name) + ", round, " + stage.PromptField + ", " + messages + ").Embeddings);");
            w.Line();
        }
    }

    // One method per fused link group: E in, one typed message per edge out.
    static void SenderMethods(SourceWriter w, SystemGenerationSpec spec)
    {
        foreach (var sender in spec.Senders)
        {
            var edges = sender.Edges.Select(i => spec.Edges[i]).ToList();
            var from = edges[0].FromType;
            var types = edges.Select(e => Latent + "Message<" + e.FromType + ", " + e.ToType + ">").ToList();
            var returns = edges.Count == 1 ? types[0] : "(" + Join(types.Select((t, i) => t + " To" + edges[i].To)) + ")";
            var through = edges.Count == 1 ? "its outer link" : "its " + Int(edges.Count) + " outer links fused into one matmul";
            w.Summary(sender.Agent + "'s messages to " + Names(edges.Select(e => e.To)) + ": R_out(E) through " + through + ", reading the rollout's E = R_in(H) directly (H is not mapped again).");
            w.Signature("private " + returns + " " + sender.Method, [Systems + "RunContext run", Latent + "Thoughts<" + from + "> latent", "int round"]);
            w.Open();
            w.Line("var sent = run.Send(" + Str(sender.Agent) + ", round, includeFeedback: " + Bool(sender.IncludesFeedback) + ", latent.Embeddings);");
            w.Line(edges.Count == 1
                ? "return new(sent[0].Vectors);"
                : "return (" + Join(edges.Select((e, i) => "new(sent[" + Int(i) + "].Vectors)")) + ");");
            w.Close();
            w.Line();
        }
    }
}
