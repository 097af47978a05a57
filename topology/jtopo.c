// SPDX-License-Identifier: GPL-2.0-only
/*
 * jtopo_load(): hwloc for the structure and kinds, sysfs for capacity.
 * The policy of which capacity source wins is in jtopo.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <hwloc.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jtopo.h"

#define SYS_CPU "/sys/devices/system/cpu"

const char *jtopo_cap_source_name(enum jtopo_cap_source s)
{
	switch (s) {
	case JTOPO_CAP_SYSFS: return "cpu_capacity";
	case JTOPO_CAP_CPPC: return "acpi_cppc highest_perf";
	case JTOPO_CAP_AMD_PSTATE: return "amd_pstate_highest_perf";
	case JTOPO_CAP_HWLOC_KIND: return "hwloc cpukinds";
	case JTOPO_CAP_HOMOGENEOUS: return "homogeneous";
	}
	return "?";
}

const char *jtopo_like_source_name(enum jtopo_like_source s)
{
	switch (s) {
	case JTOPO_LIKE_NONE: return "none";
	case JTOPO_LIKE_CPUFREQ: return "cpufreq policy";
	case JTOPO_LIKE_CLUSTER: return "cluster";
	case JTOPO_LIKE_PACKAGE: return "package";
	case JTOPO_LIKE_CAPACITY: return "nearest capacity";
	case JTOPO_LIKE_NEAREST: return "guess: nearest CPU number";
	}
	return "?";
}

bool jtopo_like_is_guess(enum jtopo_like_source s)
{
	return s == JTOPO_LIKE_PACKAGE || s == JTOPO_LIKE_CAPACITY || s == JTOPO_LIKE_NEAREST;
}

void jtopo_kind_name(int k, int n, char *buf, size_t len)
{
	if (n <= 1)
		snprintf(buf, len, "cpu");
	else if (k == 0)
		snprintf(buf, len, "little");
	else if (k == n - 1)
		snprintf(buf, len, "big");
	else if (n == 3)
		snprintf(buf, len, "mid");
	else
		snprintf(buf, len, "mid%d", k);
}

void jtopo_warn(struct jtopo *t, const char *fmt, ...)
{
	va_list ap;

	if (t->nr_warnings >= JTOPO_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(t->warning[t->nr_warnings++], JTOPO_WARNING_LEN, fmt, ap);
	va_end(ap);
}

/* ---- hwloc ------------------------------------------------------------ */

/*
 * hwloc 2.x reads another root only through its environment (HWLOC_FSROOT);
 * set it for the load and put the caller's environment back afterwards.
 * Only the Linux backend runs then: the x86 one would read this CPU's CPUID.
 */
struct env_save {
	const char *name;
	char *old;
};

static void env_push(struct env_save *s, const char *name, const char *val)
{
	const char *old = getenv(name);

	s->name = name;
	s->old = old ? strdup(old) : NULL;
	setenv(name, val, 1);
}

static void env_pop(struct env_save *s)
{
	if (s->old)
		setenv(s->name, s->old, 1);
	else
		unsetenv(s->name);
	free(s->old);
}

/*
 * An XML file hwloc may read: readable, and a regular file (a FIFO or a
 * device would block the check's reader with no end).
 */
static int xml_readable(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return access(path, R_OK) ? -errno : 0;
}

static int hwloc_open(hwloc_topology_t *topo, const struct jtopo_input *in, char *err,
		      size_t errlen)
{
	struct env_save env[3];
	bool fsroot = !in->xml && in->root && strcmp(in->root, "/");
	int ret;

	if (hwloc_topology_init(topo)) {
		snprintf(err, errlen, "hwloc: cannot initialise a topology");
		return -ENOMEM;
	}
	/*
	 * The whole machine, not this process's share: a service in a cgroup
	 * cpuset (AllowedCPUs=, an isolated partition) still schedules every CPU.
	 */
	hwloc_topology_set_flags(*topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	if (in->xml && (ret = xml_readable(in->xml))) {
		snprintf(err, errlen, "%s: %s", in->xml,
			 ret == -EINVAL ? "not a regular file" : strerror(-ret));
		hwloc_topology_destroy(*topo);
		*topo = NULL;
		return ret;
	}
	if (in->xml && hwloc_topology_set_xml(*topo, in->xml)) {
		snprintf(err, errlen, "%s: not a valid hwloc XML topology", in->xml);
		goto fail;
	}
	if (fsroot) {
		env_push(&env[0], "HWLOC_FSROOT", in->root);
		env_push(&env[1], "HWLOC_THISSYSTEM", "0");
		env_push(&env[2], "HWLOC_COMPONENTS", "linux,stop");
	}
	ret = hwloc_topology_load(*topo);
	if (fsroot)
		for (int i = 2; i >= 0; i--)
			env_pop(&env[i]);
	if (ret) {
		if (in->xml)
			snprintf(err, errlen, "%s: not a valid hwloc XML topology", in->xml);
		else
			snprintf(err, errlen, "%s: hwloc cannot read the CPU topology there",
				 fsroot ? in->root : "/sys");
		goto fail;
	}
	return 0;
fail:
	hwloc_topology_destroy(*topo);
	*topo = NULL;
	return -EINVAL;
}

/* Dense ids for objects in the order CPUs first meet them. */
struct id_map {
	hwloc_obj_t obj[JTOPO_MAX_CPUS];
	int n;
};

static int id_of(struct id_map *m, hwloc_obj_t obj)
{
	for (int i = 0; i < m->n; i++)
		if (m->obj[i] == obj)
			return i;
	if (m->n >= JTOPO_MAX_CPUS)
		return 0;
	m->obj[m->n] = obj;
	return m->n++;
}

/* The highest-level CPU cache above pu, and its level-2 one (NULL if none). */
static void pu_caches(hwloc_obj_t pu, hwloc_obj_t *l2, hwloc_obj_t *llc)
{
	*l2 = *llc = NULL;
	for (hwloc_obj_t o = pu->parent; o; o = o->parent) {
		if (!hwloc_obj_type_is_dcache(o->type))
			continue;
		if (o->attr->cache.depth == 2)
			*l2 = o;
		if (!*llc || o->attr->cache.depth > (*llc)->attr->cache.depth)
			*llc = o;
	}
}

struct domain_maps {
	struct id_map core, cluster, llc, package;
};

static void place_pu(struct jtopo *t, hwloc_topology_t topo, hwloc_obj_t pu,
		     struct domain_maps *maps)
{
	struct jtopo_cpu *c = &t->cpu[pu->os_index];
	hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);
	hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, pu);
	hwloc_obj_t l2, llc, numa = NULL;
	unsigned other;

	if (!core)
		core = pu;
	pu_caches(pu, &l2, &llc);
	c->core = id_of(&maps->core, core);
	c->nr_threads = hwloc_bitmap_weight(core->cpuset);
	c->sibling = -1;
	hwloc_bitmap_foreach_begin(other, core->cpuset)
	{
		if (other != pu->os_index && c->sibling < 0)
			c->sibling = (int)other;
	}
	hwloc_bitmap_foreach_end();
	c->cluster = id_of(&maps->cluster, l2 ? l2 : core);
	c->llc = id_of(&maps->llc, llc ? llc : (pkg ? pkg : core));
	c->llc_level = llc ? (int)llc->attr->cache.depth : 0;
	c->package = pkg ? id_of(&maps->package, pkg) : 0;
	c->numa = -1;
	while ((numa = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, numa)))
		if (hwloc_bitmap_isset(numa->cpuset, pu->os_index))
			c->numa = (int)numa->os_index;
}

