using System.Runtime.Intrinsics;
using RecursiveMas.Models.Kernels;

namespace RecursiveMas.Tests.Models;

/// <summary><see cref="LaneSums"/> against <c>Vector512.Sum</c> one accumulator at a time, bit for bit.</summary>
public class LaneSumsTests
{
    /// <summary>
    /// Lanes whose magnitudes span 2^±24 with either sign, so that any other grouping of the sixteen
    /// additions rounds differently for most vectors (checked below: a left-to-right sum differs in most).
    /// </summary>
    static Vector512<float>[] Accumulators(Random random, int count)
    {
        var vectors = new Vector512<float>[count];
        var lanes = new float[16];
        for (int v = 0; v < count; v++)
        {
            for (int i = 0; i < 16; i++)
                lanes[i] = (float)((random.NextDouble() + 0.5) * Math.Pow(2, random.Next(-24, 25)) * (random.Next(2) == 0 ? -1 : 1));
            vectors[v] = Vector512.Create(lanes);
        }
        return vectors;
    }

    [Fact]
    public void SixteenAtOnceEqualEachSum()
    {
        if (!LaneSums.Available)
            return; // no AVX-512F: the kernels reduce one accumulator at a time, nothing to compare
        var random = new Random(11);
        int differentInOrder = 0;
        for (int trial = 0; trial < 20_000; trial++)
        {
            var a = Accumulators(random, 16);
            var sums = LaneSums.Of16(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
            for (int i = 0; i < 16; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(Vector512.Sum(a[i])), BitConverter.SingleToInt32Bits(sums[i]));
                float inOrder = 0;
                for (int lane = 0; lane < 16; lane++)
                    inOrder += a[i][lane];
                differentInOrder += inOrder != sums[i] ? 1 : 0;
            }
        }
        // The data tells groupings apart: a sum in lane order differs from the tree's for most accumulators.
        Assert.True(differentInOrder > 20_000 * 16 / 2, $"only {differentInOrder} of {20_000 * 16} lane-order sums differed");
    }

    // The tree itself, written out: within each quarter (a0 + a1) + (a2 + a3), then (q0 + q1) + (q2 + q3).
    static float Tree(Vector512<float> a)
    {
        float Quarter(int i) => (a[i] + a[i + 1]) + (a[i + 2] + a[i + 3]);
        return (Quarter(0) + Quarter(4)) + (Quarter(8) + Quarter(12));
    }

    // The AVX2 kernels' sum of a 16-lane accumulator kept as two halves: Vector512.Sum's bits on any CPU —
    // checked against the tree written out everywhere, and against Vector512.Sum itself (AVX-512's
    // instruction where there is one, the runtime's two halves elsewhere).
    [Fact]
    public void HalvesSumAsVector512Sums()
    {
        if (!System.Runtime.Intrinsics.X86.Avx.IsSupported)
            return; // not x64 with AVX: the kernels do not run
        var random = new Random(13);
        int differentInOrder = 0;
        foreach (var a in Accumulators(random, 50_000))
        {
            float halves = LaneSums.OfHalves(a.GetLower(), a.GetUpper());
            Assert.Equal(BitConverter.SingleToInt32Bits(Tree(a)), BitConverter.SingleToInt32Bits(halves));
            Assert.Equal(BitConverter.SingleToInt32Bits(Vector512.Sum(a)), BitConverter.SingleToInt32Bits(halves));
            float inOrder = 0;
            for (int lane = 0; lane < 16; lane++)
                inOrder += a[lane];
            differentInOrder += inOrder != halves ? 1 : 0;
        }
        Assert.True(differentInOrder > 50_000 / 2, $"only {differentInOrder} of 50,000 lane-order sums differed");
    }

    [Fact]
    public void EightAtOnceEqualEachSum()
    {
        if (!LaneSums.Available)
            return; // no AVX-512F: the kernels reduce one accumulator at a time, nothing to compare
        var random = new Random(12);
        for (int trial = 0; trial < 20_000; trial++)
        {
            var a = Accumulators(random, 8);
            var sums = LaneSums.Of8(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
            for (int i = 0; i < 8; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(Vector512.Sum(a[i])), BitConverter.SingleToInt32Bits(sums[i]));
        }
    }
}
