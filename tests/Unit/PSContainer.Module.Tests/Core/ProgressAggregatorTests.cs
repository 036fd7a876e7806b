using PSContainer.Module.Client;
using PSContainer.Module.Core;
using Xunit;

namespace PSContainer.Module.Tests.Core;

public class ProgressAggregatorTests
{
    private static Api.ProgressMessage Layer(string id, string status, long? current = null, long? total = null) => new()
    {
        Id = id,
        Status = status,
        ProgressDetail = current is null ? null : new Api.ProgressDetail { Current = current, Total = total },
    };

    [Fact]
    public void A_Pull_Becomes_One_Parent_And_One_Child_Per_Layer_Then_Completed_Records()
    {
        var aggregator = new ProgressAggregator("Pulling busybox");
        var updates = new List<ProgressUpdate>();
        void Add(Api.ProgressMessage m) => updates.AddRange(aggregator.Add(m));

        Add(new Api.ProgressMessage { Id = "latest", Status = "Pulling from library/busybox" });
        Add(Layer("aaaaaaaaaaaa", "Pulling fs layer"));
        Add(Layer("bbbbbbbbbbbb", "Pulling fs layer"));
        Add(Layer("aaaaaaaaaaaa", "Downloading", 50, 100));
        Add(Layer("aaaaaaaaaaaa", "Download complete"));
        Add(Layer("aaaaaaaaaaaa", "Extracting", 100, 100));
        Add(Layer("aaaaaaaaaaaa", "Pull complete"));
        Add(Layer("bbbbbbbbbbbb", "Already exists"));
        Add(new Api.ProgressMessage { Status = "Digest: sha256:1234" });
        updates.AddRange(aggregator.Complete());

        var children = updates.Where(u => u.ParentActivityId == 1).ToList();
        Assert.Equal([2, 3], children.Select(u => u.ActivityId).Distinct().Order());
        Assert.All(updates.Where(u => u.ActivityId == 1), u => Assert.Equal(-1, u.ParentActivityId));
        var a = children.Where(u => u.ActivityId == 2 && !u.Completed).Select(u => u.PercentComplete).ToList();
        Assert.Equal([0, 25, 50, 100, 100], a);
        Assert.Contains(children, u => u.ActivityId == 2 && u.StatusDescription == "Downloading 50 B of 100 B");
        var parentPercents = updates.Where(u => u.ActivityId == 1 && !u.Completed).Select(u => u.PercentComplete).ToList();
        Assert.Equal(parentPercents.Order(), parentPercents);
        Assert.Equal(100, parentPercents[^1]);
        Assert.Equal([2, 3, 1], updates.Where(u => u.Completed).Select(u => u.ActivityId));
        Assert.Equal(["latest: Pulling from library/busybox", "Digest: sha256:1234"], aggregator.Messages);
    }

    [Fact]
    public void Records_Are_Throttled_By_Change_Not_By_Clock()
    {
        var aggregator = new ProgressAggregator("Pulling");
        var count = 0;
        for (var i = 0; i <= 100_000; i += 7)
        {
            count += aggregator.Add(Layer("aaaaaaaaaaaa", "Downloading", i, 100_000)).Count(u => u.ActivityId == 2);
        }
        // Downloading spans 0..50 percent: at most 51 distinct child records, however many lines arrive.
        Assert.InRange(count, 40, 51);
    }

    [Fact]
    public void Progress_Never_Moves_Backwards()
    {
        Assert.Equal(60, ProgressAggregator.LayerPercent("Downloading", new Api.ProgressDetail { Current = 1, Total = 100 }, 60));
        Assert.Equal(75, ProgressAggregator.LayerPercent("Extracting", new Api.ProgressDetail { Current = 50, Total = 100 }, 0));
        Assert.Equal(40, ProgressAggregator.LayerPercent("Pushing", new Api.ProgressDetail { Current = 40, Total = 100 }, 0));
        Assert.Equal(100, ProgressAggregator.LayerPercent("Layer already exists", null, 0));
    }

    [Fact]
    public void An_Error_Line_Fails_The_Operation_With_The_Registry_Message()
    {
        var aggregator = new ProgressAggregator("Pulling");
        var error = Assert.Throws<EngineException>(() => aggregator.Add(new Api.ProgressMessage
        {
            Error = "short",
            ErrorDetail = new Api.ErrorDetail { Message = "manifest for nope:latest not found" },
        }));
        Assert.Equal(EngineErrorKind.OperationFailed, error.Kind);
        Assert.Equal("manifest for nope:latest not found", error.Message);
    }

    [Fact]
    public void Load_Output_Lines_Name_The_Loaded_Images()
    {
        var aggregator = new ProgressAggregator("Loading");
        aggregator.Add(new Api.ProgressMessage { Stream = "Loaded image: busybox:latest\n" });
        aggregator.Add(new Api.ProgressMessage { Stream = "Loaded image ID: sha256:abcd\n" });
        Assert.Equal(["busybox:latest", "sha256:abcd"], LoadedImages.Parse(aggregator.Messages));
    }
}
