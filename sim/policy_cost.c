// SPDX-License-Identifier: GPL-2.0-only
/*
 * joule-policy-cost: the shared policy's own work per decision, for the
 * cost benchmark (scripts/bench-policy-cost.sh). It builds the tables of a
 * .soc model, gives every CPU a state drawn from a fixed seed, and makes
 * each hot-path decision of the BPF scheduler many times, each through a
 * function of its own (cost_*), which the benchmark's callgrind run counts
 * instructions in. Instructions, not seconds: the count repeats exactly on
 * any host, and it is the policy's own growth with the CPU count, without
 * the kernel's kfuncs and the emulation that the VM benchmark includes.
 *
 *   joule-policy-cost --soc FILE [--calls N] [--seed N]
 *
 * Prints what was called, with a checksum of the answers; it measures
 * nothing itself.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "rng.h"
#include "soc.h"
#include "tables.h"

struct cost_state {
	struct jp_tables tables;
	struct jp_cpu_state cs[JP_MAX_CPUS];
	struct jp_pd_view views[JP_MAX_PDS];
	struct jp_profile prof;
	struct jp_wake wake;
	struct jp_wake confined;      /* the same wakeup, allowed on CPUs 0-3 alone */
	struct jp_wake all_busy;      /* the same wakeup with no CPU idle, overutilized */
	struct jp_wake busy_confined; /* and that one allowed on CPUs 0-3 alone */
	/* a quiet machine: CPUs 0-3 as above, the others idle since long ago */
	struct jp_cpu_state quiet_cs[JP_MAX_CPUS];
	struct jp_pd_view quiet_views[JP_MAX_PDS];
	struct jp_wake quiet; /* the same wakeup there */
	struct sim_rng rng;
	struct jp_cpumask pd_cpus[JP_MAX_PDS]; /* dispatch's: each PD's CPUs */
	u32 pd_cap[JP_MAX_PDS];		       /* and their capacity (all online) */
};

/* A busy machine: every CPU between 10% and 90% of its capacity, a quarter idle. */
static void fill_cpus(struct cost_state *st)
{
	for (u32 c = 0; c < st->tables.nr_cpus; c++) {
		u32 cap = st->tables.cpu[c].capacity;

		st->cs[c].util_avg = cap / 10 + (u32)sim_rng_below(&st->rng, cap * 8 / 10 + 1);
		st->cs[c].util_runnable = st->cs[c].util_avg;
		jp_mask_set(&st->wake.allowed, c);
		jp_mask_set(&st->pd_cpus[st->tables.cpu[c].pd], c);
		if (sim_rng_below(&st->rng, 4) == 0)
			jp_mask_set(&st->wake.idle, c);
	}
}

/*
 * Every PD's view of CPU state cs, every CPU online. The one caller of
 * jp_pd_views_build, so that the compiler builds it the same way
 * whatever else the driver gathers views for.
 */
__attribute__((noinline)) static void build_views(struct cost_state *st,
						  const struct jp_cpu_state *cs,
						  const struct jp_cpumask *idle,
						  struct jp_pd_view *views)
{
	struct jp_view_src src = {.idle = idle, .online = &st->wake.allowed};

	jp_pd_views_build(&st->tables, cs, &src, views);
}

/* The quiet machine, its views built once: its idle PDs' views stay true (jp_view_decay). */
static void fill_quiet(struct cost_state *st)
{
	for (u32 c = 0; c < st->tables.nr_cpus; c++) {
		if (c < 4)
			st->quiet_cs[c] = st->cs[c];
		else
			jp_mask_set(&st->quiet.idle, c);
	}
	build_views(st, st->quiet_cs, &st->quiet.idle, st->quiet_views);
}

/*
 * A waking task: util 20-220, last ran on any CPU; and the same task
 * confined to CPUs 0-3 (taskset), as the VM benchmark's --busy 4 runs it,
 * last run on one of them.
 */
static void next_wakeup(struct cost_state *st)
{
	st->wake.task_util = 20 + (u32)sim_rng_below(&st->rng, 201);
	st->wake.prev_cpu = (s32)sim_rng_below(&st->rng, st->tables.nr_cpus);
	st->confined = st->wake;
	memset(&st->confined.allowed, 0, sizeof(st->confined.allowed));
	for (u32 c = 0; c < 4 && c < st->tables.nr_cpus; c++)
		jp_mask_set(&st->confined.allowed, c);
	st->confined.prev_cpu = st->wake.prev_cpu % 4;
	/* kept per task in BPF (set_cpumask), so not counted per wakeup */
	st->confined.other_pds = jp_other_pds(&st->tables, NULL, &st->confined);
	st->all_busy = st->wake;
	memset(&st->all_busy.idle, 0, sizeof(st->all_busy.idle));
	st->all_busy.overutilized = 1;
	st->busy_confined = st->all_busy;
	st->busy_confined.allowed = st->confined.allowed;
	st->busy_confined.prev_cpu = st->confined.prev_cpu;
	st->busy_confined.other_pds = st->confined.other_pds;
	st->quiet.task_util = st->wake.task_util;
	st->quiet.prev_cpu = st->wake.prev_cpu;
	st->quiet.allowed = st->wake.allowed;
}

/*
 * Every answer goes into sink before the cost_* function returns, so that
 * none ends in a tail call, which would leave the callee's instructions
 * outside the function callgrind counts in.
 */
static volatile u64 sink;

/* What the scheduler does at a wakeup: energy placement on the PDs' views. */
__attribute__((noinline)) void cost_select_energy(struct cost_state *st)
{
	st->wake.overutilized = 0;
	sink += (u64)jp_select_cpu(&st->tables, st->cs, st->views, &st->prof, &st->wake);
}

