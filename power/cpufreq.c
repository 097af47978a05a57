// SPDX-License-Identifier: GPL-2.0-only
/*
 * cpufreq policies, through libcpupower on this machine and through the
 * same sysfs files under another root (libcpupower's paths are fixed).
 */
#include <cpufreq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpower.h"

#define CPUFREQ_DIR "/sys/devices/system/cpu/cpu%d/cpufreq"

/* What one CPU's cpufreq says, whichever way it was read. */
struct cpu_freq {
	bool present;
	struct jtopo_cpuset related;
	unsigned long min_khz, max_khz;
	int nr_freqs;
	unsigned long freq_khz[JPOWER_MAX_FREQS + 1];
	char driver[JPOWER_NAME_LEN], governor[JPOWER_NAME_LEN];
};

static void read_cpu_libcpupower(int cpu, struct cpu_freq *f)
{
	struct cpufreq_affected_cpus *rel, *r;
	struct cpufreq_available_frequencies *av, *a;
	struct cpufreq_policy *pol;
	char *drv;

	if (cpufreq_get_hardware_limits((unsigned)cpu, &f->min_khz, &f->max_khz))
		return;
	f->present = true;
	rel = cpufreq_get_related_cpus((unsigned)cpu);
	for (r = rel; r; r = r->next)
		if (r->cpu < JTOPO_MAX_CPUS)
			jtopo_cpuset_set(&f->related, (int)r->cpu);
	if (rel)
		cpufreq_put_related_cpus(rel);
	else
		jtopo_cpuset_set(&f->related, cpu);
	av = cpufreq_get_available_frequencies((unsigned)cpu);
	for (a = av; a && f->nr_freqs <= JPOWER_MAX_FREQS; a = a->next)
		f->freq_khz[f->nr_freqs++] = a->frequency;
	if (av)
		cpufreq_put_available_frequencies(av);
	drv = cpufreq_get_driver((unsigned)cpu);
	if (drv) {
		snprintf(f->driver, sizeof(f->driver), "%s", drv);
		cpufreq_put_driver(drv);
	}
	pol = cpufreq_get_policy((unsigned)cpu);
	if (pol) {
		snprintf(f->governor, sizeof(f->governor), "%s",
			 pol->governor ? pol->governor : "");
		cpufreq_put_policy(pol);
	}
}

/* A cpufreq file of one number: 0, or -EINVAL with err naming the file. */
static int read_u64_file(const char *root, int cpu, const char *name, unsigned long *v, char *err,
			 size_t errlen)
{
	char rel[128];
	uint64_t x = 0;
	int ret;

	snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/cpufreq/%s", cpu, name);
	ret = jtopo_fs_u64(root, rel, &x);
	*v = (unsigned long)x;
	if (!ret)
		return 0;
	snprintf(err, errlen, "%s%s: %s", root, rel,
		 ret == -EINVAL ? "not a number" : strerror(-ret));
	/* whatever the cause: -ENODATA (empty) would read as cpufreq missing on some CPUs */
	return -EINVAL;
}

