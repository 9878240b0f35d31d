/*
 * C test of libpercepnet.so through percepnet.h alone (scripts/native-check.sh runs it).
 *
 *   percepnet_test api                                  checks constants, errors and setters
 *   percepnet_test frames IN.f32 OUT.f32                48 kHz mono, 480-sample frames
 *   percepnet_test stream RATE CH BLOCK IN.f32 OUT.f32  interleaved stream, BLOCK frames per call
 *   percepnet_test latency RATE CH                      prints a stream's latency in samples
 *   percepnet_test compare REF.f32 TEST.f32 LAG MIN_DB  SI-SDR of TEST shifted back by LAG against REF
 *
 * Files are raw 32-bit float (sox -t f32). OUT of frames/stream is aligned with IN: the first
 * latency samples are dropped and the stream is flushed with zeros, so OUT has IN's length.
 */
#include "percepnet.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float *read_f32(const char *path, long *n) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "%s: cannot open\n", path); exit(2); }
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    *n = bytes / (long)sizeof(float);
    float *x = malloc((size_t)(*n + 1) * sizeof(float));
    if (fread(x, sizeof(float), (size_t)*n, f) != (size_t)*n) { fprintf(stderr, "%s: short read\n", path); exit(2); }
    fclose(f);
    return x;
}

static void write_f32(const char *path, const float *x, long n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(x, sizeof(float), (size_t)n, f) != (size_t)n) { fprintf(stderr, "%s: cannot write\n", path); exit(2); }
    fclose(f);
}

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static int api(void) {
    CHECK(percepnet_frame_size() == 480, "frame size %d", percepnet_frame_size());
    CHECK(percepnet_latency() == 1440, "latency %d", percepnet_latency());
    CHECK(strlen(percepnet_version()) > 0, "empty version");
    CHECK(strcmp(percepnet_last_error(), "") == 0, "an error before any call: %s", percepnet_last_error());

    PercepNetState *bad = percepnet_create("/nonexistent/model.pnnm");
    CHECK(bad == NULL, "a missing model file gave a state");
    CHECK(strstr(percepnet_last_error(), "model.pnnm") != NULL, "error does not name the file: %s", percepnet_last_error());
    CHECK(percepnet_create_stream(NULL, 7000, 1) == NULL, "7 kHz accepted");
    CHECK(strstr(percepnet_last_error(), "7000") != NULL, "error does not name the rate: %s", percepnet_last_error());
    CHECK(percepnet_create_stream(NULL, 48000, 0) == NULL, "0 channels accepted");

    PercepNetState *st = percepnet_create(NULL);
    CHECK(st != NULL, "create: %s", percepnet_last_error());
    float in[480], out[480];
    for (int i = 0; i < 480; i++) in[i] = 0.1f * sinf(0.05f * (float)i);
    float vad = percepnet_process_frame(st, out, in);
    CHECK(vad >= 0 && vad <= 1, "speech probability %f", vad);
    CHECK(percepnet_process_frame(st, NULL, in) == -1, "NULL output accepted");
    CHECK(percepnet_process_frame(NULL, out, in) == -1, "NULL state accepted");
    CHECK(percepnet_process(st, out, in, 480) == -1, "a frame state ran as a stream");
    CHECK(percepnet_set_attenuation_limit(st, NAN) == -1, "NaN limit accepted");
    CHECK(percepnet_set_attenuation_limit(st, 20) == 0, "limit 20: %s", percepnet_last_error());
    CHECK(percepnet_set_attenuation_limit(st, -1) == 0, "limit off: %s", percepnet_last_error());
    CHECK(percepnet_set_postfilter_strength(st, 1.5f) == -1, "strength 1.5 accepted");
    CHECK(percepnet_set_postfilter_strength(st, 1.0f) == 0, "strength 1: %s", percepnet_last_error());
    CHECK(percepnet_set_gain_release(st, 5.0f) == -1, "release 5 ms accepted");
    CHECK(percepnet_set_gain_release(st, NAN) == -1, "release NaN accepted");
    CHECK(percepnet_set_gain_release(st, 135.0f) == 0, "release 135 ms: %s", percepnet_last_error());
    CHECK(percepnet_set_gain_release(st, 0.0f) == 0, "release off: %s", percepnet_last_error());
    CHECK(percepnet_set_vad_gate(st, 2.0f, 0.3f) == -1, "threshold 2 accepted");
    CHECK(percepnet_set_vad_gate(st, 0.5f, -1.0f) == -1, "hold -1 accepted");
    CHECK(percepnet_set_vad_gate(st, 0.5f, 0.3f) == 0, "gate: %s", percepnet_last_error());
    CHECK(percepnet_reset(st) == 0, "reset: %s", percepnet_last_error());
    /* NaN and infinities in: finite out. */
    for (int i = 0; i < 480; i++) in[i] = (i % 3 == 0) ? NAN : (i % 3 == 1) ? INFINITY : -INFINITY;
    percepnet_process_frame(st, out, in);
    for (int i = 0; i < 480; i++) CHECK(isfinite(out[i]), "non-finite output at %d", i);
    percepnet_destroy(st);
    percepnet_destroy(NULL);

    PercepNetState *s2 = percepnet_create_stream(NULL, 16000, 2);
    CHECK(s2 != NULL, "stream: %s", percepnet_last_error());
    CHECK(percepnet_stream_latency(s2) == 796, "16 kHz latency %d", percepnet_stream_latency(s2));
    CHECK(percepnet_process_frame(s2, out, in) == -1, "a stream ran as frames");
    CHECK(percepnet_process(s2, out, in, 240) == 240, "process: %s", percepnet_last_error());
    CHECK(percepnet_process(s2, out, in, -1) == -1, "negative count accepted");
    percepnet_destroy(s2);
    printf("api: %s (%d failures)\n", failures ? "FAILED" : "ok", failures);
    return failures ? 1 : 0;
}

