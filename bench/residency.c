// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jtopo_fs.h"
#include "residency.h"

#define CPUFREQ "/sys/devices/system/cpu/cpu%d/cpufreq"

/* Busy jiffies of each CPU: everything but idle and iowait. */
static void read_busy(unsigned long long *busy)
{
	unsigned long long v[10];
	char line[512];
	FILE *f = fopen("/proc/stat", "r");
	int cpu;

	memset(busy, 0, sizeof(*busy) * RES_MAX_CPUS);
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 9 ||
		    cpu < 0 || cpu >= RES_MAX_CPUS)
			continue;
		busy[cpu] = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	}
	if (f)
		fclose(f);
}

static int nearest_opp(const struct jpower_pd *pd, double khz)
{
	int best = 0;

	for (int i = 1; i < pd->nr_opps; i++)
		if (fabs(pd->opp[i].khz - khz) < fabs(pd->opp[best].khz - khz))
			best = i;
	return best;
}

/* time_in_state of the domain's first CPU, in seconds per OPP; -ENOENT if none. */
static int read_tis(const struct residency *r, int d, double *out)
{
	const struct jpower_pd *pd = &r->em->pd[d];
	char rel[128], buf[8192], *line, *save;
	int cpu = jtopo_cpuset_first(&pd->cpus), lines = 0;
	unsigned long long khz, ticks;

	memset(out, 0, sizeof(double) * JPOWER_MAX_OPPS);
	snprintf(rel, sizeof(rel), CPUFREQ "/stats/time_in_state", cpu);
	if (!pd->nr_opps || jtopo_fs_text(r->root, rel, buf, sizeof(buf)))
		return -ENOENT;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%llu %llu", &khz, &ticks) == 2) {
			/* the unit is 10 ms (USER_HZ = 100 on every architecture) */
			out[nearest_opp(pd, (double)khz)] += ticks / 100.0;
			lines++;
		}
	return lines ? 0 : -ENOENT;
}

void residency_start(struct residency *r, const struct jpower_model *em, const char *root)
{
	memset(r, 0, sizeof(*r));
	r->em = em;
	r->root = root;
	for (int d = 0; d < em->nr_pds; d++)
		r->how[d] = read_tis(r, d, r->tis0[d]) ? NULL : "time_in_state";
	read_busy(r->busy0);
}

void residency_sample(struct residency *r)
{
	for (int d = 0; d < r->em->nr_pds; d++) {
		const struct jpower_pd *pd = &r->em->pd[d];

		if (r->how[d] || !pd->nr_opps)
			continue;
		for (int c = jtopo_cpuset_first(&pd->cpus); c >= 0;
		     c = jtopo_cpuset_next(&pd->cpus, c + 1)) {
			char rel[128];
			uint64_t khz;

			snprintf(rel, sizeof(rel), CPUFREQ "/scaling_cur_freq", c);
			if (!jtopo_fs_u64(r->root, rel, &khz))
				r->samples[d][nearest_opp(pd, (double)khz)] += 1;
		}
	}
}

/* Shares of the run's time at each OPP of domain d (all at the top if unknown). */
static void shares(struct residency *r, int d, double *share)
{
	const struct jpower_pd *pd = &r->em->pd[d];
	double *src = r->samples[d], total = 0;

	if (r->how[d] && !read_tis(r, d, r->tis1[d])) {
		for (int i = 0; i < pd->nr_opps; i++)
			r->tis1[d][i] -= r->tis0[d][i];
		src = r->tis1[d];
	}
	for (int i = 0; i < pd->nr_opps; i++)
		total += src[i] > 0 ? src[i] : 0;
	for (int i = 0; i < pd->nr_opps; i++)
		share[i] = total > 0 ? (src[i] > 0 ? src[i] : 0) / total : i == pd->nr_opps - 1;
}

