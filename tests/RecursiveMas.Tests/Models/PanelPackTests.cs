using RecursiveMas.Models.Kernels;

namespace RecursiveMas.Tests.Models;

public unsafe class PanelPackTests
{
    // Inputs a multiple of the 8×8 blocks and not, full panels and the last panel of a width that is
    // not a multiple of 32 (rows past it read as zeros, whole 8-row blocks and part of one).
    [Theory]
    [InlineData(64, 32)]
    [InlineData(13, 32)]
    [InlineData(96, 20)]
    [InlineData(7, 5)]
    [InlineData(40, 8)]
    [InlineData(1, 1)]
    public void LaysOutEveryInputOfEveryOutputByInput(int inputs, int width)
    {
        var random = new Random(inputs * 100 + width);
        var weights = new float[width * inputs];
        for (int i = 0; i < weights.Length; i++)
            weights[i] = (float)random.NextDouble() - 0.5f;
        var panel = new float[inputs * 32];
        Array.Fill(panel, float.NaN);
        fixed (float* w = weights, p = panel)
            PanelGemmKernel.Pack(w, inputs, width, p);
        for (int i = 0; i < inputs; i++)
            for (int c = 0; c < 32; c++)
                Assert.Equal(c < width ? weights[c * inputs + i] : 0f, panel[i * 32 + c]);
    }
}
