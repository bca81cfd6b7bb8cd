/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Real-time paths. synth_rt_post/stop run on the producer (sequencer)
 * thread; rt_audio_cb on FluidSynth's audio thread; rt_wav_thread is ours. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "apclog.h"
#include "clock.h"
#include "synth-ring.h"
#include "synth-rt.h"
#include "synth-sched.h"

/* Which frame the audio thread rendered when: written by the audio thread
 * once per block, read by the producer to turn arrival times into frames.
 * A sequence lock, so the writer never waits; the reader retries. */
struct rt_clock {
	atomic_uint seq;
	atomic_uint_fast64_t frame;
	atomic_int_fast64_t ns;
};

struct synth_rt {
	struct synth_rt_config cfg;
	struct synth_fluid *fl;
	struct synth_ring ring;
	struct synth_sched sched;
	struct rt_clock clock;
	double rate;

	fluid_audio_driver_t *driver;

	/* WAV path */
	struct synth_wav wav;
	int wav_open;
	pthread_t thread;
	int thread_started;
	sem_t started;
	int prio_err;
	float *lbuf, *rbuf;

	/* Stopping: the producer sets `drain` after its last event (the
	 * final notes-off); the audio side posts `drained` once, from the
	 * first block after which the ring is empty. The WAV render thread
	 * then ends, and is joined; a driver's thread just goes on. */
	atomic_int drain;
	sem_t drained;
	int drained_init;
	int drained_posted;	/* audio side */

	/* Published by the audio thread after each block. */
	atomic_uint_fast64_t st_frames, st_applied, st_late, st_late_max, st_write_err;

	/* Producer-owned. */
	uint64_t last_frame;
};

static void clock_publish(struct rt_clock *c, uint64_t frame, int64_t ns)
{
	unsigned int s = atomic_load_explicit(&c->seq, memory_order_relaxed);

	atomic_store_explicit(&c->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&c->frame, frame, memory_order_relaxed);
	atomic_store_explicit(&c->ns, ns, memory_order_relaxed);
	atomic_store_explicit(&c->seq, s + 2, memory_order_release);
}

static int clock_read(struct rt_clock *c, uint64_t *frame, int64_t *ns)
{
	unsigned int s1, s2;

	do {
		s1 = atomic_load_explicit(&c->seq, memory_order_acquire);
		*frame = atomic_load_explicit(&c->frame, memory_order_relaxed);
		*ns = atomic_load_explicit(&c->ns, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&c->seq, memory_order_relaxed);
	} while ((s1 & 1) || s1 != s2);
	return s1 != 0;
}

static const struct synth_event *ring_peek(void *ctx)
{
	return synth_ring_peek(ctx);
}

static void ring_pop(void *ctx)
{
	synth_ring_pop(ctx);
}

/* Audio side, after each block. sem_post() does not block; it makes a
 * system call once, at the very end. */
static void rt_check_drained(struct synth_rt *rt)
{
	if (rt->drained_posted || !atomic_load_explicit(&rt->drain, memory_order_acquire) ||
	    synth_ring_count(&rt->ring))
		return;
	rt->drained_posted = 1;
	sem_post(&rt->drained);
}

static void rt_publish_stats(struct synth_rt *rt)
{
	const struct synth_sched_stats *s = &rt->sched.stats;

	atomic_store_explicit(&rt->st_frames, rt->sched.frame, memory_order_relaxed);
	atomic_store_explicit(&rt->st_applied, s->applied, memory_order_relaxed);
	atomic_store_explicit(&rt->st_late, s->late, memory_order_relaxed);
	atomic_store_explicit(&rt->st_late_max, s->late_max, memory_order_relaxed);
}

/* FluidSynth's audio thread. apc_now_ns() (clock_gettime) is served by
 * the vDSO, not a system call; everything else is the scheduler's. */
static int rt_audio_cb(void *data, int len, int nfx, float *fx[], int nout, float *out[])
{
	struct synth_rt *rt = data;

	if (nout < 2 || len <= 0)
		return 0;
	clock_publish(&rt->clock, rt->sched.frame, (int64_t)apc_now_ns());
	synth_sched_run(&rt->sched, out[0], out[1], (unsigned int)len);
	rt_publish_stats(rt);
	rt_check_drained(rt);
	return 0;
}

/* Our render thread for WAV output: block k is due at t0 + k periods,
 * absolute deadlines so sleep overshoot never accumulates into drift. */
