namespace PercepNet.Tests;

/// <summary>
/// The library's public surface stays small: what an application needs, and the model format. The
/// signal model and the engines are internal (the project's tools, training and tests see them via
/// InternalsVisibleTo); making another type public is a decision, taken by editing this list.
/// </summary>
public class PublicSurfaceTests
{
    [Fact]
    public void CoreExportsOnlyTheApplicationApiAndTheModelFormat()
    {
        var exported = typeof(Denoiser).Assembly.GetExportedTypes().Select(t => t.FullName).Order().ToArray();
        string[] expected =
        [
            "PercepNet.Denoiser", "PercepNet.DenoiserOptions", "PercepNet.PercepNetModel",   // the application API
            "PercepNet.StreamingDenoiser", "PercepNet.Dsp.Resampler",                        // live audio at any rate, block size and channel count
            "PercepNet.Dsp.FrameAdapter", "PercepNet.Dsp.FrameLayout", "PercepNet.Dsp.IFrameProcessor", // frames of any size, constants, the one frame interface
            "PercepNet.Nn.ModelFile", "PercepNet.Nn.NetworkShape",                          // the model format (training writes it)
            "PercepNet.Nn.LayerSpec", "PercepNet.Nn.LayerKind",                             // and its topology, written once
            "PercepNet.Oracle.NetworkPart", "PercepNet.Oracle.OracleStage", "PercepNet.Oracle.PitchSource", // options of the oracle verb
        ];
        Assert.Equal(expected.Order().ToArray(), exported);
    }
}
