/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcminid: bridges every APC mini to its own ALSA sequencer client. main()
 * and the single event loop thread that runs everything. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "apcconf.h"
#include "apcminid-conf.h"
#include "apcminid-guard.h"
#include "apcminid-synth.h"
#include "apcusb.h"
#include "usbselect.h"
#include "clock.h"
#include "bridge.h"
#include "loop.h"
#include "seqclient.h"
#include "apclog.h"

/* How long the exit waits for the LEDs-off transfers. */
#define APCMINID_EXIT_WAIT_NS 1000000000ull
/* --in-log records kept between two flushes: more IN transfers than one
 * wake-up of the loop reaps even when it has fallen far behind. */
#define APCMINID_IN_LOG_RECORDS 4096

struct apcminid {
	struct loop *loop;
	struct bridge *bridge;
	struct apcusb *usb;
	struct apcminid_synth *synth; /* --synth */
	int sigfd;
	int once;
	FILE *in_log;
};

enum {
	OPT_KEEP_LEDS = 0x100,
	OPT_OUT_GAP,
	OPT_ONCE,
	OPT_IN_LOG,
	OPT_SYNTH,
	OPT_AUDIO_DRIVER,
	OPT_AUDIO_DEVICE,
	OPT_PERIOD_SIZE,
	OPT_PERIODS,
	OPT_SYNTH_LATENCY,
	OPT_REVERB,
	OPT_CHORUS,
	OPT_GIVE_BACK,
	OPT_NO_GUARDIAN,
	OPT_REALTIME,
};

/* --realtime's priority when none is given: apcsynth's (its audio thread). */
#define APCMINID_RT_PRIO 70

/* The configuration: the files' (apcmini.conf(5)) with the command line's
 * global settings on top; read at start and on SIGHUP. */
static struct apcconf apcminid_conf, apcminid_cli, apcminid_next;
static const char *apcminid_conf_file;

static const struct option apcminid_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "list", no_argument, NULL, 'l' },
	{ "device", required_argument, NULL, 'd' },
	{ "config", required_argument, NULL, 'c' },
	{ "keep-leds", no_argument, NULL, OPT_KEEP_LEDS },
	{ "out-gap", required_argument, NULL, OPT_OUT_GAP },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "exit-on-unplug", no_argument, NULL, OPT_ONCE },
	{ "in-log", required_argument, NULL, OPT_IN_LOG },
	{ "synth", optional_argument, NULL, OPT_SYNTH },
	{ "audio-driver", required_argument, NULL, OPT_AUDIO_DRIVER },
	{ "audio-device", required_argument, NULL, OPT_AUDIO_DEVICE },
	{ "period-size", required_argument, NULL, OPT_PERIOD_SIZE },
	{ "periods", required_argument, NULL, OPT_PERIODS },
	{ "synth-latency", required_argument, NULL, OPT_SYNTH_LATENCY },
	{ "give-back", no_argument, NULL, OPT_GIVE_BACK },
	{ "no-guardian", no_argument, NULL, OPT_NO_GUARDIAN },
	{ "realtime", optional_argument, NULL, OPT_REALTIME },
	{ "reverb", required_argument, NULL, OPT_REVERB },
	{ "chorus", required_argument, NULL, OPT_CHORUS },
	{ NULL, 0, NULL, 0 },
};

