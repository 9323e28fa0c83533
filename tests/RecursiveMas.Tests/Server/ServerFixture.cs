using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using RecursiveMas.Extensions.AI;
using RecursiveMas.Server;
using RecursiveMas.Systems;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Server;

/// <summary>
/// A real Kestrel server on a free loopback port serving a tiny Sequential system (two rounds, greedy,
/// 8 answer tokens), with small limits so the limit tests stay small. Built once per test class.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const long MaxBodyBytes = 16 * 1024;
    public const int MaxTokens = 64;

    public TinySystems Zoo { get; } = new();
    public RecursiveSystem System { get; private set; } = null!;
    public RecursiveMasChatClient Client { get; private set; } = null!;
    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        System = Zoo.Load("sequential", 2, maxNewTokens: 8);
        Client = new RecursiveMasChatClient(System, new RecursiveMasChatClientOptions { MaxOutputTokens = MaxTokens, MaxRounds = 4, MaxLatentSteps = 16 });
        App = RmasServer.Create(Client, SystemOverview.Of(System), new RmasServerOptions
        {
            Urls = ["http://127.0.0.1:0"],
            MaxRequestBodyBytes = MaxBodyBytes,
        });
        await App.StartAsync();
        BaseUrl = App.Urls.Single();
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Client.Dispose();
        System.Dispose();
        Zoo.Dispose();
    }

    /// <summary>POSTs <paramref name="json"/> to the chat completions endpoint.</summary>
    public Task<HttpResponseMessage> Post(string json) =>
        Http.PostAsync("/v1/chat/completions", new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
}
