namespace RecursiveMas.Generators.Model;

/// <summary>
/// One <c>config.json</c> among the project's <c>AdditionalFiles</c>: its path and text, compared by
/// value, so editing any other file leaves the collected configs equal and the pipeline cached.
/// </summary>
/// <param name="Path">The path as the project gives it.</param>
/// <param name="Text">The file's text; null when it cannot be read.</param>
internal sealed record ConfigFileText(string Path, string? Text);
