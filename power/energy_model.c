// SPDX-License-Identifier: GPL-2.0-only
/*
 * The three energy-model sources: the kernel's (debugfs), a model file, and
 * the derived model. Formats and the formula: docs/energy-model.md.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jpower.h"

#define EM_DIR	      "/sys/kernel/debug/energy_model"
#define EM_MICROWATTS 0x1      /* the kernel's EM_PERF_DOMAIN_MICROWATTS flag */
#define EM_ARTIFICIAL 0x4      /* the kernel's EM_PERF_DOMAIN_ARTIFICIAL flag */
#define MAX_SANE_MW   100000.0 /* 100 W for one CPU */
#define MIN_MW	      0.001    /* 1 uW: the kernel's unit, and what the file format writes */
#define ABSTRACT_TOP  1000.0   /* a driver's own scale: its largest figure, rescaled */
#define FILE_MAGIC    "scx-joule-energy-model"
#define FILE_VERSION  1

/* Derived model constants (docs/energy-model.md says where they come from). */
#define DERIVED_DPC	 436.0	     /* uW/MHz/V^2 of a capacity-per-MHz 1.0 core */
#define DERIVED_V_LOW	 0.70	     /* V at the machine's lowest frequency */
#define DERIVED_V_HIGH	 1.20	     /* V at its highest */
#define DERIVED_IDLE_PCT 5.0	     /* idle power, % of power at the lowest OPP */
#define DERIVED_NO_L3	 (2.0 / 3.0) /* power of a CPU off the machine's L3 (below) */

/*
 * Every online CPU in exactly one PD, and with offline_too no offline CPU
 * in two: the error names the CPU and its domains.
 */
static int check_cpus(const struct jpower_model *em, const struct jtopo *t, const char *where,
		      bool offline_too, char *err, size_t errlen)
{
	for (int c = 0; c < t->nr_cpus; c++) {
		int first = -1;

		if (!t->cpu[c].online && !offline_too)
			continue;
		for (int p = 0; p < em->nr_pds; p++) {
			if (!jtopo_cpuset_isset(&em->pd[p].cpus, c))
				continue;
			if (first >= 0) {
				snprintf(err, errlen,
					 "%s: CPU %d is in two performance domains, %s and %s "
					 "(must be in one)",
					 where, c, em->pd[first].name, em->pd[p].name);
				return -EINVAL;
			}
			first = p;
		}
		if (first < 0 && t->cpu[c].online) {
			snprintf(err, errlen, "%s: online CPU %d is in no performance domain",
				 where, c);
			return -EINVAL;
		}
	}
	return 0;
}

/* Every online CPU in exactly one PD; each PD with CPUs and OPPs. */
static int check_cover(const struct jpower_model *em, const struct jtopo *t, const char *where,
		       char *err, size_t errlen)
{
	int ret = check_cpus(em, t, where, false, err, errlen);

	if (ret)
		return ret;
	for (int p = 0; p < em->nr_pds; p++) {
		if (!em->pd[p].nr_opps) {
			snprintf(err, errlen, "%s: performance domain %s has no operating points",
				 where, em->pd[p].name);
			return -EINVAL;
		}
	}
	return 0;
}

/* A model read from where: checked, labelled and finished (costs, inefficiency). */
static int em_accept(struct jpower_model *em, const struct jtopo *t, enum jpower_em_source source,
		     const char *where, char *err, size_t errlen)
{
	int ret = check_cover(em, t, where, err, errlen);

	if (ret)
		return ret;
	em->source = source;
	snprintf(em->origin, sizeof(em->origin), "%.255s", where);
	jpower_em_finish(em, t);
	return 0;
}

/* Add an OPP keeping the PD's list ascending; duplicates are an error. */
static int add_opp(struct jpower_pd *pd, unsigned khz, double mw, unsigned capacity)
{
	int i;

	if (pd->nr_opps == JPOWER_MAX_OPPS)
		return -E2BIG;
	for (i = pd->nr_opps; i > 0 && pd->opp[i - 1].khz > khz; i--)
		pd->opp[i] = pd->opp[i - 1];
	if (i > 0 && pd->opp[i - 1].khz == khz) {
		memmove(&pd->opp[i], &pd->opp[i + 1],
			sizeof(pd->opp[0]) * (size_t)(pd->nr_opps - i));
		return -EEXIST;
	}
	pd->opp[i] = (struct jpower_opp){.khz = khz, .power_mw = mw, .capacity = capacity};
	pd->nr_opps++;
	return 0;
}

