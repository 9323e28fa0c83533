using System.Globalization;
using System.Reflection;
using Microsoft.CodeAnalysis;
using RecursiveMas.Dsl;

namespace RecursiveMas.Analyzers.Tests.Model;

/// <summary>
/// The shared text catalog covers every rule, the analyzer's descriptors are built from it, and
/// <see cref="Problem.Format"/> says exactly what the analyzer says.
/// </summary>
public class DiagnosticTextTests
{
    // By number: the rule kinds are internal to the analyzer assembly.
    public static TheoryData<int> Kinds => new(Enum.GetValues<DiagnosticKind>().Select(k => (int)k));

    static readonly Site AnySite = Site.Declaration("MyApp.MathTeam");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_has_its_text(int number)
    {
        var kind = (DiagnosticKind)number;
        var text = DiagnosticText.For(kind);

        Assert.Equal(kind, text.Kind);
        Assert.Equal(Problem.FormatId(kind), text.Id);
        Assert.Equal(Problem.IsErrorKind(kind), text.IsError);
        Assert.True(Enum.IsDefined(text.Severity));

        // What RS1031-RS1033 would check on literal strings: one-line title and message without a
        // final period, a description that is a sentence.
        Assert.False(string.IsNullOrWhiteSpace(text.Title));
        Assert.False(string.IsNullOrWhiteSpace(text.MessageFormat));
        Assert.DoesNotContain('\n', text.Title + text.MessageFormat + text.Description);
        Assert.False(text.Title.EndsWith('.'), text.Title);
        Assert.False(text.MessageFormat.EndsWith('.'), text.MessageFormat);
        Assert.EndsWith(".", text.Description);
    }

    [Fact]
    public void The_catalog_lists_every_kind_once_in_enum_order() =>
        Assert.Equal(Enum.GetValues<DiagnosticKind>(), DiagnosticText.All.Select(t => t.Kind));

    [Fact]
    public void An_undefined_kind_has_no_text() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DiagnosticText.For((DiagnosticKind)9999));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_descriptor_is_the_catalog_text(int number)
    {
        var kind = (DiagnosticKind)number;
        var text = DiagnosticText.For(kind);
        var descriptor = DiagnosticDescriptors.For(kind);

        Assert.Equal(text.Id, descriptor.Id);
        Assert.Equal(text.Title, descriptor.Title.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(text.MessageFormat, descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(text.Description, descriptor.Description.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(text.Category, descriptor.Category);
        Assert.Equal(DiagnosticDescriptors.ToRoslyn(text.Severity), descriptor.DefaultSeverity);
        Assert.True(descriptor.IsEnabledByDefault);
        Assert.Equal(DiagnosticDescriptors.HelpLinkBase + text.Id + ".md", descriptor.HelpLinkUri);
    }

    [Fact]
    public void Each_descriptor_field_is_named_after_its_kind_and_has_its_id_constant()
    {
        var fields = typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static);
        var descriptors = fields.Where(f => f.FieldType == typeof(DiagnosticDescriptor)).ToList();

        Assert.Equal(Enum.GetNames<DiagnosticKind>().Order(), descriptors.Select(f => f.Name).Order());
        foreach (var field in descriptors)
        {
            var descriptor = (DiagnosticDescriptor)field.GetValue(null)!;
            var idConstant = fields.Single(f => f.Name == field.Name + "Id");
            Assert.True(idConstant.IsLiteral, idConstant.Name);
            Assert.Equal(descriptor.Id, idConstant.GetValue(null));
            Assert.Equal(Problem.FormatId(Enum.Parse<DiagnosticKind>(field.Name)), descriptor.Id);
        }
    }

    [Fact]
    public void Problem_severities_mirror_roslyn_ones_by_name_and_value()
    {
        foreach (var severity in Enum.GetValues<ProblemSeverity>())
        {
            var roslyn = DiagnosticDescriptors.ToRoslyn(severity);
            Assert.Equal((severity.ToString(), (int)severity), (roslyn.ToString(), (int)roslyn));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Format_gives_the_message_roslyn_gives(int number)
    {
        var kind = (DiagnosticKind)number;
        var descriptor = DiagnosticDescriptors.For(kind);

        // Enough arguments for every format, then none and too few (Roslyn shows the bare format then).
        foreach (var arguments in new[] { Enumerable.Range(0, 6).Select(i => "arg" + i).ToArray(), [], ["only"] })
        {
            var problem = new Problem(kind, AnySite, arguments.ToEquatableArray());
            var roslyn = Diagnostic.Create(descriptor, Location.None, arguments.Cast<object>().ToArray());

            Assert.Equal(roslyn.GetMessage(CultureInfo.InvariantCulture), problem.Message);
            Assert.Equal(descriptor.Id + ": " + roslyn.GetMessage(CultureInfo.InvariantCulture), problem.Format());
            Assert.Equal(problem.Format(), DiagnosticText.Format(problem));
        }
    }

    [Fact]
    public void Format_fills_in_the_arguments_and_unescapes_braces()
    {
        Assert.Equal(
            "RMAS2001: This prompt of agent 'Critic' has no {from:Planner} slot, but 'Planner' sends 'Critic' a message every round of system 'MathTeam'",
            Problem.Create(DiagnosticKind.MissingFromSlot, AnySite, "Critic", "Planner", "MathTeam").Format());
        Assert.Equal(
            "RMAS0012: Two agents of system 'Team' are named 'Planner' ('A.Planner' and 'B.Planner'), so {from:Planner} is ambiguous; rename one",
            Problem.Create(DiagnosticKind.AmbiguousAgentName, AnySite, "Planner", "A.Planner", "B.Planner", "Team").Format());
        Assert.Equal(
            "RMAS3007: The link 'Planner' -> 'Critic' is declared more than once",
            Problem.Create(DiagnosticKind.DuplicateLink, AnySite, "Planner", "Critic").Format());
    }

    [Fact]
    public void Format_writes_numbers_in_the_invariant_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            // Swedish writes -2 with U+2212 MINUS SIGN (with ICU), which would show through here.
            CultureInfo.CurrentCulture = new CultureInfo("sv-SE");
            var tooSmall = Problem.Create(DiagnosticKind.RoundsTooSmall, AnySite, -2);
            var tooLarge = Problem.Create(DiagnosticKind.LatentStepsTooLarge, AnySite, "Solver", 1500000, Limits.MaxLatentSteps);

            Assert.Equal("RMAS0003: Rounds is -2; a recursive system runs at least 1 round", tooSmall.Format());
            Assert.Equal(ProblemSeverity.Warning, tooLarge.Severity);
            Assert.False(tooLarge.IsError);
            Assert.Equal(
                "RMAS0006: Agent 'Solver' has LatentSteps = 1500000, more than 1024: every step is a forward pass of the model, and accuracy saturates around 80 steps",
                tooLarge.Format());
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
