using RecursiveMas.Dsl;

namespace RecursiveMas.Analyzers.Tests.Model;

public class PromptTemplateTests
{
    [Fact]
    public void Splits_text_and_slots_in_order()
    {
        var template = PromptTemplate.Parse("Q: {question} Plan: {from:Planner} Fb: {feedback}.");

        Assert.Equal(
            [
                TemplatePart.Text("Q: "), TemplatePart.Question, TemplatePart.Text(" Plan: "),
                TemplatePart.From("Planner"), TemplatePart.Text(" Fb: "), TemplatePart.Feedback, TemplatePart.Text("."),
            ],
            template.Parts);
        Assert.True(template.HasQuestion);
        Assert.True(template.HasFeedback);
        Assert.Equal(["Planner"], template.FromAgents);
        Assert.Empty(template.UnknownPlaceholders);
    }

    // C# identifiers may hold combining marks (Mn, Mc), connectors (Pc) and letter numbers (Nl), so an agent class can be
    // named with them; its {from:…} slot was literal text (and RMAS2001 asked for the slot it had).
    [Theory]
    [InlineData("Critique\u0301")] // Mn: combining acute accent
    [InlineData("Kar\u093Ey")] // Mc: Devanagari vowel sign AA
    [InlineData("Plan\u203Fner")] // Pc: undertie
    [InlineData("\u2160Planner")] // Nl: Roman numeral one, which may also start a name
    [InlineData("Plan\u2161")] // Nl inside
    public void Reads_from_slots_naming_classes_with_any_CSharp_identifier_character(string name)
    {
        var template = PromptTemplate.Parse("Plan: {from:" + name + "} {question}");

        Assert.Equal([name], template.FromAgents);
        Assert.Empty(template.UnknownPlaceholders);
    }

    [Fact]
    public void Keeps_latex_and_other_braces_as_literal_text()
    {
        const string text = @"Put the final answer inside \boxed{}, for example \boxed{1}; \frac{a}{b}, x^{2}, x_{i}, {1}, {""a"": 1}, { }, {a, b}.";

        var template = PromptTemplate.Parse(text);

        Assert.Equal([TemplatePart.Text(text)], template.Parts);
        Assert.Empty(template.UnknownPlaceholders);
    }

    // Jinja's, Mustache's and Semantic Kernel's {{question}} filled the slot and kept the outer braces, silently.
    [Fact]
    public void Collects_placeholders_written_in_double_braces()
    {
        var template = PromptTemplate.Parse("Q: {{question}} Plan: {{from:Planner}} Fb: {{feedback}} Round {{round}}, again {{question}}.");

        Assert.Equal(["{{question}}", "{{from:Planner}}", "{{feedback}}", "{{round}}", "{{question}}"], template.DoubleBracedPlaceholders);
        Assert.True(template.HasQuestion);
        Assert.Empty(template.UnknownPlaceholders);
    }

    [Theory]
    [InlineData("Q: {question}, {from:Planner}, {round}")]
    [InlineData(@"\boxed{{question}}, \frac{1}{{round}}, x^{{round}}")] // a LaTeX command's argument
    [InlineData("{{question}, {question}}, { {question} }")] // one brace, or a space between
    [InlineData("{{Question}}, {{ question }}")] // no placeholder inside: RMAS2007's
    public void Single_braces_latex_arguments_and_half_doubles_are_not_double_braced(string text) =>
        Assert.Empty(PromptTemplate.Parse(text).DoubleBracedPlaceholders);

    [Fact]
    public void Exact_slots_count_even_after_latex_commands()
    {
        var template = PromptTemplate.Parse(@"\text{question}: {question}, \boxed{{question}}");

        Assert.Equal(3, template.Parts.Count(s => s.Kind == TemplatePartKind.Question));
    }

    [Theory]
    [InlineData("{Question}")]
    [InlineData("{feedbak}")]
    [InlineData("{from Planner}")]
    [InlineData("{from:}")]
    [InlineData("{from: Planner}")]
    [InlineData("{from:My.Planner}")]
    [InlineData("{ question }")]
    [InlineData("{planner_output}")]
    public void Reports_lookalikes_of_slots(string group)
    {
        var template = PromptTemplate.Parse("Before " + group + " after");

        Assert.Equal([group], template.UnknownPlaceholders);
        Assert.Equal([TemplatePart.Text("Before " + group + " after")], template.Parts);
    }

    [Theory]
    [InlineData("Plan: {from:Critic Question: {question}", "{from:Critic")]
    [InlineData("Plan: {from:Critic", "{from:Critic")]
    [InlineData("Plan: {from:critic-2} Go.", "{from:critic-2}")]
    [InlineData(@"Plan: {from:Critic \boxed{}", "{from:Critic")]
    public void Reports_a_from_slot_that_is_not_one(string text, string reported)
    {
        var template = PromptTemplate.Parse(text);

        Assert.Equal([reported], template.UnknownPlaceholders);
        Assert.DoesNotContain(template.Parts, p => p.Kind == TemplatePartKind.From);
    }

    [Theory]
    [InlineData(@"\boxed{answer}")]
    [InlineData(@"\frac{num}{den}")]
    [InlineData("x_{index}")]
    [InlineData("{1}")]
    [InlineData("{}")]
    [InlineData("{a, b}")]
    [InlineData("{x | x > 0}")]
    [InlineData("{k: v for k in d}")]
    [InlineData("{a b c}")]
    [InlineData("unclosed {question")]
    [InlineData("This is round {round}.")]
    public void Does_not_report_ordinary_braces(string text)
    {
        var template = PromptTemplate.Parse(text);

        Assert.Empty(template.UnknownPlaceholders);
        Assert.Equal(text, string.Concat(template.Parts.Select(s => s.ToString())));
    }

    [Fact]
    public void Segments_print_back_to_the_template()
    {
        const string text = @"A {question} B {from:Critic} C {feedback} \boxed{} {Question}";

        Assert.Equal(text, string.Concat(PromptTemplate.Parse(text).Parts.Select(s => s.ToString())));
    }

    [Fact]
    public void Equal_templates_are_equal_values()
    {
        Assert.Equal(PromptTemplate.Parse("x {from:A} {question}"), PromptTemplate.Parse("x {from:A} {question}"));
        Assert.NotEqual(PromptTemplate.Parse("x {from:A}"), PromptTemplate.Parse("x {from:B}"));
    }
}
