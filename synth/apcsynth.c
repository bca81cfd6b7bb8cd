/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcsynth main(): options, offline rendering, and the main thread's event
 * loop (the tree's one loop: the sequencer's descriptors and a signalfd);
 * the main thread is the event ring's only producer. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "apcsynth-seq.h"
#include "synth-fluid.h"
#include "apclog.h"
#include "loop.h"
#include "synth-render.h"
#include "synth-rt.h"
#include "synth-wav.h"

#define DEFAULT_RT_PRIO 70

static const char usage_text[] =
	"Usage: apcsynth [OPTION]...\n"
	"       apcsynth -F OUT.wav [OPTION]... FILE.mid...\n"
	"FluidSynth synthesizer as an ALSA sequencer client, each event applied on\n"
	"libfluidsynth's 64-frame grid within half a block of its time stamp; or an\n"
	"offline renderer of Standard MIDI Files.\n"
	"\n"
	"  -s, --soundfont=FILE       SoundFont to load (default: the system GM font)\n"
	"  -a, --audio-driver=NAME    FluidSynth audio driver ('-a help' lists them)\n"
	"  -d, --audio-device=DEV     the audio driver's device (alsa: hw:1,0, ...)\n"
	"  -o, --output=FILE.wav      write to a WAV file at real-time pace instead\n"
	"  -F, --fast-render=FILE.wav render the MIDI files to FILE.wav, no sequencer\n"
	"  -O, --audio-file-format=F  WAV sample format: s16 (default) or float\n"
	"  -r, --sample-rate=HZ       sample rate (default 48000)\n"
	"  -z, --audio-bufsize=N      frames per audio period (default 64)\n"
	"  -c, --audio-bufcount=N     number of audio periods (default 2)\n"
	"  -L, --latency=N            frames from an event's arrival to its effect\n"
	"                             (default: one period)\n"
	"  -g, --gain=G               master gain, 0 to 10 (default 0.2)\n"
	"  -R, --reverb=0|1           reverb off or on (default 1)\n"
	"  -C, --chorus=0|1           chorus off or on (default 1)\n"
	"  -n, --name=NAME            sequencer client name (default apcsynth)\n"
	"  -p, --ports=N              input ports, 16 MIDI channels each (default 1)\n"
	"      --realtime[=PRIO]      SCHED_FIFO for the audio thread (default 70)\n"
	"  -v, --verbose              more messages (repeat for debug)\n"
	"  -h, --help                 show this help and exit\n"
	"  -V, --version              show the version and exit\n";

enum { OPT_REALTIME = 0x100 };

static const struct option long_opts[] = {
	{ "soundfont", required_argument, NULL, 's' },
	{ "audio-driver", required_argument, NULL, 'a' },
	{ "audio-device", required_argument, NULL, 'd' },
	{ "output", required_argument, NULL, 'o' },
	{ "fast-render", required_argument, NULL, 'F' },
	{ "audio-file-format", required_argument, NULL, 'O' },
	{ "sample-rate", required_argument, NULL, 'r' },
	{ "audio-bufsize", required_argument, NULL, 'z' },
	{ "audio-bufcount", required_argument, NULL, 'c' },
	{ "latency", required_argument, NULL, 'L' },
	{ "gain", required_argument, NULL, 'g' },
	{ "reverb", required_argument, NULL, 'R' },
	{ "chorus", required_argument, NULL, 'C' },
	{ "name", required_argument, NULL, 'n' },
	{ "ports", required_argument, NULL, 'p' },
	{ "realtime", optional_argument, NULL, OPT_REALTIME },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct options {
	struct synth_fluid_config fluid;
	const char *wav_out;
	const char *fast_out;
	enum synth_wav_format format;
	const char *name;
	unsigned int latency;
	int rt_prio;
	int verbose;
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("apcsynth: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'apcsynth --help' for more information.\n", stderr);
	return 2;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min && v <= max))
		return -EINVAL;
	*out = v;
	return 0;
}