/* ---- kernel energy model in debugfs ----------------------------------- */

/*
 * An artificial model (intel_pstate's on hybrids) has a placeholder power
 * (EM_MAX_POWER) and puts what it means in the cost, which EAS uses as
 * cost = power * 10 / performance: invert that so our costs keep its ratios.
 */
static int artificial_power(const char *root, const char *dir, const char *state, uint64_t perf,
			    double *mw)
{
	char rel[512];
	uint64_t cost;

	snprintf(rel, sizeof(rel), "%.250s/%.200s/cost", dir, state);
	if (jtopo_fs_u64(root, rel, &cost) || !cost || !perf)
		return -EINVAL;
	*mw = (double)cost * (double)perf / 10.0 / 1000.0;
	return 0;
}

static int debugfs_state(struct jpower_pd *pd, const char *root, const char *dir, const char *state,
			 bool artificial, bool abstract, char *err, size_t errlen)
{
	char rel[512];
	uint64_t khz, uw, perf = 0;
	double mw;
	int ret;

	snprintf(rel, sizeof(rel), "%.250s/%.200s/frequency", dir, state);
	ret = jtopo_fs_u64(root, rel, &khz);
	/* the message names the file that is wrong: frequency before power is read */
	if (!ret && (!khz || khz > JTOPO_MAX_KHZ)) {
		snprintf(err, errlen, "%s%s: absurd value", root, rel);
		return -EINVAL;
	}
	if (!ret) {
		snprintf(rel, sizeof(rel), "%.250s/%.200s/power", dir, state);
		ret = jtopo_fs_u64(root, rel, &uw);
	}
	/* an abstract scale's figures may be any size: only their ratios count */
	if (ret || !uw || (!abstract && uw / 1000.0 > MAX_SANE_MW)) {
		snprintf(err, errlen, "%s%s: %s", root, rel,
			 ret ? "missing or not a number" : "absurd value");
		return -EINVAL;
	}
	snprintf(rel, sizeof(rel), "%.250s/%.200s/performance", dir, state);
	/* kernels before 6.9 have none; one that is no number is no capacity either */
	if (jtopo_fs_u64(root, rel, &perf))
		perf = 0;
	mw = uw / 1000.0;
	if (artificial && (perf > 1024 || artificial_power(root, dir, state, perf, &mw))) {
		snprintf(err, errlen, "%s%s/%s: an artificial model needs cost and performance",
			 root, dir, state);
		return -EINVAL;
	}
	ret = add_opp(pd, (unsigned)khz, mw, perf <= 1024 ? (unsigned)perf : 0);
	if (ret) {
		snprintf(err, errlen, "%s%s/%s: %s", root, dir, state,
			 ret == -EEXIST ? "frequency listed twice" : "too many states");
		return -EINVAL;
	}
	return 0;
}

/*
 * The kernel's performance is capacity * f / f_max: it rises with frequency.
 * One that falls would give a lower OPP more capacity than the top one.
 * Equal is the kernel's own rounding for two close frequencies. States
 * without one (0) are left to domains.c, which derives it from the frequency.
 */
static int check_performance(const struct jpower_pd *pd, const char *root, const char *dir,
			     char *err, size_t errlen)
{
	unsigned prev = 0, prev_khz = 0;

	for (int i = 0; i < pd->nr_opps; i++) {
		const struct jpower_opp *o = &pd->opp[i];

		if (!o->capacity)
			continue;
		if (o->capacity < prev) {
			snprintf(err, errlen,
				 "%s%s: performance falls as frequency rises (%u at %u kHz, %u "
				 "at %u kHz)",
				 root, dir, prev, prev_khz, o->capacity, o->khz);
			return -EINVAL;
		}
		prev = o->capacity;
		prev_khz = o->khz;
	}
	return 0;
}

/*
 * The domain's flags; those of a model in microwatts (EM_MICROWATTS) when
 * there is no flags file to say (kernels before 5.19).
 */
static unsigned long debugfs_flags(const char *root, const char *dir)
{
	char rel[512], buf[32], *end;
	unsigned long flags;

	snprintf(rel, sizeof(rel), "%.250s/flags", dir);
	if (jtopo_fs_line(root, rel, buf, sizeof(buf)))
		return EM_MICROWATTS;
	flags = strtoul(buf, &end, 0);
	return end == buf || *end ? EM_MICROWATTS : flags;
}

