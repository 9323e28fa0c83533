using RecursiveMas.Charts;
using RecursiveMas.Cli;
using RecursiveMas.Tests.Support;
using RecursiveMas.Tests.Tokenization;
using RecursiveMas.Training;
using ScottPlot;

namespace RecursiveMas.Tests.Charts;

public sealed class TrainingChartTests
{
    /// <summary>
    /// A log written by the trainer's own writer: 3 inner steps, then 4 outer steps whose per-round
    /// gradients for two links are 10^-(round) and 10^-(round+1); held-out accuracy and loss at outer step 4.
    /// </summary>
    static string WriteLog(string folder)
    {
        var log = new TrainingLog(Path.Combine(folder, TrainingLogEntry.FileName));
        for (int step = 1; step <= 3; step++)
            log.Append(new TrainingProgress(TrainingStage.Inner, step, 3, 1.0 / step, 1e-3 * step, 0.5, [], [],
                new Dictionary<string, double> { ["a"] = 0.1 }, null, TimeSpan.FromSeconds(step), null));
        for (int step = 1; step <= 4; step++)
            log.Append(new TrainingProgress(TrainingStage.Outer, step, 4, 2.0 / step, 5e-4, step == 2 ? double.NaN : 0.7, [1.0, 0.5],
                [new RoundGradient("outer.A-B", 1, 0.1), new RoundGradient("outer.A-B", 2, 0.01), new RoundGradient("outer.B-C", 1, 0.01), new RoundGradient("outer.B-C", 2, 0.001)],
                new Dictionary<string, double>(), step == 4 ? 0.75 : null, TimeSpan.FromSeconds(step), null)
            { EvaluationLoss = step == 4 ? 0.9 : null });
        return log.Path;
    }

    [Fact]
    public void TheLogReadsBackAsLogged()
    {
        using var dir = new TempDirectory();
        var entries = TrainingLogEntry.Read(WriteLog(dir.Path));
        Assert.Equal(7, entries.Count);
        Assert.Equal(["inner", "inner", "inner", "outer", "outer", "outer", "outer"], entries.Select(e => e.Stage));
        Assert.Equal(0.5, entries[1].Loss);
        Assert.Equal(2e-3, entries[1].LearningRate);
        Assert.Null(entries[4].GradientNorm); // NaN is logged as null
        Assert.Equal(0.75, entries[6].EvaluationAccuracy);
        Assert.Equal(0.9, entries[6].EvaluationLoss);
        Assert.Null(entries[5].EvaluationLoss);
        Assert.Equal(new RoundGradient("outer.B-C", 2, 0.001), entries[5].RoundGradients[3]);
    }

    [Fact]
    public void TheCurvesShowLossAccuracyRateAndPerRoundGradientsOnALogScale()
    {
        using var dir = new TempDirectory();
        string path = WriteLog(dir.Path);
        var panels = TrainingChart.Build(TrainingLogEntry.Read(path), TrainingChart.TitleFor(path)).GetPlots();
        Assert.Equal(4, panels.Length);
        var (loss, accuracy, rate, gradients) = (panels[0], panels[1], panels[2], panels[3]);

        Assert.Contains($"Link training: {Path.GetFileName(dir.Path)}/train-log.jsonl", loss.Axes.Title.Label.Text);
        Assert.Contains("inner 3 steps, outer 4 steps", loss.Axes.Title.Label.Text);
        Assert.Contains("loss", loss.Axes.Left.Label.Text);
        Assert.Contains("held-out accuracy", accuracy.Axes.Title.Label.Text);
        Assert.Contains("learning rate", rate.Axes.Left.Label.Text);
        Assert.Contains("log scale", gradients.Axes.Title.Label.Text);
        Assert.All(panels, p => Assert.Contains("step", p.Axes.Bottom.Label.Text));

        static List<(string Label, double[] Xs, double[] Ys)> Series(Plot plot) =>
            [.. plot.GetPlottables<ScottPlot.Plottables.Scatter>().Select(s =>
                (s.LegendText, s.Data.GetScatterPoints().Select(p => p.X).ToArray(), s.Data.GetScatterPoints().Select(p => p.Y).ToArray()))];
        var losses = Series(loss);
        Assert.Equal(["inner stage", "outer stage", "outer stage, held-out"], losses.Select(s => s.Label));
        Assert.Equal([4.0], losses[2].Xs);
        Assert.Equal([0.9], losses[2].Ys);
        Assert.Equal([1.0, 0.5, 1.0 / 3], losses[0].Ys);
        Assert.Equal([1.0, 2.0, 3.0, 4.0], losses[1].Xs);
        var accuracies = Assert.Single(Series(accuracy));
        Assert.Equal([4.0], accuracies.Xs);
        Assert.Equal([0.75], accuracies.Ys);
        Assert.Equal([1e-3, 2e-3, 3e-3], Series(rate)[0].Ys);

        // One series per link and round, drawn as log10 of the norm, labelled back in plain numbers.
        var norms = Series(gradients);
        Assert.Equal(["outer.A-B, round 1", "outer.A-B, round 2", "outer.B-C, round 1", "outer.B-C, round 2"], norms.Select(s => s.Label));
        Assert.All(norms[0].Ys, y => Assert.Equal(-1, y, 12));
        Assert.All(norms[3].Ys, y => Assert.Equal(-3, y, 12));
        var ticks = Assert.IsType<ScottPlot.TickGenerators.NumericAutomatic>(gradients.Axes.Left.TickGenerator);
        Assert.Equal("0.01", ticks.LabelFormatter(-2));
        Assert.IsType<ScottPlot.TickGenerators.LogMinorTickGenerator>(ticks.MinorTickGenerator);
        Assert.Contains("outer.B-C, round 2", gradients.GetSvgXml(900, 500));
    }

