/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FluidSynth engine: setup and teardown on the main thread; render and apply
 * on the audio/render thread only, through the scheduler. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synth-fluid.h"
#include "apclog.h"

/* Where distributions put a General MIDI SoundFont. Debian's
 * default-GM.sf2 is an alternatives link to whichever font is installed. */
static const char *const sf_paths[] = {
	"/usr/share/sounds/sf2/default-GM.sf2",
	"/usr/share/sounds/sf3/default-GM.sf3",
	"/usr/share/sounds/sf2/FluidR3_GM.sf2",
	"/usr/share/sounds/sf3/MuseScore_General.sf3",
	"/usr/share/sounds/sf2/TimGM6mb.sf2",
	"/usr/share/soundfonts/default.sf2",
	"/usr/share/soundfonts/FluidR3_GM.sf2",
	"/usr/share/soundfonts/FluidR3_GM2-2.sf2",
	"/usr/share/sounds/sf2/GeneralUser_GS.sf2",
};

static pthread_t log_owner;
static atomic_uint_fast64_t fluid_msgs_dropped;

void synth_fluid_config_defaults(struct synth_fluid_config *c)
{
	memset(c, 0, sizeof(*c));
	c->rate = 48000;
	c->gain = 0.2;
	c->reverb = 1;
	c->chorus = 1;
	c->ports = 1;
	c->polyphony = 256;
	c->period_size = 64;
	c->periods = 2;
}

static int readable(const char *path)
{
	return path && *path && access(path, R_OK) == 0;
}

char *synth_fluid_find_soundfont(const char *explicit, int *err)
{
	const char *env = getenv("APCSYNTH_SOUNDFONT");
	fluid_settings_t *set;
	char *def = NULL, *ret = NULL;
	size_t i;

	*err = 0;
	if (explicit) {
		if (readable(explicit))
			return strdup(explicit);
		*err = -errno;
		return NULL;
	}
	if (readable(env))
		return strdup(env);
	for (i = 0; i < sizeof(sf_paths) / sizeof(sf_paths[0]); i++)
		if (readable(sf_paths[i]))
			return strdup(sf_paths[i]);
	/* Last, wherever this libfluidsynth was built to look. */
	set = new_fluid_settings();
	if (set && fluid_settings_dupstr(set, "synth.default-soundfont", &def) == FLUID_OK &&
	    readable(def))
		ret = strdup(def);
	fluid_free(def);
	delete_fluid_settings(set);
	if (!ret)
		*err = -ENOENT;
	return ret;
}

/* FluidSynth logs from whatever thread hits a problem, the audio thread
 * included (voice allocation failures). Only the thread that created the
 * synth may print; elsewhere the message is counted and dropped. */
static void fluid_log_hook(int level, const char *message, void *data)
{
	if (!pthread_equal(pthread_self(), log_owner)) {
		atomic_fetch_add_explicit(&fluid_msgs_dropped, 1, memory_order_relaxed);
		return;
	}
	switch (level) {
	case FLUID_PANIC:
	case FLUID_ERR:
		log_err("fluidsynth: %s", message);
		break;
	case FLUID_WARN:
		log_warn("fluidsynth: %s", message);
		break;
	case FLUID_INFO:
		log_info("fluidsynth: %s", message);
		break;
	default:
		log_dbg("fluidsynth: %s", message);
		break;
	}
}

uint64_t synth_fluid_msgs_dropped(void)
{
	return atomic_load_explicit(&fluid_msgs_dropped, memory_order_relaxed);
}

static void fluid_log_setup(void)
{
	int lvl;

	log_owner = pthread_self();
	for (lvl = FLUID_PANIC; lvl < LAST_LOG_LEVEL; lvl++)
		fluid_set_log_function(lvl, fluid_log_hook, NULL);
}

