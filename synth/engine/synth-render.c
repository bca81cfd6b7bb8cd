/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Offline render loop (the main thread of `apcsynth -F`): SMF reader as the
 * scheduler's event source, FluidSynth as its engine, WAV file as output. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "apclog.h"
#include "clock.h"
#include "synth-render.h"
#include "synth-smf.h"

struct smf_source {
	struct synth_smf *smf;
	double rate;
	uint64_t base;		/* frame at which this file starts */
	uint64_t last;		/* frame of the last event handed out */
	uint64_t end;		/* frame of the last end-of-track seen */
	struct synth_event ev;
	int have;
	int err;		/* < 0 once reading failed */
	int eof;
	uint64_t events;
	uint64_t sysex_dropped;
};

/* Map one file event to the core's event; 0 if there is nothing to play. */
static int smf_to_event(struct smf_source *s, const struct synth_smf_event *fe)
{
	uint8_t msg[3];

	if (fe->status == 0xf0) {
		/* An F0 event's payload is the rest of the message; a split
		 * sysex (F0 ... then F7 packets) is not reassembled, it is
		 * for sending to hardware, not for a synth. */
		if (fe->truncated || synth_event_sysex(&s->ev, fe->payload, fe->len, 0) < 0) {
			s->sysex_dropped++;
			return 0;
		}
		return 1;
	}
	if (fe->status >= 0xf0)
		return 0;
	msg[0] = fe->status;
	msg[1] = fe->data[0];
	msg[2] = fe->data[1];
	return synth_event_from_midi(&s->ev, msg, fe->size, 0) == 1;
}

static const struct synth_event *smf_peek(void *ctx)
{
	struct smf_source *s = ctx;
	struct synth_smf_event fe;
	int ret;

	while (!s->have && !s->eof && !s->err) {
		ret = synth_smf_next(s->smf, &fe);
		if (ret < 0) {
			s->err = ret;
			break;
		}
		if (ret == 0) {
			s->eof = 1;
			break;
		}
		if (fe.status == 0xff && fe.meta == 0x2f) {
			uint64_t f = s->base + (uint64_t)llround(fe.time * s->rate);

			if (f > s->end)
				s->end = f;
		}
		if (!smf_to_event(s, &fe))
			continue;
		/* frame = round(time * rate): the sample nearest the event. */
		s->ev.frame = s->base + (uint64_t)llround(fe.time * s->rate);
		if (s->ev.frame < s->last)
			s->ev.frame = s->last;
		s->last = s->ev.frame;
		s->have = 1;
	}
	return s->have ? &s->ev : NULL;
}

static void smf_pop(void *ctx)
{
	struct smf_source *s = ctx;

	s->have = 0;
	s->events++;
}

static double now_sec(void)
{
	return (double)apc_now_ns() / 1e9;
}

void synth_render_opts_defaults(struct synth_render_opts *o)
{
	memset(o, 0, sizeof(*o));
	synth_fluid_config_defaults(&o->fluid);
	o->format = SYNTH_WAV_S16;
	o->block = 1024;
	o->tail_max = 2.0;
}

/* Render blocks until the file has no more events; the scheduler splits
 * each block where events fall, so the output does not depend on `block`. */
static int render_file(struct synth_sched *sched, struct smf_source *src, struct synth_wav *w,
		       float *l, float *r, unsigned int block)
{
	int ret;

	while (smf_peek(src)) {
		synth_sched_run(sched, l, r, block);
		ret = synth_wav_write_planar(w, l, r, block);
		if (ret < 0)
			return ret;
	}
	if (src->err)
		return src->err;
	/* The piece lasts until its last end-of-track, silence included. */
	while (sched->frame < src->end) {
		uint64_t n = src->end - sched->frame;

		if (n > block)
			n = block;
		synth_sched_run(sched, l, r, (unsigned int)n);
		ret = synth_wav_write_planar(w, l, r, (unsigned int)n);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int synth_render_files(const struct synth_render_opts *o, const char *const *files,
		       unsigned int nfiles, struct synth_render_stats *stats)
{
	struct synth_fluid *fl = NULL;
	struct synth_engine eng;
	struct synth_source srcops;
	struct smf_source src;
	struct synth_sched sched;
	struct synth_wav w;
	float *l = NULL, *r = NULL;
	unsigned int i, block = o->block ? o->block : 1024;
	uint64_t tail, done;
	double t0;
	char err[256];
	int ret;

	memset(stats, 0, sizeof(*stats));
	memset(&src, 0, sizeof(src));
	ret = synth_fluid_new(&o->fluid, &fl);
	if (ret < 0)
		return ret;
	l = malloc(block * sizeof(float));
	r = malloc(block * sizeof(float));
	if (!l || !r) {
		ret = -ENOMEM;
		log_err("Cannot allocate render buffers: %s", strerror(ENOMEM));
		goto out_free;
	}
	ret = synth_wav_open(&w, o->out_path, (unsigned int)o->fluid.rate, 2, o->format);
	if (ret < 0) {
		log_err("Cannot create %s: %s", o->out_path, strerror(-ret));
		goto out_free;
	}
	synth_fluid_engine(fl, &eng);
	srcops.peek = smf_peek;
	srcops.pop = smf_pop;
	srcops.ctx = &src;
	synth_sched_init(&sched, &eng, &srcops);
	src.rate = o->fluid.rate;
	t0 = now_sec();
	for (i = 0; i < nfiles; i++) {
		ret = synth_smf_open(files[i], &src.smf, err, sizeof(err));
		if (ret < 0) {
			log_err("%s", err);
			goto out_close;
		}
		src.base = src.last = src.end = sched.frame;
		src.have = src.eof = 0;
		ret = render_file(&sched, &src, &w, l, r, block);
		if (ret < 0) {
			if (w.err)
				log_err("Cannot write %s: %s", o->out_path, strerror(-w.err));
			else if (ret == -EBADMSG)
				log_err("%s: %s", files[i], synth_smf_strerror(src.smf));
			else
				log_err("Cannot render %s: %s", files[i], strerror(-ret));
			synth_smf_free(src.smf);
			goto out_close;
		}
		synth_smf_free(src.smf);
		src.smf = NULL;
	}
	/* Let releases and reverb ring out, up to tail_max, stopping as soon
	 * as no voice is left. */
	tail = (uint64_t)(o->tail_max * o->fluid.rate);
	for (done = 0; done < tail; done += block) {
		if (fluid_synth_get_active_voice_count(fl->synth) == 0)
			break;
		synth_sched_run(&sched, l, r, block);
		ret = synth_wav_write_planar(&w, l, r, block);
		if (ret < 0) {
			log_err("Cannot write %s: %s", o->out_path, strerror(-ret));
			break;
		}
	}
	stats->seconds = now_sec() - t0;
out_close:
	stats->frames = sched.frame;
	stats->events = src.events;
	stats->sysex_dropped = src.sysex_dropped;
	if (ret < 0) {
		/* No partial output: what is there is not the render. */
		synth_wav_discard(&w);
	} else {
		ret = synth_wav_close(&w);
		if (ret < 0)
			log_err("Cannot write %s: %s", o->out_path, strerror(-ret));
	}
out_free:
	free(l);
	free(r);
	synth_fluid_free(fl);
	return ret < 0 ? ret : 0;
}
