using RecursiveMas.Charts;
using RecursiveMas.Cli;
using RecursiveMas.Evaluation;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Tokenization;
using ScottPlot;

namespace RecursiveMas.Tests.Charts;

public sealed class ComparisonChartTests
{
    /// <summary>Three rows over seeds 1 and 2: single 25%/50%, text n=1 50%/50%, recursive n=1 100%/75% of 4 questions.</summary>
    static ComparisonResult Known() => new("ZooSequential", "/somewhere/data/arithmetic/test.jsonl", 4, 0.3,
    [
        new ComparisonRow("single", 0, [new SeedRun(1, 4, 1, 20, 0.1), new SeedRun(2, 4, 2, 22, 0.1)]),
        new ComparisonRow("text", 1, [new SeedRun(1, 4, 2, 60, 0.2), new SeedRun(2, 4, 2, 62, 0.2)]),
        new ComparisonRow("recursive", 1, [new SeedRun(1, 4, 4, 21, 0.05), new SeedRun(2, 4, 3, 21, 0.05)]),
    ]);

    [Fact]
    public void TheFigureHasATitleLabelledAxesCategoriesWhiskersAndALegend()
    {
        var result = Known();
        var figure = ComparisonChart.Build(result);
        figure.Render(ComparisonChart.Width, ComparisonChart.Height); // ticks are generated for the drawn size
        var panels = figure.GetPlots();
        Assert.Equal(3, panels.Length);
        var (accuracy, tokens, legend) = (panels[0], panels[1], panels[2]);

        Assert.Contains("ZooSequential on arithmetic/test.jsonl", accuracy.Axes.Title.Label.Text);
        Assert.Contains("2 seeds (1, 2)", accuracy.Axes.Title.Label.Text);
        Assert.Contains("4 questions", accuracy.Axes.Title.Label.Text);
        Assert.Contains("Generated tokens per question", tokens.Axes.Title.Label.Text);
        Assert.Contains("accuracy", accuracy.Axes.Left.Label.Text);
        Assert.Contains("tokens", tokens.Axes.Left.Label.Text);
        foreach (var panel in new[] { accuracy, tokens })
        {
            Assert.Contains("method and rounds n", panel.Axes.Bottom.Label.Text);
            var ticks = Assert.IsType<ScottPlot.TickGenerators.NumericManual>(panel.Axes.Bottom.TickGenerator).Ticks;
            Assert.Equal(["single", "text\nn=1", "recursive\nn=1"], ticks.Select(t => t.Label));
        }

        // Bar heights are the means and whiskers the 95% half-widths, in table order.
        var accuracyBars = accuracy.GetPlottables<ScottPlot.Plottables.BarPlot>().Single().Bars;
        Assert.Equal(result.Rows.Select(r => r.Accuracy.Mean), accuracyBars.Select(b => b.Value));
        Assert.Equal(result.Rows.Select(r => r.Accuracy.HalfWidth), accuracyBars.Select(b => b.Error));
        Assert.Equal(12.706 * 0.125, accuracyBars[0].Error, 9); // t(1) · s/√2 with s = 0.125·√2 (seeds at 25% and 50%)
        Assert.Equal(0, accuracyBars[1].Error);
        var tokenBars = tokens.GetPlottables<ScottPlot.Plottables.BarPlot>().Single().Bars;
        Assert.Equal([21.0, 61.0, 21.0], tokenBars.Select(b => b.Value));
        // Rows with another round count sit after a wider gap.
        Assert.Equal([0.0, 1.5, 2.5], accuracyBars.Select(b => b.Position));
        Assert.Equal(3, accuracyBars.Select(b => b.FillColor).Distinct().Count());

        var items = legend.Legend.GetItems().Select(i => i.LabelText).ToList();
        Assert.Equal(["single agent", "Recursive-TextMAS (text messages)", "RecursiveMAS (latent messages)"], items.Take(3));
        Assert.Contains("95% t-interval", items[3]);
        Assert.True(legend.Legend.IsVisible);
    }

    [Fact]
    public void TheTextIsDrawnWithARealFont()
    {
        // An SVG export keeps text as text: the title, labels and categories must be in it.
        var panels = ComparisonChart.Build(Known()).GetPlots();
        string svg = panels[0].GetSvgXml(800, 600);
        Assert.Contains("<text", svg);
        Assert.Contains("ZooSequential on arithmetic/test.jsonl", svg);
        Assert.Contains("recursive", svg);
        Assert.Contains("accuracy (strict answer check)", svg);
        Assert.Contains(ChartFile.FontFamily, svg);
        Assert.Contains("RecursiveMAS (latent messages)", panels[2].GetSvgXml(300, 600));
    }

    [Fact]
    public void TheJsonReadsBackToTheSameTable()
    {
        using var dir = new TempDirectory();
        var result = Known();
        string json = Path.Combine(dir.Path, "comparison.json");
        File.WriteAllText(json, result.ToJson());
        var back = ComparisonResult.Load(json);
        Assert.Equal(result.ToJson(), back.ToJson());
        Assert.Equal([1L, 2L], back.Seeds);

        string png = ChartFile.Plot(json);
        Assert.Equal(Path.Combine(dir.Path, "comparison.png"), png);
        Assert.Equal((ComparisonChart.Width, ComparisonChart.Height), PngHeader.SizeOf(png));
    }

    public static IEnumerable<object[]> CommittedComparisons() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "examples", "zoo-results"), "comparison.json", SearchOption.AllDirectories)
            .Order().Select(f => new object[] { Path.GetRelativePath(RepositoryRoot.Path, f) });

    [Theory]
    [MemberData(nameof(CommittedComparisons))]
    public void RmasPlotRedrawsEachCommittedZooChart(string relativePath)
    {
        using var dir = new TempDirectory();
        string png = Path.Combine(dir.Path, "chart.png");
        var (code, output) = CliRunner.Run("plot", Path.Combine(RepositoryRoot.Path, relativePath), "--out", png);
        Assert.True(code == ExitCodes.Success, output);
        Assert.Contains("comparison written to", output);
        Assert.Equal((ComparisonChart.Width, ComparisonChart.Height), PngHeader.SizeOf(png));
        // The committed chart beside it is one of these (regenerated with rmas plot), not the old hand-drawn one.
        Assert.Equal((ComparisonChart.Width, ComparisonChart.Height), PngHeader.SizeOf(Path.ChangeExtension(Path.Combine(RepositoryRoot.Path, relativePath), ".png")));
    }

    [Fact]
    public void AComparisonWithAMissingFieldIsExitCodeOneNamingTheField()
    {
        using var dir = new TempDirectory();
        string json = Path.Combine(dir.Path, "comparison.json");
        File.WriteAllText(json, Known().ToJson().Replace("\"correct\"", "\"right\""));
        var (code, output) = CliRunner.Run("plot", json);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("comparison.json", output);
        Assert.Contains("rows[0].seeds[0].correct", output);
        Assert.False(File.Exists(Path.Combine(dir.Path, "comparison.png")));
    }
}
