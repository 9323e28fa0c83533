namespace RecursiveMas.Tokenization;

/// <summary>The chat formats <see cref="ChatTemplate"/> reproduces.</summary>
public enum ChatTemplateKind
{
    /// <summary>ChatML as Qwen2/Qwen2.5-Instruct write it: &lt;|im_start|&gt;role\n...&lt;|im_end|&gt;\n, with a default system message.</summary>
    ChatMl,

    /// <summary>Qwen3's ChatML with &lt;think&gt; reasoning blocks and the enable_thinking switch.</summary>
    Qwen3,

    /// <summary>Llama 3.x: header tokens and &lt;|eot_id|&gt;; the Llama-3.2-Instruct variant by default.</summary>
    Llama3,

    /// <summary>Mistral-7B-Instruct-v0.3: &lt;s&gt;[INST] ...[/INST] answer&lt;/s&gt;.</summary>
    Mistral,

    /// <summary>Gemma 3 instruct: &lt;bos&gt;&lt;start_of_turn&gt;user\n...&lt;end_of_turn&gt;\n, the assistant as "model", a system message folded into the first user turn.</summary>
    Gemma,

    /// <summary>"role: content" lines, for tiny models trained without special chat tokens.</summary>
    Plain,
}
