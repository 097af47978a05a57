// SPDX-License-Identifier: GPL-2.0-only
/*
 * EPP, turbo, platform_profile and uncore frequency limits per profile, with
 * the originals kept in a state file until they are written back (jepp.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jepp.h"
#include "jtopo_fs.h"

#define STATE_HEADER "scx_joule-power-saved 1"
#define WROTE_PREFIX "wrote:" /* WROTE_PREFIX PATH TAB VALUE,... precedes PATH's line */
#define UNCORE_DIR   "/devices/system/cpu/intel_uncore_frequency"
#define UNCORE_STEP  100000 /* kHz: the uncore ratio's unit */

static const char *const level_names[] = {
	[JEPP_POWERSAVE] = "powersave",
	[JEPP_BALANCED] = "balanced",
	[JEPP_PERFORMANCE] = "performance",
};

/* What a failed call reports: the first failure, and how many there were. */
struct failures {
	int first;
	int nr;
	char *err;
	size_t errlen;
};

static void failed(struct failures *f, int e, const char *what, const char *path)
{
	if (!f->nr++) {
		f->first = e;
		snprintf(f->err, f->errlen, "%s %s: %s", what, path, strerror(-e));
	}
}

static int finish(struct failures *f)
{
	size_t n;

	if (f->nr > 1) {
		n = strlen(f->err);
		if (n < f->errlen)
			snprintf(f->err + n, f->errlen - n, " (and %d more)", f->nr - 1);
	}
	return f->nr ? f->first : 0;
}

const char *jepp_level_name(enum jepp_level level)
{
	if ((unsigned)level > JEPP_PERFORMANCE)
		return "unknown";
	return level_names[level];
}

int jepp_init(struct jepp *p, const char *sysfs_root, const char *state_path)
{
	const char *root = sysfs_root ? sysfs_root : "/sys";
	const char *state = state_path ? state_path : JEPP_DEFAULT_STATE;

	memset(p, 0, sizeof(*p));
	/* a cut path names another file: none is read, written or restored under it */
	if (strlen(root) >= sizeof(p->root))
		p->too_long = "sysfs root";
	else if (strlen(state) >= sizeof(p->state_path))
		p->too_long = "power state file";
	snprintf(p->root, sizeof(p->root), "%s", root);
	snprintf(p->state_path, sizeof(p->state_path), "%s", state);
	return p->too_long ? -ENAMETOOLONG : 0;
}

/* jepp_init() refused a path: its start (all that was kept) names it. */
static int refuse_too_long(const struct jepp *p, char *err, size_t errlen)
{
	const char *path = strcmp(p->too_long, "sysfs root") ? p->state_path : p->root;

	snprintf(err, errlen, "power settings left alone: %s %s...: %s (at most %d bytes)",
		 p->too_long, path, strerror(ENAMETOOLONG), JEPP_PATH_LEN - 1);
	return -ENAMETOOLONG;
}

/* The value of a one-line sysfs file, without trailing blanks. */
static int read_value(const char *path, char *buf, size_t len)
{
	int err = jtopo_fs_line(NULL, path, buf, len);
	size_t n;

	if (err)
		return err;
	n = strlen(buf);
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return 0;
}

/*
 * sysfs reports a refused value from write(2), so no stdio buffering here;
 * O_TRUNC is what a shell redirection does (sysfs ignores it, recorded trees
 * need it); O_NONBLOCK makes a FIFO with no reader an error, not a wait.
 */
