// SPDX-License-Identifier: GPL-2.0-only
/*
 * The policies the simulator compares.
 *
 * "joule" is scx_joule: every decision is a call into bpf/policy.h, the file
 * the BPF scheduler compiles; this adapter only gathers inputs (masks,
 * utilization) and carries the answer out, as bpf/scx_joule.bpf.c does. Its
 * queues and dispatch (jp_dispatch_plan) are the engine's pd_queues mode.
 *
 * The baselines are other schedulers, written here from their documented
 * behaviour; they share the engine's utilization signal (a PELT-like
 * average, the same for everyone) and nothing else with scx_joule:
 *   fair    capacity-oblivious spreading (EEVDF without EAS) + schedutil
 *   eas     the kernel's Energy Aware Scheduling as documented in
 *           Documentation/scheduler/sched-energy.rst + schedutil
 *   race    race-to-idle: big cores first, top frequency always
 *   compact pack onto as few cores as possible, littlest first + schedutil
 */
#include "engine.h"

#include <string.h>

/* schedutil: frequency for util * 1.25 (the kernel's map_util_perf). */
static uint32_t schedutil_perf(struct sim *s, uint32_t cpu)
{
	return jp_perf_target(jp_cpu_util(&s->js[cpu]), s->soc->cpu[cpu].capacity, 1280);
}

static bool fits_kernel(uint32_t util, uint32_t cap)
{
	return (uint64_t)util * 1280 <= (uint64_t)cap * 1024; /* fits_capacity() */
}

/* The CPU with the most queued threads (at least min_queued), or -1. */
static int busiest_queue(struct sim *s, uint32_t self, uint32_t min_queued)
{
	uint32_t c, best_n = 0;
	int best = -1;

	for (c = 0; c < s->soc->nr_cpus; c++) {
		uint32_t n = s->cpu[c].nr_queued;

		if (c != self && n >= min_queued && n > best_n) {
			best_n = n;
			best = (int)c;
		}
	}
	return best;
}

static void no_init(struct sim *s)
{
	(void)s;
}

static int no_misfit(struct sim *s, uint32_t cpu)
{
	(void)s;
	(void)cpu;
	return -1;
}

/* ---- scx_joule: bpf/policy.h ------------------------------------------------ */

/*
 * As joule_release_perf(0) in ops.init: every CPU starts at the lowest
 * (the engine lets schedutil look once init is done).
 */
static void joule_init(struct sim *s)
{
	uint32_t c;

	for (c = 0; c < s->soc->nr_cpus; c++)
		s->cpu[c].perf_request = 0;
}

/*
 * The PDs' views, which overutilization is read from too, are gathered at
 * every wakeup (and dispatch balances domains on views as fresh): the
 * simulator settles every CPU's state before a decision, so it models the
 * scheduler with state that is never old (the BPF scheduler's domains
 * rebuild their views at most once a ms, and its overutilization reads two
 * domains' views a ms).
 */
static int joule_select(struct sim *s, uint32_t th, int prev)
{
	struct jp_pd_view views[JP_MAX_PDS];
	struct jp_wake w;

	sim_fill_wake(s, th, prev, &w);
	w.frame = jp_frame_task(s->th[th].wake_period, false);
	w.frame_speed = w.frame ? jp_frame_speed(&s->prof, &s->th[th].jt, s->now) : 0;
	w.lat_crit = s->th[th].lat_crit;
	sim_build_views(s, &w.idle, views);
	w.overutilized = jp_overutilized_views(&s->tables, views, &s->prof, s->now);
	sim_set_overutilized(s, w.overutilized);
	return jp_select_cpu(&s->tables, s->js, views, &s->prof, &w);
}

static uint32_t joule_perf(struct sim *s, uint32_t cpu)
{
	return jp_cpu_perf_target(&s->tables, s->js, &s->prof, cpu);
}

/* ---- fair: capacity-oblivious spreading ------------------------------------ */