static void *rt_wav_thread(void *arg)
{
	struct synth_rt *rt = arg;
	unsigned int period = (unsigned int)rt->cfg.fluid.period_size;
	int64_t t0, due;
	uint64_t k = 0;

	rt->prio_err = 0;
	if (rt->cfg.rt_prio > 0) {
		struct sched_param sp = { .sched_priority = rt->cfg.rt_prio };

		if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0)
			rt->prio_err = errno;
	}
	sem_post(&rt->started);

	t0 = (int64_t)apc_now_ns();
	while (!rt->drained_posted) {
		due = t0 + (int64_t)((double)k * period * APC_NS_PER_SEC / rt->rate);
		while (apc_sleep_until_ns((uint64_t)due) == EINTR)
			;
		clock_publish(&rt->clock, rt->sched.frame, due);
		synth_sched_run(&rt->sched, rt->lbuf, rt->rbuf, period);
		if (synth_wav_write_planar(&rt->wav, rt->lbuf, rt->rbuf, period) < 0)
			atomic_fetch_add_explicit(&rt->st_write_err, 1, memory_order_relaxed);
		rt_publish_stats(rt);
		rt_check_drained(rt);
		k++;
	}
	return NULL;
}

void synth_rt_config_defaults(struct synth_rt_config *c)
{
	memset(c, 0, sizeof(*c));
	synth_fluid_config_defaults(&c->fluid);
	c->wav_format = SYNTH_WAV_S16;
	c->latency = 0;		/* 0: one period */
	c->ring_size = 4096;
}

int synth_rt_new(const struct synth_rt_config *c, struct synth_rt **out)
{
	struct synth_rt *rt;
	struct synth_engine eng;
	struct synth_source src;
	int ret;

	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->cfg = *c;
	rt->cfg.fluid.rt_prio = c->rt_prio;
	if (rt->cfg.fluid.period_size <= 0)
		rt->cfg.fluid.period_size = 64;
	if (!rt->cfg.latency)
		rt->cfg.latency = (unsigned int)rt->cfg.fluid.period_size;
	rt->rate = c->fluid.rate;
	atomic_init(&rt->drain, 0);
	if (sem_init(&rt->drained, 0, 0) < 0) {
		ret = -errno;
		log_err("Cannot create a semaphore: %s", strerror(errno));
		goto err_free;
	}
	rt->drained_init = 1;
	ret = synth_ring_init(&rt->ring, c->ring_size ? c->ring_size : 4096);
	if (ret < 0) {
		log_err("Cannot allocate the event ring: %s", strerror(-ret));
		goto err_free;
	}
	ret = synth_fluid_new(&rt->cfg.fluid, &rt->fl);
	if (ret < 0)
		goto err_ring;
	/* Here, before the audio starts and before a sequencer client
	 * announces the synth: the first note then costs what any other does. */
	synth_fluid_warm(rt->fl);
	synth_fluid_engine(rt->fl, &eng);
	src.peek = ring_peek;
	src.pop = ring_pop;
	src.ctx = &rt->ring;
	synth_sched_init(&rt->sched, &eng, &src);
	*out = rt;
	return 0;

err_ring:
	synth_ring_release(&rt->ring);
err_free:
	if (rt->drained_init)
		sem_destroy(&rt->drained);
	free(rt);
	return ret;
}

