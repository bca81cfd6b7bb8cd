/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcminid: bridges every APC mini to its own ALSA sequencer client. main()
 * and the single event loop thread that runs everything. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

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
};

static const struct option apcminid_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "list", no_argument, NULL, 'l' },
	{ "device", required_argument, NULL, 'd' },
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
		"      --keep-leds        leave the LEDs as they are on exit\n"
		"      --out-gap=USEC     wait at least USEC microseconds between USB OUT\n"
		"                         transfers, one USB packet each (default 0: no gap)\n"
		"      --once, --exit-on-unplug\n"
		"                         exit when a served device is unplugged\n"
		"      --give-back        give the APC minis nobody holds (or the one -d names)\n"
		"                         back to the kernel driver and exit: after a crash\n"
		"      --no-guardian      no guardian process (it gives the devices back if\n"
		"                         apcminid dies without doing it)\n"
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
		"Signals: SIGINT and SIGTERM exit, SIGUSR1 prints transfer counters.\n");
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

int main(int argc, char **argv)
{
	struct apcminid app = { .sigfd = -1 };
	struct apcusb_config cfg = { 0 };
	struct bridge_options bopt = { 0 };
	struct apcminid_synth_config scfg;
	const char *in_log = NULL;
	unsigned int v;
	int synth = 0, give_back = 0, guardian = 1, guard_fd = -1;
	sigset_t mask;
	uint64_t until;
	int c, r, list = 0, verbose = 0, status = EXIT_FAILURE;

	apcminid_synth_config_defaults(&scfg);
	while ((c = getopt_long(argc, argv, "hVvld:", apcminid_options, NULL)) != -1) {
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
		case OPT_KEEP_LEDS:
			bopt.keep_leds = 1;
			break;
		case OPT_OUT_GAP:
			if (apcminid_parse_uint(optarg, UINT_MAX / 2, &cfg.out_gap_us) < 0) {
				fprintf(stderr, "apcminid: invalid --out-gap '%s': microseconds "
						"expected\n",
					optarg);
				return 2;
			}
			break;
		case OPT_ONCE:
			app.once = 1;
			break;
		case OPT_IN_LOG:
			in_log = optarg;
			break;
		case OPT_SYNTH:
			synth = 1;
			scfg.soundfont = optarg;
			break;
		case OPT_AUDIO_DRIVER:
			scfg.audio_driver = optarg;
			break;
		case OPT_AUDIO_DEVICE:
			scfg.audio_device = optarg;
			break;
		case OPT_GIVE_BACK:
			give_back = 1;
			break;
		case OPT_NO_GUARDIAN:
			guardian = 0;
			break;
		case OPT_REVERB:
		case OPT_CHORUS:
			if (apcminid_parse_uint(optarg, 1, &v) < 0) {
				fprintf(stderr, "apcminid: invalid --%s '%s': 0 or 1\n",
					c == OPT_REVERB ? "reverb" : "chorus", optarg);
				return 2;
			}
			if (c == OPT_REVERB)
				scfg.reverb = (int)v;
			else
				scfg.chorus = (int)v;
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
			if (c == OPT_PERIOD_SIZE)
				scfg.period_size = v;
			else if (c == OPT_PERIODS)
				scfg.periods = v;
			else
				scfg.latency = v;
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
	if (synth) {
		r = apcminid_synth_new(&app.synth, &scfg, app.loop);
		if (r < 0) {
			log_err("Cannot start the synth: %s", strerror(-r));
			goto err_free_loop;
		}
		bopt.local = apcminid_synth_local;
		bopt.local_user = app.synth;
	}
	bopt.gone = apcminid_gone;
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
