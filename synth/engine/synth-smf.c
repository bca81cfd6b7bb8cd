/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Streaming SMF reader with a k-way merge of the tracks; runs on whichever
 * thread renders from a file (the offline render loop). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "midimsg.h"
#include "synth-smf.h"

/* Per-track read window. Small on purpose: format 1 files may have
 * hundreds of tracks, and events are a few bytes each. */
#define TRACK_WINDOW 512

struct smf_track {
	uint64_t start, end;	/* file offsets of the chunk data */
	uint64_t pos;		/* next byte to parse */
	uint64_t win_off;	/* file offset of win[0] */
	unsigned int win_len;
	uint64_t tick;		/* absolute tick of the pending event */
	uint8_t running;	/* running status, 0 if none */
	uint8_t win[TRACK_WINDOW];
};

struct smf_info {
	unsigned int format;
	unsigned int ntracks;
	int division;		/* > 0 ticks per quarter; < 0 SMPTE (-fps << 8 | tpf) */
};

struct synth_smf {
	int fd;
	struct smf_info info;
	struct smf_track *trk;
	unsigned int *heap;	/* track indices, min-heap on (tick, index) */
	unsigned int nheap;
	uint32_t tempo;		/* us per quarter note */
	uint64_t seg_tick;	/* tick of the last tempo change */
	double seg_time;	/* its time in seconds */
	double tick_sec;	/* SMPTE: seconds per tick, fixed */
	uint8_t payload[SYNTH_SMF_PAYLOAD_MAX];
	char err[160];
};

