/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcminid --synth: the in-process synth (controller tap and its own
 * sequencer client into synth_rt's ring). apcminid's loop thread. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "apcminid-synth.h"
#include "apclog.h"
#include "apcsynth-seq.h"
#include "loop.h"
#include "synth-rt.h"

#define APCMINID_SYNTH_NAME "apcminid synth"

struct apcminid_synth {
	struct synth_rt *rt;
	struct apcsynth_seq seq;
	int seq_open;
	struct loop *loop;
	int seq_ready;		/* a sequencer descriptor fired this wake-up */
	uint64_t from_usb, from_seq, refused, ignored;
};

void apcminid_synth_config_defaults(struct apcminid_synth_config *c)
{
	struct synth_fluid_config f;

	/* The engine's defaults, as apcsynth has them: the period set
	 * explicitly (FluidSynth's own default differs between versions and
	 * platforms), effects on. */
	synth_fluid_config_defaults(&f);
	memset(c, 0, sizeof(*c));
	c->audio_driver = "alsa";
	c->rate = (unsigned int)f.rate;
	c->period_size = (unsigned int)f.period_size;
	c->periods = (unsigned int)f.periods;
	c->reverb = f.reverb;
	c->chorus = f.chorus;
	/* One period, as apcsynth: an event stamped while a block renders
	 * maps at least a period past that block's start, i.e. into a block
	 * not yet rendered; one posted later than that is applied at once and
	 * counted as late. */
	c->latency = c->period_size;
}

/* Post one event; counts what a full ring refuses. Never blocks. */
static void synth_post(struct apcminid_synth *s, struct synth_event *ev, int64_t t_ns)
{
	if (synth_rt_post(s->rt, ev, t_ns) < 0)
		s->refused++;
}

void apcminid_synth_local(void *user, struct bridge_dev *bd, unsigned int cable,
			  const uint8_t *msg, size_t len, uint64_t t_ns)
{
	struct apcminid_synth *s = user;
	struct synth_event ev;

	(void)bd;
	/* Sysex from the controller (identity, mode echoes) is not music. */
	if (!len || msg[0] == 0xf0) {
		s->ignored++;
		return;
	}
	memset(&ev, 0, sizeof(ev));
	/* The mk2's second cable ("Notes") plays its own 16 channels. */
	if (synth_event_from_midi(&ev, msg, len, (uint8_t)(cable ? 1 : 0)) != 1) {
		s->ignored++;
		return;
	}
	s->from_usb++;
	synth_post(s, &ev, (int64_t)t_ns);
}

static int synth_seq_sink(void *ctx, struct synth_event *ev, int64_t t_ns)
{
	struct apcminid_synth *s = ctx;

	s->from_seq++;
	synth_post(s, ev, t_ns);
	return 0;
}

static void synth_seq_fd(void *user, int fd, short revents)
{
	(void)fd;
	(void)revents;
	((struct apcminid_synth *)user)->seq_ready = 1;
}

/* Once per wake-up: read everything the sequencer has for the synth. */
static void synth_seq_dispatch(void *user)
{
	struct apcminid_synth *s = user;
	int r;

	if (!s->seq_ready)
		return;
	s->seq_ready = 0;
	r = apcsynth_seq_drain(&s->seq, synth_seq_sink, s);
	if (r < 0)
		log_warn("Cannot read the synth's sequencer input: %s", snd_strerror(r));
}

int apcminid_synth_new(struct apcminid_synth **out, const struct apcminid_synth_config *c,
		       struct loop *loop)
{
	struct synth_rt_config rc;
	struct apcminid_synth *s;
	struct pollfd pfd[8];
	int r, n, i;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	synth_rt_config_defaults(&rc);
	rc.fluid.soundfont = c->soundfont;
	rc.fluid.audio_driver = c->audio_driver;
	rc.fluid.audio_device = c->audio_device;
	rc.fluid.rate = c->rate;
	rc.fluid.period_size = (int)c->period_size;
	rc.fluid.periods = (int)c->periods;
	rc.fluid.ports = 2;
	rc.fluid.reverb = c->reverb;
	rc.fluid.chorus = c->chorus;
	rc.fluid.rt_prio = c->rt_prio;
	rc.latency = c->latency;
	rc.rt_prio = c->rt_prio;
	r = synth_rt_new(&rc, &s->rt);
	if (r < 0)
		goto err_free;
	r = synth_rt_start(s->rt);
	if (r < 0) {
		log_err("Cannot start the %s audio driver: %s", c->audio_driver, strerror(-r));
		goto err_free_rt;
	}
	r = apcsynth_seq_open(&s->seq, APCMINID_SYNTH_NAME, 2);
	if (r < 0) {
		log_err("Cannot open the synth's sequencer client: %s", snd_strerror(r));
		r = -EIO;
		goto err_stop;
	}
	s->seq_open = 1;
	n = apcsynth_seq_poll_count(&s->seq);
	if (n > (int)(sizeof(pfd) / sizeof(pfd[0]))) {
		r = -E2BIG;
		goto err_close_seq;
	}
	n = apcsynth_seq_poll_fill(&s->seq, pfd, n);
	for (i = 0; i < n; i++) {
		r = loop_add_fd(loop, pfd[i].fd, pfd[i].events, synth_seq_fd, s);
		if (r < 0) {
			log_err("Cannot watch the synth's sequencer client: %s", strerror(-r));
			goto err_close_seq;
		}
	}
	r = loop_add_hook(loop, NULL, synth_seq_dispatch, s);
	if (r < 0)
		goto err_close_seq;
	log_info("synth: client %d '%s', %s, %u Hz, %u x %u frames, latency %u frames "
		 "(%.2f ms)",
		 s->seq.client, APCMINID_SYNTH_NAME, c->audio_driver, c->rate, c->periods,
		 c->period_size, c->latency, c->latency * 1000.0 / c->rate);
	*out = s;
	return 0;

err_close_seq:
	for (i = 0; i < n; i++)
		loop_del_fd(loop, pfd[i].fd);
	apcsynth_seq_close(&s->seq);
err_stop:
	synth_rt_stop(s->rt, 0);
err_free_rt:
	synth_rt_free(s->rt);
err_free:
	free(s);
	return r;
}

void apcminid_synth_print_stats(struct apcminid_synth *s, FILE *f)
{
	struct synth_rt_stats st;

	if (!s)
		return;
	synth_rt_get_stats(s->rt, &st);
	fprintf(f,
		"synth: %" PRIu64 " events from the controllers, %" PRIu64
		" from the sequencer, %" PRIu64 " refused (ring full), %" PRIu64
		" ignored; %" PRIu64 " applied, %" PRIu64 " late (at most %" PRIu64
		" frames), %" PRIu64 " frames\n",
		s->from_usb, s->from_seq, s->refused, s->ignored, st.applied, st.late,
		st.late_max, st.frames);
}

void apcminid_synth_free(struct apcminid_synth *s)
{
	struct pollfd pfd[8];
	int n, i;

	if (!s)
		return;
	if (s->seq_open) {
		n = apcsynth_seq_poll_fill(&s->seq, pfd, 8);
		for (i = 0; i < n; i++)
			loop_del_fd(s->loop, pfd[i].fd);
		apcsynth_seq_close(&s->seq);
	}
	synth_rt_stop(s->rt, 0);
	synth_rt_free(s->rt);
	free(s);
}