static int debugfs_pd(struct jpower_model *em, const struct jtopo *t, const char *root,
		      const char *name, char *err, size_t errlen)
{
	char dir[256], path[4096], buf[JTOPO_CPULIST_LEN];
	struct jpower_pd *pd;
	struct dirent *de;
	bool artificial, abstract;
	unsigned long flags;
	DIR *d;
	int ret = 0;

	snprintf(dir, sizeof(dir), EM_DIR "/%.200s", name);
	snprintf(path, sizeof(path), "%s/cpus", dir);
	ret = jtopo_fs_line(root, path, buf, sizeof(buf));
	if (ret == -EOVERFLOW) {
		snprintf(err, errlen,
			 "%s%s: longer than %zu bytes, not a list of this machine's CPUs", root,
			 path, sizeof(buf) - 1);
		return ret;
	}
	if (ret == -ENOENT)
		return 0; /* not a CPU device (a GPU's model, say) */
	if (ret) {
		snprintf(err, errlen, "%s%s: %s", root, path,
			 ret == -ENODATA ? "empty, not a list of CPUs" : strerror(-ret));
		return ret;
	}
	if (em->nr_pds == JPOWER_MAX_PDS) {
		snprintf(err, errlen, "%s%s: more than %d CPU domains", root, EM_DIR,
			 JPOWER_MAX_PDS);
		return -E2BIG;
	}
	pd = &em->pd[em->nr_pds++];
	memset(pd, 0, sizeof(*pd));
	snprintf(pd->name, sizeof(pd->name), "%.31s", name);
	if (jtopo_parse_cpulist(buf, &pd->cpus, t->nr_cpus)) {
		snprintf(err, errlen, "%s%s/cpus: '%s' is not a list of this machine's CPUs", root,
			 dir, buf);
		return -EINVAL;
	}
	for (int w = 0; w < JTOPO_MASK_WORDS; w++)
		pd->cpus.bits[w] &= t->online.bits[w];
	jtopo_fs_path(path, sizeof(path), root, "%s", dir);
	d = opendir(path);
	if (!d) {
		ret = -errno;
		snprintf(err, errlen, "%s%s: %s", root, dir, strerror(errno));
		return ret;
	}
	flags = debugfs_flags(root, dir);
	artificial = flags & EM_ARTIFICIAL;
	/*
	 * Without EM_MICROWATTS the driver's power is on a scale of its own
	 * (SCMI firmware's "bogoWatts", say): its ratios place tasks as the
	 * kernel's EAS would, but they are no milliwatts.
	 */
	abstract = !artificial && !(flags & EM_MICROWATTS);
	em->artificial |= artificial;
	em->abstract_scale |= abstract;
	while (!ret && (de = readdir(d)))
		if (!strncmp(de->d_name, "ps:", 3))
			ret = debugfs_state(pd, root, dir, de->d_name, artificial, abstract, err,
					    errlen);
	closedir(d);
	if (!ret && !pd->nr_opps) {
		snprintf(err, errlen, "%s%s: no performance states (ps:*)", root, dir);
		ret = -EINVAL;
	}
	return ret ? ret : check_performance(pd, root, dir, err, errlen);
}

/* A power in mW rounded to the uW jpower_em_write() keeps: it reads back the same. */
static double at_file_precision(double mw)
{
	return round(mw * 1000.0) / 1000.0;
}

/*
 * A driver's own scale may be any size, and only its ratios mean anything.
 * Scaled to a largest figure of ABSTRACT_TOP, the model keeps them, its
 * costs fit the tables' 32 bits, and its file (jpower_em_write) loads back
 * under the limits a file in milliwatts has.
 */
static void rescale_abstract(struct jpower_model *em)
{
	double top = 0, k;

	for (int p = 0; p < em->nr_pds; p++)
		for (int i = 0; i < em->pd[p].nr_opps; i++)
			top = fmax(top, em->pd[p].opp[i].power_mw);
	if (top <= 0)
		return;
	k = ABSTRACT_TOP / top;
	for (int p = 0; p < em->nr_pds; p++) {
		struct jpower_pd *pd = &em->pd[p];

		for (int i = 0; i < pd->nr_opps; i++)
			pd->opp[i].power_mw =
				fmax(MIN_MW, at_file_precision(pd->opp[i].power_mw * k));
		pd->idle_mw = at_file_precision(pd->idle_mw * k);
	}
}

static int pd_first_cpu_cmp(const void *a, const void *b)
{
	return jtopo_cpuset_first(&((const struct jpower_pd *)a)->cpus) -
	       jtopo_cpuset_first(&((const struct jpower_pd *)b)->cpus);
}

