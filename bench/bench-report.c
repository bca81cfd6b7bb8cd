/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench report writers: terminal table, JSON, CSV, gnuplot data and the
 * flat metrics file. Main thread, after the measurements. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench-report.h"

/* Reference figures from the Haiku MIDI Kit 2 analysis (the project's seed
 * document): what the midi_server path cost there. Not measured here. */
#define SEED_LATENCY_US 270.0
#define SEED_MSGS_PER_S 3888.0
#define SEED_REPAINT_US 30500.0

struct method {
	const char *what, *how;
};

static const struct method methods[] = {
	{ "input latency",
	  "device side stamps CLOCK_MONOTONIC right before handing each message "
	  "over (the emulated device: to the gadget card's sequencer client, "
	  "whose snd-seq-midi writes it into the gadget rawmidi; the "
	  "sequencer-only path: to the peer client's output); the bench stamps "
	  "CLOCK_MONOTONIC right after snd_seq_event_input() returns it; the "
	  "direct path runs the transport apcminid ships (libapcusb, its IN "
	  "transfers always in flight) on its own thread and loop and takes "
	  "the stamp the transport passes with each IN transfer: "
	  "CLOCK_MONOTONIC when libusb handed the reaped transfer back in that "
	  "loop wake-up, the same stamp apcminid puts on its events; matched by order and "
	  "content (a counter encoded in note/velocity, CC/value, sysex bytes); "
	  "one message every --interval; first --warmup messages reported apart "
	  "as 'warmup'" },
	{ "play port",
	  "apcminid-play: the same apcminid and device side, the bench subscribed "
	  "to apcminid's play port (\"<card> Play\") instead of port 0; each pad "
	  "press, release and fader move sent is matched to the event the default "
	  "play mapping makes of it (note-on at velocity 100, note-off, CC on "
	  "channel 1), keyed from the core's apcmap (apcmap_config_default, "
	  "apcmap_pad_note, the fader CC table); pads left pressed by a test are "
	  "released before the next; note, cc, burst and throughput only (the port "
	  "carries no sysex and takes no LEDs). While the port has a subscriber "
	  "apcminid draws the mapping's LED feedback: every press and release "
	  "repaints the pads that show the note, one OUT transfer to the device "
	  "after the events left, which the emulated device reads in the same "
	  "machine: part of the figures" },
	{ "burst", "bursts of --burst messages back to back, then --gap idle; "
		   "'burst-first' is the first of each burst (woken from idle), "
		   "'burst-rest' the others" },
	{ "round trip",
	  "the bench sends a control change (CC 48-56, a counter in controller "
	  "and value) into the path's writable port (kernel: the snd-usb-audio "
	  "port; apcminid: its port 0, which passes what is no LED to the "
	  "device unchanged and in order; direct: one OUT transfer through "
	  "libapcusb; seq: the peer sink), stamping CLOCK_MONOTONIC right "
	  "before the write; the device side (apcdev's on_msg on the emulated "
	  "device, the peer sink on the seq path) sends every message it gets "
	  "straight back as the device; the bench stamps the echo as it stamps "
	  "input and matches it by content; one message at a time, --interval "
	  "apart or right after the echo; --count messages; an echo not back "
	  "within 200 ms is lost" },
	{ "identity",
	  "the round trip a real device answers too: the bench sends the "
	  "universal identity request (F0 7E 7F 06 01 F7) into the path's "
	  "writable port as one sysex (direct: one OUT transfer), the device "
	  "(the emulated one's apcdev, or the controller's firmware) answers "
	  "with its identity reply, which the bench stamps as it stamps input; "
	  "one request at a time, --interval apart or right after the reply, "
	  "--count / 4 requests; a reply not back within 200 ms is lost (and "
	  "what comes in the next 200 ms is dropped, so no late reply is "
	  "taken for the next request's)" },
	{ "throughput",
	  "device side offers events at a fixed rate for --duration, in one "
	  "write per millisecond tick; sent = accepted by the device side "
	  "(never assumed), received = counted at the bench until all arrived "
	  "or 500 ms of silence; lost = sent - matched" },
	{ "repaint64",
	  "64 pad LED note-ons, each written and flushed on its own "
	  "(snd_seq_event_output_direct; direct: one USB packet per OUT "
	  "transfer, handed to the transport as it asks); time from the stamp before the first write to "
	  "the device side's receive stamp of the last LED's final value; "
	  "median over --reps" },
	{ "batch N",
	  "N LED note-ons written in one flush (snd_seq_drain_output; direct: "
	  "as many per OUT transfer as the transport's buffer holds); same timing as repaint64; N > 64 addresses "
	  "each pad more than once, done when every pad shows its last value" },
	{ "cpu", "utime + stime from /proc/PID/stat (system: all CPUs from "
		 "/proc/stat, every process and the kernel) over the path's whole run; "
		 "per message = cpu / messages moved in that run" },
	{ "rss, fds", "VmHWM from /proc/PID/status, entries of /proc/PID/fd, "
		      "at the end of the path's run" },
	{ "idle wakeups", "voluntary + nonvoluntary context switches from "
			  "/proc/PID/status (system: ctxt from /proc/stat) over "
			  "--idle seconds with nothing sent, per second" },
	{ "pad to sound",
	  "per chain and round: the chain's programs started fresh, the audio "
	  "device's capture side (snd-aloop's hw:Loopback,1,0) recorded by a "
	  "bench thread; pads pressed (note-on, note-off 80 ms later, 300-400 "
	  "ms apart, pseudo-random) through the emulated device, each stamped "
	  "CLOCK_MONOTONIC right before the hand-over; captured frames timed "
	  "from snd_pcm_status's htstamp (MONOTONIC, the last hardware pointer "
	  "update) and the pointer position: a frame takes the time of the first "
	  "status that saw it captured, less the frames after it at 48 kHz "
	  "(the device clock is not assumed steady: 'audio clock' is its "
	  "frames per real second / 48000); onset = first "
	  "frame within 150 ms of the press (and before the next) above 0.3 % "
	  "of full scale and 3x the loudest of the 10 ms before the press; "
	  "no onset = a loss; jitter = standard deviation and p99 - p1; rounds "
	  "interleaved with the chain order rotated, per-round medians "
	  "reported; 'midi' = press stamp to the bench's receive of the same "
	  "note from the chain's source client (the emulator, USB and the "
	  "driver; an upper bound of the emulator's own spread)" },
};

