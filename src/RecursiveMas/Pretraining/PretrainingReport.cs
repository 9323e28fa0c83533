using System.Text.Json;

namespace RecursiveMas.Pretraining;

/// <summary>What a training run did: steps, data, size, loss at the start and end (means of 10 steps), time.</summary>
public sealed record PretrainingReport(int Steps, int Conversations, long TokensSeen, long Parameters, double InitialLoss, double FinalLoss, double Seconds)
{
    public string ToJson() => JsonSerializer.Serialize(new
    {
        steps = Steps,
        conversations = Conversations,
        tokens_seen = TokensSeen,
        parameters = Parameters,
        initial_loss = InitialLoss,
        final_loss = FinalLoss,
        seconds = Seconds,
    });
}
