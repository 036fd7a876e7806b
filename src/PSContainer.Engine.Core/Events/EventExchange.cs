using System.Threading.Channels;

namespace PSContainer.Engine.Core.Events;

/// <summary>
/// Something that happened to an object of the engine: Type is container, image, volume, network
/// or daemon; Action is Docker's verb (create, start, die, destroy, health_status: healthy, ...).
/// </summary>
public sealed record EngineEvent(string Type, string Action, string ActorId, IReadOnlyDictionary<string, string> Attributes, DateTimeOffset Time);

/// <summary>
/// The engine's event bus (containerd's event exchange): publishers post events, subscribers
/// receive every event published after they subscribed, and a bounded history answers "since"
/// queries. Publishing never blocks: a subscriber that falls far behind loses its subscription
/// (its channel completes with an error) instead of holding up the engine.
/// </summary>
public sealed class EventExchange
{
    /// <summary>How many past events are kept for subscribers that ask for history.</summary>
    public const int HistoryLimit = 1024;

    private const int SubscriberBacklog = 4096;

    private readonly LinkedList<EngineEvent> _history = new();
    private readonly List<Channel<EngineEvent>> _subscribers = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;

    public EventExchange(TimeProvider? clock = null) => _clock = clock ?? TimeProvider.System;

    public int SubscriberCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Publishes an event stamped with the current time.</summary>
    public EngineEvent Publish(string type, string action, string actorId, IReadOnlyDictionary<string, string>? attributes = null)
    {
        var engineEvent = new EngineEvent(type, action, actorId, attributes ?? new Dictionary<string, string>(), _clock.GetUtcNow());
        Publish(engineEvent);
        return engineEvent;
    }

    public void Publish(EngineEvent engineEvent)
    {
        lock (_lock)
        {
            _history.AddLast(engineEvent);
            if (_history.Count > HistoryLimit)
            {
                _history.RemoveFirst();
            }
            for (var i = _subscribers.Count - 1; i >= 0; i--)
            {
                if (!_subscribers[i].Writer.TryWrite(engineEvent))
                {
                    _subscribers[i].Writer.TryComplete(new InvalidOperationException("event subscriber fell too far behind"));
                    _subscribers.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>
    /// Subscribes: the returned history holds past events at or after <paramref name="since"/>
    /// (none when null), and the reader receives every event published from now on, without a gap
    /// or a repeat between the two. Dispose the subscription to stop receiving.
    /// </summary>
    public EventSubscription Subscribe(DateTimeOffset? since = null)
    {
        var channel = Channel.CreateBounded<EngineEvent>(new BoundedChannelOptions(SubscriberBacklog)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        lock (_lock)
        {
            var past = since is null ? [] : _history.Where(e => e.Time >= since.Value).ToList();
            _subscribers.Add(channel);
            return new EventSubscription(past, channel.Reader, () =>
            {
                lock (_lock)
                {
                    _subscribers.Remove(channel);
                }
                channel.Writer.TryComplete();
            });
        }
    }
}

/// <summary>A live subscription to the <see cref="EventExchange"/>.</summary>
public sealed class EventSubscription(IReadOnlyList<EngineEvent> history, ChannelReader<EngineEvent> live, Action unsubscribe) : IDisposable
{
    private int _disposed;

    public IReadOnlyList<EngineEvent> History { get; } = history;

    public ChannelReader<EngineEvent> Live { get; } = live;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            unsubscribe();
        }
    }
}
