using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// A tensor's sizes and strides, read one dimension at a time. TorchSharp's <c>Tensor.shape</c> fills its
/// array through a native callback and costs ≈ 2 µs a read, <c>stride()</c> ≈ 1.2 µs, where
/// <c>size(i)</c> and <c>stride(i)</c> cost ≈ 0.02 µs (measured on the 2-core machine). A decoder reads
/// shapes a few dozen times per layer per forward, and on the small agents a latent step or a decoded
/// token is mostly such calls, so the forward pass and the kernels read a whole shape here and a single
/// dimension with <c>size(i)</c>.
/// </summary>
internal static class ShapeReads
{
    /// <summary>The sizes of every dimension (what <c>Tensor.shape</c> gives).</summary>
    public static long[] Sizes(this Tensor tensor)
    {
        var sizes = new long[tensor.Dimensions];
        for (int i = 0; i < sizes.Length; i++)
            sizes[i] = tensor.size(i);
        return sizes;
    }

    /// <summary>The stride of every dimension, in elements (what <c>Tensor.stride()</c> gives).</summary>
    public static long[] Strides(this Tensor tensor)
    {
        var strides = new long[tensor.Dimensions];
        for (int i = 0; i < strides.Length; i++)
            strides[i] = tensor.stride(i);
        return strides;
    }
}