static int write_value(const char *path, const char *value)
{
	size_t n = strlen(value);
	int fd = open(path, O_WRONLY | O_TRUNC | O_NONBLOCK | O_CLOEXEC);
	ssize_t w;
	int err = 0;

	if (fd < 0)
		return -errno;
	w = write(fd, value, n);
	if (w < 0)
		err = -errno;
	else if ((size_t)w != n)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* Writes value only when the file holds another; 1 written, 0 unchanged. */
static int put_if_different(const char *path, const char *value)
{
	char cur[JEPP_VALUE_LEN];
	int err = read_value(path, cur, sizeof(cur));

	if (!err && !strcmp(cur, value))
		return 0;
	err = write_value(path, value);
	return err ? err : 1;
}

static int mkdir_parent(const char *path)
{
	char dir[JEPP_PATH_LEN], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * A new file of a name no one else uses, path with its last six X replaced:
 * what a crashed run left, a FIFO (its open for writing waits for a reader)
 * or another instance's file being written is never opened.
 */
static FILE *open_unique(char *path)
{
	int fd = mkostemp(path, O_CLOEXEC), err;
	FILE *f = NULL;

	if (fd < 0)
		return NULL;
	/* mkostemp's 0600: the state file has always been readable by all */
	if (!fchmod(fd, 0644))
		f = fdopen(fd, "w");
	if (!f) {
		err = errno;
		close(fd);
		unlink(path);
		errno = err;
	}
	return f;
}

/* The state file, replaced atomically: a crash leaves the old one or the new. */
static int save_state(struct jepp *p)
{
	char tmp[JEPP_PATH_LEN + 8];
	FILE *f;
	int err = mkdir_parent(p->state_path);

	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", p->state_path);
	f = open_unique(tmp);
	if (!f)
		return -errno;
	fprintf(f, "%s\n", STATE_HEADER);
	for (int i = 0; i < p->nr_saved; i++) {
		/*
		 * What was written goes on a line of its own before the
		 * original's, which older versions skip as a bad line while
		 * still restoring every original.
		 */
		if (p->saved[i].wrote[0])
			fprintf(f, WROTE_PREFIX "%s\t%s\n", p->saved[i].path, p->saved[i].wrote);
		fprintf(f, "%s\t%s\n", p->saved[i].path, p->saved[i].value);
	}
	if (fflush(f) || fsync(fileno(f))) {
		err = -errno;
		fclose(f);
		unlink(tmp);
		return err;
	}
	if (fclose(f) || rename(tmp, p->state_path)) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	p->owns_state = true;
	return 0;
}

/*
 * Does a file that refused its original now keep it for a later run? Not
 * when it is gone or refuses the value itself: it never will take it.
 */
static bool retry_later(int err)
{
	return err != -ENOENT && err != -EINVAL;
}

/*
 * The state file once restoring is done: the entries kept for a later run
 * (p->saved[0 .. nr_saved)), or none at all.
 */
static void settle_state(struct jepp *p, struct failures *f)
{
	int err;

	if (p->nr_saved) {
		err = save_state(p);
		if (err)
			failed(f, err, "cannot keep the originals not restored in", p->state_path);
		return;
	}
	if (p->owns_state && unlink(p->state_path) && errno != ENOENT)
		failed(f, -errno, "cannot delete", p->state_path);
	p->owns_state = false;
}

static struct jepp_saved *find_saved(const struct jepp *p, const char *path)
{
	for (int i = 0; i < p->nr_saved; i++)
		if (!strcmp(p->saved[i].path, path))
			return (struct jepp_saved *)&p->saved[i];
	return NULL;
}

/*
 * A new entry for path, its original and the values written so far (all
 * must fit: a caller with strings of unknown length checks them), or NULL
 * when the table is full.
 */
static struct jepp_saved *add_saved(struct jepp *p, const char *path, const char *value,
				    const char *wrote)
{
	struct jepp_saved *sv;

	if (p->nr_saved == JEPP_MAX_FILES)
		return NULL;
	sv = &p->saved[p->nr_saved++];
	snprintf(sv->path, sizeof(sv->path), "%s", path);
	snprintf(sv->value, sizeof(sv->value), "%s", value);
	sv->written[0] = '\0';
	snprintf(sv->wrote, sizeof(sv->wrote), "%s", wrote);
	return sv;
}

/*
 * Someone else wrote the file since jepp_apply() did, the value it now
 * wants too: theirs from now on. Its entry goes, from the state file too,
 * with the original: a restore, or the next start after a crash, leaves
 * their value (even if they later go back to one jepp_apply() wrote), and
 * a later change saves their value as the original. If the state file
 * cannot be written the entry stays (the file on disk still has it), and
 * -errno says so.
 */
static int forget_saved(struct jepp *p, struct jepp_saved *sv)
{
	static struct jepp_saved keep;
	int i = (int)(sv - p->saved), err;

	keep = *sv;
	memmove(&p->saved[i], &p->saved[i + 1],
		sizeof(p->saved[0]) * (size_t)(p->nr_saved - i - 1));
	p->nr_saved--;
	err = save_state(p);
	if (err) {
		memmove(&p->saved[i + 1], &p->saved[i],
			sizeof(p->saved[0]) * (size_t)(p->nr_saved - i));
		p->saved[i] = keep;
		p->nr_saved++;
	}
	return err;
}

/* Is v one of the comma-separated values in list? */
static bool in_list(const char *list, const char *v)
{
	size_t n = strlen(v);

	for (const char *c = list; *c; c += strcspn(c, ",") + (c[strcspn(c, ",")] == ',')) {
		if (strcspn(c, ",") == n && !strncmp(c, v, n))
			return true;
	}
	return false;
}

/*
 * Adds v to sv->wrote: 1 if added, 0 if it was there, -ENOSPC if it does
 * not fit (then the value must not be written: a crash would leave it
 * unknown, taken for someone else's).
 */
static int wrote_add(struct jepp_saved *sv, const char *v)
{
	size_t len = strlen(sv->wrote);

	if (in_list(sv->wrote, v))
		return 0;
	if (len + strlen(v) + 2 > sizeof(sv->wrote))
		return -ENOSPC;
	snprintf(sv->wrote + len, sizeof(sv->wrote) - len, "%s%s", len ? "," : "", v);
	return 1;
}

/*
 * Sets path to want, saving its original first. Returns 0 (done or
 * refused: counted in f and s), or -errno when the state file could not be
 * written (then nothing is written and the caller stops).
 */
static int set_file(struct jepp *p, const char *path, const char *want, struct failures *f,
		    struct jepp_summary *s)
{
	char cur[JEPP_VALUE_LEN];
	struct jepp_saved *sv;
	bool added = false;
	int err;

	/* its original, saved under a cut path, could never be written back */
	if (strlen(path) >= JEPP_PATH_LEN) {
		failed(f, -ENAMETOOLONG, "cannot save the original of", path);
		s->nr_failed++;
		return 0;
	}
	err = read_value(path, cur, sizeof(cur));
	if (err) {
		failed(f, err, "cannot read", path);
		s->nr_failed++;
		return 0;
	}
	sv = find_saved(p, path);
	if (!strcmp(cur, want)) {
		/* someone else wrote the value this level wants: theirs from now on */
		if (sv && sv->written[0] && strcmp(cur, sv->written)) {
			err = forget_saved(p, sv);
			if (err) {
				failed(f, err, "cannot save the original power settings in",
				       p->state_path);
				s->nr_failed++;
			}
		}
		return 0;
	}
	if (!sv) {
		sv = add_saved(p, path, cur, "");
		if (!sv)
			return -ENOSPC;
		added = true;
	}
	/* in the state file before the file: a crash in between finds it there */
	err = wrote_add(sv, want);
	if (err < 0) {
		if (added)
			p->nr_saved--;
		failed(f, err, "too many values written to", path);
		s->nr_failed++;
		return 0;
	}
	if (err) {
		err = save_state(p);
		if (err) {
			if (added)
				p->nr_saved--;
			return err;
		}
	}
	err = write_value(path, want);
	if (err) {
		failed(f, err, "cannot write", path);
		s->nr_failed++;
		sv->written[0] = '\0';
	} else {
		s->nr_written++;
		snprintf(sv->written, sizeof(sv->written), "%s", want);
	}
	return 0;
}

/*
 * set_file, and whether path now holds want (*holds): the summary names
 * only what was set, not what a file refused.
 */
static int set_file_holds(struct jepp *p, const char *path, const char *want, struct failures *f,
			  struct jepp_summary *s, bool *holds)
{
	int failed_before = s->nr_failed;
	int err = set_file(p, path, want, f, s);

	*holds = !err && s->nr_failed == failed_before;
	return err;
}

static bool word_listed(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *w = list; (w = strstr(w, word)); w += n)
		if ((w == list || w[-1] == ' ') && (w[n] == '\0' || w[n] == ' ' || w[n] == '\n'))
			return true;
	return false;
}

/* The level's preference, or NULL when the policy lists its choices without it. */
static const char *epp_for(enum jepp_level level, const char *policy_dir)
{
	char path[JEPP_PATH_LEN + 400], avail[512];
	const char *want = level == JEPP_BALANCED      ? "balance_performance"
			   : level == JEPP_PERFORMANCE ? "performance"
						       : "balance_power";

	snprintf(path, sizeof(path), "%s/energy_performance_available_preferences", policy_dir);
	/* no list: the names every EPP driver knows */
	if (jtopo_fs_text(NULL, path, avail, sizeof(avail)))
		return level == JEPP_POWERSAVE ? "power" : want;
	if (word_listed(avail, want))
		return want;
	if (level == JEPP_POWERSAVE && word_listed(avail, "power"))
		return "power";
	return NULL;
}

static int apply_epp(struct jepp *p, enum jepp_level level, struct failures *f,
		     struct jepp_summary *s)
{
	char dir[JEPP_PATH_LEN + 32], pol[JEPP_PATH_LEN + 300], path[JEPP_PATH_LEN + 340];
	struct dirent *de;
	bool holds;
	int err = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/devices/system/cpu/cpufreq", p->root);
	d = opendir(dir);
	if (!d)
		return 0; /* no cpufreq */
	while (!err && (de = readdir(d))) {
		const char *want;

		if (strncmp(de->d_name, "policy", 6))
			continue;
		snprintf(pol, sizeof(pol), "%s/%s", dir, de->d_name);
		snprintf(path, sizeof(path), "%s/energy_performance_preference", pol);
		if (access(path, F_OK))
			continue;
		want = epp_for(level, pol);
		if (!want)
			continue;
		err = set_file_holds(p, path, want, f, s, &holds);
		if (holds) {
			snprintf(s->epp, sizeof(s->epp), "%s", want);
			s->nr_epp++;
		}
	}
	closedir(d);
	return err;
}

static int apply_turbo(struct jepp *p, enum jepp_level level, struct failures *f,
		       struct jepp_summary *s)
{
	char path[JEPP_PATH_LEN + 64];
	bool on = level != JEPP_POWERSAVE, holds = false;
	int err = 0;

	snprintf(path, sizeof(path), "%s/devices/system/cpu/intel_pstate/no_turbo", p->root);
	if (!access(path, F_OK))
		err = set_file_holds(p, path, on ? "0" : "1", f, s, &holds);
	if (holds)
		s->turbo = on;
	snprintf(path, sizeof(path), "%s/devices/system/cpu/cpufreq/boost", p->root);
	if (!err && !access(path, F_OK)) {
		err = set_file_holds(p, path, on ? "1" : "0", f, s, &holds);
		if (holds)
			s->turbo = on;
	}
	return err;
}

static int apply_platform_profile(struct jepp *p, enum jepp_level level, struct failures *f,
				  struct jepp_summary *s)
{
	static const char *const names[] = {
		[JEPP_POWERSAVE] = "low-power",
		[JEPP_BALANCED] = "balanced",
		[JEPP_PERFORMANCE] = "performance",
	};
	char path[JEPP_PATH_LEN + 64], choices[256], cur[JEPP_VALUE_LEN];
	bool holds;
	int err;

	snprintf(path, sizeof(path), "%s/firmware/acpi/platform_profile_choices", p->root);
	if (jtopo_fs_text(NULL, path, choices, sizeof(choices)) ||
	    !word_listed(choices, names[level]))
		return 0;
	snprintf(path, sizeof(path), "%s/firmware/acpi/platform_profile", p->root);
	if (access(path, F_OK))
		return 0;
	/*
	 * "custom" (its handlers disagree) is never listed, and cannot be written
	 * back; "max-power" already is performance, and more
	 */
	if (!find_saved(p, path) && !read_value(path, cur, sizeof(cur)) &&
	    (!word_listed(choices, cur) ||
	     (level == JEPP_PERFORMANCE && !strcmp(cur, "max-power"))))
		return 0;
	err = set_file_holds(p, path, names[level], f, s, &holds);
	if (holds)
		snprintf(s->platform_profile, sizeof(s->platform_profile), "%s", names[level]);
	return err;
}

/* A file of whole kHz, > 0. */
static int read_khz(const char *dir, const char *name, long *khz)
{
	char path[JEPP_PATH_LEN + 340], buf[32], *end;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	err = read_value(path, buf, sizeof(buf));
	if (err)
		return err;
	errno = 0;
	*khz = strtol(buf, &end, 10);
	if (end == buf || *end || errno || *khz <= 0)
		return -EINVAL;
	return 0;
}

/*
 * powersave: half-way between the initial limits, on a 100 MHz step;
 * otherwise the initial maximum. Never above that, nor below the current
 * minimum (the driver refuses a maximum under it).
 */
static long uncore_max_for(enum jepp_level level, long init_min, long init_max, long min)
{
	long want = init_max;

	if (level == JEPP_POWERSAVE)
		want = (init_min + (init_max - init_min) / 2) / UNCORE_STEP * UNCORE_STEP;
	if (want < init_min)
		want = init_min;
	if (want < min)
		want = min;
	return want > init_max ? init_max : want;
}

/* uncoreNN (TPMI, Linux 6.5+) or package_NN_die_NN. */
static bool is_uncore_name(const char *name, bool tpmi)
{
	if (!tpmi)
		return !strncmp(name, "package_", 8);
	if (strncmp(name, "uncore", 6) || !name[6])
		return false;
	for (const char *c = name + 6; *c; c++)
		if (!isdigit((unsigned char)*c))
			return false;
	return true;
}

static bool has_tpmi_dirs(DIR *d)
{
	struct dirent *de;
	bool found = false;

	while (!found && (de = readdir(d)))
		found = is_uncore_name(de->d_name, true);
	rewinddir(d);
	return found;
}

static int apply_uncore_dir(struct jepp *p, enum jepp_level level, const char *dir,
			    struct failures *f, struct jepp_summary *s)
{
	static const char *const names[] = {"initial_min_freq_khz", "initial_max_freq_khz",
					    "min_freq_khz"};
	char path[JEPP_PATH_LEN + 340], want[24];
	long khz[3], max;
	bool holds;
	int err;

	for (int i = 0; i < 3; i++) {
		err = read_khz(dir, names[i], &khz[i]);
		if (err) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			failed(f, err, "cannot read", path);
			s->nr_failed++;
			return 0;
		}
	}
	max = uncore_max_for(level, khz[0], khz[1], khz[2]);
	snprintf(want, sizeof(want), "%ld", max);
	snprintf(path, sizeof(path), "%s/max_freq_khz", dir);
	err = set_file_holds(p, path, want, f, s, &holds);
	if (holds) {
		s->uncore_max_khz = max;
		s->nr_uncore++;
	}
	return err;
}