void bench_report_methods(FILE *f)
{
	size_t i;

	fprintf(f, "How each figure is measured:\n");
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		fprintf(f, "  %-13s %s\n", methods[i].what, methods[i].how);
}

static const struct bench_latency *find_lat(const struct bench_path_result *p, const char *name)
{
	unsigned int i;

	for (i = 0; i < p->nlat; i++)
		if (p->lat[i].measured && !strcmp(p->lat[i].name, name))
			return &p->lat[i];
	return NULL;
}

/* Highest receive rate reached, and the highest with nothing lost. */
static void best_rates(const struct bench_path_result *p, double *best, double *lossless)
{
	unsigned int i;

	*best = *lossless = -1;
	for (i = 0; i < p->nrate; i++) {
		const struct bench_rate *r = &p->rate[i];

		if (r->recv_rate > *best)
			*best = r->recv_rate;
		if (r->lost == 0 && r->unexpected == 0 && r->sent > 0 && r->recv_rate > *lossless)
			*lossless = r->recv_rate;
	}
}

static const struct bench_repaint *find_batch(const struct bench_path_result *p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < p->nbatch; i++)
		if (p->batch[i].batch == n && p->batch[i].reps > p->batch[i].timeouts)
			return &p->batch[i];
	return NULL;
}

#define CELL 12

static void cell(FILE *f, double v, int prec)
{
	char buf[32];

	if (v < 0 || isnan(v))
		snprintf(buf, sizeof(buf), "n/m");
	else
		snprintf(buf, sizeof(buf), "%.*f", prec, v);
	fprintf(f, " %*s", CELL, buf);
}

typedef double (*getter)(const struct bench_path_result *p, const void *arg);

static double g_lat(const struct bench_path_result *p, const void *arg)
{
	const char *const *a = arg; /* { name, stat } */
	const struct bench_latency *l = find_lat(p, a[0]);

	if (!l)
		return -1;
	if (!strcmp(a[1], "min"))
		return l->s.min / 1e3;
	if (!strcmp(a[1], "p50"))
		return l->s.p50 / 1e3;
	if (!strcmp(a[1], "mean"))
		return l->s.mean / 1e3;
	if (!strcmp(a[1], "p95"))
		return l->s.p95 / 1e3;
	if (!strcmp(a[1], "p99"))
		return l->s.p99 / 1e3;
	if (!strcmp(a[1], "max"))
		return l->s.max / 1e3;
	if (!strcmp(a[1], "stddev"))
		return l->s.stddev / 1e3;
	if (!strcmp(a[1], "lost"))
		return (double)l->lost;
	return -1;
}

static double g_best(const struct bench_path_result *p, const void *arg)
{
	double best, lossless;

	best_rates(p, &best, &lossless);
	return *(const int *)arg ? lossless : best;
}

static double g_repaint64(const struct bench_path_result *p, const void *arg)
{
	const struct bench_repaint *r = &p->repaint64;

	return r->reps > r->timeouts ? r->median_us : -1;
}

static double g_batch(const struct bench_path_result *p, const void *arg)
{
	const struct bench_repaint *r = find_batch(p, *(const unsigned int *)arg);

	return r ? r->median_us : -1;
}

static double g_res(const struct bench_path_result *p, const void *arg)
{
	const char *const *a = arg; /* { component, field } */
	unsigned int i;

	for (i = 0; i < p->nres; i++) {
		const struct bench_resource *r = &p->res[i];

		if (strcmp(r->component, a[0]))
			continue;
		if (!strcmp(a[1], "cpu"))
			return r->cpu_us_per_msg;
		if (!strcmp(a[1], "wake"))
			return r->idle_wakeups;
		if (!strcmp(a[1], "rss"))
			return r->hwm_kb >= 0 ? r->hwm_kb / 1024.0 : -1;
		if (!strcmp(a[1], "fds"))
			return r->fds;
	}
	return -1;
}

static void row(FILE *f, const struct bench_run *run, const char *label, getter g,
		const void *arg, int prec, double seed)
{
	unsigned int i;

	fprintf(f, "%-34s", label);
	for (i = 0; i < run->npath; i++)
		cell(f, g(&run->path[i], arg), prec);
	if (seed > 0)
		cell(f, seed, prec);
	else
		fprintf(f, " %*s", CELL, "-");
	fputc('\n', f);
}

