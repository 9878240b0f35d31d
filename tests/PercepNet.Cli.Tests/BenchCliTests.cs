using System.Globalization;
using PercepNet.Cli;
using PercepNet.Cli.Commands.Bench;
using PercepNet.Nn;

namespace PercepNet.Cli.Tests;

public sealed class BenchCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("percepnet-bench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output) Run(params string[] args) => DenoiseCliTests.Run(args);

    [Fact]
    public void BenchTimesEveryPresetAndEngineAndWritesMarkdown()
    {
        string md = Path.Combine(_dir, "bench.md");
        var (code, output) = Run("bench", "--seconds", "1", "--passes", "1", "--no-peers", "--markdown", md);
        Assert.True(code == Program.Success, output);
        var rows = File.ReadAllLines(md).Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).Select(l => l.Split('|').Select(c => c.Trim()).ToArray()).ToList();
        foreach (string system in new[] { "small preset", "medium preset", "paper preset" })
            foreach (string engine in new[] { "float", "int8" })
                Assert.Contains(rows, r => r[1] == system && r[2] == engine);
        foreach (var r in rows)
        {
            double net = double.Parse(r[4], CultureInfo.InvariantCulture), all = double.Parse(r[6], CultureInfo.InvariantCulture);
            Assert.True(net > 0 && all > 0, string.Join(" | ", r));
            Assert.Equal(all / 100, double.Parse(r[7].TrimEnd('%'), CultureInfo.InvariantCulture), 0.006);
        }
        var paper = rows.First(r => r[1] == "paper preset");
        Assert.Equal(NetworkShape.Paper.ParameterCount.ToString("N0", CultureInfo.InvariantCulture), paper[3]);
        var medium = rows.First(r => r[1] == "medium preset");
        Assert.Equal(NetworkShape.Medium.ParameterCount.ToString("N0", CultureInfo.InvariantCulture), medium[3]);
    }

    [Theory]
    [InlineData("--passes", "0")]
    [InlineData("--seconds", "0.5")]
    public void BadSettingsAreUsageErrors(string option, string value)
    {
        var (code, output) = Run("bench", option, value, "--no-peers");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains(option, output);
    }

    [Fact]
    public void RandomModelsRoundTripThroughTheFileFormat()
    {
        var model = PipelineBench.RandomModel(NetworkShape.Small, 3, "r");
        Assert.Equal(NetworkShape.Small.ParameterCount, model.ParameterCount);
        using var ms = new MemoryStream();
        model.File.WriteTo(ms);
        var again = ModelFile.Parse(ms.ToArray(), "again");
        for (int i = 0; i < again.TensorCount; i++) Assert.True(again.Tensor(i).SequenceEqual(model.File.Tensor(i)));
    }
}