int jpower_em_debugfs(struct jpower_model *em, const struct jtopo *t, const char *root, char *err,
		      size_t errlen)
{
	char path[4096];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	memset(em, 0, sizeof(*em));
	jtopo_fs_path(path, sizeof(path), root, EM_DIR);
	d = opendir(path);
	if (!d && (errno == EACCES || errno == EPERM)) {
		int e = errno;

		/* debugfs is root's: not "no model", which --show-topology would say */
		snprintf(err, errlen, "whether the kernel has one is not known: %s: %s%s", path,
			 strerror(e), geteuid() ? " (run as root)" : "");
		return -e;
	}
	if (!d)
		return -ENOENT;
	while (!ret && (de = readdir(d)))
		if (de->d_name[0] != '.')
			ret = debugfs_pd(em, t, root ? root : "", de->d_name, err, errlen);
	closedir(d);
	if (ret)
		return ret;
	if (!em->nr_pds)
		return -ENOENT;
	qsort(em->pd, (size_t)em->nr_pds, sizeof(em->pd[0]), pd_first_cpu_cmp);
	if (em->abstract_scale)
		rescale_abstract(em);
	return em_accept(em, t, JPOWER_EM_DEBUGFS, path, err, errlen);
}

/* ---- model file -------------------------------------------------------- */

static struct jpower_pd *pd_named(struct jpower_model *em, const char *name)
{
	for (int p = 0; p < em->nr_pds; p++)
		if (!strcmp(em->pd[p].name, name))
			return &em->pd[p];
	return NULL;
}

/* "key=value" at *p: the value as a string, p moved past it. */
static bool next_kv(char **p, char **key, char **val)
{
	char *tok = strtok_r(NULL, " \t", p);
	char *eq;

	if (!tok)
		return false;
	eq = strchr(tok, '=');
	*key = tok;
	*val = eq ? eq + 1 : NULL;
	if (eq)
		*eq = '\0';
	return true;
}

static bool parse_double(const char *s, double *v)
{
	char *end;

	if (!s || !*s)
		return false;
	*v = strtod(s, &end);
	return !*end;
}

/*
 * A power in mW, rounded to the uW that jpower_em_write() keeps, so that
 * what it writes reads back as the same value.
 */
static bool parse_mw(const char *s, double *mw)
{
	double v;

	if (!parse_double(s, &v) || !(v >= 0 && v < MAX_SANE_MW))
		return false;
	*mw = at_file_precision(v);
	return *mw < MAX_SANE_MW;
}

static bool parse_uint(const char *s, unsigned *v)
{
	char *end;
	unsigned long x;

	if (!s || *s < '0' || *s > '9')
		return false;
	x = strtoul(s, &end, 10);
	*v = (unsigned)x;
	return !*end && x <= 0xffffffffUL;
}

/* Is key name, seen before on this line? Notes it seen. */
static bool given_twice(const char *key, const char *name, bool *seen)
{
	bool twice;

	if (strcmp(key, name))
		return false;
	twice = *seen;
	*seen = true;
	return twice;
}

static int parse_pd_line(struct jpower_model *em, const struct jtopo *t, char **rest, char *msg,
			 size_t len)
{
	char *name = strtok_r(NULL, " \t", rest), *key, *val;
	struct jpower_pd *pd;
	bool have_cpus = false, seen[2] = {false, false};

	if (!name || strchr(name, '=')) {
		snprintf(msg, len, "'pd' needs a name");
		return -EINVAL;
	}
	if (strlen(name) >= JPOWER_NAME_LEN || pd_named(em, name)) {
		snprintf(msg, len, "domain name '%s' is too long or used twice", name);
		return -EINVAL;
	}
	if (em->nr_pds == JPOWER_MAX_PDS) {
		snprintf(msg, len, "more than %d domains", JPOWER_MAX_PDS);
		return -E2BIG;
	}
	pd = &em->pd[em->nr_pds++];
	memset(pd, 0, sizeof(*pd));
	snprintf(pd->name, sizeof(pd->name), "%s", name);
	while (next_kv(rest, &key, &val)) {
		if (given_twice(key, "cpus", &seen[0]) || given_twice(key, "idle_mw", &seen[1])) {
			snprintf(msg, len, "%s= given twice", key);
			return -EINVAL;
		}
		if (!strcmp(key, "cpus") && val &&
		    !jtopo_parse_cpulist(val, &pd->cpus, t->nr_cpus) &&
		    jtopo_cpuset_weight(&pd->cpus)) {
			have_cpus = true;
		} else if (!strcmp(key, "idle_mw") && parse_mw(val, &pd->idle_mw)) {
			continue;
		} else {
			snprintf(msg, len,
				 "bad '%s%s%s' (expected cpus=LIST of CPUs 0..%d, "
				 "idle_mw=MW)",
				 key, val ? "=" : "", val ? val : "", t->nr_cpus - 1);
			return -EINVAL;
		}
	}
	if (!have_cpus) {
		snprintf(msg, len, "domain %s has no cpus=", name);
		return -EINVAL;
	}
	return 0;
}

