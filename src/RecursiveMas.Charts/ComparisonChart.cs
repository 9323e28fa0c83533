using System.Globalization;
using RecursiveMas.Evaluation;
using ScottPlot;

namespace RecursiveMas.Charts;

/// <summary>
/// The chart of a method comparison (<c>rmas eval</c>'s comparison.json): two panels side by side,
/// accuracy and generated tokens per question, one bar per row in table order (rows with the same
/// round count grouped), categories labelled with the method and n, whiskers for the 95% t-interval
/// over seeds, colours by method with a legend, and a title naming the system, task and seeds.
/// </summary>
public static class ComparisonChart
{
    /// <summary>Size of the written PNG, in pixels.</summary>
    public const int Width = 2000, Height = 640;

    /// <summary>Method → (colour, legend text), in legend order. Unknown methods are drawn in grey-blue.</summary>
    static readonly (string Method, Color Color, string Name)[] Methods =
    [
        ("single", Color.FromHex("#8C8C8C"), "single agent"),
        ("sft", Color.FromHex("#A6761D"), "single agent, fine-tuned (SFT)"),
        ("lora", Color.FromHex("#CC79A7"), "single agent, LoRA adapter"),
        ("text", Color.FromHex("#E69F00"), "Recursive-TextMAS (text messages)"),
        ("recursive", Color.FromHex("#0072B2"), "RecursiveMAS (latent messages)"),
    ];

    static Color ColorOf(string method) => Methods.FirstOrDefault(m => m.Method == method).Color is var c && c != default ? c : Color.FromHex("#5F7F9F");

    /// <summary>Reads <paramref name="jsonPath"/> (comparison.json) and writes its chart to <paramref name="pngPath"/>.</summary>
    public static void WriteFromFile(string jsonPath, string pngPath) => Write(ComparisonResult.Load(jsonPath), pngPath);

    /// <summary>Writes the chart of <paramref name="result"/> as a PNG of <see cref="Width"/> × <see cref="Height"/>.</summary>
    public static void Write(ComparisonResult result, string pngPath) => ChartFile.SavePng(Build(result), pngPath, Width, Height);

    /// <summary>The chart's figure: panel 0 accuracy, panel 1 generated tokens per question, panel 2 the legend.</summary>
    public static Multiplot Build(ComparisonResult result)
    {
        var seeds = result.Seeds;
        string seedText = seeds.Count == 1 ? $"seed {seeds[0]}" : $"{seeds.Count} seeds ({string.Join(", ", seeds)})";
        string run = $"{result.System} on {TaskName(result.Data)}, {result.Questions} questions, {seedText}";
        var accuracy = Panel(result, r => r.Accuracy, percent: true);
        accuracy.Title($"Accuracy\n{run}", size: 15);
        accuracy.YLabel("accuracy (strict answer check)");
        accuracy.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(0.1) { LabelFormatter = ChartFile.Percent };
        accuracy.Axes.SetLimitsY(0, Math.Max(1.0, result.Rows.Max(r => r.Accuracy.High)) * 1.06);
        var tokens = Panel(result, r => r.TokensPerQuestion, percent: false);
        tokens.Title("Generated tokens per question\n(the same runs)", size: 15);
        tokens.YLabel("generated tokens per question (all agents)");
        tokens.Axes.SetLimitsY(0, result.Rows.Max(r => r.TokensPerQuestion.High) * 1.12);

        var legendItems = Methods.Where(m => result.Rows.Any(r => r.Method == m.Method))
            .Select(m => new LegendItem { LabelText = m.Name, FillColor = m.Color })
            .Concat(result.Rows.Select(r => r.Method).Distinct().Where(m => Methods.All(known => known.Method != m))
                .Select(m => new LegendItem { LabelText = m, FillColor = ColorOf(m) }))
            .Append(new LegendItem { LabelText = "whiskers: 95% t-interval\nover seeds", LineColor = Colors.Black, LineWidth = 2 })
            .ToList();
        // The legend gets its own panel right of both, so no bar can hide it and both panels keep their width.
        var legend = ChartFile.NewPlot();
        legend.HideAxesAndGrid();
        legend.Layout.Frameless();
        legend.ShowLegend(legendItems, Alignment.MiddleLeft);
        legend.Legend.FontSize = 13;

        var figure = new Multiplot();
        figure.Reset(accuracy);
        figure.AddPlot(tokens);
        figure.AddPlot(legend);
        var layout = new ScottPlot.MultiplotLayouts.CustomGrid();
        layout.Set(accuracy, new GridCell(0, 0, 1, 12, 1, 5));
        layout.Set(tokens, new GridCell(0, 5, 1, 12, 1, 5));
        layout.Set(legend, new GridCell(0, 10, 1, 12, 1, 2));
        figure.Layout = layout;
        return figure;
    }

