using System.Globalization;
using System.Text.Json;
using ScottPlot;

namespace RecursiveMas.Charts;

/// <summary>
/// The serving benchmark (<c>rmas bench --suite serving</c>) as two panels against the number of
/// concurrent clients: throughput as a multiple of one client's (systems of very different speeds share
/// the axis; the legend gives one client's questions/s), and latency p50 and p95 on a log scale.
/// </summary>
public static class ServingChart
{
    /// <summary>Size of the written PNG, in pixels.</summary>
    public const int Width = 1400, Height = 600;

    /// <summary>One measured level: a system under some number of clients.</summary>
    /// <summary>One measured level; <see cref="ThroughputVsOneClient"/> is the bench's own ratio (the median of its repeats' ratios), drawn as written.</summary>
    public sealed record Level(string System, int Clients, double QuestionsPerSecond, double P50Ms, double P95Ms, double ThroughputVsOneClient);

    static readonly Color[] Palette = [Color.FromHex("#0072B2"), Color.FromHex("#E69F00"), Color.FromHex("#009E73"), Color.FromHex("#CC79A7")];

    /// <summary>True when <paramref name="root"/> is the JSON the serving suite writes.</summary>
    public static bool IsServingBench(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("suite", out var suite) && suite.ValueKind == JsonValueKind.String && suite.GetString() == "serving";

    /// <summary>The levels of a serving bench JSON; a <see cref="ModelFileException"/> naming the file and field when it is malformed.</summary>
    public static IReadOnlyList<Level> Read(string jsonPath)
    {
        using var document = JsonDocument.Parse(RecursiveMas.IO.Utf8Text.Decode(jsonPath, RecursiveMas.IO.FileBytes.Read(jsonPath, ChartFile.MaxInputBytes)));
        if (!document.RootElement.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Array || rows.GetArrayLength() == 0)
            throw new ModelFileException(jsonPath, "rows", "must be a non-empty array of measured levels");
        var levels = new List<Level>();
        int i = 0;
        foreach (var row in rows.EnumerateArray())
        {
            string at = $"rows[{i++}]";
            string Text(string name) => row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw new ModelFileException(jsonPath, $"{at}.{name}", "must be a string");
            double Number(string name) => row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.GetDouble() is var d && double.IsFinite(d) && d >= 0
                ? d : throw new ModelFileException(jsonPath, $"{at}.{name}", "must be a finite number ≥ 0");
            levels.Add(new Level(Text("system"), (int)Number("clients"), Number("questions_per_second"), Number("p50_ms"), Number("p95_ms"),
                Number("throughput_vs_one_client")));
        }
        return levels;
    }

    /// <summary>Reads <paramref name="jsonPath"/> and writes its chart to <paramref name="pngPath"/>.</summary>
    public static void WriteFromFile(string jsonPath, string pngPath) => Write(Read(jsonPath), pngPath);

    /// <summary>Writes the chart of <paramref name="levels"/> as a PNG of <see cref="Width"/> × <see cref="Height"/>.</summary>
    public static void Write(IReadOnlyList<Level> levels, string pngPath) => ChartFile.SavePng(Build(levels), pngPath, Width, Height);

    /// <summary>Ticks at 1, 2 and 5 × 10^k milliseconds covering [low, high], placed at their log10.</summary>
    static Tick[] LogTicks(double low, double high)
    {
        var ticks = new List<Tick>();
        for (int k = (int)Math.Floor(Math.Log10(Math.Max(low, 1e-3))); k <= (int)Math.Ceiling(Math.Log10(Math.Max(high, 1e-3))); k++)
            foreach (double m in new[] { 1.0, 2.0, 5.0 })
            {
                double v = m * Math.Pow(10, k);
                if (v >= low / 2 && v <= high * 2)
                    ticks.Add(new Tick(Math.Log10(v), v.ToString("0.###", CultureInfo.InvariantCulture)));
            }
        return [.. ticks];
    }

    /// <summary>The figure: panel 0 throughput relative to one client, panel 1 latency p50/p95 (log scale).</summary>
    public static Multiplot Build(IReadOnlyList<Level> levels)
    {
        if (levels.Count == 0)
            throw new ArgumentException("no measured levels", nameof(levels));
        var systems = levels.Select(l => l.System).Distinct().ToList();
        var clients = levels.Select(l => l.Clients).Distinct().Order().ToArray();

        var throughput = ChartFile.NewPlot();
        throughput.Title("rmas serve under load: throughput against one client", size: 15);
        throughput.YLabel("questions per second ÷ one client's");
        var latency = ChartFile.NewPlot();
        latency.Title("latency of a question (send → whole answer), log scale", size: 15);
        latency.YLabel("milliseconds");
        latency.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(LogTicks(
            levels.Min(l => Math.Min(l.P50Ms, l.P95Ms)), levels.Max(l => Math.Max(l.P50Ms, l.P95Ms))));

        foreach (var (system, i) in systems.Select((s, i) => (s, i)))
        {
            var points = levels.Where(l => l.System == system).OrderBy(l => l.Clients).ToArray();
            var color = Palette[i % Palette.Length];
            double one = points.FirstOrDefault(p => p.Clients == 1)?.QuestionsPerSecond ?? points[0].QuestionsPerSecond;
            double[] x = [.. points.Select(p => Math.Log2(p.Clients))];
            var gain = throughput.Add.Scatter(x, [.. points.Select(p => p.ThroughputVsOneClient)], color);
            gain.LegendText = $"{system} (one client: {one.ToString("0.##", CultureInfo.InvariantCulture)} questions/s)";
            gain.LineWidth = 2;
            gain.MarkerSize = 8;
            var p50 = latency.Add.Scatter(x, [.. points.Select(p => Math.Log10(Math.Max(p.P50Ms, 1e-3)))], color);
            p50.LegendText = $"{system} p50";
            p50.LineWidth = 2;
            p50.MarkerSize = 8;
            var p95 = latency.Add.Scatter(x, [.. points.Select(p => Math.Log10(Math.Max(p.P95Ms, 1e-3)))], color);
            p95.LegendText = $"{system} p95";
            p95.LineWidth = 2;
            p95.LinePattern = LinePattern.Dashed;
            p95.MarkerSize = 8;
        }
        var ideal = throughput.Add.Scatter(clients.Select(c => Math.Log2(c)).ToArray(), clients.Select(c => (double)c).ToArray(), Colors.Gray);
        ideal.LegendText = "perfect scaling (×clients)";
        ideal.LinePattern = LinePattern.Dotted;
        ideal.MarkerSize = 0;

        var ticks = clients.Select(c => new Tick(Math.Log2(c), c.ToString(CultureInfo.InvariantCulture))).ToArray();
        foreach (var plot in new[] { throughput, latency })
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
            plot.XLabel("concurrent clients");
            plot.ShowLegend(Alignment.UpperLeft);
        }
        var figure = new Multiplot();
        figure.Reset(throughput);
        figure.AddPlot(latency);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        return figure;
    }
}