    /// <summary>A loss that falls from 10 to 0.1 is drawn as log10 (labels in plain numbers), so its end is not a flat line.</summary>
    [Fact]
    public void ALossThatFallsByDecadesIsDrawnOnALogScale()
    {
        using var dir = new TempDirectory();
        var log = new TrainingLog(Path.Combine(dir.Path, TrainingLogEntry.FileName));
        foreach (var (step, value) in new[] { (1, 10.0), (2, 1.0), (3, 0.1) })
            log.Append(new TrainingProgress(TrainingStage.Inner, step, 3, value, 1e-3, 0.5, [], [], new Dictionary<string, double>(), null, TimeSpan.Zero, null)
            { EvaluationLoss = step == 3 ? 0.2 : null });
        var loss = TrainingChart.Build(TrainingLogEntry.Read(log.Path), "t").GetPlots()[0];
        Assert.Contains("log scale", loss.Axes.Title.Label.Text);
        var series = loss.GetPlottables<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal([1.0, 0.0, -1.0], series[0].Data.GetScatterPoints().Select(p => Math.Round(p.Y, 12)));
        Assert.Equal(Math.Log10(0.2), Assert.Single(series[1].Data.GetScatterPoints()).Y, 12);
        Assert.Equal("0.1", Assert.IsType<ScottPlot.TickGenerators.NumericAutomatic>(loss.Axes.Left.TickGenerator).LabelFormatter(-1));
    }

    [Fact]
    public void RmasPlotDrawsTheLogAsAPngOfTheChartsSize()
    {
        using var dir = new TempDirectory();
        string path = WriteLog(dir.Path);
        var (code, output) = CliRunner.Run("plot", path);
        Assert.True(code == ExitCodes.Success, output);
        Assert.Contains("training curves written to", output);
        Assert.Equal((TrainingChart.Width, TrainingChart.Height), PngHeader.SizeOf(Path.Combine(dir.Path, "train-log.png")));
    }

    [Fact]
    public void AMalformedLogIsExitCodeOneNamingTheFileAndLine()
    {
        using var dir = new TempDirectory();
        string path = WriteLog(dir.Path);
        var lines = File.ReadAllLines(path);
        lines[4] = lines[4][..20]; // a line cut short
        File.WriteAllLines(path, lines);
        var (code, output) = CliRunner.Run("plot", path, "--out", Path.Combine(dir.Path, "curves.png"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("train-log.jsonl", output);
        Assert.Contains("line 5", output);
        Assert.Contains("not valid JSON", output);
        Assert.False(File.Exists(Path.Combine(dir.Path, "curves.png")));

        File.WriteAllText(path, "{\"stage\": \"outer\", \"step\": 1}\n");
        (code, output) = CliRunner.Run("plot", path);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("line 1", output);
        Assert.Contains("missing \"total_steps\"", output);

        File.WriteAllText(path, "\n");
        (code, output) = CliRunner.Run("plot", path);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("no steps", output);

        (code, output) = CliRunner.Run("plot", Path.Combine(dir.Path, "absent.jsonl"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("absent.jsonl", output);
    }
}
