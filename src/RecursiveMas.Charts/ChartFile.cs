using System.Text.Json;
using ScottPlot;

namespace RecursiveMas.Charts;

/// <summary>
/// Draws a chart from a file RecursiveMas wrote — <c>rmas eval</c>'s comparison.json, a training
/// run's train-log.jsonl or <c>rmas bench --suite serving</c>'s JSON — recognised by its content, not its
/// name. What <c>rmas plot</c> calls.
/// </summary>
public static class ChartFile
{
    /// <summary>The largest file a chart is drawn from (a training log of a million steps is ≈ 200 MB).</summary>
    public const long MaxInputBytes = 256L << 20;

    /// <summary>The kinds of file a chart can be drawn from.</summary>
    public enum Kind { Comparison, TrainingLog, Serving }

    /// <summary>
    /// Writes the chart of <paramref name="inputPath"/> to <paramref name="pngPath"/> (default: the input
    /// with the extension .png) and returns the path written. Malformed input is a
    /// <see cref="ModelFileException"/> naming the file and the line or field.
    /// </summary>
    public static string Plot(string inputPath, string? pngPath = null)
    {
        string output = pngPath ?? Path.ChangeExtension(inputPath, ".png");
        if (string.Equals(Path.GetFullPath(output), Path.GetFullPath(inputPath), StringComparison.Ordinal))
            throw new ArgumentException($"the chart of {inputPath} would be written over it: give another output path");
        try
        {
            switch (Detect(inputPath))
            {
                case Kind.Comparison:
                    ComparisonChart.WriteFromFile(inputPath, output);
                    break;
                case Kind.Serving:
                    ServingChart.WriteFromFile(inputPath, output);
                    break;
                default:
                    TrainingChart.WriteFromFile(inputPath, output);
                    break;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // A value of the wrong type or size for its field (JsonElement's accessors), or values whose range the
            // chart's axes cannot hold (ScottPlot's autoscaler, at ±1e308): the file, not the program, is wrong.
            throw new ModelFileException(inputPath, null, $"cannot be charted: {e.Message}", e);
        }
        return output;
    }

    /// <summary>The serving bench's JSON says its suite; a comparison is one JSON object with "rows"; anything else is read as a training log (JSONL).</summary>
    public static Kind Detect(string inputPath)
    {
        if (!File.Exists(inputPath))
            throw new ModelFileException(inputPath, null, "file not found");
        string text = RecursiveMas.IO.Utf8Text.Decode(inputPath, RecursiveMas.IO.FileBytes.Read(inputPath, MaxInputBytes));
        try
        {
            using var document = JsonDocument.Parse(text);
            return ServingChart.IsServingBench(document.RootElement) ? Kind.Serving
                : document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("rows", out _) ? Kind.Comparison
                : Kind.TrainingLog;
        }
        catch (JsonException)
        {
            return Kind.TrainingLog; // several JSON lines (or a broken file: the log reader names the line)
        }
    }

    /// <summary>Sans-serif families tried in order; the first the system has draws every chart's text.</summary>
    static readonly string[] SansFamilies = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica"];

    /// <summary>A plot in the charts' common style (a sans-serif font the system has).</summary>
    internal static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(FontFamily);
        return plot;
    }

    /// <summary>
    /// The family the charts use. ScottPlot's own pick can land on a serif face, so a sans family is
    /// chosen here; a system without any font would draw charts without a word, so that is an error.
    /// </summary>
    public static string FontFamily
    {
        get
        {
            var families = SkiaSharp.SKFontManager.Default.GetFontFamilies();
            if (families.Length == 0)
                throw new InvalidOperationException("no fonts found, so a chart would have no text; install a font package (Debian: fonts-dejavu-core)");
            return SansFamilies.FirstOrDefault(families.Contains) ?? Fonts.Default;
        }
    }

    /// <summary>0.36 → "36%".</summary>
    internal static string Percent(double fraction) =>
        (fraction * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "%";

    /// <summary>Renders <paramref name="figure"/> and writes it as a PNG (through <see cref="RecursiveMas.IO.AtomicFile"/>).</summary>
    internal static void SavePng(Multiplot figure, string pngPath, int width, int height)
    {
        var bytes = figure.Render(width, height).GetImageBytes(ImageFormat.Png);
        RecursiveMas.IO.AtomicFile.WriteAllBytes(pngPath, bytes);
    }
}
