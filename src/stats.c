// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "stats.h"

int joule_stats_snapshot_alloc(struct joule_stats_snapshot *s, int nr_cpus)
{
	s->nr_cpus = nr_cpus;
	s->time_s = 0;
	s->cpu = calloc(nr_cpus > 0 ? nr_cpus : 1, sizeof(*s->cpu));
	s->online = calloc(nr_cpus > 0 ? nr_cpus : 1, sizeof(*s->online));
	if (!s->cpu || !s->online) {
		joule_stats_snapshot_free(s);
		return -ENOMEM;
	}
	for (int c = 0; c < nr_cpus; c++)
		s->online[c] = true;
	return 0;
}

void joule_stats_snapshot_free(struct joule_stats_snapshot *s)
{
	free(s->cpu);
	free(s->online);
	s->cpu = NULL;
	s->online = NULL;
}

void joule_stats_set_online(struct joule_stats_snapshot *s, const __u64 *words, int nr_words)
{
	for (int c = 0; c < s->nr_cpus; c++)
		s->online[c] = c / 64 < nr_words && (words[c / 64] >> (c % 64) & 1);
}

void joule_stats_advance(struct joule_stats_snapshot *prev, const struct joule_stats_snapshot *cur)
{
	int n = prev->nr_cpus < cur->nr_cpus ? prev->nr_cpus : cur->nr_cpus;

	memcpy(prev->cpu, cur->cpu, sizeof(*cur->cpu) * (size_t)n);
	memcpy(prev->online, cur->online, sizeof(*cur->online) * (size_t)n);
	prev->time_s = cur->time_s;
}

int joule_stats_read(int map_fd, struct joule_stats_snapshot *s, double time_s)
{
	__u32 zero = 0;

	s->time_s = time_s;
	/* a per-CPU array lookup returns one value per possible CPU */
	return bpf_map_lookup_elem(map_fd, &zero, s->cpu) ? -errno : 0;
}

double joule_cpu_busy_mw(const struct joule_cpu_power *p, unsigned int perf)
{
	int i;

	if (p->nr_opps <= 0)
		return 0;
	for (i = 0; i < p->nr_opps && i < JOULE_STATS_MAX_OPPS; i++)
		if (p->perf[i] >= perf)
			return p->busy_mw[i];
	return p->busy_mw[p->nr_opps - 1];
}

static int kind_of(const struct joule_stats_view *v, int cpu)
{
	int k = v->cpu_kind ? v->cpu_kind[cpu] : 0;

	return k >= 0 && k < JOULE_STATS_MAX_KINDS ? k : 0;
}

/* ns counters between two snapshots, in seconds */
static double delta_s(const struct joule_stats *x, const struct joule_stats *y, int id)
{
	return (double)(y->count[id] - x->count[id]) / 1e9;
}

/*
 * Every CPU's busy time counts, an offline one's too (it ran before it
 * went); a CPU online at either end of the interval, or that ran, counts
 * as its kind's capacity; only CPUs online at the end draw idle power.
 */
void joule_stats_interval(const struct joule_stats_view *v, const struct joule_stats_snapshot *a,
			  const struct joule_stats_snapshot *b, struct joule_interval *out)
{
	double busy_total = 0, kind_busy[JOULE_STATS_MAX_KINDS] = {0};
	double kind_busy_perf[JOULE_STATS_MAX_KINDS] = {0};
	int kind_cpus[JOULE_STATS_MAX_KINDS] = {0};
	int nr = v->nr_cpus < b->nr_cpus ? v->nr_cpus : b->nr_cpus;

	memset(out, 0, sizeof(*out));
	out->seconds = b->time_s - a->time_s;
	out->energy_j = v->power ? 0 : -1;
	for (int cpu = 0; cpu < nr; cpu++) {
		const struct joule_stats *x = &a->cpu[cpu], *y = &b->cpu[cpu];
		double busy = delta_s(x, y, JOULE_STAT_BUSY_NS);
		double busy_perf = delta_s(x, y, JOULE_STAT_BUSY_PERF);
		bool online = b->online[cpu];
		unsigned int perf;
		int k = kind_of(v, cpu);

		for (int i = 0; i < JOULE_NR_STATS; i++)
			out->count[i] += y->count[i] - x->count[i];
		if (busy > out->seconds) {
			/* a run still going when sampled: at most the interval */
			busy_perf = busy > 0 ? busy_perf * out->seconds / busy : 0;
			busy = out->seconds;
		}
		kind_busy[k] += busy;
		kind_busy_perf[k] += busy_perf;
		/*
		 * Its kind's capacity if it was online for any of the interval:
		 * at either end, or it ran. Counted at the end alone, a CPU
		 * gone mid-interval left its run over fewer CPUs (200%), and a
		 * kind gone whole read 0% while it had been busy.
		 */
		kind_cpus[k] += online || a->online[cpu] || busy > 0;
		busy_total += busy;
		if (!v->power)
			continue;
		perf = busy > 0 ? (unsigned int)(busy_perf * 1024 / busy + 0.5) : 0;
		out->energy_j += busy * joule_cpu_busy_mw(&v->power[cpu], perf) / 1000.0;
		if (online && out->seconds > busy)
			out->energy_j += (out->seconds - busy) * v->power[cpu].idle_mw / 1000.0;
	}
	for (int k = 0; k < JOULE_STATS_MAX_KINDS; k++) {
		out->busy_share[k] = busy_total > 0 ? 100.0 * kind_busy[k] / busy_total : 0;
		out->perf_target[k] =
			kind_busy[k] > 0 ? 1024 * kind_busy_perf[k] / kind_busy[k] : 0;
		if (kind_cpus[k] && out->seconds > 0)
			out->busy_util[k] =
				fmin(100.0, 100.0 * kind_busy[k] / (kind_cpus[k] * out->seconds));
	}
	/* counted once for the machine (refresh_overutilized), not per CPU */
	if (out->seconds > 0)
		out->overutil_pct = 100.0 * out->count[JOULE_STAT_OVERUTIL_NS] / 1e9 / out->seconds;
}

