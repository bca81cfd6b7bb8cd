/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Playing an APC mini from commands (apcemu, apcvirt): command sources,
 * replies, busy commands, logs, counters. One thread: the caller's loop;
 * sleep, wait and burst pauses are deadlines of one loop hook. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "apccmd.h"
#include "apcrun.h"
#include "clock.h"
#include "loop.h"

#define MAX_CLIENTS 8
#define REPLY_LEN 16384
#define BURST_SLICE 256 /* events per loop turn, so input keeps flowing */

enum src_kind { SRC_STDIN, SRC_SCRIPT, SRC_CLIENT };

struct source {
	enum src_kind kind;
	int fd; /* -1: closed */
	int watched; /* the fd the loop watches for it, -1: none */
	FILE *file; /* SRC_SCRIPT */
	const char *name;
	char in[APCCMD_LINE_MAX];
	size_t inlen;
	int eof;
	unsigned int line_no;
};

enum busy_op { BUSY_NONE, BUSY_SLEEP, BUSY_WAIT, BUSY_BURST };

struct tx_stats {
	uint64_t bytes, msgs, controls, replies, echoes;
};

struct apcrun {
	struct apcrun_config cfg;
	const struct apcrun_ops *ops;
	void *user;
	struct apcdev dev;
	struct apccmd cmd;

	struct loop *loop;
	int sig_fd, listen_fd;
	int listen_watched;
	uint64_t busy_due; /* CLOCK_MONOTONIC, 0 = none */
	struct source stdin_src, script_src;
	struct source clients[MAX_CLIENTS];

	struct tx_stats tx;
	FILE *txlog, *rxlog;
	uint64_t rxseq;
	uint64_t rx_stamp; /* when the bytes being parsed were read */
	int echo, monitor;

	enum busy_op busy;
	struct source *busy_src;
	uint64_t busy_t0;
	const uint64_t *wait_counter;
	const char *wait_name;
	uint64_t wait_target;
	uint64_t burst_n, burst_i, burst_rate;

	char reply[REPLY_LEN];
	size_t reply_len;
	char errmsg[256];

	int quit;
	int exit_status;
};

void apcrun_printf(struct apcrun *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->reply + r->reply_len, sizeof(r->reply) - r->reply_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->reply_len += (size_t)n < sizeof(r->reply) - r->reply_len ?
					(size_t)n :
					sizeof(r->reply) - r->reply_len - 1;
}

int apcrun_error(struct apcrun *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

static void hex_format(char *out, size_t sz, const uint8_t *msg, size_t len)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < len && o + 4 < sz; i++)
		o += snprintf(out + o, sz - o, "%s%02x", i ? " " : "", msg[i]);
}

struct apcdev *apcrun_dev(struct apcrun *r)
{
	return &r->dev;
}

static int run_connected(struct apcrun *r)
{
	return !r->ops->connected || r->ops->connected(r->user);
}

static int run_write(struct apcrun *r, unsigned int c, const uint8_t *msg, size_t len)
{
	int err;

	if (!run_connected(r))
		return apcrun_error(r, -ENODEV, "not connected (unplugged?)");
	if (c >= r->dev.model->n_cables)
		return apcrun_error(r, -EINVAL, "no cable %u on %s", c, r->dev.model->short_name);
	err = r->ops->write(r->user, c, msg, len);
	if (err < 0)
		return err;
	r->tx.bytes += len;
	r->tx.msgs++;
	return 0;
}

/* A control event: stamped and logged (seq = the event's number since the
 * program started, stamp = CLOCK_MONOTONIC ns just before the write). */
int apcrun_control(struct apcrun *r, const struct apc_control *ctl)
{
	uint8_t msg[3];
	char hex[16];
	uint64_t stamp;
	int n, err;

	n = apc_control_to_midi(r->dev.model, ctl, msg);
	if (n < 0)
		return apcrun_error(r, n, "%s has no such control", r->dev.model->short_name);
	stamp = apc_now_ns();
	err = run_write(r, 0, msg, (size_t)n);
	if (err)
		return err;
	r->tx.controls++;
	if (ctl->type == APC_CTL_FADER)
		r->dev.faders[ctl->index] = ctl->value;
	if (r->txlog) {
		hex_format(hex, sizeof(hex), msg, (size_t)n);
		fprintf(r->txlog, "%" PRIu64 " %" PRIu64 " %s\n", r->tx.msgs, stamp, hex);
	}
	return 0;
}

