namespace RecursiveMas.Latent;

/// <summary>
/// One row's prompt prefix as token ids, to be read from a <see cref="PromptPrefixCache"/>, and how many of its
/// leading ids every question shares: the chat-formatted text before the question (system message, role
/// instructions), which the store prefills once for all questions and continues with each question's own ids.
/// </summary>
/// <param name="Ids">The prefix's token ids.</param>
/// <param name="SharedLength">
/// Leading ids of <paramref name="Ids"/> that do not depend on the question; 0 = none. At most
/// <c>Ids.Count - 2</c>, so the continuation is a prefill (two positions or more), as the whole prefix would be.
/// </param>
public readonly record struct PromptPrefix(IReadOnlyList<int> Ids, int SharedLength = 0)
{
    /// <summary>
    /// The ids of <paramref name="ids"/> that <paramref name="questionHead"/> (the prompt's text before the question,
    /// tokenized on its own) begins with, token for token — what precedes the question's first token exactly,
    /// however the tokenizer joins the head's last characters to the question's first — leaving two ids or more
    /// after them; 0 when no head or nothing is left to share.
    /// </summary>
    public static int SharedIds(IReadOnlyList<int>? questionHead, IReadOnlyList<int> ids)
    {
        if (questionHead is null)
            return 0;
        int common = 0;
        while (common < questionHead.Count && common < ids.Count && questionHead[common] == ids[common])
            common++;
        int shared = Math.Min(common, ids.Count - 2);
        return shared > 0 ? shared : 0;
    }
}