/*
 * A kind's numbers, or -EINVAL with the offending one named in err: a
 * frequency beyond JTOPO_MAX_MHZ (no CPU clocks at 10 GHz) would overflow
 * the model's arithmetic, and a LinuxCapacity outside the kernel's
 * 1..1024 (an XML is anyone's to edit; -1 read as the biggest) would rank
 * the kinds upside down. The kind's CPUs are filled in already, to name
 * them. From sysfs (xml false) hwloc's LinuxCapacity is cpu_capacity, which
 * read_capacity checks first with a message naming the file.
 */
static int kind_info(struct jtopo_kind *k, const struct hwloc_info_s *infos, unsigned n,
		     const char *origin, bool xml, char *err, size_t errlen)
{
	char list[128];

	for (unsigned i = 0; i < n; i++) {
		if (!strcmp(infos[i].name, "CoreType")) {
			snprintf(k->core_type, sizeof(k->core_type), "%s", infos[i].value);
		} else if (!strcmp(infos[i].name, "FrequencyMaxMHz")) {
			unsigned long mhz = strtoul(infos[i].value, NULL, 10);

			if (mhz > JTOPO_MAX_MHZ) {
				snprintf(err, errlen,
					 "%s: CPU kind %s: FrequencyMaxMHz=%s is more than %u",
					 origin, k->core_type[0] ? k->core_type : "(no CoreType)",
					 infos[i].value, JTOPO_MAX_MHZ);
				return -EINVAL;
			}
			k->max_mhz = (unsigned)mhz;
		} else if (!strcmp(infos[i].name, "LinuxCapacity")) {
			const char *v = infos[i].value;
			unsigned long cap;
			char *end;

			errno = 0;
			cap = strtoul(v, &end, 10);
			if (xml && (errno || end == v || *end || *v < '0' || *v > '9' || cap < 1 ||
				    cap > 1024)) {
				jtopo_format_cpulist(&k->cpus, list, sizeof(list));
				snprintf(err, errlen,
					 "%s: CPU kind %s (CPUs %s): LinuxCapacity=%s is out of "
					 "range (expected 1..1024)",
					 origin, k->core_type[0] ? k->core_type : "(no CoreType)",
					 list, v);
				return -EINVAL;
			}
			k->linux_capacity = (unsigned)cap;
		}
	}
	return 0;
}

static void absorb_kind(struct jtopo_kind *into, const struct jtopo_kind *from)
{
	for (int w = 0; w < JTOPO_MASK_WORDS; w++)
		into->cpus.bits[w] |= from->cpus.bits[w];
	if (from->hwloc_efficiency > into->hwloc_efficiency)
		into->hwloc_efficiency = from->hwloc_efficiency;
	if (from->max_mhz > into->max_mhz)
		into->max_mhz = from->max_mhz;
	if (from->linux_capacity > into->linux_capacity)
		into->linux_capacity = from->linux_capacity;
}

static void remove_kind(struct jtopo_kind *k, int *n, int i)
{
	memmove(&k[i], &k[i + 1], sizeof(k[0]) * (size_t)(*n - i - 1));
	(*n)--;
}

/*
 * hwloc makes a kind of every step of maximum frequency or capacity, so a
 * hybrid whose favoured cores each turbo differently has many. Fold them:
 * first kinds of one core type, then the neighbours in hwloc's ranking
 * with the nearest maximum frequency. Per-CPU capacities stay as they are.
 */
static void fold_kinds(struct jtopo *t, struct jtopo_kind *k, int *n)
{
	int before = *n, by_type;

	for (int i = 0; i < *n && *n > JTOPO_MAX_KINDS; i++)
		for (int j = *n - 1; j > i; j--)
			if (k[i].core_type[0] && !strcmp(k[i].core_type, k[j].core_type)) {
				absorb_kind(&k[i], &k[j]);
				remove_kind(k, n, j);
			}
	by_type = *n;
	while (*n > JTOPO_MAX_KINDS) {
		int best = 0;

		for (int i = 1; i + 1 < *n; i++)
			if (abs((int)k[i + 1].max_mhz - (int)k[i].max_mhz) <
			    abs((int)k[best + 1].max_mhz - (int)k[best].max_mhz))
				best = i;
		absorb_kind(&k[best], &k[best + 1]);
		remove_kind(k, n, best + 1);
	}
	jtopo_warn(t, "hwloc reports %d CPU kinds, more than %d: folded into %d by core type%s",
		   before, JTOPO_MAX_KINDS, *n, *n < by_type ? " and maximum frequency" : "");
}

/*
 * hwloc (2.12, and its source as of 2026-12) reads cpuN/cpu_capacity with N
 * the CPU's rank among the online CPUs, not its number. With a CPU offline
 * below an online one (nosmt, a core switched off), every CPU after the
 * hole reads another's capacity, or none (Linux removes an offline CPU's
 * file), and hwloc's kinds split along those: an RK3399 with CPU 1 offline
 * had four kinds, a homogeneous board two. Where hwloc read this sysfs and
 * such a hole exists, its kinds are made again from the capacities read
 * here (kinds_again_from_capacity).
 */
static bool hwloc_capacity_shifted(const struct jtopo *t, const struct jtopo_input *in)
{
	int last = -1;

	if (in->xml) /* hwloc read the XML, not this sysfs */
		return false;
	for (int c = 0; c < t->nr_cpus; c++)
		if (jtopo_cpuset_isset(&t->online, c))
			last = c;
	for (int c = 0; c < last; c++)
		if (!jtopo_cpuset_isset(&t->online, c))
			return true;
	return false;
}

