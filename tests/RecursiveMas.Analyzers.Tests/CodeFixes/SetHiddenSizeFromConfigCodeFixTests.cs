using RecursiveMas.Analyzers.Tests.Infrastructure;

namespace RecursiveMas.Analyzers.Tests.CodeFixes;

public class SetHiddenSizeFromConfigCodeFixTests
{
    static readonly ConfigFile Planner2048 = ConfigFile.For("planner", 2048);

    [Fact]
    public Task Replaces_a_mismatched_value() => Verify.CodeFixAsync<SetHiddenSizeFromConfigCodeFix>(
        """
        [Agent("planner", HiddenSize = {|RMAS1001:256|}, LatentSteps = 16)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        """
        [Agent("planner", HiddenSize = 2048, LatentSteps = 16)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        Planner2048);

    [Fact]
    public Task Replaces_a_negative_value() => Verify.CodeFixAsync<SetHiddenSizeFromConfigCodeFix>(
        """
        [Agent("planner", HiddenSize = {|RMAS1005:-1|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        Planner2048);

    [Fact]
    public Task Adds_the_value_read_from_config() => Verify.CodeFixAsync<SetHiddenSizeFromConfigCodeFix>(
        """
        [Agent({|RMAS1006:"planner"|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        Planner2048);

    [Fact]
    public Task Offers_nothing_when_config_json_is_unknown() => Verify.CodeFixAsync<SetHiddenSizeFromConfigCodeFix>(
        """
        [Agent("planner", HiddenSize = {|RMAS1005:-1|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        """
        [Agent("planner", HiddenSize = {|RMAS1005:-1|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """);
}
