using static TorchSharp.torch;

namespace RecursiveMas.Links;

/// <summary>
/// Imports the official RecursiveMAS link checkpoints, PyTorch <c>.pt</c> files written by
/// <c>torch.save(adapter.state_dict(), path)</c> (usually bfloat16), as float32
/// <see cref="InnerLink"/>s and <see cref="OuterLink"/>s. The dims come from the tensors, every
/// tensor the layout needs is checked for presence and shape, a leading <c>module.</c> is
/// tolerated, and extra tensors are refused (the official loader is <c>strict=True</c> too). The
/// result can be saved in this library's format with <see cref="RecursiveLink.Save"/>.
/// </summary>
/// <remarks>
/// <para>Inner links (<c>adapter.pt</c>, type in <c>adapter_config.json</c>): <c>d</c> is the second
/// dim of <c>proj1.weight</c> (PAPER §2.2: every layout maps d→d). Outer links (<c>outer_12.pt</c>
/// …, types in <c>outer_adapter_config.json</c>): <c>in_dim</c> is the second dim of
/// <c>proj1.weight</c>; <c>out_dim</c> is the length of <c>proj2.bias</c>, as the official code
/// infers it (PAPER §3.2), or of <c>proj1.bias</c> for the one-projection layouts, which have no
/// proj2. Types are the released names or aliases (<see cref="LinkArchitectures.TryParse"/>);
/// <see cref="OfficialLinkConfig"/> reads them from the official config files.</para>
/// <para>Every failure is a <see cref="ModelFileException"/> naming the <c>.pt</c> file and, where
/// there is one, the tensor (or <c>type</c>) at fault, with the expected and actual shape or size.</para>
/// <para><b>What TorchSharp.PyBridge 1.4.4 can and cannot do here (offline, no Python).</b>
/// Its <c>PyTorchUnpickler.UnpickleStateDict</c> reads the zip format that <c>torch.save</c> has
/// written by default since PyTorch 1.6 (<c>FOLDER/data.pkl</c> + <c>FOLDER/data/N</c>, whatever the
/// folder is called, stored or deflated), with float32, float16, bfloat16 (and float64/integer/bool)
/// storages, and returns the tensors in their stored dtype; that covers the official link files.
/// It cannot read:</para>
/// <list type="bullet">
/// <item>the legacy non-zip format (torch &lt; 1.6 or <c>_use_new_zipfile_serialization=False</c>):
/// PyBridge checks for the zip signature and throws <c>NotImplementedException</c> ("saved using the
/// old PyTorch format"); it has no reader for the legacy pickle-plus-raw-storages layout. Such a file
/// is reported as legacy, with the one-line re-save that fixes it;</item>
/// <item>tensors that are views into a larger or shared storage (non-zero storage offset, a storage
/// longer than the tensor, non-contiguous strides, e.g. tied or sliced weights): PyBridge allocates
/// each tensor as its own contiguous block and fails (libtorch's as_strided bounds check, or
/// "Bytes() called on non-contiguous tensor"). <c>state_dict()</c> of the released adapters holds one
/// storage per parameter, so this does not arise for them;</item>
/// <item>whole pickled modules (<c>torch.save(model)</c> rather than its <c>state_dict()</c>) and
/// TorchScript archives (<c>torch.jit.save</c>): only state dicts are supported.</item>
/// </list>
/// <para>It needs nothing online. Its saver (<c>PyTorchPickler.PickleStateDict</c>) writes the same
/// logical format but not torch.save's exact bytes (folder <c>model/</c>, deflated records without
/// torch's 64-byte alignment, a plain dict instead of an OrderedDict with <c>_metadata</c>, no
/// <c>byteorder</c> record); the tests import both its files and files laid out byte for byte as
/// torch.save writes them.</para>
/// </remarks>
public static class PyTorchLinkImport
{
    /// <summary>Imports an official inner link (<c>adapter.pt</c>) for <paramref name="agent"/>.</summary>
    /// <param name="ptPath">The <c>.pt</c> state dict.</param>
    /// <param name="agent">The agent it belongs to (the link's id becomes <c>inner.AGENT</c>).</param>
    /// <param name="type">A released inner type name or alias, e.g. <c>ln_res_adapter</c> or <c>2layer_ln_res</c>.</param>
    /// <param name="expectedDim">The agent's hidden size, when known; a different file size is an error.</param>
    public static InnerLink ImportInner(string ptPath, string agent, string type, int? expectedDim = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(agent);
        var architecture = ParseType(ptPath, type, outer: false, $"inner.{agent}");
        using var state = PyTorchStateDict.Read(ptPath, expectedDim is int known ? MaxFileBytes(known, known) : MaxFileBytesUnknownDims);
        string id = $"inner.{agent}";
        var proj1 = Require(state, "proj1.weight", id, type, rank: 2);
        int dim = checked((int)proj1.shape[1]);
        if (expectedDim is int d && d != dim)
            throw new ModelFileException(ptPath, "proj1.weight",
                $"link {id} ({architecture.ConfigName()}) is for hidden size {dim} (proj1.weight {PyTorchStateDict.FormatShape(proj1.shape)}) but the agent has hidden size {d}");
        var link = new InnerLink(agent, dim, architecture);
        return Fill(link, state);
    }