static int parse_opp_line(struct jpower_model *em, char **rest, char *msg, size_t len)
{
	char *name = strtok_r(NULL, " \t", rest), *key, *val;
	struct jpower_pd *pd = name ? pd_named(em, name) : NULL;
	unsigned khz = 0;
	double mw = -1;
	bool seen[2] = {false, false};
	int ret;

	if (!pd) {
		snprintf(msg, len, "'opp' names no declared domain ('%s')", name ? name : "");
		return -EINVAL;
	}
	while (next_kv(rest, &key, &val)) {
		if (given_twice(key, "khz", &seen[0]) || given_twice(key, "mw", &seen[1])) {
			snprintf(msg, len, "%s= given twice", key);
			return -EINVAL;
		}
		if (!strcmp(key, "khz") && parse_uint(val, &khz) && khz && khz <= JTOPO_MAX_KHZ)
			continue;
		if (!strcmp(key, "mw") && parse_mw(val, &mw) && mw >= MIN_MW)
			continue;
		snprintf(msg, len, "bad '%s%s%s' (expected khz=1..10000000, mw=%g..%g)", key,
			 val ? "=" : "", val ? val : "", MIN_MW, MAX_SANE_MW);
		return -EINVAL;
	}
	if (!khz || mw < 0) {
		snprintf(msg, len, "'opp %s' needs khz= and mw=", name);
		return -EINVAL;
	}
	if (pd->nr_opps && khz <= pd->opp[pd->nr_opps - 1].khz) {
		snprintf(msg, len, "domain %s: %u kHz is not above the previous OPP (%u kHz)", name,
			 khz, pd->opp[pd->nr_opps - 1].khz);
		return -EINVAL;
	}
	ret = add_opp(pd, khz, mw, 0);
	if (ret)
		snprintf(msg, len, "domain %s: more than %d OPPs", name, JPOWER_MAX_OPPS);
	return ret;
}

int jpower_em_parse(struct jpower_model *em, const struct jtopo *t, FILE *f, const char *name,
		    char *err, size_t errlen)
{
	/* a pd line lists up to every CPU (jpower_em_write), plus its name and idle power */
	char line[JTOPO_CPULIST_LEN + 256], msg[256];
	bool header = false;
	int lineno = 0, ret = 0;

	memset(em, 0, sizeof(*em));
	while (!ret && fgets(line, sizeof(line), f)) {
		char *rest, *word;

		lineno++;
		/* a longer line is not split into two: its tail would read as a line of its own */
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line longer than %zu characters", name,
				 lineno, sizeof(line) - 2);
			return -EINVAL;
		}
		line[strcspn(line, "#\n")] = '\0';
		/* a file saved with CRLF line ends: "1\r" is no version, "mw=5\r" no power */
		if (*line && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		word = strtok_r(line, " \t", &rest);
		if (!word)
			continue;
		msg[0] = '\0';
		if (!header) {
			unsigned v = 0;
			char *ver = strtok_r(NULL, " \t", &rest);

			if (strcmp(word, FILE_MAGIC) || !parse_uint(ver, &v) || v != FILE_VERSION) {
				snprintf(msg, sizeof(msg), "expected '%s %d' first", FILE_MAGIC,
					 FILE_VERSION);
				ret = -EINVAL;
			}
			header = true;
		} else if (!strcmp(word, "pd")) {
			ret = parse_pd_line(em, t, &rest, msg, sizeof(msg));
		} else if (!strcmp(word, "opp")) {
			ret = parse_opp_line(em, &rest, msg, sizeof(msg));
		} else if (!strcmp(word, "artificial") && !strtok_r(NULL, " \t", &rest)) {
			em->artificial = true;
		} else if (!strcmp(word, "abstract") && !strtok_r(NULL, " \t", &rest)) {
			em->abstract_scale = true;
		} else {
			snprintf(msg, sizeof(msg),
				 "unknown keyword '%s' (pd, opp, artificial, abstract)", word);
			ret = -EINVAL;
		}
		if (ret)
			snprintf(err, errlen, "%s:%d: %s", name, lineno, msg);
	}
	if (!ret && !header) {
		snprintf(err, errlen, "%s: empty (expected '%s %d')", name, FILE_MAGIC,
			 FILE_VERSION);
		ret = -EINVAL;
	}
	if (ret)
		return ret;
	/*
	 * Offline CPUs as the kernel's model has them: listed twice is an
	 * error like an online CPU, and then dropped, since an offline CPU's
	 * domain is that of the online CPU it is like (jtopo), whatever
	 * domain a file written elsewhere put it in; so it is never in two.
	 */
	ret = check_cpus(em, t, name, true, err, errlen);
	if (ret)
		return ret;
	for (int p = 0; p < em->nr_pds; p++)
		for (int w = 0; w < JTOPO_MASK_WORDS; w++)
			em->pd[p].cpus.bits[w] &= t->online.bits[w];
	return em_accept(em, t, JPOWER_EM_FILE, name, err, errlen);
}