static void sound_cell(FILE *f, int width, double ns)
{
	char buf[32];

	if (ns < 0 || isnan(ns))
		snprintf(buf, sizeof(buf), "n/m");
	else
		snprintf(buf, sizeof(buf), "%.2f", ns / 1e6);
	fprintf(f, " %*s", width, buf);
}

static void sound_table(FILE *f, const struct bench_sound *snd)
{
	unsigned int i, r;

	fprintf(f, "pad to sound: press stamp to sound onset on the audio device (ms)\n");
	fprintf(f, "config: %s\n", snd->config);
	if (snd->capture[0])
		fprintf(f, "capture: %s\n", snd->capture);
	if (!snd->measured) {
		fprintf(f, "n/m: %s\n", snd->why);
		return;
	}
	fprintf(f, "%-18s %7s %6s %5s %7s %7s %7s %7s %7s %7s  %-23s %7s %7s\n", "chain",
		"presses", "onsets", "lost", "min", "p50", "p99", "max", "stddev", "p99-p1",
		"p50 per round", "midi50", "midisd");
	for (i = 0; i < snd->nchain; i++) {
		const struct bench_sound_chain *c = &snd->chain[i];
		char rounds[64] = "";
		size_t len = 0;
		int have = c->s.n > 0;

		for (r = 0; r < snd->rounds && len < sizeof(rounds) - 8; r++) {
			if (c->round_p50_ns[r] >= 0)
				len += (size_t)snprintf(rounds + len, sizeof(rounds) - len, "%s%.2f",
							r ? "/" : "", c->round_p50_ns[r] / 1e6);
			else
				len += (size_t)snprintf(rounds + len, sizeof(rounds) - len, "%s-",
							r ? "/" : "");
		}
		fprintf(f, "%-18s %7u %6u %5u", c->name, c->presses, c->onsets, c->no_onset);
		sound_cell(f, 7, have ? c->s.min : -1);
		sound_cell(f, 7, have ? c->s.p50 : -1);
		sound_cell(f, 7, have ? c->s.p99 : -1);
		sound_cell(f, 7, have ? c->s.max : -1);
		sound_cell(f, 7, have ? c->s.stddev : -1);
		sound_cell(f, 7, have ? c->s.p99 - c->p1_ns : -1);
		fprintf(f, "  %-23s", rounds);
		sound_cell(f, 7, c->midi.n ? c->midi.p50 : -1);
		sound_cell(f, 7, c->midi.n ? c->midi.stddev : -1);
		fputc('\n', f);
	}
	for (i = 0; i < snd->nchain; i++) {
		const struct bench_sound_chain *c = &snd->chain[i];

		fprintf(f, "%-18s %s; midi p1-p99 %.2f-%.2f ms, %u midi lost; capture xruns %u, "
			   "audio clock %.4f x real time\n",
			c->name, c->desc, c->midi.n ? c->midi_p1_ns / 1e6 : 0,
			c->midi.n ? c->midi.p99 / 1e6 : 0, c->midi_lost, c->capture_xruns,
			c->clock_ratio);
		if (c->why[0])
			fprintf(f, "%-18s n/m: %s\n", "", c->why);
	}
}

