/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Profile names and the `auto` profile: which profile the machine's power
 * state asks for (AC or battery from /sys/class/power_supply, the firmware's
 * platform_profile).
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

/* "powersave", ..., or "auto" (then *is_auto is set); -EINVAL otherwise. */
int joule_profile_parse(const char *name, enum joule_profile *profile, bool *is_auto);
const char *joule_profile_name(enum joule_profile profile);

/* Reads SYSFS_ROOT/class/power_supply and SYSFS_ROOT/firmware/acpi/platform_profile. */
int joule_power_state_read(const char *sysfs_root, struct joule_power_state *st);
bool joule_power_on_battery(const struct joule_power_state *st);
/* The profile `auto` picks, and a short reason for logs. */
enum joule_profile joule_profile_auto(const struct joule_power_state *st, char *why, size_t len);

#endif
