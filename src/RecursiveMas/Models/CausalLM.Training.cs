using RecursiveMas.Models.Blocks;
using TorchSharp.Modules;

namespace RecursiveMas.Models;

public sealed partial class CausalLM
{
    /// <summary>
    /// The tensors that hold this model's weights, each exactly once, named by checkpoint key — except
    /// the fused q/k/v, gate/up and DeltaNet input matrices, named <c>….self_attn.qkv.weight</c> / <c>….mlp.gate_up.weight</c> /
    /// <c>….linear_attn.in_proj.weight</c>
    /// (and <c>.bias</c>), which replace their checkpoint-named views. This is what training optimises:
    /// forward reads the fused storage, so gradients land there and never on the <c>q_proj</c>/<c>gate_proj</c>
    /// views; the views alias the storage, so <see cref="SavePretrained"/> writes the trained values.
    /// </summary>
    public IReadOnlyList<(string Name, Parameter Tensor)> WeightStorage()
    {
        var fused = new List<(string Name, FusedProjection Projection)>();
        foreach (var (name, module) in named_modules())
        {
            if (module is DecoderAttention attention)
                fused.Add((name + ".qkv", attention.QueryKeyValue));
            else if (module is GatedMlp mlp)
                fused.Add((name + ".gate_up", mlp.GateUp));
            else if (module is GatedDeltaNet delta)
                fused.Add((name + ".in_proj", delta.InputProjections));
        }
        var views = fused.SelectMany(f => f.Projection.Parts).SelectMany(p => p.parameters()).Select(p => p.Handle).ToHashSet();
        var storage = named_parameters().Where(p => !views.Contains(p.parameter.Handle)).Select(p => (p.name, p.parameter)).ToList();
        foreach (var (name, projection) in fused)
        {
            storage.Add((name + ".weight", projection.Storage[0]));
            if (projection.Storage.Count > 1)
                storage.Add((name + ".bias", projection.Storage[1]));
        }
        return storage;
    }

    /// <summary>
    /// Makes every weight tensor of <see cref="WeightStorage"/> require gradients (pre-training, fine-tuning)
    /// or not (the default: models are frozen and only links train).
    /// </summary>
    public void SetWeightsTrainable(bool trainable)
    {
        foreach (var (_, tensor) in WeightStorage())
            tensor.requires_grad = trainable;
    }
}
