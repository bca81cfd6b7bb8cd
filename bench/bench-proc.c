/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's resource figures from /proc: CPU time, peak RSS, descriptors,
 * context switches of a process, a thread or the whole system. Main thread. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-proc.h"

/* pid 0: the whole system (every CPU, the kernel included); tid > 0: one
 * thread of this process. Fields that cannot be read stay -1. */
void bench_proc_sample(int pid, int tid, struct bench_proc_sample *s)
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


void bench_components_sample(struct bench_component *cs, unsigned int n, int which)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		bench_proc_sample(cs[i].pid, cs[i].tid,
			    which == 0 ? &cs[i].start : which == 1 ? &cs[i].idle0 : &cs[i].idle1);
}

void bench_components_finish(struct bench_component *cs, unsigned int n, double idle_s,
			      struct bench_path_result *r)
{
	unsigned int i;

	for (i = 0; i < n && r->nres < BENCH_MAX_RES; i++) {
		struct bench_resource *res = &r->res[r->nres++];
		struct bench_proc_sample end;

		bench_proc_sample(cs[i].pid, cs[i].tid, &end);
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