/* The confined task's wakeup, on views. */
__attribute__((noinline)) void cost_select_energy_confined(struct cost_state *st)
{
	st->confined.overutilized = 0;
	sink += (u64)jp_select_cpu(&st->tables, st->cs, st->views, &st->prof, &st->confined);
}

/* The same wakeup on the quiet machine (4 CPUs busy), on its views. */
__attribute__((noinline)) void cost_select_energy_quiet(struct cost_state *st)
{
	sink += (u64)jp_select_cpu(&st->tables, st->quiet_cs, st->quiet_views, &st->prof,
				   &st->quiet);
}

/* The same without views: every PD's CPUs scanned at each wakeup. */
__attribute__((noinline)) void cost_select_energy_scan(struct cost_state *st)
{
	st->wake.overutilized = 0;
	sink += (u64)jp_select_cpu(&st->tables, st->cs, NULL, &st->prof, &st->wake);
}

/* Gathering every PD's view: each PD's own CPUs rebuild theirs at most once a ms. */
__attribute__((noinline)) void cost_pd_views(struct cost_state *st)
{
	build_views(st, st->cs, &st->wake.idle, st->views);
	sink += st->views[0].sum_util;
}

__attribute__((noinline)) void cost_select_perf(struct cost_state *st)
{
	st->wake.overutilized = 1;
	sink += (u64)jp_select_cpu(&st->tables, st->cs, st->views, &st->prof, &st->wake);
}

/* The same on a machine with no CPU idle (the busy CPUs' pass, on views). */
__attribute__((noinline)) void cost_select_perf_busy(struct cost_state *st)
{
	sink += (u64)jp_select_cpu(&st->tables, st->cs, st->views, &st->prof, &st->all_busy);
}

/* The same for the task allowed on CPUs 0-3 alone. */
__attribute__((noinline)) void cost_select_perf_busy_confined(struct cost_state *st)
{
	sink += (u64)jp_select_cpu(&st->tables, st->cs, st->views, &st->prof, &st->busy_confined);
}

__attribute__((noinline)) void cost_overutilized(struct cost_state *st)
{
	sink += jp_overutilized_views(&st->tables, st->views, &st->prof, 0);
}

__attribute__((noinline)) void cost_perf_target(struct cost_state *st, u32 cpu)
{
	sink += jp_cpu_perf_target(&st->tables, st->cs, &st->prof, cpu);
}

__attribute__((noinline)) void cost_balance(struct cost_state *st)
{
	struct jp_balance b;

	sink += jp_balance_domains(&st->tables, st->views, &st->prof, 0, &b) ? (u64)b.src_pd : 0;
}

/* What a dispatch gathers about the PDs for jp_overloaded_pd (every CPU online). */
__attribute__((noinline)) void cost_pd_loads(struct cost_state *st)
{
	struct jp_pd_load loads[JP_MAX_PDS];

	sink += jp_pd_loads(&st->tables, st->pd_cpus, &st->wake.allowed, &st->wake.idle, st->pd_cap,
			    (st->tables.nr_cpus + 63) / 64, loads);
	sink += loads[0].busy;
}

static int usage(void)
{
	fprintf(stderr, "usage: joule-policy-cost --soc FILE [--calls N] [--seed N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"soc", required_argument, NULL, 's'},
					     {"calls", required_argument, NULL, 'n'},
					     {"seed", required_argument, NULL, 'r'},
					     {NULL, 0, NULL, 0}};
	unsigned long calls = 10000, seed = 1;
	static struct sim_soc soc;
	static struct cost_state st;
	const char *soc_path = NULL;
	char err[256], *end;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's': soc_path = optarg; break;
		case 'n':
		case 'r':
			errno = 0;
			*(o == 'n' ? &calls : &seed) = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || *optarg == '-') {
				fprintf(stderr,
					"joule-policy-cost: --%s needs a number, not '%s'\n",
					o == 'n' ? "calls" : "seed", optarg);
				return 2;
			}
			break;
		default: return usage();
		}
	}
	if (!soc_path || optind != argc || !calls)
		return usage();
	if (sim_soc_load(soc_path, &soc, err, sizeof(err))) {
		fprintf(stderr, "joule-policy-cost: %s\n", err);
		return 1;
	}
	sim_soc_to_tables(&soc, &st.tables);
	jp_profile_init(&st.prof, JOULE_PROFILE_BALANCED);
	sim_rng_seed(&st.rng, seed, 0);
	fill_cpus(&st);
	fill_quiet(&st);
	jp_pd_online_capacity(&st.tables, &st.wake.allowed, st.pd_cap);
	for (unsigned long i = 0; i < calls; i++) {
		next_wakeup(&st);
		cost_pd_views(&st);
		cost_select_energy(&st);
		cost_select_energy_confined(&st);
		cost_select_energy_quiet(&st);
		cost_select_energy_scan(&st);
		cost_select_perf(&st);
		cost_select_perf_busy(&st);
		cost_select_perf_busy_confined(&st);
		cost_overutilized(&st);
		cost_perf_target(&st, (u32)st.wake.prev_cpu);
		cost_balance(&st);
		cost_pd_loads(&st);
	}
	printf("%s: %u CPUs in %u domains, %lu calls of each: cost_select_energy "
	       "cost_select_energy_confined cost_select_energy_quiet cost_select_energy_scan "
	       "cost_pd_views cost_select_perf cost_select_perf_busy "
	       "cost_select_perf_busy_confined "
	       "cost_overutilized cost_perf_target cost_balance cost_pd_loads (checksum %llu)\n",
	       soc.name, soc.nr_cpus, soc.nr_pds, calls, (unsigned long long)sink);
	return 0;
}