/*
 * hwloc's CPU kinds (ranked least efficient first); one kind if it has none.
 * shifted: hwloc_capacity_shifted(). Then *misread says whether hwloc's
 * kinds rest on capacities (or leave a CPU out, which is then no error),
 * and their capacities are dropped: classify() makes them again.
 */
static int read_kinds(struct jtopo *t, hwloc_topology_t topo, bool xml, bool shifted, bool *misread,
		      char *err, size_t errlen)
{
	static struct jtopo_kind all[JTOPO_MAX_CPUS];
	int n = hwloc_cpukinds_get_nr(topo, 0), nr = 0;
	hwloc_bitmap_t set = hwloc_bitmap_alloc();

	if (!set)
		return -ENOMEM;
	for (int i = 0; i < n && nr < JTOPO_MAX_CPUS; i++) {
		struct jtopo_kind *k = &all[nr];
		struct hwloc_info_s *infos;
		unsigned nr_infos, cpu;
		int eff;

		memset(k, 0, sizeof(*k));
		if (hwloc_cpukinds_get_info(topo, (unsigned)i, set, &eff, &nr_infos, &infos, 0))
			continue;
		k->hwloc_efficiency = eff;
		hwloc_bitmap_foreach_begin(cpu, set)
		{
			if (jtopo_cpuset_isset(&t->online, (int)cpu))
				jtopo_cpuset_set(&k->cpus, (int)cpu);
		}
		hwloc_bitmap_foreach_end();
		if (kind_info(k, infos, nr_infos, t->origin, xml, err, errlen)) {
			hwloc_bitmap_free(set);
			return -EINVAL;
		}
		if (!jtopo_cpuset_weight(&k->cpus)) {
			snprintf(err, errlen, "%s: CPU kind #%d%s%s has no online CPUs", t->origin,
				 i, k->core_type[0] ? " " : "", k->core_type);
			hwloc_bitmap_free(set);
			return -EINVAL;
		}
		nr++;
	}
	hwloc_bitmap_free(set);
	if (nr) {
		/*
		 * hwloc's own backends give every PU a kind; an XML whose kinds
		 * miss some is hand-made or broken, and the CPUs it misses
		 * would have no capacity (1) and no domain. Which kind they
		 * are is not ours to guess.
		 */
		struct jtopo_cpuset missing = t->online;
		char list[128];

		for (int i = 0; i < nr; i++)
			for (int w = 0; w < JTOPO_MASK_WORDS; w++)
				missing.bits[w] &= ~all[i].cpus.bits[w];
		*misread = shifted && jtopo_cpuset_weight(&missing);
		for (int i = 0; shifted && i < nr; i++)
			*misread |= all[i].linux_capacity > 0;
		for (int i = 0; *misread && i < nr; i++)
			all[i].linux_capacity = 0;
		if (jtopo_cpuset_weight(&missing) && !*misread) {
			jtopo_format_cpulist(&missing, list, sizeof(list));
			snprintf(err, errlen,
				 "%s: online CPUs %s are in none of hwloc's %d CPU kinds "
				 "(every CPU needs one)",
				 t->origin, list, n);
			return -EINVAL;
		}
	}
	if (nr > JTOPO_MAX_KINDS)
		fold_kinds(t, all, &nr);
	memcpy(t->kind, all, sizeof(all[0]) * (size_t)nr);
	t->nr_kinds = nr;
	return 0;
}

/* ---- CPUs: which exist, which are online ----------------------------- */

void jtopo_too_many_cpus(char *err, size_t errlen, const char *what, long nr)
{
	snprintf(err, errlen,
		 "%s%s%ld possible CPUs; this build of scx_joule handles at most %d "
		 "(meson option max_cpus%s)",
		 what, *what ? ": " : "", nr, JTOPO_MAX_CPUS,
		 JTOPO_MAX_CPUS < 512 ? ": rebuild with -Dmax_cpus=512" : ", 512 at most");
}

/*
 * The highest CPU number in a CPU list, -1 if it holds none, -2 if one is
 * beyond any int (strtol saturates there, and "highest + 1" overflowed).
 */
static long cpulist_last(const char *list)
{
	long last = -1, n;
	char *end;

	for (const char *p = list; *p;) {
		if (*p < '0' || *p > '9') {
			p++;
			continue;
		}
		errno = 0;
		n = strtol(p, &end, 10);
		if (errno || n > INT_MAX)
			return -2;
		if (n > last)
			last = n;
		p = end;
	}
	return last;
}

static int not_cpu_list(const char *root, const char *name, const char *text, const char *why,
			char *err, size_t errlen)
{
	char path[PATH_MAX];

	jtopo_fs_path(path, sizeof(path), root, SYS_CPU "/%s", name);
	snprintf(err, errlen, "%s: '%.64s' is not a CPU list%s", path, text, why);
	return -EINVAL;
}

/* SYS_CPU/name's line; errors name the file, and an empty one is no CPU list. */
static int cpu_list_line(const char *root, const char *name, char *buf, size_t len, char *err,
			 size_t errlen)
{
	char rel[64], path[PATH_MAX];
	int ret;

	snprintf(rel, sizeof(rel), SYS_CPU "/%s", name);
	buf[0] = '\0';
	ret = jtopo_fs_line(root, rel, buf, len);
	if (!ret)
		return 0;
	jtopo_fs_path(path, sizeof(path), root, "%s", rel);
	if (ret == -ENODATA)
		snprintf(err, errlen, "%s: empty, not a CPU list", path);
	else if (ret == -EOVERFLOW)
		snprintf(err, errlen,
			 "%s: longer than %zu bytes, not a CPU list of at most %d CPUs", path,
			 len - 1, JTOPO_MAX_CPUS);
	else
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}

int jtopo_read_online(const char *root, struct jtopo_cpuset *online, char *err, size_t errlen)
{
	char buf[JTOPO_CPULIST_LEN], path[PATH_MAX];
	int ret = cpu_list_line(root, "online", buf, sizeof(buf), err, errlen);
	long highest;

	if (ret)
		return ret;
	/* a machine beyond the build's ceiling, not a malformed list */
	highest = cpulist_last(buf);
	if (highest >= JTOPO_MAX_CPUS) {
		jtopo_fs_path(path, sizeof(path), root, SYS_CPU "/online");
		jtopo_too_many_cpus(err, errlen, path, highest + 1);
		return -E2BIG;
	}
	if (jtopo_parse_cpulist(buf, online, JTOPO_MAX_CPUS) || !jtopo_cpuset_weight(online))
		return not_cpu_list(root, "online", buf, "", err, errlen);
	return 0;
}

