using RecursiveMas.Models;
using RecursiveMas.Tokenization;
using static TorchSharp.torch;

namespace RecursiveMas.Latent;

/// <summary>A batch of prompts as input embeddings, ready for a rollout or a decode.</summary>
/// <param name="Embeddings">[B, T, d], left-padded.</param>
/// <param name="Mask">[B, T] bool, true at real positions.</param>
/// <param name="Lengths">Real positions per row (text tokens plus message vectors).</param>
public sealed record AssembledPrompt(Tensor Embeddings, Tensor Mask, IReadOnlyList<int> Lengths) : IDisposable
{
    public void Dispose()
    {
        Embeddings.Dispose();
        Mask.Dispose();
    }
}

/// <summary>
/// Builds input embeddings for an agent (PAPER §2.4): the chat-formatted prompt is cut at its slots,
/// each text segment is tokenized on its own (special-token strings become their ids) and embedded,
/// and each slot receives the m message vectors meant for it, already in this agent's embedding
/// space. Rows are left-padded at the embedding level.
/// </summary>
public sealed class PromptAssembler(CausalLM model, ModelTokenizer tokenizer)
{
    /// <summary>The receiving agent's model.</summary>
    public CausalLM Model { get; } = model;

    /// <summary>The receiving agent's tokenizer.</summary>
    public ModelTokenizer Tokenizer { get; } = tokenizer;

    /// <summary>
    /// Embeds <paramref name="prompt"/> for each question. <paramref name="messages"/> maps each slot the
    /// prompt has to a [B, m, d] tensor (row b for question b); a slot without a message, or a message
    /// of the wrong width, is an error naming the slot.
    /// </summary>
    /// <param name="cancellationToken">Checked while the text segments are tokenized.</param>
    /// <param name="messageLengths">
    /// Per slot, the real vectors of each row's message when rows carry messages of different lengths
    /// (teacher messages in training: row b reads the first <c>messageLengths[slot][b]</c> of its [m', d]);
    /// null = every row reads all m' vectors.
    /// </param>
    public AssembledPrompt Assemble(
        AgentPrompt prompt,
        IReadOnlyList<string> questions,
        IReadOnlyDictionary<string, Tensor> messages,
        IReadOnlyList<string>? assistantPrefixes = null,
        CancellationToken cancellationToken = default,
        IReadOnlyDictionary<string, IReadOnlyList<int>>? messageLengths = null) =>
        AssembleFrom(prompt, questions, messages, assistantPrefixes, cancellationToken, splitPrefix: false, messageLengths).Remainder;

    /// <summary>
    /// Like <see cref="Assemble"/>, but the prompt's prefix stays token ids (one per question, to be read from a
    /// <see cref="PromptPrefixCache"/>) and only what follows it is embedded. The prefix is the text before the
    /// first slot, its leading ids before the question marked as shared (<see cref="PromptPrefix.SharedLength"/>);
    /// in a prompt without slots, the text before the question (the rest follows), or nothing where that leaves
    /// fewer than two ids to read. Lengths count both parts.
    /// </summary>
    public (IReadOnlyList<PromptPrefix> Prefixes, AssembledPrompt Remainder) AssembleAfterPrefix(
        AgentPrompt prompt,
        IReadOnlyList<string> questions,
        IReadOnlyDictionary<string, Tensor> messages,
        CancellationToken cancellationToken = default) =>
        AssembleFrom(prompt, questions, messages, null, cancellationToken, splitPrefix: true, null);

    // The question head's ids, per prompt (a prompt is one object per round, so this is tokenized once).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<AgentPrompt, IReadOnlyList<int>?> _heads = new();

    IReadOnlyList<int>? QuestionHeadIds(AgentPrompt prompt) =>
        _heads.GetValue(prompt, p => p.QuestionHead is { } head ? Tokenizer.Encode(head) : null);

