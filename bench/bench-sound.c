/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's pad-to-sound measurement: starts each chain's programs,
 * presses pads from the main thread (which also receives the MIDI leg),
 * records the audio device on a capture thread, then finds the onsets. */
#include "config.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apclog.h"
#include "bench-onset.h"
#include "bench-sound.h"
#include "clock.h"

/* The audio settings every chain gets. */
#define SOUND_RATE 48000u
#define SOUND_PERIOD 64u
#define SOUND_PERIODS 2u
/* The capture side: small periods, a long buffer (the bench must not
 * lose frames; its latency does not matter, its time stamps do). */
#define CAP_CHANNELS 2u
#define CAP_BUFFER_PERIODS 64u
#define CAP_MAX_SEGS 64
/* Presses: spacing 300-400 ms (pseudo-random down to the ns, so presses
 * do not beat with the period), each held 80 ms. Closer than that, the GM
 * piano's release (and reverb) at FluidSynth's gain 0.2 still rings at a
 * fifth of a new note's first milliseconds (seen: 0.007 of full scale
 * 170 ms after a press, 0.001 after 230 ms). The onset is looked for up
 * to 150 ms after the press (and before the next one): the first frame
 * above 0.3 % of full scale and three times the loudest of the 10 ms
 * before the press. */
#define PRESS_MIN_NS 300000000ull
#define PRESS_SPAN_NS 100000000ull
#define HOLD_NS 80000000ull
#define SETTLE_NS 400000000ull
#define TAIL_NS 400000000ull
#define ONSET_WINDOW_NS 150000000ull
#define ONSET_PRE_NS 10000000ull
#define ONSET_LEVEL 0.003f
#define ONSET_FACTOR 3.0f
/* The pads of the synth-pad scenario: audible on the GM piano. */
static const uint8_t sound_pads[] = { 48, 52, 55, 60, 63 };

enum chain_kind {
	CH_KERNEL_FLUIDSYNTH,
	CH_KERNEL_APCSYNTH,
	CH_APCMINID_APCSYNTH,
	CH_APCMINID_SYNTH,
};

const char *const bench_sound_chain_names[BENCH_SOUND_MAX_CHAINS] = {
	"kernel-fluidsynth", "kernel-apcsynth", "apcminid-apcsynth", "apcminid-synth",
};

static const char *const chain_desc[BENCH_SOUND_MAX_CHAINS] = {
	"snd-usb-audio -> sequencer -> fluidsynth -m alsa_seq -a alsa (what a user has "
	"without this project)",
	"snd-usb-audio -> sequencer -> apcsynth -a alsa",
	"apcminid -> sequencer -> apcsynth -a alsa",
	"apcminid --synth: FluidSynth in the driver, fed from the USB completion",
};

/* ---- capture ---- */

struct cap_seg {
	size_t buf_start;	/* first frame of the segment in env */
	size_t pt_start;	/* its first status point */
};

struct sound_cap {
	snd_pcm_t *pcm;
	snd_pcm_format_t fmt;
	unsigned int channels;
	snd_pcm_uframes_t period, buffer;
	float *env;		/* loudest channel per frame, 0..1 */
	size_t cap, n;
	struct bench_clock_pt *pts;
	size_t ptcap, npts;
	struct cap_seg segs[CAP_MAX_SEGS];
	unsigned int nseg;
	unsigned int xruns;
	void *raw;
	pthread_t th;
	int running;
	_Atomic int stop;
	int err;
};

/* snd-aloop's timer, as its module parameter says: what moves the audio
 * (and the time stamps) from the playback to the capture side. */
static const char *aloop_timer(void)
{
	static char buf[64];
	FILE *f = fopen("/sys/module/snd_aloop/parameters/timer_source", "r");
	size_t n;

	if (!f)
		return "";
	n = fread(buf + 9, 1, sizeof(buf) - 10, f);
	fclose(f);
	buf[9 + n] = 0;
	buf[strcspn(buf + 9, "\n,") + 9] = 0; /* one entry per card */
	if (!buf[9] || !strcmp(buf + 9, "(null)"))
		return "; snd-aloop timer: jiffies";
	memcpy(buf, "; timer: ", 9);
	return buf;
}