int synth_fluid_new(const struct synth_fluid_config *c, struct synth_fluid **out)
{
	struct synth_fluid *f;
	int ret, err;

	fluid_log_setup();
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	atomic_init(&f->sysex_unhandled, 0);
	f->sfont_path = synth_fluid_find_soundfont(c->soundfont, &err);
	if (!f->sfont_path) {
		if (c->soundfont)
			log_err("Cannot read SoundFont %s: %s", c->soundfont, strerror(-err));
		else
			log_err("Cannot find a SoundFont: none given with -s, none in "
				  "APCSYNTH_SOUNDFONT, none at the usual places such as "
				  "%s; install a General MIDI SoundFont package", sf_paths[0]);
		ret = err;
		goto err_free;
	}
	f->settings = new_fluid_settings();
	if (!f->settings) {
		log_err("Cannot create FluidSynth settings: %s", strerror(ENOMEM));
		ret = -ENOMEM;
		goto err_free;
	}
	f->channels = 16 * (c->ports > 0 ? c->ports : 1);
	/* Only the audio thread calls the synth once it runs; FluidSynth's API
	 * mutex would be a lock on the audio path for nothing. */
	fluid_settings_setint(f->settings, "synth.threadsafe-api", 0);
	fluid_settings_setnum(f->settings, "synth.sample-rate", c->rate);
	fluid_settings_setnum(f->settings, "synth.gain", c->gain);
	fluid_settings_setint(f->settings, "synth.midi-channels", f->channels);
	fluid_settings_setint(f->settings, "synth.polyphony", c->polyphony);
	fluid_settings_setint(f->settings, "synth.reverb.active", c->reverb);
	fluid_settings_setint(f->settings, "synth.chorus.active", c->chorus);
	/* One rendering thread keeps the output deterministic and the audio
	 * thread free of hand-offs to FluidSynth's worker threads. */
	fluid_settings_setint(f->settings, "synth.cpu-cores", 1);
	if (c->audio_driver &&
	    fluid_settings_setstr(f->settings, "audio.driver", c->audio_driver) != FLUID_OK) {
		log_err("Cannot use audio driver %s: not in this FluidSynth", c->audio_driver);
		ret = -EINVAL;
		goto err_free;
	}
	if (c->audio_device) {
		char key[64];

		snprintf(key, sizeof(key), "audio.%s.device",
			 c->audio_driver ? c->audio_driver : "alsa");
		if (fluid_settings_setstr(f->settings, key, c->audio_device) != FLUID_OK) {
			log_err("Cannot use audio device %s: the %s driver has no device setting",
				c->audio_device, c->audio_driver ? c->audio_driver : "alsa");
			ret = -EINVAL;
			goto err_free;
		}
	}
	fluid_settings_setint(f->settings, "audio.period-size", c->period_size);
	fluid_settings_setint(f->settings, "audio.periods", c->periods);
	fluid_settings_setint(f->settings, "audio.realtime-prio", c->rt_prio);
	f->synth = new_fluid_synth(f->settings);
	if (!f->synth) {
		log_err("Cannot create the synthesizer");
		ret = -ENOMEM;
		goto err_free;
	}
	f->sfont_id = fluid_synth_sfload(f->synth, f->sfont_path, 1);
	if (f->sfont_id == FLUID_FAILED) {
		log_err("Cannot load SoundFont %s: not a valid SoundFont", f->sfont_path);
		ret = -EINVAL;
		goto err_free;
	}
	log_info("SoundFont %s", f->sfont_path);
	*out = f;
	return 0;

err_free:
	synth_fluid_free(f);
	return ret;
}

void synth_fluid_free(struct synth_fluid *f)
{
	if (!f)
		return;
	if (f->synth)
		delete_fluid_synth(f->synth);
	if (f->settings)
		delete_fluid_settings(f->settings);
	free(f->sfont_path);
	free(f);
}

/* Blocks rendered by the warm-up: the note's attack and first samples. */
#define WARM_BLOCKS 16

/* The first note a synth plays runs FluidSynth's voice allocation, voice
 * setup, DSP and mixer code for the first time: lazy symbol binding, cold
 * caches, and under an emulator code translation. In the test guest the
 * audio block holding the first note took 5 to 22 ms against 0.3 to 0.6 ms
 * for later ones, enough to miss a deadline of a few periods. Pay it here
 * on the main thread: a melodic and a percussion note into a scratch
 * buffer, then all sounds off and a system reset, which clears the reverb
 * and chorus lines and puts the channels back to their defaults, so no
 * trace of it reaches the output. */
void synth_fluid_warm(struct synth_fluid *f)
{
	float l[SYNTH_FLUID_BLOCK], r[SYNTH_FLUID_BLOCK];
	int i;

	fluid_synth_noteon(f->synth, 0, 60, 100);
	if (f->channels > 9)
		fluid_synth_noteon(f->synth, 9, 38, 100);
	for (i = 0; i < WARM_BLOCKS; i++)
		synth_fluid_render(f, l, r, SYNTH_FLUID_BLOCK);
	/* A system reset alone leaves the voices sounding (FluidSynth 2.3):
	 * silence them first and let the mixer drop them. */
	fluid_synth_all_sounds_off(f->synth, -1);
	for (i = 0; i < 2; i++)
		synth_fluid_render(f, l, r, SYNTH_FLUID_BLOCK);
	fluid_synth_system_reset(f->synth);
}

void synth_fluid_render(void *ctx, float *l, float *r, unsigned int n)
{
	struct synth_fluid *f = ctx;

	fluid_synth_write_float(f->synth, (int)n, l, 0, 1, r, 0, 1);
}

