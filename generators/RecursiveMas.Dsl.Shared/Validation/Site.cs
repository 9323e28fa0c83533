namespace RecursiveMas.Dsl;

/// <summary>What part of a declaration a <see cref="Site"/> points at.</summary>
internal enum SiteKind
{
    /// <summary>The type's declaration (its identifier).</summary>
    Declaration,

    /// <summary>The declaration of the containing type at depth <see cref="Site.Index"/> (0 = outermost).</summary>
    ContainingDeclaration,

    /// <summary>The whole attribute at <see cref="Site.Index"/>.</summary>
    Attribute,

    /// <summary>An argument of the attribute at <see cref="Site.Index"/>: positional <see cref="Site.Position"/> (for a <c>params</c> array, the element's position), or named <see cref="Site.Name"/>.</summary>
    Argument,

    /// <summary>The first declaration, written by the user, of the member named <see cref="Site.Name"/>.</summary>
    Member,
}

/// <summary>
/// Where a <see cref="Problem"/> is, in terms of the declaration only (no Roslyn locations): the
/// analyzer turns it into a source location, falling back to the attribute and then to the type's
/// identifier when an argument was not written (a defaulted named argument, say).
/// </summary>
/// <param name="Owner">The full name of the type whose declaration or attribute is at fault.</param>
/// <param name="Kind">What part of the declaration.</param>
/// <param name="Index">The attribute's position among <paramref name="Owner"/>'s attributes, or the containing type's depth; -1 when unused.</param>
/// <param name="Position">A positional argument's position; -1 when unused.</param>
/// <param name="Name">A named argument's name; null when unused.</param>
internal sealed record Site(string Owner, SiteKind Kind, int Index = -1, int Position = -1, string? Name = null)
{
    /// <summary>The type's identifier.</summary>
    public static Site Declaration(string owner) => new(owner, SiteKind.Declaration);

    /// <summary>The identifier of the containing type at <paramref name="depth"/>.</summary>
    public static Site Containing(string owner, int depth) => new(owner, SiteKind.ContainingDeclaration, depth);

    /// <summary>A whole attribute.</summary>
    public static Site Attribute(string owner, int attribute) => new(owner, SiteKind.Attribute, attribute);

    /// <summary>A positional argument.</summary>
    public static Site Argument(string owner, int attribute, int position) => new(owner, SiteKind.Argument, attribute, position);

    /// <summary>A named argument (a property such as <c>HiddenSize</c>).</summary>
    public static Site Named(string owner, int attribute, string name) => new(owner, SiteKind.Argument, attribute, -1, name);

    /// <summary>A member of the type, by name (its first declaration in the user's code).</summary>
    public static Site Member(string owner, string name) => new(owner, SiteKind.Member, -1, -1, name);
}
