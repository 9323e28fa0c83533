using System.Text.Json;
using System.Text.Json.Nodes;

namespace RecursiveMas.Evaluation;

/// <summary>One (method, rounds) cell over all seeds; <see cref="Rounds"/> is 0 for single-agent methods.</summary>
public sealed record ComparisonRow(string Method, int Rounds, IReadOnlyList<SeedRun> Runs)
{
    public ConfidenceInterval Accuracy => ConfidenceInterval.Of([.. Runs.Select(r => r.Accuracy)]);

    public ConfidenceInterval TokensPerQuestion => ConfidenceInterval.Of([.. Runs.Select(r => r.TokensPerQuestion)]);

    public ConfidenceInterval SecondsPerQuestion => ConfidenceInterval.Of([.. Runs.Select(r => r.SecondsPerQuestion)]);

    /// <summary>"recursive n=2", or the method alone for single-agent methods.</summary>
    public string Label => Rounds == 0 ? Method : $"{Method} n={Rounds}";
}

/// <summary>The comparison table: rows in the order run, with 95% t-intervals over seeds.</summary>
public sealed record ComparisonResult(string System, string Data, int Questions, double Temperature, IReadOnlyList<ComparisonRow> Rows)
{
    public string ToJson()
    {
        static JsonObject Interval(ConfidenceInterval ci) => new() { ["mean"] = ci.Mean, ["ci95"] = ci.HalfWidth };
        var root = new JsonObject
        {
            ["system"] = System,
            ["data"] = Data,
            ["questions"] = Questions,
            ["temperature"] = Temperature,
            ["rows"] = new JsonArray([.. Rows.Select(r => (JsonNode)new JsonObject
            {
                ["method"] = r.Method,
                ["rounds"] = r.Rounds == 0 ? null : r.Rounds,
                ["accuracy"] = Interval(r.Accuracy),
                ["tokens_per_question"] = Interval(r.TokensPerQuestion),
                ["seconds_per_question"] = Interval(r.SecondsPerQuestion),
                ["seeds"] = new JsonArray([.. r.Runs.Select(s => (JsonNode)new JsonObject
                {
                    ["seed"] = s.Seed,
                    ["correct"] = s.Correct,
                    ["questions"] = s.Questions,
                    ["accuracy"] = s.Accuracy,
                    ["tokens_per_question"] = s.TokensPerQuestion,
                    ["seconds_per_question"] = s.SecondsPerQuestion,
                })]),
            })]),
            ["chart_legend"] = ComparisonChart.Legend,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