static int cap_params(struct sound_cap *k, const char *dev, char *desc, size_t descsz)
{
	static const snd_pcm_format_t fmts[] = { SND_PCM_FORMAT_S16_LE, SND_PCM_FORMAT_FLOAT_LE,
						 SND_PCM_FORMAT_S32_LE };
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	unsigned int rate = SOUND_RATE, i;
	int err = -EINVAL;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	/* what the playback side already runs with wins (snd-aloop makes
	 * both ends of a cable agree on format, rate and channels) */
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		err = snd_pcm_hw_params_any(k->pcm, hw);
		if (err < 0)
			return err;
		err = snd_pcm_hw_params_set_access(k->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED);
		if (!err)
			err = snd_pcm_hw_params_set_format(k->pcm, hw, fmts[i]);
		if (!err)
			err = snd_pcm_hw_params_set_channels(k->pcm, hw, CAP_CHANNELS);
		if (!err)
			err = snd_pcm_hw_params_set_rate(k->pcm, hw, rate, 0);
		if (!err) {
			k->fmt = fmts[i];
			break;
		}
	}
	if (err < 0)
		return err;
	k->channels = CAP_CHANNELS;
	k->period = SOUND_PERIOD;
	k->buffer = SOUND_PERIOD * CAP_BUFFER_PERIODS;
	err = snd_pcm_hw_params_set_period_size_near(k->pcm, hw, &k->period, NULL);
	if (!err)
		err = snd_pcm_hw_params_set_buffer_size_near(k->pcm, hw, &k->buffer);
	if (!err)
		err = snd_pcm_hw_params(k->pcm, hw);
	if (err < 0)
		return err;
	err = snd_pcm_sw_params_current(k->pcm, sw);
	if (!err)
		err = snd_pcm_sw_params_set_tstamp_mode(k->pcm, sw, SND_PCM_TSTAMP_ENABLE);
	if (!err)
		err = snd_pcm_sw_params_set_tstamp_type(k->pcm, sw, SND_PCM_TSTAMP_TYPE_MONOTONIC);
	if (!err)
		err = snd_pcm_sw_params_set_avail_min(k->pcm, sw, k->period);
	if (!err)
		err = snd_pcm_sw_params(k->pcm, sw);
	if (err < 0)
		return err;
	snprintf(desc, descsz, "%s %s %u Hz %u ch, period %lu, buffer %lu%s", dev,
		 snd_pcm_format_name(k->fmt), rate, k->channels, (unsigned long)k->period,
		 (unsigned long)k->buffer, aloop_timer());
	return 0;
}

static void cap_new_seg(struct sound_cap *k)
{
	if (k->nseg >= CAP_MAX_SEGS)
		return;
	k->segs[k->nseg].buf_start = k->n;
	k->segs[k->nseg].pt_start = k->npts;
	k->nseg++;
}

static void cap_convert(struct sound_cap *k, snd_pcm_uframes_t frames)
{
	snd_pcm_uframes_t f;
	unsigned int c;

	for (f = 0; f < frames && k->n < k->cap; f++) {
		float m = 0, v;

		for (c = 0; c < k->channels; c++) {
			size_t j = f * k->channels + c;

			if (k->fmt == SND_PCM_FORMAT_S16_LE)
				v = fabsf(((const int16_t *)k->raw)[j] / 32768.0f);
			else if (k->fmt == SND_PCM_FORMAT_FLOAT_LE)
				v = fabsf(((const float *)k->raw)[j]);
			else
				v = fabsf(((const int32_t *)k->raw)[j] / 2147483648.0f);
			if (v > m)
				m = v;
		}
		k->env[k->n++] = m;
	}
}

/* The capture thread: reads what is there, then asks the status for the
 * time the hardware pointer was last seen moving and where it was. */
static void *cap_thread(void *arg)
{
	struct sound_cap *k = arg;
	snd_pcm_status_t *st;
	uint64_t seg_read = 0;
	int err;

	snd_pcm_status_alloca(&st);
	cap_new_seg(k);
	err = snd_pcm_start(k->pcm);
	while (!err && !atomic_load(&k->stop)) {
		snd_pcm_sframes_t n;

		err = snd_pcm_wait(k->pcm, 100);
		if (err >= 0) {
			n = snd_pcm_readi(k->pcm, k->raw, k->period);
			err = n < 0 ? (int)n : 0;
		} else {
			n = 0;
		}
		if (err == -EAGAIN) {
			err = 0;
			continue;
		}
		if (err == -EPIPE || err == -ESTRPIPE) {
			/* overrun: frames lost, the stream restarts at 0 */
			k->xruns++;
			err = snd_pcm_prepare(k->pcm);
			if (!err)
				err = snd_pcm_start(k->pcm);
			seg_read = 0;
			cap_new_seg(k);
			continue;
		}
		if (err < 0 || n <= 0)
			continue;
		cap_convert(k, (snd_pcm_uframes_t)n);
		seg_read += (uint64_t)n;
		if (snd_pcm_status(k->pcm, st) == 0 && k->npts < k->ptcap) {
			snd_htimestamp_t ts;

			struct bench_clock_pt pt;
			size_t p0 = k->segs[k->nseg - 1].pt_start;

			snd_pcm_status_get_htstamp(st, &ts);
			pt.h = seg_read + snd_pcm_status_get_avail(st);
			pt.t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
			/* keep a point only when the pointer moved since */
			if (pt.t && (k->npts == p0 || (pt.h > k->pts[k->npts - 1].h &&
						       pt.t > k->pts[k->npts - 1].t)))
				k->pts[k->npts++] = pt;
		}
		if (k->n >= k->cap)
			break; /* full: the measurement is over anyway */
	}
	k->err = err;
	return NULL;
}

