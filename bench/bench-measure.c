/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's measurements of one path: input latency, bursts, the round
 * trip, throughput, LED repaints and resources. Main thread (the sender thread plays the
 * device side of each run). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "apclog.h"
#include "apcmini.h"
#include "bench-measure.h"
#include "bench-proc.h"
#include "bench-sinks.h"
#include "bench-thread.h"
#include "clock.h"

#define LAT_HIST_LO_US 4.0
#define LAT_HIST_PER_OCTAVE 4

static void sleep_until(uint64_t until_ns)
{
	while (apc_sleep_until_ns(until_ns) == EINTR && !bench_stop)
		;
}

static void sleep_ns(uint64_t ns)
{
	sleep_until(apc_now_ns() + ns);
}

static void fill_latency(struct bench_measure *c, struct bench_latency *l, const char *name,
			 const struct bench_match_result *m, uint64_t *v, size_t n)
{
	size_t i;

	snprintf(l->name, sizeof(l->name), "%s", name);
	l->measured = 1;
	l->sent = atomic_load(&c->b->tx.n);
	l->received = atomic_load(&c->b->rx.n);
	l->lost = m->lost;
	l->unexpected = m->unexpected;
	bench_hist_init(&l->hist, LAT_HIST_LO_US, LAT_HIST_PER_OCTAVE);
	for (i = 0; i < n; i++)
		bench_hist_add(&l->hist, (double)v[i] / 1e3);
	bench_summarize(v, n, &l->s);
}

/* Several controllers deliver each in order, not in order with each
 * other: how far behind the last one matched a message may still arrive. */
#define REORDER_PER_CONTROLLER 256

static void match(struct bench_measure *c, const struct bench_target *tgt,
		  enum bench_pattern pat, struct bench_match_result *m)
{
	size_t reorder = tgt->controllers > 1 ? REORDER_PER_CONTROLLER * tgt->controllers : 0;

	bench_match(c->b->tx.key, c->b->tx.t, atomic_load(&c->b->tx.n), c->b->rx.key, c->b->rx.t,
		    atomic_load(&c->b->rx.n), bench_pattern_period(pat) - 1, reorder, c->lat,
		    c->idx, m);
}

static struct bench_latency *new_lat(struct bench_path_result *r)
{
	if (r->nlat >= BENCH_MAX_LAT)
		return NULL;
	return &r->lat[r->nlat++];
}

static int latency_tests(struct bench_measure *c, const struct bench_target *tgt,
			 struct bench_path_result *r)
{
	static const struct {
		const char *name;
		enum bench_pattern pat;
		size_t len;
	} types[] = {
		{ "note", BENCH_PAT_NOTE, 3 },	   { "cc", BENCH_PAT_CC, 3 },
		{ "sysex-8", BENCH_PAT_SYSEX, 8 }, { "sysex-64", BENCH_PAT_SYSEX, 64 },
		{ "sysex-256", BENCH_PAT_SYSEX, 256 },
	};
	const struct bench_opts *o = c->o;
	struct bench_match_result m;
	struct bench_sender_result s;
	struct bench_plan p;
	size_t t, i, nw, nr;
	int err;

