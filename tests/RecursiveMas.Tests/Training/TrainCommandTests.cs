using System.Text.Json;
using RecursiveMas.Charts;
using RecursiveMas.Cli;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Training;

public sealed class TrainCommandTests(SecretRelay relay) : IClassFixture<SecretRelay>
{
    (string System, string Data, string Eval, string Out) Files()
    {
        var description = relay.Describe(latentSteps: 2, rounds: 2);
        string folder = Path.GetDirectoryName(description.SourcePath)!;
        string data = Path.Combine(folder, "train.jsonl"), eval = Path.Combine(folder, "eval.jsonl");
        static string Line(RecursiveMas.Training.TrainingExample e) =>
            JsonSerializer.Serialize(new { question = e.Question, roles = e.RoleTargets, answer = e.Answer });
        File.WriteAllLines(data, SecretRelay.Examples(8, 0).Select(Line));
        File.WriteAllLines(eval, SecretRelay.Examples(4, 100).Select(Line));
        return (description.SourcePath!, data, eval, Path.Combine(folder, "out"));
    }

    [Fact]
    public void TrainsBothStagesAndPrintsTheReportAsJson()
    {
        var (system, data, eval, output) = Files();
        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--eval", eval, "--stage", "both", "--out", output,
            "--steps", "2", "--warmup", "0", "--rounds", "2", "--json");
        Assert.True(code == ExitCodes.Success, text);
        using var json = JsonDocument.Parse(text);
        var stages = json.RootElement.GetProperty("stages");
        Assert.Equal(["inner", "outer"], stages.EnumerateArray().Select(s => s.GetProperty("stage").GetString()));
        Assert.Equal(0, json.RootElement.GetProperty("warnings").GetArrayLength());
        // Each stage's own loss on the --eval examples, before and after: the validation curve's ends.
        Assert.All(stages.EnumerateArray(), s => Assert.True(s.GetProperty("evaluation_loss").GetDouble() > 0 && s.GetProperty("initial_evaluation_loss").GetDouble() > 0, s.ToString()));
        Assert.True(File.Exists(Path.Combine(output, "links", "outer.Expert-Learner.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, "checkpoint-outer.safetensors")));
        Assert.Equal(4, File.ReadLines(Path.Combine(output, "train-log.jsonl")).Count());
        Assert.Equal((TrainingChart.Width, TrainingChart.Height), PngHeader.SizeOf(Path.Combine(output, "train-log.png")));

        // The trained links run with rmas run.
        (code, text) = CliRunner.Run("run", "--system", system, "--links", Path.Combine(output, "links"), "--question", "Ann: 3 3 3", "--json");
        Assert.True(code == ExitCodes.Success, text);
    }

    [Fact]
    public void ALearningRateWhoseFirstAdamWStepOverflowsFloat32IsAUsageErrorNamingTheOption()
    {
        // 1e300 is a finite double, so the parser took it; AdamW's first step, lr / (1 − beta1), as a float32 scalar
        // was TorchSharp's "value cannot be converted to type float without overflow": exit 70 at the first step.
        var (system, data, _, output) = Files();
        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "inner", "--out", output, "--steps", "1", "--warmup", "0", "--lr", "1e300");
        Assert.True(code == ExitCodes.Usage, text);
        Assert.Contains("--lr: the learning rate must be at most 1E+38 × (1 − beta1)", text);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecursiveMas.Training.TrainingOptions { LearningRate = 1e34, Beta1 = 0.99999 }.Validate());
        new RecursiveMas.Training.TrainingOptions { LearningRate = 1e30 }.Validate();

        string model = Path.Combine(Path.GetDirectoryName(system)!, "pretrain-lr");
        (code, text) = CliRunner.Run("pretrain", "--system", system, "--agent", "Expert", "--data", data, "--hidden", "32", "--layers", "1", "--vocab", "300",
            "--steps", "1", "--batch", "2", "--lr", "1e300", "--out", model);
        Assert.True(code == ExitCodes.Usage, text);
        Assert.Contains("--lr must be at most 1E+37", text);
        Assert.False(Directory.Exists(model));
    }

    [Fact]
    public void ARoleTextLongerThanATrainingRowIsNamedWithItsLineAndAgent()
    {
        var (system, data, _, output) = Files();
        // One agent's role text on line 3 far past the 4,096 tokens a training row reads (the target is never cut).
        var lines = File.ReadAllLines(data);
        var third = System.Text.Json.Nodes.JsonNode.Parse(lines[2])!;
        third["roles"]!["Expert"] = string.Concat(Enumerable.Repeat("3 ", 5000));
        lines[2] = third.ToJsonString();
        string longer = Path.Combine(Path.GetDirectoryName(data)!, "long-role.jsonl");
        File.WriteAllLines(longer, lines);

        var (code, text) = CliRunner.Run("train", "--system", system, "--data", longer, "--stage", "inner", "--out", output + "-long", "--steps", "1",
            "--batch-size", "8", "--warmup", "0");
        Assert.True(code == ExitCodes.InvalidInput, text);
        Assert.Contains("long-role.jsonl:3", text.Replace("\n", "").Replace("\r", "").Replace(Environment.NewLine, ""));
        Assert.Contains("the target text of agent Expert is", text);
    }

