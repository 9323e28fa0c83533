using System.Diagnostics;

namespace RecursiveMas.Hub;

/// <summary>
/// curl's <c>--speed-limit</c>/<c>--speed-time</c> for one answer's body: fewer than
/// <see cref="HubLimits.LowSpeedBytesPerSecond"/> on average over a <see cref="HubLimits.LowSpeedWindow"/> ends it.
/// The idle timeout bounds each wait for bytes, not the whole body: a server sending a byte now and then, each inside
/// that timeout, would otherwise hold a pull forever. Windows follow one another (the count starts again at each
/// window's end), so a body that slows down is caught within two windows and one idle timeout.
/// </summary>
public sealed class HubLowSpeedRule(HubLimits limits, long bytesAtStart)
{
    long windowStart = Stopwatch.GetTimestamp();
    long bytesAtWindowStart = bytesAtStart;

    /// <summary>
    /// Null while the body keeps up; once a window has passed with too few bytes, what came in it and at what rate,
    /// for the caller's error. <paramref name="bytesSoFar"/> counts from the same origin as the start's bytes.
    /// </summary>
    public string? Check(long bytesSoFar)
    {
        var elapsed = Stopwatch.GetElapsedTime(windowStart);
        if (elapsed < limits.LowSpeedWindow)
            return null;
        long bytes = bytesSoFar - bytesAtWindowStart;
        double rate = bytes / elapsed.TotalSeconds;
        if (rate < limits.LowSpeedBytesPerSecond)
            return $"{bytes} bytes in the last {elapsed.TotalSeconds:0.#} s ({rate:0.#} bytes/s, below the {limits.LowSpeedBytesPerSecond} bytes/s " +
                $"a body must keep up over {limits.LowSpeedWindow.TotalSeconds:0.#} s)";
        windowStart = Stopwatch.GetTimestamp();
        bytesAtWindowStart = bytesSoFar;
        return null;
    }
}