static int fair_select(struct sim *s, uint32_t th, int prev)
{
	uint32_t n = s->soc->nr_cpus, i, best_nr = UINT32_MAX;
	int best = prev;

	(void)th;
	if (prev >= 0 && sim_cpu_idle(s, (uint32_t)prev))
		return prev;
	/* scan from prev like select_idle_cpu(); else the shortest queue */
	for (i = 1; i <= n; i++) {
		uint32_t c = (uint32_t)((prev < 0 ? 0 : prev) + i) % n;

		if (sim_cpu_idle(s, c))
			return (int)c;
		if (sim_cpu_nr(s, c) < best_nr) {
			best_nr = sim_cpu_nr(s, c);
			best = (int)c;
		}
	}
	return best;
}

static int fair_pull(struct sim *s, uint32_t cpu)
{
	return busiest_queue(s, cpu, 1);
}

/* ---- eas: the kernel's Energy Aware Scheduling ------------------------------- */

/* Any CPU over 80% of its capacity: EAS stands down (sched-energy.rst, 6.). */
static bool eas_overutilized(struct sim *s)
{
	uint32_t c;

	for (c = 0; c < s->soc->nr_cpus; c++)
		if (!fits_kernel(jp_cpu_util(&s->js[c]), s->soc->cpu[c].capacity))
			return true;
	return false;
}

/* em_cpu_energy(): cost of the OPP serving max_util (+25%) * sum_util / cap. */
static double eas_pd_energy(struct sim *s, uint32_t p, uint32_t max_util, uint64_t sum_util)
{
	const struct jp_pd *d = &s->tables.pd[p];
	uint64_t need = (uint64_t)max_util * 1280 / 1024;
	uint32_t i;

	for (i = 0; i + 1 < d->nr_opps; i++)
		if (d->opps[i].capacity >= need)
			break;
	return (double)d->opps[i].cost * (double)sum_util / d->max_capacity;
}

static uint32_t eas_cpu_util(struct sim *s, uint32_t c, uint32_t th, int prev)
{
	uint32_t u = jp_cpu_util(&s->js[c]);

	/* cpu_util_without(): the waking task's own blocked util leaves prev */
	if ((int)c == prev) {
		uint32_t tu = sim_thread_util(s, th);

		u = u > tu ? u - tu : 0;
	}
	return u < s->soc->cpu[c].capacity ? u : s->soc->cpu[c].capacity;
}

/* Energy of PD p if (dst >= 0) dst got extra util. */
static double eas_energy_with(struct sim *s, uint32_t p, uint32_t th, int prev, int dst,
			      uint32_t extra)
{
	const struct sim_pd *pd = &s->soc->pd[p];
	uint64_t sum = 0;
	uint32_t i, max = 0;

	for (i = 0; i < pd->nr_cpus; i++) {
		uint32_t c = pd->cpus[i], u = eas_cpu_util(s, c, th, prev);

		if ((int)c == dst)
			u += extra;
		sum += u;
		if (u > max)
			max = u;
	}
	return eas_pd_energy(s, p, max, sum);
}

/*
 * find_energy_efficient_cpu(): per PD the energy without the task, with it on
 * prev (if it fits there) and with it on the CPU of most spare capacity
 * other than prev (if it fits); the least energy wins, prev on a tie.
 */