static void cap_close(struct sound_cap *k)
{
	if (k->running) {
		atomic_store(&k->stop, 1);
		pthread_join(k->th, NULL);
		k->running = 0;
	}
	if (k->pcm) {
		snd_pcm_drop(k->pcm);
		snd_pcm_close(k->pcm);
		k->pcm = NULL;
	}
}

/* Opens the device and starts the capture thread (SCHED_FIFO when the
 * bench may, else an ordinary thread). */
static int cap_start(struct sound_cap *k, const char *dev, char *desc, size_t descsz)
{
	pthread_attr_t attr;
	struct sched_param sp = { .sched_priority = 80 };
	int err;

	k->n = k->npts = 0;
	k->nseg = 0;
	k->xruns = 0;
	k->err = 0;
	atomic_store(&k->stop, 0);
	err = snd_pcm_open(&k->pcm, dev, SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK);
	if (err < 0) {
		k->pcm = NULL;
		return err;
	}
	err = cap_params(k, dev, desc, descsz);
	if (err < 0)
		goto err_close;
	err = snd_pcm_prepare(k->pcm);
	if (err < 0)
		goto err_close;
	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &sp);
	err = -pthread_create(&k->th, &attr, cap_thread, k);
	pthread_attr_destroy(&attr);
	if (err == -EPERM)
		err = -pthread_create(&k->th, NULL, cap_thread, k);
	if (err < 0)
		goto err_close;
	k->running = 1;
	return 0;

err_close:
	snd_pcm_close(k->pcm);
	k->pcm = NULL;
	return err;
}

/* The device clock's rate against CLOCK_MONOTONIC over the longest
 * segment (1: steady). */
static double cap_ratio(const struct sound_cap *k)
{
	double ratio = 0;
	size_t best = 0;
	unsigned int s;

	for (s = 0; s < k->nseg; s++) {
		size_t p0 = k->segs[s].pt_start;
		size_t p1 = s + 1 < k->nseg ? k->segs[s + 1].pt_start : k->npts;

		if (p1 - p0 > best) {
			best = p1 - p0;
			ratio = bench_clock_ratio(k->pts + p0, p1 - p0, SOUND_RATE);
		}
	}
	return ratio;
}

static size_t seg_end_pt(const struct sound_cap *k, unsigned int s)
{
	return s + 1 < k->nseg ? k->segs[s + 1].pt_start : k->npts;
}

/* The frame captured at time t (ns), or -1 when no segment holds it. */
static int64_t cap_frame_at(const struct sound_cap *k, uint64_t t)
{
	unsigned int s;

	for (s = 0; s < k->nseg; s++) {
		const struct cap_seg *g = &k->segs[s];
		size_t p0 = g->pt_start, p1 = seg_end_pt(k, s);
		int64_t f = bench_clock_frame_at(k->pts + p0, p1 - p0, SOUND_RATE, t);

		if (f >= 0)
			return (int64_t)g->buf_start + f;
	}
	return -1;
}

static double cap_time_of(const struct sound_cap *k, size_t frame)
{
	unsigned int s;

	for (s = k->nseg; s-- > 0;)
		if (k->segs[s].buf_start <= frame) {
			size_t p0 = k->segs[s].pt_start, p1 = seg_end_pt(k, s);

			return bench_clock_time_of(k->pts + p0, p1 - p0, SOUND_RATE,
						   frame - k->segs[s].buf_start);
		}
	return 0;
}

/* ---- processes ---- */

struct child {
	pid_t pid;
	int stdin_w;	/* kept open: fluidsynth's shell waits on it */
	char name[24];
};

static int child_start(struct child *ch, const char *name, const char *cmd, const char *log)
{
	char *argv[48], *copy, *save = NULL, *tok;
	int argc = 0, pfd[2], err;
	pid_t pid;

	memset(ch, 0, sizeof(*ch));
	ch->stdin_w = -1;
	snprintf(ch->name, sizeof(ch->name), "%s", name);
	copy = strdup(cmd);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " ", &save); tok && argc < 47; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (!argc) {
		free(copy);
		return -EINVAL;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		err = -errno;
		free(copy);
		return err;
	}
	log_info("sound: starting %s", cmd);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		dup2(pfd[0], 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	err = pid < 0 ? -errno : 0;
	close(pfd[0]);
	free(copy);
	if (err < 0) {
		close(pfd[1]);
		return err;
	}
	ch->pid = pid;
	ch->stdin_w = pfd[1];
	return 0;
}