static int read_cpu_sets(struct jtopo *t, hwloc_topology_t topo, const struct jtopo_input *in,
			 char *err, size_t errlen)
{
	char buf[JTOPO_CPULIST_LEN];
	struct jtopo_cpuset possible;
	hwloc_const_bitmap_t hw = hwloc_topology_get_topology_cpuset(topo);
	long highest;
	int last, ret;

	if (in->xml && !in->root) {
		/* only the XML: the CPUs it shows are the online ones */
		unsigned cpu;

		hwloc_bitmap_foreach_begin(cpu, hw)
		{
			if (cpu >= JTOPO_MAX_CPUS) {
				jtopo_too_many_cpus(err, errlen, in->xml,
						    hwloc_bitmap_last(hw) + 1L);
				return -E2BIG;
			}
			jtopo_cpuset_set(&t->online, (int)cpu);
		}
		hwloc_bitmap_foreach_end();
		/* the complete set has the offline CPUs too: the loop above saw none */
		last = hwloc_bitmap_last(hwloc_topology_get_complete_cpuset(topo));
		if (last >= JTOPO_MAX_CPUS) {
			jtopo_too_many_cpus(err, errlen, in->xml, last + 1L);
			return -E2BIG;
		}
		t->nr_cpus = last + 1;
		return 0;
	}
	ret = cpu_list_line(in->root, "possible", buf, sizeof(buf), err, errlen);
	if (ret)
		return ret;
	highest = cpulist_last(buf);
	if (highest == -2)
		return not_cpu_list(in->root, "possible", buf, " (a CPU number out of range)", err,
				    errlen);
	if (highest >= JTOPO_MAX_CPUS) {
		jtopo_too_many_cpus(err, errlen, t->origin, highest + 1);
		return -E2BIG;
	}
	if (jtopo_parse_cpulist(buf, &possible, JTOPO_MAX_CPUS))
		return not_cpu_list(in->root, "possible", buf, "", err, errlen);
	ret = jtopo_read_online(in->root, &t->online, err, errlen);
	if (ret)
		return ret;
	for (int w = 0; w < JTOPO_MASK_WORDS; w++)
		t->online.bits[w] &= possible.bits[w];
	for (int c = 0; c < JTOPO_MAX_CPUS; c++)
		if (jtopo_cpuset_isset(&possible, c))
			t->nr_cpus = c + 1;
	/* an online CPU without a PU means its topology files are missing */
	for (int c = 0; c < t->nr_cpus; c++) {
		if (jtopo_cpuset_isset(&t->online, c) && !hwloc_bitmap_isset(hw, (unsigned)c)) {
			snprintf(err, errlen,
				 "%s: CPU %d is online but has no topology (missing "
				 "%s/cpu%d/topology?)",
				 t->origin, c, SYS_CPU, c);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- capacity ---------------------------------------------------------- */

struct cap_reading {
	bool present;  /* every online CPU has it */
	bool distinct; /* the values tell CPUs apart */
	unsigned long v[JTOPO_MAX_CPUS];
};

/* What is wrong with a capacity file read with ret (0: its value). */
static const char *cap_value_problem(int ret)
{
	if (!ret)
		return "value out of range";
	/* an empty file is as malformed as "12x"; EISDIR or EOVERFLOW says more */
	return ret == -EINVAL || ret == -ENODATA ? "not a number" : strerror(-ret);
}

/*
 * Read rel_fmt (with the CPU number) for every online CPU. Present for all
 * or none; present for some is an error naming a CPU without it. Values
 * outside [1, limit] are errors too.
 */
static int read_cap_files(struct jtopo *t, const char *root, const char *rel_fmt,
			  unsigned long limit, struct cap_reading *r, char *err, size_t errlen)
{
	const char *shown = root && strcmp(root, "/") ? root : "";
	int have = -1, miss = -1;
	char rel[256];

	memset(r, 0, sizeof(*r));
	for (int c = 0; c < t->nr_cpus; c++) {
		uint64_t v;
		int ret;

		if (!jtopo_cpuset_isset(&t->online, c))
			continue;
		snprintf(rel, sizeof(rel), rel_fmt, c);
		ret = jtopo_fs_u64(root, rel, &v);
		if (ret == -ENOENT) {
			miss = c;
			continue;
		}
		/*
		 * A file the kernel fails to read (CPPC's highest_perf gives
		 * EIO where firmware fails the register read; EACCES/EPERM for
		 * a user's run, ENXIO for a device gone) or a link that leads
		 * nowhere says nothing of the machine: the next source decides,
		 * as if there were none. Anything else (a link out of a
		 * recorded tree, a directory) is an error in the input.
		 */
		if (ret == -EIO || ret == -EACCES || ret == -EPERM || ret == -ENXIO ||
		    ret == -ELOOP) {
			jtopo_warn(t, "%s%s: %s: capacity not taken from these files", shown, rel,
				   strerror(-ret));
			memset(r, 0, sizeof(*r));
			return 0;
		}
		if (ret || v < 1 || v > limit) {
			snprintf(err, errlen, "%s%s: %s (expected 1..%lu)", shown, rel,
				 cap_value_problem(ret), limit);
			return -EINVAL;
		}
		r->v[c] = v;
		have = c;
	}
	if (have >= 0 && miss >= 0) {
		snprintf(rel, sizeof(rel), rel_fmt, miss);
		snprintf(err, errlen, "%s%s: missing (CPU %d has one)", shown, rel, have);
		return -EINVAL;
	}
	r->present = have >= 0;
	return 0;
}

static void cap_finish(const struct jtopo *t, struct cap_reading *r)
{
	unsigned long first = 0;

	for (int c = 0; c < t->nr_cpus; c++) {
		if (!r->present || !jtopo_cpuset_isset(&t->online, c))
			continue;
		if (!first)
			first = r->v[c];
		else if (r->v[c] != first)
			r->distinct = true;
	}
}

/*
 * An Intel E-core's work per clock, per mille of a P-core's: the kernel's
 * own figure, intel_pstate's HWP performance-to-frequency scaling on
 * Alder and Raptor Lake P-cores (HYBRID_SCALING_FACTOR_ADL, 78741 kHz per
 * unit against an E-core's 100000; 80000 on Meteor Lake). ESTIMATE for
 * other generations.
 */
#define INTEL_ATOM_WORK_PER_CLOCK 787

/* A kind's FrequencyMaxMHz, in per mille of MHz at a P-core's work per clock. */
static unsigned long kind_speed(const struct jtopo *t, const struct jtopo_kind *kd)
{
	bool intel_core = false;

	for (int k = 0; k < t->nr_kinds; k++)
		intel_core |= !strcmp(t->kind[k].core_type, "IntelCore");
	if (intel_core && !strcmp(kd->core_type, "IntelAtom"))
		return (unsigned long)kd->max_mhz * INTEL_ATOM_WORK_PER_CLOCK;
	return (unsigned long)kd->max_mhz * 1000;
}

/*
 * Per online CPU, its kind's LinuxCapacity, else its FrequencyMaxMHz; on
 * an Intel hybrid, an E-core's clock counts for less work than a P-core's
 * (without CPPC an E-core of 3.6 GHz beside 4.8 GHz P-cores had capacity
 * 768 and a P-core's energy per clock; CPPC says 604).
 */
static void cap_from_kinds(const struct jtopo *t, struct cap_reading *r)
{
	bool all_cap = t->nr_kinds > 1, all_mhz = t->nr_kinds > 1;

	memset(r, 0, sizeof(*r));
	for (int k = 0; k < t->nr_kinds; k++) {
		all_cap &= t->kind[k].linux_capacity > 0;
		all_mhz &= t->kind[k].max_mhz > 0;
	}
	if (!all_cap && !all_mhz)
		return;
	for (int k = 0; k < t->nr_kinds; k++) {
		unsigned long v = all_cap ? t->kind[k].linux_capacity : kind_speed(t, &t->kind[k]);

		for (int c = 0; c < t->nr_cpus; c++)
			if (jtopo_cpuset_isset(&t->kind[k].cpus, c))
				r->v[c] = v;
	}
	r->present = true;
}

/*
 * Capacities relative to the biggest online CPU's value, except
 * cpu_capacity (on the kernel's scale already, which counts CPUs offline
 * now: rescaled, a board with its big cluster offline would have little
 * CPUs of 1024).
 */
static void apply_capacity(struct jtopo *t, const struct cap_reading *r, bool kernel_scale)
{
	unsigned long max = kernel_scale ? 1024 : 0;

	for (int c = 0; r && !kernel_scale && c < t->nr_cpus; c++)
		if (jtopo_cpuset_isset(&t->online, c) && r->v[c] > max)
			max = r->v[c];
	for (int c = 0; c < t->nr_cpus; c++) {
		unsigned long cap = 1024;

		if (!jtopo_cpuset_isset(&t->online, c))
			continue;
		if (r && r->present && max)
			cap = r->v[c] * 1024 / max;
		t->cpu[c].capacity = cap ? (unsigned)cap : 1;
	}
}

/* Does in read sysfs files (this machine's, or a recorded root's)? Not an XML alone. */
static bool reads_sysfs(const struct jtopo_input *in)
{
	return in->root || !in->xml;
}

/*
 * On AMD, ACPI CPPC's highest_perf encodes the firmware's preferred-core
 * ranking (any value 166-255 on a homogeneous Ryzen), not a speed;
 * amd-pstate splits the two and gives the performance in
 * amd_pstate_highest_perf. So CPPC is read only where neither applies.
 */
static bool cppc_is_ranking(const struct jtopo *t)
{
	return !strcmp(t->cpu_vendor, "AuthenticAMD") || !strcmp(t->cpu_vendor, "HygonGenuine");
}

/* A sysfs capacity source, read only while no better one has decided. */
static int read_cap_source(struct jtopo *t, const struct jtopo_input *in, enum jtopo_cap_source s,
			   struct cap_reading *r, char *err, size_t errlen)
{
	switch (s) {
	case JTOPO_CAP_SYSFS:
		return read_cap_files(t, in->root, SYS_CPU "/cpu%d/cpu_capacity", 1024, r, err,
				      errlen);
	case JTOPO_CAP_AMD_PSTATE:
		return read_cap_files(t, in->root, SYS_CPU "/cpu%d/cpufreq/amd_pstate_highest_perf",
				      1UL << 32, r, err, errlen);
	case JTOPO_CAP_CPPC:
		return read_cap_files(t, in->root, SYS_CPU "/cpu%d/acpi_cppc/highest_perf",
				      1UL << 32, r, err, errlen);
	default: return 0;
	}
}

static int read_capacity(struct jtopo *t, const struct jtopo_input *in, char *err, size_t errlen)
{
	/* amd-pstate's own figure before CPPC's, which on AMD is a ranking */
	static const enum jtopo_cap_source order[] = {JTOPO_CAP_SYSFS, JTOPO_CAP_AMD_PSTATE,
						      JTOPO_CAP_CPPC, JTOPO_CAP_HWLOC_KIND};
	static struct cap_reading r[JTOPO_CAP_HOMOGENEOUS];
	int chosen = -1, first_present = -1;

	memset(r, 0, sizeof(r));
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && chosen < 0; i++) {
		enum jtopo_cap_source s = order[i];
		int ret = 0;

		if (s == JTOPO_CAP_CPPC && (r[JTOPO_CAP_AMD_PSTATE].present || cppc_is_ranking(t)))
			continue;
		if (s == JTOPO_CAP_HWLOC_KIND)
			cap_from_kinds(t, &r[s]);
		else if (reads_sysfs(in))
			ret = read_cap_source(t, in, s, &r[s], err, errlen);
		if (ret)
			return ret;
		cap_finish(t, &r[s]);
		if (r[s].present && first_present < 0)
			first_present = s;
		if (r[s].distinct)
			chosen = s;
	}
	if (chosen < 0)
		chosen = first_present;
	if (chosen < 0) {
		t->cap_source = JTOPO_CAP_HOMOGENEOUS;
		apply_capacity(t, NULL, false);
		if (t->nr_kinds > 1)
			jtopo_warn(t,
				   "%d CPU kinds but no capacity source (cpu_capacity, CPPC, "
				   "amd-pstate, hwloc kind infos): every CPU gets 1024",
				   t->nr_kinds);
		return 0;
	}
	t->cap_source = (enum jtopo_cap_source)chosen;
	apply_capacity(t, &r[chosen], chosen == JTOPO_CAP_SYSFS);
	return 0;
}

/* ---- kinds from capacity, ordering ------------------------------------ */

static unsigned kind_mean_capacity(const struct jtopo *t, const struct jtopo_kind *k)
{
	unsigned long sum = 0;
	int n = 0;

	for (int c = 0; c < t->nr_cpus; c++) {
		if (jtopo_cpuset_isset(&k->cpus, c)) {
			sum += t->cpu[c].capacity;
			n++;
		}
	}
	return n ? (unsigned)(sum / (unsigned long)n) : 0;
}

/*
 * hwloc saw one kind (or none) but capacities differ: group CPUs whose
 * capacities are within 10% of the smallest of the group (so favoured
 * cores of one kind, a few percent apart, stay one kind). Past
 * JTOPO_MAX_KINDS groups the remaining CPUs, the most capable ones, join
 * the last kind: a CPU left in no kind had kind 0 (little) and no domain.
 */
static void kinds_from_capacity(struct jtopo *t)
{
	struct jtopo_cpuset rest = {0};
	char list[120]; /* ends after a whole entry, the warning's room */
	unsigned lo = 0;

	t->nr_kinds = 0;
	for (;;) {
		unsigned next = ~0u;
		struct jtopo_kind *k;

		for (int c = 0; c < t->nr_cpus; c++)
			if (jtopo_cpuset_isset(&t->online, c) && t->cpu[c].capacity > lo &&
			    t->cpu[c].capacity < next)
				next = t->cpu[c].capacity;
		if (next == ~0u || t->nr_kinds == JTOPO_MAX_KINDS)
			break;
		k = &t->kind[t->nr_kinds++];
		memset(k, 0, sizeof(*k));
		k->hwloc_efficiency = -1;
		lo = next + next / 10;
		for (int c = 0; c < t->nr_cpus; c++)
			if (jtopo_cpuset_isset(&t->online, c) && t->cpu[c].capacity >= next &&
			    t->cpu[c].capacity <= lo)
				jtopo_cpuset_set(&k->cpus, c);
	}
	for (int c = 0; c < t->nr_cpus; c++)
		if (jtopo_cpuset_isset(&t->online, c) && t->cpu[c].capacity > lo)
			jtopo_cpuset_set(&rest, c);
	if (!jtopo_cpuset_weight(&rest))
		return;
	for (int w = 0; w < JTOPO_MASK_WORDS; w++)
		t->kind[t->nr_kinds - 1].cpus.bits[w] |= rest.bits[w];
	jtopo_format_cpulist(&rest, list, sizeof(list));
	jtopo_warn(t,
		   "capacities form more than %d groups: CPUs %s join the most capable kind "
		   "(per-CPU capacities are kept)",
		   JTOPO_MAX_KINDS, list);
}

static void order_kinds(struct jtopo *t)
{
	/* insertion sort by mean capacity; hwloc's order breaks ties */
	for (int i = 1; i < t->nr_kinds; i++) {
		struct jtopo_kind k = t->kind[i];
		unsigned cap = kind_mean_capacity(t, &k);
		int j = i - 1;

		while (j >= 0 && kind_mean_capacity(t, &t->kind[j]) > cap) {
			t->kind[j + 1] = t->kind[j];
			j--;
		}
		t->kind[j + 1] = k;
	}
	for (int k = 0; k < t->nr_kinds; k++) {
		jtopo_kind_name(k, t->nr_kinds, t->kind[k].name, sizeof(t->kind[k].name));
		for (int c = 0; c < t->nr_cpus; c++)
			if (jtopo_cpuset_isset(&t->kind[k].cpus, c))
				t->cpu[c].kind = k;
	}
}

static bool capacities_differ(const struct jtopo *t)
{
	int first = jtopo_cpuset_first(&t->online);

	for (int c = 0; c < t->nr_cpus; c++)
		if (jtopo_cpuset_isset(&t->online, c) &&
		    t->cpu[c].capacity != t->cpu[first].capacity)
			return true;
	return false;
}

/* Does kind k share a CPU with cpus? */
static bool kind_overlaps(const struct jtopo_kind *k, const struct jtopo_cpuset *cpus)
{
	for (int w = 0; w < JTOPO_MASK_WORDS; w++)
		if (k->cpus.bits[w] & cpus->bits[w])
			return true;
	return false;
}

/*
 * hwloc's kinds split by capacities it misread (hwloc_capacity_shifted):
 * made again from the per-CPU capacities, each keeping what hwloc's kinds
 * of its CPUs agree on (core type) or their highest frequency, which
 * hwloc reads by CPU number. Its efficiency ranking came from the misread
 * capacities: not kept.
 */
static void kinds_again_from_capacity(struct jtopo *t)
{
	static struct jtopo_kind hw[JTOPO_MAX_KINDS];
	int nr_hw = t->nr_kinds;

	memcpy(hw, t->kind, sizeof(hw[0]) * (size_t)nr_hw);
	kinds_from_capacity(t);
	for (int k = 0; k < t->nr_kinds; k++) {
		struct jtopo_kind *kd = &t->kind[k];
		const char *type = NULL;
		bool one_type = true;

		for (int i = 0; i < nr_hw; i++) {
			if (!kind_overlaps(&hw[i], &kd->cpus))
				continue;
			if (hw[i].max_mhz > kd->max_mhz)
				kd->max_mhz = hw[i].max_mhz;
			one_type &= !type || !strcmp(type, hw[i].core_type);
			type = hw[i].core_type;
		}
		if (type && one_type)
			snprintf(kd->core_type, sizeof(kd->core_type), "%s", type);
	}
	jtopo_warn(t,
		   "hwloc's CPU kinds were made from cpu_capacity misread past offline CPUs "
		   "(hwloc reads it by rank, not CPU number): %d kind%s made again from "
		   "%s",
		   t->nr_kinds, t->nr_kinds == 1 ? "" : "s", jtopo_cap_source_name(t->cap_source));
}

static void classify(struct jtopo *t, bool misread)
{
	if (misread && t->nr_kinds > 1)
		kinds_again_from_capacity(t);
	else if (t->nr_kinds <= 1 && capacities_differ(t))
		kinds_from_capacity(t);
	if (t->nr_kinds <= 1) {
		struct jtopo_kind one = t->nr_kinds ? t->kind[0] : (struct jtopo_kind){0};

		if (!t->nr_kinds)
			one.hwloc_efficiency = -1;
		one.cpus = t->online;
		t->kind[0] = one;
		t->nr_kinds = 1;
	}
	order_kinds(t);
}

/* ---- offline CPUs ------------------------------------------------------ */

/*
 * hwloc shows no offline CPU, but one can come online at any time, and the
 * scheduler must know it then without a restart. Each offline CPU takes
 * the place of an online one (the order of sources is in jtopo.h).
 */

static int first_online_of(const struct jtopo *t, const struct jtopo_cpuset *set)
{
	for (int c = jtopo_cpuset_next(set, 0); c >= 0; c = jtopo_cpuset_next(set, c + 1))
		if (t->cpu[c].online)
			return c;
	return -1;
}

/* An online CPU of the cpufreq policy whose related_cpus list cpu, or -1. */
static int like_by_policy(const struct jtopo *t, const char *root, int cpu)
{
	char rel[128], buf[JTOPO_CPULIST_LEN];
	struct jtopo_cpuset set;

	/* a policy is named after its first CPU */
	for (int p = 0; p < t->nr_cpus; p++) {
		snprintf(rel, sizeof(rel), SYS_CPU "/cpufreq/policy%d/related_cpus", p);
		if (jtopo_fs_line(root, rel, buf, sizeof(buf)) ||
		    jtopo_parse_cpulist(buf, &set, JTOPO_MAX_CPUS) ||
		    !jtopo_cpuset_isset(&set, cpu))
			continue;
		return first_online_of(t, &set);
	}
	return -1;
}

/* An online CPU of cpu's own topology/NAME list, or -1. */
static int like_by_topology(const struct jtopo *t, const char *root, int cpu, const char *name)
{
	char rel[128], buf[JTOPO_CPULIST_LEN];
	struct jtopo_cpuset set;

	snprintf(rel, sizeof(rel), SYS_CPU "/cpu%d/topology/%s", cpu, name);
	if (jtopo_fs_line(root, rel, buf, sizeof(buf)) ||
	    jtopo_parse_cpulist(buf, &set, JTOPO_MAX_CPUS))
		return -1;
	return first_online_of(t, &set);
}

/* cpu's own cpu_capacity on the model's scale (via like's), or 0 if unknown. */
static unsigned own_capacity(const struct jtopo *t, const char *root, int cpu, int like)
{
	char rel[128];
	uint64_t mine, theirs;

	if (t->cap_source != JTOPO_CAP_SYSFS)
		return 0;
	snprintf(rel, sizeof(rel), SYS_CPU "/cpu%d/cpu_capacity", cpu);
	if (jtopo_fs_u64(root, rel, &mine) || mine < 1 || mine > 1024)
		return 0;
	snprintf(rel, sizeof(rel), SYS_CPU "/cpu%d/cpu_capacity", like);
	if (jtopo_fs_u64(root, rel, &theirs) || !theirs)
		return 0;
	mine = mine * t->cpu[like].capacity / theirs;
	return mine > 1024 ? 1024 : (unsigned)(mine ? mine : 1);
}

/* The online CPU nearest to cpu: by capacity if cap is known, else by number. */
static int like_nearest(const struct jtopo *t, int cpu, unsigned cap)
{
	int best = -1;
	long best_d = 0;

	for (int c = 0; c < t->nr_cpus; c++) {
		long d = cap ? labs((long)t->cpu[c].capacity - (long)cap) : abs(c - cpu);

		if (t->cpu[c].online && (best < 0 || d < best_d)) {
			best = c;
			best_d = d;
		}
	}
	return best;
}

/* How we know (or guess) which online CPU an offline one is like. */
static void find_like(const struct jtopo *t, const char *root, int cpu, struct jtopo_cpu *out)
{
	int like = root ? like_by_policy(t, root, cpu) : -1;

	out->like_source = JTOPO_LIKE_CPUFREQ;
	if (like < 0 && root) {
		like = like_by_topology(t, root, cpu, "cluster_cpus_list");
		out->like_source = JTOPO_LIKE_CLUSTER;
	}
	if (like < 0 && root) {
		like = like_by_topology(t, root, cpu, "package_cpus_list");
		out->like_source = JTOPO_LIKE_PACKAGE;
	}
	if (like < 0) {
		/* the nearest by number first, to scale its own capacity by */
		like = like_nearest(t, cpu, 0);
		out->like_source = JTOPO_LIKE_NEAREST;
		if (like >= 0 && root && own_capacity(t, root, cpu, like)) {
			like = like_nearest(t, cpu, own_capacity(t, root, cpu, like));
			out->like_source = JTOPO_LIKE_CAPACITY;
		}
	}
	out->like = like;
	if (like < 0)
		out->like_source = JTOPO_LIKE_NONE;
}

static void place_offline_cpu(struct jtopo *t, const char *root, int cpu)
{
	struct jtopo_cpu *c = &t->cpu[cpu];
	const struct jtopo_cpu *l;
	unsigned cap;

	find_like(t, root, cpu, c);
	if (c->like_source == JTOPO_LIKE_NONE)
		return;
	l = &t->cpu[c->like];
	cap = root ? own_capacity(t, root, cpu, c->like) : 0;
	c->own_capacity = cap > 0;
	c->capacity = cap ? cap : l->capacity;
	c->kind = l->kind;
	c->cluster = l->cluster;
	c->llc = l->llc;
	c->llc_level = l->llc_level;
	c->package = l->package;
	c->numa = l->numa;
	c->core = -1;
	c->sibling = -1;
}

static void place_offline(struct jtopo *t, const struct jtopo_input *in)
{
	/* an XML export alone has no sysfs to ask */
	const char *root = in->root ? in->root : (in->xml ? NULL : "/");
	struct jtopo_cpuset guessed = {0};
	char list[256];

	for (int c = 0; c < t->nr_cpus; c++) {
		if (t->cpu[c].online)
			continue;
		place_offline_cpu(t, root, c);
		if (t->cpu[c].like_source == JTOPO_LIKE_NEAREST)
			jtopo_cpuset_set(&guessed, c);
	}
	if (!jtopo_cpuset_weight(&guessed))
		return;
	jtopo_format_cpulist(&guessed, list, sizeof(list));
	jtopo_warn(t,
		   "offline CPUs %s: nothing known of them (no cpufreq policy, topology or "
		   "cpu_capacity); each is taken to be like the online CPU nearest by number "
		   "until it comes online, when the model is read again",
		   list);
}

/* ---- the whole model --------------------------------------------------- */

static int read_structure(struct jtopo *t, hwloc_topology_t topo)
{
	static struct domain_maps maps;
	hwloc_obj_t pu = NULL;

	memset(&maps, 0, sizeof(maps));
	while ((pu = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_PU, pu))) {
		if (pu->os_index >= JTOPO_MAX_CPUS ||
		    !jtopo_cpuset_isset(&t->online, (int)pu->os_index))
			continue;
		place_pu(t, topo, pu, &maps);
		t->cpu[pu->os_index].online = true;
	}
	t->nr_online = jtopo_cpuset_weight(&t->online);
	t->nr_cores = maps.core.n;
	t->nr_clusters = maps.cluster.n;
	t->nr_llcs = maps.llc.n;
	t->nr_packages = maps.package.n ? maps.package.n : 1;
	t->nr_numa = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	return 0;
}

/*
 * x86's vendor_id from the root's /proc/cpuinfo (hwloc's Linux backend,
 * the only one run on a recorded root, does not give it), else hwloc's
 * CPUVendor (an XML exported on x86); "" if neither says.
 */
static void read_cpu_vendor(struct jtopo *t, hwloc_topology_t topo, const struct jtopo_input *in)
{
	hwloc_obj_t pkg = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_PACKAGE, NULL);
	const char *vendor = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUVendor") : NULL;
	static char info[4096];
	char *line;

	t->cpu_vendor[0] = '\0';
	if (reads_sysfs(in) && !jtopo_fs_text(in->root, "/proc/cpuinfo", info, sizeof(info)) &&
	    (line = strstr(info, "vendor_id")) && (line = strchr(line, ':'))) {
		sscanf(line + 1, " %31s", t->cpu_vendor);
		return;
	}
	if (vendor)
		snprintf(t->cpu_vendor, sizeof(t->cpu_vendor), "%s", vendor);
}

