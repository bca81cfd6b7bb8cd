/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seqflood: the soak scenarios' sequencer client, in the test guest; one
 * thread. `send` floods a port with LED events and never loses one: the
 * sequencer refuses an event whose destination's input FIFO is full and
 * then throws that whole FIFO away at its next read, so the flood fills the
 * destination's pool at most to the brim (its fill read from
 * /proc/asound/seq/clients). `count` counts what a port sends and its own
 * overruns, so a scenario can tell "received" from "lost on the way". */
#include "config.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEND_BATCH 256	/* events written between two looks at the fill */
#define POOL_MARGIN 16	/* cells left free in the destination's pool */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: seqflood send CLIENT:PORT N\n"
		"       seqflood count CLIENT:PORT IDLE_MS\n"
		"send: N note-ons to the port, note i %% 64, velocity (i / 64 + i) %% 7,\n"
		"never more than the destination's input pool holds.\n"
		"count: subscribe to the port and count note and controller events until\n"
		"none came for IDLE_MS (after the first); prints the count, the events\n"
		"equal to the one before and the overruns.\n");
}

/* The input pool of `client` (a user client): its size and the cells in use,
 * from the sequencer's /proc file (any client's, unlike the ioctl
 * alsa-lib wraps). */
static int dest_pool(int client, long *size, long *used)
{
	char line[256], head[32];
	int inside = 0, input = 0;
	FILE *f;

	*size = *used = -1;
	f = fopen("/proc/asound/seq/clients", "r");
	if (!f)
		return -errno;
	snprintf(head, sizeof(head), "Client %3d :", client);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Client ", 7)) {
			inside = !strncmp(line, head, strlen(head));
			input = 0;
			continue;
		}
		if (!inside)
			continue;
		if (strstr(line, "Input pool"))
			input = 1;
		else if (input && strstr(line, "Pool size"))
			*size = strtol(strchr(line, ':') + 1, NULL, 10);
		else if (input && strstr(line, "Cells in use"))
			*used = strtol(strchr(line, ':') + 1, NULL, 10);
	}
	fclose(f);
	return *size > 0 && *used >= 0 ? 0 : -ENOENT;
}

static int flood_send(snd_seq_t *seq, int port, const snd_seq_addr_t *dest, unsigned long n)
{
	unsigned long i = 0, waits = 0;
	long size, used, room;
	snd_seq_event_t ev;
	double t0 = now_s(), dt;
	int r;

	while (i < n) {
		r = dest_pool(dest->client, &size, &used);
		if (r < 0) {
			fprintf(stderr, "seqflood: Cannot read client %d's input pool: %s\n",
				dest->client, strerror(-r));
			return 1;
		}
		room = size - used - POOL_MARGIN;
		if (room <= 0) {
			waits++;
			nanosleep(&(struct timespec){ .tv_nsec = 200000 }, NULL);
			continue;
		}
		if (room > SEND_BATCH)
			room = SEND_BATCH;
		for (; room > 0 && i < n; room--, i++) {
			snd_seq_ev_clear(&ev);
			snd_seq_ev_set_source(&ev, port);
			snd_seq_ev_set_dest(&ev, dest->client, dest->port);
			snd_seq_ev_set_direct(&ev);
			snd_seq_ev_set_noteon(&ev, 0, i % 64, (i / 64 + i) % 7);
			r = snd_seq_event_output(seq, &ev);
			if (r < 0)
				goto err_write;
		}
		r = snd_seq_drain_output(seq);
		if (r < 0)
			goto err_write;
	}
	dt = now_s() - t0;
	printf("seqflood: sent %lu events to %d:%d in %.2f s (%.0f events/s), %lu waits for room\n",
	       n, dest->client, dest->port, dt, dt > 0 ? (double)n / dt : 0.0, waits);
	return 0;

err_write:
	/* A refusal here would have cost the destination its FIFO: say so. */
	fprintf(stderr, "seqflood: Cannot send event %lu: %s\n", i, snd_strerror(r));
	return 1;
}

