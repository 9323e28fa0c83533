namespace RecursiveMas.Dsl;

/// <summary>What a piece of a parsed prompt template stands for.</summary>
internal enum TemplatePartKind
{
    /// <summary>Literal text, inserted as written (braces and backslashes included).</summary>
    Text,

    /// <summary><c>{question}</c>: the question text.</summary>
    Question,

    /// <summary><c>{from:Agent}</c>: the latent message from the agent named by <see cref="TemplatePart.Value"/>.</summary>
    From,

    /// <summary><c>{feedback}</c>: the loop-closing latent message from the previous round.</summary>
    Feedback,
}

/// <summary>One piece of a parsed prompt template, in template order.</summary>
/// <param name="Kind">What the piece stands for.</param>
/// <param name="Value">The literal text for <see cref="TemplatePartKind.Text"/>, the agent's class name for <see cref="TemplatePartKind.From"/>, empty otherwise.</param>
internal sealed record TemplatePart(TemplatePartKind Kind, string Value)
{
    /// <summary>The <c>{question}</c> slot.</summary>
    public static TemplatePart Question { get; } = new(TemplatePartKind.Question, "");

    /// <summary>The <c>{feedback}</c> slot.</summary>
    public static TemplatePart Feedback { get; } = new(TemplatePartKind.Feedback, "");

    /// <summary>Literal text.</summary>
    public static TemplatePart Text(string text) => new(TemplatePartKind.Text, text);

    /// <summary>The <c>{from:agent}</c> slot.</summary>
    public static TemplatePart From(string agent) => new(TemplatePartKind.From, agent);

    /// <summary>The part as it reads in a template.</summary>
    public override string ToString() => Kind switch
    {
        TemplatePartKind.Question => PromptTemplate.QuestionPlaceholder,
        TemplatePartKind.Feedback => PromptTemplate.FeedbackPlaceholder,
        TemplatePartKind.From => "{from:" + Value + "}",
        _ => Value,
    };
}
