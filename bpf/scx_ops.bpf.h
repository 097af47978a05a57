/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few sched_ext conveniences scx_joule's BPF code needs. vmlinux.h
 * already declares every kfunc; this adds the struct_ops program macros and
 * printf-style scx_bpf_error(), scx_bpf_exit() and scx_bpf_dump() on top of their _bstr kfuncs.
 */
#ifndef SCX_OPS_BPF_H
#define SCX_OPS_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define BPF_STRUCT_OPS(name, args...) SEC("struct_ops/" #name) BPF_PROG(name, ##args)

#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

/*
 * A printf-style call of a _bstr kfunc: call sees the format as ___fmt and
 * the arguments, packed as the kernel wants them, as ___param.
 */
#define ___scx_bstr_call(call, fmt, args...)                                                       \
	({                                                                                         \
		static char ___fmt[] = fmt;                                                        \
		unsigned long long ___param[___bpf_narg(args)];                                    \
		___bpf_fill(___param, args);                                                       \
		call;                                                                              \
	})

/* Abort the scheduler with a message; the kernel then falls back to EEVDF. */
#define scx_bpf_error(fmt, args...)                                                                \
	___scx_bstr_call(scx_bpf_error_bstr(___fmt, ___param, sizeof(___param)), fmt, ##args)

/* Stop the scheduler on purpose, with an exit code the loader reads. */
#define scx_bpf_exit(code, fmt, args...)                                                           \
	___scx_bstr_call(scx_bpf_exit_bstr(code, ___fmt, ___param, sizeof(___param)), fmt, ##args)

/* A line of the scheduler's own state in the kernel's debug dump (ops.dump*). */
#define scx_bpf_dump(fmt, args...)                                                                 \
	___scx_bstr_call(scx_bpf_dump_bstr(___fmt, ___param, sizeof(___param)), fmt, ##args)

/* vmlinux.h has no errno values, nor clock ids */
#define ENOENT		2
#define EINVAL		22
#define ENOMEM		12
#define CLOCK_MONOTONIC 1

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif /* SCX_OPS_BPF_H */
