/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench: measures the kernel, raw-USB (apcminid), direct (libusb) and
 * sequencer-only paths side by side. Main thread: receiver and LED writer;
 * a sender thread plays the device; the device side's reader thread logs. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "apcbench-io.h"
#include "apcmini.h"

#define LAT_HIST_LO_US 4.0
#define LAT_HIST_PER_OCTAVE 4
#define MAX_SYSEX 256

struct opts {
	const char *paths;
	const struct apc_model *model;
	const char *gadget;
	const char *kernel_port, *raw_port;
	const char *apcminid_cmd;
	unsigned int count, warmup, interval_us;
	unsigned int burst, bursts, gap_ms;
	unsigned int duration_ms;
	double rates[BENCH_MAX_RATES];
	unsigned int nrates;
	unsigned int reps;
	double idle_s;
	const char *outdir;
	const char *baseline;
	double margin;
	unsigned int usb_in;
	int verbose;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* ---- the sender thread: plays the device side of one measurement ---- */

struct plan {
	enum bench_pattern pat;
	size_t sysex_len;
	uint64_t count;		/* paced: messages */
	uint64_t interval_ns;	/* paced: between messages (in a burst: 0) */
	unsigned int burst;	/* > 0: bursts of this many, gap_ns apart */
	uint64_t gap_ns;
	double rate;		/* > 0: rate mode, events/s */
	uint64_t duration_ns;
};

struct sender {
	const struct bench_target *tgt;
	struct plan plan;
	struct bench_log *tx;
	uint8_t *buf;		/* preallocated: the largest tick or one sysex */
	size_t bufsz;
	_Atomic int done;
	int err;
	uint64_t t_first, t_last;
	uint64_t offered;
};

static void sleep_until(uint64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000u), (long)(t % 1000000000u) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop)
		;
}

static void *sender_thread(void *arg)
{
	struct sender *s = arg;
	const struct plan *p = &s->plan;
	uint64_t i = 0, next = bench_now() + 2000000, t;
	int k;

	s->t_first = 0;
	if (p->rate > 0) {
		uint64_t t0 = next, end = t0 + p->duration_ns;
		size_t cap = s->bufsz / 3;

		sleep_until(t0);
		while (!stop && (t = bench_now()) < end) {
			uint64_t due = (uint64_t)(p->rate * (double)(t - t0) / 1e9) + 1;
			size_t n, j;

			n = due > s->offered ? (size_t)(due - s->offered) : 0;
			if (n > cap)
				n = cap;
			for (j = 0; j < n; j++)
				bench_pattern_msg(p->pat, i + j, 0, s->buf + 3 * j);
			s->offered += n;
			t = bench_now();
			k = n ? s->tgt->inject(s->tgt->inject_ctx, s->buf, 3 * n, 3) : 0;
			if (k < 0) {
				s->err = k;
				break;
			}
			if (k > 0 && !s->t_first)
				s->t_first = t;
			for (j = 0; j < (size_t)k; j++)
				bench_log_add(s->tx, bench_pattern_key(p->pat, i + j), t);
			i += (uint64_t)k;
			if (k)
				s->t_last = t;
			next += 1000000;
			sleep_until(next);
		}
		atomic_store(&s->done, 1);
		return NULL;
	}
	for (i = 0; i < p->count && !stop; i++) {
		size_t len = bench_pattern_msg(p->pat, i, p->sysex_len, s->buf);

		if (p->burst && i % p->burst == 0 && i)
			next += p->gap_ns;
		else if (!p->burst && i)
			next += p->interval_ns;
		sleep_until(next);
		for (;;) {
			t = bench_now();
			k = s->tgt->inject(s->tgt->inject_ctx, s->buf, len, len);
			if (k != 0 || stop)
				break;
			usleep(100); /* no room: the path is behind */
		}
		if (k < 0) {
			s->err = k;
			break;
		}
		if (!s->t_first)
			s->t_first = t;
		s->t_last = t;
		bench_log_add(s->tx, bench_pattern_key(p->pat, i), t);
	}
	atomic_store(&s->done, 1);
	return NULL;
}

struct ctx {
	const struct opts *o;
	struct bench_log tx, rx;
	uint64_t *lat;
	size_t *idx;
	uint8_t *sendbuf;
	size_t sendbufsz;
	uint8_t *ledbuf;
	uint8_t last_led[APC_NUM_PADS];
	unsigned int led_counter;
};

/* Runs one plan: the sender thread plays the device, this thread receives
 * until everything sent arrived or nothing came for 500 ms. */
static int run_plan(struct ctx *c, const struct bench_target *tgt, const struct plan *p,
		    struct sender *s)
{
	pthread_t th;
	uint64_t quiet_since = 0;
	int err;