    /// <summary>Imports an official outer link (e.g. <c>outer_12.pt</c>) for the edge <paramref name="from"/>→<paramref name="to"/>.</summary>
    /// <param name="ptPath">The <c>.pt</c> state dict.</param>
    /// <param name="from">The sending agent.</param>
    /// <param name="to">The receiving agent.</param>
    /// <param name="type">A released outer type name or alias, e.g. <c>outer_ln_res_adapter</c> or <c>2layer_ln_res</c>.</param>
    /// <param name="expectedIn">The sender's hidden size, when known.</param>
    /// <param name="expectedOut">The receiver's hidden size, when known.</param>
    public static OuterLink ImportOuter(string ptPath, string from, string to, string type, int? expectedIn = null, int? expectedOut = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentException.ThrowIfNullOrEmpty(to);
        string id = OuterLink.IdOf(from, to);
        var architecture = ParseType(ptPath, type, outer: true, id);
        using var state = PyTorchStateDict.Read(ptPath, expectedIn is int i && expectedOut is int o ? MaxFileBytes(i, o) : MaxFileBytesUnknownDims);
        var proj1 = Require(state, "proj1.weight", id, type, rank: 2);
        int inDim = checked((int)proj1.shape[1]);
        string outSource = architecture.IsLinear() ? "proj1.bias" : "proj2.bias";
        var outTensor = Require(state, outSource, id, type, rank: 1);
        int outDim = checked((int)outTensor.shape[0]);
        if (expectedIn is int ei && ei != inDim)
            throw new ModelFileException(ptPath, "proj1.weight",
                $"link {id} ({architecture.ConfigName()}) reads hidden states of size {inDim} (proj1.weight {PyTorchStateDict.FormatShape(proj1.shape)}) but its sender has hidden size {ei}");
        if (expectedOut is int eo && eo != outDim)
            throw new ModelFileException(ptPath, outSource,
                $"link {id} ({architecture.ConfigName()}) writes embeddings of size {outDim} ({outSource} {PyTorchStateDict.FormatShape(outTensor.shape)}) but its receiver has hidden size {eo}");
        var link = new OuterLink(from, to, inDim, outDim, architecture);
        return Fill(link, state);
    }

    /// <summary>
    /// The most uncompressed bytes a released link file of these dimensions can hold: every layout has at
    /// most two d×d-sized matrices and a few vectors (bounded here by 3·(in+out)² + 8·(in+out) values), at
    /// most 8 bytes a value, plus 1 MiB for the pickle and zip records.
    /// </summary>
    internal static long MaxFileBytes(int inDim, int outDim)
    {
        long width = (long)inDim + outDim;
        return (3 * width * width + 8 * width) * 8 + (1L << 20);
    }

