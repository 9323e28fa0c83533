namespace RecursiveMas.Dsl;

/// <summary>One thing wrong (or worth saying) about a declaration: what, where, and the message arguments.</summary>
/// <param name="Kind">What is wrong; its value is the diagnostic ID's number.</param>
/// <param name="Site">Where, in the declaration.</param>
/// <param name="Arguments">The message arguments, as listed on each <see cref="DiagnosticKind"/> member.</param>
internal sealed record Problem(DiagnosticKind Kind, Site Site, EquatableArray<string> Arguments)
{
    /// <summary>The diagnostic ID, e.g. <c>RMAS1001</c>.</summary>
    public string Id => FormatId(Kind);

    /// <summary>
    /// Whether the problem stops generation: its kind's <see cref="DiagnosticText.Severity"/> is
    /// <see cref="ProblemSeverity.Error"/>. Warnings (<see cref="DiagnosticKind.RoundsTooLarge"/>,
    /// <see cref="DiagnosticKind.LatentStepsTooLarge"/>, <see cref="DiagnosticKind.HiddenSizeUnknown"/>,
    /// <see cref="DiagnosticKind.ConfigInvalid"/>, <see cref="DiagnosticKind.UnknownPlaceholder"/>) and
    /// the hidden <see cref="DiagnosticKind.HiddenSizeFromConfig"/> do not.
    /// </summary>
    public bool IsError => IsErrorKind(Kind);

    /// <summary>The severity of the problem's kind.</summary>
    public ProblemSeverity Severity => DiagnosticText.For(Kind).Severity;

    /// <summary>The message, as the analyzer shows it, without the ID (see <see cref="DiagnosticText.FormatMessage"/>).</summary>
    public string Message => DiagnosticText.For(Kind).FormatMessage(Arguments);

    /// <summary>The diagnostic ID of <paramref name="kind"/>.</summary>
    public static string FormatId(DiagnosticKind kind) => "RMAS" + ((int)kind).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether problems of <paramref name="kind"/> are errors (from <see cref="DiagnosticText"/>).</summary>
    public static bool IsErrorKind(DiagnosticKind kind) => DiagnosticText.For(kind).IsError;

    /// <summary>
    /// The ID and the message, e.g. <c>RMAS2001: This prompt of agent 'Critic' has no {from:Planner} slot, …</c>;
    /// see <see cref="DiagnosticText.Format"/>.
    /// </summary>
    public string Format() => DiagnosticText.Format(this);

    /// <summary>Creates a problem.</summary>
    public static Problem Create(DiagnosticKind kind, Site site, params object[] arguments) =>
        new(kind, site, System.Linq.Enumerable.Select(arguments, a => System.Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToEquatableArray());
}