    (IReadOnlyList<PromptPrefix> Prefixes, AssembledPrompt Remainder) AssembleFrom(
        AgentPrompt prompt,
        IReadOnlyList<string> questions,
        IReadOnlyDictionary<string, Tensor> messages,
        IReadOnlyList<string>? assistantPrefixes,
        CancellationToken cancellationToken,
        bool splitPrefix,
        IReadOnlyDictionary<string, IReadOnlyList<int>>? messageLengths)
    {
        if (questions.Count == 0)
            throw new ArgumentException("no questions", nameof(questions));
        foreach (var slot in prompt.Slots)
        {
            if (!messages.TryGetValue(slot, out var message))
                throw new ArgumentException($"the prompt has a slot {{{SlotPlaceholder(slot)}}} but no message was given for it", nameof(messages));
            if (message.dim() != 3 || message.size(0) != questions.Count || message.size(2) != Model.HiddenSize)
                throw new ArgumentException(
                    $"the message for {{{SlotPlaceholder(slot)}}} must be [{questions.Count}, m, {Model.HiddenSize}], got [{string.Join(", ", message.Sizes())}]",
                    nameof(messages));
            if (messageLengths?.GetValueOrDefault(slot) is { } slotLengths && (slotLengths.Count != questions.Count || slotLengths.Any(n => n < 1 || n > message.size(1))))
                throw new ArgumentException($"the lengths of the message for {{{SlotPlaceholder(slot)}}} must be one per row, each 1..{message.size(1)}", nameof(messageLengths));
        }

        using var scope = NewDisposeScope();
        var rows = new List<Tensor>(questions.Count);
        var prefixes = new List<PromptPrefix>(questions.Count);
        var head = splitPrefix ? QuestionHeadIds(prompt) : null;
        bool slotless = prompt.Slots.Count == 0;
        var lengths = new int[questions.Count];
        for (int b = 0; b < questions.Count; b++)
        {
            var pieces = new List<Tensor>();
            var prefix = new List<int>();
            bool beforeFirstSlot = splitPrefix;
            foreach (var segment in prompt.Render(questions[b], assistantPrefixes?[b]))
            {
                if (segment.IsSlot)
                {
                    beforeFirstSlot = false;
                    var message = messages[segment.SlotName!][b];
                    if (messageLengths?.GetValueOrDefault(segment.SlotName!) is { } rowLengths)
                        message = message.narrow(0, 0, rowLengths[b]);
                    pieces.Add(message.to(Model.DType));
                    continue;
                }
                // Each text segment is tokenized on its own, prefix or not, so both ways read the same ids.
                var ids = Tokenizer.Encode(segment.Text, cancellationToken: cancellationToken);
                if (beforeFirstSlot && slotless)
                {
                    // No slot: the prefix is the text before the question, the rest of the prompt follows it.
                    beforeFirstSlot = false;
                    int shared = PromptPrefix.SharedIds(head, ids);
                    prefix.AddRange(ids.Take(shared));
                    ids = [.. ids.Skip(shared)];
                }
                if (beforeFirstSlot)
                    prefix.AddRange(ids);
                else if (ids.Count > 0)
                    pieces.Add(Model.Embed(tensor(ids.Select(i => (long)i).ToArray(), device: Model.Device)));
            }
            var row = cat(pieces, 0);
            rows.Add(row);
            prefixes.Add(new PromptPrefix(prefix, slotless ? 0 : PromptPrefix.SharedIds(head, prefix)));
            lengths[b] = prefix.Count + (int)row.size(0);
        }
        var batch = LeftPaddedBatch.FromEmbeddings(rows);
        return (prefixes, new AssembledPrompt(batch.Values.MoveToOuterDisposeScope(), batch.Mask.MoveToOuterDisposeScope(), lengths));
    }

    static string SlotPlaceholder(string slot) => slot == AgentPrompt.FeedbackSlot ? "feedback" : "from:" + slot["from.".Length..];
}
