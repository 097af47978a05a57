// SPDX-License-Identifier: GPL-2.0-only
/*
 * fifo_floor: the cheapest sched_ext scheduler worth measuring, test-only.
 *
 * Every task goes to the one global FIFO queue (SCX_DSQ_GLOBAL) with the
 * default slice, and a waking task takes the CPU the kernel's built-in idle
 * tracking picks; when that CPU is idle the task is put straight into its
 * local queue and enqueue is skipped. No dispatch: the kernel moves tasks
 * from the global queue itself. It exists only as the floor the cost of
 * scx_joule's callbacks is compared with (tests/vm/scenarios/cost.sh): what
 * any scheduler pays for the struct_ops calls themselves.
 */
#include "vmlinux.h"
#include "scx_ops.bpf.h"

char _license[] SEC("license") = "GPL";

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
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

SEC(".struct_ops.link")
struct sched_ext_ops fifo_floor_ops = {
	.select_cpu = (void *)fifo_select_cpu,
	.enqueue = (void *)fifo_enqueue,
	.name = "fifo_floor",
};