static int apply_uncore(struct jepp *p, enum jepp_level level, struct failures *f,
			struct jepp_summary *s)
{
	char dir[JEPP_PATH_LEN + 64], sub[JEPP_PATH_LEN + 320];
	struct dirent *de;
	bool tpmi;
	int err = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s%s", p->root, UNCORE_DIR);
	d = opendir(dir);
	if (!d)
		return 0; /* no intel_uncore_frequency driver */
	tpmi = has_tpmi_dirs(d);
	while (!err && (de = readdir(d))) {
		if (!is_uncore_name(de->d_name, tpmi))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		err = apply_uncore_dir(p, level, sub, f, s);
	}
	closedir(d);
	return err;
}

const char *jepp_original_under_own(const struct jepp *p, const char *path)
{
	const struct jepp_saved *sv = find_saved(p, path);
	char cur[JEPP_VALUE_LEN];

	if (!sv || read_value(path, cur, sizeof(cur)))
		return NULL;
	/* another run's (jepp_peek): its last value is not known, only all it wrote */
	if (p->peeked ? !in_list(sv->wrote, cur) : !sv->written[0] || strcmp(cur, sv->written))
		return NULL;
	return sv->value;
}

int jepp_apply(struct jepp *p, enum jepp_level level, unsigned flags, struct jepp_summary *s,
	       char *err, size_t errlen)
{
	struct failures f = {.err = err, .errlen = errlen};
	int e = 0;

	memset(s, 0, sizeof(*s));
	s->turbo = -1;
	if ((unsigned)level > JEPP_PERFORMANCE) {
		snprintf(err, errlen, "unknown power level %d", (int)level);
		return -EINVAL;
	}
	if (p->too_long)
		return refuse_too_long(p, err, errlen);
	if (p->foreign_state) {
		snprintf(err, errlen,
			 "%s is not a state file of scx_joule: power settings left alone",
			 p->state_path);
		return -EEXIST;
	}
	if (!(flags & JEPP_NO_EPP))
		e = apply_epp(p, level, &f, s);
	if (!e)
		e = apply_turbo(p, level, &f, s);
	if (!e && !(flags & JEPP_NO_PLATFORM_PROFILE))
		e = apply_platform_profile(p, level, &f, s);
	if (!e && !(flags & JEPP_NO_UNCORE))
		e = apply_uncore(p, level, &f, s);
	if (e) {
		snprintf(err, errlen, "cannot save the original power settings in %s: %s",
			 p->state_path, strerror(-e));
		return e;
	}
	return finish(&f);
}