/* 0 to go on, else the exit status (0 for --help/--version). */
static int parse_args(int argc, char **argv, struct options *o, int *done)
{
	long v;
	int c;

	*done = 0;
	memset(o, 0, sizeof(*o));
	synth_fluid_config_defaults(&o->fluid);
	o->name = "apcsynth";
	while ((c = getopt_long(argc, argv, "s:a:d:o:F:O:r:z:c:L:g:R:C:n:p:vhV", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			o->fluid.soundfont = optarg;
			break;
		case 'd':
			o->fluid.audio_device = optarg;
			break;
		case 'a':
			if (!strcmp(optarg, "help")) {
				char list[512];

				synth_fluid_list_drivers(list, sizeof(list));
				printf("Audio drivers: %s\n", list);
				*done = 1;
				return 0;
			}
			if (!synth_fluid_has_driver(optarg)) {
				char list[512];

				synth_fluid_list_drivers(list, sizeof(list));
				fprintf(stderr, "apcsynth: unknown audio driver '%s' (this "
						"FluidSynth has: %s)\n", optarg, list);
				*done = 1;
				return 2;
			}
			if (synth_fluid_driver_check(optarg) < 0) {
				*done = 1;
				return 2;
			}
			o->fluid.audio_driver = optarg;
			break;
		case 'o':
			o->wav_out = optarg;
			break;
		case 'F':
			o->fast_out = optarg;
			break;
		case 'O':
			if (synth_wav_parse_format(optarg, &o->format) < 0) {
				*done = 1;
				return usage_error("invalid sample format '%s' (s16 or float)",
						   optarg);
			}
			break;
		case 'r':
			if (parse_double(optarg, 8000, 192000, &o->fluid.rate) < 0) {
				*done = 1;
				return usage_error("invalid sample rate '%s'", optarg);
			}
			break;
		case 'z':
			if (parse_long(optarg, 16, 8192, &v) < 0) {
				*done = 1;
				return usage_error("invalid period size '%s' (16-8192)", optarg);
			}
			o->fluid.period_size = (int)v;
			break;
		case 'c':
			if (parse_long(optarg, 2, 64, &v) < 0) {
				*done = 1;
				return usage_error("invalid period count '%s' (2-64)", optarg);
			}
			o->fluid.periods = (int)v;
			break;
		case 'L':
			if (parse_long(optarg, 1, 192000, &v) < 0) {
				*done = 1;
				return usage_error("invalid latency '%s' (frames)", optarg);
			}
			o->latency = (unsigned int)v;
			break;
		case 'g':
			if (parse_double(optarg, 0, 10, &o->fluid.gain) < 0) {
				*done = 1;
				return usage_error("invalid gain '%s' (0-10)", optarg);
			}
			break;
		case 'R':
		case 'C':
			if (parse_long(optarg, 0, 1, &v) < 0) {
				*done = 1;
				return usage_error("expected 0 or 1, got '%s'", optarg);
			}
			if (c == 'R')
				o->fluid.reverb = (int)v;
			else
				o->fluid.chorus = (int)v;
			break;
		case 'n':
			if (!*optarg) {
				*done = 1;
				return usage_error("empty client name");
			}
			o->name = optarg;
			break;
		case 'p':
			if (parse_long(optarg, 1, APCSYNTH_MAX_PORTS, &v) < 0) {
				*done = 1;
				return usage_error("invalid port count '%s' (1-16)", optarg);
			}
			o->fluid.ports = (int)v;
			break;
		case OPT_REALTIME:
			o->rt_prio = DEFAULT_RT_PRIO;
			if (optarg && parse_long(optarg, 1, 99, &v) < 0) {
				*done = 1;
				return usage_error("invalid real-time priority '%s' (1-99)",
						   optarg);
			}
			if (optarg)
				o->rt_prio = (int)v;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			*done = 1;
			return 0;
		case 'V':
			printf("apcsynth %s (libfluidsynth %s)\n", PACKAGE_VERSION,
			       fluid_version_str());
			*done = 1;
			return 0;
		default:
			*done = 1;
			fputs("Try 'apcsynth --help' for more information.\n", stderr);
			return 2;
		}
	}
	*done = 1;
	if (o->fast_out && o->wav_out)
		return usage_error("-F and -o cannot be used together");
	if (o->fast_out && optind >= argc)
		return usage_error("-F needs at least one MIDI file");
	if (!o->fast_out && optind < argc)
		return usage_error("unexpected argument '%s' (MIDI files go with -F)",
				   argv[optind]);
	*done = 0;
	return 0;
}

static int run_offline(const struct options *o, const char *const *files, unsigned int n)
{
	struct synth_render_opts ro;
	struct synth_render_stats st;
	int ret;

	synth_render_opts_defaults(&ro);
	ro.fluid = o->fluid;
	ro.out_path = o->fast_out;
	ro.format = o->format;
	ret = synth_render_files(&ro, files, n, &st);
	if (ret < 0)
		return 1;
	log_info("%llu events, %.2f s of audio in %.3f s (%.1fx real time)",
		   (unsigned long long)st.events, st.frames / o->fluid.rate, st.seconds,
		   st.seconds > 0 ? st.frames / o->fluid.rate / st.seconds : 0.0);
	if (st.sysex_dropped)
		log_warn("%llu sysex messages too long to apply were skipped",
			   (unsigned long long)st.sysex_dropped);
	return 0;
}

static int post_event(void *ctx, struct synth_event *ev, int64_t t_ns)
{
	return synth_rt_post(ctx, ev, t_ns);
}

/* The counters the audio side and the sequencer side keep. */
enum { SEEN_OVERFLOWS, SEEN_OVERRUNS, SEEN_WRITE_ERRORS, SEEN_SYSEX_DROPPED,
       SEEN_SYSEX_UNHANDLED, SEEN_FLUID_MSGS, SEEN_COUNT };

/* Counters only grow; say so when they did, from this (non-audio) thread. */
static void report_counts(struct synth_rt *rt, struct apcsynth_seq *seq, uint64_t *seen)
{
	struct synth_rt_stats st;

	synth_rt_get_stats(rt, &st);
	if (st.overflows != seen[SEEN_OVERFLOWS])
		log_warn("%llu events dropped so far: event ring full",
			   (unsigned long long)st.overflows);
	if (seq->input_overruns != seen[SEEN_OVERRUNS])
		log_warn("%llu sequencer input overruns so far: events lost in the kernel",
			   (unsigned long long)seq->input_overruns);
	if (st.write_errors != seen[SEEN_WRITE_ERRORS])
		log_warn("%llu blocks could not be written", (unsigned long long)st.write_errors);
	if (seq->sysex_dropped != seen[SEEN_SYSEX_DROPPED])
		log_warn("%llu sysex messages too long to apply were skipped so far",
			 (unsigned long long)seq->sysex_dropped);
	if (st.sysex_unhandled != seen[SEEN_SYSEX_UNHANDLED])
		log_info("%llu sysex messages FluidSynth does not know so far",
			 (unsigned long long)st.sysex_unhandled);
	if (st.fluid_msgs_dropped != seen[SEEN_FLUID_MSGS])
		log_warn("%llu FluidSynth messages from the audio thread not shown so far "
			 "(it may not print)", (unsigned long long)st.fluid_msgs_dropped);
	seen[SEEN_OVERFLOWS] = st.overflows;
	seen[SEEN_OVERRUNS] = seq->input_overruns;
	seen[SEEN_WRITE_ERRORS] = st.write_errors;
	seen[SEEN_SYSEX_DROPPED] = seq->sysex_dropped;
	seen[SEEN_SYSEX_UNHANDLED] = st.sysex_unhandled;
	seen[SEEN_FLUID_MSGS] = st.fluid_msgs_dropped;
}

/* The main thread's state while it runs the sequencer side. */
struct live {
	struct loop *loop;
	struct apcsynth_seq seq;
	struct synth_rt *rt;
	int sfd;
	int seq_ready;		/* a sequencer descriptor was readable */
	int status;		/* 1 once something failed */
	uint64_t seen[SEEN_COUNT];
};

static void live_signal(void *user, int fd, short revents)
{
	struct live *lv = user;
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == sizeof(si))
		log_info("%s, stopping", strsignal((int)si.ssi_signo));
	loop_quit(lv->loop);
}

