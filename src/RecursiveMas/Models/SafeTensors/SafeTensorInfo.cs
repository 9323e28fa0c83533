namespace RecursiveMas.Models.SafeTensors;

/// <summary>
/// One tensor's header entry in a safetensors file, already validated.
/// </summary>
/// <param name="Name">The tensor's name (the header key).</param>
/// <param name="DType">The stored element type.</param>
/// <param name="Shape">The stored shape; empty for a scalar. Treat as read-only.</param>
/// <param name="Begin">First byte of the tensor's data, relative to the start of the data buffer (not the file).</param>
/// <param name="End">One past the last byte, relative to the start of the data buffer.</param>
public sealed record SafeTensorInfo(string Name, SafeTensorsDType DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar, 0 when any dimension is 0).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long dim in Shape)
            {
                count *= dim;
            }
            return count;
        }
    }

    /// <summary>Size of the tensor's data in bytes (<see cref="End"/> − <see cref="Begin"/>).</summary>
    public long ByteLength => End - Begin;

    /// <summary>The shape as "[a, b]" for messages.</summary>
    public string ShapeText => FormatShape(Shape);

    internal static string FormatShape(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