static int child_alive(struct child *ch)
{
	int status;

	if (ch->pid <= 0)
		return 0;
	if (waitpid(ch->pid, &status, WNOHANG) == ch->pid) {
		ch->pid = 0;
		return 0;
	}
	return 1;
}

/* SIGTERM first: fluidsynth's shell calls an end of its input a panic. */
static void child_stop(struct child *ch)
{
	if (ch->pid > 0)
		bench_stop_child(ch->pid);
	ch->pid = 0;
	if (ch->stdin_w >= 0)
		close(ch->stdin_w);
	ch->stdin_w = -1;
}

/* A port with capabilities `caps` of a client of process `pid` (any
 * process when pid <= 0) whose name starts with `name` (NULL: any) and not
 * with `skip` (NULL: none). 0 or -ENOENT. */
static int find_port(snd_seq_t *seq, int pid, const char *name, const char *skip,
		     unsigned int caps, snd_seq_addr_t *a)
{
	snd_seq_client_info_t *ci;
	snd_seq_port_info_t *pi;

	snd_seq_client_info_alloca(&ci);
	snd_seq_port_info_alloca(&pi);
	snd_seq_client_info_set_client(ci, -1);
	while (snd_seq_query_next_client(seq, ci) >= 0) {
		const char *cname = snd_seq_client_info_get_name(ci);
		int c = snd_seq_client_info_get_client(ci);

		if (pid > 0 && snd_seq_client_info_get_pid(ci) != pid)
			continue;
		if (name && strncmp(cname, name, strlen(name)))
			continue;
		if (skip && !strncmp(cname, skip, strlen(skip)))
			continue;
		snd_seq_port_info_set_client(pi, c);
		snd_seq_port_info_set_port(pi, -1);
		while (snd_seq_query_next_port(seq, pi) >= 0) {
			if ((snd_seq_port_info_get_capability(pi) & caps) != caps)
				continue;
			a->client = (unsigned char)c;
			a->port = (unsigned char)snd_seq_port_info_get_port(pi);
			return 0;
		}
	}
	return -ENOENT;
}

#define CAP_SRC (SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ)
#define CAP_DST (SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE)

static void sleep_ns(uint64_t ns)
{
	uint64_t until = apc_now_ns() + ns;

	while (apc_sleep_until_ns(until) == EINTR && !bench_stop)
		;
}

/* Waits up to `secs` for a port of the child's process (it is up once its
 * client has one). 0, -ECHILD (it exited) or -ETIMEDOUT. */
static int wait_child_port(snd_seq_t *seq, struct child *ch, const char *skip, const char *name,
			   unsigned int caps, double secs, snd_seq_addr_t *a)
{
	uint64_t until = apc_now_ns() + (uint64_t)(secs * 1e9);

	while (!bench_stop) {
		int err = find_port(seq, ch->pid, name, name ? NULL : skip, caps, a);

		if (!err)
			return 0;
		if (!child_alive(ch))
			return -ECHILD;
		if (apc_now_ns() > until)
			return -ETIMEDOUT;
		sleep_ns(50000000);
	}
	return -EINTR;
}

static int wait_kernel_port(snd_seq_t *seq, double secs, snd_seq_addr_t *a)
{
	uint64_t until = apc_now_ns() + (uint64_t)(secs * 1e9);
	snd_seq_client_info_t *ci;
	snd_seq_port_info_t *pi;

	snd_seq_client_info_alloca(&ci);
	snd_seq_port_info_alloca(&pi);
	while (!bench_stop) {
		snd_seq_client_info_set_client(ci, -1);
		while (snd_seq_query_next_client(seq, ci) >= 0) {
			if (snd_seq_client_info_get_type(ci) != SND_SEQ_KERNEL_CLIENT ||
			    strncmp(snd_seq_client_info_get_name(ci), "APC", 3))
				continue;
			snd_seq_port_info_set_client(pi, snd_seq_client_info_get_client(ci));
			snd_seq_port_info_set_port(pi, -1);
			while (snd_seq_query_next_port(seq, pi) >= 0) {
				if ((snd_seq_port_info_get_capability(pi) & CAP_SRC) != CAP_SRC)
					continue;
				a->client = (unsigned char)snd_seq_client_info_get_client(ci);
				a->port = (unsigned char)snd_seq_port_info_get_port(pi);
				return 0;
			}
		}
		if (apc_now_ns() > until)
			return -ETIMEDOUT;
		sleep_ns(100000000);
	}
	return -EINTR;
}

static int seq_subscribe(snd_seq_t *seq, const snd_seq_addr_t *src, const snd_seq_addr_t *dst)
{
	snd_seq_port_subscribe_t *sub;

	snd_seq_port_subscribe_alloca(&sub);
	snd_seq_port_subscribe_set_sender(sub, src);
	snd_seq_port_subscribe_set_dest(sub, dst);
	return snd_seq_subscribe_port(seq, sub);
}

/* ---- one chain, one round ---- */