static void smf_seterr(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void smf_seterr(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static int read_exact(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENODATA;
		done += (size_t)n;
	}
	return 0;
}

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

/* Next byte of track t; -ENODATA at the end of its chunk, -errno on I/O. */
static int trk_byte(struct synth_smf *smf, struct smf_track *t)
{
	if (t->pos >= t->end)
		return -ENODATA;
	if (t->pos < t->win_off || t->pos >= t->win_off + t->win_len) {
		uint64_t left = t->end - t->pos;
		unsigned int n = left < TRACK_WINDOW ? (unsigned int)left : TRACK_WINDOW;
		int ret = read_exact(smf->fd, t->win, n, t->pos);

		if (ret < 0)
			return ret == -ENODATA ? -EIO : ret;
		t->win_off = t->pos;
		t->win_len = n;
	}
	return t->win[t->pos++ - t->win_off];
}

/* Variable-length quantity: at most 4 bytes (28 bits) by the standard. */
static int trk_vlq(struct synth_smf *smf, struct smf_track *t, uint32_t *out)
{
	uint32_t v = 0;
	int i, c;

	for (i = 0; i < 4; i++) {
		c = trk_byte(smf, t);
		if (c < 0)
			return c;
		v = (v << 7) | (c & 0x7f);
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -EOVERFLOW;
}

static int trk_fail(struct synth_smf *smf, unsigned int idx, int err, const char *what)
{
	struct smf_track *t = &smf->trk[idx];

	if (err == -ENODATA)
		smf_seterr(smf->err, sizeof(smf->err),
			   "track %u: truncated %s at byte %llu of the file", idx, what,
			   (unsigned long long)t->pos);
	else if (err == -EOVERFLOW)
		smf_seterr(smf->err, sizeof(smf->err),
			   "track %u: variable-length number longer than 4 bytes at byte %llu",
			   idx, (unsigned long long)t->pos);
	else if (err == -EBADMSG)
		smf_seterr(smf->err, sizeof(smf->err), "track %u: %s at byte %llu", idx, what,
			   (unsigned long long)t->pos);
	else
		smf_seterr(smf->err, sizeof(smf->err), "Cannot read track %u: %s", idx,
			   strerror(-err));
	return err == -ENODATA || err == -EOVERFLOW ? -EBADMSG : err;
}

static int heap_less(const struct synth_smf *smf, unsigned int a, unsigned int b)
{
	if (smf->trk[a].tick != smf->trk[b].tick)
		return smf->trk[a].tick < smf->trk[b].tick;
	return a < b;
}

static void heap_push(struct synth_smf *smf, unsigned int idx)
{
	unsigned int i = smf->nheap++;

	while (i > 0) {
		unsigned int parent = (i - 1) / 2;

		if (!heap_less(smf, idx, smf->heap[parent]))
			break;
		smf->heap[i] = smf->heap[parent];
		i = parent;
	}
	smf->heap[i] = idx;
}

/* Restore the heap after the root's key grew (or the root was replaced). */
static void heap_sift_down(struct synth_smf *smf)
{
	unsigned int i = 0, n = smf->nheap, idx = smf->heap[0];

	for (;;) {
		unsigned int c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && heap_less(smf, smf->heap[c + 1], smf->heap[c]))
			c++;
		if (!heap_less(smf, smf->heap[c], idx))
			break;
		smf->heap[i] = smf->heap[c];
		i = c;
	}
	smf->heap[i] = idx;
}

static void heap_pop(struct synth_smf *smf)
{
	smf->heap[0] = smf->heap[--smf->nheap];
	if (smf->nheap)
		heap_sift_down(smf);
}

/* Read the delta time of track idx's next event. 1 if there is one, 0 at
 * the end of the chunk. A track without an end-of-track meta simply ends
 * with its chunk, as many writers get that wrong. */
static int trk_advance(struct synth_smf *smf, unsigned int idx)
{
	struct smf_track *t = &smf->trk[idx];
	uint32_t delta;
	int ret;

	if (t->pos >= t->end)
		return 0;
	ret = trk_vlq(smf, t, &delta);
	if (ret < 0)
		return trk_fail(smf, idx, ret, "delta time");
	t->tick += delta;
	return 1;
}

int synth_smf_open(const char *path, struct synth_smf **out, char *err, size_t errlen)
{
	struct synth_smf *smf;
	uint8_t h[14];
	struct stat st;
	uint64_t off, size;
	unsigned int found = 0, i;
	int ret;

	smf = calloc(1, sizeof(*smf));
	if (!smf) {
		smf_seterr(err, errlen, "Cannot read %s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	smf->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (smf->fd < 0 || fstat(smf->fd, &st) < 0) {
		ret = -errno;
		smf_seterr(err, errlen, "Cannot open %s: %s", path, strerror(errno));
		goto err_free;
	}
	size = (uint64_t)st.st_size;
	ret = read_exact(smf->fd, h, sizeof(h), 0);
	if (ret < 0 || memcmp(h, "MThd", 4)) {
		smf_seterr(err, errlen, "%s: not a Standard MIDI File (no MThd header)", path);
		ret = ret == -ENODATA || ret == 0 ? -EBADMSG : ret;
		goto err_free;
	}
	if (be32(h + 4) < 6) {
		smf_seterr(err, errlen, "%s: MThd header too short (%u bytes)", path, be32(h + 4));
		ret = -EBADMSG;
		goto err_free;
	}
	smf->info.format = (h[8] << 8) | h[9];
	smf->info.ntracks = (h[10] << 8) | h[11];
	smf->info.division = (int16_t)((h[12] << 8) | h[13]);
	if (smf->info.format > 2) {
		smf_seterr(err, errlen, "%s: unknown SMF format %u", path, smf->info.format);
		ret = -EBADMSG;
		goto err_free;
	}
	if (smf->info.ntracks == 0 || smf->info.division == 0 ||
	    (smf->info.division < 0 && (smf->info.division & 0xff) == 0)) {
		smf_seterr(err, errlen, "%s: bad header (%u tracks, division %d)", path,
			   smf->info.ntracks, smf->info.division);
		ret = -EBADMSG;
		goto err_free;
	}
	smf->trk = calloc(smf->info.ntracks, sizeof(*smf->trk));
	smf->heap = calloc(smf->info.ntracks, sizeof(*smf->heap));
	if (!smf->trk || !smf->heap) {
		smf_seterr(err, errlen, "Cannot read %s: %s", path, strerror(ENOMEM));
		ret = -ENOMEM;
		goto err_free;
	}
	/* Walk the chunk table; chunks other than MTrk are skipped, as the
	 * standard asks of readers. */
	off = 8 + (uint64_t)be32(h + 4);
	while (found < smf->info.ntracks) {
		uint8_t ch[8];
		uint64_t len;

		ret = read_exact(smf->fd, ch, 8, off);
		if (ret < 0) {
			smf_seterr(err, errlen, "%s: truncated: %u of %u tracks present", path,
				   found, smf->info.ntracks);
			ret = ret == -ENODATA ? -EBADMSG : ret;
			goto err_free;
		}
		len = be32(ch + 4);
		if (off + 8 + len > size) {
			smf_seterr(err, errlen,
				   "%s: truncated: chunk %u claims %llu bytes, %llu are left", path,
				   found, (unsigned long long)len,
				   (unsigned long long)(size - off - 8));
			ret = -EBADMSG;
			goto err_free;
		}
		if (!memcmp(ch, "MTrk", 4)) {
			struct smf_track *t = &smf->trk[found++];

			t->start = t->pos = off + 8;
			t->end = off + 8 + len;
		}
		off += 8 + len;
	}
	smf->tempo = 500000;
	if (smf->info.division < 0) {
		int fps = -(int8_t)(smf->info.division >> 8);
		double rate = fps == 29 ? 30000.0 / 1001.0 : fps;

		smf->tick_sec = 1.0 / (rate * (smf->info.division & 0xff));
	}
	for (i = 0; i < smf->info.ntracks; i++) {
		ret = trk_advance(smf, i);
		if (ret < 0) {
			smf_seterr(err, errlen, "%s: %s", path, smf->err);
			goto err_free;
		}
		if (ret)
			heap_push(smf, i);
	}
	*out = smf;
	return 0;

err_free:
	synth_smf_free(smf);
	return ret;
}

void synth_smf_free(struct synth_smf *smf)
{
	if (!smf)
		return;
	if (smf->fd >= 0)
		close(smf->fd);
	free(smf->trk);
	free(smf->heap);
	free(smf);
}

const char *synth_smf_strerror(const struct synth_smf *smf)
{
	return smf->err;
}

static double smf_time(const struct synth_smf *smf, uint64_t tick)
{
	if (smf->info.division < 0)
		return (double)tick * smf->tick_sec;
	return smf->seg_time +
	       (double)(tick - smf->seg_tick) * smf->tempo / (1e6 * smf->info.division);
}

/* Payload of a sysex or meta event: the first SYNTH_SMF_PAYLOAD_MAX bytes
 * kept, the rest skipped. */
static int trk_payload(struct synth_smf *smf, unsigned int idx, struct synth_smf_event *ev)
{
	struct smf_track *t = &smf->trk[idx];
	uint32_t len, i;
	int ret, c;

	ret = trk_vlq(smf, t, &len);
	if (ret < 0)
		return trk_fail(smf, idx, ret, "length");
	if (len > t->end - t->pos)
		return trk_fail(smf, idx, -ENODATA, ev->status == 0xff ? "meta event" : "sysex");
	for (i = 0; i < len && i < SYNTH_SMF_PAYLOAD_MAX; i++) {
		c = trk_byte(smf, t);
		if (c < 0)
			return trk_fail(smf, idx, c, "payload");
		smf->payload[i] = (uint8_t)c;
	}
	t->pos += len - i;
	ev->len = len;
	ev->truncated = len > SYNTH_SMF_PAYLOAD_MAX;
	ev->payload = smf->payload;
	return 0;
}

int synth_smf_next(struct synth_smf *smf, struct synth_smf_event *ev)
{
	struct smf_track *t;
	unsigned int idx;
	int c, ret;

	if (smf->err[0])
		return -EBADMSG;
	if (!smf->nheap)
		return 0;
	idx = smf->heap[0];
	t = &smf->trk[idx];
	memset(ev, 0, sizeof(*ev));
	ev->tick = t->tick;
	ev->track = (uint16_t)idx;
	ev->time = smf_time(smf, t->tick);

	c = trk_byte(smf, t);
	if (c < 0)
		return trk_fail(smf, idx, c, "event");
	if (c < 0x80) {
		/* Running status. Kept across meta and sysex events too: the
		 * standard cancels it there, but files relying on it exist and
		 * nothing else could be meant. */
		if (!t->running)
			return trk_fail(smf, idx, -EBADMSG, "data byte without running status");
		t->pos--;
		c = t->running;
	}
	ev->status = (uint8_t)c;
	if (c < 0xf0) {
		/* Data bytes: the message's length less its status. */
		int i, n = (int)midi_msg_length((uint8_t)c) - 1;

		t->running = (uint8_t)c;
		for (i = 0; i < n; i++) {
			int d = trk_byte(smf, t);

			if (d < 0)
				return trk_fail(smf, idx, d, "channel message");
			if (d & 0x80)
				return trk_fail(smf, idx, -EBADMSG, "status byte inside a channel message");
			ev->data[i] = (uint8_t)d;
		}
		ev->size = (uint8_t)(n + 1);
	} else if (c == 0xf0 || c == 0xf7) {
		ret = trk_payload(smf, idx, ev);
		if (ret < 0)
			return ret;
	} else if (c == 0xff) {
		int type = trk_byte(smf, t);

		if (type < 0)
			return trk_fail(smf, idx, type, "meta event");
		ev->meta = (uint8_t)type;
		ret = trk_payload(smf, idx, ev);
		if (ret < 0)
			return ret;
		if (type == 0x51) {
			if (ev->len != 3)
				return trk_fail(smf, idx, -EBADMSG, "tempo event not 3 bytes long");
			/* Time so far at the old tempo, then the new one on. */
			smf->seg_time = ev->time;
			smf->seg_tick = ev->tick;
			smf->tempo = ((uint32_t)ev->payload[0] << 16) | (ev->payload[1] << 8) |
				     ev->payload[2];
			if (!smf->tempo)
				smf->tempo = 1;
		} else if (type == 0x2f) {
			/* Trailing bytes after end of track are ignored. */
			heap_pop(smf);
			return 1;
		}
	} else {
		return trk_fail(smf, idx, -EBADMSG, "system message not allowed in a file");
	}

	ret = trk_advance(smf, idx);
	if (ret < 0)
		return ret;
	if (ret)
		heap_sift_down(smf);
	else
		heap_pop(smf);
	return 1;
}