/* Which of jepp_apply()'s flags names the setting path is (0: turbo, never handed over). */
static unsigned setting_flag(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strcmp(base, "energy_performance_preference"))
		return JEPP_NO_EPP;
	if (!strcmp(base, "platform_profile"))
		return JEPP_NO_PLATFORM_PROFILE;
	return strstr(path, UNCORE_DIR "/") ? JEPP_NO_UNCORE : 0;
}

/*
 * Write back the originals of the settings that pass: every entry when all,
 * else those whose setting_flag() is in flags. The others, and those that
 * refused for now, stay.
 */
static int restore_some(struct jepp *p, bool all, unsigned flags, struct jepp_summary *s, char *err,
			size_t errlen)
{
	struct failures f = {.err = err, .errlen = errlen};
	int later = 0;

	memset(s, 0, sizeof(*s));
	s->turbo = -1;
	for (int i = 0; i < p->nr_saved; i++) {
		const struct jepp_saved *sv = &p->saved[i];
		char cur[JEPP_VALUE_LEN];
		bool keep = false;
		int r;

		if (!all && !(setting_flag(sv->path) & flags)) {
			keep = true;
		} else if (sv->written[0] && !read_value(sv->path, cur, sizeof(cur)) &&
			   strcmp(cur, sv->written)) {
			/* someone else wrote it since (a desktop's power menu, a daemon): theirs
			 * now */
			s->nr_kept++;
		} else if ((r = put_if_different(sv->path, sv->value)) < 0) {
			failed(&f, r, "cannot restore", sv->path);
			s->nr_failed++;
			/* deleted with the state file, the original would be lost for good */
			keep = retry_later(r);
		} else {
			s->nr_written += r;
		}
		if (keep && later != i)
			p->saved[later] = *sv;
		later += keep;
	}
	if (!all && later == p->nr_saved)
		return finish(&f); /* nothing handed over: the state file stays as it is */
	p->nr_saved = later;
	settle_state(p, &f);
	return finish(&f);
}

