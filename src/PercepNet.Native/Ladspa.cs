using System.Runtime.InteropServices;
using System.Text;

namespace PercepNet.Native;

/// <summary>
/// LADSPA plugins in libpercepnet.so (ladspa.h, version 1.1): <c>percepnet_mono</c> (1 in, 1 out)
/// and <c>percepnet_stereo</c> (2 in, 2 out, each channel denoised on its own: independent, not
/// linked). Any host sample rate from 8 to 192 kHz (resampled to 48 kHz and back inside). Controls:
/// attenuation limit, postfilter strength, VAD gate threshold and hold; the output control port
/// <c>latency</c> reports the delay in samples at the host's rate, the LADSPA convention hosts such
/// as Ardour and PipeWire's filter-chain read.
/// </summary>
public static unsafe class Ladspa
{
    // ladspa.h constants.
    private const int PortInput = 0x1, PortOutput = 0x2, PortControl = 0x4, PortAudio = 0x8;
    private const int HintBoundedBelow = 0x1, HintBoundedAbove = 0x2, HintInteger = 0x20;
    private const int HintDefaultLow = 0x80, HintDefaultMiddle = 0xC0, HintDefaultMaximum = 0x140, HintDefault0 = 0x200;

    /// <summary>Unique IDs (unregistered; chosen not to clash with the known ranges of other vendors).</summary>
    public const uint MonoId = 4_813_101, StereoId = 4_813_102;

    /// <summary>The attenuation limit control's top: at this value or above, no limit.</summary>
    public const float NoLimitDb = 100;

    [StructLayout(LayoutKind.Sequential)]
    private struct Descriptor
    {
        public nuint UniqueId;
        public byte* Label;
        public int Properties;
        public byte* Name, Maker, Copyright;
        public nuint PortCount;
        public int* PortDescriptors;
        public byte** PortNames;
        public PortRangeHint* PortRangeHints;
        public void* ImplementationData;
        public delegate* unmanaged<Descriptor*, nuint, nint> Instantiate;
        public delegate* unmanaged<nint, nuint, float*, void> ConnectPort;
        public delegate* unmanaged<nint, void> Activate;
        public delegate* unmanaged<nint, nuint, void> Run;
        public void* RunAdding, SetRunAddingGain;
        public delegate* unmanaged<nint, void> Deactivate;
        public delegate* unmanaged<nint, void> Cleanup;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PortRangeHint
    {
        public int HintDescriptor;
        public float LowerBound, UpperBound;
    }


    private static byte* Utf8(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s + "\0");
        var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return p;
    }

    /// <summary>Control ports after the audio ports, in this order.</summary>
    private static readonly (string Name, int Hint, float Lo, float Hi)[] Controls =
    [
        ("Attenuation limit (dB, 100 = none)", HintBoundedBelow | HintBoundedAbove | HintDefaultMaximum, 0, NoLimitDb),
        ("Postfilter strength", HintBoundedBelow | HintBoundedAbove | HintDefaultMiddle, 0, 1),
        ("VAD gate threshold (0 = off)", HintBoundedBelow | HintBoundedAbove | HintDefault0, 0, 1),
        ("VAD gate hold (s)", HintBoundedBelow | HintBoundedAbove | HintDefaultLow, 0, 1.2f), // low = 0.3 s
    ];

    // After Controls: static fields are initialised in the order they are written.
    private static readonly Descriptor* s_mono = Make(1), s_stereo = Make(2);

    /// <summary>The LADSPA entry point: descriptor <paramref name="index"/> (0 mono, 1 stereo), or NULL past the last.</summary>
    [UnmanagedCallersOnly(EntryPoint = "ladspa_descriptor")]
    public static nint LadspaDescriptor(nuint index)
    {
        try
        {
            return index switch { 0 => (nint)s_mono, 1 => (nint)s_stereo, _ => 0 };
        }
        catch (Exception e)
        {
            NativeApi.SetError(e.Message);
            return 0;
        }
    }

