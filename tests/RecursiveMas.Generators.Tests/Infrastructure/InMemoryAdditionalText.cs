using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RecursiveMas.Generators.Tests.Infrastructure;

/// <summary>An <c>AdditionalFiles</c> item held in memory (a model's config.json).</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
}