	for (t = 0; t < sizeof(types) / sizeof(types[0]) && !bench_stop; t++) {
		if (tgt->controls_only && types[t].pat == BENCH_PAT_SYSEX)
			continue;
		memset(&p, 0, sizeof(p));
		p.pat = types[t].pat;
		p.sysex_len = types[t].len;
		/* with several controllers, each one plays at --interval */
		p.interval_ns = (uint64_t)o->interval_us * 1000 /
				(tgt->controllers > 1 ? tgt->controllers : 1);
		/* the note test carries the warm-up; sysex gets fewer */
		p.count = t == 0 ? o->warmup + o->count : types[t].pat == BENCH_PAT_SYSEX ?
			(o->count + 3) / 4 : o->count;
		err = bench_plan_run(tgt, &p, c->b, &s);
		if (err < 0)
			return err;
		match(c, tgt, p.pat, &m);
		r->msgs += atomic_load(&c->b->rx.n);
		if (t == 0) {
			/* split: warm-up messages (by sent index) apart */
			uint64_t *w = c->lat, *rest;

			for (i = 0, nw = 0; i < m.matched; i++)
				if (c->idx[i] < o->warmup)
					nw++;
			rest = c->lat + nw;
			/* the stage breakdown of input: each note's send and
			 * receipt, joined with the IN URBs usbmon saw */
			if (c->stages)
				for (i = nw; i < m.matched; i++)
					fprintf(c->stages, "in %s %llu %llu\n",
						c->path ? c->path : "-",
						(unsigned long long)c->b->tx.t[c->idx[i]],
						(unsigned long long)(c->b->tx.t[c->idx[i]] +
								     c->lat[i]));
			fill_latency(c, new_lat(r), "note", &m, rest, m.matched - nw);
			fill_latency(c, new_lat(r), "warmup", &m, w, nw);
			r->lat[r->nlat - 1].sent = o->warmup;
		} else {
			fill_latency(c, new_lat(r), types[t].name, &m, c->lat, m.matched);
		}
	}
	if (bench_stop || !o->burst || !o->bursts)
		return 0;
	/* bursts after idle gaps: the first of each wakes the path up */
	memset(&p, 0, sizeof(p));
	p.pat = BENCH_PAT_NOTE;
	p.burst = o->burst;
	p.gap_ns = (uint64_t)o->gap_ms * 1000000;
	p.count = (uint64_t)o->burst * o->bursts;
	err = bench_plan_run(tgt, &p, c->b, &s);
	if (err < 0)
		return err;
	match(c, tgt, p.pat, &m);
	r->msgs += atomic_load(&c->b->rx.n);
	/* partition in place: firsts to the front */
	for (i = 0, nw = 0; i < m.matched; i++)
		if (c->idx[i] % o->burst == 0) {
			uint64_t tmp = c->lat[nw];
			size_t ti = c->idx[nw];

			c->lat[nw] = c->lat[i];
			c->idx[nw] = c->idx[i];
			c->lat[i] = tmp;
			c->idx[i] = ti;
			nw++;
		}
	nr = m.matched - nw;
	fill_latency(c, new_lat(r), "burst-first", &m, c->lat, nw);
	fill_latency(c, new_lat(r), "burst-rest", &m, c->lat + nw, nr);
	return 0;
}

/* Waits until the message with `key` came back (from rx index `from` on)
 * or until `until_ns`. 1 back (its rx index in *at), 0 not, -errno. */
static int wait_echo(struct bench_measure *c, const struct bench_target *tgt, uint32_t key,
		     size_t from, uint64_t until_ns, size_t *at)
{
	struct bench_log *rx = &c->b->rx;
	size_t i = from;

	for (;;) {
		size_t n = atomic_load(&rx->n);
		int k;

		for (; i < n; i++)
			if (rx->key[i] == key) {
				*at = i;
				return 1;
			}
		if (apc_now_ns() >= until_ns || bench_stop)
			return 0;
		k = tgt->recv(tgt->bench_ctx, until_ns, rx);
		if (k < 0)
			return k;
	}
}

/* The round trip: the bench sends a control change into the path's
 * writable port (LEDs), the device side sends the same bytes back as the
 * device, the bench receives them from the path's readable port; stamped
 * by the bench on both ends. A CC, not a note-on: apcminid merges LED
 * note-ons into LED state (only changes leave, possibly later), while
 * everything else written to its port 0 goes to the device as it is, in order,
 * as on every other path. One message at a time, --interval apart or
 * right after the echo when that takes longer; an echo not back within
 * RT_WAIT_NS is counted lost (its late arrival as unexpected). */
#define RT_WAIT_NS 200000000ull

static int roundtrip_test(struct bench_measure *c, const struct bench_target *tgt,
			  struct bench_path_result *r)
{
	const struct bench_opts *o = c->o;
	struct bench_bufs *b = c->b;
	struct bench_match_result m;
	uint64_t i, next, t;
	uint8_t msg[3];
	int err;

	bench_log_reset(&b->tx);
	bench_log_reset(&b->rx);
	err = tgt->echo(tgt->echo_ctx, 1);
	if (err < 0)
		return err;
	next = apc_now_ns() + 2000000ull;
	for (i = 0; i < o->count && !bench_stop; i++) {
		size_t from = atomic_load(&b->rx.n), at;
		uint32_t key = bench_pattern_key(BENCH_PAT_CC, i);

		bench_pattern_msg(BENCH_PAT_CC, i, 0, msg);
		sleep_until(next);
		t = apc_now_ns();
		err = tgt->leds(tgt->bench_ctx, msg, 1, 1);
		if (err < 0)
			break;
		bench_log_add(&b->tx, key, t);
		err = wait_echo(c, tgt, key, from, t + RT_WAIT_NS, &at);
		if (err < 0)
			break;
		next = t + (uint64_t)o->interval_us * 1000;
		if (next < apc_now_ns())
			next = apc_now_ns();
	}
	/* late echoes, so that they count as unexpected rather than lost */
	while (err >= 0 && !bench_stop &&
	       tgt->recv(tgt->bench_ctx, apc_now_ns() + 50000000ull, &b->rx) > 0)
		;
	tgt->echo(tgt->echo_ctx, 0);
	if (err < 0)
		return err;
	match(c, tgt, BENCH_PAT_CC, &m);
	r->msgs += 2 * atomic_load(&b->rx.n);
	fill_latency(c, new_lat(r), "roundtrip", &m, c->lat, m.matched);
	return 0;
}