static int frames(const char *inPath, const char *outPath) {
    long n;
    float *x = read_f32(inPath, &n);
    PercepNetState *st = percepnet_create(NULL);
    if (!st) { fprintf(stderr, "create: %s\n", percepnet_last_error()); return 1; }
    int fs = percepnet_frame_size(), lat = percepnet_latency();
    long total = n + lat, nf = (total + fs - 1) / fs;
    float *in = calloc((size_t)(nf * fs), sizeof(float)), *y = calloc((size_t)(nf * fs), sizeof(float));
    memcpy(in, x, (size_t)n * sizeof(float));
    double t0 = now_s();
    for (long f = 0; f < nf; f++)
        if (percepnet_process_frame(st, y + f * fs, in + f * fs) < 0) { fprintf(stderr, "frame %ld: %s\n", f, percepnet_last_error()); return 1; }
    double cpu = now_s() - t0;
    write_f32(outPath, y + lat, n);
    percepnet_destroy(st);
    printf("frames: %ld samples through %ld frames, %.1f us of process CPU time per frame (%.2f%% of a core)\n",
           n, nf, 1e6 * cpu / (double)nf, 100 * cpu / ((double)nf * 0.01));
    return 0;
}

static int stream(int rate, int ch, int block, const char *inPath, const char *outPath) {
    long n;
    float *x = read_f32(inPath, &n);
    long frames = n / ch;
    PercepNetState *st = percepnet_create_stream(NULL, rate, ch);
    if (!st) { fprintf(stderr, "create_stream: %s\n", percepnet_last_error()); return 1; }
    int lat = percepnet_stream_latency(st);
    long total = frames + lat;
    float *in = calloc((size_t)(total * ch), sizeof(float)), *y = calloc((size_t)(total * ch), sizeof(float));
    memcpy(in, x, (size_t)n * sizeof(float));
    for (long pos = 0; pos < total; pos += block) {
        int m = (int)(total - pos < block ? total - pos : block);
        if (percepnet_process(st, y + pos * ch, in + pos * ch, m) != m) { fprintf(stderr, "process: %s\n", percepnet_last_error()); return 1; }
    }
    write_f32(outPath, y + (long)lat * ch, frames * ch);
    percepnet_destroy(st);
    printf("stream: %ld sample frames at %d Hz x %d, latency %d\n", frames, rate, ch, lat);
    return 0;
}

static int compare(const char *refPath, const char *testPath, long lag, double minDb) {
    long nr, nt;
    float *r = read_f32(refPath, &nr), *t = read_f32(testPath, &nt);
    long n = nr < nt - lag ? nr : nt - lag;
    double rt = 0, rr = 0;
    for (long i = 0; i < n; i++) { rt += (double)r[i] * t[i + lag]; rr += (double)r[i] * r[i]; }
    double a = rt / rr, es = 0, en = 0;
    for (long i = 0; i < n; i++) {
        double s = a * r[i], e = t[i + lag] - s;
        es += s * s;
        en += e * e;
    }
    double db = 10 * log10(es / en);
    printf("SI-SDR %.1f dB over %ld samples (lag %ld); needed >= %.1f\n", db, n, lag, minDb);
    return db >= minDb ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "api")) return api();
    if (argc == 4 && !strcmp(argv[1], "frames")) return frames(argv[2], argv[3]);
    if (argc == 7 && !strcmp(argv[1], "stream")) return stream(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), argv[5], argv[6]);
    if (argc == 4 && !strcmp(argv[1], "latency")) {
        PercepNetState *st = percepnet_create_stream(NULL, atoi(argv[2]), atoi(argv[3]));
        if (!st) { fprintf(stderr, "%s\n", percepnet_last_error()); return 1; }
        printf("%d\n", percepnet_stream_latency(st));
        percepnet_destroy(st);
        return 0;
    }
    if (argc == 6 && !strcmp(argv[1], "compare")) return compare(argv[2], argv[3], atol(argv[4]), atof(argv[5]));
    fprintf(stderr, "usage: see the comment at the top of percepnet_test.c\n");
    return 2;
}
