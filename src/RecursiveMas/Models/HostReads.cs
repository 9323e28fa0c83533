using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// Where the forward pass reads a mask's values on the host (a device sync on a GPU): whether a given
/// mask has padding, and where. Callers skip it when they know the answer (no mask given: every position is real),
/// so a decode or latent step of one position without a mask syncs nothing.
/// </summary>
internal static class HostReads
{
    /// <summary>True when every position of <paramref name="mask"/> is real.</summary>
    public static bool AllReal(Tensor mask) => mask.all().item<bool>();

    /// <summary>
    /// Each row's number of real positions when every row's real positions of <paramref name="real"/> [B, T]
    /// are its last ones (left padding); null when some row has padding after a real position.
    /// </summary>
    public static int[]? RealSuffixLengths(Tensor real)
    {
        int rows = (int)real.size(0), width = (int)real.size(1);
        using var host = real.cpu().to(ScalarType.Bool).contiguous();
        var flags = host.data<bool>().ToArray();
        var lengths = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int first = Array.IndexOf(flags, true, r * width, width);
            int length = first < 0 ? 0 : (r + 1) * width - first;
            if (Array.IndexOf(flags, false, (r + 1) * width - length, length) >= 0)
                return null;
            lengths[r] = length;
        }
        return lengths;
    }
}