int jepp_restore(struct jepp *p, struct jepp_summary *s, char *err, size_t errlen)
{
	return restore_some(p, true, 0, s, err, errlen);
}

int jepp_release(struct jepp *p, unsigned flags, struct jepp_summary *s, char *err, size_t errlen)
{
	return restore_some(p, false, flags, s, err, errlen);
}

/*
 * Only the files jepp_apply() writes, under this root, are ever restored from
 * a state file (a run on another root, e.g. a test's tree, is not restored).
 */
/* the directories, below a sysfs root, of the files jepp_apply() writes */
static const char *const setting_dirs[] = {"/devices/system/cpu/", "/firmware/acpi/"};

static bool restorable_in(const char *root, const char *path)
{
	static const char *const names[] = {"energy_performance_preference", "no_turbo", "boost",
					    "platform_profile"};
	size_t n = strlen(root);
	const char *base = strrchr(path, '/');
	bool in_dir = false;

	if (!base || strncmp(path, root, n) || strstr(path, "/../"))
		return false;
	if (!strcmp(base + 1, "max_freq_khz"))
		return !strncmp(path + n, UNCORE_DIR "/", strlen(UNCORE_DIR) + 1);
	for (size_t i = 0; i < sizeof(setting_dirs) / sizeof(setting_dirs[0]); i++)
		in_dir |= !strncmp(path + n, setting_dirs[i], strlen(setting_dirs[i]));
	for (size_t i = 0; in_dir && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(base + 1, names[i]))
			return true;
	return false;
}