	bench_log_reset(&c->tx);
	bench_log_reset(&c->rx);
	memset(s, 0, sizeof(*s));
	s->tgt = tgt;
	s->plan = *p;
	s->tx = &c->tx;
	s->buf = c->sendbuf;
	s->bufsz = c->sendbufsz;
	err = -pthread_create(&th, NULL, sender_thread, s);
	if (err < 0)
		return err;
	while (!stop) {
		int n = tgt->recv(tgt->bench_ctx, 50, &c->rx);

		if (n < 0) {
			err = n;
			break;
		}
		if (!atomic_load(&s->done))
			continue;
		if (atomic_load(&c->rx.n) >= atomic_load(&c->tx.n))
			break;
		if (n > 0 || !quiet_since)
			quiet_since = bench_now();
		else if (bench_now() - quiet_since > 500000000u)
			break;
	}
	pthread_join(th, NULL);
	if (!err)
		err = s->err;
	return err;
}

static void fill_latency(struct ctx *c, struct bench_latency *l, const char *name,
			 const struct bench_match_result *m, uint64_t *v, size_t n)
{
	size_t i;

	snprintf(l->name, sizeof(l->name), "%s", name);
	l->measured = 1;
	l->sent = atomic_load(&c->tx.n);
	l->received = atomic_load(&c->rx.n);
	l->lost = m->lost;
	l->unexpected = m->unexpected;
	bench_hist_init(&l->hist, LAT_HIST_LO_US, LAT_HIST_PER_OCTAVE);
	for (i = 0; i < n; i++)
		bench_hist_add(&l->hist, (double)v[i] / 1e3);
	bench_summarize(v, n, &l->s);
}

static void match(struct ctx *c, enum bench_pattern pat, struct bench_match_result *m)
{
	bench_match(c->tx.key, c->tx.t, atomic_load(&c->tx.n), c->rx.key, c->rx.t,
		    atomic_load(&c->rx.n), bench_pattern_period(pat) - 1, c->lat, c->idx, m);
}

static struct bench_latency *new_lat(struct bench_path_result *r)
{
	if (r->nlat >= BENCH_MAX_LAT)
		return NULL;
	return &r->lat[r->nlat++];
}

static int latency_tests(struct ctx *c, const struct bench_target *tgt,
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
	const struct opts *o = c->o;
	struct bench_match_result m;
	struct sender s;
	struct plan p;
	size_t t, i, nw, nr;
	int err;

	for (t = 0; t < sizeof(types) / sizeof(types[0]) && !stop; t++) {
		memset(&p, 0, sizeof(p));
		p.pat = types[t].pat;
		p.sysex_len = types[t].len;
		p.interval_ns = (uint64_t)o->interval_us * 1000;
		/* the note test carries the warm-up; sysex gets fewer */
		p.count = t == 0 ? o->warmup + o->count : types[t].pat == BENCH_PAT_SYSEX ?
			(o->count + 3) / 4 : o->count;
		err = run_plan(c, tgt, &p, &s);
		if (err < 0)
			return err;
		match(c, p.pat, &m);
		r->msgs += atomic_load(&c->rx.n);
		if (t == 0) {
			/* split: warm-up messages (by sent index) apart */
			uint64_t *w = c->lat, *rest;

			for (i = 0, nw = 0; i < m.matched; i++)
				if (c->idx[i] < o->warmup)
					nw++;
			rest = c->lat + nw;
			fill_latency(c, new_lat(r), "note", &m, rest, m.matched - nw);
			fill_latency(c, new_lat(r), "warmup", &m, w, nw);
			r->lat[r->nlat - 1].sent = o->warmup;
		} else {
			fill_latency(c, new_lat(r), types[t].name, &m, c->lat, m.matched);
		}
	}
	if (stop || !o->burst || !o->bursts)
		return 0;
	/* bursts after idle gaps: the first of each wakes the path up */
	memset(&p, 0, sizeof(p));
	p.pat = BENCH_PAT_NOTE;
	p.burst = o->burst;
	p.gap_ns = (uint64_t)o->gap_ms * 1000000;
	p.count = (uint64_t)o->burst * o->bursts;
	err = run_plan(c, tgt, &p, &s);
	if (err < 0)
		return err;
	match(c, p.pat, &m);
	r->msgs += atomic_load(&c->rx.n);
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

static int throughput_tests(struct ctx *c, const struct bench_target *tgt,
			    struct bench_path_result *r)
{
	const struct opts *o = c->o;
	struct bench_match_result m;
	struct sender s;
	struct plan p;
	unsigned int k;
	int err;

	for (k = 0; k < o->nrates && !stop; k++) {
		struct bench_rate *rt = &r->rate[r->nrate];
		struct bench_summary sum;
		uint64_t last_rx, span;
		size_t nrx;

		memset(&p, 0, sizeof(p));
		p.pat = BENCH_PAT_NOTE;
		p.rate = o->rates[k];
		p.duration_ns = (uint64_t)o->duration_ms * 1000000;
		err = run_plan(c, tgt, &p, &s);
		if (err < 0)
			return err;
		match(c, p.pat, &m);
		memset(rt, 0, sizeof(*rt));
		rt->offered = p.rate;
		rt->sent = atomic_load(&c->tx.n);
		nrx = atomic_load(&c->rx.n);
		rt->received = nrx;
		rt->lost = m.lost;
		rt->unexpected = m.unexpected;
		rt->overruns = c->rx.dropped;
		span = s.t_last > s.t_first ? s.t_last - s.t_first : 0;
		rt->sent_rate = span ? (double)rt->sent * 1e9 / (double)(span + 1000000) : 0;
		last_rx = nrx ? c->rx.t[nrx - 1] : 0;
		span = last_rx > s.t_first ? last_rx - s.t_first : 0;
		rt->recv_rate = span ? (double)nrx * 1e9 / (double)(span + 1000000) : 0;
		bench_summarize(c->lat, m.matched, &sum);
		rt->p50_us = m.matched ? sum.p50 / 1e3 : -1;
		rt->p99_us = m.matched ? sum.p99 / 1e3 : -1;
		r->msgs += nrx;
		r->nrate++;
		if (c->o->verbose)
			fprintf(stderr, "apcbench: %s %.0f/s: sent %llu received %zu lost %llu\n",
				r->name, p.rate, (unsigned long long)rt->sent, nrx,
				(unsigned long long)rt->lost);
	}
	return 0;
}

/* One repaint: n LED events, the pads' final values differ from what they
 * showed so a driver that sends only changes still sends them. Returns the
 * time in ns from the first write to the last final value seen, or -errno
 * (-ETIMEDOUT when the device side did not see them within 2 s). */
static int64_t repaint_once(struct ctx *c, const struct bench_target *tgt, unsigned int n,
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
		t0 = bench_now();
		err = tgt->leds(tgt->bench_ctx, c->ledbuf, n, per_event);
		*seen = 0;
		return err < 0 ? err : (int64_t)(bench_now() - t0);
	}
	start = atomic_load(&tgt->ledlog->n);
	t0 = bench_now();
	err = tgt->leds(tgt->bench_ctx, c->ledbuf, n, per_event);
	if (err < 0)
		return err;
	deadline = bench_now() + 2000000000u;
	i = start;
	while (done < npads) {
		size_t end = atomic_load_explicit(&tgt->ledlog->n, memory_order_acquire);
		struct pollfd pfd = { tgt->led_efd, POLLIN, 0 };
		uint64_t junk;

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
		if (bench_now() > deadline || stop)
			return -ETIMEDOUT;
		poll(&pfd, 1, 100);
		if (pfd.revents && read(tgt->led_efd, &junk, sizeof(junk)) < 0) {
			/* nothing to read: another wake-up raced us */
		}
	}
	*seen = (unsigned int)(i - start);
	return (int64_t)(t_done - t0);
}

