using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// Where the forward pass reads a mask's values on the host (a device sync on a GPU): whether a given
/// mask has padding. Callers skip it when they know the answer (no mask given: every position is real),
/// so a decode or latent step of one position without a mask syncs nothing.
/// </summary>
internal static class HostReads
{
    /// <summary>True when every position of <paramref name="mask"/> is real.</summary>
    public static bool AllReal(Tensor mask) => mask.all().item<bool>();
}
