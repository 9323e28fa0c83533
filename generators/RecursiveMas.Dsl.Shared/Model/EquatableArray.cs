using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace RecursiveMas.Dsl;

/// <summary>
/// An immutable array compared by its elements, so that records holding lists (agents, prompts, edges)
/// keep value equality and an incremental generator can cache them. The wrapped array is never
/// exposed and never mutated after construction.
/// </summary>
/// <typeparam name="T">An element type with value equality (a record, a string).</typeparam>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    readonly T[]? items;

    /// <summary>Wraps a copy of <paramref name="items"/>.</summary>
    public EquatableArray(IEnumerable<T> items) => this.items = items.ToArray();

    /// <summary>The empty array (also what <c>default</c> is).</summary>
    public static EquatableArray<T> Empty => default;

    /// <inheritdoc/>
    public int Count => items?.Length ?? 0;

    /// <inheritdoc/>
    public T this[int index] => (items ?? Array.Empty<T>())[index];

    /// <inheritdoc/>
    public bool Equals(EquatableArray<T> other)
    {
        var a = items ?? Array.Empty<T>();
        var b = other.items ?? Array.Empty<T>();
        if (a.Length != b.Length)
        {
            return false;
        }

        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < a.Length; i++)
        {
            if (!comparer.Equals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = 17;
        foreach (var item in items ?? Array.Empty<T>())
        {
            hash = unchecked((hash * 31) + (item is null ? 0 : EqualityComparer<T>.Default.GetHashCode(item)));
        }

        return hash;
    }

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(items ?? Array.Empty<T>())).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Lists the elements, for test failure messages and debugging.</summary>
    public override string ToString() => "[" + string.Join(", ", this) + "]";

    /// <summary>Element-wise equality.</summary>
    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    /// <summary>Element-wise inequality.</summary>
    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
}

/// <summary>Helpers to build <see cref="EquatableArray{T}"/>s.</summary>
internal static class EquatableArray
{
    /// <summary>Wraps the given elements.</summary>
    public static EquatableArray<T> Create<T>(params T[] items)
        where T : IEquatable<T> => new(items);

    /// <summary>Copies a sequence into an <see cref="EquatableArray{T}"/>.</summary>
    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items)
        where T : IEquatable<T> => new(items);
}