static void apcminid_usage(FILE *f)
{
	fprintf(f,
		"Usage: apcminid [OPTION]...\n"
		"Bridge Akai APC mini controllers (mk1, mk2) to ALSA sequencer clients.\n"
		"\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"  -v, --verbose          log more (repeat for more detail)\n"
		"  -l, --list             list the APC minis present and exit\n"
		"  -d, --device=DEVICE    serve only DEVICE: BUS:ADDRESS, a port path\n"
		"                         (BUS-PORT[.PORT]...), an index from --list, a model\n"
		"                         (mk1, mk2) or a serial number\n"
		"  -c, --config=FILE      read FILE instead of the system's and the user's\n"
		"                         apcmini.conf (command line options win over both)\n"
		"      --keep-leds        leave the LEDs as they are on exit\n"
		"      --out-gap=USEC     wait at least USEC microseconds between USB OUT\n"
		"                         transfers, one USB packet each (default 0: no gap)\n"
		"      --once, --exit-on-unplug\n"
		"                         exit when a served device is unplugged\n"
		"      --give-back        give the APC minis nobody holds (or the one -d names)\n"
		"                         back to the kernel driver and exit: after a crash\n"
		"      --no-guardian      no guardian process (it gives the devices back if\n"
		"                         apcminid dies without doing it)\n"
		"      --realtime[=PRIO]  run the event loop at SCHED_FIFO priority PRIO\n"
		"                         (1-99, default 70), as apcsynth --realtime does\n"
		"      --in-log=FILE      debugging: write every USB IN transfer to FILE with\n"
		"                         its wake-up, callback and sequencer times\n"
		"\n"
		"The synthesizer inside the driver (no sequencer hop from pad to sound):\n"
		"      --synth[=SOUNDFONT]  play the controllers' notes on FluidSynth in this\n"
		"                         process, and open the client 'apcminid synth'\n"
		"                         that others can play (default: a GM SoundFont)\n"
		"      --audio-driver=NAME  FluidSynth audio driver (default alsa)\n"
		"      --audio-device=DEV   the driver's device (default: its own default)\n"
		"      --period-size=N    frames per audio period (default 64)\n"
		"      --periods=N        audio periods (default 2)\n"
		"      --synth-latency=N  frames from a press to its sound, constant\n"
		"                         (default 64: one period)\n"
		"      --reverb=0|1, --chorus=0|1  FluidSynth's effects (default 1)\n"
		"\n"
		"Environment: APCMINID_LOG_LEVEL=error|warning|info|debug|trace sets the log level.\n"
		"Configuration: " SYSCONFDIR "/apcmini/apcmini.conf, then\n"
		"$XDG_CONFIG_HOME/apcmini/apcmini.conf (see apcmini.conf(5)).\n"
		"Signals: SIGINT and SIGTERM exit, SIGUSR1 prints transfer counters, SIGHUP\n"
		"reloads the configuration.\n");
}

/* --in-log: the last thing before poll() sleeps is writing the log's lines;
 * the first thing after a wake-up for USB is noting its time. */
static void apcminid_in_log_prepare(void *user, uint64_t *deadline)
{
	struct apcminid *app = user;

	(void)deadline;
	bridge_in_log_flush(app->bridge);
}

static void apcminid_in_log_dispatch(void *user)
{
	struct apcminid *app = user;

	bridge_in_log_woke(app->bridge, apcusb_woke_ns(app->usb));
}

/* The play mappings' held-back fader values (fader-smoothing). */
static void apcminid_map_prepare(void *user, uint64_t *deadline)
{
	struct apcminid *app = user;
	uint64_t t;

	if (bridge_next_deadline(app->bridge, &t) && (!*deadline || t < *deadline))
		*deadline = t;
}

static void apcminid_map_dispatch(void *user)
{
	struct apcminid *app = user;

	bridge_tick(app->bridge, apc_now_ns());
}

static void apcminid_reload(struct apcminid *app);

static void apcminid_signal(void *user, int fd, short revents)
{
	struct apcminid *app = user;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGUSR1:
			bridge_print_stats(app->bridge, stderr);
			apcminid_synth_print_stats(app->synth, stderr);
			break;
		case SIGHUP:
			apcminid_reload(app);
			break;
		default:
			log_info("Signal %u: exiting", si.ssi_signo);
			loop_quit(app->loop);
			break;
		}
	}
}

