using System.Globalization;
using RecursiveMas.Training;
using ScottPlot;

namespace RecursiveMas.Charts;

/// <summary>
/// Training curves from a step log (train-log.jsonl): four panels against the step within each stage —
/// loss, held-out accuracy, learning rate, and the gradient each outer link received from each round
/// (PAPER §5.2's diagnostic) on a log scale. Each stage (inner, outer) is its own series.
/// </summary>
public static class TrainingChart
{
    /// <summary>Size of the written PNG, in pixels.</summary>
    public const int Width = 1400, Height = 900;

    static readonly Color[] Palette =
    [
        Color.FromHex("#0072B2"), Color.FromHex("#E69F00"), Color.FromHex("#009E73"), Color.FromHex("#CC79A7"),
        Color.FromHex("#D55E00"), Color.FromHex("#56B4E9"), Color.FromHex("#000000"), Color.FromHex("#8C8C8C"),
    ];

    static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    /// <summary>Reads <paramref name="logPath"/> and writes its curves to <paramref name="pngPath"/>; the title names the log's folder.</summary>
    public static void WriteFromFile(string logPath, string pngPath) =>
        Write(TrainingLogEntry.Read(logPath), pngPath, TitleFor(logPath));

    /// <summary>Writes the curves of <paramref name="entries"/> as a PNG of <see cref="Width"/> × <see cref="Height"/>.</summary>
    public static void Write(IReadOnlyList<TrainingLogEntry> entries, string pngPath, string title) =>
        ChartFile.SavePng(Build(entries, title), pngPath, Width, Height);

    /// <summary>"Link training: runs/first/train-log.jsonl" — the run's folder and the log's name.</summary>
    public static string TitleFor(string logPath)
    {
        string full = Path.GetFullPath(logPath);
        string? folder = Path.GetFileName(Path.GetDirectoryName(full));
        return $"Link training: {(string.IsNullOrEmpty(folder) ? "" : folder + "/")}{Path.GetFileName(full)}";
    }

    /// <summary>The figure: panels 0 loss, 1 held-out accuracy, 2 learning rate, 3 per-round gradient norms (log scale).</summary>
    public static Multiplot Build(IReadOnlyList<TrainingLogEntry> entries, string title)
    {
        if (entries.Count == 0)
            throw new ArgumentException("no log entries", nameof(entries));
        var stages = entries.Select(e => e.Stage).Distinct().ToList();
        string stageText = string.Join(", ", stages.Select(s => $"{s} {entries.Where(e => e.Stage == s).Max(e => e.Step)} steps"));

        // Losses that fall by more than a factor of LogScaleSpan (an inner stage starts near 10 and ends near 0.1)
        // are drawn on a log scale, so the end of training — where the held-out curve matters — is not a flat line.
        var losses = entries.SelectMany(e => new[] { e.Loss, e.EvaluationLoss }).OfType<double>().Where(double.IsFinite).ToList();
        bool logLoss = losses.Count > 0 && losses.Min() > 0 && losses.Max() / losses.Min() > LogScaleSpan;
        Func<double?, double?> scaled = logLoss ? v => v is double x && x > 0 ? Math.Log10(x) : null : v => v;
        var loss = PerStage(entries, stages, e => scaled(e.Loss), lines: true);
        // The validation curve: each stage's loss on the held-out set, dashed with markers, in a colour that stands out
        // from the training curve it lies on.
        AddPerStage(loss, entries, stages, e => scaled(e.EvaluationLoss), "held-out", LinePattern.Dashed, markerSize: 7, colorOffset: 4);
        loss.Title($"{title} ({stageText}): loss{(logLoss ? " (log scale)" : "")}", size: 15);
        loss.YLabel("loss (training; dashed: held-out)");
        if (logLoss)
            LogTicks(loss);

        var accuracy = PerStage(entries, stages, e => e.EvaluationAccuracy, lines: true);
        accuracy.Title("held-out accuracy (strict answer check)", size: 15);
        accuracy.YLabel("accuracy");
        accuracy.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = ChartFile.Percent };
        accuracy.Axes.SetLimitsY(0, 1.02);
        if (entries.All(e => e.EvaluationAccuracy is null))
            Note(accuracy, "no held-out evaluation in this log (train with --eval)");