static int load_model(struct jtopo *t, const struct jtopo_input *in, char *err, size_t errlen)
{
	hwloc_topology_t topo = NULL;
	bool misread = false;
	int ret;

	memset(t, 0, sizeof(*t));
	if (in->xml)
		snprintf(t->origin, sizeof(t->origin), "%s", in->xml);
	else if (in->root && strcmp(in->root, "/"))
		snprintf(t->origin, sizeof(t->origin), "%s", in->root);
	else
		snprintf(t->origin, sizeof(t->origin), "this machine");
	if (in->root && strcmp(in->root, "/") && !jtopo_fs_exists(in->root, SYS_CPU)) {
		snprintf(err, errlen, "%s: no sys/devices/system/cpu there (not a sysfs root)",
			 in->root);
		return -ENOENT;
	}
	ret = hwloc_open(&topo, in, err, errlen);
	if (ret)
		return ret;
	ret = read_cpu_sets(t, topo, in, err, errlen);
	if (!ret && !t->nr_cpus) {
		snprintf(err, errlen, "%s: no CPUs", t->origin);
		ret = -EINVAL;
	}
	if (!ret)
		ret = read_structure(t, topo);
	if (!ret)
		read_cpu_vendor(t, topo, in);
	if (!ret)
		ret = read_kinds(t, topo, in->xml != NULL, hwloc_capacity_shifted(t, in), &misread,
				 err, errlen);
	if (!ret)
		ret = read_capacity(t, in, err, errlen);
	if (!ret)
		classify(t, misread);
	if (!ret)
		place_offline(t, in);
	hwloc_topology_destroy(topo);
	return ret;
}

