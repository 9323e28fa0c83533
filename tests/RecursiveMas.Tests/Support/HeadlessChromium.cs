using PuppeteerSharp;

namespace RecursiveMas.Tests.Support;

/// <summary>
/// Debian's <c>chromium</c>, launched headless by PuppeteerSharp through <see cref="LaunchOptions.ExecutablePath"/>
/// (nothing is downloaded) with a fresh profile. Not finding it is a test failure that says how to
/// install it, never a silent pass.
/// </summary>
public static class HeadlessChromium
{
    static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

    /// <summary>The browser to use: <c>RMAS_CHROMIUM</c> when set, else the first of Debian's usual paths.</summary>
    public static string Locate()
    {
        string? configured = Environment.GetEnvironmentVariable("RMAS_CHROMIUM");
        if (!string.IsNullOrEmpty(configured))
            return File.Exists(configured) ? configured : throw new FileNotFoundException($"RMAS_CHROMIUM names {configured}, which does not exist", configured);
        return Candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
            "Chromium was not found (looked for " + string.Join(", ", Candidates) + "). Install it with `bash .ci/ensure-chromium` " +
            "(apt-get install chromium), or set RMAS_CHROMIUM to a Chromium or Chrome binary. The browser test needs it; it does not skip.");
    }

    /// <summary>
    /// Starts the browser. The flags keep it off the network (this machine's is closed: without them
    /// Chromium keeps trying to reach Google's hosts) and let it run as root in a container.
    /// </summary>
    public static Task<IBrowser> Launch(int width = 1280, int height = 1000) => Puppeteer.LaunchAsync(new LaunchOptions
    {
        ExecutablePath = Locate(),
        Headless = true,
        DefaultViewport = new ViewPortOptions { Width = width, Height = height },
        Args =
        [
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    });
}
