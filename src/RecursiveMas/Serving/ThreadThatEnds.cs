using System.Runtime.ExceptionServices;

namespace RecursiveMas.Serving;

/// <summary>
/// Runs model work on a new thread that ends when the work returns. libtorch's OpenMP (GNU libgomp) keeps a team
/// of workers for every thread that has run a parallel region, for as long as that thread lives, and once the
/// workers outnumber the cores it stops spinning between regions and wakes them through the kernel, region by
/// region: a long-lived thread that runs a model once (a warm-up, a baseline, a count) slows every other thread's
/// models afterwards — measured, 64 zoo questions in batches of 4 took 4.1–4.9 s instead of 2.2–2.3 s after one
/// question on the main thread (<c>dotnet run -c Release --project tests/RecursiveMas.Benchmarks -- openmp-threads</c>).
/// Work run here takes its team with it. The <see cref="ContinuousBatcher"/> runs its models on its own thread already.
/// </summary>
public static class ThreadThatEnds
{
    /// <summary>The result of <paramref name="work"/>, run on a new thread named <paramref name="name"/>; its exception is rethrown here.</summary>
    public static T Run<T>(string name, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        { Name = name };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