void residency_finish(struct residency *r, struct jfit_obs *o)
{
	unsigned long long busy1[RES_MAX_CPUS];
	long hz = sysconf(_SC_CLK_TCK);

	read_busy(busy1);
	memset(o->busy_s, 0, sizeof(o->busy_s));
	for (int d = 0; d < r->em->nr_pds; d++) {
		const struct jpower_pd *pd = &r->em->pd[d];
		double share[JPOWER_MAX_OPPS], busy = 0;

		for (int c = jtopo_cpuset_first(&pd->cpus); c >= 0 && c < RES_MAX_CPUS;
		     c = jtopo_cpuset_next(&pd->cpus, c + 1))
			busy += (double)(busy1[c] - r->busy0[c]) / (hz > 0 ? hz : 100);
		shares(r, d, share);
		for (int i = 0; i < pd->nr_opps; i++)
			o->busy_s[d][i] = busy * share[i];
	}
}

void residency_csv(FILE *f, int run, const struct jpower_model *em, const struct jfit_obs *o)
{
	for (int d = 0; d < em->nr_pds; d++)
		for (int i = 0; i < em->pd[d].nr_opps; i++)
			if (o->busy_s[d][i] > 0 || i == em->pd[d].nr_opps - 1)
				fprintf(f, "%d,%.3f,%.4f,%s,%u,%.4f\n", run, o->seconds,
					o->energy_j, em->pd[d].name, em->pd[d].opp[i].khz,
					o->busy_s[d][i]);
}

static int pd_index(const struct jpower_model *em, const char *name)
{
	for (int d = 0; d < em->nr_pds; d++)
		if (!strcmp(em->pd[d].name, name))
			return d;
	return -1;
}

/* One data row into the run it belongs to (runs are numbered from 0, in order). */
static int csv_row(char *line, const struct jpower_model *em, struct jfit_obs **obs, int *n,
		   char *msg, size_t len)
{
	char domain[64];
	double seconds, energy, khz, busy;
	int run, d;

	if (sscanf(line, "%d,%lf,%lf,%63[^,],%lf,%lf", &run, &seconds, &energy, domain, &khz,
		   &busy) != 6) {
		snprintf(msg, len, "expected run,seconds,energy_j,domain,khz,busy_s");
		return -EINVAL;
	}
	if (run < 0 || run > *n || run > 100000 || !(seconds > 0) || !(energy > 0) || busy < 0) {
		snprintf(msg, len,
			 "run %d: runs must be numbered in order, with seconds and "
			 "energy above 0",
			 run);
		return -EINVAL;
	}
	d = pd_index(em, domain);
	if (d < 0 || !em->pd[d].nr_opps) {
		snprintf(msg, len, "domain '%s' is not one of this machine's with frequencies",
			 domain);
		return -EINVAL;
	}
	if (run == *n) {
		struct jfit_obs *grown = realloc(*obs, sizeof(**obs) * (size_t)(*n + 1));

		if (!grown)
			return -ENOMEM;
		*obs = grown;
		memset(&grown[run], 0, sizeof(grown[run]));
		grown[run].seconds = seconds;
		grown[run].energy_j = energy;
		(*n)++;
	}
	(*obs)[run].busy_s[d][nearest_opp(&em->pd[d], khz)] += busy;
	return 0;
}

int residency_csv_read(const char *path, const struct jpower_model *em, struct jfit_obs **obs,
		       int *n, char *err, size_t errlen)
{
	char line[512], msg[256];
	FILE *f = fopen(path, "r");
	int lineno = 0, ret = 0;

	*obs = NULL;
	*n = 0;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || !strncmp(line, "run,", 4) || line[0] == '\n')
			continue;
		ret = csv_row(line, em, obs, n, msg, sizeof(msg));
		if (ret)
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
	}
	fclose(f);
	if (!ret && !*n) {
		snprintf(err, errlen, "%s: no runs", path);
		ret = -EINVAL;
	}
	if (ret) {
		free(*obs);
		*obs = NULL;
	}
	return ret;
}