static int repaint_series(struct ctx *c, const struct bench_target *tgt, unsigned int n,
			  int per_event, struct bench_repaint *rp)
{
	double v[64], seen[64];
	unsigned int r, reps = c->o->reps > 64 ? 64 : c->o->reps, got = 0;

	memset(rp, 0, sizeof(*rp));
	rp->batch = n;
	rp->min_us = INFINITY;
	for (r = 0; r < reps && !stop; r++) {
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
		usleep(20000); /* idle between repaints, as a user would be */
	}
	rp->median_us = bench_median(v, got);
	rp->seen = bench_median(seen, got);
	if (!got)
		rp->min_us = 0;
	return 0;
}

static int repaint_tests(struct ctx *c, const struct bench_target *tgt,
			 struct bench_path_result *r)
{
	static const unsigned int sizes[] = { 1, 8, 16, 32, 64, 128, 256 };
	unsigned int k;
	int err;

	err = repaint_series(c, tgt, 64, 1, &r->repaint64);
	if (err < 0)
		return err;
	r->msgs += 64 * (r->repaint64.reps - r->repaint64.timeouts);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]) && !stop; k++) {
		err = repaint_series(c, tgt, sizes[k], 0, &r->batch[r->nbatch]);
		if (err < 0)
			return err;
		r->msgs += sizes[k] * (r->batch[r->nbatch].reps - r->batch[r->nbatch].timeouts);
		r->nbatch++;
	}
	return 0;
}

/* ---- resources ---- */

struct proc_sample {
	double cpu_s;
	uint64_t ctxt;
	long hwm_kb;
	int fds;
};

/* pid 0: the whole system (every CPU, the kernel included); tid > 0: one
 * thread of this process. Fields that cannot be read stay -1. */
static void proc_sample(int pid, int tid, struct proc_sample *s)
{
	char path[96], line[512];
	unsigned long long v[10] = { 0 };
	FILE *f;
	long hz = sysconf(_SC_CLK_TCK);

	s->cpu_s = -1;
	s->ctxt = 0;
	s->hwm_kb = -1;
	s->fds = -1;
	if (pid == 0) {
		f = fopen("/proc/stat", "r");
		if (!f)
			return;
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "cpu ", 4) &&
			    sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
				   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8)
				/* user nice system [idle iowait] irq softirq steal */
				s->cpu_s = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
					   (double)hz;
			else if (!strncmp(line, "ctxt ", 5))
				s->ctxt = strtoull(line + 5, NULL, 10);
		}
		fclose(f);
		return;
	}
	if (tid > 0)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			/* fields after the command name: state is field 3, utime 14 */
			char *p = strrchr(line, ')');
			unsigned long long ut, st;

			if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
					&ut, &st) == 2)
				s->cpu_s = (double)(ut + st) / (double)hz;
		}
		fclose(f);
	}
	if (tid > 0)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "VmHWM:", 6))
				s->hwm_kb = strtol(line + 6, NULL, 10);
			else if (!strncmp(line, "voluntary_ctxt_switches:", 24))
				s->ctxt += strtoull(line + 24, NULL, 10);
			else if (!strncmp(line, "nonvoluntary_ctxt_switches:", 27))
				s->ctxt += strtoull(line + 27, NULL, 10);
		}
		fclose(f);
	}
	if (tid <= 0) {
		DIR *d;
		struct dirent *e;

		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		d = opendir(path);
		if (d) {
			s->fds = 0;
			while ((e = readdir(d)))
				if (e->d_name[0] != '.')
					s->fds++;
			closedir(d);
		}
	}
}

