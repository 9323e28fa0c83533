using static TorchSharp.torch;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// The address of a CPU tensor's first element (libtorch's <c>data_ptr</c>, storage offset included), views
/// too. TorchSharp's <c>Tensor.bytes</c> span stops at 2 GiB and wants a contiguous tensor; its native
/// library exports <c>THSTensor_data</c>, which takes the handle. Where that export cannot be found the
/// kernels are not used (<see cref="Available"/>).
/// </summary>
internal static unsafe class TensorData
{
    static readonly delegate* unmanaged<IntPtr, void*> DataOf = Resolve();

    public static bool Available => DataOf != null;

    /// <summary>The first element of <paramref name="tensor"/> (a float32 CPU tensor the caller keeps alive).</summary>
    public static float* Floats(Tensor tensor) => (float*)DataOf(tensor.Handle);

    /// <summary>The first element of a bool CPU tensor (one byte each, nonzero = true).</summary>
    public static byte* Bools(Tensor tensor) => (byte*)DataOf(tensor.Handle);

    static delegate* unmanaged<IntPtr, void*> Resolve() =>
        NativeExports.Find(["libLibTorchSharp.so", "libLibTorchSharp.dylib", "LibTorchSharp"], "THSTensor_data") is [var address]
            ? (delegate* unmanaged<IntPtr, void*>)address
            : null;
}
