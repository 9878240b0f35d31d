using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace PercepNet.Nn;

/// <summary>
/// Integer kernels of the int8 engine: unsigned 8-bit activations times signed 8-bit weights,
/// accumulated in int32. <see cref="MatVecScalar"/> is the specification, including the s16
/// saturation of each adjacent pair that vpmaddubsw performs; <see cref="MatVecAvx2"/> (256-bit),
/// <see cref="MatVecSsse3"/> (128-bit: x86 without AVX2), <see cref="MatVecAdvSimd"/> (ARM64 NEON)
/// and <see cref="MatVecVector128"/> (portable Vector128, for any other platform with 128-bit SIMD)
/// give bit-identical accumulators. <see cref="Quantize"/> has AVX2, SSE4.1 and portable Vector128
/// paths, bit-identical to <see cref="QuantizeOne"/>. The x86 kernels and the portable ones are
/// tested on x86; the AdvSimd kernel is the portable one step for step, but only runs (and is only
/// tested) on ARM64. Allocation-free.
/// </summary>
internal static class Int8Kernels
{
    /// <summary>Columns of a quantised row are padded (with zero weights) to a multiple of this: one AVX2 register of bytes.</summary>
    public const int ColumnAlign = 32;

    /// <summary>The u8 code of the activation 0 (the code of x is <see cref="ZeroCode"/> + round(x / step)).</summary>
    public const int ZeroCode = 128;

    /// <summary>Codes per unit for activations in [-1, 1] (tanh outputs, GRU states): x = ±1 gives codes 255 and 1.</summary>
    public const float UnitInvStep = 127f;

    /// <summary>acc[o] = sum over i &lt; stride of x[i] w[o * stride + i], with each adjacent pair (2k, 2k+1) saturated to s16 first.</summary>
    /// <param name="w">Row-major [acc.Length, stride] signed weights; stride a multiple of <see cref="ColumnAlign"/>.</param>
    /// <param name="stride">Columns per row of w.</param>
    /// <param name="x">At least stride unsigned activations.</param>
    /// <param name="acc">One int32 accumulator per row (overwritten).</param>
    public static void MatVec(ReadOnlySpan<sbyte> w, int stride, ReadOnlySpan<byte> x, Span<int> acc)
    {
        if (Avx2.IsSupported) MatVecAvx2(w, stride, x, acc);
        else if (Ssse3.IsSupported) MatVecSsse3(w, stride, x, acc);
        else if (AdvSimd.Arm64.IsSupported) MatVecAdvSimd(w, stride, x, acc);
        else if (Vector128.IsHardwareAccelerated) MatVecVector128(w, stride, x, acc);
        else MatVecScalar(w, stride, x, acc);
    }

    /// <summary>Specification of <see cref="MatVec"/>.</summary>
    public static void MatVecScalar(ReadOnlySpan<sbyte> w, int stride, ReadOnlySpan<byte> x, Span<int> acc)
    {
        for (int o = 0; o < acc.Length; o++)
        {
            var row = w.Slice(o * stride, stride);
            int sum = 0;
            for (int i = 0; i < stride; i += 2)
            {
                // vpmaddubsw: u8 x s8 products of adjacent pairs, added with signed 16-bit saturation.
                int pair = x[i] * row[i] + x[i + 1] * row[i + 1];
                sum += Math.Clamp(pair, short.MinValue, short.MaxValue);
            }
            acc[o] = sum;
        }
    }

