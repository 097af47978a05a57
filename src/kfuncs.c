// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "kfuncs.h"

/*
 * Releases from the kernel's history: sched_ext's kfuncs arrived with its
 * merge in 6.12, were renamed to scx_bpf_dsq_* in 6.13 (for-6.13: "Rename
 * scx_bpf_dispatch[_vtime]() to scx_bpf_dsq_insert[_vtime]()", "Rename
 * scx_bpf_consume() to scx_bpf_dsq_move_to_local()"), and scx_bpf_now()
 * came in 6.14 (for-6.14: "Implement scx_bpf_now()"). bpf_cpumask_* kfuncs
 * date from 6.3, the open-coded number iterator from 6.4.
 */
const struct joule_kfunc joule_kfuncs[] = {
	{"bpf_cpumask_test_cpu", "6.3", false},
	{"bpf_rcu_read_lock", "6.2", false},
	{"bpf_rcu_read_unlock", "6.2", false},
	{"bpf_iter_num_new", "6.4", false},
	{"bpf_iter_num_next", "6.4", false},
	{"bpf_iter_num_destroy", "6.4", false},
	{"bpf_iter_scx_dsq_new", "6.12", false},
	{"bpf_iter_scx_dsq_next", "6.12", false},
	{"bpf_iter_scx_dsq_destroy", "6.12", false},
	{"scx_bpf_create_dsq", "6.12", false},
	{"scx_bpf_cpuperf_cap", "6.12", false},
	{"scx_bpf_cpuperf_cur", "6.12", false},
	{"scx_bpf_cpuperf_set", "6.12", false},
	{"scx_bpf_dsq_nr_queued", "6.12", false},
	{"scx_bpf_dump_bstr", "6.12", false},
	{"scx_bpf_error_bstr", "6.12", false},
	{"scx_bpf_exit_bstr", "6.12", false},
	{"scx_bpf_get_idle_cpumask", "6.12", false},
	{"scx_bpf_get_online_cpumask", "6.12", false},
	{"scx_bpf_get_possible_cpumask", "6.12", false},
	{"scx_bpf_kick_cpu", "6.12", false},
	{"scx_bpf_nr_cpu_ids", "6.12", false},
	{"scx_bpf_put_cpumask", "6.12", false},
	{"scx_bpf_put_idle_cpumask", "6.12", false},
	{"scx_bpf_task_cpu", "6.12", false},
	{"scx_bpf_task_running", "6.12", false},
	{"scx_bpf_test_and_clear_cpu_idle", "6.12", false},
	{"scx_bpf_dsq_insert", "6.13", false},
	{"scx_bpf_dsq_insert_vtime", "6.13", false},
	{"scx_bpf_dsq_move", "6.13", false},
	{"scx_bpf_dsq_move_to_local", "6.13", false},
	{"scx_bpf_now", "6.14", false},
	/*
	 * Posted in October 2025 for the release after 6.18 (for-6.19); used
	 * where present because 7.x warns about writing p->scx.slice/dsq_vtime.
	 */
	{"scx_bpf_task_set_slice", "6.19", true},
	/* one or the other, chosen at load: see joule_kernel_has_kfunc() */
	{"scx_bpf_reenqueue_local", "6.12", true},
	{"scx_bpf_reenqueue_local___v2", "6.19", true},
	{"scx_bpf_task_set_dsq_vtime", "6.19", true},
	/* for-6.19 too ("Add a lockless peek operation for DSQs"); else the iterator */
	{"scx_bpf_dsq_peek", "6.19", true},
};
const int joule_nr_kfuncs = sizeof(joule_kfuncs) / sizeof(joule_kfuncs[0]);

const struct joule_kfunc *joule_kfunc_find(const char *name)
{
	for (int i = 0; i < joule_nr_kfuncs; i++)
		if (!strcmp(joule_kfuncs[i].name, name))
			return &joule_kfuncs[i];
	return NULL;
}

/*
 * libbpf looks an extern up without its last ___suffix (a "flavor"), so the
 * BPF code may add one to a kernel name that has ___ in it already.
 */
const struct joule_kfunc *joule_kfunc_find_extern(const char *extern_name)
{
	const struct joule_kfunc *k = joule_kfunc_find(extern_name);
	const char *flavor = strstr(extern_name, "___");
	char name[128];

	for (const char *next = flavor; next; next = strstr(next + 3, "___"))
		flavor = next;
	if (k || !flavor || (size_t)(flavor - extern_name) >= sizeof(name))
		return k;
	snprintf(name, sizeof(name), "%.*s", (int)(flavor - extern_name), extern_name);
	return joule_kfunc_find(name);
}

int joule_kfuncs_missing(const struct btf *vmlinux, char *missing, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		missing[0] = '\0';
	for (int i = 0; i < joule_nr_kfuncs; i++) {
		const struct joule_kfunc *k = &joule_kfuncs[i];

		if (k->optional || btf__find_by_name_kind(vmlinux, k->name, BTF_KIND_FUNC) >= 0)
			continue;
		if (used < len)
			used += (size_t)snprintf(missing + used, len - used, "%s%s (%s)",
						 n ? ", " : "", k->name, k->since);
		n++;
	}
	return n;
}

int joule_kfuncs_message(const struct btf *vmlinux, const char *release, char *msg, size_t len)
{
	char missing[1024]; /* every kfunc, as on a kernel without sched_ext's */
	int n = joule_kfuncs_missing(vmlinux, missing, sizeof(missing));

	if (len)
		msg[0] = '\0';
	if (n)
		snprintf(msg, len,
			 "scx_joule: this kernel (%s) lacks the kfunc%s %s (added in the release "
			 "shown); scx_joule needs Linux >= %s",
			 release, n > 1 ? "s" : "", missing, JOULE_MIN_KERNEL);
	return n;
}

bool joule_kernel_has_kfunc(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) >= 0;
	btf__free(btf);
	return found;
}