void bench_report_table(FILE *f, const struct bench_run *run)
{
	static const char *const stats[] = { "min", "p50", "mean", "p95", "p99", "max", "stddev" };
	static const char *const lats[] = { "note", "cc", "sysex-8", "sysex-64", "sysex-256",
					    "burst-first", "burst-rest", "warmup" };
	static const char *const rt_stats[] = { "p50", "p99", "stddev" };
	static const unsigned int batches[] = { 1, 8, 16, 32, 64, 128, 256 };
	static const char *const comps[] = { "bench", "apcminid", "system" };
	char label[64];
	unsigned int i, k;
	int zero = 0, one = 1;

	fprintf(f, "apcbench: %s, %s, kernel %s, model %s, %s\n", run->started, run->host,
		run->kernel, run->model, run->device);
	if (!run->npath) {
		if (run->sound.nchain || run->sound.why[0])
			sound_table(f, &run->sound);
		return;
	}
	fprintf(f, "config: %s\n\n", run->config);
	fprintf(f, "%-34s", "metric");
	for (i = 0; i < run->npath; i++)
		fprintf(f, " %*s", CELL, run->path[i].name);
	fprintf(f, " %*s\n", CELL, "Haiku(seed)");

	for (k = 0; k < sizeof(stats) / sizeof(stats[0]); k++) {
		const char *a[2] = { "note", stats[k] };

		snprintf(label, sizeof(label), "input note latency %s (us)", stats[k]);
		row(f, run, label, g_lat, a, 1,
		    !strcmp(stats[k], "mean") ? SEED_LATENCY_US : 0);
	}
	for (k = 1; k < sizeof(lats) / sizeof(lats[0]); k++) {
		const char *a50[2] = { lats[k], "p50" }, *a99[2] = { lats[k], "p99" };

		snprintf(label, sizeof(label), "input %s p50 (us)", lats[k]);
		row(f, run, label, g_lat, a50, 1, 0);
		snprintf(label, sizeof(label), "input %s p99 (us)", lats[k]);
		row(f, run, label, g_lat, a99, 1, 0);
	}
	for (k = 0; k < sizeof(rt_stats) / sizeof(rt_stats[0]); k++) {
		const char *a[2] = { "roundtrip", rt_stats[k] };

		snprintf(label, sizeof(label), "round trip %s (us)", rt_stats[k]);
		row(f, run, label, g_lat, a, 1, 0);
	}
	for (k = 0; k < 2; k++) {
		const char *a[2] = { "identity", rt_stats[k] };

		snprintf(label, sizeof(label), "identity round trip %s (us)", rt_stats[k]);
		row(f, run, label, g_lat, a, 1, 0);
	}
	row(f, run, "throughput, max received (ev/s)", g_best, &zero, 0, SEED_MSGS_PER_S);
	row(f, run, "throughput, max lossless (ev/s)", g_best, &one, 0, 0);
	row(f, run, "repaint 64 LEDs, 64 writes (us)", g_repaint64, NULL, 1,
	    SEED_REPAINT_US);
	for (k = 0; k < sizeof(batches) / sizeof(batches[0]); k++) {
		snprintf(label, sizeof(label), "LEDs, batch of %u, 1 write (us)", batches[k]);
		row(f, run, label, g_batch, &batches[k], 1, 0);
	}
	for (k = 0; k < sizeof(comps) / sizeof(comps[0]); k++) {
		const char *c[2] = { comps[k], "cpu" }, *w[2] = { comps[k], "wake" },
			   *r[2] = { comps[k], "rss" }, *d[2] = { comps[k], "fds" };

		snprintf(label, sizeof(label), "%s CPU per message (us)", comps[k]);
		row(f, run, label, g_res, c, 1, 0);
		snprintf(label, sizeof(label), "%s idle wakeups (/s)", comps[k]);
		row(f, run, label, g_res, w, 1, 0);
		if (strcmp(comps[k], "system")) {
			snprintf(label, sizeof(label), "%s peak RSS (MiB)", comps[k]);
			row(f, run, label, g_res, r, 1, 0);
			snprintf(label, sizeof(label), "%s open fds", comps[k]);
			row(f, run, label, g_res, d, 0, 0);
		}
	}
	fputc('\n', f);
	for (i = 0; i < run->npath; i++) {
		const struct bench_path_result *p = &run->path[i];

		fprintf(f, "%-9s %s\n", p->name, p->desc);
		if (p->why[0])
			fprintf(f, "%-9s n/m: %s\n", "", p->why);
	}
	fprintf(f, "Haiku(seed): MIDI Kit 2 midi_server figures from the seed "
		   "analysis (not measured here; its latency is a mean).\n");
	if (run->sound.nchain || run->sound.why[0]) {
		fputc('\n', f);
		sound_table(f, &run->sound);
	}
}

/* ---- JSON ---- */

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void jnum(FILE *f, double v)
{
	if (isnan(v) || isinf(v) || v < 0)
		fputs("null", f);
	else
		fprintf(f, "%.3f", v);
}

struct metric_out {
	FILE *f;
	int first;
};

static void metric_json(void *user, const char *name, double v, int better)
{
	struct metric_out *o = user;

	fprintf(o->f, "%s\n    ", o->first ? "" : ",");
	jstr(o->f, name);
	fputs(": ", o->f);
	jnum(o->f, v);
	o->first = 0;
}

static void json_lat(FILE *f, const struct bench_latency *l)
{
	unsigned int k;
	int first;

	fputs("{\"name\": ", f);
	jstr(f, l->name);
	fprintf(f, ", \"sent\": %llu, \"received\": %llu, \"lost\": %llu, \"unexpected\": %llu",
		(unsigned long long)l->sent, (unsigned long long)l->received,
		(unsigned long long)l->lost, (unsigned long long)l->unexpected);
	fprintf(f, ", \"n\": %zu, \"min_us\": ", l->s.n);
	jnum(f, l->s.min / 1e3);
	fputs(", \"p50_us\": ", f);
	jnum(f, l->s.p50 / 1e3);
	fputs(", \"mean_us\": ", f);
	jnum(f, l->s.mean / 1e3);
	fputs(", \"p95_us\": ", f);
	jnum(f, l->s.p95 / 1e3);
	fputs(", \"p99_us\": ", f);
	jnum(f, l->s.p99 / 1e3);
	fputs(", \"max_us\": ", f);
	jnum(f, l->s.max / 1e3);
	fputs(", \"stddev_us\": ", f);
	jnum(f, l->s.stddev / 1e3);
	fputs(", \"histogram_us\": [", f);
	for (k = 0, first = 1; k < BENCH_HIST_BINS; k++) {
		double up = bench_hist_upper(&l->hist, k);

		if (!l->hist.count[k])
			continue;
		fprintf(f, "%s[%.3f, ", first ? "" : ", ", bench_hist_lower(&l->hist, k));
		jnum(f, isinf(up) ? -1 : up);
		fprintf(f, ", %llu]", (unsigned long long)l->hist.count[k]);
		first = 0;
	}
	fputs("]}", f);
}

static void json_ms(FILE *f, const char *key, double ns)
{
	fprintf(f, ", \"%s\": ", key);
	jnum(f, ns < 0 ? -1 : ns / 1e6);
}