static int flood_count(snd_seq_t *seq, int port, const snd_seq_addr_t *src, int idle_ms)
{
	unsigned long n = 0, overruns = 0, other = 0, repeats = 0;
	snd_seq_event_t *ev, last = { .type = SND_SEQ_EVENT_NONE };
	struct pollfd pfd[4];
	int npfd, r, got_any = 0;

	r = snd_seq_connect_from(seq, port, src->client, src->port);
	if (r < 0) {
		fprintf(stderr, "seqflood: Cannot subscribe to %d:%d: %s\n", src->client,
			src->port, snd_strerror(r));
		return 1;
	}
	printf("seqflood: subscribed to %d:%d\n", src->client, src->port);
	fflush(stdout);
	npfd = snd_seq_poll_descriptors(seq, pfd, 4, POLLIN);
	for (;;) {
		r = poll(pfd, (nfds_t)npfd, got_any ? idle_ms : -1);
		if (r == 0)
			break;
		if (r < 0 && errno != EINTR) {
			perror("seqflood: poll");
			return 1;
		}
		for (;;) {
			r = snd_seq_event_input(seq, &ev);
			if (r == -EAGAIN)
				break;
			if (r == -ENOSPC) {
				overruns++;
				continue;
			}
			if (r < 0) {
				fprintf(stderr, "seqflood: Cannot read: %s\n", snd_strerror(r));
				return 1;
			}
			got_any = 1;
			switch (ev->type) {
			case SND_SEQ_EVENT_NOTEON:
			case SND_SEQ_EVENT_NOTEOFF:
			case SND_SEQ_EVENT_CONTROLLER:
				n++;
				/* The floods never send the same event twice in
				 * a row: one seen twice was delivered twice. */
				if (ev->type == last.type && !memcmp(&ev->data, &last.data,
								     sizeof(ev->data)))
					repeats++;
				last = *ev;
				break;
			default:
				other++;
				break;
			}
		}
	}
	printf("seqflood: received %lu events (%lu others), %lu repeats, %lu overruns\n", n, other,
	       repeats, overruns);
	return 0;
}

int main(int argc, char **argv)
{
	snd_seq_addr_t addr;
	snd_seq_t *seq;
	unsigned long n;
	char *end;
	int port, r, send;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 4 || (strcmp(argv[1], "send") && strcmp(argv[1], "count"))) {
		usage(stderr);
		return 2;
	}
	send = !strcmp(argv[1], "send");
	n = strtoul(argv[3], &end, 10);
	if (*end || !*argv[3]) {
		usage(stderr);
		return 2;
	}
	r = snd_seq_open(&seq, "default", send ? SND_SEQ_OPEN_OUTPUT : SND_SEQ_OPEN_DUPLEX, 0);
	if (r < 0) {
		fprintf(stderr, "seqflood: Cannot open the sequencer: %s\n", snd_strerror(r));
		return 1;
	}
	snd_seq_set_client_name(seq, "seqflood");
	r = snd_seq_parse_address(seq, &addr, argv[2]);
	if (r < 0) {
		fprintf(stderr, "seqflood: Cannot find port %s: %s\n", argv[2], snd_strerror(r));
		return 1;
	}
	if (!send) {
		/* The kernel's largest: a whole drain of apcminid fits. */
		snd_seq_set_client_pool_input(seq, 2000);
		snd_seq_nonblock(seq, 1);
	}
	port = snd_seq_create_simple_port(seq, "seqflood",
					  send ? SND_SEQ_PORT_CAP_READ
					       : SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE,
					  SND_SEQ_PORT_TYPE_APPLICATION);
	if (port < 0) {
		fprintf(stderr, "seqflood: Cannot create a port: %s\n", snd_strerror(port));
		return 1;
	}
	r = send ? flood_send(seq, port, &addr, n) : flood_count(seq, port, &addr, (int)n);
	snd_seq_close(seq);
	return r;
}
