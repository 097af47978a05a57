// SPDX-License-Identifier: GPL-2.0-only
/*
 * Energy meters (jmeter.h): RAPL powercap, the perf power PMU, turbostat and
 * a discharging battery, behind one read call.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jmeter.h"
#include "jsupply.h"
#include "jtopo_fs.h"

#define MAX_CHANNELS 16
#define POWERCAP_DIR "/sys/class/powercap"
#define PERF_PMU_DIR "/sys/bus/event_source/devices/power"
#define SUPPLY_DIR   "/sys/class/power_supply"
#define TSTAT_BUF    8192
#define UWH_TO_J     3.6e-3 /* 1 uWh = 3.6 mJ */
#define UAH_TO_C     3.6e-3 /* 1 uAh = 3.6 mC */
#define NR_PERF_CPUS 8

enum battery_counter { BAT_ENERGY, BAT_CHARGE, BAT_POWER };

struct channel {
	char name[48];
	char path[256];	 /* relative to root */
	bool primary;	 /* counts towards the total */
	uint64_t range;	 /* wraps here (RAPL) */
	uint64_t last;	 /* raw value at the last read */
	double joules;	 /* since open */
	double per_unit; /* joules per raw unit */
	uint64_t base;	 /* perf: the count at the first read */
	bool primed;
	/* battery: its counter, and its value (J, C or W) and voltage at the last read */
	enum battery_counter bat;
	double last_q, last_v;
};

struct jmeter {
	enum jmeter_kind kind;
	char root[160]; /* recorded trees live at short paths */
	char desc[384];
	int nr;
	struct channel ch[MAX_CHANNELS];
	/* perf */
	int perf_fd[NR_PERF_CPUS];
	int nr_perf_fds;
	/* turbostat */
	pid_t child;
	int pipe_fd;
	double interval;
	char buf[TSTAT_BUF];
	size_t buf_len;
	struct jmeter_tstat tstat;
	bool child_done;    /* its output closed */
	int child_status;   /* as waitpid gave it, once child_done */
	double last_t;	    /* battery: when it was last read */
	int handover_reads; /* battery: reads in a row with none Discharging */
};