static void json_sound(FILE *f, const struct bench_sound *snd)
{
	unsigned int i, r;

	if (!snd->nchain && !snd->why[0])
		return;
	fputs(",\n  \"pad_to_sound\": {\"measured\": ", f);
	fputs(snd->measured ? "true" : "false", f);
	fputs(", \"not_measured\": ", f);
	jstr(f, snd->why);
	fputs(", \"config\": ", f);
	jstr(f, snd->config);
	fputs(", \"capture\": ", f);
	jstr(f, snd->capture);
	fprintf(f, ", \"rounds\": %u,\n   \"chains\": [", snd->rounds);
	for (i = 0; i < snd->nchain; i++) {
		const struct bench_sound_chain *c = &snd->chain[i];
		int have = c->s.n > 0;

		fputs(i ? ",\n    {" : "\n    {", f);
		fputs("\"name\": ", f);
		jstr(f, c->name);
		fputs(", \"description\": ", f);
		jstr(f, c->desc);
		fputs(", \"problems\": ", f);
		jstr(f, c->why);
		fprintf(f, ",\n     \"presses\": %u, \"onsets\": %u, \"no_onset\": %u, "
			   "\"rounds_measured\": %u",
			c->presses, c->onsets, c->no_onset, c->rounds);
		json_ms(f, "min_ms", have ? c->s.min : -1);
		json_ms(f, "p50_ms", have ? c->s.p50 : -1);
		json_ms(f, "mean_ms", have ? c->s.mean : -1);
		json_ms(f, "p99_ms", have ? c->s.p99 : -1);
		json_ms(f, "max_ms", have ? c->s.max : -1);
		json_ms(f, "stddev_ms", have ? c->s.stddev : -1);
		json_ms(f, "p1_ms", have ? c->p1_ns : -1);
		json_ms(f, "p99_minus_p1_ms", have ? c->s.p99 - c->p1_ns : -1);
		fputs(",\n     \"round_p50_ms\": [", f);
		for (r = 0; r < snd->rounds; r++) {
			if (r)
				fputs(", ", f);
			jnum(f, c->round_p50_ns[r] < 0 ? -1 : c->round_p50_ns[r] / 1e6);
		}
		fputs("]", f);
		fprintf(f, ",\n     \"midi\": {\"n\": %zu, \"lost\": %u", c->midi.n, c->midi_lost);
		json_ms(f, "min_ms", c->midi.n ? c->midi.min : -1);
		json_ms(f, "p1_ms", c->midi.n ? c->midi_p1_ns : -1);
		json_ms(f, "p50_ms", c->midi.n ? c->midi.p50 : -1);
		json_ms(f, "p99_ms", c->midi.n ? c->midi.p99 : -1);
		json_ms(f, "max_ms", c->midi.n ? c->midi.max : -1);
		json_ms(f, "stddev_ms", c->midi.n ? c->midi.stddev : -1);
		fprintf(f, "}, \"capture_xruns\": %u", c->capture_xruns);
		fputs(", \"audio_clock_ratio\": ", f);
		jnum(f, c->clock_ratio);
		fputc('}', f);
	}
	fputs("]}", f);
}