static int eas_feec(struct sim *s, uint32_t th, int prev)
{
	uint32_t tu = sim_thread_util(s, th), p, i;
	double best_delta = 0, prev_delta = -1;
	int best = -1;

	for (p = 0; p < s->soc->nr_pds; p++) {
		const struct sim_pd *pd = &s->soc->pd[p];
		double base = eas_energy_with(s, p, th, prev, -1, 0);
		int cand = -1;
		uint32_t cand_spare = 0, prev_spare = 0;
		bool prev_here = false;

		for (i = 0; i < pd->nr_cpus; i++) {
			uint32_t c = pd->cpus[i], cap = s->soc->cpu[c].capacity;
			uint32_t u = eas_cpu_util(s, c, th, prev);

			if (!fits_kernel(u + tu, cap))
				continue;
			if ((int)c == prev) {
				prev_here = true;
				prev_spare = cap - u;
				continue;
			}
			if (cand < 0 || cap - u > cand_spare) {
				cand = (int)c;
				cand_spare = cap - u;
			}
		}
		if (prev_here) {
			prev_delta = eas_energy_with(s, p, th, prev, prev, tu) - base;
			if (best < 0 || prev_delta <= best_delta) {
				best = prev;
				best_delta = prev_delta;
			}
		}
		/* since v6.2 the max-spare candidate is skipped when prev has more spare */
		if (cand >= 0 && !(prev_here && prev_spare > cand_spare)) {
			double d = eas_energy_with(s, p, th, prev, cand, tu) - base;

			if (best < 0 || d < best_delta) {
				best = cand;
				best_delta = d;
			}
		}
	}
	return best;
}

/* select_idle_capacity(): first idle CPU where the task fits, else the
 * biggest idle one, else prev. */
static int eas_sis(struct sim *s, uint32_t th, int prev)
{
	uint32_t n = s->soc->nr_cpus, tu = sim_thread_util(s, th), i, best_cap = 0;
	int best = -1;

	for (i = 0; i < n; i++) {
		uint32_t c = (uint32_t)((prev < 0 ? 0 : prev) + i) % n;
		uint32_t cap = s->soc->cpu[c].capacity;

		if (!sim_cpu_idle(s, c))
			continue;
		if (fits_kernel(tu, cap))
			return (int)c;
		if (cap > best_cap) {
			best_cap = cap;
			best = (int)c;
		}
	}
	return best >= 0 ? best : (prev >= 0 ? prev : 0);
}

static int eas_select(struct sim *s, uint32_t th, int prev)
{
	int c = -1;

	sim_set_overutilized(s, eas_overutilized(s));
	if (!s->overutilized)
		c = eas_feec(s, th, prev);
	if (c < 0)
		c = eas_sis(s, th, prev);
	return c;
}

/* Load balancing runs only while overutilized (EAS keeps placement otherwise). */
static int eas_pull(struct sim *s, uint32_t cpu)
{
	sim_set_overutilized(s, eas_overutilized(s));
	return s->overutilized ? busiest_queue(s, cpu, 1) : -1;
}

/* Misfit: a task that does not fit its CPU moves to the biggest idle CPU. */
static int eas_misfit(struct sim *s, uint32_t cpu)
{
	uint32_t tu = sim_thread_util(s, (uint32_t)s->cpu[cpu].curr), c, best_cap;
	int best = -1;

	best_cap = s->soc->cpu[cpu].capacity;
	if (fits_kernel(tu, best_cap))
		return -1;
	for (c = 0; c < s->soc->nr_cpus; c++)
		if (sim_cpu_idle(s, c) && s->soc->cpu[c].capacity > best_cap) {
			best_cap = s->soc->cpu[c].capacity;
			best = (int)c;
		}
	return best;
}

/* ---- race-to-idle ------------------------------------------------------------ */

static uint32_t max_cap(struct sim *s)
{
	uint32_t c, m = 0;

	for (c = 0; c < s->soc->nr_cpus; c++)
		if (s->soc->cpu[c].capacity > m)
			m = s->soc->cpu[c].capacity;
	return m;
}