/* The device answers on its own (identity, mk2 introduction, mode echo). */
static void run_dev_send(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct apcrun *r = user;

	if (run_write(r, cable, msg, len) == 0)
		r->tx.replies++;
}

static void run_dev_msg(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct apcrun *r = user;
	char hex[3 * APCDEV_SYSEX_MAX + 1];

	if (r->rxlog || r->monitor)
		hex_format(hex, sizeof(hex), msg, len);
	if (r->rxlog)
		fprintf(r->rxlog, "%" PRIu64 " %" PRIu64 " %s\n", ++r->rxseq, r->rx_stamp, hex);
	if (r->monitor)
		printf("rx %u: %s\n", cable, hex);
	if (r->echo && run_write(r, cable, msg, len) == 0)
		r->tx.echoes++;
}

void apcrun_input(struct apcrun *r, unsigned int cable, const uint8_t *buf, size_t len)
{
	r->rx_stamp = apc_now_ns();
	apcdev_input(&r->dev, cable, buf, len);
}

/* ---- commands ---- */

static int cmd_press(struct apcrun *r, const struct apccmd *c)
{
	struct apc_control ctl = c->ctl;
	int err;

	if (c->op != APCCMD_RELEASE) {
		err = apcrun_control(r, &ctl);
		if (err || c->op == APCCMD_PRESS)
			return err;
	}
	ctl.value = 0;
	return apcrun_control(r, &ctl);
}

static void cmd_stats(struct apcrun *r, int reset)
{
	const struct apcdev_stats *x = &r->dev.rx;
	const struct tx_stats *t = &r->tx;

	if (reset) {
		memset(&r->dev.rx, 0, sizeof(r->dev.rx));
		memset(&r->tx, 0, sizeof(r->tx));
		return;
	}
	apcrun_printf(r,
		      "rx bytes=%" PRIu64 " msgs=%" PRIu64 " leds=%" PRIu64 " sysex=%" PRIu64
		      " inquiries=%" PRIu64 " rgb=%" PRIu64 " other=%" PRIu64 " dropped=%" PRIu64
		      "\n",
		      x->bytes, x->msgs, x->leds, x->sysex, x->inquiries, x->rgb, x->other,
		      x->dropped);
	apcrun_printf(r,
		      "tx bytes=%" PRIu64 " msgs=%" PRIu64 " controls=%" PRIu64
		      " replies=%" PRIu64 " echoes=%" PRIu64 "\n",
		      t->bytes, t->msgs, t->controls, t->replies, t->echoes);
}

static int cmd_grid(struct apcrun *r)
{
	int n = apcdev_grid(&r->dev, r->reply + r->reply_len, sizeof(r->reply) - r->reply_len);

	if (n < 0)
		return apcrun_error(r, n, "grid does not fit the reply");
	r->reply_len += (size_t)n;
	return 0;
}

static void cmd_info(struct apcrun *r)
{
	const struct apc_model *m = r->dev.model;

	apcrun_printf(r, "model %s\n", m->short_name);
	apcrun_printf(r, "usb %04x:%04x '%s' '%s'\n", m->vid, m->pid, m->usb_manufacturer,
		      m->usb_product);
	if (r->ops->info)
		r->ops->info(r->user, r);
	apcrun_printf(r, "mode %u echo %s monitor %s\n", r->dev.mode, r->echo ? "on" : "off",
		      r->monitor ? "on" : "off");
}

static int busy_done_wait(struct apcrun *r)
{
	return *r->wait_counter >= r->wait_target;
}

