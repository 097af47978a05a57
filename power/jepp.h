/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Energy-performance preference, turbo and platform_profile per profile.
 *
 * Under a sysfs root (NULL: /sys), for a level (powersave, balanced,
 * performance):
 *   devices/system/cpu/cpufreq/policyN/energy_performance_preference
 *       balance_power (or power when the policy's
 *       energy_performance_available_preferences lists only that),
 *       balance_performance, performance; a policy whose list lacks the
 *       level's value is left alone;
 *   devices/system/cpu/intel_pstate/no_turbo  1, 0, 0;
 *   devices/system/cpu/cpufreq/boost          0, 1, 1;
 *   firmware/acpi/platform_profile            low-power, balanced, performance
 *       (when platform_profile_choices lists it);
 *   devices/system/cpu/intel_uncore_frequency/{uncoreNN,package_NN_die_NN}/
 *       max_freq_khz: powersave the midpoint of initial_min_freq_khz and
 *       initial_max_freq_khz, rounded down to 100 MHz; balanced and
 *       performance initial_max_freq_khz. Never above initial_max_freq_khz
 *       nor below min_freq_khz. Where uncoreNN directories exist (TPMI) only
 *       they are set: package_NN_die_NN is then a view that sets all of a
 *       die's clusters at once.
 * Files that do not exist are left alone (cpufreq-dt has none of them). A
 * file is written only when its value differs; before the first write of a
 * file its original value, and before each new value that value too, is
 * added to a state file (written atomically), so that a run killed before
 * jepp_restore() is undone by the next jepp_recover(), except where someone
 * wrote another value since. Errors are returned with a message, never
 * printed.
 */
#ifndef JEPP_H
#define JEPP_H

#include <stdbool.h>
#include <stddef.h>

#include "jtopo.h"

#define JEPP_DEFAULT_STATE "/run/scx_joule/power-saved"
#define JEPP_PATH_LEN	   512
#define JEPP_VALUE_LEN	   64
#define JEPP_MAX_UNCORE	   64 /* uncore domains set */
#define JEPP_MAX_FILES	   (JTOPO_MAX_CPUS + 3 + JEPP_MAX_UNCORE)

enum jepp_level {
	JEPP_POWERSAVE,
	JEPP_BALANCED,
	JEPP_PERFORMANCE,
};

/* jepp_apply() flags: leave what another daemon owns alone. */
#define JEPP_NO_EPP		 (1u << 0) /* energy_performance_preference */
#define JEPP_NO_PLATFORM_PROFILE (1u << 1)
#define JEPP_NO_UNCORE		 (1u << 2) /* intel_uncore_frequency */

#define JEPP_WROTE_LEN 192

struct jepp_saved {
	char path[JEPP_PATH_LEN];
	char value[JEPP_VALUE_LEN];   /* the original */
	char written[JEPP_VALUE_LEN]; /* what jepp_apply() last wrote ("" if refused) */
	/*
	 * Every value this run wrote or was about to write, comma-separated and
	 * in the state file: after a crash, a file holding none of them holds
	 * someone else's value, which the next start leaves alone.
	 */
	char wrote[JEPP_WROTE_LEN];
};

struct jepp {
	char root[JEPP_PATH_LEN];
	char state_path[JEPP_PATH_LEN];
	bool owns_state;      /* this run wrote the state file, or recovered it */
	bool foreign_state;   /* state_path holds no state file of ours: never written or deleted */
	int nr_recover_kept;  /* jepp_recover: files someone else wrote since, left as they are */
	bool peeked;	      /* saved[] is another run's, read by jepp_peek() */
	const char *too_long; /* which path jepp_init() refused, or NULL */
	int nr_saved;
	struct jepp_saved saved[JEPP_MAX_FILES];
};

/* What one jepp_apply() or jepp_restore() did. */
struct jepp_summary {
	int nr_written; /* files whose value changed */
	int nr_failed;	/* files that refused the write */
	int nr_kept;	/* jepp_restore: files someone else wrote since, left as they are */
	int nr_epp;	/* policies with an EPP file set (or already right) */
	char epp[JEPP_VALUE_LEN];
	int turbo;			       /* -1: no turbo/boost control, else 0 or 1 */
	char platform_profile[JEPP_VALUE_LEN]; /* "" if not set */
	int nr_uncore;			       /* uncore domains with a limit set (or right) */
	long uncore_max_khz;		       /* the last one's max_freq_khz */
};

/*
 * sysfs_root NULL: /sys; state_path NULL: JEPP_DEFAULT_STATE. 0, or
 * -ENAMETOOLONG when either is JEPP_PATH_LEN bytes or longer: then every
 * later call changes nothing, and jepp_recover() and jepp_apply() say
 * which path with that error. A file below the root whose path does not
 * fit is left alone, and jepp_apply() reports it as a file that refused.
 */
int jepp_init(struct jepp *p, const char *sysfs_root, const char *state_path);

/*
 * A previous run's state file, if any: write its values back, then delete
 * it. A file that holds none of the values that run wrote (someone wrote
 * their own since the crash) is left as it is. A file that refuses for now
 * (a CPU offline: EBUSY) keeps its original: it stays in the state file,
 * and this run's jepp_apply() takes it as the file's original rather than
 * the value found there. A file that is gone
 * (ENOENT) or refuses the value itself (EINVAL) is dropped. *nr_restored
 * (may be NULL) counts files written. 0 without a state file; -errno with
 * err saying which file if one could not be read, written or deleted (the
 * others are still restored).
 */
int jepp_recover(struct jepp *p, int *nr_restored, char *err, size_t errlen);

/*
 * Set the level's values. Returns 0, or the first -errno with err naming the
 * file (and how many more failed); a file that refuses (read-only sysfs, EPP
 * under the performance governor: EBUSY) does not stop the others. If the
 * state file cannot be written nothing is changed. A platform_profile that
 * holds a value its choices do not list ("custom": several handlers
 * disagree) is left alone: the kernel refuses that value back.
 */
int jepp_apply(struct jepp *p, enum jepp_level level, unsigned flags, struct jepp_summary *s,
	       char *err, size_t errlen);

/*
 * Write back every original jepp_apply() changed, except where the file no
 * longer holds what jepp_apply() wrote (someone else's value: left, counted
 * in nr_kept), and delete the state file; a file that refuses for now (as
 * in jepp_recover) stays in it, for the next run to restore. A run that
 * never wrote the state file leaves it alone (another instance's).
 */
int jepp_restore(struct jepp *p, struct jepp_summary *s, char *err, size_t errlen);

/*
 * Hand the settings flags names (JEPP_NO_*) over to a daemon that has come
 * to own them: as jepp_restore() for those files only, the others (turbo)
 * kept as they are. jepp_apply() with the same flags leaves them alone
 * from then on.
 */
int jepp_release(struct jepp *p, unsigned flags, struct jepp_summary *s, char *err, size_t errlen);

/*
 * The original of a file jepp_apply() changed, while the file still holds
 * what it wrote; NULL when it never changed it or someone has written
 * another value since. So that a profile chosen from platform_profile is
 * chosen from the firmware's or the user's value, not from scx_joule's own.
 */
const char *jepp_original_under_own(const struct jepp *p, const char *path);

/*
 * Read another run's state file (the service's) without taking it over or
 * writing anything, so that jepp_original_under_own() answers for that run:
 * a file is its own while it holds one of the values it wrote (the state
 * file lists them, not which was last). 0, or -errno other than ENOENT.
 */
int jepp_peek(struct jepp *p);

const char *jepp_level_name(enum jepp_level level);

#endif