static int rt_start_wav(struct synth_rt *rt)
{
	unsigned int period = (unsigned int)rt->cfg.fluid.period_size;
	int ret;

	rt->lbuf = calloc(period, sizeof(float));
	rt->rbuf = calloc(period, sizeof(float));
	if (!rt->lbuf || !rt->rbuf) {
		log_err("Cannot allocate render buffers: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = synth_wav_open(&rt->wav, rt->cfg.wav_path, (unsigned int)rt->rate, 2,
			     rt->cfg.wav_format);
	if (ret < 0) {
		log_err("Cannot create %s: %s", rt->cfg.wav_path, strerror(-ret));
		return ret;
	}
	rt->wav_open = 1;
	if (sem_init(&rt->started, 0, 0) < 0) {
		ret = -errno;
		log_err("Cannot start the render thread: %s", strerror(errno));
		goto err_wav;
	}
	ret = pthread_create(&rt->thread, NULL, rt_wav_thread, rt);
	if (ret) {
		log_err("Cannot start the render thread: %s", strerror(ret));
		sem_destroy(&rt->started);
		ret = -ret;
		goto err_wav;
	}
	rt->thread_started = 1;
	while (sem_wait(&rt->started) < 0 && errno == EINTR)
		;
	sem_destroy(&rt->started);
	if (rt->prio_err)
		log_warn("Cannot use real-time priority %d: %s; running without",
			   rt->cfg.rt_prio, strerror(rt->prio_err));
	return 0;

err_wav:
	synth_wav_discard(&rt->wav);
	rt->wav_open = 0;
	return ret;
}

int synth_rt_start(struct synth_rt *rt)
{
	int r;

	if (rt->cfg.wav_path)
		return rt_start_wav(rt);
	r = synth_fluid_driver_check(rt->cfg.fluid.audio_driver);
	if (r < 0)
		return r;
	rt->driver = new_fluid_audio_driver2(rt->fl->settings, rt_audio_cb, rt);
	if (!rt->driver) {
		char *name = NULL;

		fluid_settings_dupstr(rt->fl->settings, "audio.driver", &name);
		log_err("Cannot start audio driver %s (see the messages above)",
			  name ? name : "?");
		fluid_free(name);
		return -ENODEV;
	}
	return 0;
}

uint64_t synth_rt_frame_at(uint64_t frame, int64_t ns, int64_t t_ns, double rate,
			   unsigned int latency)
{
	double d = (double)(t_ns - ns) * rate / APC_NS_PER_SEC;

	/* Before the published block start only if the event was stamped
	 * then; clamp at 0 rather than wrap. */
	if (d < 0 && -d > (double)frame)
		return latency;
	return (uint64_t)((double)frame + d) + latency;
}

int synth_rt_post(struct synth_rt *rt, struct synth_event *ev, int64_t t_ns)
{
	uint64_t frame = 0, at;
	int64_t ns, now = (int64_t)apc_now_ns();

	if (!t_ns || t_ns > now)
		t_ns = now;
	if (clock_read(&rt->clock, &frame, &ns)) {
		at = synth_rt_frame_at(frame, ns, t_ns, rt->rate, rt->cfg.latency);
	} else {
		at = 0;		/* not running yet: as soon as it is */
	}
	/* Keep the ring in time order: the scheduler relies on it. */
	if (at < rt->last_frame)
		at = rt->last_frame;
	rt->last_frame = at;
	ev->frame = at;
	return synth_ring_push(&rt->ring, ev);
}

/* How long a driver's thread may take to apply the final event: it is
 * due within the latency, and the driver may have all its periods queued
 * ahead; 200 ms more for a loaded machine. Past that the driver is stuck
 * and deleting it is all there is left to do. */
static uint64_t rt_drain_bound_ns(const struct synth_rt *rt)
{
	double frames = rt->cfg.latency +
			(double)rt->cfg.fluid.period_size * (rt->cfg.fluid.periods + 1);

	return (uint64_t)(frames / rt->rate * APC_NS_PER_SEC) + 200000000u;
}

int synth_rt_stop(struct synth_rt *rt, int keep_output)
{
	struct synth_event ev;
	int ret = 0;

	memset(&ev, 0, sizeof(ev));
	ev.type = SYNTH_EV_NOTES_OFF;
	ev.chan = 0;
	ev.value = rt->fl->channels;
	if (rt->driver || rt->thread_started) {
		/* Straight away, not after the latency: the ring's last frame
		 * is due now or within the latency. If the ring is full, the
		 * drain still ends, without the notes-off. */
		ev.frame = rt->last_frame;
		synth_ring_push(&rt->ring, &ev);
		atomic_store_explicit(&rt->drain, 1, memory_order_release);
	}
	if (rt->thread_started) {
		/* Ours ends by itself once the ring is empty. */
		pthread_join(rt->thread, NULL);
		rt->thread_started = 0;
	}
	if (rt->driver) {
		struct timespec until = apc_ns_to_ts(apc_now_ns() + rt_drain_bound_ns(rt));

		while (sem_clockwait(&rt->drained, CLOCK_MONOTONIC, &until) < 0 && errno == EINTR)
			;
		delete_fluid_audio_driver(rt->driver);
		rt->driver = NULL;
	}
	if (rt->wav_open) {
		rt->wav_open = 0;
		if (!keep_output) {
			synth_wav_discard(&rt->wav);
			return 0;
		}
		ret = synth_wav_close(&rt->wav);
		if (ret < 0)
			log_err("Cannot write %s: %s", rt->cfg.wav_path, strerror(-ret));
	}
	return ret;
}

void synth_rt_free(struct synth_rt *rt)
{
	if (!rt)
		return;
	synth_rt_stop(rt, 0);
	synth_fluid_free(rt->fl);
	if (rt->drained_init)
		sem_destroy(&rt->drained);
	synth_ring_release(&rt->ring);
	free(rt->lbuf);
	free(rt->rbuf);
	free(rt);
}

void synth_rt_get_stats(struct synth_rt *rt, struct synth_rt_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->frames = atomic_load_explicit(&rt->st_frames, memory_order_relaxed);
	st->applied = atomic_load_explicit(&rt->st_applied, memory_order_relaxed);
	st->late = atomic_load_explicit(&rt->st_late, memory_order_relaxed);
	st->late_max = atomic_load_explicit(&rt->st_late_max, memory_order_relaxed);
	st->overflows = synth_ring_overflows(&rt->ring);
	st->sysex_unhandled =
		atomic_load_explicit(&rt->fl->sysex_unhandled, memory_order_relaxed);
	st->write_errors = atomic_load_explicit(&rt->st_write_err, memory_order_relaxed);
	st->fluid_msgs_dropped = synth_fluid_msgs_dropped();
}