struct sound_ctx {
	struct bench_measure *c;
	struct bench_rig *rig;
	const struct bench_opts *o;
	const char *sf;
	struct sound_cap cap;
	struct bench_log tx, rx;
	uint64_t *press_t;	/* per press: its stamp, 0 when not handed over */
	uint64_t *lat;		/* matching scratch */
	size_t *idx;
	uint64_t **all;		/* per chain: latencies of every round, ns */
	size_t *nall;
	uint64_t **mall;	/* per chain: MIDI leg latencies */
	size_t *nmall;
	double ratio[BENCH_SOUND_MAX_CHAINS][BENCH_SOUND_MAX_ROUNDS]; /* audio clock */
};

static void chain_why(struct bench_sound_chain *ch, unsigned int round, const char *what,
		      const char *detail)
{
	size_t len = strlen(ch->why);

	snprintf(ch->why + len, sizeof(ch->why) - len, "%sround %u: %s%s%s", len ? "; " : "",
		 round + 1, what, detail ? ": " : "", detail ? detail : "");
}

/* Receives the MIDI leg until `until`; 0 or -errno. */
static int recv_until(struct sound_ctx *x, uint64_t until)
{
	while (!bench_stop && apc_now_ns() < until) {
		int n = bench_seq_recv(x->rig->seq, until, &x->rx);

		if (n < 0)
			return n;
	}
	return 0;
}

static int inject(struct sound_ctx *x, uint8_t status, uint8_t note, uint8_t vel, uint64_t *t)
{
	uint8_t msg[3] = { status, note, vel };
	uint32_t key = bench_key(status, note, vel);
	uint64_t give_up = apc_now_ns() + 100000000ull;

	for (;;) {
		size_t before = atomic_load(&x->tx.n);
		int k = bench_device_inject(x->rig->gadget, msg, 3, 3, &key, &x->tx);

		if (k < 0)
			return k;
		if (k > 0) {
			if (t)
				*t = x->tx.t[before];
			return 0;
		}
		if (apc_now_ns() > give_up || bench_stop)
			return -EAGAIN;
		sleep_ns(100000); /* no room yet in the gadget's output */
	}
}

/* The presses of one run; the capture runs meanwhile. */
static int play_presses(struct sound_ctx *x, unsigned int round, unsigned int chain)
{
	uint64_t seed = 0x5eed0000ull + round * 131u + 1, t = apc_now_ns() + SETTLE_NS;
	unsigned int i, n = x->o->sound_presses;
	int err = 0;

	(void)chain;
	bench_log_reset(&x->tx);
	bench_log_reset(&x->rx);
	for (i = 0; i < n && !bench_stop && !err; i++) {
		uint8_t pad = sound_pads[i % sizeof(sound_pads)];

		x->press_t[i] = 0;
		err = recv_until(x, t);
		if (!err)
			err = inject(x, 0x90, pad, 0x7f, &x->press_t[i]);
		if (!err)
			err = recv_until(x, t + HOLD_NS);
		if (!err)
			err = inject(x, 0x80, pad, 0x00, NULL);
		t += bench_spacing_ns(&seed, PRESS_MIN_NS, PRESS_SPAN_NS);
	}
	if (!err)
		err = recv_until(x, t + TAIL_NS);
	return err;
}

/* -vv with --outdir: the capture's level per millisecond and the presses'
 * frames, to see what the onset detection saw. */
static void dump_env(struct sound_ctx *x, const char *chain, unsigned int round)
{
	const struct sound_cap *k = &x->cap;
	char file[4096];
	size_t i, j, step = SOUND_RATE / 1000;
	unsigned int p;
	FILE *f;

	snprintf(file, sizeof(file), "%s/sound-%s-r%u.env", x->o->outdir, chain, round + 1);
	f = fopen(file, "w");
	if (!f)
		return;
	for (p = 0; p < x->o->sound_presses; p++)
		if (x->press_t[p])
			fprintf(f, "# press %u frame %lld\n", p,
				(long long)cap_frame_at(k, x->press_t[p]));
	for (i = 0; i < k->n; i += step) {
		float m = 0;

		for (j = i; j < i + step && j < k->n; j++)
			if (k->env[j] > m)
				m = k->env[j];
		fprintf(f, "%zu %.5f\n", i, m);
	}
	fclose(f);
}