static void fluid_apply_sysex(struct synth_fluid *f, const struct synth_event *ev)
{
	int handled = 0;

	fluid_synth_sysex(f->synth, (const char *)ev->data, ev->len, NULL, NULL, &handled, 0);
	if (handled)
		return;
	/* Resets FluidSynth does not know: do what the sender means. */
	switch (synth_sysex_classify(ev->data, ev->len)) {
	case SYNTH_SYSEX_GM_ON:
	case SYNTH_SYSEX_GM2_ON:
	case SYNTH_SYSEX_GS_RESET:
	case SYNTH_SYSEX_XG_RESET:
		fluid_synth_system_reset(f->synth);
		break;
	default:
		atomic_fetch_add_explicit(&f->sysex_unhandled, 1, memory_order_relaxed);
		break;
	}
}

static void fluid_notes_off(struct synth_fluid *f, const struct synth_event *ev)
{
	int c, end = ev->chan + ev->value;

	if (end > f->channels)
		end = f->channels;
	for (c = ev->chan; c < end; c++)
		fluid_synth_all_notes_off(f->synth, c);
}

void synth_fluid_apply(void *ctx, const struct synth_event *ev)
{
	struct synth_fluid *f = ctx;
	fluid_synth_t *s = f->synth;

	if (ev->chan >= f->channels && ev->type >= SYNTH_EV_NOTEON &&
	    ev->type <= SYNTH_EV_PITCHBEND)
		return;
	switch (ev->type) {
	case SYNTH_EV_NOTEON:
		if (ev->value)
			fluid_synth_noteon(s, ev->chan, ev->key, ev->value);
		else
			fluid_synth_noteoff(s, ev->chan, ev->key);
		break;
	case SYNTH_EV_NOTEOFF:
		fluid_synth_noteoff(s, ev->chan, ev->key);
		break;
	case SYNTH_EV_KEYPRESS:
		fluid_synth_key_pressure(s, ev->chan, ev->key, ev->value);
		break;
	case SYNTH_EV_CONTROL:
		/* Bank select, sustain, volume, pan, all sound/notes off and
		 * reset all controllers are all CCs FluidSynth interprets. */
		fluid_synth_cc(s, ev->chan, ev->key, ev->value);
		break;
	case SYNTH_EV_PROGRAM:
		fluid_synth_program_change(s, ev->chan, ev->value);
		break;
	case SYNTH_EV_CHANPRESS:
		fluid_synth_channel_pressure(s, ev->chan, ev->value);
		break;
	case SYNTH_EV_PITCHBEND:
		fluid_synth_pitch_bend(s, ev->chan, ev->value + 8192);
		break;
	case SYNTH_EV_SYSEX:
		fluid_apply_sysex(f, ev);
		break;
	case SYNTH_EV_STOP:
		fluid_synth_all_notes_off(s, -1);
		break;
	case SYNTH_EV_RESET:
		fluid_synth_system_reset(s);
		break;
	case SYNTH_EV_NOTES_OFF:
		fluid_notes_off(f, ev);
		break;
	default:
		break;
	}
}

void synth_fluid_engine(struct synth_fluid *f, struct synth_engine *eng)
{
	eng->render = synth_fluid_render;
	eng->apply = synth_fluid_apply;
	eng->ctx = f;
	eng->quantum = SYNTH_FLUID_BLOCK;
}

struct driver_list {
	char *buf;
	size_t len;
	const char *want;
	int found;
};

static void driver_cb(void *data, const char *name, const char *option)
{
	struct driver_list *dl = data;
	size_t used;

	if (dl->want && !strcmp(dl->want, option))
		dl->found = 1;
	if (!dl->buf)
		return;
	used = strlen(dl->buf);
	snprintf(dl->buf + used, dl->len - used, "%s%s", used ? ", " : "", option);
}

void synth_fluid_list_drivers(char *buf, size_t len)
{
	fluid_settings_t *set = new_fluid_settings();
	struct driver_list dl = { buf, len, NULL, 0 };

	if (!len)
		return;
	buf[0] = '\0';
	if (!set)
		return;
	fluid_settings_foreach_option(set, "audio.driver", &dl, driver_cb);
	delete_fluid_settings(set);
}

int synth_fluid_has_driver(const char *name)
{
	fluid_settings_t *set = new_fluid_settings();
	struct driver_list dl = { NULL, 0, name, 0 };

	if (!set)
		return 0;
	fluid_settings_foreach_option(set, "audio.driver", &dl, driver_cb);
	delete_fluid_settings(set);
	return dl.found;
}

int synth_fluid_driver_check(const char *name)
{
	/* FluidSynth renders for these itself (new_fluid_audio_driver2 says
	 * "Callback mode unsupported"): events could not be placed in time. */
	static const char *const no_callback[] = { "file", "sdl2", "sdl3" };
	size_t i;

	if (!name)
		return 0;
	for (i = 0; i < sizeof(no_callback) / sizeof(no_callback[0]); i++) {
		if (!strcmp(name, no_callback[i])) {
			log_err("Cannot use the %s audio driver: it renders on its own and cannot "
				"call back into the scheduler%s",
				name, !strcmp(name, "file") ? "; write a WAV file with -o instead" : "");
			return -ENOTSUP;
		}
	}
	return 0;
}
