using RecursiveMas.IO;

namespace RecursiveMas.Evaluation;

/// <summary>
/// A bar chart of a <see cref="ComparisonResult"/>'s accuracy as a PNG: one bar per row in table order,
/// rows with the same round count side by side and groups separated by a gap, a black whisker for the
/// 95% interval, light grid lines at 0.25, 0.5, 0.75 and 1. No text is drawn (no font here); the colours
/// are fixed per method and <see cref="Legend"/> states them.
/// </summary>
public static class ComparisonChart
{
    public const int Width = 640, Height = 360;
    const int Margin = 24, BarWidth = 28, BarGap = 6, GroupGap = 28;

    /// <summary>Method → colour, as written into the comparison JSON.</summary>
    public const string Legend = "bars: accuracy per row in table order, groups by round count (single-agent methods first); " +
        "grey = single, brown = sft, orange = text (Recursive-TextMAS), blue = recursive (RecursiveMAS); whiskers = 95% t-interval over seeds; grid at 0.25";

    static (byte R, byte G, byte B) ColorOf(string method) => method switch
    {
        "single" => (128, 128, 128),
        "sft" => (166, 118, 29),
        "text" => (230, 159, 0),
        _ => (0, 114, 178),
    };

    /// <summary>The chart's RGB pixels (<see cref="Width"/> × <see cref="Height"/>).</summary>
    public static byte[] Render(ComparisonResult result)
    {
        var pixels = new byte[Width * Height * 3];
        Array.Fill(pixels, (byte)255);
        int plotTop = Margin, plotBottom = Height - Margin, plotHeight = plotBottom - plotTop;
        int Y(double accuracy) => plotBottom - (int)Math.Round(Math.Clamp(accuracy, 0, 1) * plotHeight);
        for (int q = 1; q <= 4; q++)
            FillRect(pixels, Margin, Y(q / 4.0), Width - Margin, Y(q / 4.0) + 1, (220, 220, 220));
        FillRect(pixels, Margin, plotBottom, Width - Margin, plotBottom + 1, (0, 0, 0));

        int x = Margin + BarGap;
        int? group = null;
        foreach (var row in result.Rows)
        {
            if (group is not null && group != row.Rounds)
                x += GroupGap;
            group = row.Rounds;
            if (x + BarWidth > Width - Margin)
                break; // More rows than fit: the JSON holds them all.
            var accuracy = row.Accuracy;
            FillRect(pixels, x, Y(accuracy.Mean), x + BarWidth, plotBottom, ColorOf(row.Method));
            int mid = x + BarWidth / 2;
            int low = Y(accuracy.Low), high = Y(accuracy.High);
            FillRect(pixels, mid, high, mid + 1, low + 1, (0, 0, 0));
            FillRect(pixels, mid - 5, high, mid + 6, high + 1, (0, 0, 0));
            FillRect(pixels, mid - 5, low, mid + 6, low + 1, (0, 0, 0));
            x += BarWidth + BarGap;
        }
        return pixels;
    }

    /// <summary>Writes the chart as a PNG file.</summary>
    public static void Write(string path, ComparisonResult result) => PngWriter.Write(path, Width, Height, Render(result));

    static void FillRect(byte[] pixels, int x0, int y0, int x1, int y1, (byte R, byte G, byte B) color)
    {
        for (int y = Math.Max(0, y0); y < Math.Min(Height, y1); y++)
            for (int x = Math.Max(0, x0); x < Math.Min(Width, x1); x++)
            {
                int i = (y * Width + x) * 3;
                pixels[i] = color.R;
                pixels[i + 1] = color.G;
                pixels[i + 2] = color.B;
            }
    }
}