int jpower_em_load(struct jpower_model *em, const struct jtopo *t, const char *path, char *err,
		   size_t errlen)
{
	FILE *f = jtopo_fs_open_regular(path);
	int ret;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path,
			 errno == EINVAL ? "not a regular file" : strerror(errno));
		return ret;
	}
	ret = jpower_em_parse(em, t, f, path, err, errlen);
	fclose(f);
	return ret;
}

/*
 * A domain's CPUs with t's offline CPUs known to share it (their own
 * cpufreq policy or cluster names one of its CPUs), so that the file still
 * covers them once they come online. A guessed likeness (package, nearest
 * capacity or number) is left out: a file that then misses a CPU fails
 * loudly, where a wrong domain would load silently.
 */
static struct jtopo_cpuset pd_cpus_with_offline(const struct jpower_pd *pd, const struct jtopo *t)
{
	struct jtopo_cpuset cpus = pd->cpus;

	for (int c = 0; t && c < t->nr_cpus; c++)
		if (!t->cpu[c].online &&
		    (t->cpu[c].like_source == JTOPO_LIKE_CPUFREQ ||
		     t->cpu[c].like_source == JTOPO_LIKE_CLUSTER) &&
		    jtopo_cpuset_isset(&pd->cpus, t->cpu[c].like))
			jtopo_cpuset_set(&cpus, c);
	return cpus;
}

int jpower_em_write(const struct jpower_model *em, const struct jtopo *t, FILE *f)
{
	char cpus[JTOPO_CPULIST_LEN];

	fprintf(f, "# scx_joule energy model (docs/energy-model.md); from: %s, %s\n",
		jpower_em_source_name(em->source), em->origin);
	fprintf(f, "%s %d\n", FILE_MAGIC, FILE_VERSION);
	/* read back, so that its placeholder figures are never taken for power */
	if (em->artificial)
		fprintf(f, "# the kernel's model gave costs, not power: no real unit below\n"
			   "artificial\n");
	if (em->abstract_scale)
		fprintf(f, "# the kernel's model is on its driver's own scale: no real unit below\n"
			   "abstract\n");
	for (int p = 0; p < em->nr_pds; p++) {
		const struct jpower_pd *pd = &em->pd[p];
		struct jtopo_cpuset all = pd_cpus_with_offline(pd, t);

		jtopo_format_cpulist(&all, cpus, sizeof(cpus));
		fprintf(f, "pd %s cpus=%s idle_mw=%.3f\n", pd->name, cpus, pd->idle_mw);
		for (int i = 0; i < pd->nr_opps; i++)
			fprintf(f, "opp %s khz=%u mw=%.3f\n", pd->name, pd->opp[i].khz,
				pd->opp[i].power_mw);
	}
	return ferror(f) ? -EIO : 0;
}

/* ---- derived model ------------------------------------------------------ */

/*
 * A domain off the machine's L3 (Meteor Lake's low-power E-cores on the SoC
 * tile) lets the L3, its ring and the compute tile sleep while it works, so
 * its work costs less than the same core's beside the L3 (DERIVED_NO_L3:
 * docs/energy-model.md). Only where other CPUs do have an L3.
 */
