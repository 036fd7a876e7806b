using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Daemon.Streams;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>Does the container have a TTY (raw stream) or not (multiplexed)?</summary>
    public bool IsTty(string idOrName) => store.Get(idOrName).Record.Config.Tty;

    /// <summary>
    /// Serves an attach on a hijacked connection until the process exits or the client leaves.
    /// When the container has no task yet, the attach waits for the next start (docker run and
    /// docker start -a attach first, so no output is missed).
    /// </summary>
    public async Task AttachAsync(string idOrName, HijackedConnection connection, AttachOptions attach, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        attach = attach with { Tty = container.Record.Config.Tty, CloseStdinOnEof = container.Record.Config.StdinOnce };
        if (attach.Stdin && !container.Record.Config.OpenStdin)
        {
            attach = attach with { Stdin = false };
        }
        var client = container.Record.State.HasTask ? tasks.Get(container.Id) : null;
        if (client is null)
        {
            var pending = new PendingAttach(connection, attach);
            lock (container.PendingAttaches)
            {
                container.PendingAttaches.Add(pending);
            }
            await pending.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        var session = await client.AttachAsync(new AttachRequest(container.Id, null, attach.Stdin, attach.Stdout, attach.Stderr), cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var outcome = await AttachBridge.RunAsync(session, connection, attach, cancellationToken).ConfigureAwait(false);
            PublishDetach(container, outcome);
        }
    }

    /// <summary>Joins a pending attach to the freshly created task; the bridge runs in the background.</summary>
    private async Task ConnectAttachAsync(Container container, ShimClient client, PendingAttach pending, CancellationToken cancellationToken)
    {
        var attach = pending.Options;
        ShimAttachSession session;
        try
        {
            session = await client.AttachAsync(new AttachRequest(container.Id, null, attach.Stdin, attach.Stdout, attach.Stderr), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ShimException or IOException or System.Net.Sockets.SocketException)
        {
            Log.AttachFailed(logger, container.Id, e.Message);
            pending.Connection.CloseOutput();
            pending.Complete();
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await using (session.ConfigureAwait(false))
                {
                    var outcome = await AttachBridge.RunAsync(session, pending.Connection, attach, container.Lifetime.Token).ConfigureAwait(false);
                    PublishDetach(container, outcome);
                }
            }
            finally
            {
                pending.Complete();
            }
        }, CancellationToken.None);
    }

    /// <summary>Streams the json-file log (see <see cref="LogOptions"/>); follows while the container runs.</summary>
    public async Task LogsAsync(string idOrName, LogOptions logOptions, Stream output, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        if (container.Record.HostConfig.LogConfig?.Type == "none")
        {
            throw Errors.EngineException.InvalidParameter("configured logging driver does not support reading");
        }
        var writer = new StdStreamWriter(output, multiplexed: !container.Record.Config.Tty);
        await JsonFileLogReader.CopyAsync(container.LogPath, logOptions, writer,
            () => container.Record.State.HasTask || container.Record.State.Status == "restarting", cancellationToken).ConfigureAwait(false);
    }

    public async Task ResizeAsync(string idOrName, ushort height, ushort width, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        await Client(container).ResizePtyAsync(width, height, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