static int cmd_wait(struct apcrun *r, const struct apccmd *c)
{
	const uint64_t *counters[] = { &r->dev.rx.leds, &r->dev.rx.msgs, &r->dev.rx.sysex,
				       &r->dev.rx.bytes };

	r->wait_counter = counters[c->counter];
	r->wait_name = apccmd_counter_name(c->counter);
	r->wait_target = c->n;
	if (busy_done_wait(r))
		return 0;
	r->busy = BUSY_WAIT;
	r->busy_due = apc_now_ns() + c->ms * 1000000ull;
	return 1;
}

static int burst_step(struct apcrun *r);

static int cmd_log(struct apcrun *r, const char *file, FILE **fp)
{
	if (*fp) {
		fclose(*fp);
		*fp = NULL;
	}
	if (!file[0])
		return 0;
	*fp = fopen(file, "we");
	if (!*fp)
		return apcrun_error(r, -errno, "Cannot open %s: %s", file, strerror(errno));
	return 0;
}

/* 0 done, 1 busy (sleep, wait, burst: finished later), -errno failed. */
static int run_exec(struct apcrun *r, const char *line)
{
	struct apccmd *c = &r->cmd;
	int err;

	err = apccmd_parse(line, c, r->errmsg, sizeof(r->errmsg));
	if (err)
		return err;
	switch (c->op) {
	case APCCMD_NONE:
		return 0;
	case APCCMD_PRESS:
	case APCCMD_RELEASE:
	case APCCMD_TAP:
		return cmd_press(r, c);
	case APCCMD_FADER:
		return apcrun_control(r, &c->ctl);
	case APCCMD_SEND:
		return run_write(r, c->cable, c->msg, c->len);
	case APCCMD_BURST:
		if (!run_connected(r))
			return apcrun_error(r, -ENODEV, "not connected (unplugged?)");
		r->burst_n = c->n;
		r->burst_i = 0;
		r->burst_rate = c->rate;
		r->busy_t0 = apc_now_ns();
		r->busy = BUSY_BURST;
		return burst_step(r);
	case APCCMD_GRID:
		return cmd_grid(r);
	case APCCMD_STATS:
		cmd_stats(r, c->on);
		return 0;
	case APCCMD_WAIT:
		return cmd_wait(r, c);
	case APCCMD_SLEEP:
		if (!c->ms)
			return 0;
		r->busy = BUSY_SLEEP;
		r->busy_due = apc_now_ns() + c->ms * 1000000ull;
		return 1;
	case APCCMD_ECHO:
		r->echo = c->on;
		return 0;
	case APCCMD_MONITOR:
		r->monitor = c->on;
		return 0;
	case APCCMD_LOG:
		return cmd_log(r, c->text, &r->txlog);
	case APCCMD_RXLOG:
		return cmd_log(r, c->text, &r->rxlog);
	case APCCMD_UNPLUG:
	case APCCMD_REPLUG:
		if (!(c->op == APCCMD_UNPLUG ? r->ops->unplug : r->ops->replug))
			return apcrun_error(r, -ENOTSUP, "%s: not with %s", apccmd_name(c->op),
					    r->cfg.name);
		return c->op == APCCMD_UNPLUG ? r->ops->unplug(r->user) :
						r->ops->replug(r->user);
	case APCCMD_INFO:
		cmd_info(r);
		return 0;
	case APCCMD_MARK:
		apcrun_printf(r, "%s\n", c->text);
		return 0;
	case APCCMD_PING:
		apcrun_printf(r, "pong\n");
		return 0;
	case APCCMD_HELP:
		apcrun_printf(r, "%s", apccmd_help);
		return 0;
	case APCCMD_QUIT:
		r->quit = 1;
		return 0;
	}
	return 0;
}

