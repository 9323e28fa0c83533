using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// Tensor arithmetic with numbers whose <see cref="Scalar"/> is alive until libtorch has read it.
/// </summary>
/// <remarks>
/// TorchSharp turns every number passed to an op (<c>x + 1e-6</c>, <c>x * scale</c>, <c>x.pow(2)</c>) into a
/// <see cref="Scalar"/> that only its finalizer frees, and <c>a + b</c> of two tensors passes a hidden Scalar
/// of 1 as alpha. Once the op has read the Scalar's handle nothing refers to the object, so a collection
/// started by another thread can finalize it while libtorch still reads it: the op then fails with
/// <c>Scalar::toDouble</c> "Expected false to be true" (or reads freed memory). One thread collecting in a
/// loop makes <c>x + x</c> fail within a second; CI saw it once in a test running beside others. Every
/// number here lives in a <c>using</c> until the op returns, and alpha is one Scalar that lives as long as
/// the process. Each method calls the op TorchSharp's operator would, with the same value (integers as
/// integer Scalars), so results are bit for bit what the operators gave: <c>rmas zoo --tiny</c>, pre-training
/// and links, wrote the same bytes before and after the library moved to these.
/// </remarks>
internal static class KeptScalars
{
    /// <summary>1, never freed: the alpha of every addition here (pass it where an op takes an alpha).</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>Runs <paramref name="op"/> with <paramref name="scalar"/> and frees it after, not before.</summary>
    static Tensor Holding(Scalar scalar, Func<Scalar, Tensor> op)
    {
        using (scalar)
            return op(scalar);
    }

    /// <summary>a + b.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a += b, in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary>a + value (an integer Scalar: integer tensors stay integer).</summary>
    public static Tensor Plus(this Tensor a, long value) =>
        Holding(value.ToScalar(), scalar => a.add(scalar, One));

    /// <summary>a + value.</summary>
    public static Tensor Plus(this Tensor a, double value) =>
        Holding(value.ToScalar(), scalar => a.add(scalar, One));

    /// <summary>a − value (an integer Scalar).</summary>
    public static Tensor Minus(this Tensor a, long value) =>
        Holding(value.ToScalar(), scalar => a.sub(scalar));

    /// <summary>a − value.</summary>
    public static Tensor Minus(this Tensor a, double value) =>
        Holding(value.ToScalar(), scalar => a.sub(scalar));

    /// <summary>value − a (an integer Scalar): −a + value, as TorchSharp's operator computes it.</summary>
    public static Tensor From(this Tensor a, long value) => Negated(a, value.ToScalar());

    /// <summary>value − a: −a + value, as TorchSharp's operator computes it.</summary>
    public static Tensor From(this Tensor a, double value) => Negated(a, value.ToScalar());

    static Tensor Negated(Tensor a, Scalar value)
    {
        // The temporary is held and freed here too: outside a dispose scope nothing else refers to it.
        using var negated = a.neg();
        return Holding(value, scalar => negated.add(scalar, One));
    }

    /// <summary>a · value.</summary>
    public static Tensor Times(this Tensor a, double value) =>
        Holding(value.ToScalar(), scalar => a.mul(scalar));

    /// <summary>a / value.</summary>
    public static Tensor Over(this Tensor a, double value) =>
        Holding(value.ToScalar(), scalar => a.div(scalar));

    /// <summary>a to an integer power.</summary>
    public static Tensor Power(this Tensor a, long exponent) =>
        Holding(exponent.ToScalar(), scalar => a.pow(scalar));

    /// <summary>a with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public static Tensor Filled(this Tensor a, Tensor mask, double value) =>
        Holding(value.ToScalar(), scalar => a.masked_fill(mask, scalar));

    /// <summary>a with <paramref name="value"/> where <paramref name="mask"/> is true (an integer Scalar).</summary>
    public static Tensor Filled(this Tensor a, Tensor mask, long value) =>
        Holding(value.ToScalar(), scalar => a.masked_fill(mask, scalar));

    /// <summary>max(a, min) element-wise (an integer Scalar).</summary>
    public static Tensor AtLeast(this Tensor a, long min) =>
        Holding(min.ToScalar(), scalar => a.clamp(scalar));

    /// <summary>a ≥ value.</summary>
    public static Tensor AtLeastMask(this Tensor a, long value) =>
        Holding(value.ToScalar(), scalar => a.ge(scalar));

    /// <summary>a > value.</summary>
    public static Tensor AboveMask(this Tensor a, double value) =>
        Holding(value.ToScalar(), scalar => a.gt(scalar));

    /// <summary>A tensor shaped like <paramref name="like"/> filled with <paramref name="value"/> (an integer Scalar).</summary>
    public static Tensor FullLike(Tensor like, long value) =>
        Holding(value.ToScalar(), scalar => full_like(like, scalar));

    static readonly unsafe delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr> SoftplusOp =
        NativeExports.Find(["libLibTorchSharp.so", "libLibTorchSharp.dylib", "LibTorchSharp"], "THSTensor_softplus") is [var address]
            ? (delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr>)address
            : null;

    /// <summary>
    /// softplus(a) = log(1 + exp(β·a)) / β (a where β·a is above the threshold). TorchSharp's own passes β and
    /// the threshold as Scalars it lets go before the op reads them; this calls the same native op with
    /// Scalars held until it returns (TorchSharp's, where the entry point cannot be found).
    /// </summary>
    public static unsafe Tensor Softplus(this Tensor a, double beta = 1, double threshold = 20)
    {
        if (SoftplusOp == null)
            return a.softplus(beta, threshold);
        using var b = beta.ToScalar();
        using var t = threshold.ToScalar();
        var handle = SoftplusOp(a.Handle, HandleOf(b), HandleOf(t));
        GC.KeepAlive(a);
        if (handle == IntPtr.Zero)
            CheckForErrors();
        return Tensor.UnsafeCreateTensor(handle);
    }

    // TorchSharp keeps a Scalar's native handle internal.
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "handle")]
    static extern ref IntPtr HandleOf(Scalar scalar);

    /// <summary>[start, stop) as int64 on <paramref name="device"/>.</summary>
    public static Tensor Range(long start, long stop, Device? device)
    {
        using var first = start.ToScalar();
        using var end = stop.ToScalar();
        return arange(first, end, One, ScalarType.Int64, device);
    }
}
