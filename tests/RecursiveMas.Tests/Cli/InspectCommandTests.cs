using System.Text.Json;
using RecursiveMas.Cli;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cli;

public sealed class InspectCommandTests(TinySystems zoo) : IClassFixture<TinySystems>
{
    [Fact]
    public void JsonListsAgentsFamiliesHiddenSizesAndLinksWithTheirParameterCounts()
    {
        var d = zoo.Describe("sequential", 3);
        SystemOverview expected;
        using (var system = zoo.Load("sequential", 3))
            expected = SystemOverview.Of(system);

        var (code, output) = CliRunner.Run("inspect", "--system", d.SourcePath!, "--json");

        Assert.Equal(ExitCodes.Success, code);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("SequentialTeam", json.GetProperty("name").GetString());
        Assert.Equal("sequential", json.GetProperty("pattern").GetString());
        Assert.Equal(3, json.GetProperty("rounds").GetInt32());
        Assert.Equal("Solver", json.GetProperty("decoder").GetString());
        var agents = json.GetProperty("agents").EnumerateArray().ToList();
        Assert.Equal(["Planner", "Critic", "Solver"], agents.Select(a => a.GetProperty("name").GetString()));
        Assert.Equal(["llama", "qwen3", "qwen2"], agents.Select(a => a.GetProperty("family").GetString()));
        Assert.Equal([64, 96, 128], agents.Select(a => a.GetProperty("hidden_size").GetInt32()));
        Assert.Equal([4, 3, 5], agents.Select(a => a.GetProperty("latent_steps").GetInt32()));
        Assert.All(agents, a => Assert.False(a.GetProperty("inner_link_trained").GetBoolean()));
        var links = json.GetProperty("links").EnumerateArray().ToList();
        Assert.Equal(["Planner→Critic", "Critic→Solver", "Solver→Planner"], links.Select(l => $"{l.GetProperty("from").GetString()}→{l.GetProperty("to").GetString()}"));
        Assert.Equal([false, false, true], links.Select(l => l.GetProperty("is_feedback").GetBoolean()));
        Assert.Equal(expected.Links.Select(l => l.Parameters), links.Select(l => l.GetProperty("parameters").GetInt64()));
        // An outer link d_i → d_j has more parameters than a square one of the smaller size: dimensions are real.
        Assert.True(expected.Links[1].Parameters > expected.Links[0].Parameters);
        Assert.Equal(expected.LinkParameters, json.GetProperty("link_parameters").GetInt64());
    }

    [Fact]
    public void TablesAndTheDotGraphAndAPngWhereGraphvizIsInstalled()
    {
        var d = zoo.Describe("custom", 2);
        string dot = Path.Combine(zoo.Root, "custom.dot"), png = Path.Combine(zoo.Root, "custom.png");

        var (code, output) = CliRunner.Run("inspect", "--system", d.SourcePath!, "--dot", dot, "--png", png);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("CustomTeam", output);
        Assert.Contains("Writer (decoder)", output);
        Assert.Contains("Reader → Checker", output);
        Assert.Contains("64 → 128", output);
        Assert.Contains("untrained", output);
        string graph = File.ReadAllText(dot);
        Assert.StartsWith("digraph \"CustomTeam\" {", graph);
        Assert.Contains("2 rounds · ", graph);
        Assert.DoesNotContain("params link parameters", graph);
        Assert.Contains("\"Reader\" -> \"Checker\"", graph);
        Assert.Contains("\"Writer\" -> \"Reader\" [label=\"128→64", graph);
        Assert.Contains("style=dashed", graph); // Writer → Reader closes the loop
        Assert.Contains("penwidth=3", graph); // the decoder
        bool graphviz = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, "dot")));
        if (graphviz)
        {
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png).Take(4));
            Assert.Contains("wrote " + png, output);
        }
        else
        {
            Assert.False(File.Exists(png));
            Assert.Contains("Graphviz's dot is not installed", output);
        }
    }

    [Fact]
    public void AMissingSystemIsAnInputError()
    {
        var (code, output) = CliRunner.Run("inspect", "--system", Path.Combine(zoo.Root, "missing.json"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("missing.json", output);
        Assert.Equal(ExitCodes.Usage, CliRunner.Run("inspect").ExitCode);
    }
}
