/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compiles bpf/policy.h for the BPF target with the scheduler's own flags and
 * calls every policy function, so clang must emit each of them as BPF code.
 */
#include "vmlinux.h"
#include "policy.h"

char _license[] __attribute__((section("license"), used)) = "GPL";

struct jp_tables check_tables;
struct jp_cpu_state check_cpus[JP_MAX_CPUS];
struct jp_profile check_profiles[4] = JP_PROFILES_INIT;
struct jp_task check_task;
struct jp_placement check_pl;
__u32 check_nr_tasks[JP_MAX_PDS], check_pd_cap[JP_MAX_PDS];
__s32 check_out[6];
__u32 check_perf;

__attribute__((section("syscall"), used)) int policy_check(void *ctx)
{
	const struct jp_profile *pr = &check_profiles[1];
	__u64 now = 2000000;

	jp_task_ran(&check_task, &check_tables, 0, 512, 1000000, now, true);
	jp_cpu_ran(&check_cpus[0], &check_tables, 0, 512, 1000000, now);
	check_pl.prev_cpu = 0;
	check_pl.demand = jp_task_demand(&check_task, now);
	jp_mask_set(check_pl.allowed, 0);
	jp_mask_set(check_pl.idle, 0);
	check_out[0] = jp_select_cpu_energy(&check_tables, check_cpus, pr, &check_pl, now);
	check_out[1] = jp_select_cpu_perf(&check_tables, check_cpus, &check_pl, now);
	check_out[2] = jp_pull_pd(&check_tables, check_nr_tasks, check_pd_cap, 0);
	check_out[3] = jp_task_misfit(&check_tables, pr, 0, check_pl.demand, check_task.misfit);
	check_out[4] = jp_cpu_overutilized(check_cpus[0].util, 512, pr->overutil_margin);
	check_perf = jp_perf_target(check_cpus[0].util, 512, pr->freq_headroom);
	return 0;
}
