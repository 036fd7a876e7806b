namespace PSContainer.Module.Core;

/// <summary>Validates <see cref="ContainerCreateOptions"/> and builds POST /containers/create's body.</summary>
public static class ContainerCreateRequestBuilder
{
    public static Api.ContainerCreateRequest Build(ContainerCreateOptions options, Func<string, string?> callerEnvironment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(callerEnvironment);
        if (string.IsNullOrWhiteSpace(options.Image))
        {
            throw new ArgumentException("An image is required: name one with -Image (for example -Image busybox).");
        }
        if (options.Name is not null)
        {
            NameRules.CheckContainerName(options.Name);
        }
        if (options.Memory < 0)
        {
            throw new ArgumentException($"-Memory {options.Memory} is not valid: give a size such as 256MB.");
        }
        if (options.Memory is > 0 and < 6 * 1024 * 1024)
        {
            throw new ArgumentException($"-Memory {options.Memory} is too small: a container needs at least 6MB.");
        }

        var exposed = new Dictionary<string, Api.EmptyObject>(StringComparer.Ordinal);
        var bindings = new Dictionary<string, List<Api.PortBinding>?>(StringComparer.Ordinal);
        foreach (var port in PortSpec.ParseAll(options.Ports))
        {
            port.AddTo(exposed, bindings);
        }
        var binds = new List<string>();
        var anonymous = new Dictionary<string, Api.EmptyObject>(StringComparer.Ordinal);
        foreach (var volume in options.Volumes)
        {
            var (bind, target) = VolumeSpec.Parse(volume);
            if (bind is not null)
            {
                binds.Add(bind);
            }
            else
            {
                anonymous[target!] = new Api.EmptyObject();
            }
        }
        var mounts = options.Mounts.Select(MountSpec.Parse).ToList();
        var environment = KeyValueParser.ParseEnvironment(options.Environment, callerEnvironment);
        var labels = KeyValueParser.ParseLabels(options.Labels);

        var host = new Api.HostConfig
        {
            Binds = binds.Count > 0 ? binds : null,
            Mounts = mounts.Count > 0 ? mounts : null,
            PortBindings = bindings.Count > 0 ? bindings : null,
            RestartPolicy = options.Restart is null ? null : RestartPolicyParser.Parse(options.Restart),
            AutoRemove = options.AutoRemove,
            Memory = options.Memory,
            NanoCpus = options.Cpu == 0 ? 0 : CpuParser.ToNanoCpus(options.Cpu),
            NetworkMode = options.Network,
            Privileged = options.Privileged,
            ReadonlyRootfs = options.ReadOnlyRootFilesystem,
            CapAdd = options.CapAdd.Count > 0 ? options.CapAdd.ToList() : null,
            CapDrop = options.CapDrop.Count > 0 ? options.CapDrop.ToList() : null,
            Init = options.Init ? true : null,
            PidsLimit = options.PidsLimit,
            Dns = options.Dns.Count > 0 ? options.Dns.ToList() : null,
            ExtraHosts = options.AddHost.Count > 0 ? options.AddHost.ToList() : null,
        };
        if (options.AutoRemove && host.RestartPolicy is { Name: not "no" })
        {
            throw new ArgumentException("-Remove cannot be combined with a restart policy: a removed container cannot restart.");
        }
        return new Api.ContainerCreateRequest
        {
            Image = options.Image,
            Cmd = options.Command is { Count: > 0 } command ? command.ToList() : null,
            Entrypoint = options.Entrypoint is { Count: > 0 } entrypoint ? entrypoint.ToList() : null,
            Env = environment.Count > 0 ? environment : null,
            ExposedPorts = exposed.Count > 0 ? exposed : null,
            Volumes = anonymous.Count > 0 ? anonymous : null,
            Labels = labels.Count > 0 ? labels : null,
            WorkingDir = options.WorkingDirectory,
            User = options.User,
            Hostname = options.Hostname,
            Tty = options.Tty,
            OpenStdin = options.Interactive,
            StdinOnce = options.Interactive,
            AttachStdin = options.Interactive,
            AttachStdout = true,
            AttachStderr = true,
            StopSignal = options.StopSignal,
            StopTimeout = options.StopTimeout,
            HostConfig = host,
        };
    }
}
