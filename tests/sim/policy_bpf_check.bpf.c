/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compiles bpf/policy.h for the BPF target with the scheduler's own flags and
 * calls every non-trivial policy function, so clang must emit each of them
 * as BPF code (a subprogram, or inlined into the section here).
 */
#include "vmlinux.h"
#include "policy.h"

char _license[] __attribute__((section("license"), used)) = "GPL";

struct jp_tables check_tables;
struct jp_cpu_state check_cpus[JP_MAX_CPUS];
struct jp_profile check_profile;
struct jp_task check_task;
struct jp_balance check_balance;
struct jp_pd_load check_loads[JP_MAX_PDS];
struct jp_pd_view check_views[JP_MAX_PDS];
struct jp_cpumask check_pd_cpus[JP_MAX_PDS];
u32 check_pd_cap[JP_MAX_PDS];
s32 check_out[6];
u32 check_perf;
u32 check_other_pds;

__attribute__((section("syscall"), used)) int policy_check(void *ctx)
{
	struct jp_view_src src = {};
	struct jp_wake w = {};

	jp_profile_init(&check_profile, JOULE_PROFILE_BALANCED);
	jp_task_waking(&check_task, 1000);
	jp_task_stopping(&check_task, 2000000, 1000000, 512);
	jp_cpu_account(&check_cpus[0], 3000000, 1000000, 1024);
	jp_cpu_pending_add(&check_cpus[1], 100);
	jp_cpu_pending_sub(&check_cpus[1], 40);
	w.task_util = jp_task_util(&check_task);
	w.prev_cpu = 0;
	jp_mask_set(&w.allowed, 0);
	jp_mask_set(&w.idle, 0);
	src.idle = &w.idle;
	src.online = &w.allowed;
	src.now = 4000000;
	w.now = src.now;
	jp_pd_view_build(&check_tables, check_cpus, &src, 0, &check_views[0]);
	w.overutilized = jp_overutilized_views(&check_tables, check_views, &check_profile, w.now);
	check_out[0] =
		jp_select_cpu_energy(&check_tables, check_cpus, check_views, &check_profile, &w);
	check_out[1] = jp_select_cpu_perf(&check_tables, check_cpus, &w);
	check_out[2] = jp_select_cpu(&check_tables, check_cpus, (void *)0, &check_profile, &w);
	check_out[3] = jp_balance_domains(&check_tables, check_views, &check_profile, w.now,
					  &check_balance);
	check_out[3] += jp_task_misfit(&check_tables, &check_profile, &check_task, 0,
				       check_cpus[0].frame_speed);
	check_out[4] = jp_overloaded_pd(&check_tables, &check_profile, check_loads, 0, 0);
	jp_pd_online_capacity(&check_tables, &w.allowed, check_pd_cap);
	check_out[5] = (s32)jp_pd_loads(&check_tables, check_pd_cpus, &w.allowed, &w.idle,
					check_pd_cap, 1, check_loads);
	check_perf = jp_cpu_perf_target(&check_tables, check_cpus, &check_profile, 0);
	check_other_pds = jp_other_pds(&check_tables, check_views, &w);
	return 0;
}
