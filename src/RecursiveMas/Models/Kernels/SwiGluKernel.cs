using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// The SwiGLU gate of <see cref="Blocks.GatedMlp"/> — silu(gate) · up — in one pass on the CPU. libtorch runs
/// it as two ops over [B, T, intermediate] (silu, then the product), each a call and a temporary; on a batched
/// prefill of the small agents the two were ≈ 8 % of the time.
/// </summary>
/// <remarks>
/// <para>
/// Gives libtorch's bits. libtorch's silu is x / (1 + exp(−x)) with its vectors' exp (SLEEF's <c>expf_u10</c>:
/// a rounded range reduction by ln 2 in two fused steps, a degree-6 polynomial in fused multiply-adds, a scale
/// by 2^q in two halves; the same in every lane at any width) over two of its vectors at a time, and the C
/// library's <c>expf</c> for the rest of a row; <see cref="SleefExp.Of"/> reproduces the first, <see cref="MathF.Exp"/>
/// is the second. Where the rest starts follows libtorch's vector width — 32 elements a pass with AVX-512,
/// 16 with AVX2 — which libtorch does not report: the probe on first use tries both and the kernel runs
/// with the one that agreed bit for bit (<see cref="Agrees"/>), like <see cref="RmsNormKernel"/>.
/// </para>
/// <para>
/// More batch-invariant than libtorch: each row is computed alone. libtorch splits a tensor of more than
/// 32,768 elements between its threads at the middle element, and where that falls inside a row the elements
/// before the row's next multiple of 32 go through <c>expf</c> instead of the vector exp — so one row of a
/// batched prefill could differ from the same row alone in the last bit (measured: 2 rows of 9,528 over the
/// zoo's and the bench agents' widths, one ulp each). Here every row gets its rows-alone bits.
/// </para>
/// <para>
/// Takes only what it handles — float32 on the CPU without autograd, gate and up of one [B, T, n] shape with
/// the last dimension contiguous (the views a fused gate/up projection gives), where the kernels run
/// (<see cref="CpuLinear.Available"/>) — and returns null otherwise.
/// </para>
/// </remarks>
internal static unsafe class SwiGluKernel
{
    const int Lanes = 16;

    // libtorch's elementwise loop takes two of its vectors at a time (16 lanes with AVX-512, 8 with AVX2) and
    // leaves the rest of a row (n mod 32, n mod 16) to the scalar op.
    static readonly int[] s_libtorchSteps = [32, 16];

    // libtorch's grain: tensors smaller than this run on one thread there, and here.
    const long ParallelElements = 32768;

    // The elements libtorch's loop takes at a time here, as the probe found it; 0 where no width gave its bits.
    static readonly Lazy<int> s_libtorchStep = new(FindLibtorchStep);

    struct Job
    {
        public float* Gate, Up, Y;
        public long GateBatch, GateRow, UpBatch, UpRow, Positions, Rows;
        public int Width, Parts, VectorStep;
    }

    /// <summary>Whether the kernel gave libtorch's bits on the probe (checked once, on first use).</summary>
    public static bool Agrees => s_libtorchStep.Value > 0;

    /// <summary>gate, up [B, T, n] → a new contiguous silu(gate) · up; null when not handled.</summary>
    public static Tensor? TryRun(Tensor gate, Tensor up)
    {
        if (!CpuLinear.Runs || !CpuLinear.Handles(gate) || !CpuLinear.Handles(up) || !Agrees)
            return null;
        return Run(gate, up);
    }

    /// <summary>
    /// x [B, T, n] → a new contiguous silu(x), each row alone with libtorch's bits for that row (the Gated
    /// DeltaNet's activations: libtorch's tail rounding would otherwise follow the batch); null when not handled.
    /// </summary>
    public static Tensor? TrySilu(Tensor x)
    {
        if (!CpuLinear.Runs || !CpuLinear.Handles(x) || !Agrees)
            return null;
        return Run(x, null);
    }

    /// <summary>
    /// The kernel without the probe's verdict (the probe and tests call it); no <paramref name="up"/>: silu alone.
    /// <paramref name="vectorStep"/>: where a row's scalar rest starts (see the remarks); 0, the probe's finding.
    /// </summary>
    internal static Tensor? Run(Tensor gate, Tensor? up, int vectorStep = 0)
    {
        if (!CpuLinear.Available)
            return null;
        long[] shape = gate.Sizes(), gateStrides = gate.Strides(), upStrides = up?.Strides() ?? [0, 0, 1];
        if (shape.Length != 3 || (up is not null && !up.Sizes().SequenceEqual(shape)) || gateStrides[2] != 1 || upStrides[2] != 1 || shape[2] > int.MaxValue)
            return null;
        var output = empty(shape, ScalarType.Float32, gate.device);
        long rows = shape[0] * shape[1];
        if (rows == 0 || shape[2] == 0)
            return output;
        var job = new Job
        {
            Gate = TensorData.Floats(gate),
            Up = up is null ? null : TensorData.Floats(up),
            Y = TensorData.Floats(output),
            GateBatch = gateStrides[0],
            GateRow = gateStrides[1],
            UpBatch = upStrides[0],
            UpRow = upStrides[1],
            Positions = shape[1],
            Rows = rows,
            Width = (int)shape[2],
            VectorStep = vectorStep > 0 ? vectorStep : s_libtorchStep.Value > 0 ? s_libtorchStep.Value : s_libtorchSteps[0],
        };
        Launch(job);
        return output;
    }

