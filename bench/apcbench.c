/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench: measures the kernel, raw-USB (apcminid, its raw and play
 * ports), direct (libapcusb) and sequencer-only paths side by side, and
 * pad to sound through each synth chain; main() and its options. Main
 * thread. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "apclog.h"
#include "apcmini.h"
#include "bench-baseline.h"
#include "bench-paths.h"
#include "bench-report.h"
#include "bench-sinks.h"
#include "bench-sound.h"
#include "loop.h"

static void on_signal(int sig)
{
	bench_stop = 1;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: apcbench [options]\n"
		"Measure the APC mini's paths side by side: sequencer only (seq), the kernel's\n"
		"snd-usb-audio (kernel), the shipped libusb transport in this process (direct),\n"
		"apcminid's raw port 0 (apcminid) and its play port with the default mapping\n"
		"(apcminid-play: pads and faders only, LED feedback drawn); pad to sound\n"
		"through each synth chain (sound).\n"
		"\n"
		"  -P, --paths LIST        paths in order (default seq,kernel,direct,apcminid,\n"
		"                          apcminid-play; add sound for pad to sound)\n"
		"  -m, --model MODEL       model the device side answers as: mk1, mk2 (mk1)\n"
		"  -g, --gadget DEVICE     gadget-side rawmidi (default: the f_midi card)\n"
		"  -k, --kernel-port ADDR  snd-usb-audio's port (default: found by name)\n"
		"  -r, --raw-port ADDR     a running apcminid's port (default: found by name)\n"
		"  -a, --apcminid CMD      start apcminid with CMD for its path, stop it after\n"
		"  -C, --controllers N     play N emulated controllers at once, each at\n"
		"                          --interval (1-8; kernel and apcminid paths: input only)\n"
		"  -S, --subscribers K     K subscribers on each port the bench reads (1-64): K-1\n"
		"                          other clients, delivered to before the bench\n"
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
		"  -q, --quick             small counts: a check that every path works\n"
		"Pad to sound (path sound):\n"
		"      --sound-presses N   presses per chain and round (40)\n"
		"      --sound-rounds N    rounds, chain order rotated each (3)\n"
		"      --sound-chains LIST kernel-fluidsynth,kernel-apcsynth,apcminid-apcsynth,\n"
		"                          apcminid-synth (all, in this order)\n"
		"      --soundfont FILE    SoundFont for every synth (default: TimGM6mb or the\n"
		"                          system GM font)\n"
		"      --sound-capture PCM   where the sound is recorded (hw:Loopback,1,0)\n"
		"      --sound-playback PCM  where the synths play (hw:Loopback,0,0)\n"
		"      --fluidsynth CMD    fluidsynth program (fluidsynth)\n"
		"      --apcsynth CMD      apcsynth program (apcsynth)\n"
		"  -o, --outdir DIR        write apcbench.json, apcbench.csv, apcbench.metrics\n"
		"                          and plot data there\n"
		"      --stage-log FILE    write every LED repaint as 'PATH EVENTS PER_EVENT\n"
		"                          T_WRITE T_DONE' and every note of the input test\n"
		"                          as 'in PATH T_SENT T_RECEIVED' (CLOCK_MONOTONIC\n"
		"                          ns), to join with usbmon's URB times\n"
		"                          (bench/usb-stages)\n"
		"  -b, --baseline FILE     compare with a saved apcbench.metrics\n"
		"  -M, --margin PCT        worse by more than this fails --baseline (10)\n"
		"  -v, --verbose           progress on stderr (again: more)\n"
		"  -h, --help              this help\n"
		"  -V, --version           version\n");
}