/* ---- untrusted XML ----------------------------------------------------- */

/* The signals that stop the loader: in the probe child they stop it too. */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

static bool is_stop_signal(int sig)
{
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (stop_signals[i] == sig)
			return true;
	return false;
}

/*
 * In the probe child a crash must end the child with its signal, whatever
 * handlers the caller installed (a sanitizer's, a crash reporter's), and
 * what hwloc prints would only repeat when the parent loads the file.
 */
static void probe_child_setup(void)
{
	static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	int devnull = open("/dev/null", O_WRONLY);
	sigset_t stops;

	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		signal(crash_signals[i], SIG_DFL);
	/*
	 * A stop ends the child, whatever the caller does with one (a handler
	 * that only notes it, or holding it): a stuck load must not outlive
	 * Ctrl-C or the service manager's SIGTERM.
	 */
	sigemptyset(&stops);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		signal(stop_signals[i], SIG_DFL);
		sigaddset(&stops, stop_signals[i]);
	}
	sigprocmask(SIG_UNBLOCK, &stops, NULL);
	if (devnull >= 0)
		dup2(devnull, STDERR_FILENO);
}

/*
 * hwloc 2.12 dereferences NULL on some malformed XML and fails an assertion
 * on some sysfs trees (docs/fuzzing.md), so a user's input is first loaded,
 * with the whole model built from it, in a child. The child's own load
 * errors do not matter here: the parent repeats the load and reports them.
 */