    private static Descriptor* Make(int channels)
    {
        var names = new List<string>();
        var kinds = new List<int>();
        var hints = new List<PortRangeHint>();
        string[] side = channels == 1 ? [""] : [" L", " R"];
        foreach (var s in side) { names.Add("Input" + s); kinds.Add(PortInput | PortAudio); hints.Add(default); }
        foreach (var s in side) { names.Add("Output" + s); kinds.Add(PortOutput | PortAudio); hints.Add(default); }
        foreach (var c in Controls)
        {
            names.Add(c.Name);
            kinds.Add(PortInput | PortControl);
            hints.Add(new PortRangeHint { HintDescriptor = c.Hint, LowerBound = c.Lo, UpperBound = c.Hi });
        }
        names.Add("latency");
        kinds.Add(PortOutput | PortControl);
        // A default on an output port means nothing to hosts, but sox requires one on every control port.
        hints.Add(new PortRangeHint { HintDescriptor = HintInteger | HintDefault0 });

        var d = (Descriptor*)NativeMemory.AllocZeroed((nuint)sizeof(Descriptor));
        d->UniqueId = channels == 1 ? MonoId : StereoId;
        d->Label = Utf8(channels == 1 ? "percepnet_mono" : "percepnet_stereo");
        d->Name = Utf8(channels == 1 ? "PercepNet noise suppression (mono)" : "PercepNet noise suppression (stereo, channels independent)");
        d->Maker = Utf8("PercepNet for .NET");
        d->Copyright = Utf8("BSD-3-Clause (code); built-in model non-commercial, see LICENSE.md");
        d->PortCount = (nuint)names.Count;
        d->PortDescriptors = (int*)NativeMemory.Alloc((nuint)(names.Count * sizeof(int)));
        d->PortNames = (byte**)NativeMemory.Alloc((nuint)(names.Count * sizeof(byte*)));
        d->PortRangeHints = (PortRangeHint*)NativeMemory.Alloc((nuint)(names.Count * sizeof(PortRangeHint)));
        for (int i = 0; i < names.Count; i++)
        {
            d->PortDescriptors[i] = kinds[i];
            d->PortNames[i] = Utf8(names[i]);
            d->PortRangeHints[i] = hints[i];
        }
        d->ImplementationData = (void*)channels;
        d->Instantiate = &Instantiate;
        d->ConnectPort = &ConnectPort;
        d->Activate = &Activate;
        d->Run = &Run;
        d->Deactivate = &Deactivate;
        d->Cleanup = &Cleanup;
        return d;
    }

    /// <summary>One plugin instance: its stream, the host's port buffers and the controls last applied.</summary>
    private sealed class Instance(StreamingDenoiser stream)
    {
        public readonly StreamingDenoiser Stream = stream;
        public readonly int Channels = stream.ChannelCount;
        public readonly nint[] Ports = new nint[2 * stream.ChannelCount + Controls.Length + 1];
        public readonly float[] Applied = [float.NaN, float.NaN, float.NaN, float.NaN];
        public float[] Interleaved = new float[2 * 8192];

        public float* Port(int i) => (float*)Ports[i];
    }

    [UnmanagedCallersOnly]
    private static nint Instantiate(Descriptor* descriptor, nuint sampleRate)
    {
        try
        {
            int channels = (int)(nint)descriptor->ImplementationData;
            if (sampleRate < StreamingDenoiser.MinSampleRate || sampleRate > StreamingDenoiser.MaxSampleRate)
            {
                NativeApi.SetError($"sample rate {sampleRate} Hz: the plugin runs at {StreamingDenoiser.MinSampleRate} to {StreamingDenoiser.MaxSampleRate} Hz");
                return 0;
            }
            // PERCEPNET_MODEL names a model file to use instead of the built-in one.
            string? path = Environment.GetEnvironmentVariable("PERCEPNET_MODEL");
            var model = string.IsNullOrEmpty(path) ? NativeApi.LoadModel(null) : PercepNetModel.Load(path);
            var stream = new StreamingDenoiser(model, (int)sampleRate, channels);
            return GCHandle.ToIntPtr(GCHandle.Alloc(new Instance(stream)));
        }
        catch (Exception e)
        {
            NativeApi.SetError(e.Message);
            return 0;
        }
    }

