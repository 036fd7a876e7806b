using System.Text.Json;
using PSContainer.Api;

namespace PSContainer.Module.Client;

public sealed partial class EngineClient
{
    public async Task<List<VolumeSummary>> ListVolumesAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken) =>
        (await GetJsonAsync(new QueryString("/volumes").AddFilters(filters).ToString(), Json.VolumeListResponse,
            EngineResource.Volume, null, cancellationToken).ConfigureAwait(false)).Volumes;

    public Task<VolumeSummary> InspectVolumeAsync(string name, CancellationToken cancellationToken) =>
        GetJsonAsync($"/volumes/{Segment(name)}", Json.VolumeSummary, EngineResource.Volume, name, cancellationToken);

    public Task<VolumeSummary> CreateVolumeAsync(VolumeCreateRequest request, CancellationToken cancellationToken) =>
        PostJsonAsync("/volumes/create", request, Json.VolumeCreateRequest, Json.VolumeSummary, EngineResource.Volume, request?.Name, cancellationToken);

    public Task RemoveVolumeAsync(string name, bool force, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, new QueryString($"/volumes/{Segment(name)}").AddIfTrue("force", force).ToString(),
            null, EngineResource.Volume, name, cancellationToken);

    public Task<VolumePruneResponse> PruneVolumesAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken) =>
        PostForJsonAsync(new QueryString("/volumes/prune").AddFilters(filters).ToString(), Json.VolumePruneResponse, EngineResource.Volume, null, cancellationToken);

    public Task<List<NetworkSummary>> ListNetworksAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken) =>
        GetJsonAsync(new QueryString("/networks").AddFilters(filters).ToString(), Json.ListNetworkSummary, EngineResource.Network, null, cancellationToken);

    public Task<NetworkSummary> InspectNetworkAsync(string nameOrId, CancellationToken cancellationToken) =>
        GetJsonAsync($"/networks/{Segment(nameOrId)}", Json.NetworkSummary, EngineResource.Network, nameOrId, cancellationToken);

    public Task<NetworkCreateResponse> CreateNetworkAsync(NetworkCreateRequest request, CancellationToken cancellationToken) =>
        PostJsonAsync("/networks/create", request, Json.NetworkCreateRequest, Json.NetworkCreateResponse, EngineResource.Network, request?.Name, cancellationToken);

    public Task RemoveNetworkAsync(string nameOrId, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, $"/networks/{Segment(nameOrId)}", null, EngineResource.Network, nameOrId, cancellationToken);

    public Task ConnectNetworkAsync(string network, NetworkConnectRequest request, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Post, $"/networks/{Segment(network)}/connect", JsonBody(request, Json.NetworkConnectRequest),
            EngineResource.Network, network, cancellationToken);

    public Task DisconnectNetworkAsync(string network, NetworkConnectRequest request, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Post, $"/networks/{Segment(network)}/disconnect", JsonBody(request, Json.NetworkConnectRequest),
            EngineResource.Network, network, cancellationToken);

    /// <summary>POST /networks/prune; answers {"NetworksDeleted": [...]}, read without a DTO of its own.</summary>
    public async Task<IReadOnlyList<string>> PruneNetworksAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, new QueryString("/networks/prune").AddFilters(filters).ToString(),
            null, EngineResource.Network, null, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(bytes.Length == 0 ? "{}"u8.ToArray() : bytes);
        return document.RootElement.TryGetProperty("NetworksDeleted", out var deleted) && deleted.ValueKind == JsonValueKind.Array
            ? deleted.EnumerateArray().Select(e => e.GetString()).OfType<string>().ToList()
            : [];
    }
}