        var rate = PerStage(entries, stages, e => e.LearningRate, lines: true);
        rate.Title("learning rate (cosine schedule with warmup)", size: 15);
        rate.YLabel("learning rate");
        rate.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = v => v == 0 ? "0" : v.ToString("0.##e+0", CultureInfo.InvariantCulture),
        };

        var gradients = GradientNorms(entries);
        gradients.Title("gradient each outer link gets from each round (log scale)", size: 15);
        gradients.YLabel("L2 norm of the round's share (before clipping)");

        // One step axis for all panels, so a point in one lines up with the same step in the others.
        int lastStep = entries.Max(e => e.Step);
        foreach (var plot in new[] { loss, accuracy, rate, gradients })
            plot.Axes.SetLimitsX(0, lastStep + Math.Max(1, lastStep / 50.0));

        var figure = new Multiplot();
        figure.Reset(loss);
        figure.AddPlot(accuracy);
        figure.AddPlot(rate);
        figure.AddPlot(gradients);
        figure.Layout = new ScottPlot.MultiplotLayouts.Grid(2, 2);
        return figure;
    }

    static Plot PerStage(IReadOnlyList<TrainingLogEntry> entries, IReadOnlyList<string> stages, Func<TrainingLogEntry, double?> value, bool lines)
    {
        var plot = ChartFile.NewPlot();
        AddPerStage(plot, entries, stages, value, null, LinePattern.Solid, markerSize: null, lineWidth: lines ? 2 : 0);
        plot.XLabel("optimizer step (within its stage)");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>One series per stage of <paramref name="value"/> where logged, in the stage's colour; markers where points are few (or of <paramref name="markerSize"/>).</summary>
    static void AddPerStage(Plot plot, IReadOnlyList<TrainingLogEntry> entries, IReadOnlyList<string> stages, Func<TrainingLogEntry, double?> value,
        string? label, LinePattern pattern, int? markerSize, int lineWidth = 2, int colorOffset = 0)
    {
        foreach (var (stage, i) in stages.Select((s, i) => (s, i)))
        {
            var points = entries.Where(e => e.Stage == stage && value(e) is not null).Select(e => (X: (double)e.Step, Y: value(e)!.Value)).ToArray();
            if (points.Length == 0)
                continue;
            var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), Palette[(i + colorOffset) % Palette.Length]);
            scatter.LegendText = label is null ? $"{stage} stage" : $"{stage} stage, {label}";
            scatter.LineWidth = lineWidth;
            scatter.LinePattern = pattern;
            scatter.MarkerSize = markerSize ?? (points.Length <= 30 ? 6 : 0);
        }
    }

    static Plot GradientNorms(IReadOnlyList<TrainingLogEntry> entries)
    {
        var plot = ChartFile.NewPlot();
        var series = entries.SelectMany(e => e.RoundGradients.Where(g => g.Norm > 0).Select(g => (e.Step, g)))
            .GroupBy(x => (x.g.Link, x.g.Round))
            .OrderBy(g => g.Key.Link, StringComparer.Ordinal).ThenBy(g => g.Key.Round)
            .ToList();
        var links = series.Select(s => s.Key.Link).Distinct().ToList();
        foreach (var group in series)
        {
            var points = group.ToArray();
            var scatter = plot.Add.Scatter(points.Select(p => (double)p.Step).ToArray(), points.Select(p => Math.Log10(p.g.Norm)).ToArray(),
                Palette[links.IndexOf(group.Key.Link) % Palette.Length]);
            scatter.LineWidth = 2;
            scatter.LinePattern = Patterns[(group.Key.Round - 1) % Patterns.Length];
            scatter.MarkerSize = points.Length <= 30 ? 5 : 0;
            scatter.LegendText = $"{group.Key.Link}, round {group.Key.Round}";
        }
        LogTicks(plot);
        plot.XLabel("optimizer step (outer stage)");
        if (series.Count == 0)
            Note(plot, "no per-round gradients in this log (outer stage, --diagnose-every > 0)");
        else
            plot.ShowLegend(Edge.Right); // one line per link and round: beside the panel, never over the curves
        return plot;
    }

    /// <summary>Ratio of the largest to the smallest loss above which the loss panel is drawn on a log scale.</summary>
    public const double LogScaleSpan = 20;

    /// <summary>Ticks for values plotted as log10: at whole powers of ten, labelled back in plain numbers, with log minor ticks.</summary>
    static void LogTicks(Plot plot) => plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
    {
        IntegerTicksOnly = true,
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        LabelFormatter = v => Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture),
    };

    static void Note(Plot plot, string text)
    {
        var note = plot.Add.Annotation(text, Alignment.MiddleCenter);
        note.LabelFontSize = 14;
    }
}
