namespace RecursiveMas.Models.SafeTensors;

/// <summary>
/// The element types this library reads and writes in a safetensors file. The member names are
/// exactly the strings the format uses in a header's <c>dtype</c> field.
/// </summary>
/// <remarks>
/// The format defines more (U16, U32, U64, F8_*, C64, ...); they have no TorchSharp counterpart we
/// need, so a file using them is rejected when it is opened rather than misread later.
/// </remarks>
public enum SafeTensorsDType
{
    /// <summary>IEEE 754 binary64.</summary>
    F64,
    /// <summary>IEEE 754 binary32.</summary>
    F32,
    /// <summary>IEEE 754 binary16.</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of a binary32.</summary>
    BF16,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Boolean stored as one byte, 0 or 1.</summary>
    BOOL,
}