static void analyse(struct sound_ctx *x, unsigned int ci, struct bench_sound_chain *ch,
		    unsigned int round)
{
	const struct sound_cap *k = &x->cap;
	unsigned int i, n = x->o->sound_presses, found = 0, presses = 0;
	uint64_t *mine = x->all[ci] + x->nall[ci];
	struct bench_match_result m;
	size_t j, pre = (size_t)(ONSET_PRE_NS * SOUND_RATE / 1000000000ull);
	struct bench_summary s;

	x->ratio[ci][round] = cap_ratio(&x->cap);
	if (x->o->outdir && x->o->verbose >= 2)
		dump_env(x, ch->name, round);
	for (i = 0; i < n; i++) {
		int64_t from, to, next, f;
		double t_on;

		if (!x->press_t[i])
			continue;
		presses++;
		from = cap_frame_at(k, x->press_t[i]);
		if (from < 0)
			continue;
		to = from + (int64_t)(ONSET_WINDOW_NS * SOUND_RATE / 1000000000ull);
		next = i + 1 < n && x->press_t[i + 1] ? cap_frame_at(k, x->press_t[i + 1]) : -1;
		if (next > from && next < to)
			to = next;
		f = bench_onset_find(k->env, k->n, (size_t)from, (size_t)to, pre, ONSET_LEVEL,
				     ONSET_FACTOR);
		if (f < 0)
			continue;
		t_on = cap_time_of(k, (size_t)f);
		mine[found++] = t_on > (double)x->press_t[i] ? (uint64_t)(t_on - (double)x->press_t[i])
							     : 0;
	}
	ch->presses += presses;
	ch->onsets += found;
	ch->no_onset += presses - found;
	ch->capture_xruns += k->xruns;
	/* the round's median (summarize sorts a copy's worth in place: the
	 * pooled set does not care about order) */
	bench_summarize(mine, found, &s);
	ch->round_p50_ns[round] = found ? s.p50 : -1;
	x->nall[ci] += found;
	if (presses > found)
		log_info("sound: %s round %u: %u of %u presses without an onset", ch->name,
			 round + 1, presses - found, presses);

	/* the MIDI leg: note-ons matched in order with what the bench got */
	bench_match(x->tx.key, x->tx.t, atomic_load(&x->tx.n), x->rx.key, x->rx.t,
		    atomic_load(&x->rx.n), 8, 0, x->lat, x->idx, &m);
	for (j = 0, found = 0; j < m.matched; j++)
		if ((x->tx.key[x->idx[j]] >> 16) == 0x90)
			x->mall[ci][x->nmall[ci]++] = x->lat[j], found++;
	ch->midi_lost += presses > found ? presses - found : 0;
}

static void run_chain(struct sound_ctx *x, unsigned int ci, struct bench_sound_chain *ch,
		      unsigned int round, struct bench_sound *res)
{
	const struct bench_opts *o = x->o;
	snd_seq_t *seq = bench_seq_handle(x->rig->seq);
	struct child drv = { .pid = 0, .stdin_w = -1 }, syn = { .pid = 0, .stdin_w = -1 };
	snd_seq_addr_t src, dst;
	char cmd[1024], log[4096], desc[160];
	const char *apcminid = o->apcminid_cmd ? o->apcminid_cmd : "apcminid";
	int err = 0;

	if (o->outdir)
		snprintf(log, sizeof(log), "%s/sound-%s-r%u.log", o->outdir, ch->name, round + 1);
	else
		snprintf(log, sizeof(log), "/dev/null");
	/* the device side: the kernel's client, or apcminid's */
	if (ci == CH_KERNEL_FLUIDSYNTH || ci == CH_KERNEL_APCSYNTH) {
		err = wait_kernel_port(seq, 10, &src);
		if (err < 0) {
			chain_why(ch, round, "no snd-usb-audio client of the APC mini", NULL);
			return;
		}
	} else {
		if (ci == CH_APCMINID_SYNTH)
			snprintf(cmd, sizeof(cmd),
				 "%s --synth=%s --audio-driver=alsa --audio-device=%s "
				 "--period-size=%u --periods=%u",
				 apcminid, x->sf, o->sound_playback, SOUND_PERIOD, SOUND_PERIODS);
		else
			snprintf(cmd, sizeof(cmd), "%s", apcminid);
		err = child_start(&drv, "apcminid", cmd, log);
		if (!err)
			err = wait_child_port(seq, &drv, "apcminid synth", NULL, CAP_SRC, 30, &src);
		if (!err && ci == CH_APCMINID_SYNTH)
			err = wait_child_port(seq, &drv, NULL, "apcminid synth", CAP_DST, 30, &dst);
		if (err < 0) {
			chain_why(ch, round, "apcminid did not come up",
				  err == -ECHILD ? "it exited (see its log)" : strerror(-err));
			goto out;
		}
	}
	/* the synth */
	if (ci == CH_KERNEL_FLUIDSYNTH) {
		snprintf(cmd, sizeof(cmd),
			 "%s -q -m alsa_seq -a alsa -o audio.alsa.device=%s -z %u -c %u -r %u %s",
			 o->fluidsynth_cmd, o->sound_playback, SOUND_PERIOD, SOUND_PERIODS,
			 SOUND_RATE, x->sf);
		err = child_start(&syn, "fluidsynth", cmd, log);
	} else if (ci != CH_APCMINID_SYNTH) {
		snprintf(cmd, sizeof(cmd), "%s -a alsa -d %s -z %u -c %u -r %u -s %s",
			 o->apcsynth_cmd, o->sound_playback, SOUND_PERIOD, SOUND_PERIODS,
			 SOUND_RATE, x->sf);
		err = child_start(&syn, "apcsynth", cmd, log);
	}
	if (!err && syn.pid)
		err = wait_child_port(seq, &syn, NULL, NULL, CAP_DST, 60, &dst);
	if (err < 0) {
		chain_why(ch, round, "the synth did not come up",
			  err == -ECHILD ? "it exited (see its log)" : strerror(-err));
		goto out;
	}
	if (ci != CH_APCMINID_SYNTH) {
		err = seq_subscribe(seq, &src, &dst);
		if (err < 0) {
			chain_why(ch, round, "cannot connect the synth", snd_strerror(err));
			goto out;
		}
	}
	/* the bench hears the same source: the MIDI leg */
	err = bench_seq_connect(x->rig->seq, &src, NULL);
	if (err < 0) {
		chain_why(ch, round, "cannot connect the bench", snd_strerror(err));
		goto out;
	}
	/* a moment for the driver's start-up traffic and the audio to run */
	sleep_ns(300000000);
	err = cap_start(&x->cap, o->sound_capture, desc, sizeof(desc));
	if (err < 0) {
		chain_why(ch, round, "cannot capture", snd_strerror(err));
		goto out_seq;
	}
	if (!res->capture[0])
		snprintf(res->capture, sizeof(res->capture), "%s", desc);
	err = play_presses(x, round, ci);
	cap_close(&x->cap);
	if (err < 0) {
		chain_why(ch, round, "pressing stopped", strerror(-err));
		goto out_seq;
	}
	if (x->cap.err < 0)
		chain_why(ch, round, "capture stopped", snd_strerror(x->cap.err));
	if (syn.pid && !child_alive(&syn))
		chain_why(ch, round, "the synth exited during the run (see its log)", NULL);
	if (drv.pid && !child_alive(&drv))
		chain_why(ch, round, "apcminid exited during the run (see its log)", NULL);
	analyse(x, ci, ch, round);
	ch->rounds++;
out_seq:
	bench_seq_connect(x->rig->seq, NULL, NULL);
out:
	cap_close(&x->cap);
	child_stop(&syn);
	child_stop(&drv);
}