const char *jmeter_kind_name(enum jmeter_kind k)
{
	switch (k) {
	case JMETER_RAPL: return "rapl";
	case JMETER_PERF: return "perf";
	case JMETER_TURBOSTAT: return "turbostat";
	case JMETER_BATTERY: return "battery";
	default: return "auto";
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *root_or_empty(const struct jmeter *m)
{
	return m->root[0] ? m->root : NULL;
}

int jmeter_counter_delta(uint64_t prev, uint64_t cur, uint64_t range, uint64_t *delta)
{
	if (cur >= prev) {
		*delta = cur - prev;
		return 0;
	}
	if (!range || prev > range || cur > range)
		return -ERANGE;
	/* one counter unit short (the step from all ones to 0): tens of uJ */
	*delta = range - prev + cur;
	return *delta <= range / 2 ? 0 : -ERANGE;
}

/* ---- RAPL through powercap -------------------------------------------- */

static int rapl_add_zone(struct jmeter *m, const char *zone, const char *parent, char *err,
			 size_t errlen)
{
	struct channel *c;
	char rel[512], name[32];
	int ret;

	/* a package left out would leave its energy out of the total (rapl_open) */
	if (m->nr == MAX_CHANNELS) {
		snprintf(err, errlen,
			 "%s%s: more than %d top-level RAPL zones, more than scx_joule reads",
			 m->root, POWERCAP_DIR, MAX_CHANNELS);
		return -E2BIG;
	}
	c = &m->ch[m->nr];
	memset(c, 0, sizeof(*c));
	snprintf(rel, sizeof(rel), POWERCAP_DIR "/%.64s/name", zone);
	if (jtopo_fs_line(root_or_empty(m), rel, name, sizeof(name)))
		snprintf(name, sizeof(name), "%.31s", zone);
	snprintf(rel, sizeof(rel), POWERCAP_DIR "/%.64s/max_energy_range_uj", zone);
	ret = jtopo_fs_u64(root_or_empty(m), rel, &c->range);
	if (!ret) {
		snprintf(c->path, sizeof(c->path), POWERCAP_DIR "/%.64s/energy_uj", zone);
		ret = jtopo_fs_u64(root_or_empty(m), c->path, &c->last);
		snprintf(rel, sizeof(rel), "%s", c->path);
	}
	if (!ret && c->last > c->range)
		ret = -ERANGE;
	if (ret) {
		snprintf(err, errlen, "%s%.200s: %s%s", m->root, rel,
			 ret == -ERANGE ? "above max_energy_range_uj" : strerror(-ret),
			 ret == -EACCES ? " (RAPL counters need root since Linux 5.10)" : "");
		return ret;
	}
	if (parent)
		snprintf(c->name, sizeof(c->name), "%.20s/%.20s", parent, name);
	else
		snprintf(c->name, sizeof(c->name), "%.40s", name);
	c->primary = !parent && !strncmp(name, "package", 7);
	c->per_unit = 1e-6;
	m->nr++;
	return 0;
}

/* intel-rapl:N as {N, 0}, intel-rapl:N:M as {N, M + 1}: a zone before its subzones. */
static void zone_key(const char *name, unsigned long key[2])
{
	char *end;

	key[0] = strtoul(name + 11, &end, 10);
	key[1] = *end == ':' ? strtoul(end + 1, NULL, 10) + 1 : 0;
}

/*
 * By number, not text: strcmp puts intel-rapl:10 between intel-rapl:1 and
 * intel-rapl:1:0, whose parent is then package-10.
 */
static int zone_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	unsigned long kx[2], ky[2];

	zone_key(x, kx);
	zone_key(y, ky);
	for (int i = 0; i < 2; i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return strcmp(x, y);
}

/* Zone directory names, sorted: intel-rapl:0, intel-rapl:0:0, intel-rapl:1, ... */
static int rapl_zones(const struct jmeter *m, char ***names, int *n)
{
	char path[4096];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	*n = 0;
	*names = NULL;
	jtopo_fs_path(path, sizeof(path), root_or_empty(m), POWERCAP_DIR);
	d = opendir(path);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		char **grown, *name;

		if (strncmp(de->d_name, "intel-rapl:", 11))
			continue;
		name = strdup(de->d_name);
		grown = name ? realloc(*names, sizeof(char *) * (size_t)(*n + 1)) : NULL;
		if (!grown) {
			free(name);
			ret = -ENOMEM;
			break;
		}
		*names = grown;
		(*names)[(*n)++] = name;
	}
	closedir(d);
	if (ret) {
		while (*n)
			free((*names)[--*n]);
		free(*names);
		*names = NULL;
		return ret;
	}
	/* qsort's array may not be NULL, even for no elements */
	if (!*n)
		return -ENOENT;
	qsort(*names, (size_t)*n, sizeof(char *), zone_cmp);
	return 0;
}

static int rapl_open(struct jmeter *m, char *err, size_t errlen)
{
	char **zones, parent[32] = "";
	int n, ret, primaries = 0, tops = 0, tops_added = 0, subs_left_out = 0;

	ret = rapl_zones(m, &zones, &n);
	if (ret == -ENOMEM) {
		snprintf(err, errlen, "%s%s: %s", m->root, POWERCAP_DIR, strerror(ENOMEM));
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "no %s%s/intel-rapl:*", m->root, POWERCAP_DIR);
		return ret;
	}
	/*
	 * Every top-level zone gets a channel: the total is theirs. Subzones
	 * (core, uncore, dram) only show a share, so where channels run short
	 * they are left out, and the description says how many.
	 */
	for (int i = 0; i < n; i++)
		tops += !strchr(zones[i] + 11, ':');
	for (int i = 0; i < n && !ret; i++) {
		bool sub = strchr(zones[i] + 11, ':') != NULL;

		if (sub && m->nr >= MAX_CHANNELS - (tops - tops_added)) {
			subs_left_out++;
			continue;
		}
		ret = rapl_add_zone(m, zones[i], sub ? parent : NULL, err, errlen);
		if (!ret && !sub) {
			snprintf(parent, sizeof(parent), "%s", m->ch[m->nr - 1].name);
			primaries += m->ch[m->nr - 1].primary;
			tops_added++;
		}
	}
	for (int i = 0; i < n; i++)
		free(zones[i]);
	free(zones);
	if (!ret && !primaries) {
		snprintf(err, errlen, "%s%s: no package-* zone", m->root, POWERCAP_DIR);
		ret = -ENOENT;
	}
	if (ret)
		return ret;
	if (subs_left_out)
		snprintf(m->desc, sizeof(m->desc), "RAPL (powercap %s%s; %d subzones not read)",
			 m->root, POWERCAP_DIR, subs_left_out);
	else
		snprintf(m->desc, sizeof(m->desc), "RAPL (powercap %s%s)", m->root, POWERCAP_DIR);
	return 0;
}

