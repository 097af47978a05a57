/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel functions (kfuncs) the BPF scheduler calls, the kernel release
 * that introduced each, and the check of the running kernel's BTF for them.
 * tests/loader/test_kfuncs.c checks this table against the built BPF
 * object's extern functions, so a new kfunc cannot be used unlisted.
 */
#ifndef KFUNCS_H
#define KFUNCS_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

/* The oldest kernel that has every required kfunc (the newest "since"). */
#define JOULE_MIN_KERNEL "6.14"

struct joule_kfunc {
	const char *name;
	const char *since; /* mainline release that added it */
	bool optional;	   /* guarded with bpf_ksym_exists() in the BPF code */
};

extern const struct joule_kfunc joule_kfuncs[];
extern const int joule_nr_kfuncs;

/* The table entry for name, or NULL. */
const struct joule_kfunc *joule_kfunc_find(const char *name);

/* The entry for a BPF extern's name, which may carry a libbpf ___flavor. */
const struct joule_kfunc *joule_kfunc_find_extern(const char *extern_name);

/*
 * Required kfuncs vmlinux's BTF lacks, as "a (6.14), b (6.13)" in missing;
 * returns how many. Optional ones are not counted.
 */
int joule_kfuncs_missing(const struct btf *vmlinux, char *missing, size_t len);

/*
 * The one line scx_joule prints when vmlinux (of kernel release) lacks
 * required kfuncs, without a newline; returns how many are missing (0: none,
 * and msg is empty).
 */
int joule_kfuncs_message(const struct btf *vmlinux, const char *release, char *msg, size_t len);

/* Whether the running kernel's BTF has kfunc name (false if unreadable). */
bool joule_kernel_has_kfunc(const char *name);

#endif
