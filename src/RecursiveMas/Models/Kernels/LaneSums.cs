using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// <c>Vector512.Sum</c> of sixteen (or eight) accumulators at once, bit for bit. A kernel that keeps one
/// 16-lane accumulator per output (a dot product over the input in order) finishes each output by summing its
/// lanes; one <c>Vector512.Sum</c> at a time costs about as much as the multiply-adds of a 64-wide head. Its
/// order is a fixed tree — within each 128-bit quarter (a0 + a1) + (a2 + a3), then the quarters' sums
/// (q0 + q1) + (q2 + q3) — and every level of it is a sum of neighbouring pairs, so four levels of
/// "even lanes + odd lanes" over pairs of vectors compute the same sums for sixteen accumulators together:
/// 15 vector additions instead of sixteen reductions, and every output gets the bits it got alone.
/// Where the CPU has AVX2 only, a kernel keeps each 16-lane accumulator as two 256-bit halves, and
/// <see cref="OfHalves"/> sums them in the same tree.
/// </summary>
internal static class LaneSums
{
    /// <summary>Whether the two-vector lane permutation runs here (AVX-512F); callers reduce one by one elsewhere.</summary>
    public static bool Available => Avx512F.IsSupported;

    /// <summary>
    /// <c>Vector512.Sum</c> of the 16 lanes whose lower eight are <paramref name="lower"/> and upper eight
    /// <paramref name="upper"/>, bit for bit (its tree, above): two horizontal additions give the four quarters'
    /// sums [q0, q2, …, q1, q3, …], then (q0 + q1) + (q2 + q3). AVX2; the same on any x64 CPU with AVX.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float OfHalves(Vector256<float> lower, Vector256<float> upper)
    {
        var pairs = Avx.HorizontalAdd(lower, upper);     // [l0+l1, l2+l3, u0+u1, u2+u3 | l4+l5, l6+l7, u4+u5, u6+u7]
        var quarters = Avx.HorizontalAdd(pairs, pairs);  // [q0, q2, q0, q2 | q1, q3, q1, q3]
        var halves = quarters.GetLower() + quarters.GetUpper(); // [q0+q1, q2+q3, …]
        return halves.ToScalar() + halves.GetElement(1);
    }

    // Lane indices of the two-vector permutation (16–31 pick from the second vector), built where they are
    // used: a constant the JIT embeds, where a static field would be a load behind a class-initialization check.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<int> Even() => Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<int> Odd() => Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);

    /// <summary>Neighbouring pairs of a's lanes, then b's: [a0 + a1, a2 + a3, …, a14 + a15, b0 + b1, …, b14 + b15].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Pairs(Vector512<float> a, Vector512<float> b) =>
        Avx512F.PermuteVar16x32x2(a, Even(), b) + Avx512F.PermuteVar16x32x2(a, Odd(), b);

    /// <summary>[Sum(a0), Sum(a1), …, Sum(a15)], each exactly <c>Vector512.Sum</c>'s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of16(
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3,
        Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7,
        Vector512<float> a8, Vector512<float> a9, Vector512<float> a10, Vector512<float> a11,
        Vector512<float> a12, Vector512<float> a13, Vector512<float> a14, Vector512<float> a15)
    {
        // Each level halves the values per accumulator: 8 pair sums, 4 quarter sums, 2 half sums, 1.
        var p01 = Pairs(a0, a1);
        var p23 = Pairs(a2, a3);
        var p45 = Pairs(a4, a5);
        var p67 = Pairs(a6, a7);
        var p89 = Pairs(a8, a9);
        var p1011 = Pairs(a10, a11);
        var p1213 = Pairs(a12, a13);
        var p1415 = Pairs(a14, a15);
        var q0 = Pairs(p01, p23);
        var q4 = Pairs(p45, p67);
        var q8 = Pairs(p89, p1011);
        var q12 = Pairs(p1213, p1415);
        return Pairs(Pairs(q0, q4), Pairs(q8, q12));
    }

    /// <summary>[Sum(a0), …, Sum(a7)] in the lower eight lanes (the upper eight repeat them), each exactly <c>Vector512.Sum</c>'s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of8(
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3,
        Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7)
    {
        var halves = Pairs(Pairs(Pairs(a0, a1), Pairs(a2, a3)), Pairs(Pairs(a4, a5), Pairs(a6, a7)));
        return Pairs(halves, halves);
    }
}