    /// <summary>"arithmetic/test.jsonl" from ".../data/arithmetic/test.jsonl": the task folder and split file.</summary>
    public static string TaskName(string dataPath)
    {
        string file = Path.GetFileName(dataPath);
        string? folder = Path.GetFileName(Path.GetDirectoryName(dataPath));
        return string.IsNullOrEmpty(folder) ? file : $"{folder}/{file}";
    }

    /// <summary>Bar x positions: one unit per bar, an extra half unit between round-count groups.</summary>
    internal static IReadOnlyList<double> Positions(IReadOnlyList<ComparisonRow> rows)
    {
        var positions = new List<double>();
        double x = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            if (i > 0)
                x += rows[i].Rounds != rows[i - 1].Rounds ? 1.5 : 1;
            positions.Add(x);
        }
        return positions;
    }

    static Plot Panel(ComparisonResult result, Func<ComparisonRow, ConfidenceInterval> value, bool percent)
    {
        var plot = ChartFile.NewPlot();
        var positions = Positions(result.Rows);
        var bars = result.Rows.Select((row, i) =>
        {
            var ci = value(row);
            return new Bar
            {
                Position = positions[i],
                Value = ci.Mean,
                Error = ci.HalfWidth,
                FillColor = ColorOf(row.Method),
                LineWidth = 1.5f, // the whiskers
                LineColor = Colors.Black,
                ErrorSize = 0.3,
                Size = 0.8,
                Label = percent ? ChartFile.Percent(ci.Mean) : ci.Mean.ToString("F0", CultureInfo.InvariantCulture),
                // Above the bar (and its whisker's base): a label inside a narrow bar is cut by its edges.
                CenterLabel = false,
            };
        }).ToArray();
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;
        barPlot.ValueLabelStyle.ForeColor = Colors.Black;
        barPlot.ValueLabelStyle.Bold = true;
        plot.Axes.Bottom.SetTicks([.. positions], [.. result.Rows.Select(CategoryLabel)]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        // Thirteen categories (every agent alone, four methods at three n) share an 800-pixel panel: smaller labels.
        plot.Axes.Bottom.TickLabelStyle.FontSize = result.Rows.Count > 8 ? 11 : 13;
        plot.XLabel("method and rounds n (a single agent has no rounds)");
        plot.Axes.SetLimitsX(-0.7, positions[^1] + 0.7);
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        return plot;
    }

    /// <summary>
    /// The category under a bar: the method, and n for multi-agent methods ("recursive\nn=2"); an agent alone
    /// on two lines ("critic\nalone") so neighbouring labels do not run into each other.
    /// </summary>
    public static string CategoryLabel(ComparisonRow row) =>
        row.Method.StartsWith(ComparisonOptions.AlonePrefix, StringComparison.Ordinal) ? $"{row.Method[ComparisonOptions.AlonePrefix.Length..]}\nalone"
        : row.Rounds == 0 ? row.Method : $"{row.Method}\nn={row.Rounds}";
}