static void apcminid_gone(void *user, struct bridge_dev *bd)
{
	struct apcminid *app = user;

	if (app->once) {
		log_info("%s unplugged and --once given: exiting", bd->name);
		loop_quit(app->loop);
	}
}

/* A count from the command line, at most `max`. */
static int apcminid_parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* A string option into the command line's settings; 2 (usage) if too long. */
static int apcminid_set_str(struct apcconf_settings *g, enum apcconf_key key, char *dst,
			    size_t dstsz, const char *val)
{
	if (strlen(val) >= dstsz) {
		fprintf(stderr, "apcminid: --%s is too long (at most %zu characters)\n",
			apcconf_key_name(key), dstsz - 1);
		return -EINVAL;
	}
	memcpy(dst, val, strlen(val) + 1);
	g->set |= APCCONF_BIT(key);
	return 0;
}

/* The files, then the command line on top; "FILE:LINE: what" on error. */
static int apcminid_load_conf(struct apcconf *out, struct apcconf_error *err)
{
	char msg[512];
	int r;

	r = apcminid_conf_load(out, apcminid_conf_file, err);
	if (r == -EINVAL) {
		apcconf_error_format(err, msg, sizeof(msg));
		log_err("%s", msg);
		return r;
	}
	if (r < 0) {
		log_err("Cannot read %s: %s", err->filename, strerror(-r));
		return r;
	}
	r = apcconf_merge(out, &apcminid_cli);
	if (r < 0)
		log_err("Cannot apply the command line over the configuration: %s",
			strerror(-r));
	return r;
}

/* The global settings, as the transport, the bridge and the synth take them. */
static void apcminid_apply(const struct apcconf_settings *s, struct apcusb_config *cfg,
			   struct bridge_options *bopt, struct apcminid_synth_config *scfg)
{
	if (s->set & APCCONF_BIT(APCCONF_OUT_GAP))
		cfg->out_gap_us = s->out_gap_us;
	if (s->set & APCCONF_BIT(APCCONF_KEEP_LEDS))
		bopt->keep_leds = s->keep_leds;
	if (s->set & APCCONF_BIT(APCCONF_SOUNDFONT))
		scfg->soundfont = s->soundfont;
	if (s->set & APCCONF_BIT(APCCONF_AUDIO_DRIVER))
		scfg->audio_driver = s->audio_driver;
	if (s->set & APCCONF_BIT(APCCONF_AUDIO_DEVICE))
		scfg->audio_device = s->audio_device;
	if (s->set & APCCONF_BIT(APCCONF_PERIOD_SIZE))
		scfg->period_size = s->period_size;
	if (s->set & APCCONF_BIT(APCCONF_PERIODS))
		scfg->periods = s->periods;
	if (s->set & APCCONF_BIT(APCCONF_SYNTH_LATENCY))
		scfg->latency = s->synth_latency;
	if (s->set & APCCONF_BIT(APCCONF_REVERB))
		scfg->reverb = s->reverb;
	if (s->set & APCCONF_BIT(APCCONF_CHORUS))
		scfg->chorus = s->chorus;
}

/* bridge_options.configure: a device's section (by serial, else port). */
static void apcminid_configure(void *user, const struct bridge_dev *bd,
			       struct bridge_dev_config *cfg)
{
	const struct apcconf_dev *d;
	struct apcconf_settings s;

	(void)user;
	d = apcconf_find_device(&apcminid_conf, bd->serial, bd->path);
	apcconf_resolve(&apcminid_conf, d, &s);
	if (s.set & APCCONF_BIT(APCCONF_CLIENT_NAME))
		snprintf(cfg->name, sizeof(cfg->name), "%s", s.client_name);
	if (s.set & APCCONF_BIT(APCCONF_KEEP_LEDS))
		cfg->keep_leds = s.keep_leds;
	apcconf_map_config(&s, &cfg->map);
}

/* SIGHUP: read the files again; a bad file keeps what runs. Client names,
 * keep-leds and the play mapping apply at once; the transport's and the
 * synth's settings at the next start. */
