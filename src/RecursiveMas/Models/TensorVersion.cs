using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// A tensor's version counter (PyTorch's <c>tensor._version</c>): every in-place write (optimizer
/// steps, <c>copy_</c> when loading, <c>normal_</c>…) bumps it, so a cache keyed on the versions of
/// the tensors it was computed from can never be stale. TorchSharp does not expose it; libtorch exports
/// the <c>aten::_version</c> operator, whose C++ entry point takes the <c>at::Tensor*</c> that is a
/// TorchSharp tensor's handle. Where that symbol cannot be found (another platform's name mangling),
/// <see cref="Of"/> returns null and callers must not cache.
/// </summary>
internal static unsafe class TensorVersion
{
    // int64_t at::_ops::_version::call(const at::Tensor&), Itanium C++ ABI (Linux, macOS).
    const string Symbol = "_ZN2at4_ops8_version4callERKNS_6TensorE";

    static readonly delegate* unmanaged<IntPtr, long> Call = Resolve();

    /// <summary>Whether versions can be read on this platform.</summary>
    public static bool Available => Call != null;

    /// <summary>The version of <paramref name="tensor"/>, or null where versions cannot be read.</summary>
    public static long? Of(Tensor tensor) => Call == null ? null : Call(tensor.Handle);

    static delegate* unmanaged<IntPtr, long> Resolve() =>
        NativeExports.Find(["libtorch_cpu.so", "libtorch_cpu.dylib"], Symbol) is [var address]
            ? (delegate* unmanaged<IntPtr, long>)address
            : null;
}