struct component {
	const char *name;
	int pid, tid;
	struct proc_sample start, idle0, idle1;
};

static void components_sample(struct component *cs, unsigned int n, int which)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		proc_sample(cs[i].pid, cs[i].tid,
			    which == 0 ? &cs[i].start : which == 1 ? &cs[i].idle0 : &cs[i].idle1);
}

static void components_finish(struct component *cs, unsigned int n, double idle_s,
			      struct bench_path_result *r)
{
	unsigned int i;

	for (i = 0; i < n && r->nres < BENCH_MAX_RES; i++) {
		struct bench_resource *res = &r->res[r->nres++];
		struct proc_sample end;

		proc_sample(cs[i].pid, cs[i].tid, &end);
		snprintf(res->component, sizeof(res->component), "%s", cs[i].name);
		res->pid = cs[i].tid > 0 ? cs[i].tid : cs[i].pid;
		res->cpu_s = end.cpu_s >= 0 && cs[i].start.cpu_s >= 0 ? end.cpu_s - cs[i].start.cpu_s
								       : -1;
		res->cpu_us_per_msg = res->cpu_s >= 0 && r->msgs ? res->cpu_s * 1e6 / (double)r->msgs
								 : -1;
		res->hwm_kb = end.hwm_kb;
		res->fds = end.fds;
		res->idle_wakeups = idle_s > 0 ? (double)(cs[i].idle1.ctxt - cs[i].idle0.ctxt) / idle_s
					       : -1;
	}
}

/* ---- the paths ---- */

struct rig {
	struct bench_seq *seq;
	struct bench_gadget *gadget;
	pid_t apcminid;
	char gadget_why[128];
};

/* Notes what was not measured: "what: detail" (detail may be NULL). */
static void why(struct bench_path_result *r, const char *what, const char *detail)
{
	size_t len = strlen(r->why);

	snprintf(r->why + len, sizeof(r->why) - len, "%s%s%s%s", len ? "; " : "", what,
		 detail ? ": " : "", detail ? detail : "");
}

static void measure(struct ctx *c, struct rig *rig, const struct bench_target *tgt,
		    struct bench_path_result *r, int other_pid, int device_tid)
{
	struct component cs[4];
	unsigned int n = 0;
	int err;

	cs[n++] = (struct component){ .name = "bench", .pid = getpid() };
	if (device_tid > 0)
		cs[n++] = (struct component){ .name = "device", .pid = getpid(), .tid = device_tid };
	if (other_pid > 0)
		cs[n++] = (struct component){ .name = "apcminid", .pid = other_pid };
	cs[n++] = (struct component){ .name = "system", .pid = 0 };
	components_sample(cs, n, 0);
	/* idle first: nothing sent, everything set up */
	components_sample(cs, n, 1);
	usleep((useconds_t)(c->o->idle_s * 1e6));
	components_sample(cs, n, 2);
	r->measured = 1;
	if (tgt->inject) {
		err = latency_tests(c, tgt, r);
		if (!err)
			err = throughput_tests(c, tgt, r);
		if (err < 0)
			why(r, "input stopped", strerror(-err));
	} else {
		why(r, "input: nothing plays the device (needs the emulated gadget)", NULL);
	}
	if (tgt->leds) {
		err = repaint_tests(c, tgt, r);
		if (err < 0)
			why(r, "LEDs stopped", strerror(-err));
		if (!tgt->ledlog)
			why(r, "LED times end at the host's transfer completion (no device-side stamps)", NULL);
	}
	components_finish(cs, n, c->o->idle_s, r);
}

static int parse_addr(struct bench_seq *s, const char *arg, snd_seq_addr_t *a)
{
	return snd_seq_parse_address(bench_seq_handle(s), a, arg);
}

static void path_seq(struct ctx *c, struct rig *rig, struct bench_path_result *r)
{
	struct bench_peer *peer;
	struct bench_target tgt = { 0 };
	snd_seq_addr_t src, sink;
	int err;

	snprintf(r->desc, sizeof(r->desc), "sequencer only: peer client -> bench client and back, "
					   "direct events, no device");
	err = bench_peer_open(&peer, rig->seq, 1 << 16);
	if (err < 0) {
		why(r, "cannot open the peer clients", snd_strerror(err));
		return;
	}
	bench_peer_addrs(peer, &src, &sink);
	err = bench_seq_connect(rig->seq, &src, &sink);
	if (err < 0) {
		why(r, "cannot connect", snd_strerror(err));
		goto out;
	}
	tgt.inject = bench_peer_inject;
	tgt.inject_ctx = peer;
	tgt.recv = bench_seq_recv;
	tgt.leds = bench_seq_leds;
	tgt.bench_ctx = rig->seq;
	tgt.ledlog = bench_peer_ledlog(peer);
	tgt.led_efd = bench_peer_efd(peer);
	measure(c, rig, &tgt, r, 0, bench_peer_tid(peer));
	bench_seq_connect(rig->seq, NULL, NULL);
out:
	bench_peer_close(peer);
}

