using RecursiveMas.Charts;
using RecursiveMas.Cli;
using RecursiveMas.Tests.Support;
using ScottPlot;

namespace RecursiveMas.Tests.Charts;

public sealed class ServingChartTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rmas-serving-chart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    const string Bench = """
        {"suite": "serving", "quick": false, "threads": 2, "rows": [
          {"system": "bench", "clients": 1, "requests": 16, "questions_per_second": 1.0, "p50_ms": 900, "p95_ms": 1200, "mean_batch_rows": 1, "throughput_vs_one_client": 1, "p95_vs_one_client_p50": 1.3},
          {"system": "bench", "clients": 16, "requests": 32, "questions_per_second": 3.0, "p50_ms": 4600, "p95_ms": 5800, "mean_batch_rows": 15, "throughput_vs_one_client": 3, "p95_vs_one_client_p50": 6.4},
          {"system": "zoo", "clients": 1, "requests": 16, "questions_per_second": 9.0, "p50_ms": 100, "p95_ms": 200, "mean_batch_rows": 1, "throughput_vs_one_client": 1, "p95_vs_one_client_p50": 2},
          {"system": "zoo", "clients": 16, "requests": 32, "questions_per_second": 68.0, "p50_ms": 215, "p95_ms": 264, "mean_batch_rows": 15, "throughput_vs_one_client": 7.6, "p95_vs_one_client_p50": 2.6}
        ]}
        """;

    [Fact]
    public void TheServingFigureShowsThroughputGainAndLatencyPerSystemAgainstClients()
    {
        string json = Path.Combine(_dir, "serving.json");
        File.WriteAllText(json, Bench);
        var figure = ServingChart.Build(ServingChart.Read(json));
        figure.Render(ServingChart.Width, ServingChart.Height);
        var (throughput, latency) = (figure.GetPlots()[0], figure.GetPlots()[1]);
        Assert.Contains("throughput", throughput.Axes.Title.Label.Text);
        Assert.Contains("latency", latency.Axes.Title.Label.Text);
        Assert.All(new[] { throughput, latency }, p => Assert.Equal("concurrent clients", p.Axes.Bottom.Label.Text));
        var legend = throughput.Legend.GetItems().Select(i => i.LabelText).ToList();
        Assert.Contains("zoo (one client: 9 questions/s)", legend);
        Assert.Contains("perfect scaling (×clients)", legend);
        Assert.Equal(["bench p50", "bench p95", "zoo p50", "zoo p95"], latency.Legend.GetItems().Select(i => i.LabelText));
        // The zoo's 16-client point sits at the bench's own ratio (the median of its repeats' ratios), not recomputed from medians (68 / 9).
        var zoo = throughput.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText.StartsWith("zoo", StringComparison.Ordinal));
        Assert.Equal(7.6, zoo.Data.GetScatterPoints()[1].Y, 9);

        var (code, output) = CliRunner.Run("plot", json);
        Assert.True(code == ExitCodes.Success, output);
        Assert.Equal((ServingChart.Width, ServingChart.Height), PngHeader.SizeOf(Path.Combine(_dir, "serving.png")));
    }

    [Fact]
    public void AMalformedServingFileIsRefusedNamingTheField()
    {
        string json = Path.Combine(_dir, "broken.json");
        File.WriteAllText(json, Bench.Replace("\"p95_ms\": 5800", "\"p95_ms\": \"slow\"", StringComparison.Ordinal));
        var (code, output) = CliRunner.Run("plot", json);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("rows[1].p95_ms", output);
        Assert.False(File.Exists(Path.Combine(_dir, "broken.png")));
    }
}