static int rapl_read(struct jmeter *m, char *err, size_t errlen)
{
	for (int i = 0; i < m->nr; i++) {
		struct channel *c = &m->ch[i];
		uint64_t cur, delta;
		int ret = jtopo_fs_u64(root_or_empty(m), c->path, &cur);

		if (ret) {
			snprintf(err, errlen, "%s%s: %s", m->root, c->path, strerror(-ret));
			return ret;
		}
		if (jmeter_counter_delta(c->last, cur, c->range, &delta)) {
			snprintf(err, errlen,
				 "%s%s: energy counter went backwards (%" PRIu64 " -> %" PRIu64
				 " uJ, wraps at %" PRIu64 ")",
				 m->root, c->path, c->last, cur, c->range);
			return -ERANGE;
		}
		c->last = cur;
		c->joules += delta * c->per_unit;
	}
	return 0;
}

/* ---- perf power PMU ----------------------------------------------------- */

static int perf_file(const char *root, const char *rel, char *buf, size_t len, char *err,
		     size_t errlen)
{
	char path[512];
	int ret;

	snprintf(path, sizeof(path), PERF_PMU_DIR "/%s", rel);
	ret = jtopo_fs_line(root, path, buf, len);
	if (ret)
		snprintf(err, errlen, "%s%s: %s", root ? root : "", path, strerror(-ret));
	return ret;
}

int jmeter_perf_event_read(const char *root, const char *name, struct jmeter_perf_event *ev,
			   char *err, size_t errlen)
{
	char buf[128], rel[128], *end;
	unsigned long long v;
	int ret;

	memset(ev, 0, sizeof(*ev));
	ret = perf_file(root, "type", buf, sizeof(buf), err, errlen);
	if (ret)
		return ret;
	ev->type = (uint32_t)strtoul(buf, &end, 10);
	if (*end || !ev->type) {
		snprintf(err, errlen, "%s" PERF_PMU_DIR "/type: '%s' is not a PMU type",
			 root ? root : "", buf);
		return -EINVAL;
	}
	snprintf(rel, sizeof(rel), "events/%.64s", name);
	ret = perf_file(root, rel, buf, sizeof(buf), err, errlen);
	if (ret)
		return ret;
	if (sscanf(buf, "event=%llx", &v) != 1) {
		snprintf(err, errlen, "%s" PERF_PMU_DIR "/%s: '%s' is not event=0xN",
			 root ? root : "", rel, buf);
		return -EINVAL;
	}
	ev->config = v;
	snprintf(rel, sizeof(rel), "events/%.64s.unit", name);
	ret = perf_file(root, rel, buf, sizeof(buf), err, errlen);
	if (!ret && strcmp(buf, "Joules")) {
		snprintf(err, errlen, "%s" PERF_PMU_DIR "/%s: unit '%s', expected Joules",
			 root ? root : "", rel, buf);
		ret = -EINVAL;
	}
	if (ret)
		return ret;
	snprintf(rel, sizeof(rel), "events/%.64s.scale", name);
	ret = perf_file(root, rel, buf, sizeof(buf), err, errlen);
	if (ret)
		return ret;
	ev->scale = strtod(buf, &end);
	if (*end || !(ev->scale > 0) || ev->scale > 1) {
		snprintf(err, errlen, "%s" PERF_PMU_DIR "/%s: '%s' is not a scale in (0, 1]",
			 root ? root : "", rel, buf);
		return -EINVAL;
	}
	if (perf_file(root, "cpumask", ev->cpumask, sizeof(ev->cpumask), err, errlen))
		snprintf(ev->cpumask, sizeof(ev->cpumask), "0");
	return 0;
}

static int perf_open(struct jmeter *m, char *err, size_t errlen)
{
	struct jmeter_perf_event ev;
	struct jtopo_cpuset cpus;
	int ret = jmeter_perf_event_read(root_or_empty(m), "energy-pkg", &ev, err, errlen);

	if (ret)
		return ret;
	if (jtopo_parse_cpulist(ev.cpumask, &cpus, 64 * JTOPO_MASK_WORDS)) {
		snprintf(err, errlen, "%s" PERF_PMU_DIR "/cpumask: '%s' is not a CPU list", m->root,
			 ev.cpumask);
		return -EINVAL;
	}
	for (int cpu = jtopo_cpuset_first(&cpus); cpu >= 0 && m->nr_perf_fds < NR_PERF_CPUS;
	     cpu = jtopo_cpuset_next(&cpus, cpu + 1)) {
		struct perf_event_attr attr = {
			.type = ev.type, .size = sizeof(attr), .config = ev.config};
		int fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, 0);
		struct channel *c = &m->ch[m->nr];

		if (fd < 0) {
			snprintf(err, errlen,
				 "perf_event_open(power/energy-pkg, CPU %d): %s (needs root or "
				 "perf_event_paranoid <= 0)",
				 cpu, strerror(errno));
			return -errno;
		}
		m->perf_fd[m->nr_perf_fds++] = fd;
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "energy-pkg@cpu%d", cpu);
		c->primary = true;
		c->per_unit = ev.scale;
		m->nr++;
	}
	snprintf(m->desc, sizeof(m->desc), "perf power PMU (power/energy-pkg, type %u)", ev.type);
	return 0;
}