static int read_cpu_files(const char *root, int cpu, struct cpu_freq *f, char *err, size_t errlen)
{
	/* frequencies: up to 8 digits and a space each, room for more than JPOWER_MAX_FREQS */
	char rel[128], buf[JTOPO_CPULIST_LEN], freqs[1024], *p, *end;
	int ret;

	snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/cpufreq", cpu);
	if (!jtopo_fs_exists(root, rel))
		return 0;
	f->present = true;
	ret = read_u64_file(root, cpu, "cpuinfo_min_freq", &f->min_khz, err, errlen);
	if (!ret)
		ret = read_u64_file(root, cpu, "cpuinfo_max_freq", &f->max_khz, err, errlen);
	if (ret)
		return ret;
	snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/cpufreq/related_cpus", cpu);
	ret = jtopo_fs_line(root, rel, buf, sizeof(buf));
	if (ret == -EOVERFLOW) {
		snprintf(err, errlen, "%s%s: longer than %zu bytes, not a list of at most %d CPUs",
			 root, rel, sizeof(buf) - 1, JTOPO_MAX_CPUS);
		return -EINVAL;
	}
	if (ret || jtopo_parse_cpulist(buf, &f->related, JTOPO_MAX_CPUS)) {
		snprintf(err, errlen, "%s%s: missing or not a CPU list", root, rel);
		return -EINVAL;
	}
	snprintf(rel, sizeof(rel),
		 "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_available_frequencies", cpu);
	ret = jtopo_fs_line(root, rel, freqs, sizeof(freqs));
	if (ret == -EOVERFLOW) {
		snprintf(err, errlen,
			 "%s%s: longer than %zu bytes, more frequencies than scx_joule reads (%d)",
			 root, rel, sizeof(freqs) - 1, JPOWER_MAX_FREQS);
		return -EINVAL;
	}
	if (!ret) {
		for (p = freqs; *p && f->nr_freqs <= JPOWER_MAX_FREQS; p = end) {
			while (*p == ' ')
				p++;
			if (!*p)
				break;
			f->freq_khz[f->nr_freqs] = strtoul(p, &end, 10);
			if (end == p || (*end && *end != ' ')) {
				snprintf(err, errlen, "%s%s: '%s' is not a frequency list", root,
					 rel, freqs);
				return -EINVAL;
			}
			f->nr_freqs++;
		}
	}
	snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_driver", cpu);
	jtopo_fs_line(root, rel, f->driver, sizeof(f->driver));
	snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", cpu);
	jtopo_fs_line(root, rel, f->governor, sizeof(f->governor));
	return 0;
}

/* Sane limits and a strictly monotonic frequency list, stored ascending. */
static int check_and_store(struct jpower_policy *p, const struct cpu_freq *f, const char *where,
			   int cpu, char *err, size_t errlen)
{
	bool up = true, down = true;

	if (!f->min_khz || f->min_khz > f->max_khz || f->max_khz > JTOPO_MAX_KHZ) {
		snprintf(err, errlen,
			 "%s" CPUFREQ_DIR "/cpuinfo_{min,max}_freq: %lu..%lu kHz is not a "
			 "frequency range",
			 where, cpu, f->min_khz, f->max_khz);
		return -EINVAL;
	}
	if (f->nr_freqs > JPOWER_MAX_FREQS) {
		snprintf(err, errlen,
			 "%s" CPUFREQ_DIR "/scaling_available_frequencies: more than %d", where,
			 cpu, JPOWER_MAX_FREQS);
		return -EINVAL;
	}
	for (int i = 1; i < f->nr_freqs; i++) {
		up &= f->freq_khz[i] > f->freq_khz[i - 1];
		down &= f->freq_khz[i] < f->freq_khz[i - 1];
	}
	if (f->nr_freqs > 1 && !up && !down) {
		snprintf(err, errlen,
			 "%s" CPUFREQ_DIR "/scaling_available_frequencies: not monotonic (a "
			 "frequency repeats or is out of order)",
			 where, cpu);
		return -EINVAL;
	}
	for (int i = 0; i < f->nr_freqs; i++) {
		unsigned long v = f->freq_khz[up ? i : f->nr_freqs - 1 - i];

		if (!v || v > JTOPO_MAX_KHZ) {
			snprintf(err, errlen,
				 "%s" CPUFREQ_DIR
				 "/scaling_available_frequencies: %lu kHz is absurd",
				 where, cpu, v);
			return -EINVAL;
		}
		p->freq_khz[i] = (unsigned)v;
	}
	p->nr_freqs = f->nr_freqs;
	p->min_khz = (unsigned)f->min_khz;
	p->max_khz = (unsigned)f->max_khz;
	p->cpus = f->related;
	snprintf(p->driver, sizeof(p->driver), "%s", f->driver);
	snprintf(p->governor, sizeof(p->governor), "%s", f->governor);
	return 0;
}

static bool covered(const struct jpower_cpufreq *cf, int cpu)
{
	for (int i = 0; i < cf->nr_policies; i++)
		if (jtopo_cpuset_isset(&cf->policy[i].cpus, cpu))
			return true;
	return false;
}

