using System.Text;
using RecursiveMas.Decoding;
using RecursiveMas.Tests.Support;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Decoding;

public class StreamingTests
{
    /// <summary>Ids are UTF-8 bytes, decoded as a byte-level tokenizer does (U+FFFD for a cut character).</summary>
    static string Bytes(IReadOnlyList<int> ids) => Encoding.UTF8.GetString([.. ids.Select(i => (byte)i)]);

    [Fact]
    public void DeltasHoldBackHalfACharacterAndConcatenateToTheText()
    {
        const string text = "añ€😀 ok";
        var stream = new StreamingDetokenizer(Bytes);
        var deltas = Encoding.UTF8.GetBytes(text).Select(b => stream.Append(b)).ToList();

        Assert.Equal(text, string.Concat(deltas));
        Assert.DoesNotContain(deltas, d => d.Contains('\uFFFD'));
        Assert.Equal(["a", "", "ñ", "", "", "€"], deltas.Take(6));
        Assert.Equal("", stream.Finish(text));
        // Text already handed out cannot be taken back: a shorter final text adds nothing.
        Assert.Equal("", stream.Finish("añ"));
        Assert.Equal("!", stream.Finish(text + "!"));
    }

    [Fact]
    public void TheGeneratorReportsEveryTokenAndStopsWhenCancelled()
    {
        using var model = TinyModels.Create(TinyModels.Llama());
        var prompt = new RecursiveMas.Models.ForwardInput { InputIds = tensor(new long[] { 5, 9, 17 }).unsqueeze(0) };
        var seen = new List<(int Row, int Id)>();
        var full = new TokenGenerator(model) { OnToken = (r, id) => seen.Add((r, id)) }
            .Generate(prompt, new SamplingOptions { MaxNewTokens = 10 }, new HashSet<int>()).Single();
        Assert.Equal(full.TokenIds, seen.Select(s => s.Id));
        Assert.All(seen, s => Assert.Equal(0, s.Row));

        using var cancel = new CancellationTokenSource();
        int count = 0;
        var generator = new TokenGenerator(model)
        {
            CancellationToken = cancel.Token,
            OnToken = (_, _) => { if (++count == 4) cancel.Cancel(); },
        };
        Assert.ThrowsAny<OperationCanceledException>(() => { generator.Generate(prompt, new SamplingOptions { MaxNewTokens = 10 }, new HashSet<int>()); });
        Assert.Equal(4, count);
    }
}
