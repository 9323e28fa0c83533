using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using RecursiveMas.Decoding;
using RecursiveMas.Systems;

namespace RecursiveMas.Extensions.AI;

/// <summary>What a chat request asks of a system: the question and the per-run overrides.</summary>
internal sealed record ChatRequest(string Question, int? Rounds, int? LatentSteps, DecodingDescription? Decoding);

/// <summary>
/// Chat messages and <see cref="ChatOptions"/> → a question and <see cref="RunOptions"/>, with every
/// value checked against the client's bounds; errors are <see cref="ArgumentException"/>s naming the
/// option at fault.
/// </summary>
internal static class ChatRequestMapping
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key for the number of rounds n.</summary>
    public const string Rounds = "rounds";

    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key for latent steps m (every agent).</summary>
    public const string LatentSteps = "latent_steps";

    public static ChatRequest Map(IEnumerable<ChatMessage> messages, ChatOptions? options, RecursiveMasChatClientOptions settings,
        DecodingDescription? baseDecoding)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string question = Question([.. messages], settings.IncludeHistory);
        if (options is null)
            return new ChatRequest(question, null, null, WithinCeiling(baseDecoding, settings.MaxOutputTokens));

        if (options.StopSequences is { Count: > 0 })
            throw new NotSupportedException("stop sequences are not supported: a system's decoder stops at its end-of-turn token or its token budget");
        if (options.Tools is { Count: > 0 })
            throw new NotSupportedException("tools are not supported: a Deliberation system brings its own tools");
        // As the server refuses them: what changes the answer's tokens or form is refused, not dropped.
        if (options.FrequencyPenalty is float frequency && frequency != 0)
            throw new NotSupportedException("a frequency penalty is not supported: a system's decoder samples without penalties");
        if (options.PresencePenalty is float presence && presence != 0)
            throw new NotSupportedException("a presence penalty is not supported: a system's decoder samples without penalties");
        if (options.ResponseFormat is ChatResponseFormatJson)
            throw new NotSupportedException("a JSON response format is not supported: a system answers in text");

        int? rounds = IntProperty(options, Rounds, 1, settings.MaxRounds);
        int? latentSteps = IntProperty(options, LatentSteps, 1, settings.MaxLatentSteps);
        var decoding = baseDecoding ?? new DecodingDescription();
        bool overridden = false;
        if (options.Temperature is float temperature)
        {
            decoding = decoding with { Temperature = InRange(temperature, nameof(options.Temperature), SamplingRange.Temperature) };
            overridden = true;
        }
        if (options.TopP is float topP)
        {
            decoding = decoding with { TopP = InRange(topP, nameof(options.TopP), SamplingRange.TopP) };
            overridden = true;
        }
        if (options.TopK is int topK)
        {
            // -1 is "off" as in vLLM, whose top_k OpenAI clients send: the same as 0 here.
            decoding = decoding with { TopK = SamplingRange.DecoderTopK(InRange(topK, nameof(options.TopK), SamplingRange.TopK)) };
            overridden = true;
        }
        if (options.MaxOutputTokens is int maxTokens)
        {
            if (maxTokens < 1 || maxTokens > settings.MaxOutputTokens)
                throw new ArgumentOutOfRangeException(nameof(options.MaxOutputTokens), maxTokens, $"max output tokens must be between 1 and {settings.MaxOutputTokens}");
            // max_tokens bounds every token of the answer, and the boxed-answer retry (PAPER §7.3) writes past the
            // first decode's budget: a request that sets one runs without it.
            decoding = decoding with { MaxNewTokens = maxTokens, RetryWithoutBoxedAnswer = false };
            overridden = true;
        }
        if (options.Seed is long seed)
        {
            decoding = decoding with { Seed = seed };
            overridden = true;
        }
        // Without overrides the runner keeps its own settings (a generated system's, when no base was given);
        // a request without its own budget is held to the ceiling.
        var chosen = overridden ? decoding : baseDecoding;
        return new ChatRequest(question, rounds, latentSteps, options.MaxOutputTokens is null ? WithinCeiling(chosen, settings.MaxOutputTokens) : chosen);
    }

    /// <summary>
    /// The one rule for every numeric sampling option (<see cref="SamplingRange"/>, which <c>rmas generate</c> holds its
    /// options to as well): inside its range, else an <see cref="ArgumentOutOfRangeException"/> naming the
    /// <see cref="ChatOptions"/> property (the server names the field).
    /// </summary>
    static T InRange<T>(T value, string property, SamplingRange range) where T : INumber<T>
    {
        if (!range.Contains(double.CreateTruncating(value)))
            throw new ArgumentOutOfRangeException(property, value,
                $"{range.Name} must be {range.Words}, not {value.ToString(null, CultureInfo.InvariantCulture)}");
        return value;
    }

    /// <summary>
    /// A system's own decoding for a request that sets no token budget, held to the client's ceiling: where its
    /// answer budget plus the boxed-answer retry's tokens would pass <paramref name="ceiling"/>, the budget is cut to
    /// the ceiling and the retry left out (null stays null: a generated system's settings are its own).
    /// </summary>
    static DecodingDescription? WithinCeiling(DecodingDescription? decoding, int ceiling) =>
        decoding is null || decoding.MaxNewTokens + (decoding.RetryWithoutBoxedAnswer ? decoding.RetryTokens : 0) <= ceiling ? decoding
        : decoding with { MaxNewTokens = Math.Min(decoding.MaxNewTokens, ceiling), RetryWithoutBoxedAnswer = false };

    /// <summary>The last message must be the user's; its text is the question (with the history before it, when asked).</summary>
    static string Question(IReadOnlyList<ChatMessage> messages, bool includeHistory)
    {
        if (messages.Count == 0)
            throw new ArgumentException("the conversation is empty: send at least one user message", nameof(messages));
        var last = messages[^1];
        if (last.Role != ChatRole.User)
            throw new ArgumentException($"the last message must be the user's question, not a {last.Role} message", nameof(messages));
        if (string.IsNullOrWhiteSpace(last.Text))
            throw new ArgumentException("the last user message has no text", nameof(messages));
        if (!includeHistory || messages.Count == 1)
            return last.Text;

        var text = new StringBuilder();
        foreach (var m in messages.Take(messages.Count - 1).Where(m => !string.IsNullOrWhiteSpace(m.Text)))
            text.Append(Label(m.Role)).Append(": ").Append(m.Text).Append('\n');
        return text.Append(Label(ChatRole.User)).Append(": ").Append(last.Text).ToString();
    }

    static string Label(ChatRole role) => role == ChatRole.System ? "System" : role == ChatRole.Assistant ? "Assistant" : role == ChatRole.Tool ? "Tool" : "User";

    /// <summary>An integer property in [min, max]; ints, longs, integral doubles, digit strings and JSON numbers are accepted.</summary>
    static int? IntProperty(ChatOptions options, string key, int min, int max)
    {
        if (options.AdditionalProperties is null || !options.AdditionalProperties.TryGetValue(key, out object? raw) || raw is null)
            return null;
        long? value = raw switch
        {
            int i => i,
            long l => l,
            short s => s,
            double d when d == Math.Floor(d) && Math.Abs(d) < 1e15 => (long)d,
            float f when f == MathF.Floor(f) && Math.Abs(f) < 1e15f => (long)f,
            decimal m when m == decimal.Truncate(m) && Math.Abs(m) < 1e15m => (long)m,
            string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed) => parsed,
            JsonElement { ValueKind: JsonValueKind.Number } e when e.TryGetInt64(out long parsed) => parsed,
            _ => null,
        };
        if (value is null)
            throw new ArgumentException($"additional property \"{key}\" must be an integer, not {Describe(raw)}", key);
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(key, value, $"additional property \"{key}\" must be between {min} and {max}");
        return (int)value;
    }

    static string Describe(object raw) => raw is JsonElement e ? $"JSON {e.ValueKind.ToString().ToLowerInvariant()} {e.GetRawText()}" : $"{raw.GetType().Name} \"{raw}\"";
}
