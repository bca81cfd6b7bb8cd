/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apc-codec-bench: decode and encode rates of the USB-MIDI codec on realistic
 * APC mini traffic, no device involved. Single-threaded program. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apcmini.h"
#include "clock.h"
#include "usbmidi.h"

/* One bulk transfer at full speed: 64 bytes, 16 packets. */
#define TRANSFER_SIZE 64
#define STREAM_MAX 65536

struct mix {
	const char *name;
	const char *what;
	uint8_t midi[STREAM_MAX]; /* the MIDI byte stream */
	size_t midi_len;
	size_t msg_off[STREAM_MAX / 2]; /* where each message starts */
	size_t n_msgs;
	uint8_t packets[STREAM_MAX * 2]; /* the same stream as USB-MIDI packets */
	size_t packets_len;
};

static void mix_add(struct mix *x, const uint8_t *msg, size_t len)
{
	if (x->midi_len + len > sizeof(x->midi) ||
	    x->n_msgs == sizeof(x->msg_off) / sizeof(x->msg_off[0])) {
		fprintf(stderr, "apc-codec-bench: mix %s too large\n", x->name);
		exit(EXIT_FAILURE);
	}
	x->msg_off[x->n_msgs++] = x->midi_len;
	memcpy(x->midi + x->midi_len, msg, len);
	x->midi_len += len;
}

static void mix_add3(struct mix *x, uint8_t s, uint8_t d1, uint8_t d2)
{
	const uint8_t m[3] = { s, d1, d2 };

	mix_add(x, m, 3);
}

/* Pads pressed and released, as a player hammers the grid. */
static void mix_notes(struct mix *x, unsigned int rounds)
{
	unsigned int r, p;

	for (r = 0; r < rounds; r++) {
		for (p = 0; p < APC_NUM_PADS; p++) {
			mix_add3(x, 0x90, (uint8_t)p, 0x7f);
			mix_add3(x, 0x80, (uint8_t)p, 0x00);
		}
	}
}

/* All nine faders swept end to end. */
static void mix_faders(struct mix *x)
{
	unsigned int f, v;

	for (v = 0; v < 128; v++)
		for (f = 0; f < APC_NUM_FADERS; f++)
			mix_add3(x, 0xb0, (uint8_t)(48 + f), (uint8_t)v);
}

/* mk2 RGB colour per pad, as a colourful repaint sends it. */
static void mix_rgb(struct mix *x, unsigned int rounds)
{
	uint8_t sx[32];
	unsigned int r, p;

	for (r = 0; r < rounds; r++) {
		for (p = 0; p < APC_NUM_PADS; p++) {
			const struct apc_rgb c = { (uint8_t)(p * 4), (uint8_t)(255 - p),
						   (uint8_t)(r * 3) };
			int n = apc_mk2_rgb_sysex(p, p, c, sx, sizeof(sx));

			if (n > 0)
				mix_add(x, sx, (size_t)n);
		}
	}
}

/* A session: LED repaints on the mk2 channel, pad hits, fader moves, clock,
 * now and then an RGB sysex. */
static void mix_session(struct mix *x)
{
	uint8_t sx[32];
	unsigned int i;

	for (i = 0; i < 4096; i++) {
		unsigned int p = (i * 37) % APC_NUM_PADS;

		switch (i % 8) {
		case 0:
		case 1:
		case 2:
			mix_add3(x, 0x96, (uint8_t)p, (uint8_t)(i % 128));
			break;
		case 3:
			mix_add3(x, 0x90, (uint8_t)p, 0x7f);
			break;
		case 4:
			mix_add3(x, 0x80, (uint8_t)p, 0x00);
			break;
		case 5:
			mix_add3(x, 0xb0, (uint8_t)(48 + i % APC_NUM_FADERS), (uint8_t)(i % 128));
			break;
		case 6:
			mix_add(x, (const uint8_t *)"\xf8", 1);
			break;
		default: {
			const struct apc_rgb c = { (uint8_t)i, (uint8_t)(i >> 2),
						   (uint8_t)(i >> 4) };
			int n = apc_mk2_rgb_sysex(p, p, c, sx, sizeof(sx));

			if (n > 0)
				mix_add(x, sx, (size_t)n);
			break;
		}
		}
	}
}

static void mix_encode_once(struct mix *x)
{
	struct usbmidi_encoder e;
	int r;

	usbmidi_encoder_init(&e);
	r = usbmidi_encode(&e, 0, x->midi, x->midi_len, x->packets, sizeof(x->packets));
	if (r < 0) {
		fprintf(stderr, "apc-codec-bench: Cannot encode mix %s: %s\n", x->name,
			strerror(-r));
		exit(EXIT_FAILURE);
	}
	x->packets_len = (size_t)r;
}

static double now(void)
{
	return (double)apc_now_ns() / 1e9;
}

static uint64_t sink;

static void count_fn(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	sink += len + msg[0];
}

/* Whole-mix passes, in transfer-sized pieces, until min_time has passed. */
static double bench_decode(const struct mix *x, double min_time, uint64_t *passes)
{
	static struct usbmidi_decoder d;
	double t0 = now(), t;
	uint64_t n = 0;

	usbmidi_decoder_init(&d);
	do {
		unsigned int rep;

		for (rep = 0; rep < 16; rep++) {
			size_t off;

			for (off = 0; off < x->packets_len; off += TRANSFER_SIZE) {
				size_t len = x->packets_len - off;

				if (len > TRANSFER_SIZE)
					len = TRANSFER_SIZE;
				usbmidi_decode(&d, x->packets + off, len, count_fn, NULL);
			}
		}
		n += 16;
		t = now() - t0;
	} while (t < min_time);
	if (d.stats.invalid || d.stats.sysex_overflows || d.stats.sysex_truncated) {
		fprintf(stderr, "apc-codec-bench: mix %s does not decode cleanly\n", x->name);
		exit(EXIT_FAILURE);
	}
	*passes = n;
	return t;
}

