namespace RecursiveMas.Training;

/// <summary>What a scored text (an answer, a role text) ends with in a text loss.</summary>
public enum AnswerEnd
{
    /// <summary>The tokens the chat template writes after an assistant message (e.g. Qwen's "&lt;|im_end|&gt;\n"), as the released code labels them.</summary>
    TemplateTurnEnd,

    /// <summary>The agent's end-of-turn token alone (what the zoo was trained with).</summary>
    EndOfTurnToken,
}