static void live_seq_readable(void *user, int fd, short revents)
{
	struct live *lv = user;

	lv->seq_ready = 1;
}

/* Once per wake-up, however many of the sequencer's descriptors were
 * ready: read it dry (until -EAGAIN), then report what the counters say. */
static void live_dispatch(void *user)
{
	struct live *lv = user;
	int ret;

	if (lv->seq_ready) {
		lv->seq_ready = 0;
		ret = apcsynth_seq_drain(&lv->seq, post_event, lv->rt);
		if (ret < 0) {
			log_err("Cannot read from the sequencer: %s", snd_strerror(ret));
			lv->status = 1;
			loop_quit(lv->loop);
			return;
		}
	}
	report_counts(lv->rt, &lv->seq, lv->seen);
}

/* Watch the sequencer's descriptors and the signalfd on the loop. */
static int live_watch(struct live *lv)
{
	struct pollfd *pfd;
	int n, i, ret;

	n = apcsynth_seq_poll_count(&lv->seq);
	pfd = calloc(n > 0 ? (size_t)n : 1, sizeof(*pfd));
	if (!pfd)
		return -ENOMEM;
	n = apcsynth_seq_poll_fill(&lv->seq, pfd, n);
	for (i = 0, ret = 0; i < n && ret >= 0; i++)
		ret = loop_add_fd(lv->loop, pfd[i].fd, pfd[i].events, live_seq_readable, lv);
	free(pfd);
	if (ret < 0)
		return ret;
	ret = loop_add_fd(lv->loop, lv->sfd, POLLIN, live_signal, lv);
	if (ret < 0)
		return ret;
	return loop_add_hook(lv->loop, NULL, live_dispatch, lv);
}