int bench_report_json(const char *file, const struct bench_run *run)
{
	struct metric_out mo;
	FILE *f = fopen(file, "w");
	unsigned int i, k;
	int first;

	if (!f)
		return -errno;
	fputs("{\n  \"program\": \"apcbench\", \"version\": \"" PACKAGE_VERSION "\",\n  \"started\": ",
	      f);
	jstr(f, run->started);
	fputs(", \"host\": ", f);
	jstr(f, run->host);
	fputs(", \"kernel\": ", f);
	jstr(f, run->kernel);
	fputs(", \"model\": ", f);
	jstr(f, run->model);
	fputs(",\n  \"device\": ", f);
	jstr(f, run->device);
	fputs(", \"config\": ", f);
	jstr(f, run->config);
	fprintf(f, ",\n  \"seed\": {\"source\": \"Haiku MIDI Kit 2 analysis\", "
		   "\"latency_us\": %.1f, \"msgs_per_s\": %.1f, \"repaint64_us\": %.1f},\n",
		SEED_LATENCY_US, SEED_MSGS_PER_S, SEED_REPAINT_US);
	fputs("  \"methods\": {", f);
	for (k = 0; k < sizeof(methods) / sizeof(methods[0]); k++) {
		fputs(k ? ",\n    " : "\n    ", f);
		jstr(f, methods[k].what);
		fputs(": ", f);
		jstr(f, methods[k].how);
	}
	fputs("},\n  \"metrics\": {", f);
	mo.f = f;
	mo.first = 1;
	bench_metrics(run, metric_json, &mo);
	fputs("},\n  \"paths\": [", f);
	for (i = 0; i < run->npath; i++) {
		const struct bench_path_result *p = &run->path[i];

		fputs(i ? ",\n   {" : "\n   {", f);
		fputs("\"name\": ", f);
		jstr(f, p->name);
		fputs(", \"description\": ", f);
		jstr(f, p->desc);
		fprintf(f, ", \"measured\": %s, \"not_measured\": ", p->measured ? "true" : "false");
		jstr(f, p->why);
		fputs(",\n    \"latency\": [", f);
		for (k = 0, first = 1; k < p->nlat; k++) {
			if (!p->lat[k].measured)
				continue;
			fputs(first ? "\n     " : ",\n     ", f);
			json_lat(f, &p->lat[k]);
			first = 0;
		}
		fputs("],\n    \"throughput\": [", f);
		for (k = 0; k < p->nrate; k++) {
			const struct bench_rate *r = &p->rate[k];

			fprintf(f, "%s\n     {\"offered_per_s\": %.1f, \"sent_per_s\": %.1f, "
				   "\"received_per_s\": %.1f, \"sent\": %llu, \"received\": %llu, "
				   "\"lost\": %llu, \"unexpected\": %llu, \"bench_overruns\": %llu, "
				   "\"p50_us\": ",
				k ? "," : "", r->offered, r->sent_rate, r->recv_rate,
				(unsigned long long)r->sent, (unsigned long long)r->received,
				(unsigned long long)r->lost, (unsigned long long)r->unexpected,
				(unsigned long long)r->overruns);
			jnum(f, r->p50_us);
			fputs(", \"p99_us\": ", f);
			jnum(f, r->p99_us);
			fputc('}', f);
		}
		fputs("],\n    \"repaint\": [", f);
		for (k = 0, first = 1; k <= p->nbatch; k++) {
			const struct bench_repaint *r = k ? &p->batch[k - 1] : &p->repaint64;

			if (!r->reps)
				continue;
			fprintf(f, "%s\n     {\"kind\": \"%s\", \"batch\": %u, \"reps\": %u, "
				   "\"timeouts\": %u, \"median_us\": ",
				first ? "" : ",", k ? "batch" : "repaint64", r->batch, r->reps,
				r->timeouts);
			jnum(f, r->reps > r->timeouts ? r->median_us : -1);
			fputs(", \"min_us\": ", f);
			jnum(f, r->reps > r->timeouts ? r->min_us : -1);
			fputs(", \"max_us\": ", f);
			jnum(f, r->reps > r->timeouts ? r->max_us : -1);
			fputs(", \"seen\": ", f);
			jnum(f, r->seen);
			fputc('}', f);
			first = 0;
		}
		fputs("],\n    \"resources\": [", f);
		for (k = 0; k < p->nres; k++) {
			const struct bench_resource *r = &p->res[k];

			fprintf(f, "%s\n     {\"component\": ", k ? "," : "");
			jstr(f, r->component);
			fprintf(f, ", \"pid\": %d, \"cpu_s\": ", r->pid);
			jnum(f, r->cpu_s);
			fputs(", \"cpu_us_per_msg\": ", f);
			jnum(f, r->cpu_us_per_msg);
			fputs(", \"peak_rss_kb\": ", f);
			jnum(f, (double)r->hwm_kb);
			fputs(", \"fds\": ", f);
			jnum(f, r->fds);
			fputs(", \"idle_wakeups_per_s\": ", f);
			jnum(f, r->idle_wakeups);
			fputc('}', f);
		}
		fprintf(f, "],\n    \"messages\": %llu}", (unsigned long long)p->msgs);
	}
	fputs("\n  ]", f);
	json_sound(f, &run->sound);
	fputs("\n}\n", f);
	if (fclose(f))
		return -errno;
	return 0;
}

/* ---- CSV: one row per figure, long form ---- */

