using System.Text.Json;

namespace PercepNet.Cli.Tests;

/// <summary>The user's tool carries no research stack: what `percepnet` depends on at run time.</summary>
public sealed class DependencyTests
{
    [Fact]
    public void ThePercepnetToolDependsOnNoTrainingMetricsOrPlottingPackage()
    {
        // percepnet.deps.json is copied next to the tests (they start the tool as a process).
        string deps = Path.Combine(AppContext.BaseDirectory, "percepnet.deps.json");
        Assert.True(File.Exists(deps), deps);
        using var doc = JsonDocument.Parse(File.ReadAllText(deps));
        var libraries = doc.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name.Split('/')[0]).ToList();
        Assert.Contains("PercepNet.Core", libraries);
        Assert.Contains("PercepNet.Audio", libraries);
        foreach (string banned in new[] { "TorchSharp", "libtorch", "Microsoft.ML.OnnxRuntime", "SkiaSharp", "ScottPlot", "PercepNet.Training", "PercepNet.Metrics", "NAudio" })
            Assert.DoesNotContain(libraries, l => l.StartsWith(banned, StringComparison.OrdinalIgnoreCase));
    }
}