static int run_live(const struct options *o)
{
	struct live lv;
	struct synth_rt_config rc;
	struct synth_rt_stats st;
	sigset_t mask;
	int ret;

	memset(&lv, 0, sizeof(lv));
	lv.status = 1;
	/* Before any thread exists, so FluidSynth's audio thread and our
	 * render thread inherit the mask and the signals come to signalfd. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	lv.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (lv.sfd < 0) {
		log_err("Cannot create signalfd: %s", strerror(errno));
		return 1;
	}
	ret = loop_new(&lv.loop);
	if (ret < 0) {
		log_err("Cannot create the event loop: %s", strerror(-ret));
		goto out_sfd;
	}
	/* The synth first, playing, and the client last: a client that shows
	 * up while the SoundFont still loads (seconds for a large one) takes
	 * events that would then be due before the first block and all sound
	 * at once when it starts. */
	synth_rt_config_defaults(&rc);
	rc.fluid = o->fluid;
	rc.wav_path = o->wav_out;
	rc.wav_format = o->format;
	rc.latency = o->latency;
	rc.rt_prio = o->rt_prio;
	if (synth_rt_new(&rc, &lv.rt) < 0)
		goto out_loop;
	if (synth_rt_start(lv.rt) < 0)
		goto out_rt;
	ret = apcsynth_seq_open(&lv.seq, o->name, o->fluid.ports);
	if (ret < 0) {
		log_err("Cannot open sequencer: %s", snd_strerror(ret));
		goto out_rt;
	}
	ret = live_watch(&lv);
	if (ret < 0) {
		log_err("Cannot watch the sequencer: %s", strerror(-ret));
		goto out_seq;
	}
	if (o->rt_prio > 0) {
		/* The sequencer thread one step below the audio thread: it
		 * must not delay rendering, but should beat normal tasks. */
		struct sched_param sp = { .sched_priority = o->rt_prio > 1 ? o->rt_prio - 1 : 1 };

		if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0)
			log_warn("Cannot use real-time priority %d: %s; running without",
				   sp.sched_priority, strerror(errno));
	}
	log_info("sequencer client %d:0 '%s' ready, %d port(s)", lv.seq.client, o->name,
		   lv.seq.nports);

	lv.status = 0;
	ret = loop_run(lv.loop);
	if (ret < 0) {
		log_err("Cannot wait for events: %s", strerror(-ret));
		lv.status = 1;
	}
	/* The WAV file is finalised only when all went well; after a failure
	 * it is removed, not left half written. */
	if (synth_rt_stop(lv.rt, lv.status == 0) < 0)
		lv.status = 1;
	synth_rt_get_stats(lv.rt, &st);
	log_info("%llu events applied, %llu late (worst %llu frames), %llu dropped; "
		 "%llu not for a synth; %.1f s rendered",
		 (unsigned long long)st.applied, (unsigned long long)st.late,
		 (unsigned long long)st.late_max, (unsigned long long)st.overflows,
		 (unsigned long long)lv.seq.ignored, (double)st.frames / o->fluid.rate);
out_seq:
	apcsynth_seq_close(&lv.seq);
out_rt:
	/* Stops the audio and removes a WAV file not finalised above. */
	synth_rt_free(lv.rt);
out_loop:
	loop_free(lv.loop);
out_sfd:
	close(lv.sfd);
	return lv.status;
}

int main(int argc, char **argv)
{
	struct options o;
	int done, ret;

	ret = parse_args(argc, argv, &o, &done);
	if (done)
		return ret;
	apclog_init("apcsynth", o.verbose);
	if (o.fast_out)
		return run_offline(&o, (const char *const *)argv + optind,
				   (unsigned int)(argc - optind));
	return run_live(&o);
}