/* The identity round trip, which a real device answers too: the bench
 * sends the universal identity request into the path's writable port and
 * stamps the device's reply as it stamps input; both stamps are the
 * bench's. One request at a time, --interval apart or right after the
 * reply; a reply not back within RT_WAIT_NS is lost, and the bench then
 * waits as long again and forgets what came meanwhile, so that a late
 * reply is never taken for the next request's. A quarter of --count, as
 * the sysex tests. */
static int identity_test(struct bench_measure *c, const struct bench_target *tgt,
			 struct bench_path_result *r)
{
	const struct bench_opts *o = c->o;
	struct bench_bufs *b = c->b;
	struct bench_match_result m = { 0 };
	uint64_t i, n = (o->count + 3) / 4, next, t;
	int err = 0;

	bench_log_reset(&b->rx);
	next = apc_now_ns() + 2000000ull;
	for (i = 0; i < n && !bench_stop; i++) {
		size_t from = atomic_load(&b->rx.n), at;

		sleep_until(next);
		t = apc_now_ns();
		err = tgt->identity(tgt->bench_ctx);
		if (err < 0)
			break;
		err = wait_echo(c, tgt, BENCH_KEY_IDENTITY, from, t + RT_WAIT_NS, &at);
		if (err < 0)
			break;
		if (!err) {
			m.lost++;
			while (tgt->recv(tgt->bench_ctx, apc_now_ns() + RT_WAIT_NS, &b->rx) > 0)
				;
			next = apc_now_ns();
			continue;
		}
		/* the first reply after the request */
		c->lat[m.matched++] = b->rx.t[at] - t;
		next = t + (uint64_t)o->interval_us * 1000;
		if (next < apc_now_ns())
			next = apc_now_ns();
	}
	if (err < 0)
		return err;
	r->msgs += 2 * m.matched;
	fill_latency(c, new_lat(r), "identity", &m, c->lat, m.matched);
	r->lat[r->nlat - 1].sent = n;
	r->lat[r->nlat - 1].received = m.matched;
	return 0;
}

static int throughput_tests(struct bench_measure *c, const struct bench_target *tgt,
			    struct bench_path_result *r)
{
	const struct bench_opts *o = c->o;
	struct bench_match_result m;
	struct bench_sender_result s;
	struct bench_plan p;
	unsigned int k;
	int err;

	for (k = 0; k < o->nrates && !bench_stop; k++) {
		struct bench_rate *rt = &r->rate[r->nrate];
		struct bench_summary sum;
		uint64_t last_rx, span;
		size_t nrx;

		memset(&p, 0, sizeof(p));
		p.pat = BENCH_PAT_NOTE;
		p.rate = o->rates[k];
		p.duration_ns = (uint64_t)o->duration_ms * 1000000;
		if (c->sinks)
			bench_sinks_reset(c->sinks);
		err = bench_plan_run(tgt, &p, c->b, &s);
		if (err < 0)
			return err;
		match(c, tgt, p.pat, &m);
		memset(rt, 0, sizeof(*rt));
		rt->offered = p.rate;
		rt->sent = atomic_load(&c->b->tx.n);
		nrx = atomic_load(&c->b->rx.n);
		rt->received = nrx;
		rt->lost = m.lost;
		if (c->sinks) {
			/* lossless only if every other subscriber got it all */
			uint64_t got = bench_sinks_wait(c->sinks, rt->sent,
							apc_now_ns() + 500000000ull);

			rt->sinks_lost = got < rt->sent ? rt->sent - got : 0;
			if (rt->sinks_lost > rt->lost)
				rt->lost = rt->sinks_lost;
		}
		rt->unexpected = m.unexpected;
		rt->overruns = c->b->rx.dropped;
		span = s.t_last > s.t_first ? s.t_last - s.t_first : 0;
		rt->sent_rate = span ? (double)rt->sent * 1e9 / (double)(span + 1000000) : 0;
		last_rx = nrx ? c->b->rx.t[nrx - 1] : 0;
		span = last_rx > s.t_first ? last_rx - s.t_first : 0;
		rt->recv_rate = span ? (double)nrx * 1e9 / (double)(span + 1000000) : 0;
		bench_summarize(c->lat, m.matched, &sum);
		rt->p50_us = m.matched ? sum.p50 / 1e3 : -1;
		rt->p99_us = m.matched ? sum.p99 / 1e3 : -1;
		r->msgs += nrx;
		r->nrate++;
		log_info("%s %.0f/s: sent %llu received %zu lost %llu (by another subscriber %llu)",
			 r->name, p.rate, (unsigned long long)rt->sent, nrx,
			 (unsigned long long)rt->lost, (unsigned long long)rt->sinks_lost);
	}
	return 0;
}