static int perf_read(struct jmeter *m, char *err, size_t errlen)
{
	for (int i = 0; i < m->nr_perf_fds; i++) {
		struct channel *c = &m->ch[i];
		uint64_t count;

		if (read(m->perf_fd[i], &count, sizeof(count)) != sizeof(count)) {
			snprintf(err, errlen, "reading perf %s: %s", c->name, strerror(errno));
			return -EIO;
		}
		if (count < c->last) {
			snprintf(err, errlen, "perf %s went backwards (%" PRIu64 " -> %" PRIu64 ")",
				 c->name, c->last, count);
			return -ERANGE;
		}
		if (!c->primed) {
			c->base = count; /* the event counts from its open */
			c->primed = true;
		}
		c->last = count;
		c->joules = (double)(count - c->base) * c->per_unit;
	}
	return 0;
}

/* ---- turbostat --------------------------------------------------------- */

static bool is_number(const char *s)
{
	char *end;

	if (!*s)
		return false;
	strtod(s, &end);
	return !*end;
}

int jmeter_tstat_line(struct jmeter_tstat *t, const char *line)
{
	char copy[1024], *save, *tok;
	int n = 0;
	bool header = false;
	double vals[JMETER_TSTAT_COLS];

	snprintf(copy, sizeof(copy), "%s", line);
	copy[strcspn(copy, "\r\n")] = '\0';
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (n == JMETER_TSTAT_COLS)
			return -E2BIG;
		/* the summary row shows "-" under Core and CPU */
		if (!is_number(tok) && strcmp(tok, "-"))
			header = true;
		if (header) {
			snprintf(t->col[n], sizeof(t->col[n]), "%.23s", tok);
		} else {
			vals[n] = strcmp(tok, "-") ? strtod(tok, NULL) : NAN;
		}
		n++;
	}
	if (!n)
		return 0;
	if (header) {
		t->nr_cols = n;
		return 0;
	}
	if (!t->nr_cols || n != t->nr_cols)
		return -EINVAL;
	memcpy(t->val, vals, sizeof(vals[0]) * (size_t)n);
	t->rows++;
	return 1;
}

double jmeter_tstat_get(const struct jmeter_tstat *t, const char *column)
{
	if (!t->rows)
		return NAN;
	for (int i = 0; i < t->nr_cols; i++)
		if (!strcmp(t->col[i], column))
			return t->val[i];
	return NAN;
}

/* PATH walked in place: no copy whose allocation could fail. Empty entries are skipped. */
static bool in_path(const char *prog)
{
	const char *dir = getenv("PATH");
	char full[4096];

	while (dir && *dir) {
		size_t n = strcspn(dir, ":");
		int len = snprintf(full, sizeof(full), "%.*s/%s", (int)n, dir, prog);

		if (n && len > 0 && (size_t)len < sizeof(full) && !access(full, X_OK))
			return true;
		dir += n + (dir[n] == ':');
	}
	return false;
}

