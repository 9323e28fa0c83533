using RecursiveMas.Dsl;

namespace RecursiveMas.Tests.DslRules;

/// <summary>
/// The DSL's shared model and rules, compiled into the runtime assembly (RecursiveMas.Dsl.Shared.Runtime.props),
/// on a system built by hand the way a SYSTEM.json reader would build it: no attributes, so the
/// attribute indices are positions the reader chooses, and no C# types, so no partial checks.
/// </summary>
public class SharedRulesTests
{
    // Sequential(Planner, Critic), 3 rounds: Planner -> Critic, loop Critic -> Planner, Critic decodes.
    static SystemSpec MathTeam(string criticPrompt)
    {
        var planner = Agent("Planner", ("Plan: {question}", PromptUseKind.FirstRound), ("Plan again: {question} {feedback}", PromptUseKind.LaterRounds));
        var critic = Agent("Critic", (criticPrompt, PromptUseKind.Always));
        return new SystemSpec(
            Type("MathTeam"),
            Rounds: 3,
            SystemAttributeIndex: 0,
            Patterns: EquatableArray.Create(new PatternSpec(PatternKind.Sequential, EquatableArray.Create("Planner", "Critic"), AttributeIndex: 1)),
            Links: EquatableArray<LinkSpec>.Empty,
            Decoders: EquatableArray<DecoderSpec>.Empty,
            Agents: EquatableArray.Create(planner, critic),
            NonAgents: EquatableArray<string>.Empty);
    }

    static AgentSpec Agent(string name, params (string Text, PromptUseKind Use)[] prompts) => new(
        Type(name),
        AttributeIndex: 0,
        Model: "models/" + name.ToLowerInvariant(),
        DeclaredHiddenSize: 64,
        Config: ConfigJsonFacts.NotFound,
        LatentSteps: AgentSpec.DefaultLatentSteps,
        Role: name,
        Prompts: prompts.Select((p, i) => new PromptSpec(p.Use, PromptTemplate.Parse(p.Text), AttributeIndex: i + 1)).ToEquatableArray());

    // Not in source: the partial rule (RMAS0002) is about C# declarations.
    static TypeRef Type(string name) => new(name, name, "", "class", IsPartial: true, IsInSource: false, EquatableArray<ContainingTypeSpec>.Empty);

    [Fact]
    public void A_valid_system_has_no_problems_and_its_topology()
    {
        var system = MathTeam("Critique: {question} {from:Planner}");

        Assert.Empty(SystemValidator.ValidateWithAgents(system));
        var topology = Topology.Build(system)!;
        Assert.Equal(["Planner", "Critic"], topology.Order);
        Assert.Equal("Critic", topology.Decoder);
    }

    [Fact]
    public void A_missing_slot_is_reported_with_the_analyzer_message()
    {
        var problem = Assert.Single(SystemValidator.ValidateWithAgents(MathTeam("Critique: {question}")));

        Assert.Equal(DiagnosticKind.MissingFromSlot, problem.Kind);
        Assert.True(problem.IsError);
        Assert.Equal(Site.Argument("Critic", 1, 0), problem.Site);
        Assert.Equal(
            "RMAS2001: This prompt of agent 'Critic' has no {from:Planner} slot, but 'Planner' sends 'Critic' a message every round of system 'MathTeam'",
            problem.Format());
    }
    // What the analyzers report as RMAS0018/RMAS0019 is what loading refuses: one rule (FileNameRules), here and there.
    [Fact]
    public void A_model_folder_outside_the_model_root_is_refused_with_the_analyzer_message()
    {
        var system = MathTeam("Critique: {question} {from:Planner}");
        var critic = system.Agents[1] with { Model = @"models\..\..\elsewhere" };
        var problem = Assert.Single(SystemValidator.ValidateWithAgents(system with { Agents = EquatableArray.Create(system.Agents[0], critic) }));

        Assert.Equal(DiagnosticKind.ModelOutsideRoot, problem.Kind);
        Assert.Equal(
            "RMAS0018: Agent 'Critic' names model folder \"models\\..\\..\\elsewhere\", which climbs out of the model root with '..'; loading refuses it: give the folder relative to the model root, such as [Agent(\"Qwen3-1.7B\")]",
            problem.Format());
    }

    // A model folder "planner " was looked for under that name and failed to load only when it was not found there, the
    // space hard to see; the analyzers refuse it as RMAS0025, with the same rule (FileNameRules) and message.
    [Fact]
    public void A_model_folder_padded_with_white_space_is_refused_with_the_analyzer_message()
    {
        var system = MathTeam("Critique: {question} {from:Planner}");
        var critic = system.Agents[1] with { Model = "critic " };
        var problem = Assert.Single(SystemValidator.ValidateWithAgents(system with { Agents = EquatableArray.Create(system.Agents[0], critic) }));

        Assert.Equal(DiagnosticKind.ModelPaddedWithWhiteSpace, problem.Kind);
        Assert.True(problem.IsError);
        Assert.Equal(
            "RMAS0025: Agent 'Critic' names model folder \"critic \", which ends with white space; loading refuses it: write \"critic\"",
            problem.Format());
    }

    [Theory]
    [InlineData("planner:v2")]
    [InlineData("team\\planner")]
    [InlineData("..")]
    [InlineData("con")]
    [InlineData("Nul.txt")]
    [InlineData("planner.")]
    [InlineData("planner ")]
    public void A_role_the_analyzers_refuse_is_refused_as_a_file_name_on_every_OS(string role)
    {
        var e = Assert.Throws<ModelFileException>(() => RecursiveMas.IO.ContainedPath.FileName(role, "SYSTEM.json", "agents[0].role"));
        Assert.Contains(FileNameRules.WhyNotAFileName(role)!, e.Message);
    }
}
