/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine's CPU topology and per-CPU capacity.
 *
 * Structure (cores, SMT siblings, L2 clusters, last-level caches, packages,
 * NUMA nodes) and CPU kinds come from hwloc: from this machine, from a
 * recorded root directory (sys/, proc/: hwloc's Linux backend reads it), or
 * from an hwloc XML export. Kinds are ranked from the least to the most
 * capable and named little, (mid...), big; a machine with one kind has one
 * kind named "cpu". More than JTOPO_MAX_KINDS hwloc kinds (one per favoured-core
 * frequency step) are folded by core type, then by nearest frequency.
 *
 * Capacity (the kernel's 0..1024 scale, 1024 = the biggest CPU) comes from
 * the first of these sources that is present for every online CPU and tells
 * the CPUs apart; if none does, from the first present, and otherwise every
 * CPU gets 1024:
 *   1. sysfs cpu_capacity (arm64, riscv, x86 hybrid with recent kernels), as
 *      it is: on the kernel's scale, which counts CPUs offline now;
 *   2. amd-pstate's amd_pstate_highest_perf, relative to the highest one;
 *   3. ACPI CPPC highest_perf, relative to the highest one; not where 2 is
 *      present nor on an AMD or Hygon CPU, whose CPPC highest_perf is the
 *      firmware's preferred-core ranking;
 *   4. hwloc CPU kinds: their LinuxCapacity info, else FrequencyMaxMHz
 *      relative to the fastest kind (same work per clock assumed);
 *   5. homogeneous: 1024.
 * Sources 1-3 need a sysfs root (this machine or --sysfs-root); an XML
 * topology alone offers only 4 and 5. A source after the one chosen is not
 * read, so its files cannot fail the model.
 *
 * Errors are returned with a message naming the file or CPU; warnings (a
 * missing optional source and the fallback taken) are collected in the
 * struct for the caller to print.
 */
#ifndef JTOPO_H
#define JTOPO_H

#include <stdbool.h>
#include <stddef.h>

#include "jtopo_fs.h"

#define JTOPO_MAX_CPUS	   JOULE_MAX_CPUS
#define JTOPO_MAX_KINDS	   8
#define JTOPO_MAX_WARNINGS 8
#define JTOPO_WARNING_LEN  200
/* no CPU clocks at 10 GHz: a frequency above this, anywhere in the model, is bad input */
#define JTOPO_MAX_MHZ 10000
#define JTOPO_MAX_KHZ (JTOPO_MAX_MHZ * 1000u)

enum jtopo_cap_source {
	JTOPO_CAP_SYSFS,
	JTOPO_CAP_CPPC,
	JTOPO_CAP_AMD_PSTATE,
	JTOPO_CAP_HWLOC_KIND,
	JTOPO_CAP_HOMOGENEOUS,
};

/*
 * How an offline CPU's entry was found: it takes the place of an online CPU
 * (jtopo_cpu.like) found, in this order, in its cpufreq policy (related_cpus
 * lists offline CPUs), its own topology/cluster_cpus_list or
 * package_cpus_list (Linux removes them, a recording may keep them), the
 * online CPU of nearest capacity if its own cpu_capacity is known, else the
 * online CPU nearest by number (a guess; the model warns about it).
 */
enum jtopo_like_source {
	JTOPO_LIKE_NONE, /* online, or nothing online to take after */
	JTOPO_LIKE_CPUFREQ,
	JTOPO_LIKE_CLUSTER,
	JTOPO_LIKE_PACKAGE,
	JTOPO_LIKE_CAPACITY,
	JTOPO_LIKE_NEAREST,
};

struct jtopo_cpu {
	bool online;
	/*
	 * An offline CPU has the kind, cluster, LLC, package and NUMA node of
	 * the online CPU `like`, and its own cpu_capacity where sysfs has one
	 * (own_capacity), else like's; it has no core or sibling (-1).
	 */
	enum jtopo_like_source like_source;
	int like;
	bool own_capacity;
	int kind;	   /* index into jtopo.kind[], 0 = least capable */
	unsigned capacity; /* 0..1024 */
	int core;	   /* the core (hwloc logical index) */
	int sibling;	   /* another hardware thread of the core, -1 if none */
	int nr_threads;	   /* hardware threads of the core */
	int cluster;	   /* L2 domain (the core itself when it has its own L2) */
	int llc;	   /* last-level cache domain */
	int llc_level;	   /* that cache's level (2, 3...), 0 if the CPU has no cache */
	int package;
	int numa; /* NUMA node (OS index), -1 if unknown */
};

struct jtopo_kind {
	char name[16];		  /* little, mid, big, or cpu */
	int hwloc_efficiency;	  /* hwloc's ranking, -1 if hwloc gave none */
	char core_type[32];	  /* hwloc CoreType info (IntelCore, IntelAtom...) or "" */
	unsigned max_mhz;	  /* hwloc FrequencyMaxMHz info, 0 if unknown */
	unsigned linux_capacity;  /* hwloc LinuxCapacity info, 0 if unknown */
	struct jtopo_cpuset cpus; /* online CPUs of this kind */
};

struct jtopo {
	int nr_cpus; /* possible CPUs: highest CPU number + 1 */
	int nr_online;
	struct jtopo_cpuset online;
	struct jtopo_cpu cpu[JTOPO_MAX_CPUS];
	int nr_kinds;
	struct jtopo_kind kind[JTOPO_MAX_KINDS];
	int nr_cores, nr_clusters, nr_llcs, nr_packages, nr_numa;
	char cpu_vendor[32]; /* x86 vendor_id (GenuineIntel, AuthenticAMD...), "" unknown */
	enum jtopo_cap_source cap_source;
	char origin[256]; /* "this machine", the root directory or the XML file */
	int nr_warnings;
	char warning[JTOPO_MAX_WARNINGS][JTOPO_WARNING_LEN];
};

struct jtopo_input {
	const char *xml;  /* hwloc XML file, or NULL */
	const char *root; /* file-system root for sysfs (and hwloc if no xml); NULL = / */
	/*
	 * Skip the crash check of xml or root (see jtopo_load): only for
	 * callers that isolate hwloc themselves, such as the fuzzers.
	 */
	bool trusted;
};

/*
 * Fill t from in. 0, or -errno with a one-line message in err.
 *
 * hwloc crashes on some malformed XML and sysfs trees, so an XML file or a
 * root other than / is first loaded in a forked child (the whole model, not
 * only hwloc's part) and then in this process only if the child did not
 * die: -EFAULT with "FILE: hwloc crashed parsing this XML (signal N)" (or
 * "ROOT: hwloc crashed reading this sysfs tree (signal N)") if it did. The
 * live machine is loaded directly.
 */
int jtopo_load(struct jtopo *t, const struct jtopo_input *in, char *err, size_t errlen);

const char *jtopo_cap_source_name(enum jtopo_cap_source s);

/* "cpufreq policy", "cluster", ...: how an offline CPU's entry was found. */
const char *jtopo_like_source_name(enum jtopo_like_source s);

/*
 * Only a CPU's cpufreq policy or cluster says what an offline CPU is; an
 * entry found otherwise is a guess, to read again once the CPU is online.
 */
bool jtopo_like_is_guess(enum jtopo_like_source s);

/* Kind names for n kinds, least capable first: index k of n. */
void jtopo_kind_name(int k, int n, char *buf, size_t len);

/*
 * "WHAT: N possible CPUs; this build of scx_joule handles at most M (meson
 * option max_cpus...)": the one message for a machine beyond the ceiling.
 */
void jtopo_too_many_cpus(char *err, size_t errlen, const char *what, long nr);

/*
 * The online CPUs of the machine under root (NULL or "/": this one): 0, or
 * -errno with err naming the file (an empty list, a malformed one, or one
 * with no CPU in it is -EINVAL).
 */
int jtopo_read_online(const char *root, struct jtopo_cpuset *online, char *err, size_t errlen);

/* Record a warning (dropped beyond JTOPO_MAX_WARNINGS). */
void jtopo_warn(struct jtopo *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