/* ---- the whole measurement ---- */

static const char *find_soundfont(const char *given)
{
	static const char *const places[] = {
		"/usr/share/sounds/sf2/TimGM6mb.sf2", "/usr/share/sounds/sf2/default-GM.sf2",
		"/usr/share/sounds/sf3/default-GM.sf3", "/usr/share/sounds/sf2/FluidR3_GM.sf2",
	};
	size_t i;

	if (given)
		return access(given, R_OK) == 0 ? given : NULL;
	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (access(places[i], R_OK) == 0)
			return places[i];
	return NULL;
}

static int parse_chains(const char *list, unsigned int *which, unsigned int *n)
{
	char *copy = strdup(list), *save = NULL, *tok;
	unsigned int k;

	if (!copy)
		return -ENOMEM;
	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < BENCH_SOUND_MAX_CHAINS; k++)
			if (!strcmp(tok, bench_sound_chain_names[k]))
				break;
		if (k == BENCH_SOUND_MAX_CHAINS || *n >= BENCH_SOUND_MAX_CHAINS) {
			free(copy);
			return -EINVAL;
		}
		which[(*n)++] = k;
	}
	free(copy);
	return *n ? 0 : -EINVAL;
}

void bench_sound_run(struct bench_measure *c, struct bench_rig *rig, struct bench_sound *res)
{
	const struct bench_opts *o = c->o;
	struct sound_ctx x = { .c = c, .rig = rig, .o = o };
	unsigned int which[BENCH_SOUND_MAX_CHAINS], nch, r, k, rounds = o->sound_rounds;
	size_t per_run = o->sound_presses, frames, i;
	uint64_t *all[BENCH_SOUND_MAX_CHAINS] = { 0 }, *mall[BENCH_SOUND_MAX_CHAINS] = { 0 };
	size_t nall[BENCH_SOUND_MAX_CHAINS] = { 0 }, nmall[BENCH_SOUND_MAX_CHAINS] = { 0 };

	memset(res, 0, sizeof(*res));
	if (rounds > BENCH_SOUND_MAX_ROUNDS)
		rounds = BENCH_SOUND_MAX_ROUNDS;
	res->rounds = rounds;
	if (parse_chains(o->sound_chains, which, &nch) < 0) {
		snprintf(res->why, sizeof(res->why), "unknown chain in '%s'", o->sound_chains);
		return;
	}
	x.sf = find_soundfont(o->soundfont);
	snprintf(res->config, sizeof(res->config),
		 "%u presses per chain and round (spacing %llu-%llu ms, held %llu ms), %u rounds, "
		 "chain order rotated; audio period %u x %u at %u Hz; SoundFont %s",
		 o->sound_presses, PRESS_MIN_NS / 1000000, (PRESS_MIN_NS + PRESS_SPAN_NS) / 1000000,
		 HOLD_NS / 1000000, rounds, SOUND_PERIOD, SOUND_PERIODS, SOUND_RATE,
		 x.sf ? x.sf : "none");
	for (k = 0; k < nch; k++) {
		struct bench_sound_chain *ch = &res->chain[k];

		snprintf(ch->name, sizeof(ch->name), "%s", bench_sound_chain_names[which[k]]);
		snprintf(ch->desc, sizeof(ch->desc), "%s", chain_desc[which[k]]);
	}
	res->nchain = nch;
	if (!rig->gadget) {
		snprintf(res->why, sizeof(res->why), "needs the emulated gadget to press pads");
		return;
	}
	if (!x.sf) {
		snprintf(res->why, sizeof(res->why), "no SoundFont (--soundfont)");
		return;
	}
	/* buffers, once */
	frames = (size_t)((SETTLE_NS + per_run * (PRESS_MIN_NS + PRESS_SPAN_NS) + TAIL_NS +
			   2000000000ull) / 1000000000.0 * SOUND_RATE);
	x.cap.cap = frames;
	x.cap.env = malloc(frames * sizeof(float));
	x.cap.ptcap = frames / SOUND_PERIOD + 64;
	x.cap.pts = malloc(x.cap.ptcap * sizeof(*x.cap.pts));
	x.cap.raw = malloc(SOUND_PERIOD * CAP_CHANNELS * 4);
	x.press_t = calloc(per_run + 1, sizeof(uint64_t));
	x.lat = calloc(4 * per_run + 64, sizeof(uint64_t));
	x.idx = calloc(4 * per_run + 64, sizeof(size_t));
	x.all = all;
	x.nall = nall;
	x.mall = mall;
	x.nmall = nmall;
	for (k = 0; k < BENCH_SOUND_MAX_CHAINS; k++) {
		all[k] = calloc(per_run * rounds + 1, sizeof(uint64_t));
		mall[k] = calloc(per_run * rounds + 1, sizeof(uint64_t));
	}
	for (k = 0; k < BENCH_SOUND_MAX_CHAINS; k++)
		if (!all[k] || !mall[k])
			x.idx = NULL; /* reported below */
	if (!x.cap.env || !x.cap.pts || !x.cap.raw || !x.press_t || !x.lat ||
	    !x.idx || bench_log_init(&x.tx, 4 * per_run + 64) < 0 ||
	    bench_log_init(&x.rx, 4 * per_run + 64) < 0) {
		snprintf(res->why, sizeof(res->why), "out of memory");
		goto out;
	}
	res->measured = 1;
	for (r = 0; r < rounds && !bench_stop; r++)
		for (k = 0; k < nch && !bench_stop; k++) {
			unsigned int slot = (k + r) % nch;

			log_info("sound: round %u/%u, chain %s", r + 1, rounds, res->chain[slot].name);
			res->chain[slot].round_p50_ns[r] = -1;
			run_chain(&x, which[slot], &res->chain[slot], r, res);
		}
	for (k = 0; k < nch; k++) {
		struct bench_sound_chain *ch = &res->chain[k];
		unsigned int ci = which[k];
		double ratio[BENCH_SOUND_MAX_ROUNDS];
		unsigned int nr = 0;

		for (r = 0; r < rounds; r++)
			if (x.ratio[ci][r] > 0)
				ratio[nr++] = x.ratio[ci][r];
		ch->clock_ratio = bench_median(ratio, nr);
		bench_summarize(all[ci], nall[ci], &ch->s);
		ch->p1_ns = nall[ci] ? (double)bench_percentile(all[ci], nall[ci], 1) : -1;
		for (i = 0; i < nall[ci] && ch->nlat < BENCH_SOUND_MAX_SAMPLES; i++)
			ch->lat_ms[ch->nlat++] = (float)(all[ci][i] / 1e6);
		bench_summarize(mall[ci], nmall[ci], &ch->midi);
		ch->midi_p1_ns = nmall[ci] ? (double)bench_percentile(mall[ci], nmall[ci], 1) : -1;
	}
out:
	bench_log_free(&x.tx);
	bench_log_free(&x.rx);
	for (k = 0; k < BENCH_SOUND_MAX_CHAINS; k++) {
		free(all[k]);
		free(mall[k]);
	}
	free(x.cap.env);
	free(x.cap.pts);
	free(x.cap.raw);
	free(x.press_t);
	free(x.lat);
	free(x.idx);
}
