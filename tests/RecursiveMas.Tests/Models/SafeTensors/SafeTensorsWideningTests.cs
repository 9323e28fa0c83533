using System.Runtime.InteropServices;
using RecursiveMas.Models.SafeTensors;
using TorchSharp;
using static RecursiveMas.Tests.Models.SafeTensors.SafeTensorsTestSupport;

namespace RecursiveMas.Tests.Models.SafeTensors;

/// <summary>
/// Half-precision checkpoints are widened to float32 on load; the widening must be exact, bit for bit,
/// for every class of value. The files are written by hand so the writer is not involved.
/// </summary>
public class SafeTensorsWideningTests
{
    // bfloat16 is the upper half of a float32, so widening is a 16-bit shift.
    static readonly ushort[] Bf16Bits =
    [
        0x3F80, // 1.0
        0xC049, // upper half of 0xC0490FDB (-pi) = -3.140625
        0x0000, // +0
        0x8000, // -0
        0x0001, // smallest subnormal
        0x007F, // largest subnormal
        0x0080, // smallest normal
        0x7F7F, // max finite
        0xFF7F, // -max finite
        0x7F80, // +inf
        0xFF80, // -inf
        0x7FC0, // quiet NaN
        0x3EAB, // ~1/3
    ];

    static readonly (ushort Bits, uint Float32Bits)[] F16Cases =
    [
        (0x3C00, 0x3F800000), // 1.0
        (0x7BFF, 0x477FE000), // 65504, max finite
        (0xFBFF, 0xC77FE000), // -65504
        (0x0001, 0x33800000), // 5.960464477539063e-08, smallest subnormal
        (0x03FF, 0x387FC000), // 6.097555160522461e-05, largest subnormal
        (0x0400, 0x38800000), // 6.103515625e-05, smallest normal
        (0x0000, 0x00000000), // +0
        (0x8000, 0x80000000), // -0
        (0x7C00, 0x7F800000), // +inf
        (0xFC00, 0xFF800000), // -inf
        (0xC000, 0xC0000000), // -2
        (0x3555, 0x3EAAA000), // 0.333251953125
        (0x7E00, 0x7FC00000), // quiet NaN
    ];

    // libtorch converts in SIMD blocks with a scalar loop for the tail; repeating the tables 7 times
    // (91 values) puts every case through both paths.
    const int Repeats = 7;

    static T[] Repeat<T>(IEnumerable<T> values) => Enumerable.Repeat(values, Repeats).SelectMany(v => v).ToArray();

    static string WriteHalfFile(TempDirectory dir)
    {
        ushort[] bf16 = Repeat(Bf16Bits);
        ushort[] f16 = Repeat(F16Cases.Select(c => c.Bits));
        byte[] bf16Bytes = MemoryMarshal.AsBytes(bf16.AsSpan()).ToArray();
        byte[] f16Bytes = MemoryMarshal.AsBytes(f16.AsSpan()).ToArray();
        int bf16End = bf16Bytes.Length;
        int f16End = bf16End + f16Bytes.Length;
        string path = dir.File("half.safetensors");
        WriteRaw(path,
            $$$"""{"bf16":{"dtype":"BF16","shape":[{{{bf16.Length}}}],"data_offsets":[0,{{{bf16End}}}]},"f16":{"dtype":"F16","shape":[{{{f16.Length}}}],"data_offsets":[{{{bf16End}}},{{{f16End}}}]}}""",
            [.. bf16Bytes, .. f16Bytes]);
        return path;
    }

    static uint[] Float32Bits(torch.Tensor t)
    {
        Assert.Equal(torch.ScalarType.Float32, t.dtype);
        return MemoryMarshal.Cast<byte, uint>(Bytes(t)).ToArray();
    }

    [Fact]
    public void Bf16WidensToFloat32BitExact()
    {
        using var dir = new TempDirectory();
        using var file = SafeTensorsFile.Open(WriteHalfFile(dir));
        uint[] expected = Repeat(Bf16Bits.Select(b => (uint)b << 16));
        Assert.Equal(0xC0490000u, expected[1]);
        Assert.Equal(-3.140625f, BitConverter.UInt32BitsToSingle(expected[1]));

        using var loaded = file.Load("bf16", torch.ScalarType.Float32);
        Assert.Equal(expected, Float32Bits(loaded));

        using var parameter = torch.zeros(expected.Length);
        file.LoadInto("bf16", parameter);
        Assert.Equal(expected, Float32Bits(parameter));

        // Stored dtype is kept when none is asked for.
        using var raw = file.Load("bf16");
        Assert.Equal(torch.ScalarType.BFloat16, raw.dtype);
        Assert.Equal(MemoryMarshal.AsBytes(Repeat(Bf16Bits).AsSpan()).ToArray(), Bytes(raw));
    }

    [Fact]
    public void F16WidensToFloat32BitExact()
    {
        using var dir = new TempDirectory();
        using var file = SafeTensorsFile.Open(WriteHalfFile(dir));
        uint[] expected = Repeat(F16Cases.Select(c => c.Float32Bits));
        // The hand-written table agrees with .NET's own exact Half→float conversion.
        Assert.Equal(F16Cases.Select(c => c.Float32Bits), F16Cases.Select(c => BitConverter.SingleToUInt32Bits((float)BitConverter.UInt16BitsToHalf(c.Bits))));
        Assert.Equal(5.960464477539063e-08f, BitConverter.UInt32BitsToSingle(expected[3]));
        Assert.Equal(65504f, BitConverter.UInt32BitsToSingle(expected[1]));

        using var loaded = file.Load("f16", torch.ScalarType.Float32);
        AssertF16Widened(expected, Float32Bits(loaded));

        using var parameter = torch.zeros(expected.Length);
        file.LoadInto("f16", parameter);
        AssertF16Widened(expected, Float32Bits(parameter));
    }

    /// <summary>
    /// Every non-NaN value bit for bit. A NaN only has to stay a NaN: libtorch's scalar F16 path
    /// canonicalises every NaN to 0x7FFFFFFF (dropping sign and payload) while its SIMD path keeps them,
    /// so the payload depends on where in the tensor the value sits.
    /// </summary>
    static void AssertF16Widened(uint[] expected, uint[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float e = BitConverter.UInt32BitsToSingle(expected[i]);
            if (float.IsNaN(e))
            {
                Assert.True(float.IsNaN(BitConverter.UInt32BitsToSingle(actual[i])), $"index {i}: expected NaN, got 0x{actual[i]:X8}");
            }
            else
            {
                Assert.True(expected[i] == actual[i], $"index {i}: expected 0x{expected[i]:X8}, got 0x{actual[i]:X8}");
            }
        }
    }
}
