using RecursiveMas.Analyzers.Tests.Infrastructure;

namespace RecursiveMas.Analyzers.Tests.Diagnostics;

/// <summary>RMAS1001–RMAS1006: hidden sizes against config.json and link widths.</summary>
public class DimensionDiagnosticsTests
{
    static readonly ConfigFile Planner2048 = ConfigFile.For("planner", 2048);

    [Fact]
    public Task RMAS1001_declared_hidden_size_differs_from_config() => Verify.AnalyzerAsync(
        """
        [Agent("planner", HiddenSize = {|#0:256|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        [Planner2048],
        includeHidden: false,
        Verify.Diagnostic("RMAS1001").WithLocation(0).WithArguments("Planner", "256", "2048", "/project/models/planner/config.json"));

    [Fact]
    public Task RMAS1001_declared_hidden_size_equal_to_config_is_fine() => Verify.AnalyzerAsync("""
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """, Planner2048);

    [Fact]
    public Task RMAS1001_config_matched_with_backslashes_and_a_nested_model_folder() => Verify.AnalyzerAsync(
        """
        [Agent("qwen/Qwen3-1.7B/", HiddenSize = {|RMAS1001:1536|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        new ConfigFile(@"C:\repo\models\qwen\Qwen3-1.7B\config.json", """{ "model_type": "qwen3", "hidden_size": 2048 }"""));

    [Fact]
    public Task RMAS1002_no_hidden_size_and_no_config() => Verify.AnalyzerAsync("""
        [Agent({|RMAS1002:"planner"|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """);

    [Fact]
    public Task RMAS1002_a_config_of_a_folder_that_only_ends_like_the_model_does_not_count() => Verify.AnalyzerAsync(
        """
        [Agent({|RMAS1002:"planner"|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        ConfigFile.For("myplanner", 2048));

    [Fact]
    public Task RMAS1002_declared_hidden_size_or_found_config_is_fine() => Verify.AnalyzerAsync(
        """
        [Agent("planner")]
        [Prompt("Plan: {question}")]
        public partial class Planner;

        [Agent("critic", HiddenSize = 3072)]
        [Prompt("Critique: {question}")]
        public partial class Critic;
        """,
        Planner2048);

    [Theory]
    [InlineData("""{ "hidden_size": 2048 """, "it is not valid JSON: the file ends where '}' was expected (offset 22)")]
    [InlineData("""{ "model_type": "llama" }""", "it has no hidden_size field")]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": "2048" }""", "its hidden_size is the string \"2048\", not a positive integer")]
    [InlineData("""{ "model_type": "qwen3", "hidden_size": 0 }""", "its hidden_size is 0, not a positive integer")]
    // The runtime reads the architecture from model_type alone and refuses the file without it, or with one it does not
    // load: the hidden size beside it had been read and checked as if the model would load.
    [InlineData("""{ "hidden_size": 2048 }""", "it has no model_type field, which the runtime requires")]
    [InlineData("""{ "model_type": "gpt2", "hidden_size": 2048 }""", "unknown model_type \"gpt2\"; supported: llama, mistral, qwen2, qwen3, gemma3_text, gemma3, qwen3_5, qwen3_5_text")]
    [InlineData("""[2048]""", "the file is not a JSON object")]
    public Task RMAS1003_unusable_config(string json, string reason) => Verify.AnalyzerAsync(
        """
        [Agent({|#0:"planner"|}, HiddenSize = 2048)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        [new ConfigFile("models/planner/config.json", json)],
        includeHidden: false,
        Verify.Diagnostic("RMAS1003").WithLocation(0).WithArguments("Planner", "models/planner/config.json", reason));

    [Fact]
    public Task RMAS1003_config_with_the_size_in_text_config_is_fine() => Verify.AnalyzerAsync(
        """
        [Agent("gemma", HiddenSize = 2560)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        new ConfigFile("models/gemma/config.json", """
            { "architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3",
              "text_config": { "hidden_size": 2560, "rope_scaling": { "factor": 8.0 } },
              "vision_config": { "hidden_size": 1152 } }
            """));

    // Shaped like the Hub's gemma-3-4b-it and Qwen3.5-4B: the language model's sizes only in text_config, and a
    // vision_config with a hidden_size of its own that must not be taken for the agent's.
    static readonly ConfigFile NestedGemma3 = new("/project/models/Sequential-Scaled-Planner-Gemma3-4B/config.json", """
        { "architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3",
          "vision_config": { "model_type": "siglip_vision_model", "hidden_size": 1152 },
          "text_config": { "model_type": "gemma3_text", "hidden_size": 2560, "num_hidden_layers": 34 } }
        """);

    static readonly ConfigFile NestedQwen35 = new("/project/models/Sequential-Scaled-Solver-Qwen3.5-4B/config.json", """
        { "architectures": ["Qwen3_5ForConditionalGeneration"], "model_type": "qwen3_5", "tie_word_embeddings": true,
          "text_config": { "model_type": "qwen3_5_text", "hidden_size": 2560, "linear_num_key_heads": 16 },
          "vision_config": { "depth": 24, "hidden_size": 1024 } }
        """);

    [Fact]
    public Task RMAS1001_a_wrong_hidden_size_against_a_nested_text_config() => Verify.AnalyzerAsync(
        """
        [Agent("Sequential-Scaled-Planner-Gemma3-4B", HiddenSize = {|#0:1152|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;

        [Agent("Sequential-Scaled-Solver-Qwen3.5-4B", HiddenSize = {|#1:3072|})]
        [Prompt("Solve: {question}")]
        public partial class Solver;
        """,
        [NestedGemma3, NestedQwen35],
        includeHidden: false,
        Verify.Diagnostic("RMAS1001").WithLocation(0).WithArguments("Planner", "1152", "2560", NestedGemma3.Path),
        Verify.Diagnostic("RMAS1001").WithLocation(1).WithArguments("Solver", "3072", "2560", NestedQwen35.Path));

    // A multimodal checkpoint whose top level keeps a size of its own beside text_config: the runtime loads the
    // language model's 2560, so a HiddenSize of the top level's 1536 builds links that cannot take its states.
    [Fact]
    public Task RMAS1001_a_top_level_hidden_size_beside_a_multimodal_text_config_is_not_the_models() => Verify.AnalyzerAsync(
        """
        [Agent("gemma", HiddenSize = {|#0:1536|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        [new ConfigFile("/project/models/gemma/config.json", """
            { "model_type": "gemma3", "hidden_size": 1536, "text_config": { "model_type": "gemma3_text", "hidden_size": 2560 } }
            """)],
        includeHidden: false,
        Verify.Diagnostic("RMAS1001").WithLocation(0).WithArguments("Planner", "1536", "2560", "/project/models/gemma/config.json"));

    // A null top-level hidden_size beside a valid text_config is not read by the runtime, so it is no unusable file.
    [Fact]
    public Task RMAS1003_a_null_top_level_hidden_size_beside_a_multimodal_text_config_is_fine() => Verify.AnalyzerAsync(
        """
        [Agent("qwen", HiddenSize = 2560)]
        [Prompt("Plan: {question}")]
        public partial class Planner;
        """,
        new ConfigFile("/project/models/qwen/config.json", """
            { "model_type": "qwen3_5", "hidden_size": null, "text_config": { "model_type": "qwen3_5_text", "hidden_size": 2560 } }
            """));

    [Fact]
    public Task RMAS1004_link_width_checked_against_a_size_read_from_text_config() => Verify.AnalyzerAsync(
        """
        [Agent("Sequential-Scaled-Planner-Gemma3-4B")]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class Planner;

        [Agent("Sequential-Scaled-Solver-Qwen3.5-4B")]
        [Prompt("Plan: {from:Planner} Question: {question}")]
        public partial class Solver;

        [RecursiveSystem]
        [Link(typeof(Planner), typeof(Solver), FromHiddenSize = {|#0:3072|}, ToHiddenSize = 2560)]
        [Link(typeof(Solver), typeof(Planner))]
        [Decoder(typeof(Solver))]
        public partial class Team;
        """,
        [NestedGemma3, NestedQwen35],
        includeHidden: false,
        Verify.Diagnostic("RMAS1004").WithLocation(0).WithArguments("FromHiddenSize", "3072", "Planner", "2560"));

    const string LinkedAgents = """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class Planner;

        [Agent("solver")]
        [Prompt("Plan: {from:Planner} Question: {question}")]
        public partial class Solver;

        """;

    [Fact]
    public Task RMAS1004_link_widths_differ_from_the_agents() => Verify.AnalyzerAsync(
        LinkedAgents + """
        [RecursiveSystem]
        [Link(typeof(Planner), typeof(Solver), FromHiddenSize = {|#0:1024|}, ToHiddenSize = {|#1:2048|})]
        [Link(typeof(Solver), typeof(Planner))]
        [Decoder(typeof(Solver))]
        public partial class Team;
        """,
        [ConfigFile.For("solver", 1536)],
        includeHidden: false,
        Verify.Diagnostic("RMAS1004").WithLocation(0).WithArguments("FromHiddenSize", "1024", "Planner", "2048"),
        Verify.Diagnostic("RMAS1004").WithLocation(1).WithArguments("ToHiddenSize", "2048", "Solver", "1536"));

    [Fact]
    public Task RMAS1004_matching_or_uncheckable_link_widths_are_fine() => Verify.AnalyzerAsync(
        """
        [Agent("planner", HiddenSize = 2048)]
        [Prompt("Plan: {question}", When = PromptUse.FirstRound)]
        [Prompt("Plan again: {question} {feedback}", When = PromptUse.LaterRounds)]
        public partial class Planner;

        [Agent({|RMAS1002:"solver"|})]
        [Prompt("Plan: {from:Planner} Question: {question}")]
        public partial class Solver;

        [RecursiveSystem]
        [Link(typeof(Planner), typeof(Solver), FromHiddenSize = 2048, ToHiddenSize = 999)]
        [Link(typeof(Solver), typeof(Planner))]
        [Decoder(typeof(Solver))]
        public partial class Team;
        """);

    [Fact]
    public Task RMAS1005_negative_hidden_sizes() => Verify.AnalyzerAsync(LinkedAgents.Replace("HiddenSize = 2048", "HiddenSize = {|RMAS1005:-2048|}") + """
        [RecursiveSystem]
        [Link(typeof(Planner), typeof(Solver), ToHiddenSize = {|RMAS1005:-1|})]
        [Link(typeof(Solver), typeof(Planner))]
        [Decoder(typeof(Solver))]
        public partial class Team;
        """, ConfigFile.For("solver", 1536));

    [Fact]
    public Task RMAS1006_hidden_size_read_from_config_is_offered_for_pinning() => Verify.AnalyzerAsync(
        """
        [Agent({|#0:"planner"|})]
        [Prompt("Plan: {question}")]
        public partial class Planner;

        [Agent("critic", HiddenSize = 2048)]
        [Prompt("Critique: {question}")]
        public partial class Critic;
        """,
        [Planner2048, ConfigFile.For("critic", 2048)],
        includeHidden: true,
        Verify.Diagnostic("RMAS1006").WithLocation(0).WithArguments("Planner", "2048", "/project/models/planner/config.json"));
}
