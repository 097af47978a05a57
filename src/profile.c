// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "jsupply.h"
#include "jtopo_fs.h"
#include "profile.h"

static const char *const profile_names[JOULE_NR_PROFILES] = {
	[JOULE_PROFILE_POWERSAVE] = "powersave",
	[JOULE_PROFILE_BALANCED] = "balanced",
	[JOULE_PROFILE_PERFORMANCE] = "performance",
	[JOULE_PROFILE_GAMING] = "gaming",
};

int joule_profile_parse(const char *name, enum joule_profile *profile, bool *is_auto)
{
	*is_auto = strcmp(name, "auto") == 0;
	if (*is_auto)
		return 0;
	for (int i = 0; i < JOULE_NR_PROFILES; i++) {
		if (strcmp(name, profile_names[i]) == 0) {
			*profile = (enum joule_profile)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *joule_profile_name(enum joule_profile profile)
{
	if ((unsigned int)profile >= JOULE_NR_PROFILES)
		return "unknown";
	return profile_names[profile];
}

/* A peripheral's supply (scope Device) says nothing about AC or battery. */
static void note_supply(const char *dir, const char *name, struct joule_power_state *st)
{
	switch (jsupply_kind(dir, name)) {
	case JSUPPLY_BATTERY: st->have_battery = true; break;
	case JSUPPLY_AC_ONLINE: st->ac_online = true; /* fallthrough */
	case JSUPPLY_AC_OFFLINE: st->have_ac_supply = true; break;
	default: break;
	}
}

int joule_power_state_read(const char *sysfs_root, struct joule_power_state *st)
{
	char dir[4096], path[4096];
	struct dirent *de;
	DIR *d;

	memset(st, 0, sizeof(*st));
	if (!sysfs_root)
		sysfs_root = "/sys";
	snprintf(path, sizeof(path), "%s/firmware/acpi/platform_profile", sysfs_root);
	if (jtopo_fs_word(NULL, path, st->platform_profile, sizeof(st->platform_profile)))
		st->platform_profile[0] = '\0';

	snprintf(dir, sizeof(dir), "%s/class/power_supply", sysfs_root);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno; /* desktops and VMs have none */
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			note_supply(dir, de->d_name, st);
	closedir(d);
	return 0;
}

bool joule_power_on_battery(const struct joule_power_state *st)
{
	/* Without any supply information, assume mains power (a desktop). */
	return st->have_battery && st->have_ac_supply && !st->ac_online;
}

/*
 * An explicit firmware choice; "balanced", "balanced-performance" and the rest
 * defer to AC/battery. "max-power" (Linux 6.14) is performance beyond the
 * battery's limits on AC.
 */
static bool firmware_profile(const char *pp, enum joule_profile *profile)
{
	if (!strcmp(pp, "low-power") || !strcmp(pp, "quiet") || !strcmp(pp, "cool"))
		*profile = JOULE_PROFILE_POWERSAVE;
	else if (!strcmp(pp, "performance") || !strcmp(pp, "max-power"))
		*profile = JOULE_PROFILE_PERFORMANCE;
	else
		return false;
	return true;
}

enum joule_profile joule_profile_auto(const struct joule_power_state *st, char *why, size_t len)
{
	const char *pp = st->platform_profile;
	bool battery = joule_power_on_battery(st);
	enum joule_profile profile;

	if (firmware_profile(pp, &profile)) {
		snprintf(why, len, "platform_profile %s", pp);
		return profile;
	}
	snprintf(why, len, "%s%s%s", battery ? "on battery" : "on AC power",
		 pp[0] ? ", platform_profile " : "", pp);
	return battery ? JOULE_PROFILE_POWERSAVE : JOULE_PROFILE_BALANCED;
}

static const char *const source_names[JOULE_NR_PROFILE_SOURCES] = {
	[JOULE_SOURCE_OPTION] = "option",
	[JOULE_SOURCE_GAMEMODE] = "GameMode",
	[JOULE_SOURCE_PPD] = "power-profiles-daemon",
	[JOULE_SOURCE_PLATFORM_PROFILE] = "platform_profile",
	[JOULE_SOURCE_POWER_SUPPLY] = "power_supply",
	[JOULE_SOURCE_DEFAULT] = "default",
};

const char *joule_profile_source_name(enum joule_profile_source source)
{
	if ((unsigned int)source >= JOULE_NR_PROFILE_SOURCES)
		return "unknown";
	return source_names[source];
}

/* power-profiles-daemon's names; any other (a newer daemon's) is not ours to guess. */
static bool ppd_profile(const char *name, enum joule_profile *profile)
{
	if (!strcmp(name, "power-saver"))
		*profile = JOULE_PROFILE_POWERSAVE;
	else if (!strcmp(name, "balanced"))
		*profile = JOULE_PROFILE_BALANCED;
	else if (!strcmp(name, "performance"))
		*profile = JOULE_PROFILE_PERFORMANCE;
	else
		return false;
	return true;
}

void joule_profile_choose(const struct joule_power_state *ps, const struct joule_desktop_state *ds,
			  struct joule_profile_choice *c)
{
	enum joule_profile firmware;

	if (ds && ds->game_clients > 0) {
		c->profile = JOULE_PROFILE_GAMING;
		c->source = JOULE_SOURCE_GAMEMODE;
		snprintf(c->why, sizeof(c->why), "GameMode has %d client%s", ds->game_clients,
			 ds->game_clients == 1 ? "" : "s");
		return;
	}
	if (ds && ppd_profile(ds->power_profile, &c->profile)) {
		c->source = JOULE_SOURCE_PPD;
		snprintf(c->why, sizeof(c->why), "power-profiles-daemon says %s",
			 ds->power_profile);
		return;
	}
	if (!ps) {
		c->profile = JOULE_PROFILE_BALANCED;
		c->source = JOULE_SOURCE_DEFAULT;
		snprintf(c->why, sizeof(c->why), "power state unreadable");
		return;
	}
	c->profile = joule_profile_auto(ps, c->why, sizeof(c->why));
	c->source = firmware_profile(ps->platform_profile, &firmware)
			    ? JOULE_SOURCE_PLATFORM_PROFILE
			    : JOULE_SOURCE_POWER_SUPPLY;
}