static const char *const reason_names[] = {
	[JOULE_STAT_PLACE_ENERGY] = "energy",	  [JOULE_STAT_PLACE_PERF] = "perf",
	[JOULE_STAT_PLACE_MISFIT] = "misfit",	  [JOULE_STAT_PLACE_BALANCE] = "balance",
	[JOULE_STAT_PLACE_AFFINITY] = "affinity",
};

static void print_text(FILE *f, const struct joule_stats_view *v, const struct joule_interval *iv,
		       const char *profile, const char *source)
{
	fprintf(f, "scx_joule: %.1fs %s busy", iv->seconds, profile);
	for (int k = 0; k < v->nr_kinds && k < JOULE_STATS_MAX_KINDS; k++)
		fprintf(f, " %s=%.0f%%", v->kind_name[k], iv->busy_share[k]);
	fprintf(f, " | load");
	for (int k = 0; k < v->nr_kinds && k < JOULE_STATS_MAX_KINDS; k++)
		fprintf(f, " %s=%.0f%%", v->kind_name[k], iv->busy_util[k]);
	fprintf(f, " | place");
	for (int i = JOULE_STAT_PLACE_ENERGY; i <= JOULE_STAT_PLACE_AFFINITY; i++)
		fprintf(f, " %s=%llu", reason_names[i], iv->count[i]);
	fprintf(f,
		" idle=%llu preempt=%llu | migr=%llu recheck=%llu starved=%llu overutil=%.0f%% | "
		"perf",
		iv->count[JOULE_STAT_DIRECT_IDLE], iv->count[JOULE_STAT_LAT_PREEMPT],
		iv->count[JOULE_STAT_MIGRATIONS], iv->count[JOULE_STAT_IDLE_RECHECK],
		iv->count[JOULE_STAT_STARVED], iv->overutil_pct);
	for (int k = 0; k < v->nr_kinds && k < JOULE_STATS_MAX_KINDS; k++)
		fprintf(f, " %s=%.0f", v->kind_name[k], iv->perf_target[k]);
	if (iv->energy_j >= 0)
		fprintf(f, " | energy=%.3fJ", iv->energy_j);
	fprintf(f, " | profile from %s\n", source);
}

static void print_json(FILE *f, const struct joule_stats_view *v, const struct joule_interval *iv,
		       const char *profile, const char *source)
{
	fprintf(f, "{\"seconds\":%.3f,\"profile\":\"%s\",\"profile_source\":\"%s\",\"kinds\":{",
		iv->seconds, profile, source);
	for (int k = 0; k < v->nr_kinds && k < JOULE_STATS_MAX_KINDS; k++)
		fprintf(f,
			"%s\"%s\":{\"busy_share_pct\":%.2f,\"busy_pct\":%.2f,\"perf_target\":%.0f}",
			k ? "," : "", v->kind_name[k], iv->busy_share[k], iv->busy_util[k],
			iv->perf_target[k]);
	fprintf(f, "},\"placements\":{");
	for (int i = JOULE_STAT_PLACE_ENERGY; i <= JOULE_STAT_PLACE_AFFINITY; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", reason_names[i], iv->count[i]);
	fprintf(f,
		",\"idle\":%llu,\"lat_preempt\":%llu,\"energy_on_views\":%llu},"
		"\"migrations\":%llu,\"dispatches\":%llu,\"idle_rechecks\":%llu,"
		"\"starved_rescues\":%llu,\"offline_rescues\":%llu,\"cpus_left_early\":%llu,"
		"\"overutilized_pct\":%.2f",
		iv->count[JOULE_STAT_DIRECT_IDLE], iv->count[JOULE_STAT_LAT_PREEMPT],
		iv->count[JOULE_STAT_ON_VIEWS], iv->count[JOULE_STAT_MIGRATIONS],
		iv->count[JOULE_STAT_DISPATCH], iv->count[JOULE_STAT_IDLE_RECHECK],
		iv->count[JOULE_STAT_STARVED], iv->count[JOULE_STAT_OFFLINE_RESCUED],
		iv->count[JOULE_STAT_CPU_LEAVING], iv->overutil_pct);
	if (iv->energy_j >= 0)
		fprintf(f, ",\"energy_j\":%.4f", iv->energy_j);
	fprintf(f, "}\n");
}

int joule_stats_print(FILE *f, const struct joule_stats_view *v, const struct joule_interval *iv,
		      const char *profile, const char *source, bool json)
{
	if (json)
		print_json(f, v, iv, profile, source);
	else
		print_text(f, v, iv, profile, source);
	errno = 0;
	if (fflush(f) || ferror(f)) {
		int err = errno ? -errno : -EIO;

		clearerr(f);
		return err;
	}
	return 0;
}
