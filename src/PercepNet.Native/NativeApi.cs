using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace PercepNet.Native;

/// <summary>
/// The C API of libpercepnet.so (include/percepnet.h documents each function). A state is a
/// <see cref="GCHandle"/> to a <see cref="State"/>; no exception ever crosses into C: a failing
/// call returns NULL or a negative number, and <c>percepnet_last_error</c> says why (per thread).
/// </summary>
public static unsafe class NativeApi
{
    /// <summary>What a state holds: a 48 kHz frame denoiser, or a stream at any rate and channel count.</summary>
    internal sealed class State(Denoiser? frames, StreamingDenoiser? stream)
    {
        public readonly Denoiser? Frames = frames;
        public readonly StreamingDenoiser? Stream = stream;
        public IEnumerable<Denoiser> Denoisers => Frames != null ? [Frames] : Stream!.Denoisers;
    }

    [ThreadStatic] private static byte[]? t_lastError;
    private static readonly byte* s_version = Utf8(typeof(NativeApi).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    private static readonly byte* s_empty = Utf8("");

    private static byte* Utf8(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s + "\0");
        var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return p;
    }

    internal static void SetError(string message) => t_lastError = Encoding.UTF8.GetBytes(message + "\0");

    /// <summary>The model a NULL path means: the built-in one; loaded once, shared by every state.</summary>
    internal static PercepNetModel LoadModel(byte* modelPath)
    {
        if (modelPath == null)
            return PercepNetModel.HasDefault ? PercepNetModel.Default : throw new InvalidOperationException("this build has no built-in model; pass a model file");
        return PercepNetModel.Load(Marshal.PtrToStringUTF8((nint)modelPath)!);
    }

    internal static State? Get(nint handle)
    {
        if (handle == 0) { SetError("state is NULL"); return null; }
        return GCHandle.FromIntPtr(handle).Target as State;
    }

    /// <summary>Runs a control call on a state: -1 with the message for a NULL state or any exception.</summary>
    private static int Control(nint handle, Func<State, int> action)
    {
        try
        {
            var s = Get(handle);
            return s == null ? -1 : action(s);
        }
        catch (Exception e) { SetError(e.Message); return -1; }
    }

    [UnmanagedCallersOnly(EntryPoint = "percepnet_create")]
    public static nint Create(byte* modelPath)
    {
        try
        {
            var state = new State(new Denoiser(LoadModel(modelPath)), null);
            return GCHandle.ToIntPtr(GCHandle.Alloc(state));
        }
        catch (Exception e)
        {
            SetError(e.Message);
            return 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "percepnet_create_stream")]
    public static nint CreateStream(byte* modelPath, int sampleRate, int channels)
    {
        try
        {
            var state = new State(null, new StreamingDenoiser(LoadModel(modelPath), sampleRate, channels));
            return GCHandle.ToIntPtr(GCHandle.Alloc(state));
        }
        catch (Exception e)
        {
            SetError(e.Message);
            return 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "percepnet_destroy")]
    public static void Destroy(nint handle)
    {
        if (handle != 0) GCHandle.FromIntPtr(handle).Free();
    }

    [UnmanagedCallersOnly(EntryPoint = "percepnet_frame_size")]
    public static int FrameSize() => Denoiser.FrameSize;

    [UnmanagedCallersOnly(EntryPoint = "percepnet_latency")]
    public static int Latency() => Dsp.FrameLayout.LatencySamples;

    [UnmanagedCallersOnly(EntryPoint = "percepnet_stream_latency")]
    public static int StreamLatency(nint handle) => Control(handle, s => s.Stream?.LatencySamples ?? s.Frames!.LatencySamples);

    [UnmanagedCallersOnly(EntryPoint = "percepnet_version")]
    public static byte* Version() => s_version;