static int turbostat_open(struct jmeter *m, const struct jmeter_opts *o, char *err, size_t errlen)
{
	const char *cmd = o->turbostat ? o->turbostat : "turbostat";
	char interval[32];
	int fds[2];

	if (!o->turbostat && (o->root || !in_path("turbostat"))) {
		snprintf(err, errlen, "turbostat: %s",
			 o->root ? "not run for a recorded tree (give its command)"
				 : "not installed (linux-cpupower or linux-tools)");
		return -ENOENT;
	}
	m->interval = o->turbostat_interval > 0 ? o->turbostat_interval : 1.0;
	snprintf(interval, sizeof(interval), "%g", m->interval);
	if (pipe(fds)) {
		int e = errno;

		snprintf(err, errlen, "turbostat: pipe: %s", strerror(e));
		return -e;
	}
	m->child = fork();
	if (m->child < 0) {
		int e = errno;

		close(fds[0]);
		close(fds[1]);
		snprintf(err, errlen, "turbostat: fork: %s", strerror(e));
		return -e;
	}
	if (!m->child) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp(cmd, cmd, "--quiet", "--Summary", "--show",
		       "PkgWatt,CorWatt,Busy%,Bzy_MHz,CPU%c1,CPU%c6,Pkg%pc2,Pkg%pc6", "--interval",
		       interval, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	m->pipe_fd = fds[0];
	fcntl(m->pipe_fd, F_SETFL, fcntl(m->pipe_fd, F_GETFL) | O_NONBLOCK);
	m->nr = 2;
	memset(m->ch, 0, sizeof(m->ch[0]) * 2);
	snprintf(m->ch[0].name, sizeof(m->ch[0].name), "PkgWatt");
	m->ch[0].primary = true;
	snprintf(m->ch[1].name, sizeof(m->ch[1].name), "CorWatt");
	snprintf(m->desc, sizeof(m->desc), "turbostat (%s, PkgWatt x %gs intervals)", cmd,
		 m->interval);
	return 0;
}

static int turbostat_drain(struct jmeter *m, char *err, size_t errlen);

/*
 * turbostat works only once it printed a row (it exits at once without root
 * or MSR access).
 */
static int turbostat_first_row(struct jmeter *m, char *err, size_t errlen)
{
	double deadline = now_s() + 3 * m->interval + 2;
	int ret = 0;

	while (!ret && !m->tstat.rows && !m->child_done && now_s() < deadline) {
		ret = turbostat_drain(m, err, errlen);
		usleep(20000);
	}
	if (!ret && !m->tstat.rows) {
		snprintf(err, errlen, "turbostat: %s",
			 m->child_done ? "exited without printing a row (needs root and msr)"
				       : "printed no row in time");
		ret = -EIO;
	}
	return ret;
}

/* Whole lines from the pipe; each summary row adds watts x interval. */
static int turbostat_drain(struct jmeter *m, char *err, size_t errlen)
{
	for (;;) {
		ssize_t got =
			read(m->pipe_fd, m->buf + m->buf_len, sizeof(m->buf) - 1 - m->buf_len);
		char *nl, *start = m->buf;

		if (got <= 0) {
			if (got == 0)
				m->child_done = true;
			return got == 0 || errno == EAGAIN ? 0 : -errno;
		}
		m->buf_len += (size_t)got;
		m->buf[m->buf_len] = '\0';
		while ((nl = strchr(start, '\n'))) {
			int row;

			*nl = '\0';
			row = jmeter_tstat_line(&m->tstat, start);
			if (row < 0) {
				snprintf(err, errlen, "turbostat: cannot parse '%.200s'", start);
				return row;
			}
			if (row && isnan(jmeter_tstat_get(&m->tstat, "PkgWatt"))) {
				snprintf(err, errlen, "turbostat: no PkgWatt column");
				return -EINVAL;
			}
			/* the first row's interval began before the meter was opened */
			if (row && m->tstat.rows > 1) {
				double cor = jmeter_tstat_get(&m->tstat, "CorWatt");

				m->ch[0].joules +=
					jmeter_tstat_get(&m->tstat, "PkgWatt") * m->interval;
				if (!isnan(cor))
					m->ch[1].joules += cor * m->interval;
			}
			start = nl + 1;
		}
		m->buf_len -= (size_t)(start - m->buf);
		memmove(m->buf, start, m->buf_len);
		if (m->buf_len == sizeof(m->buf) - 1)
			m->buf_len = 0; /* a line longer than any turbostat prints */
	}
}

/*
 * Once turbostat has closed its output, nothing measures the energy used
 * from then on: this read and every later one fail, never a total that
 * stopped growing.
 */
static int turbostat_read(struct jmeter *m, char *err, size_t errlen)
{
	int ret = turbostat_drain(m, err, errlen);

	if (ret || !m->child_done)
		return ret;
	if (m->child > 0 && waitpid(m->child, &m->child_status, 0) == m->child)
		m->child = 0;
	if (WIFEXITED(m->child_status) && !WEXITSTATUS(m->child_status))
		snprintf(err, errlen, "turbostat ended after %d rows", m->tstat.rows);
	else
		snprintf(err, errlen, "turbostat stopped (%s %d) after %d rows",
			 WIFEXITED(m->child_status) ? "exit status" : "signal",
			 WIFEXITED(m->child_status) ? WEXITSTATUS(m->child_status)
						    : WTERMSIG(m->child_status),
			 m->tstat.rows);
	return -EIO;
}

double jmeter_turbostat_last(const struct jmeter *m, const char *column)
{
	return m->kind == JMETER_TURBOSTAT ? jmeter_tstat_get(&m->tstat, column) : NAN;
}

int jmeter_turbostat_rows(const struct jmeter *m)
{
	return m->kind == JMETER_TURBOSTAT ? m->tstat.rows : 0;
}

/* ---- battery ------------------------------------------------------------ */

/*
 * Every battery of the machine (BAT*, not scope Device) is a channel, all
 * of them counted: a laptop with two drains one, then the other, and which
 * one is Discharging changes while a run goes on.
 */

static int battery_value(const struct jmeter *m, const struct channel *c, const char *file,
			 uint64_t *v)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "%s/%s", c->path, file);
	return jtopo_fs_u64(root_or_empty(m), rel, v);
}

