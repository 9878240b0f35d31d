using PercepNet.Nn;

namespace PercepNet.Tests.Nn;

public class ActivationsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// Every float in [-32, 32] at a spacing of 2^-12 (262,145 points, covering where tanh and the
    /// sigmoid are not yet 1 or 0 in float), plus a geometric sweep of magnitudes 1e-30 .. 3e38 and ±∞.
    /// </summary>
    private static float[] Sweep()
    {
        var xs = new List<float>();
        for (int i = -(32 << 12); i <= 32 << 12; i++) xs.Add(i / 4096f);
        for (double m = 1e-30; m < 3e38; m *= 1.05) { xs.Add((float)m); xs.Add((float)-m); }
        xs.AddRange([float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon]);
        return [.. xs];
    }

    [Fact]
    public void TanhIsWithinItsDocumentedErrorOverTheWholeRange()
    {
        var xs = Sweep();
        double worst = 0;
        float worstX = 0;
        foreach (float x in xs)
        {
            double e = Math.Abs(Activations.Tanh(x) - Math.Tanh(x));
            if (e > worst) { worst = e; worstX = x; }
        }
        output.WriteLine($"tanh: max abs error {worst:e3} at x = {worstX:r} over {xs.Length} points");
        Assert.True(worst <= Activations.TanhMaxError, $"tanh max error {worst:e3} at x = {worstX:r}");
        Assert.Equal(0f, Activations.Tanh(0f));
        Assert.True(float.IsNaN(Activations.Tanh(float.NaN)));
    }

    [Fact]
    public void SigmoidIsWithinItsDocumentedErrorOverTheWholeRange()
    {
        var xs = Sweep();
        double worst = 0;
        float worstX = 0;
        foreach (float x in xs)
        {
            double e = Math.Abs(Activations.Sigmoid(x) - 1 / (1 + Math.Exp(-(double)x)));
            if (e > worst) { worst = e; worstX = x; }
        }
        output.WriteLine($"sigmoid: max abs error {worst:e3} at x = {worstX:r} over {xs.Length} points");
        Assert.True(worst <= Activations.SigmoidMaxError, $"sigmoid max error {worst:e3} at x = {worstX:r}");
    }

    [Fact]
    public void SpanVersionsAreBitIdenticalToTheScalarOnes()
    {
        var xs = Sweep();
        var t = (float[])xs.Clone();
        var s = (float[])xs.Clone();
        Activations.Tanh(t);
        Activations.Sigmoid(s);
        for (int i = 0; i < xs.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(t[i]) == BitConverter.SingleToInt32Bits(Activations.Tanh(xs[i])), $"tanh i={i} x={xs[i]:r}: {t[i]:r} vs {Activations.Tanh(xs[i]):r}");
            Assert.True(BitConverter.SingleToInt32Bits(s[i]) == BitConverter.SingleToInt32Bits(Activations.Sigmoid(xs[i])), $"sigmoid i={i} x={xs[i]:r}");
        }
        Activations.Tanh(Span<float>.Empty);
        Activations.Sigmoid(Span<float>.Empty);
    }
}