    /// <summary>
    /// silu(gate) · up over raw rows (the fused one-position step, <see cref="Blocks.DecoderStep"/>): row r's gate
    /// and up start at gate + r·<paramref name="rowStride"/> and up + r·<paramref name="rowStride"/>, its result at
    /// y + r·n; split between threads as <see cref="Run"/> splits a tensor. Callers check <see cref="Agrees"/> first.
    /// </summary>
    internal static void RunRows(float* gate, float* up, long rowStride, int rows, int n, float* y)
    {
        var job = new Job
        {
            Gate = gate,
            Up = up,
            Y = y,
            GateBatch = rowStride,
            GateRow = rowStride,
            UpBatch = rowStride,
            UpRow = rowStride,
            Positions = 1,
            Rows = rows,
            Width = n,
            VectorStep = s_libtorchStep.Value,
        };
        Launch(job);
    }

    /// <summary>Runs a job on the team, split by rows once it reaches libtorch's grain.</summary>
    static void Launch(Job job)
    {
        job.Parts = job.Rows * job.Width < ParallelElements ? 1 : OpenMpTeam.Parts((int)Math.Min(job.Rows, int.MaxValue));
        OpenMpTeam.Run(&Part, &job, job.Parts);
    }

    static void Part(void* state, int part)
    {
        var job = (Job*)state;
        long per = (job->Rows + job->Parts - 1) / job->Parts;
        long first = part * per, end = Math.Min(job->Rows, first + per);
        for (long row = first; row < end; row++)
        {
            long b = row / job->Positions, t = row % job->Positions;
            Row(job->Gate + b * job->GateBatch + t * job->GateRow, job->Up == null ? null : job->Up + b * job->UpBatch + t * job->UpRow, job->Y + row * job->Width, job->Width, job->VectorStep);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Row(float* gate, float* up, float* y, int n, int vectorStep)
    {
        var one = Vector512.Create(1f);
        var signBit = Vector512.Create(-0f);
        int i = 0;
        for (int vectorized = n - n % vectorStep; i < vectorized; i += Lanes)
        {
            var x = Vector512.Load(gate + i);
            // silu as its own op (rounded), then the product with up (rounded): libtorch's two ops.
            var activated = Vector512.Divide(x, Vector512.Add(one, SleefExp.Of(Vector512.Xor(x, signBit))));
            (up == null ? activated : Vector512.Multiply(activated, Vector512.Load(up + i))).Store(y + i);
        }
        for (; i < n; i++)
        {
            float x = gate[i];
            float activated = x / (1f + MathF.Exp(-x));
            y[i] = up == null ? activated : activated * up[i];
        }
    }

    /// <summary>
    /// The first of libtorch's possible steps (see the remarks) with which the kernel gives libtorch's silu and
    /// product bit for bit over rows of several widths, including the range exp saturates in; 0 for none.
    /// </summary>
    static int FindLibtorchStep()
    {
        if (!CpuLinear.Available)
            return 0;
        using var scope = NewDisposeScope();
        using var generator = new Generator(20261206);
        var probes = new List<(Tensor Gate, Tensor Up, Tensor Expected)>();
        foreach (int n in new[] { 5, 16, 24, 40, 96, 288, 384, 1000, 1536, 2048 })
        {
            // A fused [rows, 2n] output read as its two halves, values from tiny to past exp's range.
            int rows = Math.Max(1, 8192 / n);
            var fused = randn([1, rows, 2 * n], generator: generator) * 12;
            fused[0, 0, 0] = tensor(-110f);
            fused[0, 0, 1] = tensor(105f);
            var gate = fused.narrow(-1, 0, n);
            var up = fused.narrow(-1, n, n);
            using (CpuLinear.UseLibtorch())
                probes.Add((gate, up, nn.functional.silu(gate) * up));
        }
        foreach (int step in s_libtorchSteps)
            if (probes.All(p => Run(p.Gate, p.Up, step) is { } actual && actual.equal(p.Expected).all().item<bool>()))
                return step;
        return 0;
    }
}