/* Is a mains or USB supply of the machine (not scope Device) online? */
static bool ac_online(const struct jmeter *m)
{
	char path[4096];
	struct dirent *de;
	bool online = false;
	DIR *d;

	jtopo_fs_path(path, sizeof(path), root_or_empty(m), SUPPLY_DIR);
	d = opendir(path);
	while (d && !online && (de = readdir(d)))
		online =
			de->d_name[0] != '.' && jsupply_kind(path, de->d_name) == JSUPPLY_AC_ONLINE;
	if (d)
		closedir(d);
	return online;
}

/*
 * The machine runs on its batteries: none is Charging, and one is
 * Discharging (the others may be idle: Not charging, Full, Unknown). After
 * the start, none Discharging will also do for two reads in a row while no
 * AC supply is online: as a laptop hands over from one battery to the
 * other, each reports its own status (the ACPI driver caches it for about a
 * second), and a read in between can find neither Discharging.
 */
static int batteries_discharging(struct jmeter *m, bool started, char *err, size_t errlen)
{
	char rel[512], status[32], first[32] = "";
	bool discharging = false;
	int ret;

	for (int i = 0; i < m->nr; i++) {
		snprintf(rel, sizeof(rel), "%s/status", m->ch[i].path);
		ret = jtopo_fs_line(root_or_empty(m), rel, status, sizeof(status));
		if (ret || !strcmp(status, "Charging"))
			goto not_on_battery;
		discharging |= !strcmp(status, "Discharging");
		if (!i)
			snprintf(first, sizeof(first), "%s", status);
	}
	if (discharging) {
		m->handover_reads = 0;
		return 0;
	}
	if (started && m->handover_reads < 2 && !ac_online(m)) {
		m->handover_reads++;
		return 0;
	}
	snprintf(rel, sizeof(rel), "%s/status", m->ch[0].path);
	snprintf(status, sizeof(status), "%s", first);
	ret = 0;
not_on_battery:
	snprintf(err, errlen,
		 "%s%s: %s (the battery measures the machine only while discharging: unplug AC)",
		 m->root, rel, ret ? strerror(-ret) : status);
	return ret ? ret : -EAGAIN;
}

/*
 * Channel c's counter now: stored energy in J (energy_now), charge in C and
 * the voltage in V (charge_now, voltage_now), or power in W (power_now).
 */
static int battery_sample(const struct jmeter *m, const struct channel *c, double *v, double *volts,
			  char *err, size_t errlen)
{
	uint64_t a, b = 0;
	int ret = 0;

	switch (c->bat) {
	case BAT_ENERGY:
		ret = battery_value(m, c, "energy_now", &a);
		*v = a * UWH_TO_J;
		break;
	case BAT_CHARGE:
		ret = battery_value(m, c, "charge_now", &a);
		if (!ret)
			ret = battery_value(m, c, "voltage_now", &b);
		*v = a * UAH_TO_C;
		*volts = b / 1e6;
		break;
	case BAT_POWER:
		ret = battery_value(m, c, "power_now", &a);
		*v = a / 1e6;
		break;
	}
	if (ret)
		snprintf(err, errlen, "%s%s: unreadable counter: %s", m->root, c->path,
			 strerror(-ret));
	return ret;
}

/*
 * Is this supply a battery of the machine? Its type says so; not every
 * driver names it BAT* (qcom-battmgr-bat on Snapdragon laptops,
 * macsmc-battery on Apple's). A BAT* without a type file is taken as one.
 */
