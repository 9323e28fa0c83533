using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using RecursiveMas.Evaluation;
using RecursiveMas.IO;

namespace RecursiveMas.Tests.Evaluation;

public sealed class ComparisonOutputTests
{
    [Fact]
    public void Crc32MatchesTheStandardCheckValue() =>
        Assert.Equal(0xCBF43926u, PngWriter.Crc32(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void PngHasValidChunksAndInflatesToThePixels()
    {
        const int w = 5, h = 3;
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.Length; i++)
            rgb[i] = (byte)(i * 7);
        var png = PngWriter.Encode(w, h, rgb);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var chunks = ReadChunks(png);
        Assert.Equal(["IHDR", "IDAT", "IEND"], chunks.Select(c => c.Type));
        var ihdr = chunks[0].Data;
        Assert.Equal(w, BinaryPrimitives.ReadInt32BigEndian(ihdr));
        Assert.Equal(h, BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4)));
        Assert.Equal(new byte[] { 8, 2, 0, 0, 0 }, ihdr[8..]);
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress))
            zlib.CopyTo(inflated);
        var raw = inflated.ToArray();
        Assert.Equal(h * (1 + w * 3), raw.Length);
        for (int y = 0; y < h; y++)
        {
            Assert.Equal(0, raw[y * (1 + w * 3)]);
            Assert.Equal(rgb.AsSpan(y * w * 3, w * 3).ToArray(), raw.AsSpan(y * (1 + w * 3) + 1, w * 3).ToArray());
        }
        Assert.Throws<ArgumentException>(() => PngWriter.Encode(w, h, rgb.AsSpan(1)));
    }

    static List<(string Type, byte[] Data)> ReadChunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        int at = 8;
        while (at < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length).ToArray();
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            Assert.Equal(PngWriter.Crc32(png.AsSpan(at + 4, 4 + length)), crc);
            chunks.Add((type, data));
            at += 12 + length;
        }
        return chunks;
    }

    [Fact]
    public void TIntervalsUseStudentQuantiles()
    {
        var ci = ConfidenceInterval.Of([1.0, 2.0, 3.0]);
        Assert.Equal(2.0, ci.Mean, 12);
        Assert.Equal(4.303 / Math.Sqrt(3), ci.HalfWidth, 9);
        Assert.Equal(0, ConfidenceInterval.Of([0.5]).HalfWidth);
        Assert.Equal(0, ConfidenceInterval.Of([0.5, 0.5, 0.5]).HalfWidth);
        Assert.Equal(12.706, ConfidenceInterval.TQuantile(1));
        Assert.Equal(1.96, ConfidenceInterval.TQuantile(100));
    }

    [Fact]
    public void TheChartDrawsOneColouredBarPerRowWithHeightsFromAccuracy()
    {
        var result = new ComparisonResult("S", "d", 4, 0,
        [
            new ComparisonRow("single", 0, [new SeedRun(1, 4, 1, 10, 0.1)]),
            new ComparisonRow("text", 1, [new SeedRun(1, 4, 2, 10, 0.1)]),
            new ComparisonRow("recursive", 1, [new SeedRun(1, 4, 4, 10, 0.1)]),
        ]);
        var pixels = ComparisonChart.Render(result);
        int Height(byte r, byte g, byte b)
        {
            // Tallest column of this colour.
            int best = 0;
            for (int x = 0; x < ComparisonChart.Width; x++)
            {
                int count = 0;
                for (int y = 0; y < ComparisonChart.Height; y++)
                {
                    int i = (y * ComparisonChart.Width + x) * 3;
                    if (pixels[i] == r && pixels[i + 1] == g && pixels[i + 2] == b)
                        count++;
                }
                best = Math.Max(best, count);
            }
            return best;
        }
        int single = Height(128, 128, 128), text = Height(230, 159, 0), recursive = Height(0, 114, 178);
        Assert.InRange(single, 70, 90);      // 25% of a 312-pixel plot
        Assert.InRange(text, 150, 160);      // 50%
        Assert.InRange(recursive, 305, 312); // 100%
    }
}