int apcrun_command(struct apcrun *r, const char *line, const char *from)
{
	struct apccmd *c = &r->cmd;
	int err;

	r->errmsg[0] = '\0';
	err = apccmd_parse(line, c, r->errmsg, sizeof(r->errmsg));
	if (!err && (c->op == APCCMD_BURST || c->op == APCCMD_WAIT || c->op == APCCMD_SLEEP ||
		     c->op == APCCMD_QUIT || r->busy != BUSY_NONE))
		err = apcrun_error(r, -EBUSY, "%s: not from here", apccmd_name(c->op));
	if (!err) {
		size_t keep = r->reply_len;

		err = run_exec(r, line);
		r->reply_len = keep; /* no reply goes back */
		r->reply[keep] = '\0';
	}
	if (err < 0)
		fprintf(stderr, "%s: %s: %s\n", r->cfg.name, from, r->errmsg);
	return err < 0 ? err : 0;
}

/* ---- command sources ---- */

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void source_close(struct apcrun *r, struct source *s)
{
	if (s->watched >= 0) {
		loop_del_fd(r->loop, s->watched);
		s->watched = -1;
	}
	if (s->kind == SRC_CLIENT && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->inlen = 0;
	s->eof = 1;
}

/* Socket clients get the reply lines, a leading '.' doubled, then ".ok" or
 * ".error MESSAGE"; stdin and scripts print to stdout and stderr. */
static void run_finish(struct apcrun *r, struct source *s, int status)
{
	if (s->kind == SRC_CLIENT) {
		char *p = r->reply, *end = r->reply + r->reply_len;
		char term[300];

		if (s->fd < 0)
			return;
		while (p < end) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);

			if (*p == '.')
				write_all(s->fd, ".", 1);
			write_all(s->fd, p, n);
			if (!nl)
				write_all(s->fd, "\n", 1);
			p += n;
		}
		if (status < 0)
			snprintf(term, sizeof(term), ".error %s\n", r->errmsg);
		else
			snprintf(term, sizeof(term), ".ok\n");
		write_all(s->fd, term, strlen(term));
		return;
	}
	fwrite(r->reply, 1, r->reply_len, stdout);
	fflush(stdout);
	if (status < 0) {
		fprintf(stderr, "%s: %s:%u: %s\n", r->cfg.name, s->name, s->line_no, r->errmsg);
		if (s->kind == SRC_SCRIPT) {
			r->exit_status = 1;
			r->quit = 1;
		}
	}
}

static void run_line(struct apcrun *r, struct source *s, char *line)
{
	int status;

	s->line_no++;
	r->reply_len = 0;
	r->reply[0] = '\0';
	r->errmsg[0] = '\0';
	status = run_exec(r, line);
	if (status == 1) {
		r->busy_src = s;
		return;
	}
	run_finish(r, s, status);
}

/* A busy command (sleep, wait, burst) has finished. */
static void run_busy_done(struct apcrun *r, int status)
{
	struct source *s = r->busy_src;

	r->busy = BUSY_NONE;
	r->busy_src = NULL;
	r->busy_due = 0;
	if (r->txlog)
		fflush(r->txlog);
	if (s)
		run_finish(r, s, status);
}

/* Take one complete line out of a source's buffer. */
static int source_line(struct source *s, char *line, size_t sz)
{
	char *nl = memchr(s->in, '\n', s->inlen);
	size_t n;

	if (!nl) {
		if (!s->eof || !s->inlen)
			return 0;
		nl = s->in + s->inlen; /* last line without a newline */
	}
	n = (size_t)(nl - s->in);
	if (n >= sz)
		n = sz - 1;
	memcpy(line, s->in, n);
	line[n] = '\0';
	if (nl < s->in + s->inlen)
		nl++;
	s->inlen -= (size_t)(nl - s->in);
	memmove(s->in, nl, s->inlen);
	return 1;
}

static void run_process(struct apcrun *r)
{
	char line[APCCMD_LINE_MAX];
	int i, progress = 1;

	while (progress && r->busy == BUSY_NONE && !r->quit) {
		progress = 0;
		if (r->script_src.file) {
			if (fgets(line, sizeof(line), r->script_src.file)) {
				run_line(r, &r->script_src, line);
			} else {
				fclose(r->script_src.file);
				r->script_src.file = NULL;
			}
			progress = 1;
			continue;
		}
		if (source_line(&r->stdin_src, line, sizeof(line))) {
			run_line(r, &r->stdin_src, line);
			progress = 1;
			continue;
		}
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct source *s = &r->clients[i];

			if (s->fd < 0)
				continue;
			if (source_line(s, line, sizeof(line))) {
				run_line(r, s, line);
				progress = 1;
				break;
			}
			if (s->eof)
				source_close(r, s);
		}
	}
}