    [Theory]
    [InlineData("--mse-weight", "1e300")]
    [InlineData("--inner-token-weight", "3.5e38")]
    [InlineData("--consistency-weight", "1.7e308")]
    [InlineData("--receiver-weight", "1e39")]
    [InlineData("--earlier-round-weight", "1e300")]
    public void ALossWeightBeyondFloat32IsAUsageErrorNamingTheOption(string option, string weight)
    {
        // A finite double past float32's range was taken: every loss it multiplied was infinite, every step skipped.
        // (The command line refuses NaN and infinity itself; TrainingOptions set from C# can hold them.)
        var (system, data, _, output) = Files();
        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "inner", "--out", output, "--steps", "1", "--warmup", "0", option, weight);
        Assert.True(code == ExitCodes.Usage, text);
        Assert.Contains($"{option}: a loss weight must be between 0 and 3.4028235E+38", text);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RecursiveMas.Training.TrainingOptions { LaterRoundReceiverWeight = double.PositiveInfinity }.Validate());
        Assert.Equal(nameof(RecursiveMas.Training.TrainingOptions.LaterRoundReceiverWeight), error.ParamName);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => new RecursiveMas.Training.TrainingOptions { MseWeight = double.NaN }.Validate());
        Assert.Equal(nameof(RecursiveMas.Training.TrainingOptions.MseWeight), error.ParamName);
        new RecursiveMas.Training.TrainingOptions { MseWeight = float.MaxValue, InnerTokenWeight = 3e38 }.Validate();
    }

    [Fact]
    public void AStageWhoseStepsWereAllSkippedSaysSo()
    {
        // A loss weight so large every loss is infinite skips every step (as released): the summary said nothing.
        // 3e38 is a float32, so the options take it; the weighted MSE past float32's range is not.
        var (system, data, _, output) = Files();
        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "inner", "--out", output + "-skipped", "--steps", "2",
            "--warmup", "0", "--mse-weight", "3e38");
        Assert.True(code == ExitCodes.Success, text);
        Assert.Contains("2 of 2 step(s) skipped", text);
        Assert.Contains("no step updated the links", text.Replace(Environment.NewLine, " "));

        // --json said it only as skipped_steps, deep in a stage: a script reading the report saw a success.
        (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "inner", "--out", output + "-skipped-json", "--steps", "2",
            "--warmup", "0", "--mse-weight", "3e38", "--json");
        Assert.True(code == ExitCodes.Success, text);
        using var json = JsonDocument.Parse(text);
        string warning = Assert.Single(json.RootElement.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.StartsWith("inner: 2 of 2 step(s) skipped", warning);
        Assert.Contains("no step updated the links", warning);
    }

    [Fact]
    public void AnOutputFolderHoldingOtherFilesIsRefusedBeforeAnyStepAndKeptWhole()
    {
        var (system, data, _, shared) = Files();
        string output = shared + "-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.Combine(output, "links", "mine"));
        File.WriteAllText(Path.Combine(output, "links", "notes.txt"), "precious");

        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output, "--steps", "2", "--warmup", "0");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("mine/", text);

        // --out a file (or a folder below a file): .NET's "The file '…' already exists" named neither what was wanted
        // nor what was wrong; tasks --out the same.
        string file = output + ".txt";
        File.WriteAllText(file, "precious");
        foreach (string bad in new[] { file, Path.Combine(file, "deeper") })
        {
            (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "inner", "--out", bad, "--steps", "1", "--warmup", "0");
            Assert.True(code == ExitCodes.InvalidInput, text);
            Assert.Contains("is a file, not a folder", text);
            (code, text) = CliRunner.Run("tasks", "--task", "arithmetic", "--train", "2", "--val", "1", "--test", "1", "--out", bad);
            Assert.True(code == ExitCodes.InvalidInput, text);
            Assert.Contains("is a file, not a folder", text);
        }
        Assert.Equal("precious", File.ReadAllText(file));
        Assert.Equal("precious", File.ReadAllText(Path.Combine(output, "links", "notes.txt")));
        Assert.False(File.Exists(Path.Combine(output, "train-log.jsonl")), "it trained before refusing");
    }

    [Fact]
    public void ABatchLargerThanTheDataAndAnOptionWithoutItsValueAreRefused()
    {
        var (system, data, _, output) = Files();
        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output, "--batch-size", "100000");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("8 training examples", text);

        // The trainer's rules are checked before any model loads, naming the option.
        (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output, "--mse-weight", "-1");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--mse-weight: a loss weight must be between 0 and", text);
        Assert.DoesNotContain("Parameter", text);

        // Latent steps past what rmas run allows: 2e9 reached libtorch's zeros as an allocation it refused (exit 70).
        (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--message-source", "rollout", "--out", output, "--latent-steps", "2000000000");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--latent-steps: an agent thinks between 1 and 4096 latent steps", text);

        // Micro-batches per step without a bound: 2e9 was taken, and its first step would never have ended.
        (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output, "--grad-accum", "2000000000");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--grad-accum: accumulate between 1 and 4096 micro-batches per step", text);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecursiveMas.Training.TrainingOptions { GradientAccumulation = 4097 }.Validate());
        new RecursiveMas.Training.TrainingOptions { GradientAccumulation = 4096 }.Validate();

        // --eval-every without held-out data to score was silently ignored.
        (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output, "--eval-every", "5");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--eval-every needs --eval FILE", text);

        (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("option --out needs a value", text);
        Assert.False(Directory.Exists("__default_command"));
    }

    [Fact]
    public async Task SigtermStopsATrainingRunWith130AndLeavesNoTemporaryFiles()
    {
        var (system, data, _, shared) = Files();
        string output = shared + "-" + Guid.NewGuid().ToString("N");
        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "rmas"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "train", "--system", system, "--data", data, "--stage", "outer", "--out", output, "--steps", "100000",
            "--warmup", "0", "--checkpoint-every", "1", "--threads", "1" })
            start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            // Running: its log has a step (bounded only so that a regression cannot hang the suite).
            string log = Path.Combine(output, "train-log.jsonl");
            using (var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
                while (!(File.Exists(log) && new FileInfo(log).Length > 0) && !process.HasExited)
                    await Task.Delay(100, bound.Token);
            if (process.HasExited)
                Assert.Fail("rmas train ended before it was stopped: " + await stderr);

            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill!.WaitForExitAsync();
            var exited = process.WaitForExitAsync();
            Assert.Same(exited, await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMinutes(3))));

            Assert.Equal(ExitCodes.Cancelled, process.ExitCode);
            Assert.Contains("cancelled", await stdout + await stderr);
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(output, "*", SearchOption.AllDirectories),
                p => p.EndsWith(".tmp", StringComparison.Ordinal) || p.Contains(".partial", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void TrainsOverBf16ModelsWithTheSharedDtypeOption()
    {
        var (system, data, _, output) = Files();
        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output,
            "--steps", "2", "--warmup", "0", "--dtype", "bf16", "--json");
        Assert.True(code == ExitCodes.Success, text);
        Assert.True(File.Exists(Path.Combine(output, "links", "outer.Expert-Learner.safetensors")));
        (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output + "-x", "--dtype", "f64");
        Assert.Equal(ExitCodes.Usage, code); // refused with the options, before any model loads
        Assert.Contains("--dtype: unknown dtype \"f64\"", text);
    }

    [Fact]
    public void TrainsBf16LinksOverBf16ModelsAsReleasedAndTheLinksRun()
    {
        var (system, data, _, output) = Files();
        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "both", "--out", output,
            "--steps", "2", "--warmup", "0", "--dtype", "bf16", "--link-dtype", "bf16", "--json");
        Assert.True(code == ExitCodes.Success, text);
        string links = Path.Combine(output, "links");
        foreach (var path in Directory.EnumerateFiles(links, "*.safetensors"))
        {
            using var file = RecursiveMas.Models.SafeTensors.SafeTensorsFile.Open(path);
            Assert.All(file.Tensors, t => Assert.Equal(RecursiveMas.Models.SafeTensors.SafeTensorsDType.BF16, t.DType));
        }
        (code, text) = CliRunner.Run("run", "--system", system, "--links", links, "--question", "Ann: 3 3 3", "--json");
        Assert.True(code == ExitCodes.Success, text);

        (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--out", output + "-x", "--link-dtype", "f16");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--link-dtype", text);
    }

    [Fact]
    public void TheOptionsBeyondTheReleaseReachTheTrainerAndItsCheckpoints()
    {
        var (system, data, eval, output) = Files();
        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "both", "--out", output,
            "--steps", "2", "--warmup", "0", "--rounds", "2", "--message-source", "rollout", "--json",
            "--inner-reads-messages", "--inner-token-weight", "0.5", "--consistency-weight", "0.25", "--receiver-weight", "2", "--detach-senders");
        Assert.True(code == ExitCodes.Success, text);
        using (var inner = RecursiveMas.Models.SafeTensors.SafeTensorsFile.Open(Path.Combine(output, "checkpoint-inner.safetensors")))
        {
            Assert.Equal("true", inner.Metadata["inner_reads_role_messages"]);
            Assert.Equal("0.5", inner.Metadata["inner_token_weight"]);
            Assert.Equal("0.25", inner.Metadata["inner_consistency_weight"]);
        }
        using var outer = RecursiveMas.Models.SafeTensors.SafeTensorsFile.Open(Path.Combine(output, "checkpoint-outer.safetensors"));
        Assert.Equal("2", outer.Metadata["receiver_role_weight"]);
        Assert.Equal("true", outer.Metadata["detach_senders"]);
        Assert.Equal("rollout", outer.Metadata["message_source"]);
    }

    [Fact]
    public void ShowsProgressAndASummaryThenResumes()
    {
        var (system, data, _, output) = Files();
        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output,
            "--steps", "2", "--message-source", "rollout", "--checkpoint-every", "1");
        Assert.True(code == ExitCodes.Success, text);
        Assert.Contains("final loss", text);
        Assert.Contains("outer.Expert-Learner", text); // the per-round gradient table
        Assert.Contains("links:", text);

        (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output,
            "--steps", "2", "--message-source", "teacher", "--resume");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("message_source", text);
    }

    [Fact]
    public void ALearningRateThatBreaksTheLinksStopsTrainingNamingTheStepAndKeepsWhatWasSaved()
    {
        var (system, data, _, shared) = Files();
        string output = shared + "-" + Guid.NewGuid().ToString("N");
        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output, "--steps", "2", "--warmup", "0");
        Assert.True(code == ExitCodes.Success, text);
        string links = Path.Combine(output, "links"), checkpoint = Path.Combine(output, "checkpoint-outer.safetensors");
        var saved = Directory.EnumerateFiles(links).Append(checkpoint).ToDictionary(f => f, File.ReadAllBytes);

        // A finite, positive rate passes the settings check; its first update moves every weight by about 1e30.
        (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output, "--steps", "4", "--warmup", "0",
            "--lr", "1e30", "--checkpoint-every", "1");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("training diverged in the outer stage at step 1", text);
        Assert.Contains("learning rate 1E+30", text);
        Assert.All(saved, file => Assert.Equal(file.Value, File.ReadAllBytes(file.Key)));
        Assert.Equal(saved.Keys.Where(f => f != checkpoint).Order(), Directory.EnumerateFiles(links).Order());

        // Rates that are not finite and above 0 never get that far: the settings check names --lr.
        foreach (string rate in new[] { "0", "-1e-3", "nan", "inf" })
        {
            (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--stage", "outer", "--out", output, "--lr", rate);
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("--lr", text);
        }
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public void BadInputIsExitCodeOneNamingTheFile()
    {
        var (system, data, _, output) = Files();
        File.AppendAllText(data, "{not json}\n");
        var (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--out", output);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("train.jsonl", text);
        Assert.Contains("line 9", text);

        (code, text) = CliRunner.Run("train", "--system", system, "--data", data, "--out", output, "--stage", "middle");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--stage", text);
    }

    [Fact]
    public void TheTrainingBenchComparesAnOuterStepWithAFrozenForwardBackward()
    {
        var (code, output) = CliRunner.Run("bench", "--suite", "training", "--quick", "--json");
        Assert.True(code == ExitCodes.Success, output);
        using var json = JsonDocument.Parse(output);
        var ratios = json.RootElement.GetProperty("outer_step_vs_frozen_forward_backward");
        Assert.Equal(["outer step, teacher messages, 3 rounds", "outer step, rollout messages, 3 rounds"], ratios.EnumerateObject().Select(p => p.Name));
        Assert.All(ratios.EnumerateObject(), p => Assert.True(p.Value.GetProperty("time_ratio").GetDouble() > 0 && p.Value.GetProperty("memory_ratio").GetDouble() > 0));
        // Per source, the Planner → Critic link hears from all three rounds.
        var rounds = json.RootElement.GetProperty("round_gradients").EnumerateArray()
            .Where(r => r.GetProperty("link").GetString() == "outer.Planner-Critic").ToList();
        Assert.Equal(["teacher1", "teacher2", "teacher3", "rollout1", "rollout2", "rollout3"],
            rounds.Select(r => r.GetProperty("message_source").GetString() + r.GetProperty("round").GetInt32()));
        Assert.All(rounds, r => Assert.True(r.GetProperty("gradient_norm").GetDouble() > 0));
    }
}
