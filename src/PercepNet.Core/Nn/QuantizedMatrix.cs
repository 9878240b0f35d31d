namespace PercepNet.Nn;

/// <summary>
/// A float matrix quantised to signed 8 bits with one scale per output row, laid out for
/// <see cref="Int8Kernels.MatVec"/> (rows padded with zero weights to <see cref="Stride"/> columns).
/// <para>
/// Row scale s = max(max|w| / 127, max over pairs (|w_2k| + |w_2k+1|) / 128) and q = round(w / s),
/// (half to even). In exact arithmetic |w_2k| / s + |w_2k+1| / s &lt;= 128 already gives
/// |q_2k| + |q_2k+1| &lt;= 128 (rounding both members up needs fractional parts summing to more than
/// 1, which leaves an integer part sum of at most 126); as a guard against the rounding of the
/// division, any pair that still reaches 129 has its smaller member moved one step towards zero.
/// So every pair satisfies |q_2k| + |q_2k+1| &lt;= <see cref="MaxPairSum"/> = 128 and
/// for any u8 activations (&lt;= 255) |x_2k q_2k + x_2k+1 q_2k+1| &lt;= 128 * 255 = 32640 &lt;= 32767:
/// the s16 pair sums of vpmaddubsw never saturate, and the int32 accumulator is the exact dot product.
/// </para>
/// Immutable.
/// </summary>
internal sealed class QuantizedMatrix
{
    /// <summary>Largest |q_2k| + |q_2k+1| of any adjacent weight pair: floor(32767 / 255) = 128.</summary>
    public const int MaxPairSum = short.MaxValue / byte.MaxValue;

    /// <summary>Largest |q|.</summary>
    public const int MaxWeight = 127;

    private readonly sbyte[] _weights;
    private readonly float[] _scale;
    private readonly int[] _rowSum;

    /// <summary>Quantises row-major [rows, cols] float weights.</summary>
    public QuantizedMatrix(ReadOnlySpan<float> w, int rows, int cols)
    {
        if (w.Length != rows * cols) throw new ArgumentException($"quantise: {w.Length} weights for {rows} x {cols}");
        Rows = rows;
        Columns = cols;
        Stride = Int8Kernels.Align(cols);
        _weights = new sbyte[rows * Stride];
        _scale = new float[rows];
        _rowSum = new int[rows];
        for (int o = 0; o < rows; o++)
        {
            var row = w.Slice(o * cols, cols);
            double maxAbs = 0, maxPair = 0;
            for (int i = 0; i < cols; i += 2)
            {
                double a = Math.Abs((double)row[i]);
                double b = i + 1 < cols ? Math.Abs((double)row[i + 1]) : 0;
                maxAbs = Math.Max(maxAbs, Math.Max(a, b));
                maxPair = Math.Max(maxPair, a + b);
            }
            double s = Math.Max(maxAbs / MaxWeight, maxPair / MaxPairSum);
            if (s == 0) s = 1; // an all-zero row
            var q = _weights.AsSpan(o * Stride, Stride);
            for (int i = 0; i < cols; i++)
                q[i] = (sbyte)Math.Clamp((int)Math.Round(row[i] / s, MidpointRounding.ToEven), -MaxWeight, MaxWeight);
            for (int i = 0; i + 1 < cols; i += 2)
            {
                // Only reachable through the rounding of row[i] / s (see the class comment).
                if (Math.Abs(q[i]) + Math.Abs(q[i + 1]) > MaxPairSum)
                {
                    int k = Math.Abs(row[i]) <= Math.Abs(row[i + 1]) ? i : i + 1;
                    q[k] = (sbyte)(q[k] - Math.Sign(q[k]));
                }
            }
            int sum = 0;
            foreach (sbyte v in q) sum += v;
            _rowSum[o] = sum;
            _scale[o] = (float)s;
        }
    }

    public int Rows { get; }
    public int Columns { get; }

    /// <summary>Columns per stored row (Columns rounded up to <see cref="Int8Kernels.ColumnAlign"/>); the input must have this many codes.</summary>
    public int Stride { get; }

    /// <summary>Row-major [Rows, Stride] quantised weights; columns past <see cref="Columns"/> are 0.</summary>
    public ReadOnlySpan<sbyte> Weights => _weights;

    /// <summary>Per-row scale: w ≈ scale * q.</summary>
    public ReadOnlySpan<float> Scale => _scale;

    /// <summary>Per-row sum of q, for removing the activation offset: sum q (c - 128) = acc - 128 RowSum.</summary>
    public ReadOnlySpan<int> RowSum => _rowSum;

    /// <summary>
    /// y[o] = bias[o] + scale[o] * step * (acc[o] - 128 RowSum[o]) where acc = q · codes: the float
    /// product W x for activations x = step * (code - 128).
    /// </summary>
    public void Dequantize(ReadOnlySpan<int> acc, float step, ReadOnlySpan<float> bias, Span<float> y)
    {
        for (int o = 0; o < Rows; o++)
            y[o] = bias[o] + _scale[o] * step * (acc[o] - Int8Kernels.ZeroCode * _rowSum[o]);
    }

    /// <summary>acc = q · codes, then <see cref="Dequantize"/>. codes: at least <see cref="Stride"/> values.</summary>
    public void Apply(ReadOnlySpan<byte> codes, float step, ReadOnlySpan<float> bias, Span<int> acc, Span<float> y)
    {
        Int8Kernels.MatVec(_weights, Stride, codes, acc[..Rows]);
        Dequantize(acc, step, bias, y);
    }
}