    /// <summary>
    /// Without expected dimensions nothing says how big a link may be; a file that would not fit in the
    /// memory this process may use is refused from its zip directory instead of exhausting it.
    /// </summary>
    internal static long MaxFileBytesUnknownDims => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    static LinkArchitecture ParseType(string ptPath, string type, bool outer, string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(ptPath);
        if (string.IsNullOrWhiteSpace(type) || !LinkArchitectures.TryParse(type, outer, out var architecture))
            throw new ModelFileException(ptPath, "type",
                $"link {id}: \"{type}\" is not an {(outer ? "outer" : "inner")} link type (known: {string.Join(", ", KnownTypes(outer))})");
        return architecture;
    }

    static IEnumerable<string> KnownTypes(bool outer) =>
        Enum.GetValues<LinkArchitecture>().Where(a => a.IsOuter() == outer).Select(a => a.ConfigName())
            .Concat(["1layer", "1layer_res", "2layer", "2layer_res", "2layer_ln_res"]);

    /// <summary>A tensor the dims are read from: present and of the given rank.</summary>
    static Tensor Require(PyTorchStateDict state, string name, string id, string type, int rank)
    {
        var tensor = state.Find(name)
            ?? throw new ModelFileException(state.SourcePath, name,
                $"link {id} ({type}) needs this tensor; the file has {Listing(state)}");
        if (tensor.Dimensions != rank)
            throw new ModelFileException(state.SourcePath, name,
                $"expected a {rank}-D tensor for link {id} ({type}), got shape {PyTorchStateDict.FormatShape(tensor.shape)}");
        return tensor;
    }

    static string Listing(PyTorchStateDict state) =>
        state.Count == 0 ? "no tensors" : string.Join(", ", state.Names.Select(n => $"'{n}' {PyTorchStateDict.FormatShape(state.Find(n)!.shape)}"));

    /// <summary>Copies every parameter from the state dict (checked for presence, shape and a floating dtype) and refuses extra tensors.</summary>
    static TLink Fill<TLink>(TLink link, PyTorchStateDict state) where TLink : RecursiveLink
    {
        try
        {
            string what = $"link {link.Id} ({link.Architecture.ConfigName()}, {link.InDim}→{link.OutDim})";
            var needed = new HashSet<string>(StringComparer.Ordinal);
            using (no_grad())
            {
                foreach (var (name, parameter) in link.named_parameters())
                {
                    needed.Add(name);
                    var source = state.Find(name)
                        ?? throw new ModelFileException(state.SourcePath, name, $"{what} needs this tensor, shape {PyTorchStateDict.FormatShape(parameter.shape)}; the file has {Listing(state)}");
                    if (!source.shape.AsSpan().SequenceEqual(parameter.shape))
                        throw new ModelFileException(state.SourcePath, name,
                            $"shape mismatch: {what} expects {PyTorchStateDict.FormatShape(parameter.shape)}, the file has {PyTorchStateDict.FormatShape(source.shape)}");
                    if (!source.is_floating_point())
                        throw new ModelFileException(state.SourcePath, name, $"{what} needs floating-point weights, the file stores {source.dtype}");
                    var result = parameter.copy_(source);
                    if (!ReferenceEquals(result, parameter))
                        result.Dispose();
                }
            }
            var extra = state.Names.Where(n => !needed.Contains(n)).ToList();
            if (extra.Count > 0)
                throw new ModelFileException(state.SourcePath, extra[0],
                    $"{what} has no tensor of this name (extra: {string.Join(", ", extra)}); is the type right?");
            return link;
        }
        catch
        {
            link.Dispose();
            throw;
        }
    }
}