    private static Instance? Get(nint handle) => handle == 0 ? null : GCHandle.FromIntPtr(handle).Target as Instance;

    [UnmanagedCallersOnly]
    private static void ConnectPort(nint handle, nuint port, float* data)
    {
        var p = Get(handle);
        if (p != null && port < (nuint)p.Ports.Length) p.Ports[(int)port] = (nint)data;
    }

    [UnmanagedCallersOnly]
    private static void Activate(nint handle)
    {
        try { Get(handle)?.Stream.Reset(); }
        catch (Exception e) { NativeApi.SetError(e.Message); }
    }

    [UnmanagedCallersOnly]
    private static void Deactivate(nint handle) { }

    [UnmanagedCallersOnly]
    private static void Cleanup(nint handle)
    {
        if (handle != 0) GCHandle.FromIntPtr(handle).Free();
    }

    [UnmanagedCallersOnly]
    private static void Run(nint handle, nuint sampleCount)
    {
        try
        {
            var p = Get(handle);
            if (p == null) return;
            ApplyControls(p);
            int n = (int)Math.Min(sampleCount, (nuint)(int.MaxValue / 2));
            int ch = p.Channels;
            if (p.Port(2 * ch + Controls.Length) is var latency && latency != null) *latency = p.Stream.LatencySamples;
            for (int c = 0; c < ch; c++)
                if (p.Port(c) == null || p.Port(ch + c) == null) return; // a host that runs unconnected audio ports
            if (ch == 1)
            {
                // In place is fine: the stream reads each slice before writing it.
                p.Stream.Process(new ReadOnlySpan<float>(p.Port(0), n), new Span<float>(p.Port(1), n));
                return;
            }
            for (int start = 0; start < n;)
            {
                int m = Math.Min(n - start, p.Interleaved.Length / ch);
                var buffer = p.Interleaved.AsSpan(0, m * ch);
                for (int c = 0; c < ch; c++)
                {
                    float* src = p.Port(c) + start;
                    for (int i = 0; i < m; i++) buffer[i * ch + c] = src[i];
                }
                p.Stream.Process(buffer, buffer);
                for (int c = 0; c < ch; c++)
                {
                    float* dst = p.Port(ch + c) + start;
                    for (int i = 0; i < m; i++) dst[i] = buffer[i * ch + c];
                }
                start += m;
            }
        }
        catch (Exception e)
        {
            NativeApi.SetError(e.Message);
        }
    }

    /// <summary>Applies control values that changed since the last run (clamped to their ranges; unconnected ports keep defaults).</summary>
    private static void ApplyControls(Instance p)
    {
        int first = 2 * p.Channels;
        float Value(int k, float fallback)
        {
            float* v = p.Port(first + k);
            return v == null || float.IsNaN(*v) ? fallback : Math.Clamp(*v, Controls[k].Lo, Controls[k].Hi);
        }
        float limit = Value(0, NoLimitDb), strength = Value(1, 0.5f), threshold = Value(2, 0), hold = Value(3, 0.3f);
        if (limit != p.Applied[0])
            foreach (var d in p.Stream.Denoisers) d.AttenuationLimitDb = limit >= NoLimitDb ? null : limit;
        if (strength != p.Applied[1])
            foreach (var d in p.Stream.Denoisers) d.PostfilterStrength = strength;
        if (threshold != p.Applied[2] || hold != p.Applied[3])
            foreach (var d in p.Stream.Denoisers) d.SetVadGate(threshold > 0 ? threshold : null, hold);
        p.Applied[0] = limit;
        p.Applied[1] = strength;
        p.Applied[2] = threshold;
        p.Applied[3] = hold;
    }
}
