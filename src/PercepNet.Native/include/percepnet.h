/*
 * percepnet.h: the C API of libpercepnet.so, real-time noise and reverberation suppression
 * (PercepNet) with a built-in model. Build: scripts/build-native.sh OUTDIR.
 *
 * Two kinds of state:
 *   - percepnet_create(): 48 kHz mono in frames of exactly percepnet_frame_size() = 480 samples,
 *     as RNNoise does; the output lags the input by percepnet_latency() = 1440 samples (30 ms).
 *   - percepnet_create_stream(): any sample rate from 8000 to 192000 Hz, interleaved channels
 *     (each denoised on its own), any number of sample frames per call, the same number out; the
 *     lag is percepnet_stream_latency() samples at the stream's rate (30 ms plus buffering).
 *
 * Samples are floats nominally in [-1, 1] (NaN and infinities are taken as 0). A state is not
 * thread-safe: use one per stream (states share the model's weights). Processing allocates nothing.
 *
 * Errors: no function lets an error escape as a crash. A failing call returns NULL or a negative
 * value, and percepnet_last_error() returns a message for the calling thread.
 */
#ifndef PERCEPNET_H
#define PERCEPNET_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct PercepNetState PercepNetState;

/* A 48 kHz frame denoiser. model_path: a .pnnm model file, or NULL for the built-in model.
   Returns NULL on error (an unreadable or invalid model file). */
PercepNetState *percepnet_create(const char *model_path /* NULL: built-in */);

/* A stream at sample_rate Hz (8000..192000) with channels interleaved channels (1..64).
   Returns NULL on error. */
PercepNetState *percepnet_create_stream(const char *model_path /* NULL: built-in */,
                                        int sample_rate, int channels);

/* Frees a state from either constructor. NULL is ignored. */
void percepnet_destroy(PercepNetState *st);

/* Samples per frame of percepnet_process_frame: 480 (10 ms at 48 kHz). */
int percepnet_frame_size(void);

/* Delay of percepnet_process_frame's output in samples: 1440 (30 ms at 48 kHz). */
int percepnet_latency(void);

/* Delay of a state's output in samples at its own rate (a stream: percepnet_create_stream). */
int percepnet_stream_latency(const PercepNetState *st);

/* The library's version, e.g. "0.9.0". */
const char *percepnet_version(void);

/* Denoises one frame: in and out hold percepnet_frame_size() samples of 48 kHz mono audio in
   [-1, 1] and may be the same buffer. Returns the speech probability (0..1) of the output frame,
   or -1 on error (a NULL pointer, a stream state). */
float percepnet_process_frame(PercepNetState *st, float *out, const float *in);

/* Denoises frames sample frames of interleaved audio (frames x channels floats) of a stream state;
   out may be in. Returns frames, or -1 on error. */
int percepnet_process(PercepNetState *st, float *out, const float *in, int frames);

/* Never attenuate by more than db decibels (e.g. 20 keeps some background). A negative value or
   INFINITY removes the limit (the default). Returns 0, or -1 on error (NaN). */
int percepnet_set_attenuation_limit(PercepNetState *st, float db);

/* Strength of the postfilter's extra attenuation, 0..1 (default 0.5). Returns 0 or -1. */
int percepnet_set_postfilter_strength(PercepNetState *st, float strength);

/* Gain release: no band's output falls faster than 60 dB in ms milliseconds (10..10000; RNNoise's
   fixed limit is 135). 0 or a negative value turns it off (the default). Returns 0 or -1. */
int percepnet_set_gain_release(PercepNetState *st, float ms);

/* VAD gate: mute the output while the speech probability stays below threshold (0..1) for longer
   than hold_seconds (0..10; fades of 10 ms out, 1 ms in). A negative threshold turns the gate off
   (the default). Returns 0 or -1. */
int percepnet_set_vad_gate(PercepNetState *st, float threshold, float hold_seconds);

/* Starts a new stream with the same settings. Returns 0 or -1. */
int percepnet_reset(PercepNetState *st);

/* The message of the calling thread's last error ("" if none). Valid until that thread's next error. */
const char *percepnet_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* PERCEPNET_H */
