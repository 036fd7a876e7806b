using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>Removes a container: Conflict when it runs and force is false; force kills it first.</summary>
    public async Task RemoveAsync(string idOrName, bool force, bool removeVolumes, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        if (container.Record.State.HasTask || container.Record.State.Status == "restarting")
        {
            if (!force)
            {
                throw EngineException.Conflict(
                    $"cannot remove container \"/{container.Name}\": container is {container.Record.State.Status}: stop the container before removing or force remove");
            }
            container.Record.StoppedByUser = true;
            if (container.Record.State.HasTask)
            {
                var exited = container.NextExit;
                if (container.Record.State.Status == "paused")
                {
                    await Client(container).ResumeAsync(cancellationToken).ConfigureAwait(false);
                }
                await SignalAsync(container, Signals.SIGKILL, cancellationToken).ConfigureAwait(false);
                await exited.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!store.TryGet(container.Id, out _))
            {
                return; // removed meanwhile (AutoRemove racing a docker rm -f)
            }
            if (container.Record.State.HasTask)
            {
                throw EngineException.Conflict($"cannot remove container \"/{container.Name}\": it was started again during the removal");
            }
            container.Record.State.Status = "removing";
            await container.Lifetime.CancelAsync().ConfigureAwait(false);
            RootfsMounter.UnmountAndRemoveBundle(container.BundleDirectory);
            try
            {
                snapshotter.Remove(container.Record.SnapshotKey);
            }
            catch (Core.Errdefs.CoreException e) when (e.Kind == Core.Errdefs.CoreErrorKind.NotFound)
            {
                // Already gone (an earlier removal was interrupted after this step).
            }
            if (Directory.Exists(container.StateDirectory))
            {
                Directory.Delete(container.StateDirectory, recursive: true);
            }
            store.Remove(container);
            Networks?.ForgetContainer(container.Id);
            ForgetVolumeMounts(container, removeVolumes);
        }
        finally
        {
            container.Gate.Release();
        }
        var status = new ExitStatus(container.Record.State.ExitCode, NullIfEmpty(container.Record.State.Error));
        _recentlyRemoved.Add(container.Id, container.Name, status);
        _lastStats.TryRemove(container.Id, out _);
        CompletePendingAttaches(container);
        Publish(container, "destroy");
        container.SignalRemoved();
    }

    public void Rename(string idOrName, string newName)
    {
        var container = store.Get(idOrName);
        var normalized = ContainerNames.Normalize(newName);
        if (normalized == container.Name)
        {
            throw EngineException.InvalidParameter($"Renaming a container with the same name as its current name");
        }
        var oldName = container.Name;
        store.Rename(container, normalized);
        Networks?.RenameContainer(container.Id, normalized);
        Publish(container, "rename", new Dictionary<string, string> { ["oldName"] = "/" + oldName });
    }

    /// <summary>Removes every stopped container (optionally filtered); returns the removed ids.</summary>
    public async Task<List<string>> PruneAsync(Func<Container, bool> filter, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var container in store.All().Where(c => !c.Record.State.HasTask && c.Record.State.Status is "created" or "exited" or "dead").Where(filter))
        {
            await RemoveAsync(container.Id, force: false, removeVolumes: false, cancellationToken).ConfigureAwait(false);
            removed.Add(container.Id);
        }
        return removed;
    }
}
