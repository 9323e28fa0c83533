namespace RecursiveMas.Dsl;

/// <summary>What a piece of a parsed prompt template stands for.</summary>
internal enum PromptSegmentKind
{
    /// <summary>Literal text, inserted as written (braces and backslashes included).</summary>
    Text,

    /// <summary><c>{question}</c>: the question text.</summary>
    Question,

    /// <summary><c>{from:Agent}</c>: the latent message from the agent named by <see cref="PromptSegment.Value"/>.</summary>
    From,

    /// <summary><c>{feedback}</c>: the loop-closing latent message from the previous round.</summary>
    Feedback,
}

/// <summary>One piece of a parsed prompt template, in template order.</summary>
/// <param name="Kind">What the piece stands for.</param>
/// <param name="Value">The literal text for <see cref="PromptSegmentKind.Text"/>, the agent's class name for <see cref="PromptSegmentKind.From"/>, empty otherwise.</param>
internal sealed record PromptSegment(PromptSegmentKind Kind, string Value)
{
    /// <summary>The <c>{question}</c> slot.</summary>
    public static PromptSegment Question { get; } = new(PromptSegmentKind.Question, "");

    /// <summary>The <c>{feedback}</c> slot.</summary>
    public static PromptSegment Feedback { get; } = new(PromptSegmentKind.Feedback, "");

    /// <summary>Literal text.</summary>
    public static PromptSegment Text(string text) => new(PromptSegmentKind.Text, text);

    /// <summary>The <c>{from:agent}</c> slot.</summary>
    public static PromptSegment From(string agent) => new(PromptSegmentKind.From, agent);

    /// <summary>The segment as it reads in a template.</summary>
    public override string ToString() => Kind switch
    {
        PromptSegmentKind.Question => PromptTemplate.QuestionPlaceholder,
        PromptSegmentKind.Feedback => PromptTemplate.FeedbackPlaceholder,
        PromptSegmentKind.From => "{from:" + Value + "}",
        _ => Value,
    };
}