static bool machine_battery(const char *class_dir, const char *name)
{
	enum jsupply_kind kind = jsupply_kind(class_dir, name);

	return kind == JSUPPLY_BATTERY || (kind == JSUPPLY_OTHER && !strncmp(name, "BAT", 3));
}

/* Every battery of the machine, in name order, as channels with their counters. */
static int battery_find(struct jmeter *m, char *err, size_t errlen)
{
	char path[4096];
	struct dirent **names = NULL;
	int n;

	jtopo_fs_path(path, sizeof(path), root_or_empty(m), SUPPLY_DIR);
	n = scandir(path, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		struct channel *c = &m->ch[m->nr];

		if (name[0] == '.' || m->nr == MAX_CHANNELS || !machine_battery(path, name))
			continue;
		memset(c, 0, sizeof(*c));
		snprintf(c->path, sizeof(c->path), SUPPLY_DIR "/%.64s", name);
		snprintf(c->name, sizeof(c->name), "%.40s", name);
		c->primary = true;
		m->nr++;
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!m->nr) {
		snprintf(err, errlen, "no battery in %s%s (type Battery, or a BAT*)", m->root,
			 SUPPLY_DIR);
		return -ENOENT;
	}
	return 0;
}

/* Which counter channel c has: energy, else charge and voltage, else power. */
static int battery_counter(const struct jmeter *m, struct channel *c, char *err, size_t errlen)
{
	uint64_t v;

	if (!battery_value(m, c, "energy_now", &v))
		c->bat = BAT_ENERGY;
	else if (!battery_value(m, c, "charge_now", &v) && !battery_value(m, c, "voltage_now", &v))
		c->bat = BAT_CHARGE;
	else if (!battery_value(m, c, "power_now", &v))
		c->bat = BAT_POWER;
	else {
		snprintf(err, errlen, "%s%s: no energy_now, charge_now/voltage_now or power_now",
			 m->root, c->path);
		return -ENOENT;
	}
	return 0;
}

static int battery_open(struct jmeter *m, char *err, size_t errlen)
{
	static const char *const how[] = {"energy_now", "charge_now x voltage_now", "power_now"};
	size_t len;
	int ret = battery_find(m, err, errlen);

	for (int i = 0; !ret && i < m->nr; i++)
		ret = battery_counter(m, &m->ch[i], err, errlen);
	if (!ret)
		ret = batteries_discharging(m, false, err, errlen);
	for (int i = 0; !ret && i < m->nr; i++)
		ret = battery_sample(m, &m->ch[i], &m->ch[i].last_q, &m->ch[i].last_v, err, errlen);
	if (ret)
		return ret;
	m->last_t = now_s();
	len = (size_t)snprintf(m->desc, sizeof(m->desc), "%s", m->nr > 1 ? "batteries" : "battery");
	for (int i = 0; i < m->nr && len < sizeof(m->desc); i++)
		len += (size_t)snprintf(m->desc + len, sizeof(m->desc) - len, "%s %s (%s)",
					i ? "," : "", m->ch[i].name, how[m->ch[i].bat]);
	return 0;
}

/*
 * Energy out of channel c since its last sample: the fall in stored energy;
 * for charge, the charge that left times the mean voltage over the interval
 * (stored energy as charge x voltage would count the voltage's sag under
 * load and its recovery after as energy used and given back); for power,
 * its mean over the interval.
 */
static int battery_used(const struct jmeter *m, struct channel *c, double v, double volts,
			double dt, char *err, size_t errlen)
{
	if (c->bat == BAT_POWER) {
		c->joules += (v + c->last_q) / 2 * dt;
	} else if (v > c->last_q) {
		snprintf(err, errlen, "%s%s: stored %s rose while discharging (%.1f -> %.1f %s)",
			 m->root, c->path, c->bat == BAT_CHARGE ? "charge" : "energy", c->last_q, v,
			 c->bat == BAT_CHARGE ? "C" : "J");
		return -ERANGE;
	} else if (c->bat == BAT_CHARGE) {
		c->joules += (c->last_q - v) * (volts + c->last_v) / 2;
	} else {
		c->joules += c->last_q - v;
	}
	c->last_q = v;
	c->last_v = volts;
	return 0;
}

static int battery_read(struct jmeter *m, char *err, size_t errlen)
{
	double v[MAX_CHANNELS], volts[MAX_CHANNELS] = {0}, t = now_s();
	int ret = batteries_discharging(m, true, err, errlen);

	for (int i = 0; !ret && i < m->nr; i++)
		ret = battery_sample(m, &m->ch[i], &v[i], &volts[i], err, errlen);
	for (int i = 0; !ret && i < m->nr; i++)
		ret = battery_used(m, &m->ch[i], v[i], volts[i], t - m->last_t, err, errlen);
	if (!ret)
		m->last_t = t;
	return ret;
}