static double derived_l3_share(const struct jpower_pd *pd, const struct jtopo *t)
{
	bool machine_l3 = false, pd_l3 = false;

	for (int c = 0; c < t->nr_cpus; c++) {
		if (!t->cpu[c].online || t->cpu[c].llc_level < 3)
			continue;
		machine_l3 = true;
		if (jtopo_cpuset_isset(&pd->cpus, c))
			pd_l3 = true;
	}
	return machine_l3 && !pd_l3 ? DERIVED_NO_L3 : 1.0;
}

int jpower_em_derive(struct jpower_model *em, const struct jtopo *t, char *err, size_t errlen)
{
	unsigned f_lo = ~0u, f_hi = 0, ref_khz = 0, ref_cap = 0;
	int off_l3 = 0;

	for (int p = 0; p < em->nr_pds; p++) {
		const struct jpower_pd *pd = &em->pd[p];

		if (!pd->nr_opps)
			return -ENOENT; /* no frequencies, nothing to derive from */
		if (pd->opp[0].khz < f_lo)
			f_lo = pd->opp[0].khz;
		if (pd->opp[pd->nr_opps - 1].khz > f_hi)
			f_hi = pd->opp[pd->nr_opps - 1].khz;
		if (pd->capacity > ref_cap) {
			ref_cap = pd->capacity;
			ref_khz = pd->opp[pd->nr_opps - 1].khz;
		}
	}
	if (!em->nr_pds || !ref_cap)
		return -ENOENT;
	for (int p = 0; p < em->nr_pds; p++) {
		struct jpower_pd *pd = &em->pd[p];
		double top = pd->opp[pd->nr_opps - 1].khz;
		/*
		 * Work per clock relative to a CPU of capacity 1024, on the
		 * kernel's scale: not to the biggest domain here, which is a
		 * little one while the big cluster is offline.
		 */
		double ipc = pd->capacity / 1024.0 * ref_khz / top;
		double share = derived_l3_share(pd, t);

		off_l3 += share < 1.0;

		for (int i = 0; i < pd->nr_opps; i++) {
			double khz = pd->opp[i].khz;
			double x = f_hi > f_lo ? (khz - f_lo) / (f_hi - f_lo) : 1.0;
			double v = DERIVED_V_LOW + (DERIVED_V_HIGH - DERIVED_V_LOW) * x;

			pd->opp[i].power_mw =
				share * DERIVED_DPC * ipc * ipc * (khz / 1000.0) * v * v / 1000.0;
			pd->opp[i].capacity = 0;
		}
		pd->idle_mw = pd->opp[0].power_mw * DERIVED_IDLE_PCT / 100.0;
	}
	em->source = JPOWER_EM_DERIVED;
	snprintf(em->origin, sizeof(em->origin),
		 "P = %.0f uW/MHz/V^2 * ipc^2 * f * V(f)^2, V %.2f..%.2f V%s", DERIVED_DPC,
		 DERIVED_V_LOW, DERIVED_V_HIGH, off_l3 ? "; x2/3 for CPUs off the L3" : "");
	jpower_em_finish(em, t);
	(void)err;
	(void)errlen;
	return 0;
}

/* ---- the whole model --------------------------------------------------- */

/* An explicit file always wins: a user who names one means it, even over the kernel's. */
static int model_from_file(struct jpower_model *em, const struct jtopo *t, const char *root,
			   const char *em_file, char *err, size_t errlen)
{
	int ret = jpower_em_load(em, t, em_file, err, errlen);

	if (ret)
		return ret;
	snprintf(em->why, sizeof(em->why), "given with --energy-model%s%s",
		 em->artificial ? "; artificial (costs, no power figures)" : "",
		 jtopo_fs_exists(root, EM_DIR) ? "; the kernel's debugfs model is ignored" : "");
	return 0;
}

/*
 * No cpufreq: with several kinds, a model estimated per kind (so light work
 * still goes where it costs least); with one, no model at all.
 */
static int model_without_cpufreq(struct jpower_model *em, const struct jtopo *t, char *err,
				 size_t errlen)
{
	char how[160];
	int ret = jpower_domains_estimate(em, t, how, sizeof(how));

	if (!ret)
		ret = jpower_em_derive(em, t, err, errlen);
	if (!ret) {
		snprintf(em->origin + strlen(em->origin), sizeof(em->origin) - strlen(em->origin),
			 "; %s", how);
		snprintf(em->why, sizeof(em->why),
			 "no kernel model, no --energy-model and no cpufreq on a machine with %d "
			 "kinds: estimated per kind from capacities",
			 t->nr_kinds);
		return 0;
	}
	if (ret != -ENOENT)
		return ret;
	em->source = JPOWER_EM_NONE;
	snprintf(em->origin, sizeof(em->origin), "no cpufreq: no operating points");
	snprintf(em->why, sizeof(em->why),
		 "no kernel model, no --energy-model and no cpufreq frequencies; one kind of CPU");
	jpower_em_finish(em, t);
	return 0;
}

