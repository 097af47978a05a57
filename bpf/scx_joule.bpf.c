/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule: the BPF half of the scheduler.
 *
 * Policy (first version, before the energy model is wired in):
 *
 * - On wakeup, the kernel's default idle search picks a CPU (prev CPU if it
 *   is idle, else an idle core of the same LLC, else any idle CPU). When it
 *   finds an idle CPU the task goes straight to that CPU's local queue.
 * - Otherwise tasks wait on one shared queue ordered by weighted virtual
 *   time: a task's vtime grows by its run time scaled by 100/weight, so a
 *   nice -5 task (weight ~335) advances three times slower than a nice 0 one
 *   (weight 100) and gets three times the CPU. A task that slept long is
 *   only credited one slice of vtime, so sleepers cannot bank unbounded
 *   priority.
 * - Tasks that may run on one CPU only (per-CPU kthreads, pinned tasks) go
 *   to that CPU's local queue, so a shared-queue backlog cannot stall them.
 * - Idle CPUs pull from the shared queue in ops.dispatch.
 *
 * CPU hotplug is handled in place (ops.cpu_online/offline), so taking a CPU
 * offline does not force the scheduler out.
 */
#include "vmlinux.h"
#include "scx_ops.bpf.h"
#include "joule.h"

char _license[] SEC("license") = "GPL";

const volatile __u64 slice_ns = 5000000ULL;

struct joule_exit_info exit_info;

static u64 vtime_now;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct joule_stats);
} stats SEC(".maps");

static void stat_inc(enum joule_stat id)
{
	u32 zero = 0;
	struct joule_stats *s = bpf_map_lookup_elem(&stats, &zero);

	if (s && id < JOULE_NR_STATS)
		s->count[id]++;
}

static bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

s32 BPF_STRUCT_OPS(joule_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (is_idle) {
		stat_inc(JOULE_STAT_DIRECT_IDLE);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(joule_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 vtime = p->scx.dsq_vtime;

	if (p->nr_cpus_allowed == 1) {
		stat_inc(JOULE_STAT_PINNED);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, enq_flags);
		return;
	}

	if (vtime_before(vtime, vtime_now - slice_ns))
		vtime = vtime_now - slice_ns;

	stat_inc(JOULE_STAT_SHARED);
	scx_bpf_dsq_insert_vtime(p, JOULE_SHARED_DSQ, slice_ns, vtime, enq_flags);
}

void BPF_STRUCT_OPS(joule_dispatch, s32 cpu, struct task_struct *prev)
{
	if (scx_bpf_dsq_move_to_local(JOULE_SHARED_DSQ))
		stat_inc(JOULE_STAT_DISPATCH);
}

void BPF_STRUCT_OPS(joule_running, struct task_struct *p)
{
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
}

void BPF_STRUCT_OPS(joule_stopping, struct task_struct *p, bool runnable)
{
	u64 used = slice_ns - p->scx.slice;

	/* slice counts down while the task runs; a refilled slice may exceed it */
	if (p->scx.slice > slice_ns)
		used = 0;
	p->scx.dsq_vtime += used * 100 / (p->scx.weight ?: 1);
}

void BPF_STRUCT_OPS(joule_enable, struct task_struct *p)
{
	p->scx.dsq_vtime = vtime_now;
}

void BPF_STRUCT_OPS(joule_cpu_online, s32 cpu)
{
	stat_inc(JOULE_STAT_CPU_ONLINE);
}

void BPF_STRUCT_OPS(joule_cpu_offline, s32 cpu)
{
	stat_inc(JOULE_STAT_CPU_OFFLINE);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(joule_init)
{
	return scx_bpf_create_dsq(JOULE_SHARED_DSQ, -1);
}

void BPF_STRUCT_OPS(joule_exit, struct scx_exit_info *ei)
{
	bpf_probe_read_kernel_str(exit_info.reason, sizeof(exit_info.reason), ei->reason);
	bpf_probe_read_kernel_str(exit_info.msg, sizeof(exit_info.msg), ei->msg);
	exit_info.exit_code = ei->exit_code;
	/* kind last: the loader treats a non-zero kind as "record complete" */
	asm volatile("" ::: "memory");
	exit_info.kind = ei->kind;
}

SEC(".struct_ops.link")
struct sched_ext_ops joule_ops = {
	.select_cpu = (void *)joule_select_cpu,
	.enqueue = (void *)joule_enqueue,
	.dispatch = (void *)joule_dispatch,
	.running = (void *)joule_running,
	.stopping = (void *)joule_stopping,
	.enable = (void *)joule_enable,
	.cpu_online = (void *)joule_cpu_online,
	.cpu_offline = (void *)joule_cpu_offline,
	.init = (void *)joule_init,
	.exit = (void *)joule_exit,
	.timeout_ms = 5000,
	.name = "scx_joule",
};