/* ---- the handle ---------------------------------------------------------- */

static int open_kind(struct jmeter *m, enum jmeter_kind k, const struct jmeter_opts *o, char *err,
		     size_t errlen)
{
	m->kind = k;
	m->nr = 0;
	switch (k) {
	case JMETER_RAPL: return rapl_open(m, err, errlen);
	case JMETER_PERF: return perf_open(m, err, errlen);
	case JMETER_TURBOSTAT:
		return turbostat_open(m, o, err, errlen) ?: turbostat_first_row(m, err, errlen);
	case JMETER_BATTERY: return battery_open(m, err, errlen);
	default: return -EINVAL;
	}
}

static void release(struct jmeter *m)
{
	for (int i = 0; i < m->nr_perf_fds; i++)
		close(m->perf_fd[i]);
	m->nr_perf_fds = 0;
	if (m->child > 0) {
		kill(m->child, SIGINT);
		waitpid(m->child, NULL, 0);
		m->child = 0;
	}
	/* 0 too: with stdin closed, pipe() gives that */
	if (m->pipe_fd >= 0)
		close(m->pipe_fd);
	m->pipe_fd = -1;
}

int jmeter_open(struct jmeter **out, const struct jmeter_opts *o, char *err, size_t errlen)
{
	struct jmeter *m = calloc(1, sizeof(*m));
	char why[4][512];
	int ret = -ENOENT;
	double j;

	if (!m)
		return -ENOMEM;
	m->pipe_fd = -1;
	if (o->root && strcmp(o->root, "/")) {
		if (strlen(o->root) >= sizeof(m->root)) {
			snprintf(err, errlen, "%.64s...: path too long", o->root);
			free(m);
			return -ENAMETOOLONG;
		}
		snprintf(m->root, sizeof(m->root), "%s", o->root);
	}
	for (int k = JMETER_RAPL; k <= JMETER_BATTERY; k++) {
		why[k - 1][0] = '\0';
		if (o->only != JMETER_AUTO && o->only != (enum jmeter_kind)k)
			continue;
		ret = open_kind(m, k, o, why[k - 1], sizeof(why[0]));
		if (!ret)
			ret = jmeter_read(m, &j, why[k - 1], sizeof(why[0]));
		if (!ret)
			break;
		release(m);
		/* not a missing source: the next one would measure something else */
		if (ret == -ENOMEM) {
			snprintf(err, errlen, "%s", why[k - 1]);
			free(m);
			return ret;
		}
	}
	if (ret) {
		if (o->only != JMETER_AUTO)
			snprintf(err, errlen, "%s", why[o->only - 1]);
		else
			snprintf(err, errlen, "no energy source: %s; %s; %s; %s", why[0], why[1],
				 why[2], why[3]);
		free(m);
		return ret == -ERANGE ? ret : -ENOENT;
	}
	*out = m;
	return 0;
}

int jmeter_read(struct jmeter *m, double *joules, char *err, size_t errlen)
{
	int ret;

	switch (m->kind) {
	case JMETER_RAPL: ret = rapl_read(m, err, errlen); break;
	case JMETER_PERF: ret = perf_read(m, err, errlen); break;
	case JMETER_TURBOSTAT: ret = turbostat_read(m, err, errlen); break;
	case JMETER_BATTERY: ret = battery_read(m, err, errlen); break;
	default: ret = -EINVAL;
	}
	*joules = 0;
	for (int i = 0; !ret && i < m->nr; i++)
		if (m->ch[i].primary)
			*joules += m->ch[i].joules;
	return ret;
}

void jmeter_close(struct jmeter *m)
{
	if (!m)
		return;
	release(m);
	free(m);
}

enum jmeter_kind jmeter_kind(const struct jmeter *m)
{
	return m->kind;
}

const char *jmeter_describe(const struct jmeter *m)
{
	return m->desc;
}

int jmeter_nr_channels(const struct jmeter *m)
{
	return m->nr;
}

const char *jmeter_channel_name(const struct jmeter *m, int i)
{
	return i >= 0 && i < m->nr ? m->ch[i].name : "";
}

double jmeter_channel_joules(const struct jmeter *m, int i)
{
	return i >= 0 && i < m->nr ? m->ch[i].joules : NAN;
}