static int parse_rates(const char *s, struct bench_opts *o)
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
	enum {
		OPT_BURST = 256,
		OPT_BURSTS,
		OPT_GAP,
		OPT_IDLE,
		OPT_SOUND_PRESSES,
		OPT_SOUND_ROUNDS,
		OPT_SOUND_CHAINS,
		OPT_SOUNDFONT,
		OPT_SOUND_CAPTURE,
		OPT_SOUND_PLAYBACK,
		OPT_FLUIDSYNTH,
		OPT_APCSYNTH,
		OPT_STAGE_LOG,
	};
	static const struct option lopts[] = {
		{ "paths", required_argument, NULL, 'P' },
		{ "model", required_argument, NULL, 'm' },
		{ "gadget", required_argument, NULL, 'g' },
		{ "kernel-port", required_argument, NULL, 'k' },
		{ "raw-port", required_argument, NULL, 'r' },
		{ "apcminid", required_argument, NULL, 'a' },
		{ "controllers", required_argument, NULL, 'C' },
		{ "subscribers", required_argument, NULL, 'S' },
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
		{ "quick", no_argument, NULL, 'q' },
		{ "sound-presses", required_argument, NULL, OPT_SOUND_PRESSES },
		{ "sound-rounds", required_argument, NULL, OPT_SOUND_ROUNDS },
		{ "sound-chains", required_argument, NULL, OPT_SOUND_CHAINS },
		{ "soundfont", required_argument, NULL, OPT_SOUNDFONT },
		{ "sound-capture", required_argument, NULL, OPT_SOUND_CAPTURE },
		{ "sound-playback", required_argument, NULL, OPT_SOUND_PLAYBACK },
		{ "fluidsynth", required_argument, NULL, OPT_FLUIDSYNTH },
		{ "apcsynth", required_argument, NULL, OPT_APCSYNTH },
		{ "outdir", required_argument, NULL, 'o' },
		{ "stage-log", required_argument, NULL, OPT_STAGE_LOG },
		{ "baseline", required_argument, NULL, 'b' },
		{ "margin", required_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct bench_opts o = {
		.paths = "seq,kernel,direct,apcminid,apcminid-play",
		.model = &apc_model_mk1,
		.controllers = 1, .subscribers = 1,
		.count = 1000, .warmup = 100, .interval_us = 2000,
		.burst = 16, .bursts = 20, .gap_ms = 20,
		.duration_ms = 1000, .reps = 11, .idle_s = 2, .margin = 10,
		.sound_presses = 40, .sound_rounds = 3,
		.sound_chains = "kernel-fluidsynth,kernel-apcsynth,apcminid-apcsynth,apcminid-synth",
		.sound_capture = "hw:Loopback,1,0", .sound_playback = "hw:Loopback,0,0",
		.fluidsynth_cmd = "fluidsynth", .apcsynth_cmd = "apcsynth",
	};
	struct bench_run *run;
	struct bench_measure c = { 0 };
	struct bench_bufs bufs;
	struct bench_rig rig = { 0 };
	struct utsname un;
	char *paths, *tok, *save = NULL, file[4096];
	size_t cap;
	time_t now;
	int opt, err, ret = 0;

	parse_rates("1000,3888,10000,30000,100000,304000", &o);
	while ((opt = getopt_long(argc, argv, "P:m:g:k:r:a:C:S:n:w:i:R:d:N:qo:b:M:vhV", lopts, NULL)) !=
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
		case 'C':
			err = parse_uint(optarg, &o.controllers);
			if (!err && (o.controllers < 1 || o.controllers > BENCH_MAX_CONTROLLERS))
				err = -EINVAL;
			break;
		case 'S':
			err = parse_uint(optarg, &o.subscribers);
			if (!err && (o.subscribers < 1 || o.subscribers > BENCH_MAX_SINKS + 1))
				err = -EINVAL;
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
		case 'q':
			o.count = 100, o.warmup = 20, o.burst = 8, o.bursts = 4;
			o.duration_ms = 200, o.reps = 3, o.idle_s = 0.5;
			parse_rates("1000,10000", &o);
			o.sound_presses = 10, o.sound_rounds = 1;
			break;
		case OPT_SOUND_PRESSES:
			err = parse_uint(optarg, &o.sound_presses);
			if (!err && (o.sound_presses < 1 || o.sound_presses > 10000))
				err = -EINVAL;
			break;
		case OPT_SOUND_ROUNDS:
			err = parse_uint(optarg, &o.sound_rounds);
			if (!err && (o.sound_rounds < 1 || o.sound_rounds > BENCH_SOUND_MAX_ROUNDS))
				err = -EINVAL;
			break;
		case OPT_SOUND_CHAINS:
			o.sound_chains = optarg;
			break;
		case OPT_SOUNDFONT:
			o.soundfont = optarg;
			break;
		case OPT_SOUND_CAPTURE:
			o.sound_capture = optarg;
			break;
		case OPT_SOUND_PLAYBACK:
			o.sound_playback = optarg;
			break;
		case OPT_FLUIDSYNTH:
			o.fluidsynth_cmd = optarg;
			break;
		case OPT_APCSYNTH:
			o.apcsynth_cmd = optarg;
			break;
		case 'o':
			o.outdir = optarg;
			break;
		case OPT_STAGE_LOG:
			o.stage_log = optarg;
			break;
		case 'b':
			o.baseline = optarg;
			break;
		case 'M':
			o.margin = strtod(optarg, NULL);
			err = o.margin >= 0 ? 0 : -EINVAL;
			break;
		case 'v':
			o.verbose++;
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

	apclog_init("apcbench", o.verbose);
	run = calloc(1, sizeof(*run));
	if (!run) {
		log_err("Cannot allocate the results: %s", strerror(ENOMEM));
		return 1;
	}
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
		 "%.0f/s for %u ms, repaint reps %u, idle %.1f s, %u controllers, %u subscribers",
		 o.count, o.warmup, o.interval_us, o.bursts, o.burst, o.gap_ms, o.nrates,
		 o.rates[o.nrates - 1], o.duration_ms, o.reps, o.idle_s, o.controllers,
		 o.subscribers);

	/* every buffer the measurements use, allocated once, here */
	c.o = &o;
	cap = (size_t)o.count + o.warmup + (size_t)o.burst * o.bursts + 1024;
	for (unsigned int k = 0; k < o.nrates; k++) {
		size_t n = (size_t)(o.rates[k] * o.duration_ms / 1000.0) + 1024;

		if (n > cap)
			cap = n;
	}
	c.b = &bufs;
	c.ledbuf = malloc(3 * 256);
	c.lat = calloc(cap, sizeof(*c.lat));
	c.idx = calloc(cap, sizeof(*c.idx));
	if (!c.ledbuf || !c.lat || !c.idx || bench_bufs_init(&bufs, cap) < 0) {
		log_err("Cannot allocate the buffers: %s", strerror(ENOMEM));
		return 1;
	}
	if (o.stage_log && !(c.stages = fopen(o.stage_log, "we"))) {
		log_err("Cannot open %s: %s", o.stage_log, strerror(errno));
		return 1;
	}
	err = loop_new(&c.loop);
	if (err < 0) {
		log_err("Cannot create the event loop: %s", strerror(-err));
		return 1;
	}
	err = bench_seq_open(&rig.seq, "apcbench", c.loop);
	if (err < 0) {
		log_err("Cannot open the sequencer: %s", snd_strerror(err));
		return 1;
	}
	err = bench_device_open(&rig.gadget, o.gadget, 0, o.model, 1 << 16);
	if (err < 0) {
		rig.gadget = NULL;
		snprintf(run->device, sizeof(run->device), "no gadget (%s): real device, if any",
			 err == -ENODEV ? "none found" : snd_strerror(err));
	} else {
		snprintf(run->device, sizeof(run->device), "emulated gadget, device side %s",
			 bench_device_name(rig.gadget));
		rig.set.d[rig.set.n++] = rig.gadget;
	}
	/* the other controllers: the next gadget cards */
	while (rig.gadget && !o.gadget && rig.set.n < o.controllers) {
		err = bench_device_open(&rig.set.d[rig.set.n], NULL, rig.set.n, o.model, 1 << 16);
		if (err < 0)
			break;
		rig.set.n++;
	}
	if (o.controllers > 1 && rig.set.n < o.controllers) {
		log_err("--controllers %u: %u emulated controllers found (%s)", o.controllers,
			rig.set.n, o.gadget ? "not with --gadget" : "plug in more gadgets");
		return 1;
	}
	if (rig.set.n > 1)
		snprintf(run->device + strlen(run->device), sizeof(run->device) - strlen(run->device),
			 " and %u more", rig.set.n - 1);
	if (o.subscribers > 1) {
		err = bench_sinks_open(&c.sinks, o.subscribers - 1);
		if (err < 0) {
			log_err("Cannot open %u other subscribers: %s", o.subscribers - 1,
				snd_strerror(err));
			return 1;
		}
	}

	paths = strdup(o.paths);
	for (tok = strtok_r(paths, ",", &save); tok && !bench_stop; tok = strtok_r(NULL, ",", &save)) {
		struct bench_path_result *r = &run->path[run->npath];

		if (!strcmp(tok, "sound")) {
			log_info("pad to sound");
			bench_sound_run(&c, &rig, &run->sound);
			continue;
		}
		if (run->npath >= BENCH_MAX_PATHS)
			break;
		snprintf(r->name, sizeof(r->name), "%s", tok);
		c.path = r->name;
		log_info("path %s", tok);
		memset(c.last_led, 0, sizeof(c.last_led));
		if (!strcmp(tok, "seq")) {
			bench_path_seq(&c, &rig, r);
		} else if (!strcmp(tok, "kernel")) {
			bench_path_kernel(&c, &rig, r);
		} else if (!strcmp(tok, "direct")) {
			bench_path_direct(&c, &rig, r);
		} else if (!strcmp(tok, "apcminid")) {
			bench_path_apcminid(&c, &rig, r);
			bench_stop_child(rig.apcminid);
			rig.apcminid = 0;
		} else if (!strcmp(tok, "apcminid-play")) {
			bench_path_apcminid_play(&c, &rig, r);
			bench_stop_child(rig.apcminid);
			rig.apcminid = 0;
		} else {
			fprintf(stderr,
				"apcbench: unknown path '%s' (seq, kernel, direct, apcminid, "
				"apcminid-play, sound)\n",
				tok);
			ret = 2;
			break;
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
		if (!err) {
			snprintf(file, sizeof(file), "%s/apcbench.metrics", o.outdir);
			err = bench_report_metrics(file, run);
		}
		if (!err) {
			snprintf(file, sizeof(file), "%s/ (plot data)", o.outdir);
			err = bench_report_plotdata(o.outdir, run);
		}
		if (err) {
			log_err("Cannot write %s: %s", file, strerror(-err));
			ret = 1;
		}
	}
	if (o.baseline) {
		err = bench_baseline_compare(stdout, o.baseline, o.margin, run);
		if (err < 0)
			log_err("Cannot read the baseline %s: %s", o.baseline,
				err == -EINVAL ? "not an apcbench.metrics file" : strerror(-err));
		if (err)
			ret = 1;
	}

	for (unsigned int k = 0; k < rig.set.n; k++)
		bench_device_close(rig.set.d[k]);
	if (!rig.set.n)
		bench_device_close(rig.gadget);
	bench_sinks_close(c.sinks);
	bench_seq_close(rig.seq);
	loop_free(c.loop);
	if (c.stages)
		fclose(c.stages);
	bench_bufs_free(&bufs);
	free(c.lat);
	free(c.idx);
	free(c.ledbuf);
	free(run);
	return bench_stop ? 130 : ret;
}
