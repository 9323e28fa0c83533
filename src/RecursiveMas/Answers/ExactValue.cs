using System.Numerics;

namespace RecursiveMas.Answers;

/// <summary>
/// An exact real number of the form Σ qᵢ·√rᵢ·π^pᵢ: rational coefficients qᵢ, square-free radicands rᵢ ≥ 1 and
/// integer powers of π. The form is canonical (terms with equal (r, p) are merged, zero terms dropped), so two
/// values are equal exactly when their term sets are equal — which is what <see cref="MathEquivalence"/> needs to
/// see that <c>\frac{\sqrt2}{2}</c> and <c>\frac{1}{\sqrt2}</c> are the same number without any floating point.
/// Operations that leave the form (a square root of a sum, a fourth root, division by a sum of more than two
/// terms) return null rather than approximate.
/// </summary>
public sealed class ExactValue : IEquatable<ExactValue>
{
    /// <summary>Numbers larger than this many bits are refused, so <c>9^{9^9}</c> cannot exhaust memory.</summary>
    public const int MaxBits = 4096;

    /// <summary>Radicands are factored by trial division up to this bound; larger ones must already be square-free of small squares.</summary>
    const int TrialDivisionLimit = 100_000;

    readonly SortedDictionary<(BigInteger Radicand, int PiPower), Rational> _terms;

    ExactValue(SortedDictionary<(BigInteger, int), Rational> terms) => _terms = terms;

    public static ExactValue Zero { get; } = new(new());

    /// <summary>The rational number <paramref name="value"/>.</summary>
    public static ExactValue Of(Rational value) => Term(value, BigInteger.One, 0);

    /// <summary>π.</summary>
    public static ExactValue Pi { get; } = Term(Rational.One, BigInteger.One, 1);

    static ExactValue Term(Rational coefficient, BigInteger radicand, int piPower)
    {
        var terms = new SortedDictionary<(BigInteger, int), Rational>();
        if (!coefficient.IsZero)
            terms[(radicand, piPower)] = coefficient;
        return new ExactValue(terms);
    }

    /// <summary>The value as a rational when it has no radical and no π; else null.</summary>
    public Rational? AsRational => _terms.Count switch
    {
        0 => Rational.Zero,
        1 when _terms.Keys.First() == (BigInteger.One, 0) => _terms.Values.First(),
        _ => null,
    };

    public static ExactValue? Add(ExactValue a, ExactValue b)
    {
        var terms = new SortedDictionary<(BigInteger, int), Rational>(a._terms);
        foreach (var (key, q) in b._terms)
        {
            var sum = terms.TryGetValue(key, out var existing) ? existing + q : q;
            if (sum.IsZero)
                terms.Remove(key);
            else
                terms[key] = sum;
        }
        return Checked(new ExactValue(terms));
    }

    public static ExactValue Negate(ExactValue a) =>
        new(new SortedDictionary<(BigInteger, int), Rational>(a._terms.ToDictionary(t => t.Key, t => -t.Value)));

    public static ExactValue? Subtract(ExactValue a, ExactValue b) => Add(a, Negate(b));

    public static ExactValue? Multiply(ExactValue a, ExactValue b)
    {
        ExactValue? product = Zero;
        foreach (var ((r1, p1), q1) in a._terms)
        {
            foreach (var ((r2, p2), q2) in b._terms)
            {
                // r1, r2 square-free: r1·r2 = g²·(r1/g)(r2/g) with g = gcd, and (r1/g)(r2/g) is square-free.
                var g = BigInteger.GreatestCommonDivisor(r1, r2);
                var term = Term(q1 * q2 * new Rational(g), r1 / g * (r2 / g), p1 + p2);
                product = Add(product!, term);
                if (product is null)
                    return null;
            }
        }
        return product;
    }

    /// <summary>a / b; b must be one term, or a + b√r (one radical, one power of π), which is rationalized by its conjugate.</summary>
    public static ExactValue? Divide(ExactValue a, ExactValue b)
    {
        if (b._terms.Count == 1)
        {
            var ((r, p), q) = b._terms.First();
            // 1 / (q√r π^p) = √r / (q r) · π^-p
            return Multiply(a, Term(Rational.One / (q * new Rational(r)), r, -p));
        }
        if (b._terms.Count == 2 && b._terms.Keys.Select(k => k.PiPower).Distinct().Count() == 1 && b._terms.Keys.Any(k => k.Radicand.IsOne))
        {
            // (x + y√r)(x − y√r) = (x² − y² r)·π^{2p}: one term.
            var conjugate = new ExactValue(new SortedDictionary<(BigInteger, int), Rational>(
                b._terms.ToDictionary(t => t.Key, t => t.Key.Radicand.IsOne ? t.Value : -t.Value)));
            var numerator = Multiply(a, conjugate);
            var denominator = Multiply(b, conjugate);
            return numerator is null || denominator is null || denominator._terms.Count != 1 ? null : Divide(numerator, denominator);
        }
        return null;
    }