/*
 * A file jepp_apply() writes, but under another root than p's: the state
 * file is that of a run on another tree (--power-sysfs, or the machine's
 * /sys while this run has a test's tree), whose originals are not this
 * run's to restore nor to delete.
 */
static bool other_roots(const struct jepp *p, const char *path)
{
	char root[JEPP_PATH_LEN];

	for (size_t i = 0; i < sizeof(setting_dirs) / sizeof(setting_dirs[0]); i++) {
		const char *at = strstr(path, setting_dirs[i]);
		size_t n = at ? (size_t)(at - path) : 0;

		if (!n || n >= sizeof(root))
			continue;
		memcpy(root, path, n);
		root[n] = '\0';
		if (strcmp(root, p->root) && restorable_in(root, path))
			return true;
	}
	return false;
}

/*
 * A state file's entry: PATH TAB ORIGINAL, preceded (since the values
 * written were kept) by WROTE_PREFIX PATH TAB VALUE,... A file of older
 * versions has no such lines: wrote is then "".
 */
struct state_line {
	char *path, *value;
	char wrote[JEPP_WROTE_LEN];
};

/* A state file read entry by entry (the line e's strings point into). */
struct state_reader {
	FILE *in;
	int lineno;
	char line[JEPP_PATH_LEN + JEPP_VALUE_LEN + JEPP_WROTE_LEN + 8];
	char pending_path[JEPP_PATH_LEN];
	char pending_wrote[JEPP_WROTE_LEN];
};