static int model_from_sources(struct jpower_model *em, struct jpower_cpufreq *cf,
			      const struct jtopo *t, const char *root, bool no_sysfs,
			      const char *em_file, char *err, size_t errlen)
{
	char refused[256] = "", partial[256] = "";
	int ret = 0;

	if (no_sysfs)
		memset(cf, 0, sizeof(*cf));
	else
		ret = jpower_cpufreq_read(cf, t, root, err, errlen);
	/*
	 * Some CPUs without cpufreq: the kinds and capacities are still known,
	 * so the machine is modelled as one without cpufreq, not as one whose
	 * CPUs are all equal (what the loader falls back to on an error).
	 */
	if (ret == -ENODATA) {
		snprintf(partial, sizeof(partial), "%s", err);
		memset(cf, 0, sizeof(*cf));
		ret = 0;
	}
	if (ret)
		return ret;
	if (em_file) {
		ret = model_from_file(em, t, no_sysfs ? NULL : root, em_file, err, errlen);
		goto out;
	}
	/* the kernel's model comes from the cpufreq drivers: as partial as they are */
	ret = no_sysfs || partial[0] ? -ENOENT : jpower_em_debugfs(em, t, root, err, errlen);
	if (!ret) {
		snprintf(em->why, sizeof(em->why), "the kernel's own model%s",
			 em->artificial	      ? "; artificial (costs, no power figures): power is "
						"cost * performance / 10, in no real unit"
			 : em->abstract_scale ? "; on the driver's own scale (no "
						"EM_PERF_DOMAIN_MICROWATTS flag): "
						"its power is in no real unit, scaled "
						"to a largest figure of 1000"
					      : "");
		return 0;
	}
	/*
	 * The kernel's model unusable (a cluster it left out, a domain with no
	 * states): the machine is still what cpufreq and the topology say, so
	 * the model below, with the reason kept for the caller to warn.
	 */
	if (ret != -ENOENT)
		snprintf(refused, sizeof(refused), "%s", err);
	ret = jpower_domains(em, t, cf, err, errlen);
	if (!ret && !cf->nr_policies)
		ret = model_without_cpufreq(em, t, err, errlen);
	else if (!ret && !(ret = jpower_em_derive(em, t, err, errlen)))
		snprintf(em->why, sizeof(em->why),
			 "no %skernel model in debugfs and no --energy-model; from cpufreq "
			 "frequencies and capacities",
			 refused[0] ? "usable " : "");
	if (!ret && refused[0])
		snprintf(em->warning, sizeof(em->warning),
			 "the kernel's energy model is not used (%.200s)", refused);
out:
	/* the file's tables stand; without one, the model is per kind (no operating points) */
	if (!ret && partial[0])
		snprintf(em->warning, sizeof(em->warning),
			 "cpufreq covers only some CPUs (%.160s)%s", partial,
			 em_file ? "" : ": modelled without cpufreq");
	return ret;
}

static int model_build(struct jpower_model *em, struct jpower_cpufreq *cf, const struct jtopo *t,
		       const char *root, bool no_sysfs, const char *em_file, char *err,
		       size_t errlen)
{
	int ret = model_from_sources(em, cf, t, root, no_sysfs, em_file, err, errlen);
	char where[320];

	/*
	 * Files and the kernel's model are checked as they are read; this
	 * holds the derived and estimated ones (and any source) to the same
	 * rule, since an online CPU in no domain or two has no sound table.
	 */
	if (!ret) {
		snprintf(where, sizeof(where), "%.200s: energy model (%s)", t->origin,
			 jpower_em_source_name(em->source));
		ret = check_cpus(em, t, where, false, err, errlen);
	}
	if (!ret)
		jpower_em_fit(em, t);
	return ret;
}

int jpower_model_build(struct jpower_model *em, struct jpower_cpufreq *cf, const struct jtopo *t,
		       const char *root, const char *em_file, char *err, size_t errlen)
{
	return model_build(em, cf, t, root, false, em_file, err, errlen);
}

int jpower_model_build_alone(struct jpower_model *em, struct jpower_cpufreq *cf,
			     const struct jtopo *t, const char *em_file, char *err, size_t errlen)
{
	return model_build(em, cf, t, NULL, true, em_file, err, errlen);
}