/* One repaint: n LED events, the pads' final values differ from what they
 * showed so a driver that sends only changes still sends them. Returns the
 * time in ns from the first write to the last final value seen, or -errno
 * (-ETIMEDOUT when the device side did not see them within 2 s). */
static int64_t repaint_once(struct bench_measure *c, const struct bench_target *tgt, unsigned int n,
			    int per_event, unsigned int *seen)
{
	uint8_t final[APC_NUM_PADS], shown[APC_NUM_PADS];
	int touched[APC_NUM_PADS] = { 0 };
	unsigned int j, pass, npads = n < APC_NUM_PADS ? n : APC_NUM_PADS, done = 0;
	size_t start, i;
	uint64_t t0, t_done = 0, deadline;
	int err;

	for (pass = 0; pass * APC_NUM_PADS < n; pass++) {
		c->led_counter++;
		for (j = pass * APC_NUM_PADS; j < n && j < (pass + 1) * APC_NUM_PADS; j++) {
			unsigned int pad = j % APC_NUM_PADS;
			uint8_t v = (uint8_t)(1 + c->led_counter % 6);

			if (v == c->last_led[pad])
				v = (uint8_t)(1 + (c->led_counter + 1) % 6);
			c->ledbuf[3 * j] = 0x90;
			c->ledbuf[3 * j + 1] = (uint8_t)pad;
			c->ledbuf[3 * j + 2] = v;
			c->last_led[pad] = v;
			final[pad] = v;
		}
	}
	memset(shown, 0, sizeof(shown));
	if (!tgt->ledlog) {
		/* no device side: the host's view, until the writes completed */
		t0 = apc_now_ns();
		err = tgt->leds(tgt->bench_ctx, c->ledbuf, n, per_event);
		*seen = 0;
		return err < 0 ? err : (int64_t)(apc_now_ns() - t0);
	}
	start = atomic_load(&tgt->ledlog->n);
	t0 = apc_now_ns();
	err = tgt->leds(tgt->bench_ctx, c->ledbuf, n, per_event);
	if (err < 0)
		return err;
	deadline = apc_now_ns() + 2000000000u;
	i = start;
	while (done < npads) {
		size_t end = atomic_load_explicit(&tgt->ledlog->n, memory_order_acquire);
		for (; i < end && done < npads; i++) {
			uint32_t key = tgt->ledlog->key[i];
			unsigned int pad = (key >> 8) & 0x7f;

			if (((key >> 16) & 0xf0) != 0x90 || pad >= APC_NUM_PADS)
				continue;
			shown[pad] = key & 0x7f;
			if (!touched[pad] && shown[pad] == final[pad] && pad < npads) {
				touched[pad] = 1;
				done++;
				t_done = tgt->ledlog->t[i];
			}
		}
		if (done >= npads)
			break;
		if (apc_now_ns() > deadline || bench_stop)
			return -ETIMEDOUT;
		err = bench_wait_fds(c->loop, &tgt->led_efd, 1, 1, apc_now_ns() + 100000000ull);
		if (err < 0)
			return err;
	}
	*seen = (unsigned int)(i - start);
	/* For the stage breakdown, joined with the URBs usbmon saw. */
	if (c->stages)
		fprintf(c->stages, "%s %u %d %llu %llu\n", c->path ? c->path : "-", n, per_event,
			(unsigned long long)t0, (unsigned long long)t_done);
	return (int64_t)(t_done - t0);
}

