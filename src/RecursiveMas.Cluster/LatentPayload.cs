using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Cluster;

/// <summary>
/// A latent message as it crosses silos: the tensor's dtype, shape and raw bytes (row-major, the dtype's own
/// encoding), so the receiver rebuilds exactly the tensor the sender's outer link produced — no dtype
/// conversion, bit for bit. A message of m = 32 vectors of d = 2560 in bfloat16 is 160 KiB of bytes and a
/// few dozen bytes of header. Orleans' generated codec writes it (length-prefixed byte array, varint shape).
/// </summary>
[GenerateSerializer, Immutable]
public sealed class LatentPayload
{
    [Id(0)]
    public required ScalarType DType { get; init; }

    [Id(1)]
    public required long[] Shape { get; init; }

    [Id(2)]
    public required byte[] Bytes { get; init; }

    /// <summary>The payload of <paramref name="tensor"/> (copied to the host; the tensor is not changed).</summary>
    public static LatentPayload From(Tensor tensor)
    {
        using var host = tensor.detach().cpu().contiguous();
        return new LatentPayload { DType = host.dtype, Shape = host.shape, Bytes = host.bytes.ToArray() };
    }

    /// <summary>The tensor again, on <paramref name="device"/>; checks that the bytes fit the dtype and shape.</summary>
    public Tensor ToTensor(Device device)
    {
        if (Shape.Any(s => s < 0))
            throw new InvalidDataException($"latent payload: negative dimension in shape [{string.Join(", ", Shape)}]");
        var tensor = empty(Shape, DType, CPU);
        long expected = tensor.numel() * tensor.element_size();
        if (expected != Bytes.Length)
        {
            tensor.Dispose();
            throw new InvalidDataException($"latent payload: {Bytes.Length} bytes for a {DType} tensor of shape [{string.Join(", ", Shape)}] ({expected} expected)");
        }
        Bytes.CopyTo(tensor.bytes);
        if (device.type == DeviceType.CPU)
            return tensor;
        using (tensor)
            return tensor.to(device);
    }

    public override string ToString() => $"{DType}[{string.Join(", ", Shape)}] ({Bytes.Length} bytes)";
}