static void apcminid_reload(struct apcminid *app)
{
	struct apcconf_error err;

	if (apcminid_load_conf(&apcminid_next, &err) < 0) {
		log_warn("The configuration was not reloaded; the running one stays");
		return;
	}
	apcminid_conf = apcminid_next;
	bridge_reconfigure(app->bridge);
	log_info("Configuration reloaded");
}

int main(int argc, char **argv)
{
	struct apcminid app = { .sigfd = -1 };
	struct apcusb_config cfg = { 0 };
	struct bridge_options bopt = { 0 };
	struct apcminid_synth_config scfg;
	const char *in_log = NULL;
	struct apcconf_settings *g = &apcminid_cli.global, eff;
	struct apcconf_error cerr;
	unsigned int v;
	int give_back = 0, guardian = 1, guard_fd = -1, rt_prio = 0;
	sigset_t mask;
	uint64_t until;
	int c, r, list = 0, verbose = 0, status = EXIT_FAILURE;

	apcminid_synth_config_defaults(&scfg);
	apcconf_init(&apcminid_cli);
	while ((c = getopt_long(argc, argv, "hVvld:c:", apcminid_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			apcminid_usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("apcminid %s\n", PACKAGE_VERSION);
			return EXIT_SUCCESS;
		case 'v':
			verbose++;
			break;
		case 'l':
			list = 1;
			break;
		case 'd':
			cfg.device = optarg;
			break;
		case 'c':
			apcminid_conf_file = optarg;
			break;
		case OPT_KEEP_LEDS:
			g->keep_leds = 1;
			g->set |= APCCONF_BIT(APCCONF_KEEP_LEDS);
			break;
		case OPT_OUT_GAP:
			if (apcminid_parse_uint(optarg, UINT_MAX / 2, &g->out_gap_us) < 0) {
				fprintf(stderr, "apcminid: invalid --out-gap '%s': microseconds "
						"expected\n",
					optarg);
				return 2;
			}
			g->set |= APCCONF_BIT(APCCONF_OUT_GAP);
			break;
		case OPT_ONCE:
			app.once = 1;
			break;
		case OPT_IN_LOG:
			in_log = optarg;
			break;
		case OPT_SYNTH:
			g->synth = 1;
			g->set |= APCCONF_BIT(APCCONF_SYNTH);
			if (optarg && apcminid_set_str(g, APCCONF_SOUNDFONT, g->soundfont,
						      sizeof(g->soundfont), optarg) < 0)
				return 2;
			break;
		case OPT_AUDIO_DRIVER:
			if (apcminid_set_str(g, APCCONF_AUDIO_DRIVER, g->audio_driver,
					     sizeof(g->audio_driver), optarg) < 0)
				return 2;
			break;
		case OPT_AUDIO_DEVICE:
			if (apcminid_set_str(g, APCCONF_AUDIO_DEVICE, g->audio_device,
					     sizeof(g->audio_device), optarg) < 0)
				return 2;
			break;
		case OPT_GIVE_BACK:
			give_back = 1;
			break;
		case OPT_NO_GUARDIAN:
			guardian = 0;
			break;
		case OPT_REALTIME:
			rt_prio = APCMINID_RT_PRIO;
			if (optarg) {
				if (apcminid_parse_uint(optarg, 99, &v) < 0 || v == 0) {
					fprintf(stderr, "apcminid: invalid --realtime '%s': a "
							"priority 1-99 expected\n",
						optarg);
					return 2;
				}
				rt_prio = (int)v;
			}
			break;
		case OPT_REVERB:
		case OPT_CHORUS:
			if (apcminid_parse_uint(optarg, 1, &v) < 0) {
				fprintf(stderr, "apcminid: invalid --%s '%s': 0 or 1\n",
					c == OPT_REVERB ? "reverb" : "chorus", optarg);
				return 2;
			}
			if (c == OPT_REVERB) {
				g->reverb = (int)v;
				g->set |= APCCONF_BIT(APCCONF_REVERB);
			} else {
				g->chorus = (int)v;
				g->set |= APCCONF_BIT(APCCONF_CHORUS);
			}
			break;
		case OPT_PERIOD_SIZE:
		case OPT_PERIODS:
		case OPT_SYNTH_LATENCY:
			if (apcminid_parse_uint(optarg, 1u << 20, &v) < 0 ||
			    (c != OPT_SYNTH_LATENCY && v == 0)) {
				fprintf(stderr, "apcminid: invalid --%s '%s'\n",
					c == OPT_PERIOD_SIZE ? "period-size"
					: c == OPT_PERIODS   ? "periods"
							     : "synth-latency",
					optarg);
				return 2;
			}
			if (c == OPT_PERIOD_SIZE) {
				g->period_size = v;
				g->set |= APCCONF_BIT(APCCONF_PERIOD_SIZE);
			} else if (c == OPT_PERIODS) {
				g->periods = v;
				g->set |= APCCONF_BIT(APCCONF_PERIODS);
			} else {
				g->synth_latency = v;
				g->set |= APCCONF_BIT(APCCONF_SYNTH_LATENCY);
			}
			break;
		default:
			apcminid_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "apcminid: unexpected argument '%s'\n", argv[optind]);
		apcminid_usage(stderr);
		return 2;
	}
	apclog_init("apcminid", verbose);

	r = apcminid_load_conf(&apcminid_conf, &cerr);
	if (r < 0)
		return 2;
	apcconf_resolve(&apcminid_conf, NULL, &eff);
	apcminid_apply(&eff, &cfg, &bopt, &scfg);

	if (list) {
		r = usbsel_list(stdout);
		if (r < 0) {
			log_err("Cannot list USB devices: %s", strerror(-r));
			return EXIT_FAILURE;
		}
		if (r == 0) {
			log_err("No APC mini found");
			return EXIT_FAILURE;
		}
		return EXIT_SUCCESS;
	}

	if (give_back) {
		r = apcusb_give_back_orphans(cfg.device);
		if (r < 0) {
			log_err("Cannot give the devices back: %s", strerror(-r));
			return EXIT_FAILURE;
		}
		log_info("%d device(s) given back to the kernel driver", r);
		return EXIT_SUCCESS;
	}

	r = seqclient_check();
	if (r < 0) {
		log_err("Cannot open sequencer: %s; is snd-seq loaded?",
			snd_strerror(r));
		return EXIT_FAILURE;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		log_err("Cannot block signals: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	/* Before anything is opened: the guardian keeps only its pipe. */
	if (guardian) {
		guard_fd = apcminid_guard_start(cfg.device);
		if (guard_fd < 0)
			log_warn("Cannot start the guardian (devices stay detached if apcminid "
				 "crashes): %s", strerror(-guard_fd));
	}
	/* After the guardian's fork: it has no business being real-time.
	 * Threads started later (the synth's) do not inherit it either. */
	if (rt_prio) {
		struct sched_param sp = { .sched_priority = rt_prio };

		if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0)
			log_warn("Cannot use real-time priority %d: %s; running without", rt_prio,
				 strerror(errno));
		else
			log_info("Event loop at real-time priority %d (SCHED_FIFO)", rt_prio);
	}
	app.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (app.sigfd < 0) {
		log_err("Cannot create signalfd: %s", strerror(errno));
		apcminid_guard_done(guard_fd);
		return EXIT_FAILURE;
	}
	r = loop_new(&app.loop);
	if (r < 0) {
		log_err("Cannot create the event loop: %s", strerror(-r));
		goto err_close_sigfd;
	}
	r = loop_add_fd(app.loop, app.sigfd, POLLIN, apcminid_signal, &app);
	if (r < 0) {
		log_err("Cannot watch signals: %s", strerror(-r));
		goto err_free_loop;
	}
	if (eff.set & APCCONF_BIT(APCCONF_SYNTH) && eff.synth) {
		r = apcminid_synth_new(&app.synth, &scfg, app.loop);
		if (r < 0) {
			log_err("Cannot start the synth: %s", strerror(-r));
			goto err_free_loop;
		}
		bopt.local = apcminid_synth_local;
		bopt.local_user = app.synth;
	}
	bopt.gone = apcminid_gone;
	bopt.configure = apcminid_configure;
	bopt.user = &app;
	r = bridge_new(&app.bridge, &seqclient_ops, app.loop, &bopt);
	if (r < 0) {
		log_err("Cannot create the bridge: %s", strerror(-r));
		goto err_free_loop;
	}
	if (in_log) {
		app.in_log = fopen(in_log, "we");
		r = app.in_log ? bridge_in_log_open(app.bridge, app.in_log, APCMINID_IN_LOG_RECORDS)
			       : -errno;
		if (r < 0) {
			log_err("Cannot open %s: %s", in_log, strerror(-r));
			goto err_free_bridge;
		}
	}
	/* Hooks run in the order they were added: the log's first, so that
	 * it notes the wake-up before the transport reaps what it brought. */
	if (app.in_log) {
		r = loop_add_hook(app.loop, apcminid_in_log_prepare, apcminid_in_log_dispatch,
				  &app);
		if (r < 0) {
			log_err("Cannot add the IN log to the event loop: %s", strerror(-r));
			goto err_free_bridge;
		}
	}
	r = loop_add_hook(app.loop, apcminid_map_prepare, apcminid_map_dispatch, &app);
	if (r < 0) {
		log_err("Cannot add the play mapping's timer to the event loop: %s", strerror(-r));
		goto err_free_bridge;
	}
	r = apcusb_new(&app.usb, &cfg, &bridge_usb_owner, app.bridge, app.loop);
	if (r < 0) {
		log_err("Cannot initialise libusb: %s", strerror(-r));
		goto err_free_bridge;
	}
	r = apcusb_start(app.usb);
	if (r == -EOPNOTSUPP) {
		log_warn("libusb has no hotplug support here: devices plugged in later will "
			 "not be seen");
	} else if (r < 0) {
		log_err("Cannot watch for USB devices: %s", strerror(-r));
		goto err_free_usb;
	}
	if (!apcusb_num_devices(app.usb))
		log_warn("No APC mini%s%s found; waiting for one to be plugged in",
			 cfg.device ? " matching " : "", cfg.device ? cfg.device : "");

	r = loop_run(app.loop);
	if (r < 0) {
		log_err("Cannot wait for events: %s", strerror(-r));
		goto err_free_usb;
	}

	/* LEDs off, then a bounded wait for those transfers to complete. */
	bridge_leds_off(app.bridge);
	until = apc_now_ns() + APCMINID_EXIT_WAIT_NS;
	while (!bridge_out_idle(app.bridge) && apc_now_ns() < until)
		if (loop_iterate(app.loop, until) < 0)
			break;
	status = EXIT_SUCCESS;

err_free_usb:
	apcusb_free(app.usb);
	if (apclog_level >= APCLOG_INFO)
		bridge_print_stats(app.bridge, stderr);
	if (apclog_level >= APCLOG_INFO)
		apcminid_synth_print_stats(app.synth, stderr);
err_free_bridge:
	bridge_free(app.bridge);
	if (app.in_log)
		fclose(app.in_log);
err_free_loop:
	/* Its hooks stay on the loop: nothing iterates it after this. */
	apcminid_synth_free(app.synth);
	loop_free(app.loop);
err_close_sigfd:
	close(app.sigfd);
	/* Every device is given back (apcusb_free) or was never taken. */
	apcminid_guard_done(guard_fd);
	return status;
}