static void source_read(struct source *s)
{
	ssize_t n;

	if (s->inlen == sizeof(s->in)) /* a line longer than the buffer */
		s->inlen = 0;
	n = read(s->fd, s->in + s->inlen, sizeof(s->in) - s->inlen);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		s->eof = 1;
		if (s->kind == SRC_STDIN)
			s->fd = -1;
		return;
	}
	s->inlen += (size_t)n;
}

static void run_accept(struct apcrun *r)
{
	int fd = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC), i;

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct source *s = &r->clients[i];

		if (s->fd >= 0)
			continue;
		memset(s, 0, sizeof(*s));
		s->kind = SRC_CLIENT;
		s->fd = fd;
		s->watched = -1;
		s->name = "socket";
		return;
	}
	write_all(fd, ".error too many clients\n", 24);
	close(fd);
}

static int run_listen(struct apcrun *r)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *path = r->cfg.socket_path;
	int fd, err;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "Cannot use socket %s: path too long\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 8) < 0)
		goto err_close;
	r->listen_fd = fd;
	return 0;

err_close:
	err = errno;
	close(fd);
	errno = err;
err:
	err = -errno;
	fprintf(stderr, "Cannot listen on %s: %s\n", path, strerror(errno));
	return err;
}

/* ---- busy operations ---- */

static int burst_send_one(struct apcrun *r)
{
	struct apc_control c = { .type = APC_CTL_PAD };

	c.index = (uint8_t)((r->burst_i / 2) % APC_NUM_PADS);
	c.value = r->burst_i % 2 ? 0 : 127;
	r->burst_i++;
	return apcrun_control(r, &c);
}

static void burst_report(struct apcrun *r)
{
	double s = (double)(apc_now_ns() - r->busy_t0) / 1e9;

	apcrun_printf(r, "burst %" PRIu64 " events in %.6f s (%.0f events/s)\n", r->burst_i, s,
		      s > 0 ? (double)r->burst_i / s : 0.0);
}

static int out_busy(struct apcrun *r, int cable)
{
	return r->ops->busy && r->ops->busy(r->user, cable);
}

/* Returns 1 while the burst goes on, 0 when done, -errno on failure. */
static int burst_step(struct apcrun *r)
{
	unsigned int slice = 0;
	int err;

	if (r->burst_rate) {
		uint64_t period = 1000000000ull / r->burst_rate;
		uint64_t due = (apc_now_ns() - r->busy_t0) / period + 1;

		while (r->burst_i < r->burst_n && r->burst_i < due) {
			err = burst_send_one(r);
			if (err)
				return err;
		}
		if (r->burst_i < r->burst_n) {
			r->busy_due = r->busy_t0 + r->burst_i * period;
			return 1;
		}
	} else {
		/* Flat out, but only into an empty queue: a stamp then is
		 * the moment the output took the event. */
		while (r->burst_i < r->burst_n && !out_busy(r, 0) && slice++ < BURST_SLICE) {
			err = burst_send_one(r);
			if (err)
				return err;
		}
		if (r->burst_i < r->burst_n)
			return 1;
	}
	burst_report(r);
	return 0;
}

static void run_busy_check(struct apcrun *r, int timer_fired)
{
	int status;

	switch (r->busy) {
	case BUSY_NONE:
		break;
	case BUSY_SLEEP:
		if (timer_fired)
			run_busy_done(r, 0);
		break;
	case BUSY_WAIT:
		if (busy_done_wait(r)) {
			run_busy_done(r, 0);
		} else if (timer_fired) {
			apcrun_error(r, -ETIMEDOUT, "timeout: %s=%" PRIu64 " of %" PRIu64,
				     r->wait_name, *r->wait_counter, r->wait_target);
			run_busy_done(r, -ETIMEDOUT);
		}
		break;
	case BUSY_BURST:
		if (!run_connected(r)) {
			apcrun_error(r, -ENODEV, "unplugged during the burst (%" PRIu64 " sent)",
				     r->burst_i);
			run_busy_done(r, -ENODEV);
			break;
		}
		status = burst_step(r);
		if (status != 1)
			run_busy_done(r, status);
		break;
	}
}