static int probe_input(const struct jtopo_input *in, char *err, size_t errlen)
{
	const char *what = in->xml ? in->xml : in->root;
	static struct jtopo scratch;
	int status, ret;
	pid_t pid = fork();

	if (pid < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot fork to check it: %s", what, strerror(errno));
		return ret;
	}
	if (pid == 0) {
		char child_err[256];

		probe_child_setup();
		load_model(&scratch, in, child_err, sizeof(child_err));
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = -errno;
			snprintf(err, errlen, "%s: waiting for its check: %s", what,
				 strerror(errno));
			return ret;
		}
	}
	if (WIFSIGNALED(status) && is_stop_signal(WTERMSIG(status))) {
		snprintf(err, errlen, "%s: its check was stopped (signal %d)", what,
			 WTERMSIG(status));
		return -EINTR;
	}
	if (WIFSIGNALED(status)) {
		snprintf(err, errlen, "%s: hwloc crashed %s (signal %d)", what,
			 in->xml ? "parsing this XML" : "reading this sysfs tree",
			 WTERMSIG(status));
		return -EFAULT;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "%s: its check failed (exit status %d)", what,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -EIO;
	}
	return 0;
}

/* A FIFO, socket or device in a recorded tree (jtopo_fs_tree_check). */
static int check_tree(const char *root, char *err, size_t errlen)
{
	char bad[PATH_MAX];
	int ret = jtopo_fs_tree_check(root, bad, sizeof(bad));

	if (ret == -EINVAL)
		snprintf(err, errlen, "%s: not a regular file", bad);
	else if (ret == -EXDEV)
		snprintf(err, errlen, "%s: a link out of the recorded machine %s", bad, root);
	else if (ret == -E2BIG)
		snprintf(err, errlen, "%s: over a million entries, too many for a recorded machine",
			 root);
	else if (ret)
		snprintf(err, errlen, "%s: cannot check it: %s", bad, strerror(-ret));
	return ret;
}

int jtopo_load(struct jtopo *t, const struct jtopo_input *in, char *err, size_t errlen)
{
	bool user_root = in->root && strcmp(in->root, "/");
	int ret = 0;

	if (user_root && jtopo_fs_exists(in->root, SYS_CPU))
		ret = check_tree(in->root, err, errlen);
	if (!ret && (in->xml || user_root) && !in->trusted)
		ret = probe_input(in, err, errlen);
	if (ret) {
		memset(t, 0, sizeof(*t));
		return ret;
	}
	return load_model(t, in, err, errlen);
}
