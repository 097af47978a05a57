// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recorded sysfs trees (--sysfs-root): the first input byte picks one file
 * of a copy of a recorded machine, the rest becomes its contents, and the
 * whole model is built from the tree (hwloc's Linux backend, capacity,
 * cpufreq, the kernel's energy model, the policy tables). The file gets its
 * recorded contents back afterwards. Trees that crash hwloc itself must be
 * refused by jtopo_load (docs/fuzzing.md).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jpower.h"
#include "jtopo.h"
#include "machine.h"

#define CPU "sys/devices/system/cpu/"
#define EM  "sys/kernel/debug/energy_model/"

static const char *const machines[] = {"arm-phone-tri", "intel-adl-laptop", "amd-phoenix2-no-cppc"};

/* Files scx_joule's own code reads (and some hwloc reads), per machine. */
static const struct target {
	int machine;
	const char *file;
} targets[] = {
	{0, CPU "possible"},
	{0, CPU "online"},
	{0, CPU "cpu0/cpu_capacity"},
	{0, CPU "cpu6/cpu_capacity"},
	{0, CPU "cpu4/cpufreq/related_cpus"},
	{0, CPU "cpu4/cpufreq/cpuinfo_min_freq"},
	{0, CPU "cpu4/cpufreq/cpuinfo_max_freq"},
	{0, CPU "cpu4/cpufreq/scaling_available_frequencies"},
	{0, CPU "cpu4/cpufreq/scaling_driver"},
	{0, CPU "cpu4/topology/core_cpus_list"},
	{0, CPU "cpu4/topology/cluster_cpus_list"},
	{0, CPU "cpu4/cache/index2/shared_cpu_list"},
	{0, EM "cpu4/cpus"},
	{0, EM "cpu4/ps:910000/frequency"},
	{0, EM "cpu4/ps:910000/power"},
	{0, EM "cpu4/ps:910000/performance"},
	{1, CPU "online"},
	{1, CPU "cpu0/acpi_cppc/highest_perf"},
	{1, CPU "cpu12/acpi_cppc/highest_perf"},
	{1, CPU "cpu0/cpufreq/cpuinfo_max_freq"},
	{1, CPU "cpu12/cpufreq/related_cpus"},
	{1, CPU "cpu0/topology/thread_siblings_list"},
	{1, "sys/devices/cpu_atom/cpus"},
	{1, "sys/devices/system/node/node0/cpulist"},
	{2, CPU "cpu0/cpufreq/amd_pstate_highest_perf"},
	{2, CPU "cpu4/cpufreq/amd_pstate_highest_perf"},
	{2, CPU "cpu4/cpufreq/cpuinfo_min_freq"},
	{2, CPU "cpu4/cpufreq/scaling_governor"},
};

#define NR_TARGETS (sizeof(targets) / sizeof(targets[0]))

static char root[sizeof(machines) / sizeof(machines[0])][256];
static struct {
	char path[512];
	char *text;
	size_t len;
} saved[NR_TARGETS];

static void copy_machine(int i)
{
	char cmd[1024];

	snprintf(root[i], sizeof(root[i]), "%s/%s", fuzz_tmpdir(), machines[i]);
	snprintf(cmd, sizeof(cmd), "cp -a '%s/%s' '%s'", FIXTURES_DIR, machines[i], root[i]);
	if (system(cmd))
		fuzz_fail("%s failed", cmd);
}

static void save_target(size_t i)
{
	FILE *f;

	snprintf(saved[i].path, sizeof(saved[i].path), "%s/%s", root[targets[i].machine],
		 targets[i].file);
	f = fopen(saved[i].path, "r");
	if (!f)
		fuzz_fail("%s: missing from the recording", saved[i].path);
	saved[i].text = malloc(4096);
	if (!saved[i].text)
		fuzz_fail("out of memory");
	saved[i].len = fread(saved[i].text, 1, 4096, f);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("HWLOC_HIDE_ERRORS", "2", 1);
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		copy_machine((int)i);
	for (size_t i = 0; i < NR_TARGETS; i++)
		save_target(i);
	return 0;
}

static void build_model(const char *dir)
{
	static struct jtopo t;
	static struct jpower_cpufreq cf;
	static struct jpower_model em;
	static struct joule_machine m;
	struct jtopo_input in = {.root = dir, .trusted = true};
	char err[512] = "";

	if (!fuzz_hwloc_survives(NULL, dir)) {
		fuzz_expect_jtopo_refuses(NULL, dir);
		return;
	}
	if (fuzz_refused(jtopo_load(&t, &in, err, sizeof(err)), err, "jtopo_load"))
		return;
	/* a model built in part leaves its warning in err: cleared before each call */
	err[0] = '\0';
	if (fuzz_refused(jpower_model_build(&em, &cf, &t, dir, NULL, err, sizeof(err)), err,
			 "jpower_model_build"))
		return;
	err[0] = '\0';
	fuzz_refused(joule_machine_from_model(&m, &t, &em, t.nr_cpus, err, sizeof(err)), err,
		     "joule_machine_from_model");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	if (!size)
		return 0;
	i = data[0] % NR_TARGETS;
	if (fuzz_write_file(saved[i].path, data + 1, size - 1))
		fuzz_fail("cannot write %s", saved[i].path);
	build_model(root[targets[i].machine]);
	if (fuzz_write_file(saved[i].path, saved[i].text, saved[i].len))
		fuzz_fail("cannot restore %s", saved[i].path);
	return 0;
}