/* Message by message, as the bridge hands them over, into transfer-sized
 * buffers that are "sent" when the next message does not fit. */
static double bench_encode(const struct mix *x, double min_time, uint64_t *passes)
{
	struct usbmidi_encoder e;
	uint8_t out[TRANSFER_SIZE];
	double t0 = now(), t;
	uint64_t n = 0;

	usbmidi_encoder_init(&e);
	do {
		unsigned int rep;

		for (rep = 0; rep < 16; rep++) {
			size_t used = 0, i;

			for (i = 0; i < x->n_msgs; i++) {
				size_t end = i + 1 < x->n_msgs ? x->msg_off[i + 1] : x->midi_len;
				size_t len = end - x->msg_off[i];
				int r = usbmidi_encode(&e, 0, x->midi + x->msg_off[i], len,
						       out + used, sizeof(out) - used);

				if (r == -ENOSPC) {
					sink += out[0];
					used = 0;
					r = usbmidi_encode(&e, 0, x->midi + x->msg_off[i], len, out,
							   sizeof(out));
				}
				/* The mixes' longest message is 6 packets, so
				 * an empty transfer always takes it. */
				if (r > 0)
					used += (size_t)r;
			}
		}
		n += 16;
		t = now() - t0;
	} while (t < min_time);
	*passes = n;
	return t;
}

static void report(const char *mix, const char *dir, const struct mix *x, uint64_t passes,
		   double secs)
{
	double packets = (double)(x->packets_len / USBMIDI_PACKET_SIZE) * (double)passes;
	double msgs = (double)x->n_msgs * (double)passes;

	printf("%-8s %-6s %14.0f %10.1f %14.0f %10.3f\n", mix, dir, packets / secs,
	       packets * USBMIDI_PACKET_SIZE / secs / 1e6, msgs / secs, secs);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: apc-codec-bench [options]\n"
		"Measure the USB-MIDI codec's decode and encode rates on APC mini traffic.\n"
		"\n"
		"  -m, --mix NAME     notes, faders, rgb, session or all (default all)\n"
		"  -t, --time SECS    minimum time per measurement (default 1.0)\n"
		"  -h, --help         show this help and exit\n"
		"  -V, --version      show the version and exit\n"
		"\n"
		"Rates count USB-MIDI packets (4 bytes each, MB/s = 10^6 bytes of packets)\n"
		"and MIDI messages; decode takes 64-byte transfers, encode takes one\n"
		"message per call into 64-byte transfers. Clock: CLOCK_MONOTONIC.\n");
}

static struct mix mixes[4];

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mix", required_argument, NULL, 'm' },
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = "all";
	double min_time = 1.0;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "m:t:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			only = optarg;
			break;
		case 't': {
			char *end;

			min_time = strtod(optarg, &end);
			if (*end || !(min_time > 0 && min_time <= 3600)) {
				fprintf(stderr, "apc-codec-bench: bad time '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("apc-codec-bench %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	mixes[0].name = "notes";
	mixes[0].what = "64 pads pressed and released, 8 rounds";
	mix_notes(&mixes[0], 8);
	mixes[1].name = "faders";
	mixes[1].what = "9 faders swept 0-127";
	mix_faders(&mixes[1]);
	mixes[2].name = "rgb";
	mixes[2].what = "mk2 RGB sysex (16 bytes) per pad, 8 rounds";
	mix_rgb(&mixes[2], 8);
	mixes[3].name = "session";
	mixes[3].what = "3/8 LED, 2/8 note, 1/8 CC, 1/8 clock, 1/8 RGB sysex";
	mix_session(&mixes[3]);

	if (strcmp(only, "all") != 0) {
		for (i = 0; i < 4; i++)
			if (strcmp(only, mixes[i].name) == 0)
				break;
		if (i == 4) {
			fprintf(stderr, "apc-codec-bench: unknown mix '%s'\n", only);
			return 2;
		}
	}

	for (i = 0; i < 4; i++) {
		if (strcmp(only, "all") == 0 || strcmp(only, mixes[i].name) == 0) {
			mix_encode_once(&mixes[i]);
			printf("# %-8s %zu messages, %zu MIDI bytes, %zu packets: %s\n",
			       mixes[i].name, mixes[i].n_msgs, mixes[i].midi_len,
			       mixes[i].packets_len / USBMIDI_PACKET_SIZE, mixes[i].what);
		}
	}
	printf("%-8s %-6s %14s %10s %14s %10s\n", "mix", "dir", "packets/s", "MB/s", "messages/s",
	       "seconds");
	for (i = 0; i < 4; i++) {
		uint64_t passes;
		double secs;

		if (strcmp(only, "all") != 0 && strcmp(only, mixes[i].name) != 0)
			continue;
		secs = bench_decode(&mixes[i], min_time, &passes);
		report(mixes[i].name, "decode", &mixes[i], passes, secs);
		secs = bench_encode(&mixes[i], min_time, &passes);
		report(mixes[i].name, "encode", &mixes[i], passes, secs);
	}
	/* Keeps the callbacks' work from being optimised away. */
	if (sink == 42)
		fputs("\n", stderr);
	return 0;
}