static int repaint_series(struct bench_measure *c, const struct bench_target *tgt, unsigned int n,
			  int per_event, struct bench_repaint *rp)
{
	double v[64], seen[64];
	unsigned int r, reps = c->o->reps > 64 ? 64 : c->o->reps, got = 0;

	memset(rp, 0, sizeof(*rp));
	rp->batch = n;
	rp->min_us = INFINITY;
	for (r = 0; r < reps && !bench_stop; r++) {
		unsigned int s = 0;
		int64_t dt = repaint_once(c, tgt, n, per_event, &s);

		rp->reps++;
		if (dt == -ETIMEDOUT) {
			rp->timeouts++;
			continue;
		}
		if (dt < 0)
			return (int)dt;
		v[got] = (double)dt / 1e3;
		seen[got++] = s;
		if (v[got - 1] < rp->min_us)
			rp->min_us = v[got - 1];
		if (v[got - 1] > rp->max_us)
			rp->max_us = v[got - 1];
		sleep_ns(20000000); /* idle between repaints, as a user would be */
	}
	rp->median_us = bench_median(v, got);
	rp->seen = bench_median(seen, got);
	if (!got)
		rp->min_us = 0;
	return 0;
}

static int repaint_tests(struct bench_measure *c, const struct bench_target *tgt,
			 struct bench_path_result *r)
{
	static const unsigned int sizes[] = { 1, 8, 16, 32, 64, 128, 256 };
	unsigned int k;
	int err;

	err = repaint_series(c, tgt, 64, 1, &r->repaint64);
	if (err < 0)
		return err;
	r->msgs += 64 * (r->repaint64.reps - r->repaint64.timeouts);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]) && !bench_stop; k++) {
		err = repaint_series(c, tgt, sizes[k], 0, &r->batch[r->nbatch]);
		if (err < 0)
			return err;
		r->msgs += sizes[k] * (r->batch[r->nbatch].reps - r->batch[r->nbatch].timeouts);
		r->nbatch++;
	}
	return 0;
}

/* Notes what was not measured: "what: detail" (detail may be NULL). */
void bench_why(struct bench_path_result *r, const char *what, const char *detail)
{
	size_t len = strlen(r->why);

	snprintf(r->why + len, sizeof(r->why) - len, "%s%s%s%s", len ? "; " : "", what,
		 detail ? ": " : "", detail ? detail : "");
}

void bench_measure_path(struct bench_measure *c, const struct bench_target *tgt,
		    struct bench_path_result *r, int other_pid, int device_tid)
{
	struct bench_component cs[4];
	unsigned int n = 0;
	int err;

	cs[n++] = (struct bench_component){ .name = "bench", .pid = getpid() };
	if (device_tid > 0)
		cs[n++] = (struct bench_component){ .name = "device", .pid = getpid(), .tid = device_tid };
	if (other_pid > 0)
		cs[n++] = (struct bench_component){ .name = "apcminid", .pid = other_pid };
	cs[n++] = (struct bench_component){ .name = "system", .pid = 0 };
	bench_components_sample(cs, n, 0);
	/* idle first: nothing sent, everything set up */
	bench_components_sample(cs, n, 1);
	sleep_ns((uint64_t)(c->o->idle_s * 1e9));
	bench_components_sample(cs, n, 2);
	r->measured = 1;
	if (tgt->inject) {
		err = latency_tests(c, tgt, r);
		if (!err)
			err = throughput_tests(c, tgt, r);
		if (err < 0)
			bench_why(r, "input stopped", strerror(-err));
	} else {
		bench_why(r, "input: nothing plays the device (needs the emulated gadget)", NULL);
	}
	if (tgt->inject && tgt->leds && tgt->echo && !bench_stop) {
		err = roundtrip_test(c, tgt, r);
		if (err < 0)
			bench_why(r, "round trip stopped", strerror(-err));
	} else if (tgt->inject && tgt->leds) {
		bench_why(r, "round trip: nothing echoes (needs the emulated gadget)", NULL);
	}
	if (tgt->identity && !bench_stop) {
		err = identity_test(c, tgt, r);
		if (err < 0)
			bench_why(r, "identity round trip stopped", strerror(-err));
	}
	if (tgt->leds) {
		err = repaint_tests(c, tgt, r);
		if (err < 0)
			bench_why(r, "LEDs stopped", strerror(-err));
		if (!tgt->ledlog)
			bench_why(r, "LED times end at the host's transfer completion (no device-side stamps)", NULL);
	}
	bench_components_finish(cs, n, c->o->idle_s, r);
}
