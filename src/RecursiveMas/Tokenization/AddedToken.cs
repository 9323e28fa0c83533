namespace RecursiveMas.Tokenization;

/// <summary>
/// A token matched verbatim in text before BPE runs, as Hugging Face's <c>added_tokens</c>: chat markers
/// such as "&lt;|im_start|&gt;" or "&lt;|eot_id|&gt;" always encode to their single id.
/// </summary>
/// <param name="Id">Its id.</param>
/// <param name="Content">The exact text it stands for.</param>
/// <param name="Special">Whether it is a control token, skipped by <see cref="ModelTokenizer.Decode"/> with skipSpecialTokens.</param>
public sealed record AddedToken(int Id, string Content, bool Special = true);