/*
 * 1: e holds an entry; 0: a WROTE_PREFIX line, kept for the entry after
 * it; -1: a bad line; -2: a line of a run on another root.
 */
static int parse_state_line(const struct jepp *p, struct state_reader *rd, struct state_line *e)
{
	char *line = rd->line, *tab;
	bool wrote = !strncmp(line, WROTE_PREFIX, strlen(WROTE_PREFIX));

	line[strcspn(line, "\n")] = '\0';
	if (wrote)
		line += strlen(WROTE_PREFIX);
	tab = strchr(line, '\t');
	if (!tab)
		return -1;
	*tab = '\0';
	if (!restorable_in(p->root, line))
		return other_roots(p, line) ? -2 : -1;
	if (strlen(line) >= JEPP_PATH_LEN ||
	    strlen(tab + 1) >= (wrote ? JEPP_WROTE_LEN : JEPP_VALUE_LEN))
		return -1;
	if (wrote) {
		snprintf(rd->pending_path, sizeof(rd->pending_path), "%s", line);
		snprintf(rd->pending_wrote, sizeof(rd->pending_wrote), "%s", tab + 1);
		return 0;
	}
	e->path = line;
	e->value = tab + 1;
	e->wrote[0] = '\0';
	if (!strcmp(rd->pending_path, line))
		snprintf(e->wrote, sizeof(e->wrote), "%s", rd->pending_wrote);
	rd->pending_path[0] = '\0';
	return 1;
}

/*
 * The next entry into e: 1, 0 at the end, -EINVAL for a bad line (reading
 * goes on), -EBADMSG when the file is not a state file and -EXDEV when it
 * is another root's (stop there).
 */
