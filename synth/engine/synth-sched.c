/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Splits each audio block at event frames. Runs on the audio thread (or
 * the offline render loop); must stay free of allocation, locks and logs. */
#include "config.h"

#include <string.h>

#include "synth-sched.h"

void synth_sched_init(struct synth_sched *s, const struct synth_engine *eng,
		      const struct synth_source *src)
{
	memset(s, 0, sizeof(*s));
	s->eng = *eng;
	if (s->eng.quantum == 0)
		s->eng.quantum = 1;
	s->src = *src;
}

uint64_t synth_sched_effective(const struct synth_sched *s, uint64_t frame)
{
	uint64_t q = s->eng.quantum;

	if (q <= 1)
		return frame;
	return (frame + q / 2) / q * q;
}

/* Apply every event whose effective frame is before `limit`, rendering up
 * to it first; returns frames rendered from `l`, `r`. */
static unsigned int sched_until(struct synth_sched *s, uint64_t limit, float *l, float *r)
{
	const struct synth_event *ev;
	uint64_t cur = s->frame;
	unsigned int done = 0;

	while ((ev = s->src.peek(s->src.ctx))) {
		uint64_t at = synth_sched_effective(s, ev->frame);

		if (at >= limit)
			break;
		if (at > cur) {
			unsigned int k = (unsigned int)(at - cur);

			s->eng.render(s->eng.ctx, l + done, r + done, k);
			done += k;
			cur = at;
		} else if (at < cur) {
			uint64_t late = cur - at;

			s->stats.late++;
			if (late > s->stats.late_max)
				s->stats.late_max = late;
		}
		s->eng.apply(s->eng.ctx, ev);
		s->src.pop(s->src.ctx);
		s->stats.applied++;
	}
	return done;
}

void synth_sched_run(struct synth_sched *s, float *l, float *r, unsigned int n)
{
	unsigned int done = sched_until(s, s->frame + n, l, r);

	if (done < n)
		s->eng.render(s->eng.ctx, l + done, r + done, n - done);
	s->frame += n;
}