static void seq_device_target(struct rig *rig, struct bench_target *tgt)
{
	memset(tgt, 0, sizeof(*tgt));
	if (rig->gadget) {
		tgt->inject = bench_gadget_inject;
		tgt->inject_ctx = rig->gadget;
		tgt->ledlog = bench_gadget_ledlog(rig->gadget);
		tgt->led_efd = bench_gadget_efd(rig->gadget);
	}
	tgt->recv = bench_seq_recv;
	tgt->leds = bench_seq_leds;
	tgt->bench_ctx = rig->seq;
}

static void path_kernel(struct ctx *c, struct rig *rig, struct bench_path_result *r)
{
	struct bench_target tgt;
	snd_seq_addr_t src, dst;
	int err;

	snprintf(r->desc, sizeof(r->desc), "device -> snd-usb-audio -> sequencer -> bench, and back");
	if (c->o->kernel_port) {
		err = parse_addr(rig->seq, c->o->kernel_port, &src);
		dst = src;
	} else {
		err = bench_seq_find(rig->seq, "APC", SND_SEQ_KERNEL_CLIENT, 0, &src, &dst);
	}
	if (err < 0) {
		why(r, "no snd-usb-audio sequencer client of an APC mini (is the device "
			     "plugged in and not held by apcminid?)", NULL);
		return;
	}
	err = bench_seq_connect(rig->seq, &src, &dst);
	if (err < 0) {
		why(r, "cannot connect", snd_strerror(err));
		return;
	}
	snprintf(r->desc + strlen(r->desc), sizeof(r->desc) - strlen(r->desc), " (client %d:%d)",
		 src.client, src.port);
	seq_device_target(rig, &tgt);
	if (!rig->gadget)
		tgt.leds = NULL; /* nothing could tell when they arrived */
	measure(c, rig, &tgt, r, 0, rig->gadget ? bench_gadget_tid(rig->gadget) : 0);
	bench_seq_connect(rig->seq, NULL, NULL);
}

static void path_direct(struct ctx *c, struct rig *rig, struct bench_path_result *r)
{
	struct bench_usb *u;
	struct bench_target tgt = { 0 };
	char desc[96] = "";
	int err;

	err = bench_usb_open(&u, c->o->usb_in, desc, sizeof(desc));
	if (err < 0) {
		why(r, "cannot open the APC mini with libusb", strerror(-err));
		snprintf(r->desc, sizeof(r->desc), "device -> libusb in the bench, no sequencer");
		return;
	}
	snprintf(r->desc, sizeof(r->desc), "device -> libusb in the bench (%s)", desc);
	if (rig->gadget) {
		tgt.inject = bench_gadget_inject;
		tgt.inject_ctx = rig->gadget;
		tgt.ledlog = bench_gadget_ledlog(rig->gadget);
		tgt.led_efd = bench_gadget_efd(rig->gadget);
	}
	tgt.recv = bench_usb_recv;
	tgt.leds = bench_usb_leds;
	tgt.bench_ctx = u;
	measure(c, rig, &tgt, r, 0, rig->gadget ? bench_gadget_tid(rig->gadget) : 0);
	bench_usb_close(u);
}

static pid_t spawn(const char *cmd)
{
	char *argv[32], *copy = strdup(cmd), *save = NULL, *tok;
	int argc = 0;
	pid_t pid;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (!argc) {
		free(copy);
		return -EINVAL;
	}
	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "apcbench: Cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(copy);
	return pid < 0 ? -errno : pid;
}

