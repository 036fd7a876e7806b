using PSContainer.Module.Client;

namespace PSContainer.Module.Core;

/// <summary>
/// Folds a pull/push/load JSON-lines stream into progress records: one parent activity and one
/// child per layer, each child's percent from its phase (a pull's download is the first half,
/// extraction the second), the parent's the mean of its children. Records are throttled by
/// change, not by clock: a record is produced only when a layer's whole percent or status text
/// changes, so a stream of ten thousand byte counts yields a hundred records per layer at most.
/// An error line ends the operation with an <see cref="EngineException"/>.
/// </summary>
public sealed class ProgressAggregator
{
    private readonly string _activity;
    private readonly int _parentId;
    private readonly Dictionary<string, Layer> _layers = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private int _parentPercent = -1;
    private string _parentStatus = "";

    public ProgressAggregator(string activity, int parentActivityId = 1)
    {
        _activity = activity ?? throw new ArgumentNullException(nameof(activity));
        _parentId = parentActivityId;
    }

    /// <summary>The lines without a layer id ("Digest: ...", "Status: Downloaded newer image", "Loaded image: ...").</summary>
    public List<string> Messages { get; } = [];

    public IReadOnlyCollection<string> LayerIds => _order;

    /// <summary>Takes one message; returns the records that changed (possibly none). Non-layer lines go to <see cref="Messages"/>.</summary>
    public IReadOnlyList<ProgressUpdate> Add(Api.ProgressMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!string.IsNullOrEmpty(message.Error) || !string.IsNullOrEmpty(message.ErrorDetail?.Message))
        {
            throw new EngineException(EngineErrorKind.OperationFailed,
                (message.ErrorDetail?.Message is { Length: > 0 } detail ? detail : message.Error!).Trim());
        }
        var updates = new List<ProgressUpdate>();
        if (string.IsNullOrEmpty(message.Id) || IsReferenceLine(message))
        {
            var text = (message.Stream ?? message.Status ?? "").TrimEnd('\n', '\r');
            if (!string.IsNullOrEmpty(message.Id) && !string.IsNullOrEmpty(message.Status))
            {
                text = message.Id + ": " + message.Status;
            }
            if (text.Length > 0)
            {
                Messages.Add(text);
                if (_parentStatus != text)
                {
                    _parentStatus = text;
                    updates.Add(Parent());
                }
            }
            return updates;
        }
        if (!_layers.TryGetValue(message.Id, out var layer))
        {
            layer = new Layer(_parentId + 1 + _layers.Count);
            _layers[message.Id] = layer;
            _order.Add(message.Id);
        }
        var status = message.Status ?? "";
        var percent = LayerPercent(status, message.ProgressDetail, layer.Percent);
        var shown = message.ProgressDetail is { Total: > 0 } detail2 && !IsDone(status)
            ? $"{status} {FormatBytes(detail2.Current ?? 0)} of {FormatBytes(detail2.Total.Value)}"
            : status;
        var statusChanged = status != layer.Phase;
        if (percent != layer.Percent || statusChanged)
        {
            layer.Percent = percent;
            layer.Phase = status;
            updates.Add(new ProgressUpdate(layer.ActivityId, _parentId, Short(message.Id), shown, percent, false));
            var parentPercent = (int)_layers.Values.Average(l => l.Percent);
            if (parentPercent != _parentPercent)
            {
                _parentPercent = parentPercent;
                updates.Insert(0, Parent());
            }
        }
        return updates;
    }

    /// <summary>The closing records: every child completed, then the parent.</summary>
    public IReadOnlyList<ProgressUpdate> Complete()
    {
        var updates = _order.Select(id => new ProgressUpdate(_layers[id].ActivityId, _parentId, Short(id), "Done", 100, true)).ToList();
        updates.Add(new ProgressUpdate(_parentId, -1, _activity, "Done", 100, true));
        return updates;
    }

    private ProgressUpdate Parent()
    {
        var done = _layers.Values.Count(l => l.Percent == 100);
        var status = _layers.Count == 0
            ? (_parentStatus.Length > 0 ? _parentStatus : "Starting")
            : $"{done} of {_layers.Count} layers done";
        return new ProgressUpdate(_parentId, -1, _activity, status, Math.Max(0, _parentPercent), false);
    }

    /// <summary>Percent for a layer in this phase; never moves backwards (a retry keeps the bar where it was).</summary>
    internal static int LayerPercent(string status, Api.ProgressDetail? detail, int previous)
    {
        var fraction = detail is { Total: > 0 } d ? Math.Clamp((double)(d.Current ?? 0) / d.Total.Value, 0, 1) : 0;
        int percent;
        if (IsDone(status))
        {
            percent = 100;
        }
        else if (status.StartsWith("Extracting", StringComparison.OrdinalIgnoreCase))
        {
            percent = 50 + (int)(fraction * 50);
        }
        else if (status.StartsWith("Downloading", StringComparison.OrdinalIgnoreCase))
        {
            percent = (int)(fraction * 50);
        }
        else if (status.StartsWith("Verifying", StringComparison.OrdinalIgnoreCase) || status.StartsWith("Download complete", StringComparison.OrdinalIgnoreCase))
        {
            percent = 50;
        }
        else
        {
            // Pushing, Loading layer and other phases with a byte count measure the whole layer.
            percent = (int)(fraction * 100);
        }
        return Math.Max(previous, Math.Min(percent, 100));
    }

    private static bool IsDone(string status) =>
        status.StartsWith("Pull complete", StringComparison.OrdinalIgnoreCase)
        || status.StartsWith("Already exists", StringComparison.OrdinalIgnoreCase)
        || status.StartsWith("Pushed", StringComparison.OrdinalIgnoreCase)
        || status.StartsWith("Layer already exists", StringComparison.OrdinalIgnoreCase)
        || status.StartsWith("Mounted from", StringComparison.OrdinalIgnoreCase)
        || status.StartsWith("Loaded", StringComparison.OrdinalIgnoreCase);

    /// <summary>"latest: Pulling from library/busybox" carries the tag in Id; it is a message, not a layer.</summary>
    private static bool IsReferenceLine(Api.ProgressMessage message) =>
        message.ProgressDetail is null && message.Status is { } status
        && (status.StartsWith("Pulling from", StringComparison.OrdinalIgnoreCase)
            || status.StartsWith("The push refers to", StringComparison.OrdinalIgnoreCase));

    private static string Short(string id) => id.Length > 12 && !id.Contains(':', StringComparison.Ordinal) ? id[..12] : id;

    internal static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    private sealed class Layer(int activityId)
    {
        public int ActivityId { get; } = activityId;
        public int Percent { get; set; }
        public string Phase { get; set; } = "";
    }
}
