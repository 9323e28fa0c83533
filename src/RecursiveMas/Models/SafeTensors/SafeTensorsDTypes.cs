using TorchSharp;

namespace RecursiveMas.Models.SafeTensors;

/// <summary>
/// Conversions between <see cref="SafeTensorsDType"/>, the header's <c>dtype</c> strings,
/// <see cref="torch.ScalarType"/> and element sizes.
/// </summary>
public static class SafeTensorsDTypes
{
    /// <summary>Every supported dtype, in the order the format's documentation lists them.</summary>
    public static IReadOnlyList<SafeTensorsDType> All { get; } =
    [
        SafeTensorsDType.F64, SafeTensorsDType.F32, SafeTensorsDType.F16, SafeTensorsDType.BF16,
        SafeTensorsDType.I64, SafeTensorsDType.I32, SafeTensorsDType.I16, SafeTensorsDType.I8,
        SafeTensorsDType.U8, SafeTensorsDType.BOOL,
    ];

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 => 2,
        SafeTensorsDType.I8 or SafeTensorsDType.U8 or SafeTensorsDType.BOOL => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype."),
    };

    /// <summary>The TorchSharp element type with the same bit layout.</summary>
    public static torch.ScalarType ToScalarType(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 => torch.ScalarType.Float64,
        SafeTensorsDType.F32 => torch.ScalarType.Float32,
        SafeTensorsDType.F16 => torch.ScalarType.Float16,
        SafeTensorsDType.BF16 => torch.ScalarType.BFloat16,
        SafeTensorsDType.I64 => torch.ScalarType.Int64,
        SafeTensorsDType.I32 => torch.ScalarType.Int32,
        SafeTensorsDType.I16 => torch.ScalarType.Int16,
        SafeTensorsDType.I8 => torch.ScalarType.Int8,
        SafeTensorsDType.U8 => torch.ScalarType.Byte,
        SafeTensorsDType.BOOL => torch.ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype."),
    };

    /// <summary>The safetensors dtype for a TorchSharp element type, or false when the format (as supported here) has none.</summary>
    public static bool TryFromScalarType(torch.ScalarType type, out SafeTensorsDType dtype)
    {
        (bool ok, dtype) = type switch
        {
            torch.ScalarType.Float64 => (true, SafeTensorsDType.F64),
            torch.ScalarType.Float32 => (true, SafeTensorsDType.F32),
            torch.ScalarType.Float16 => (true, SafeTensorsDType.F16),
            torch.ScalarType.BFloat16 => (true, SafeTensorsDType.BF16),
            torch.ScalarType.Int64 => (true, SafeTensorsDType.I64),
            torch.ScalarType.Int32 => (true, SafeTensorsDType.I32),
            torch.ScalarType.Int16 => (true, SafeTensorsDType.I16),
            torch.ScalarType.Int8 => (true, SafeTensorsDType.I8),
            torch.ScalarType.Byte => (true, SafeTensorsDType.U8),
            torch.ScalarType.Bool => (true, SafeTensorsDType.BOOL),
            _ => (false, default),
        };
        return ok;
    }

    /// <summary>The safetensors dtype for a TorchSharp element type.</summary>
    /// <exception cref="ArgumentException">The type (complex, quantized, ...) cannot be stored.</exception>
    public static SafeTensorsDType FromScalarType(torch.ScalarType type) =>
        TryFromScalarType(type, out var dtype)
            ? dtype
            : throw new ArgumentException($"Tensors of type {type} cannot be stored in a safetensors file; supported: {SupportedList}.", nameof(type));

    /// <summary>The header string for a dtype (e.g. "BF16").</summary>
    public static string ToHeaderName(this SafeTensorsDType dtype) =>
        ((int)dtype >= 0 && (int)dtype < All.Count)
            ? dtype.ToString()
            : throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype.");

    /// <summary>
    /// Parses a header <c>dtype</c> string. Exact and case-sensitive like the format itself;
    /// unlike <see cref="Enum.TryParse{TEnum}(string, out TEnum)"/> it rejects numbers such as "1".
    /// </summary>
    public static bool TryParseHeaderName(string? name, out SafeTensorsDType dtype)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToString(), name, StringComparison.Ordinal))
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    /// <summary>Whether the dtype holds real numbers (F64, F32, F16, BF16) rather than integers or booleans.</summary>
    public static bool IsFloatingPoint(this SafeTensorsDType dtype) =>
        dtype is SafeTensorsDType.F64 or SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16;

    /// <summary>"F64, F32, ..." for error messages.</summary>
    internal static string SupportedList => string.Join(", ", All);
}