int bench_report_csv(const char *file, const struct bench_run *run)
{
	FILE *f = fopen(file, "w");
	unsigned int i, k;

	if (!f)
		return -errno;
	fputs("path,section,name,metric,value,unit\n", f);
	for (i = 0; i < run->npath; i++) {
		const struct bench_path_result *p = &run->path[i];

		for (k = 0; k < p->nlat; k++) {
			const struct bench_latency *l = &p->lat[k];
			const double v[] = { l->s.min, l->s.p50, l->s.mean, l->s.p95,
					     l->s.p99, l->s.max, l->s.stddev };
			static const char *const nm[] = { "min", "p50", "mean", "p95",
							   "p99", "max", "stddev" };
			unsigned int j;

			if (!l->measured)
				continue;
			for (j = 0; j < 7; j++)
				fprintf(f, "%s,latency,%s,%s,%.3f,us\n", p->name, l->name, nm[j],
					v[j] / 1e3);
			fprintf(f, "%s,latency,%s,sent,%llu,messages\n", p->name, l->name,
				(unsigned long long)l->sent);
			fprintf(f, "%s,latency,%s,received,%llu,messages\n", p->name, l->name,
				(unsigned long long)l->received);
			fprintf(f, "%s,latency,%s,lost,%llu,messages\n", p->name, l->name,
				(unsigned long long)l->lost);
		}
		for (k = 0; k < p->nrate; k++) {
			const struct bench_rate *r = &p->rate[k];
			char nm[32];

			snprintf(nm, sizeof(nm), "offered-%.0f", r->offered);
			fprintf(f, "%s,throughput,%s,sent_rate,%.1f,events/s\n", p->name, nm,
				r->sent_rate);
			fprintf(f, "%s,throughput,%s,received_rate,%.1f,events/s\n", p->name, nm,
				r->recv_rate);
			fprintf(f, "%s,throughput,%s,sent,%llu,events\n", p->name, nm,
				(unsigned long long)r->sent);
			fprintf(f, "%s,throughput,%s,received,%llu,events\n", p->name, nm,
				(unsigned long long)r->received);
			fprintf(f, "%s,throughput,%s,lost,%llu,events\n", p->name, nm,
				(unsigned long long)r->lost);
		}
		for (k = 0; k <= p->nbatch; k++) {
			const struct bench_repaint *r = k ? &p->batch[k - 1] : &p->repaint64;

			if (!r->reps || r->reps == r->timeouts)
				continue;
			fprintf(f, "%s,repaint,%s-%u,median,%.3f,us\n", p->name,
				k ? "batch" : "repaint64", r->batch, r->median_us);
			fprintf(f, "%s,repaint,%s-%u,min,%.3f,us\n", p->name,
				k ? "batch" : "repaint64", r->batch, r->min_us);
			fprintf(f, "%s,repaint,%s-%u,max,%.3f,us\n", p->name,
				k ? "batch" : "repaint64", r->batch, r->max_us);
		}
		for (k = 0; k < p->nres; k++) {
			const struct bench_resource *r = &p->res[k];

			fprintf(f, "%s,resources,%s,cpu,%.6f,s\n", p->name, r->component, r->cpu_s);
			fprintf(f, "%s,resources,%s,cpu_per_msg,%.3f,us\n", p->name, r->component,
				r->cpu_us_per_msg);
			if (r->hwm_kb >= 0)
				fprintf(f, "%s,resources,%s,peak_rss,%ld,KiB\n", p->name,
					r->component, r->hwm_kb);
			if (r->fds >= 0)
				fprintf(f, "%s,resources,%s,fds,%d,count\n", p->name, r->component,
					r->fds);
			fprintf(f, "%s,resources,%s,idle_wakeups,%.2f,1/s\n", p->name,
				r->component, r->idle_wakeups);
		}
	}
	for (i = 0; i < run->sound.nchain; i++) {
		const struct bench_sound_chain *c = &run->sound.chain[i];
		const double v[] = { c->s.min, c->s.p50, c->s.mean, c->s.p99, c->s.max,
				     c->s.stddev, c->s.p99 - c->p1_ns };
		static const char *const nm[] = { "min", "p50", "mean", "p99", "max", "stddev",
						   "p99_minus_p1" };

		if (c->s.n)
			for (k = 0; k < 7; k++)
				fprintf(f, "%s,sound,pad-to-sound,%s,%.3f,ms\n", c->name, nm[k],
					v[k] / 1e6);
		fprintf(f, "%s,sound,pad-to-sound,presses,%u,presses\n", c->name, c->presses);
		fprintf(f, "%s,sound,pad-to-sound,onsets,%u,presses\n", c->name, c->onsets);
		fprintf(f, "%s,sound,pad-to-sound,no_onset,%u,presses\n", c->name, c->no_onset);
		for (k = 0; k < run->sound.rounds; k++)
			if (c->round_p50_ns[k] >= 0)
				fprintf(f, "%s,sound,round-%u,p50,%.3f,ms\n", c->name, k + 1,
					c->round_p50_ns[k] / 1e6);
		if (c->midi.n) {
			fprintf(f, "%s,sound,midi,p50,%.3f,ms\n", c->name, c->midi.p50 / 1e6);
			fprintf(f, "%s,sound,midi,stddev,%.3f,ms\n", c->name, c->midi.stddev / 1e6);
			fprintf(f, "%s,sound,midi,p99_minus_p1,%.3f,ms\n", c->name,
				(c->midi.p99 - c->midi_p1_ns) / 1e6);
		}
	}
	if (fclose(f))
		return -errno;
	return 0;
}

/* ---- gnuplot data ---- */