/*
 * Policies partition the CPUs; one whose related_cpus reaches into
 * another's would put a CPU in two performance domains (two tables, and
 * its entry pointing at one of them).
 */
static int check_overlap(const struct jpower_cpufreq *cf, const struct cpu_freq *f,
			 const char *where, int cpu, char *err, size_t errlen)
{
	for (int i = 0; i < cf->nr_policies; i++) {
		const struct jpower_policy *p = &cf->policy[i];
		char list[128];

		for (int c = jtopo_cpuset_first(&p->cpus); c >= 0;
		     c = jtopo_cpuset_next(&p->cpus, c + 1)) {
			if (!jtopo_cpuset_isset(&f->related, c))
				continue;
			jtopo_format_cpulist(&p->cpus, list, sizeof(list));
			snprintf(err, errlen,
				 "%s" CPUFREQ_DIR "/related_cpus: CPU %d is also in the policy of "
				 "CPU %d (CPUs %s): a CPU in two performance domains",
				 where, cpu, c, jtopo_cpuset_first(&p->cpus), list);
			return -EINVAL;
		}
	}
	return 0;
}

int jpower_cpufreq_read(struct jpower_cpufreq *cf, const struct jtopo *t, const char *root,
			char *err, size_t errlen)
{
	static struct cpu_freq f;
	bool real = !root || !strcmp(root, "/");
	const char *where = real ? "" : root;
	int have = -1, miss = -1;

	memset(cf, 0, sizeof(*cf));
	cf->via_libcpupower = real;
	for (int c = 0; c < t->nr_cpus; c++) {
		int ret = 0;

		if (!jtopo_cpuset_isset(&t->online, c))
			continue;
		memset(&f, 0, sizeof(f));
		if (real)
			read_cpu_libcpupower(c, &f);
		else
			ret = read_cpu_files(root, c, &f, err, errlen);
		if (ret)
			return ret;
		if (!f.present) {
			miss = c;
			continue;
		}
		have = c;
		if (covered(cf, c))
			continue;
		jtopo_cpuset_set(&f.related, c);
		ret = check_overlap(cf, &f, where, c, err, errlen);
		if (ret)
			return ret;
		if (cf->nr_policies == JPOWER_MAX_POLICIES)
			break;
		ret = check_and_store(&cf->policy[cf->nr_policies], &f, where, c, err, errlen);
		if (ret)
			return ret;
		cf->nr_policies++;
	}
	if (have >= 0 && miss >= 0) {
		snprintf(err, errlen,
			 "%s/sys/devices/system/cpu/cpu%d/cpufreq: missing (CPU %d has one)", where,
			 miss, have);
		return -ENODATA;
	}
	return 0;
}

/* How to let schedutil drive a policy run by driver. */
static const char *schedutil_hint(const char *driver)
{
	if (!strcmp(driver, "intel_pstate"))
		return "echo passive > /sys/devices/system/cpu/intel_pstate/status, then "
		       "cpupower frequency-set -g schedutil";
	if (!strcmp(driver, "amd-pstate-epp"))
		return "echo guided > /sys/devices/system/cpu/amd_pstate/status (or passive), then "
		       "cpupower frequency-set -g schedutil";
	return "cpupower frequency-set -g schedutil";
}

bool jpower_requests_ignored(const struct jpower_cpufreq *cf, char *why, size_t len)
{
	for (int i = 0; i < cf->nr_policies; i++) {
		const struct jpower_policy *p = &cf->policy[i];

		if (!strcmp(p->governor, "schedutil"))
			continue;
		snprintf(why, len,
			 "cpufreq driver %s with governor %s chooses frequencies itself and "
			 "ignores scx_joule's requests; to let the scheduler drive them: %s",
			 p->driver[0] ? p->driver : "(unknown)",
			 p->governor[0] ? p->governor : "(none)", schedutil_hint(p->driver));
		return true;
	}
	if (len)
		why[0] = '\0';
	return false;
}
