// SPDX-License-Identifier: GPL-2.0-only
/*
 * fifo_floor: the cheapest sched_ext scheduler worth measuring, test-only.
 *
 * Every task goes to one FIFO queue shared by all CPUs with the default
 * slice, and a waking task takes the CPU the kernel's built-in idle tracking
 * picks; when that CPU is idle the task is put straight into its local queue
 * and enqueue is skipped. The queue is the kernel's SCX_DSQ_GLOBAL, which
 * the kernel drains itself (no ops.dispatch), or, with dsq_dispatch set by
 * the loader, a queue of its own (FLOOR_DSQ) that ops.dispatch moves to the
 * CPU with scx_bpf_dsq_move_to_local(), as a scheduler with its own queues
 * must; the kernel's work of moving the task is then inside the callback
 * and inside its measured cost. It exists only as the floor the cost of
 * scx_joule's callbacks is compared with (tests/vm/scenarios/cost.sh).
 */
#include "vmlinux.h"
#include "scx_ops.bpf.h"

char _license[] SEC("license") = "GPL";

#define FLOOR_DSQ 0

const volatile bool dsq_dispatch;

s32 BPF_STRUCT_OPS(fifo_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);

	if (idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(fifo_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, dsq_dispatch ? FLOOR_DSQ : SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(fifo_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(FLOOR_DSQ);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(fifo_init)
{
	return scx_bpf_create_dsq(FLOOR_DSQ, -1);
}

SEC(".struct_ops.link")
struct sched_ext_ops fifo_floor_ops = {
	.select_cpu = (void *)fifo_select_cpu,
	.enqueue = (void *)fifo_enqueue,
	.dispatch = (void *)fifo_dispatch,
	.init = (void *)fifo_init,
	.name = "fifo_floor",
};
