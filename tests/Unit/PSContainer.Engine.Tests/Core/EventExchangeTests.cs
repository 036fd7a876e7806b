using PSContainer.Engine.Core.Events;
using Xunit;

namespace PSContainer.Engine.Tests.Core;

public sealed class EventExchangeTests
{
    [Fact]
    public async Task SubscribersReceiveEventsPublishedAfterSubscribing()
    {
        var exchange = new EventExchange();
        exchange.Publish("container", "create", "a");
        using var subscription = exchange.Subscribe();
        Assert.Empty(subscription.History);
        exchange.Publish("container", "start", "a");
        var received = await subscription.Live.ReadAsync();
        Assert.Equal("start", received.Action);
        Assert.Equal("a", received.ActorId);
    }

    [Fact]
    public void SinceReturnsHistoryWithoutGapOrRepeat()
    {
        var exchange = new EventExchange();
        var first = exchange.Publish("container", "create", "a");
        exchange.Publish("container", "start", "a");
        using var subscription = exchange.Subscribe(first.Time);
        Assert.Equal(["create", "start"], subscription.History.Select(e => e.Action));
        exchange.Publish("container", "die", "a");
        Assert.True(subscription.Live.TryRead(out var live));
        Assert.Equal("die", live!.Action);
        Assert.False(subscription.Live.TryRead(out _));
    }

    [Fact]
    public void HistoryIsBounded()
    {
        var exchange = new EventExchange();
        for (var i = 0; i < EventExchange.HistoryLimit + 10; i++)
        {
            exchange.Publish("image", "tag", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        using var subscription = exchange.Subscribe(DateTimeOffset.MinValue);
        Assert.Equal(EventExchange.HistoryLimit, subscription.History.Count);
        Assert.Equal("10", subscription.History[0].ActorId);
    }

    [Fact]
    public void DisposedSubscriptionsStopReceiving()
    {
        var exchange = new EventExchange();
        var subscription = exchange.Subscribe();
        Assert.Equal(1, exchange.SubscriberCount);
        subscription.Dispose();
        Assert.Equal(0, exchange.SubscriberCount);
        exchange.Publish("container", "start", "a");
        Assert.True(subscription.Live.Completion.IsCompleted);
    }
}
