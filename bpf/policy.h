/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule's scheduling policy as pure functions over plain structs.
 *
 * These headers are compiled twice: into the BPF scheduler (bpf/scx_joule.bpf.c,
 * after vmlinux.h) and into userspace (the simulator sim/, its tests). Nothing
 * here calls a kfunc, a helper or libc, so the simulator measures exactly the
 * decisions the kernel-side scheduler makes. BPF verifier rules kept here:
 * integer math only (u64 where products can overflow u32), unsigned division,
 * every loop bounded by a compile-time JP_MAX_* constant, every array index
 * checked against its JP_MAX_* before use, no large stack objects, no function
 * pointers, no recursion, at most 5 arguments per function.
 *
 * One concern a header, included here in dependency order; each says in its
 * first comment what it computes and why:
 *   policy/base.h       limits, units, structs, small helpers
 *   policy/profile.h    the profiles' parameters
 *   policy/util.h       task and CPU utilization
 *   policy/capacity.h   fit, overutilization, misfit, latency-critical tasks
 *   policy/frame.h      frame threads' deadlines: the speed a frame's stage needs
 *   policy/freq.h       frequency targets and requests
 *   policy/placement.h  wakeup placement: least energy, or most speed
 *   policy/balance.h    balancing between performance domains
 *   policy/enqueue.h    where a runnable task waits; a busy CPU's tick
 *   policy/dispatch.h   what a CPU runs next: the sources to try, in order
 */
#ifndef JOULE_POLICY_H
#define JOULE_POLICY_H

#include "policy/base.h"
#include "policy/profile.h"
#include "policy/util.h"
#include "policy/capacity.h"
#include "policy/frame.h"
#include "policy/freq.h"
#include "policy/placement.h"
#include "policy/balance.h"
#include "policy/enqueue.h"
#include "policy/dispatch.h"

#endif /* JOULE_POLICY_H */