static int next_state_entry(const struct jepp *p, struct state_reader *rd, struct state_line *e)
{
	while (fgets(rd->line, sizeof(rd->line), rd->in)) {
		int r;

		if (rd->lineno++ == 0) {
			/* the whole line: "... 10" or "... 1.1" is a later version's */
			rd->line[strcspn(rd->line, "\n")] = '\0';
			if (strcmp(rd->line, STATE_HEADER))
				return -EBADMSG;
			continue;
		}
		r = parse_state_line(p, rd, e);
		if (r)
			return r == -2 ? -EXDEV : r < 0 ? -EINVAL : 1;
	}
	/* every file of ours has its header, and /run starts empty at boot: not ours */
	return rd->lineno ? 0 : -EBADMSG;
}

/*
 * Someone else's value since the run that wrote the line ended: the file
 * holds neither the original nor anything that run wrote. A line of a
 * state file without the values written (older runs) knows no better than
 * to restore.
 */
static bool changed_since(const struct state_line *e)
{
	char cur[JEPP_VALUE_LEN];

	return e->wrote[0] && !read_value(e->path, cur, sizeof(cur)) && strcmp(cur, e->value) &&
	       !in_list(e->wrote, cur);
}

/*
 * Someone else's file, or a later version's, with originals this run cannot
 * read: kept as it is, and no setting is changed this run (saving ours would
 * write over it).
 */
static int leave_foreign(struct jepp *p, struct failures *f, bool other_root)
{
	failed(f, -EINVAL,
	       other_root ? "power settings left alone this run (give runs on different roots "
			    "their own SCX_JOULE_POWER_STATE): the originals of a run on another "
			    "sysfs root in"
			  : "power settings left alone this run (remove the file to let "
			    "scx_joule manage them): not a state file of scx_joule:",
	       p->state_path);
	p->foreign_state = true;
	return finish(f);
}

int jepp_recover(struct jepp *p, int *nr_restored, char *err, size_t errlen)
{
	struct failures f = {.err = err, .errlen = errlen};
	static struct state_reader rd;
	struct state_line e;
	int restored = 0, r;

	if (nr_restored)
		*nr_restored = 0;
	p->nr_recover_kept = 0;
	if (p->too_long)
		return refuse_too_long(p, err, errlen);
	memset(&rd, 0, sizeof(rd));
	rd.in = jtopo_fs_open_regular(p->state_path);
	if (!rd.in && errno == EINVAL) /* a FIFO, a socket, a device: no file of ours */
		return leave_foreign(p, &f, false);
	if (!rd.in)
		return errno == ENOENT
			       ? 0
			       : (failed(&f, -errno, "cannot read", p->state_path), finish(&f));
	while ((r = next_state_entry(p, &rd, &e))) {
		if (r == -EBADMSG || r == -EXDEV) {
			fclose(rd.in);
			return leave_foreign(p, &f, r == -EXDEV);
		}
		if (r < 0) {
			failed(&f, -EINVAL, "bad line in", p->state_path);
			continue;
		}
		if (changed_since(&e)) {
			p->nr_recover_kept++;
			continue;
		}
		r = put_if_different(e.path, e.value);
		if (r >= 0) {
			restored += r;
			continue;
		}
		failed(&f, r, "cannot restore", e.path);
		/* kept, so that this run's jepp_apply() does not take our value for the original */
		if (retry_later(r) && !find_saved(p, e.path))
			add_saved(p, e.path, e.value, e.wrote);
	}
	fclose(rd.in);
	p->owns_state = true;
	settle_state(p, &f);
	if (nr_restored)
		*nr_restored = restored;
	return finish(&f);
}

int jepp_peek(struct jepp *p)
{
	static struct state_reader rd;
	struct state_line e;
	int r;

	if (p->too_long)
		return -ENAMETOOLONG;
	memset(&rd, 0, sizeof(rd));
	rd.in = jtopo_fs_open_regular(p->state_path);
	if (!rd.in)
		return errno == ENOENT ? 0 : -errno;
	while ((r = next_state_entry(p, &rd, &e)) && r != -EBADMSG && r != -EXDEV)
		if (r > 0 && !find_saved(p, e.path))
			add_saved(p, e.path, e.value, e.wrote);
	fclose(rd.in);
	p->peeked = true;
	return 0;
}