/* ---- the loop ---- */

static void on_signal(void *user, int fd, short revents)
{
	struct apcrun *r = user;
	struct signalfd_siginfo si;

	(void)revents;
	if (read(fd, &si, sizeof(si)) == sizeof(si))
		printf("%s: signal %u, quitting\n", r->cfg.name, si.ssi_signo);
	r->quit = 1;
}

static void on_listen(void *user, int fd, short revents)
{
	(void)fd;
	(void)revents;
	run_accept(user);
}

static void on_source(void *user, int fd, short revents)
{
	struct apcrun *r = user;
	int i;

	(void)revents;
	if (r->stdin_src.watched == fd) {
		source_read(&r->stdin_src);
		return;
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		if (r->clients[i].watched == fd && r->clients[i].fd == fd)
			source_read(&r->clients[i]);
}

/* Command input is read only while no command is busy: a sleep, wait or
 * burst holds every source back, not only its own, and lines must not
 * pile up behind it. */
static void source_watch(struct apcrun *r, struct source *s, int want)
{
	want = want && s->fd >= 0 && !s->eof;
	if (s->watched >= 0 && (!want || s->watched != s->fd)) {
		loop_del_fd(r->loop, s->watched);
		s->watched = -1;
	}
	if (want && s->watched < 0 && loop_add_fd(r->loop, s->fd, POLLIN, on_source, r) == 0)
		s->watched = s->fd;
}

static void run_watch(struct apcrun *r)
{
	int idle = r->busy == BUSY_NONE, i;

	if (r->listen_fd >= 0 && !idle && r->listen_watched) {
		loop_del_fd(r->loop, r->listen_fd);
		r->listen_watched = 0;
	} else if (r->listen_fd >= 0 && idle && !r->listen_watched) {
		r->listen_watched = loop_add_fd(r->loop, r->listen_fd, POLLIN, on_listen, r) == 0;
	}
	source_watch(r, &r->stdin_src, idle);
	for (i = 0; i < MAX_CLIENTS; i++)
		source_watch(r, &r->clients[i], idle);
}

static void lower(uint64_t *deadline, uint64_t t)
{
	if (t && (!*deadline || t < *deadline))
		*deadline = t;
}

static void run_prepare(void *user, uint64_t *deadline)
{
	struct apcrun *r = user;

	lower(deadline, r->busy_due);
	/* A flat-out burst with room goes on at once. */
	if (r->busy == BUSY_BURST && !r->burst_rate && run_connected(r) && !out_busy(r, 0))
		lower(deadline, apc_now_ns());
}

/* After every wake-up (and after the device's own hook, which sends what
 * waits): finish or go on with the busy command, then run the command
 * lines that have come in. */
static void run_dispatch(void *user)
{
	struct apcrun *r = user;
	uint64_t now = apc_now_ns();

	run_busy_check(r, r->busy_due && now >= r->busy_due);
	run_process(r);
	if (r->quit)
		loop_quit(r->loop);
	else
		run_watch(r);
}

void apcrun_quit(struct apcrun *r)
{
	r->quit = 1;
	loop_quit(r->loop);
}

int apcrun_run(struct apcrun *r)
{
	int err = 0;

	run_process(r);
	if (!r->quit) {
		run_watch(r);
		err = loop_run(r->loop);
		if (err < 0)
			fprintf(stderr, "Cannot poll: %s\n", strerror(-err));
	}
	if (r->txlog)
		fflush(r->txlog);
	r->reply_len = 0;
	cmd_stats(r, 0);
	printf("%s: exit\n%.*s", r->cfg.name, (int)r->reply_len, r->reply);
	fflush(stdout);
	return err < 0 ? 1 : r->exit_status;
}

int apcrun_option(struct apcrun_config *cfg, int opt, const char *arg)
{
	switch (opt) {
	case 'S':
		cfg->socket_path = arg;
		return 1;
	case 's':
		cfg->script = arg;
		return 1;
	case 'l':
		cfg->txlog = arg;
		return 1;
	case 'r':
		cfg->rxlog = arg;
		return 1;
	case 'e':
		cfg->echo = 1;
		return 1;
	case 'M':
		cfg->monitor = 1;
		return 1;
	default:
		return 0;
	}
}

int apcrun_new(struct apcrun **out, struct loop *loop, const struct apcrun_config *cfg)
{
	struct apcrun *r;
	sigset_t mask;
	int i;

	*out = NULL;
	r = calloc(1, sizeof(*r)); /* large buffers: not on the stack */
	if (!r) {
		fprintf(stderr, "Cannot allocate: %s\n", strerror(ENOMEM));
		return 1;
	}
	r->cfg = *cfg;
	r->ops = cfg->ops;
	r->user = cfg->user;
	r->loop = loop;
	r->echo = cfg->echo;
	r->monitor = cfg->monitor;
	r->listen_fd = r->sig_fd = -1;
	for (i = 0; i < MAX_CLIENTS; i++)
		r->clients[i].fd = r->clients[i].watched = -1;
	r->stdin_src = (struct source){ .kind = SRC_STDIN, .fd = STDIN_FILENO, .watched = -1,
					.name = "stdin" };
	r->script_src = (struct source){ .kind = SRC_SCRIPT, .fd = -1, .watched = -1,
					 .name = cfg->script };
	if (cfg->no_stdin || fcntl(STDIN_FILENO, F_GETFD) < 0) {
		r->stdin_src.eof = 1;
		r->stdin_src.fd = -1;
	}
	apcdev_init(&r->dev, cfg->model, run_dev_send, run_dev_msg, r);
	*out = r;

	if (cfg->script && !(r->script_src.file = fopen(cfg->script, "re"))) {
		fprintf(stderr, "Cannot open %s: %s\n", cfg->script, strerror(errno));
		return 1;
	}
	if (cfg->txlog && !(r->txlog = fopen(cfg->txlog, "we"))) {
		fprintf(stderr, "Cannot open %s: %s\n", cfg->txlog, strerror(errno));
		return 1;
	}
	if (cfg->rxlog && !(r->rxlog = fopen(cfg->rxlog, "we"))) {
		fprintf(stderr, "Cannot open %s: %s\n", cfg->rxlog, strerror(errno));
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	r->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (r->sig_fd < 0) {
		fprintf(stderr, "Cannot create the signalfd: %s\n", strerror(errno));
		return 1;
	}
	if (cfg->socket_path && run_listen(r))
		return 1;
	if (loop_add_fd(loop, r->sig_fd, POLLIN, on_signal, r) < 0 ||
	    loop_add_hook(loop, run_prepare, run_dispatch, r) < 0) {
		fprintf(stderr, "Cannot set up the loop\n");
		return 1;
	}
	return 0;
}

void apcrun_free(struct apcrun *r)
{
	int i;

	if (!r)
		return;
	if (r->listen_fd >= 0) {
		if (r->listen_watched)
			loop_del_fd(r->loop, r->listen_fd);
		close(r->listen_fd);
		unlink(r->cfg.socket_path);
	}
	source_watch(r, &r->stdin_src, 0);
	for (i = 0; i < MAX_CLIENTS; i++)
		source_close(r, &r->clients[i]);
	if (r->script_src.file)
		fclose(r->script_src.file);
	if (r->txlog)
		fclose(r->txlog);
	if (r->rxlog)
		fclose(r->rxlog);
	if (r->sig_fd >= 0) {
		loop_del_fd(r->loop, r->sig_fd);
		close(r->sig_fd);
	}
	free(r);
}
