using RecursiveMas.Pretraining;

namespace RecursiveMas.Zoo;

/// <summary>
/// One agent of the zoo: its role (agent name), model folder (relative to the zoo), architecture, the
/// latent steps m it thinks for (enough to cover its role text, so a rollout can carry all of it), and
/// its share of the pre-training steps (the critic, who does the arithmetic, gets the most).
/// </summary>
public sealed record ZooAgent(string Name, string ModelFolder, TinyDecoderShape Shape, int LatentSteps, double StepShare);