int bench_report_plotdata(const char *dir, const struct bench_run *run)
{
	char file[4096];
	FILE *f;
	unsigned int i, k, b;

	for (i = 0; i < run->npath; i++) {
		const struct bench_path_result *p = &run->path[i];
		const struct bench_latency *l = find_lat(p, "note");

		snprintf(file, sizeof(file), "%s/latency-%s.dat", dir, p->name);
		f = fopen(file, "w");
		if (!f)
			return -errno;
		fprintf(f, "# %s: input note latency histogram; lower_us upper_us count fraction\n",
			p->name);
		if (l)
			for (k = 1; k < BENCH_HIST_BINS - 1; k++)
				fprintf(f, "%.3f %.3f %llu %.6f\n", bench_hist_lower(&l->hist, k),
					bench_hist_upper(&l->hist, k),
					(unsigned long long)l->hist.count[k],
					l->s.n ? (double)l->hist.count[k] / (double)l->s.n : 0);
		else
			fputs("1 1 0 0\n", f); /* keeps gnuplot quiet about an empty file */
		fclose(f);
	}
	/* one block per path (separated by two blank lines: gnuplot index) */
	snprintf(file, sizeof(file), "%s/throughput.dat", dir);
	f = fopen(file, "w");
	if (!f)
		return -errno;
	for (i = 0; i < run->npath; i++) {
		const struct bench_path_result *p = &run->path[i];

		fprintf(f, "# %s: offered sent received lost\n", p->name);
		for (k = 0; k < p->nrate; k++)
			fprintf(f, "%.1f %.1f %.1f %llu\n", p->rate[k].offered, p->rate[k].sent_rate,
				p->rate[k].recv_rate, (unsigned long long)p->rate[k].lost);
		if (!p->nrate)
			fputs("1 0 0 0\n", f);
		fputs("\n\n", f);
	}
	fclose(f);
	snprintf(file, sizeof(file), "%s/repaint.dat", dir);
	f = fopen(file, "w");
	if (!f)
		return -errno;
	for (i = 0; i < run->npath; i++) {
		const struct bench_path_result *p = &run->path[i];

		fprintf(f, "# %s: batch median_us min_us max_us\n", p->name);
		for (b = 0, k = 0; k < p->nbatch; k++) {
			const struct bench_repaint *r = &p->batch[k];

			if (r->reps > r->timeouts) {
				fprintf(f, "%u %.3f %.3f %.3f\n", r->batch, r->median_us,
					r->min_us, r->max_us);
				b++;
			}
		}
		if (!b)
			fputs("1 0 0 0\n", f);
		fputs("\n\n", f);
	}
	fclose(f);
	if (run->sound.nchain) {
		for (i = 0; i < run->sound.nchain; i++) {
			const struct bench_sound_chain *c = &run->sound.chain[i];

			/* the latencies come sorted: a cumulative distribution */
			snprintf(file, sizeof(file), "%s/sound-%s.dat", dir, c->name);
			f = fopen(file, "w");
			if (!f)
				return -errno;
			fprintf(f, "# %s: pad to sound; latency_ms cumulative_fraction\n", c->name);
			for (k = 0; k < c->nlat; k++)
				fprintf(f, "%.4f %.6f\n", c->lat_ms[k], (double)(k + 1) / c->nlat);
			if (!c->nlat)
				fputs("0 0\n", f);
			fclose(f);
		}
		snprintf(file, sizeof(file), "%s/sound-chains.txt", dir);
		f = fopen(file, "w");
		if (!f)
			return -errno;
		for (i = 0; i < run->sound.nchain; i++)
			fprintf(f, "%s\n", run->sound.chain[i].name);
		fclose(f);
	}
	snprintf(file, sizeof(file), "%s/paths.txt", dir);
	f = fopen(file, "w");
	if (!f)
		return -errno;
	for (i = 0; i < run->npath; i++)
		fprintf(f, "%s\n", run->path[i].name);
	fclose(f);
	return 0;
}

/* ---- flat metrics and the baseline ---- */

void bench_metrics(const struct bench_run *run, bench_metric_fn fn, void *user)
{
	char name[96];
	unsigned int i, k;

	for (i = 0; i < run->npath; i++) {
		const struct bench_path_result *p = &run->path[i];
		double best, lossless;

		for (k = 0; k < p->nlat; k++) {
			const struct bench_latency *l = &p->lat[k];

			if (!l->measured || !l->s.n)
				continue;
			snprintf(name, sizeof(name), "%s.latency.%s.p50_us", p->name, l->name);
			fn(user, name, l->s.p50 / 1e3, -1);
			snprintf(name, sizeof(name), "%s.latency.%s.p99_us", p->name, l->name);
			fn(user, name, l->s.p99 / 1e3, -1);
			snprintf(name, sizeof(name), "%s.latency.%s.mean_us", p->name, l->name);
			fn(user, name, l->s.mean / 1e3, -1);
			snprintf(name, sizeof(name), "%s.latency.%s.stddev_us", p->name, l->name);
			fn(user, name, l->s.stddev / 1e3, -1);
		}
		best_rates(p, &best, &lossless);
		if (best >= 0) {
			snprintf(name, sizeof(name), "%s.throughput.max_per_s", p->name);
			fn(user, name, best, 1);
		}
		if (lossless >= 0) {
			snprintf(name, sizeof(name), "%s.throughput.max_lossless_per_s", p->name);
			fn(user, name, lossless, 1);
		}
		if (p->repaint64.reps > p->repaint64.timeouts) {
			snprintf(name, sizeof(name), "%s.repaint64_us", p->name);
			fn(user, name, p->repaint64.median_us, -1);
		}
		for (k = 0; k < p->nbatch; k++) {
			const struct bench_repaint *r = &p->batch[k];

			if (r->reps <= r->timeouts)
				continue;
			snprintf(name, sizeof(name), "%s.batch%u_us", p->name, r->batch);
			fn(user, name, r->median_us, -1);
		}
	}
	for (i = 0; i < run->sound.nchain; i++) {
		const struct bench_sound_chain *c = &run->sound.chain[i];

		if (!c->s.n)
			continue;
		snprintf(name, sizeof(name), "sound.%s.p50_us", c->name);
		fn(user, name, c->s.p50 / 1e3, -1);
		snprintf(name, sizeof(name), "sound.%s.p99_us", c->name);
		fn(user, name, c->s.p99 / 1e3, -1);
		snprintf(name, sizeof(name), "sound.%s.stddev_us", c->name);
		fn(user, name, c->s.stddev / 1e3, -1);
		snprintf(name, sizeof(name), "sound.%s.jitter_p99_p1_us", c->name);
		fn(user, name, (c->s.p99 - c->p1_ns) / 1e3, -1);
		snprintf(name, sizeof(name), "sound.%s.no_onset", c->name);
		fn(user, name, c->no_onset, -1);
	}
}

static void metric_flat(void *user, const char *name, double v, int better)
{
	fprintf(user, "%s\t%.17g\t%d\n", name, v, better);
}

int bench_report_metrics(const char *file, const struct bench_run *run)
{
	FILE *f = fopen(file, "w");
	int err;

	if (!f)
		return -errno;
	bench_metrics(run, metric_flat, f);
	err = ferror(f) ? -EIO : 0;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}