    /// <summary>
    /// <see cref="MatVec"/> with vpmaddubsw (u8 x s8 -> saturated s16 pair sums) then vpmaddwd with
    /// ones (adjacent s16 -> s32, exact), one row at a time with two int32 accumulators.
    /// </summary>
    // OPT: one row at a time streams the weights in order; four rows per pass over x measured the
    // same when cache-resident and 25% slower on an 8 MB matrix (NnKernelBenchmark, Large*).
    public static void MatVecAvx2(ReadOnlySpan<sbyte> w, int stride, ReadOnlySpan<byte> x, Span<int> acc)
    {
        int rows = acc.Length;
        CheckShape(w, stride, x, rows); // in release builds too: the loads below are not bounds-checked
        if (rows == 0) return;
        ref sbyte wr = ref MemoryMarshal.GetReference(w);
        ref byte xr = ref MemoryMarshal.GetReference(x);
        var ones = Vector256.Create((short)1);
        int block = stride & ~(2 * ColumnAlign - 1);
        for (int o = 0; o < rows; o++)
        {
            nuint r = (nuint)(o * stride);
            var a0 = Vector256<int>.Zero;
            var a1 = Vector256<int>.Zero;
            int i = 0;
            for (; i < block; i += 2 * ColumnAlign)
            {
                var p0 = Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref wr, r + (nuint)i));
                var p1 = Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref xr, (nuint)(i + ColumnAlign)), Vector256.LoadUnsafe(ref wr, r + (nuint)(i + ColumnAlign)));
                a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(p0, ones));
                a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(p1, ones));
            }
            if (i < stride)
                a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref wr, r + (nuint)i)), ones));
            acc[o] = Vector256.Sum(Avx2.Add(a0, a1));
        }
    }

    /// <summary>
    /// <see cref="MatVec"/> on 128-bit registers for x86 without AVX2: pmaddubsw (u8 x s8 ->
    /// saturated s16 pair sums) then pmaddwd with ones (s16 pairs -> s32), two accumulators per row.
    /// </summary>
    public static void MatVecSsse3(ReadOnlySpan<sbyte> w, int stride, ReadOnlySpan<byte> x, Span<int> acc)
    {
        int rows = acc.Length;
        CheckShape(w, stride, x, rows); // in release builds too: the loads below are not bounds-checked
        ref sbyte wr = ref MemoryMarshal.GetReference(w);
        ref byte xr = ref MemoryMarshal.GetReference(x);
        var ones = Vector128.Create((short)1);
        const int half = ColumnAlign / 2; // 16 bytes per register; ColumnAlign = two registers
        for (int o = 0; o < rows; o++)
        {
            nuint r = (nuint)(o * stride);
            var a0 = Vector128<int>.Zero;
            var a1 = Vector128<int>.Zero;
            for (int i = 0; i < stride; i += ColumnAlign)
            {
                var p0 = Ssse3.MultiplyAddAdjacent(Vector128.LoadUnsafe(ref xr, (nuint)i), Vector128.LoadUnsafe(ref wr, r + (nuint)i));
                var p1 = Ssse3.MultiplyAddAdjacent(Vector128.LoadUnsafe(ref xr, (nuint)(i + half)), Vector128.LoadUnsafe(ref wr, r + (nuint)(i + half)));
                a0 = Sse2.Add(a0, Sse2.MultiplyAddAdjacent(p0, ones));
                a1 = Sse2.Add(a1, Sse2.MultiplyAddAdjacent(p1, ones));
            }
            acc[o] = Vector128.Sum(Sse2.Add(a0, a1));
        }
    }

    /// <summary>
    /// <see cref="MatVec"/> written only with the portable <see cref="Vector128"/> API (no
    /// platform intrinsics): the fallback where 128-bit SIMD is accelerated but no specific kernel
    /// applies, and the proof, tested on any machine, of the algorithm <see cref="MatVecAdvSimd"/>
    /// implements. Per 16 bytes, viewed as 8 16-bit lanes (pair k = bytes 2k, 2k + 1): the even and
    /// odd bytes of x (zero-extended) and of w (sign-extended) split into s16 lanes by masks and
    /// shifts, multiplied in s16 (exact: |x w| &lt;= 255 * 128 = 32640), the two products of each
    /// pair added with s16 saturation (the pmaddubsw result, lane for lane), widened and added into
    /// two s32 accumulators.
    /// </summary>
    public static void MatVecVector128(ReadOnlySpan<sbyte> w, int stride, ReadOnlySpan<byte> x, Span<int> acc)
    {
        int rows = acc.Length;
        CheckShape(w, stride, x, rows); // in release builds too: the loads below are not bounds-checked
        ref sbyte wr = ref MemoryMarshal.GetReference(w);
        ref byte xr = ref MemoryMarshal.GetReference(x);
        var lowByte = Vector128.Create((ushort)0xFF);
        const int step = ColumnAlign / 2; // 16 bytes per register
        for (int o = 0; o < rows; o++)
        {
            nuint r = (nuint)(o * stride);
            var a0 = Vector128<int>.Zero;
            var a1 = Vector128<int>.Zero;
            for (int i = 0; i < stride; i += step)
            {
                var xv = Vector128.LoadUnsafe(ref xr, (nuint)i).AsUInt16();
                var wv = Vector128.LoadUnsafe(ref wr, r + (nuint)i).AsInt16();
                // Both operands split the same way, so which byte is "even" does not matter (either byte order).
                var xe = (xv & lowByte).AsInt16();
                var xo = Vector128.ShiftRightLogical(xv, 8).AsInt16();
                var we = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(wv, 8), 8);
                var wo = Vector128.ShiftRightArithmetic(wv, 8);
                var pairs = Vector128.AddSaturate(xe * we, xo * wo);
                a0 += Vector128.WidenLower(pairs);
                a1 += Vector128.WidenUpper(pairs);
            }
            acc[o] = Vector128.Sum(a0 + a1);
        }
    }

    /// <summary>
    /// <see cref="MatVec"/> for ARM64 (NEON has no u8 x s8 pair multiply-add like pmaddubsw): step
    /// for step, lane for lane, the arithmetic of <see cref="MatVecVector128"/>: and / ushr split x
    /// into even and odd bytes, shl + sshr / sshr split w, mul (exact s16 products), sqadd (the
    /// saturated pair sums), saddw / saddw2 (sign-extend and add: WidenLower / WidenUpper then +)
    /// into two s32 accumulators, addv. Compiled everywhere but only run (and tested) on ARM64;
    /// the portable kernel's tests verify the algorithm on any machine.
    /// </summary>
    public static void MatVecAdvSimd(ReadOnlySpan<sbyte> w, int stride, ReadOnlySpan<byte> x, Span<int> acc)
    {
        int rows = acc.Length;
        CheckShape(w, stride, x, rows); // in release builds too: the loads below are not bounds-checked
        ref sbyte wr = ref MemoryMarshal.GetReference(w);
        ref byte xr = ref MemoryMarshal.GetReference(x);
        var lowByte = Vector128.Create((ushort)0xFF);
        const int step = ColumnAlign / 2; // 16 bytes per register
        for (int o = 0; o < rows; o++)
        {
            nuint r = (nuint)(o * stride);
            var a0 = Vector128<int>.Zero;
            var a1 = Vector128<int>.Zero;
            for (int i = 0; i < stride; i += step)
            {
                var xv = Vector128.LoadUnsafe(ref xr, (nuint)i).AsUInt16();
                var wv = Vector128.LoadUnsafe(ref wr, r + (nuint)i).AsInt16();
                var xe = AdvSimd.And(xv, lowByte).AsInt16();
                var xo = AdvSimd.ShiftRightLogical(xv, 8).AsInt16();
                var we = AdvSimd.ShiftRightArithmetic(AdvSimd.ShiftLeftLogical(wv, 8), 8);
                var wo = AdvSimd.ShiftRightArithmetic(wv, 8);
                var pairs = AdvSimd.AddSaturate(AdvSimd.Multiply(xe, we), AdvSimd.Multiply(xo, wo));
                a0 = AdvSimd.AddWideningLower(a0, pairs.GetLower());
                a1 = AdvSimd.AddWideningUpper(a1, pairs);
            }
            acc[o] = AdvSimd.Arm64.AddAcross(AdvSimd.Add(a0, a1)).ToScalar();
        }
    }

    /// <summary>
    /// q[i] = clamp(<see cref="ZeroCode"/> + round(x[i] * invStep), 0, 255), rounding half to even.
    /// With invStep = 127 the range [-1, 1] maps onto codes 1..255 (tanh and sigmoid outputs, GRU
    /// states). The vector paths (AVX2, SSE4.1, portable <see cref="QuantizeVector128"/>) perform the
    /// same operations, so the codes are identical.
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> x, float invStep, Span<byte> q)
    {
        int i = 0;
        if (Avx2.IsSupported && x.Length >= 2 * Vector256<float>.Count)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref byte qr = ref MemoryMarshal.GetReference(q[..x.Length]);
            var scale = Vector256.Create(invStep);
            var zero = Vector256.Create((float)ZeroCode);
            var lo = Vector256<float>.Zero;
            var hi = Vector256.Create(255f);
            for (; i <= x.Length - 2 * Vector256<float>.Count; i += 2 * Vector256<float>.Count)
            {
                var v0 = Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(Vector256.LoadUnsafe(ref xr, (nuint)i) * scale) + zero, lo), hi));
                var v1 = Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(Vector256.LoadUnsafe(ref xr, (nuint)i + 8) * scale) + zero, lo), hi));
                // Values are already in 0..255, so narrowing int32 -> int16 -> byte is exact.
                var s = Vector256.Narrow(v0, v1).AsUInt16();
                var b = Vector128.Narrow(s.GetLower(), s.GetUpper());
                b.StoreUnsafe(ref qr, (nuint)i);
            }
        }
        else if (Sse41.IsSupported && x.Length >= 2 * Vector128<float>.Count)
        {
            // The same operations on 4 lanes (roundps needs SSE4.1).
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref byte qr = ref MemoryMarshal.GetReference(q[..x.Length]);
            var scale = Vector128.Create(invStep);
            var zero = Vector128.Create((float)ZeroCode);
            var lo = Vector128<float>.Zero;
            var hi = Vector128.Create(255f);
            for (; i <= x.Length - 2 * Vector128<float>.Count; i += 2 * Vector128<float>.Count)
            {
                var v0 = Vector128.ConvertToInt32(Vector128.Min(Vector128.Max(Sse41.RoundToNearestInteger(Vector128.LoadUnsafe(ref xr, (nuint)i) * scale) + zero, lo), hi));
                var v1 = Vector128.ConvertToInt32(Vector128.Min(Vector128.Max(Sse41.RoundToNearestInteger(Vector128.LoadUnsafe(ref xr, (nuint)i + 4) * scale) + zero, lo), hi));
                // Values are already in 0..255, so narrowing int32 -> int16 -> byte is exact.
                var s = Vector128.Narrow(v0, v1).AsUInt16();
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref qr, i), Vector128.Narrow(s, s).AsUInt64().ToScalar());
            }
        }
        else if (Vector128.IsHardwareAccelerated && x.Length >= 2 * Vector128<float>.Count)
        {
            // ARM64 and any other non-x86 platform with 128-bit SIMD.
            QuantizeVector128(x, invStep, q);
            return;
        }
        for (; i < x.Length; i++) q[i] = QuantizeOne(x[i], invStep);
    }

    /// <summary>
    /// <see cref="Quantize"/> written only with the portable <see cref="Vector128"/> API: the same
    /// operations as <see cref="QuantizeOne"/> on 4 lanes (Vector128.Round rounds half to even like
    /// MathF.Round; Min/Max propagate NaN like MathF.Min/Max; ConvertToInt32 saturates and maps NaN
    /// to 0 like the scalar cast), so the codes are identical; the tail is <see cref="QuantizeOne"/>.
    /// </summary>
    public static void QuantizeVector128(ReadOnlySpan<float> x, float invStep, Span<byte> q)
    {
        int i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref byte qr = ref MemoryMarshal.GetReference(q[..x.Length]);
        var scale = Vector128.Create(invStep);
        var zero = Vector128.Create((float)ZeroCode);
        var lo = Vector128<float>.Zero;
        var hi = Vector128.Create(255f);
        for (; i <= x.Length - 2 * Vector128<float>.Count; i += 2 * Vector128<float>.Count)
        {
            var v0 = Vector128.ConvertToInt32(Vector128.Min(Vector128.Max(Vector128.Round(Vector128.LoadUnsafe(ref xr, (nuint)i) * scale) + zero, lo), hi));
            var v1 = Vector128.ConvertToInt32(Vector128.Min(Vector128.Max(Vector128.Round(Vector128.LoadUnsafe(ref xr, (nuint)i + 4) * scale) + zero, lo), hi));
            // Values are already in 0..255, so narrowing int32 -> int16 -> byte is exact.
            var s = Vector128.Narrow(v0, v1).AsUInt16();
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref qr, i), Vector128.Narrow(s, s).AsUInt64().ToScalar());
        }
        for (; i < x.Length; i++) q[i] = QuantizeOne(x[i], invStep);
    }

    /// <summary>The scalar twin of <see cref="Quantize"/> for one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte QuantizeOne(float x, float invStep) =>
        (byte)(int)MathF.Min(MathF.Max(MathF.Round(x * invStep) + ZeroCode, 0f), 255f);

    /// <summary>The vector kernels' argument check: stride a multiple of <see cref="ColumnAlign"/>, x and w long enough.</summary>
    private static void CheckShape(ReadOnlySpan<sbyte> w, int stride, ReadOnlySpan<byte> x, int rows)
    {
        if (stride % ColumnAlign != 0 || x.Length < stride || w.Length < rows * stride)
            throw new ArgumentException($"int8 mat-vec: stride {stride} (multiple of {ColumnAlign}), x {x.Length}, w {w.Length} for {rows} rows");
    }

    /// <summary>Rounds a column count up to <see cref="ColumnAlign"/>.</summary>
    public static int Align(int columns) => (columns + ColumnAlign - 1) / ColumnAlign * ColumnAlign;
}
