using Xunit;

namespace PSContainer.Module.Tests.Contract;

public class Psd1ReaderTests
{
    [Fact]
    public void Reads_The_Manifest_Data_Language()
    {
        var table = Psd1Reader.Parse("""
            # comment
            @{
                A = 'it''s'
                B = "x`"y"   # trailing
                C = @('one', 'two'
                      'three')
                D = 'p', 'q'
                E = @{ Inner = $true; N = 7 }
                <# block #> F = @()
            }
            """);
        Assert.Equal("it's", table["a"]);
        Assert.Equal("x\"y", table["B"]);
        Assert.Equal(new object[] { "one", "two", "three" }, (object?[])table["C"]!);
        Assert.Equal(new object[] { "p", "q" }, (object?[])table["D"]!);
        var inner = (Dictionary<string, object?>)table["E"]!;
        Assert.Equal(true, inner["Inner"]);
        Assert.Equal(7.0, inner["N"]);
        Assert.Empty((object?[])table["F"]!);
    }

    [Theory]
    [InlineData("@{ A = $env:HOME }", "variable")]
    [InlineData("@{ A = \"$x\" }", "expandable")]
    [InlineData("@{ A = 1; A = 2 }", "twice")]
    [InlineData("@{ A = 1 } extra", "text after")]
    public void Refuses_What_A_Manifest_May_Not_Contain(string text, string why) =>
        Assert.Contains(why, Assert.Throws<FormatException>(() => Psd1Reader.Parse(text)).Message, StringComparison.Ordinal);
}