    /// <summary>a^n for an integer n (|n| ≤ 1000); null when a is zero and n negative, or the result grows too large.</summary>
    public static ExactValue? Power(ExactValue a, int n)
    {
        if (Math.Abs(n) > 1000)
            return null;
        if (n < 0)
            return a._terms.Count == 0 ? null : Power(a, -n) is { } positive ? Divide(Of(Rational.One), positive) : null;
        ExactValue? result = Of(Rational.One), square = a;
        for (int e = n; e > 0; e >>= 1)
        {
            if ((e & 1) == 1)
                result = Multiply(result!, square!);
            if (e > 1)
                square = Multiply(square!, square!);
            if (result is null || square is null)
                return null;
        }
        return result;
    }

    /// <summary>√a for a single non-negative term q·π^{2k} (no radical inside); null otherwise.</summary>
    public static ExactValue? Sqrt(ExactValue a)
    {
        if (a._terms.Count == 0)
            return Zero;
        if (a._terms.Count != 1)
            return null;
        var ((r, p), q) = a._terms.First();
        if (!r.IsOne || p % 2 != 0 || q.Sign < 0)
            return null;
        // √(n/d) = √(n d) / d = s √m / d with n d = s² m, m square-free.
        var (s, m) = SquareFreeSplit(q.Numerator * q.Denominator);
        return m is null ? null : Term(new Rational(s, q.Denominator), m.Value, p / 2);
    }

    /// <summary>n = s²·m with m square-free; m is null when n has a prime factor beyond the trial bound that might be squared.</summary>
    static (BigInteger S, BigInteger? M) SquareFreeSplit(BigInteger n)
    {
        BigInteger s = 1, m = 1;
        for (int f = 2; f <= TrialDivisionLimit && (BigInteger)f * f <= n; f++)
        {
            int count = 0;
            while (n % f == 0)
            {
                n /= f;
                count++;
            }
            s *= BigInteger.Pow(f, count / 2);
            if (count % 2 == 1)
                m *= f;
        }
        if (n > 1)
        {
            // What is left has no factor ≤ the trial bound; it is square-free unless it is p² for a larger prime p.
            var root = IntegerSqrt(n);
            if (root * root == n)
                s *= root;
            else if (n > (BigInteger)TrialDivisionLimit * TrialDivisionLimit * TrialDivisionLimit)
                return (s, null);
            else
                m *= n;
        }
        return (s, m);
    }

    static BigInteger IntegerSqrt(BigInteger n)
    {
        if (n < 2)
            return n;
        var x = (BigInteger)Math.Sqrt((double)n);
        while (x * x > n)
            x--;
        while ((x + 1) * (x + 1) <= n)
            x++;
        return x;
    }

    static ExactValue? Checked(ExactValue v) =>
        v._terms.All(t => t.Value.Numerator.GetBitLength() <= MaxBits && t.Value.Denominator.GetBitLength() <= MaxBits && t.Key.Radicand.GetBitLength() <= MaxBits)
            ? v : null;

    public bool Equals(ExactValue? other) =>
        other is not null && _terms.Count == other._terms.Count && _terms.All(t => other._terms.TryGetValue(t.Key, out var q) && q == t.Value);

    public override bool Equals(object? obj) => Equals(obj as ExactValue);

    public override int GetHashCode() => _terms.Aggregate(0, (h, t) => HashCode.Combine(h, t.Key, t.Value));

    /// <summary>"1/2·√2 + 3·π": for messages and tests.</summary>
    public override string ToString() => _terms.Count == 0 ? "0" : string.Join(" + ", _terms.Select(t =>
        t.Value.ToString() + (t.Key.Radicand.IsOne ? "" : $"·√{t.Key.Radicand}") + (t.Key.PiPower == 0 ? "" : t.Key.PiPower == 1 ? "·π" : $"·π^{t.Key.PiPower}")));
}

/// <summary>An exact rational number in lowest terms with a positive denominator.</summary>
public readonly record struct Rational : IComparable<Rational>
{
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
            throw new DivideByZeroException();
        var g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (denominator.Sign < 0)
            g = -g;
        Numerator = numerator / g;
        Denominator = denominator / g;
    }

    public Rational(BigInteger integer) : this(integer, BigInteger.One) { }

    public BigInteger Numerator { get; }

    public BigInteger Denominator { get; }

    public static Rational Zero => new(BigInteger.Zero);

    public static Rational One => new(BigInteger.One);

    public bool IsZero => Numerator.IsZero;

    public int Sign => Numerator.Sign;

    public static Rational operator +(Rational a, Rational b) => new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static Rational operator -(Rational a) => new(-a.Numerator, a.Denominator);

    public static Rational operator *(Rational a, Rational b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public static Rational operator /(Rational a, Rational b) => new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public int CompareTo(Rational other) => (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);

    public override string ToString() => Denominator.IsOne ? Numerator.ToString() : $"{Numerator}/{Denominator}";
}