static void stop_child(pid_t pid)
{
	int i, status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static void path_apcminid(struct ctx *c, struct rig *rig, struct bench_path_result *r)
{
	struct bench_target tgt;
	snd_seq_addr_t src = { 0 }, dst = { 0 };
	int err = -ENOENT, i, pid = 0;

	snprintf(r->desc, sizeof(r->desc), "device -> apcminid (libusb) -> sequencer -> bench, "
					   "and back");
	if (c->o->apcminid_cmd) {
		rig->apcminid = spawn(c->o->apcminid_cmd);
		if (rig->apcminid < 0) {
			why(r, "cannot start apcminid", strerror(-rig->apcminid));
			rig->apcminid = 0;
			return;
		}
		pid = rig->apcminid;
		/* it announces its client once the device is open */
		for (i = 0; i < 150 && err < 0 && !stop; i++) {
			if (waitpid(pid, NULL, WNOHANG) == pid) {
				rig->apcminid = 0;
				why(r, "apcminid exited before its client appeared", NULL);
				return;
			}
			err = bench_seq_find(rig->seq, "", -1, pid, &src, &dst);
			if (err < 0 || !src.client || !dst.client)
				err = -ENOENT, usleep(100000);
		}
	} else if (c->o->raw_port) {
		err = parse_addr(rig->seq, c->o->raw_port, &src);
		dst = src;
	} else {
		err = bench_seq_find(rig->seq, "APC mini", SND_SEQ_USER_CLIENT, 0, &src, &dst);
	}
	if (err < 0) {
		why(r, "no apcminid sequencer client (give --apcminid CMD or --raw-port)", NULL);
		return;
	}
	if (!pid) {
		snd_seq_client_info_t *ci;

		snd_seq_client_info_alloca(&ci);
		if (snd_seq_get_any_client_info(bench_seq_handle(rig->seq), src.client, ci) == 0)
			pid = snd_seq_client_info_get_pid(ci);
	}
	/* a moment for the driver to finish its own start-up traffic */
	usleep(300000);
	err = bench_seq_connect(rig->seq, src.client ? &src : NULL, dst.client ? &dst : NULL);
	if (err < 0) {
		why(r, "cannot connect", snd_strerror(err));
		return;
	}
	snprintf(r->desc + strlen(r->desc), sizeof(r->desc) - strlen(r->desc),
		 " (client %d, pid %d)", src.client, pid);
	seq_device_target(rig, &tgt);
	if (!src.client)
		tgt.inject = NULL;
	if (!dst.client || !rig->gadget)
		tgt.leds = NULL;
	measure(c, rig, &tgt, r, pid, rig->gadget ? bench_gadget_tid(rig->gadget) : 0);
	bench_seq_connect(rig->seq, NULL, NULL);
}

/* ---- baseline ---- */

struct base_metric {
	char name[96];
	double value;
};

struct base {
	struct base_metric m[512];
	unsigned int n;
	double margin;
	int worse, compared;
};

static void base_add(void *user, const char *name, double v, int better)
{
	struct base *b = user;

	if (b->n < sizeof(b->m) / sizeof(b->m[0])) {
		snprintf(b->m[b->n].name, sizeof(b->m[b->n].name), "%s", name);
		b->m[b->n++].value = v;
	}
}

static void base_check(void *user, const char *name, double v, int better)
{
	struct base *b = user;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		double pct;

		if (strcmp(b->m[i].name, name))
			continue;
		pct = bench_worsening_pct(b->m[i].value, v, better);
		b->compared++;
		if (pct > b->margin) {
			b->worse++;
			printf("WORSE %-40s %12.1f -> %12.1f (%+.1f %%)\n", name, b->m[i].value, v,
			       pct);
		}
		return;
	}
}

static int baseline_compare(const char *file, double margin, const struct bench_run *run)
{
	struct base *b = calloc(1, sizeof(*b));
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int n, ret = 1;

	if (!b)
		return 1;
	f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "apcbench: Cannot open %s: %s\n", file, strerror(errno));
		goto out;
	}
	text = malloc(1 << 22);
	if (text)
		len = fread(text, 1, (1 << 22) - 1, f);
	fclose(f);
	if (!text)
		goto out;
	text[len] = 0;
	n = bench_metrics_parse(text, base_add, b);
	if (n < 0) {
		fprintf(stderr, "apcbench: Cannot parse %s: not an apcbench JSON file\n", file);
		goto out;
	}
	b->margin = margin;
	bench_metrics(run, base_check, b);
	printf("baseline %s: %d metrics compared, %d worse by more than %.1f %%\n", file,
	       b->compared, b->worse, margin);
	ret = b->worse ? 1 : 0;
out:
	free(text);
	free(b);
	return ret;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: apcbench [options]\n"
		"Measure the APC mini's paths side by side: sequencer only (seq), the kernel's\n"
		"snd-usb-audio (kernel), libusb in this process (direct), apcminid (apcminid).\n"
		"\n"
		"  -P, --paths LIST        paths in order (default seq,kernel,direct,apcminid)\n"
		"  -m, --model MODEL       model the device side answers as: mk1, mk2 (mk1)\n"
		"  -g, --gadget DEVICE     gadget-side rawmidi (default: the f_midi card)\n"
		"  -k, --kernel-port ADDR  snd-usb-audio's port (default: found by name)\n"
		"  -r, --raw-port ADDR     a running apcminid's port (default: found by name)\n"
		"  -a, --apcminid CMD      start apcminid with CMD for its path, stop it after\n"
		"  -n, --count N           messages per latency test (1000)\n"
		"  -w, --warmup N          warm-up messages reported apart (100)\n"
		"  -i, --interval US       between latency test messages (2000)\n"
		"      --burst N           messages per burst (16)\n"
		"      --bursts N          bursts (20)\n"
		"      --gap MS            idle time between bursts (20)\n"
		"  -R, --rates LIST        offered events/s (1000,3888,10000,30000,100000,304000)\n"
		"  -d, --duration MS       per offered rate (1000)\n"
		"  -N, --reps N            repetitions of each repaint, median reported (11)\n"
		"      --idle SEC          idle window for wake-up counts (2)\n"
		"      --usb-in N          IN transfers in flight on the direct path (7)\n"
		"  -q, --quick             small counts: a check that every path works\n"
		"  -o, --outdir DIR        write apcbench.json, apcbench.csv and plot data there\n"
		"  -b, --baseline FILE     compare with a saved apcbench.json\n"
		"  -M, --margin PCT        worse by more than this fails --baseline (10)\n"
		"  -v, --verbose           progress on stderr\n"
		"  -h, --help              this help\n"
		"  -V, --version           version\n");
}