    [UnmanagedCallersOnly(EntryPoint = "percepnet_last_error")]
    public static byte* LastError()
    {
        var e = t_lastError;
        if (e == null) return s_empty;
        // The array is kept alive by the thread-static field until the next error on this thread.
        return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(e));
    }

    [UnmanagedCallersOnly(EntryPoint = "percepnet_process_frame")]
    public static float ProcessFrame(nint handle, float* output, float* input)
    {
        try
        {
            var s = Get(handle);
            if (s == null) return -1;
            if (s.Frames == null) { SetError("percepnet_process_frame needs a state from percepnet_create; use percepnet_process for streams"); return -1; }
            if (input == null || output == null) { SetError("input or output is NULL"); return -1; }
            return s.Frames.ProcessFrame(new ReadOnlySpan<float>(input, Denoiser.FrameSize), new Span<float>(output, Denoiser.FrameSize));
        }
        catch (Exception e) { SetError(e.Message); return -1; }
    }

    [UnmanagedCallersOnly(EntryPoint = "percepnet_process")]
    public static int Process(nint handle, float* output, float* input, int frames)
    {
        try
        {
            var s = Get(handle);
            if (s == null) return -1;
            if (s.Stream == null) { SetError("percepnet_process needs a state from percepnet_create_stream; use percepnet_process_frame for 480-sample frames"); return -1; }
            if (frames < 0 || frames > int.MaxValue / s.Stream.ChannelCount) { SetError($"frames must be 0 or more (got {frames})"); return -1; }
            if (frames == 0) return 0;
            if (input == null || output == null) { SetError("input or output is NULL"); return -1; }
            int n = frames * s.Stream.ChannelCount;
            s.Stream.Process(new ReadOnlySpan<float>(input, n), new Span<float>(output, n));
            return frames;
        }
        catch (Exception e) { SetError(e.Message); return -1; }
    }

    [UnmanagedCallersOnly(EntryPoint = "percepnet_set_attenuation_limit")]
    public static int SetAttenuationLimit(nint handle, float db) => Control(handle, s =>
    {
        if (float.IsNaN(db)) { SetError("attenuation limit is NaN"); return -1; }
        foreach (var d in s.Denoisers) d.AttenuationLimitDb = db < 0 || float.IsPositiveInfinity(db) ? null : db;
        return 0;
    });

    [UnmanagedCallersOnly(EntryPoint = "percepnet_set_postfilter_strength")]
    public static int SetPostfilterStrength(nint handle, float strength) => Control(handle, s =>
    {
        if (!(strength >= 0 && strength <= 1)) { SetError($"postfilter strength must be within [0, 1] (got {strength})"); return -1; }
        foreach (var d in s.Denoisers) d.PostfilterStrength = strength;
        return 0;
    });

    [UnmanagedCallersOnly(EntryPoint = "percepnet_set_gain_release")]
    public static int SetGainRelease(nint handle, float ms) => Control(handle, s =>
    {
        if (!(ms <= 0 || (ms >= 10 && ms <= 10000))) { SetError($"gain release must be within [10, 10000] ms, or 0 for off (got {ms})"); return -1; }
        foreach (var d in s.Denoisers) d.GainReleaseMs = ms <= 0 ? null : ms;
        return 0;
    });

    [UnmanagedCallersOnly(EntryPoint = "percepnet_set_vad_gate")]
    public static int SetVadGate(nint handle, float threshold, float holdSeconds) => Control(handle, s =>
    {
        if (float.IsNaN(threshold) || threshold > 1) { SetError($"VAD gate threshold must be within [0, 1], or negative for off (got {threshold})"); return -1; }
        if (!(holdSeconds >= 0 && holdSeconds <= 10)) { SetError($"VAD gate hold must be within [0, 10] s (got {holdSeconds})"); return -1; }
        foreach (var d in s.Denoisers) d.SetVadGate(threshold < 0 ? null : threshold, holdSeconds);
        return 0;
    });

    [UnmanagedCallersOnly(EntryPoint = "percepnet_reset")]
    public static int Reset(nint handle) => Control(handle, s =>
    {
        s.Frames?.Reset();
        s.Stream?.Reset();
        return 0;
    });
}
