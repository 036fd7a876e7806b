using System.Text;
using PSContainer.Oci;
using PSContainer.Runc.Container;
using PSContainer.Runc.Process;

namespace PSContainer.Runc;

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// createContainer hooks: the spec runs them in the container's mount namespace (paths resolved
    /// before pivot_root, so host paths still work). psc-nsexec joins the init's user (when it has
    /// one) and mount namespaces and runs the hook with the state on stdin and its timeout.
    /// </summary>
    private void RunHooksInContainer(string phase, List<Hook>? hooks, int initPid, ContainerRecord record, byte[] state)
    {
        var i = 0;
        foreach (var hook in hooks ?? [])
        {
            var plan = new Plan();
            if (record.Namespaces.Contains("user"))
            {
                plan.Add(PlanOp.SetNs, $"join the user namespace of {initPid}", [Namespaces.CLONE_NEWUSER], PlanStep.Utf8($"/proc/{initPid}/ns/user"));
            }
            plan.Add(PlanOp.SetNs, $"join the mount namespace of {initPid}", [Namespaces.CLONE_NEWNS], PlanStep.Utf8($"/proc/{initPid}/ns/mnt"));
            plan.Add(PlanOp.RunHook, $"{phase} hook #{i} {hook.Path}", [hook.Timeout ?? 0, -1],
                PlanStep.Utf8(hook.Path), PlanStep.Vector(hook.Args is { Count: > 0 } a ? a : [hook.Path]),
                PlanStep.Vector(hook.Env ?? []), state);
            using var stage = StageZero.Start(_options.NsexecPath, plan, 3, []);
            var message = stage.Receive();
            stage.WaitStageExit();
            if (message.Kind == SyncKind.Error)
            {
                var what = message.Errno switch
                {
                    Interop.Linux.Errno.ETIMEDOUT => $"timed out after {hook.Timeout} s",
                    125 /* ECANCELED: the hook exited non-zero */ => "failed",
                    _ => new Interop.Linux.SyscallException(plan.Describe((int)message.Value), null, message.Errno).Message,
                };
                throw new RuncException($"{phase} hook #{i} {hook.Path} {what}");
            }
            i++;
        }
    }

    /// <summary>The state for startContainer hooks, split where psc-nsexec writes the init's pid.</summary>
    private static (string Before, string After) StartHookState(ContainerRecord record)
    {
        var pid = record.Pid;
        record.Pid = 0;
        var json = Encoding.UTF8.GetString(StateJson(record, "created"));
        record.Pid = pid;
        const string marker = "\"pid\":0";
        var at = json.IndexOf(marker, StringComparison.Ordinal) + marker.Length - 1;
        return (json[..at], json[(at + 1)..]);
    }
}
