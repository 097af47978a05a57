/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Profile names and the `auto` profile: which profile the desktop or the
 * machine's power state asks for (GameMode, power-profiles-daemon, the
 * firmware's platform_profile, AC or battery from /sys/class/power_supply).
 */
#ifndef PROFILE_H
#define PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "joule.h"

struct joule_power_state {
	bool have_ac_supply; /* a Mains or USB supply exists */
	bool ac_online;	     /* one of them is online */
	bool have_battery;
	char platform_profile[32]; /* "" when the firmware offers none */
};

/* What the desktop says over D-Bus (desktop.h fills it in). */
struct joule_desktop_state {
	char power_profile[32]; /* power-profiles-daemon's ActiveProfile; "" without one */
	int game_clients;	/* GameMode's ClientCount; -1 without GameMode */
};

/* Who chose the profile, in order of precedence under `auto`. */
enum joule_profile_source {
	JOULE_SOURCE_OPTION, /* --profile NAME */
	JOULE_SOURCE_GAMEMODE,
	JOULE_SOURCE_PPD, /* power-profiles-daemon or tuned-ppd */
	JOULE_SOURCE_PLATFORM_PROFILE,
	JOULE_SOURCE_POWER_SUPPLY,
	JOULE_SOURCE_DEFAULT, /* nothing readable: balanced */
	JOULE_NR_PROFILE_SOURCES,
};

struct joule_profile_choice {
	enum joule_profile profile;
	enum joule_profile_source source;
	char why[96]; /* e.g. "GameMode has 1 client", "on AC power" */
};

/* "powersave", ..., or "auto" (then *is_auto is set); -EINVAL otherwise. */
int joule_profile_parse(const char *name, enum joule_profile *profile, bool *is_auto);
const char *joule_profile_name(enum joule_profile profile);

/* Reads SYSFS_ROOT/class/power_supply and SYSFS_ROOT/firmware/acpi/platform_profile. */
int joule_power_state_read(const char *sysfs_root, struct joule_power_state *st);
bool joule_power_on_battery(const struct joule_power_state *st);
/* The profile `auto` picks, and a short reason for logs. */
enum joule_profile joule_profile_auto(const struct joule_power_state *st, char *why, size_t len);

/*
 * The `auto` choice: a game registered with GameMode, then power-profiles-
 * daemon's profile, then joule_profile_auto(). ds may be NULL (no D-Bus),
 * ps too (power state unreadable).
 */
void joule_profile_choose(const struct joule_power_state *ps, const struct joule_desktop_state *ds,
			  struct joule_profile_choice *c);
/* "GameMode", "power-profiles-daemon", "power_supply", ...: one word, for stats. */
const char *joule_profile_source_name(enum joule_profile_source source);

#endif
