using PSContainer.Api;

namespace PSContainer.Module.Client;

public sealed partial class EngineClient
{
    public Task<ExecCreateResponse> CreateExecAsync(string containerId, ExecCreateRequest request, CancellationToken cancellationToken) =>
        PostJsonAsync($"/containers/{Segment(containerId)}/exec", request, Json.ExecCreateRequest, Json.ExecCreateResponse,
            EngineResource.Container, containerId, cancellationToken);

    /// <summary>Starts an exec instance and takes over the connection for its stdio.</summary>
    public Task<HijackedConnection> StartExecAsync(string execId, bool tty, CancellationToken cancellationToken) =>
        HijackAsync($"/exec/{Segment(execId)}/start",
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new ExecStartRequest { Detach = false, Tty = tty }, Json.ExecStartRequest),
            tty, EngineResource.Exec, execId, cancellationToken);

    public Task<ExecInspect> InspectExecAsync(string execId, CancellationToken cancellationToken) =>
        GetJsonAsync($"/exec/{Segment(execId)}/json", Json.ExecInspect, EngineResource.Exec, execId, cancellationToken);

    public Task ResizeExecTtyAsync(string execId, int height, int width, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Post, new QueryString($"/exec/{Segment(execId)}/resize").Add("h", height).Add("w", width).ToString(),
            null, EngineResource.Exec, execId, cancellationToken);
}