static int race_select(struct sim *s, uint32_t th, int prev)
{
	uint32_t c, best_cap = 0, best_nr = UINT32_MAX;
	int best = -1;

	(void)th;
	if (prev >= 0 && sim_cpu_idle(s, (uint32_t)prev) &&
	    s->soc->cpu[prev].capacity == max_cap(s))
		return prev;
	for (c = 0; c < s->soc->nr_cpus; c++)
		if (sim_cpu_idle(s, c) && s->soc->cpu[c].capacity > best_cap) {
			best_cap = s->soc->cpu[c].capacity;
			best = (int)c;
		}
	if (best >= 0)
		return best;
	for (c = 0; c < s->soc->nr_cpus; c++)
		if (s->soc->cpu[c].capacity == max_cap(s) && sim_cpu_nr(s, c) < best_nr) {
			best_nr = sim_cpu_nr(s, c);
			best = (int)c;
		}
	return best;
}

/*
 * The performance governor: the top OPP always. Asking for it only while
 * busy let schedutil's rate limit drop the ask when a CPU woke just after
 * its domain slowed down, and race ran 24% of its busy time below the top
 * in the phone's game.
 */
static uint32_t race_perf(struct sim *s, uint32_t cpu)
{
	(void)s;
	(void)cpu;
	return 1024;
}

static int race_misfit(struct sim *s, uint32_t cpu)
{
	uint32_t c;

	if (s->soc->cpu[cpu].capacity == max_cap(s))
		return -1;
	for (c = 0; c < s->soc->nr_cpus; c++)
		if (sim_cpu_idle(s, c) && s->soc->cpu[c].capacity == max_cap(s))
			return (int)c;
	return -1;
}

/* ---- compaction ---------------------------------------------------------------- */

/* Littlest CPUs first: walk capacities upwards. */
static int compact_select(struct sim *s, uint32_t th, int prev)
{
	uint32_t tu = sim_thread_util(s, th), c, pass;
	int best = -1;
	uint32_t best_cap = UINT32_MAX;

	(void)prev;
	/* pass 0: a CPU already awake where it fits; pass 1: any CPU where it fits */
	for (pass = 0; pass < 2; pass++) {
		for (c = 0; c < s->soc->nr_cpus; c++) {
			uint32_t cap = s->soc->cpu[c].capacity;
			uint32_t u = jp_cpu_util(&s->js[c]);

			if (pass == 0 && sim_cpu_idle(s, c))
				continue;
			if (fits_kernel(u + tu, cap) && cap < best_cap) {
				best_cap = cap;
				best = (int)c;
			}
		}
		if (best >= 0)
			return best;
	}
	/* fits nowhere: the biggest, least loaded CPU */
	for (c = 0; c < s->soc->nr_cpus; c++)
		if (s->soc->cpu[c].capacity == max_cap(s) &&
		    (best < 0 || sim_cpu_nr(s, c) < sim_cpu_nr(s, (uint32_t)best)))
			best = (int)c;
	return best;
}

static int compact_pull(struct sim *s, uint32_t cpu)
{
	return busiest_queue(s, cpu, 2);
}

/* ---- registry ------------------------------------------------------------------- */

static const struct sim_policy policies[] = {
	/* its queues and dispatch are the engine's pd_queues mode (jp_dispatch_plan) */
	{"joule", "scx_joule (bpf/policy.h)", true, true, joule_init, joule_select, joule_perf,
	 NULL, NULL, true},
	{"fair", "capacity-oblivious fair spreading + schedutil", false, false, no_init,
	 fair_select, schedutil_perf, fair_pull, no_misfit, false},
	{"eas", "kernel EAS (energy delta, overutilized fallback, misfit) + schedutil", false,
	 false, no_init, eas_select, schedutil_perf, eas_pull, eas_misfit, false},
	{"race", "race-to-idle on big cores at top frequency", false, false, no_init, race_select,
	 race_perf, fair_pull, race_misfit, false},
	{"compact", "core compaction, littlest first + schedutil", false, false, no_init,
	 compact_select, schedutil_perf, compact_pull, no_misfit, false},
};

const struct sim_policy *sim_policy_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (!strcmp(policies[i].name, name))
			return &policies[i];
	return NULL;
}

const char *sim_policy_names(void)
{
	return "joule, fair, eas, race, compact";
}