static int parse_rates(const char *s, struct opts *o)
{
	char *end;

	o->nrates = 0;
	while (*s && o->nrates < BENCH_MAX_RATES) {
		double v = strtod(s, &end);

		if (end == s || v <= 0)
			return -EINVAL;
		o->rates[o->nrates++] = v;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -EINVAL;
	}
	return o->nrates ? 0 : -EINVAL;
}

static int parse_uint(const char *s, unsigned int *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end == s || *end || x > 100000000ul)
		return -EINVAL;
	*v = (unsigned int)x;
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_BURST = 256, OPT_BURSTS, OPT_GAP, OPT_IDLE, OPT_USB_IN };
	static const struct option lopts[] = {
		{ "paths", required_argument, NULL, 'P' },
		{ "model", required_argument, NULL, 'm' },
		{ "gadget", required_argument, NULL, 'g' },
		{ "kernel-port", required_argument, NULL, 'k' },
		{ "raw-port", required_argument, NULL, 'r' },
		{ "apcminid", required_argument, NULL, 'a' },
		{ "count", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "burst", required_argument, NULL, OPT_BURST },
		{ "bursts", required_argument, NULL, OPT_BURSTS },
		{ "gap", required_argument, NULL, OPT_GAP },
		{ "rates", required_argument, NULL, 'R' },
		{ "duration", required_argument, NULL, 'd' },
		{ "reps", required_argument, NULL, 'N' },
		{ "idle", required_argument, NULL, OPT_IDLE },
		{ "usb-in", required_argument, NULL, OPT_USB_IN },
		{ "quick", no_argument, NULL, 'q' },
		{ "outdir", required_argument, NULL, 'o' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "margin", required_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct opts o = {
		.paths = "seq,kernel,direct,apcminid",
		.model = &apc_model_mk1,
		.count = 1000, .warmup = 100, .interval_us = 2000,
		.burst = 16, .bursts = 20, .gap_ms = 20,
		.duration_ms = 1000, .reps = 11, .idle_s = 2, .margin = 10, .usb_in = 7,
	};
	struct bench_run *run;
	struct ctx c = { 0 };
	struct rig rig = { 0 };
	struct utsname un;
	char *paths, *tok, *save = NULL, file[4096];
	size_t cap;
	time_t now;
	int opt, err, ret = 0;

	parse_rates("1000,3888,10000,30000,100000,304000", &o);
	while ((opt = getopt_long(argc, argv, "P:m:g:k:r:a:n:w:i:R:d:N:qo:b:M:vhV", lopts, NULL)) !=
	       -1) {
		err = 0;
		switch (opt) {
		case 'P':
			o.paths = optarg;
			break;
		case 'm':
			o.model = apc_model_by_name(optarg);
			err = o.model ? 0 : -EINVAL;
			break;
		case 'g':
			o.gadget = optarg;
			break;
		case 'k':
			o.kernel_port = optarg;
			break;
		case 'r':
			o.raw_port = optarg;
			break;
		case 'a':
			o.apcminid_cmd = optarg;
			break;
		case 'n':
			err = parse_uint(optarg, &o.count);
			break;
		case 'w':
			err = parse_uint(optarg, &o.warmup);
			break;
		case 'i':
			err = parse_uint(optarg, &o.interval_us);
			break;
		case OPT_BURST:
			err = parse_uint(optarg, &o.burst);
			break;
		case OPT_BURSTS:
			err = parse_uint(optarg, &o.bursts);
			break;
		case OPT_GAP:
			err = parse_uint(optarg, &o.gap_ms);
			break;
		case 'R':
			err = parse_rates(optarg, &o);
			break;
		case 'd':
			err = parse_uint(optarg, &o.duration_ms);
			break;
		case 'N':
			err = parse_uint(optarg, &o.reps);
			if (!err && (o.reps < 1 || o.reps > 64))
				err = -EINVAL;
			break;
		case OPT_IDLE:
			o.idle_s = strtod(optarg, NULL);
			err = o.idle_s >= 0 ? 0 : -EINVAL;
			break;
		case OPT_USB_IN:
			err = parse_uint(optarg, &o.usb_in);
			if (!err && (o.usb_in < 1 || o.usb_in > 32))
				err = -EINVAL;
			break;
		case 'q':
			o.count = 100, o.warmup = 20, o.burst = 8, o.bursts = 4;
			o.duration_ms = 200, o.reps = 3, o.idle_s = 0.5;
			parse_rates("1000,10000", &o);
			break;
		case 'o':
			o.outdir = optarg;
			break;
		case 'b':
			o.baseline = optarg;
			break;
		case 'M':
			o.margin = strtod(optarg, NULL);
			err = o.margin >= 0 ? 0 : -EINVAL;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("apcbench %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (err) {
			fprintf(stderr, "apcbench: invalid argument for option -%c: %s\n",
				opt < 256 ? opt : '-', optarg);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	run = calloc(1, sizeof(*run));
	if (!run)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	now = time(NULL);
	strftime(run->started, sizeof(run->started), "%Y-%m-%dT%H:%M:%S%z", localtime(&now));
	if (uname(&un) == 0) {
		snprintf(run->host, sizeof(run->host), "%.40s %.20s", un.nodename, un.machine);
		snprintf(run->kernel, sizeof(run->kernel), "%s", un.release);
	}
	snprintf(run->model, sizeof(run->model), "%s", o.model->short_name);
	snprintf(run->config, sizeof(run->config),
		 "count %u, warmup %u, interval %u us, bursts %ux%u gap %u ms, %u rates up to "
		 "%.0f/s for %u ms, repaint reps %u, idle %.1f s",
		 o.count, o.warmup, o.interval_us, o.bursts, o.burst, o.gap_ms, o.nrates,
		 o.rates[o.nrates - 1], o.duration_ms, o.reps, o.idle_s);

	/* every buffer the measurements use, allocated once, here */
	c.o = &o;
	cap = (size_t)o.count + o.warmup + (size_t)o.burst * o.bursts + 1024;
	for (unsigned int k = 0; k < o.nrates; k++) {
		size_t n = (size_t)(o.rates[k] * o.duration_ms / 1000.0) + 1024;

		if (n > cap)
			cap = n;
	}
	c.sendbufsz = MAX_SYSEX > 3 * 4096 ? MAX_SYSEX : 3 * 4096;
	c.sendbuf = malloc(c.sendbufsz);
	c.ledbuf = malloc(3 * 256);
	c.lat = calloc(cap, sizeof(*c.lat));
	c.idx = calloc(cap, sizeof(*c.idx));
	if (!c.sendbuf || !c.ledbuf || !c.lat || !c.idx || bench_log_init(&c.tx, cap) < 0 ||
	    bench_log_init(&c.rx, cap) < 0) {
		fprintf(stderr, "apcbench: Cannot allocate the buffers: %s\n", strerror(ENOMEM));
		return 1;
	}

	err = bench_seq_open(&rig.seq, "apcbench");
	if (err < 0) {
		fprintf(stderr, "apcbench: Cannot open the sequencer: %s\n", snd_strerror(err));
		return 1;
	}
	err = bench_gadget_open(&rig.gadget, o.gadget, o.model, 1 << 16);
	if (err < 0) {
		rig.gadget = NULL;
		snprintf(run->device, sizeof(run->device), "no gadget (%s): real device, if any",
			 err == -ENODEV ? "none found" : snd_strerror(err));
	} else {
		snprintf(run->device, sizeof(run->device), "emulated gadget, device side %s",
			 bench_gadget_name(rig.gadget));
	}

	paths = strdup(o.paths);
	for (tok = strtok_r(paths, ",", &save); tok && run->npath < BENCH_MAX_PATHS && !stop;
	     tok = strtok_r(NULL, ",", &save)) {
		struct bench_path_result *r = &run->path[run->npath];

		snprintf(r->name, sizeof(r->name), "%s", tok);
		if (o.verbose)
			fprintf(stderr, "apcbench: path %s\n", tok);
		memset(c.last_led, 0, sizeof(c.last_led));
		if (!strcmp(tok, "seq")) {
			path_seq(&c, &rig, r);
		} else if (!strcmp(tok, "kernel")) {
			path_kernel(&c, &rig, r);
		} else if (!strcmp(tok, "direct")) {
			path_direct(&c, &rig, r);
		} else if (!strcmp(tok, "apcminid")) {
			path_apcminid(&c, &rig, r);
			stop_child(rig.apcminid);
			rig.apcminid = 0;
		} else {
			fprintf(stderr, "apcbench: unknown path '%s' (seq, kernel, direct, apcminid)\n",
				tok);
			return 2;
		}
		run->npath++;
	}
	free(paths);

	bench_report_table(stdout, run);
	putchar('\n');
	bench_report_methods(stdout);
	if (o.outdir) {
		mkdir(o.outdir, 0777);
		snprintf(file, sizeof(file), "%s/apcbench.json", o.outdir);
		err = bench_report_json(file, run);
		if (!err) {
			snprintf(file, sizeof(file), "%s/apcbench.csv", o.outdir);
			err = bench_report_csv(file, run);
		}
		if (!err)
			err = bench_report_plotdata(o.outdir, run);
		if (err) {
			fprintf(stderr, "apcbench: Cannot write %s: %s\n", file, strerror(-err));
			ret = 1;
		}
	}
	if (o.baseline && baseline_compare(o.baseline, o.margin, run))
		ret = 1;

	bench_gadget_close(rig.gadget);
	bench_seq_close(rig.seq);
	bench_log_free(&c.tx);
	bench_log_free(&c.rx);
	free(c.lat);
	free(c.idx);
	free(c.sendbuf);
	free(c.ledbuf);
	free(run);
	return stop ? 130 : ret;
}
