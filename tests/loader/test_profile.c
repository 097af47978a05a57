// SPDX-License-Identifier: GPL-2.0-only
/*
 * Profile names and the `auto` decision, read from fake sysfs trees built
 * here the way the kernel lays out power_supply and platform_profile.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "profile.h"

static char root[64];

static void put(const char *rel, const char *content)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int make_root(void **state)
{
	(void)state;
	strcpy(root, "/tmp/joule-sysfs-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static enum joule_profile auto_profile(char *why, size_t len)
{
	struct joule_power_state st;

	assert_int_equal(joule_power_state_read(root, &st), 0);
	return joule_profile_auto(&st, why, len);
}

static void names_round_trip(void **state)
{
	enum joule_profile p = JOULE_NR_PROFILES;
	bool is_auto = true;

	(void)state;
	for (int i = 0; i < JOULE_NR_PROFILES; i++) {
		assert_int_equal(joule_profile_parse(joule_profile_name(i), &p, &is_auto), 0);
		assert_int_equal(p, i);
		assert_false(is_auto);
	}
	assert_int_equal(joule_profile_parse("auto", &p, &is_auto), 0);
	assert_true(is_auto);
	assert_int_equal(joule_profile_parse("turbo", &p, &is_auto), -EINVAL);
	assert_string_equal(joule_profile_name(JOULE_NR_PROFILES), "unknown");
}

static void desktop_without_supplies_is_balanced(void **state)
{
	char why[64];

	(void)state;
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_BALANCED);
	assert_string_equal(why, "on AC power");
}

/*
 * A desktop with a wireless mouse and a headset: their batteries (scope
 * Device, as hid-logitech-hidpp and the like register them) and a gamepad
 * charging over USB are not this machine's power.
 */
static void device_batteries_are_ignored(void **state)
{
	struct joule_power_state st;
	char why[64];

	(void)state;
	put("class/power_supply/hidpp_battery_0/type", "Battery\n");
	put("class/power_supply/hidpp_battery_0/scope", "Device\n");
	put("class/power_supply/hidpp_battery_0/status", "Discharging\n");
	put("class/power_supply/headset-battery/type", "Battery\n");
	put("class/power_supply/headset-battery/scope", "Device\n");
	put("class/power_supply/ps-controller-battery/type", "USB\n");
	put("class/power_supply/ps-controller-battery/scope", "Device\n");
	put("class/power_supply/ps-controller-battery/online", "0\n");
	assert_int_equal(joule_power_state_read(root, &st), 0);
	assert_false(st.have_battery);
	assert_false(st.have_ac_supply);
	assert_int_equal(joule_profile_auto(&st, why, sizeof(why)), JOULE_PROFILE_BALANCED);
	assert_string_equal(why, "on AC power");
	/* the same battery with scope System is the machine's own */
	put("class/power_supply/hidpp_battery_0/scope", "System\n");
	assert_int_equal(joule_power_state_read(root, &st), 0);
	assert_true(st.have_battery);
	put("class/power_supply/hidpp_battery_0/scope", "Device\n");
}

static void laptop_follows_ac_and_battery(void **state)
{
	char why[64];

	(void)state;
	put("class/power_supply/AC/type", "Mains\n");
	put("class/power_supply/AC/online", "1\n");
	put("class/power_supply/BAT0/type", "Battery\n");
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_BALANCED);
	put("class/power_supply/AC/online", "0\n");
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_POWERSAVE);
	assert_string_equal(why, "on battery");
	/* a laptop's own supplies may say scope System explicitly */
	put("class/power_supply/BAT0/scope", "System\n");
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_POWERSAVE);
	/* USB-C power delivery counts as AC too */
	put("class/power_supply/ucsi-source-psy-USBC000:001/type", "USB\n");
	put("class/power_supply/ucsi-source-psy-USBC000:001/online", "1\n");
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_BALANCED);
	put("class/power_supply/ucsi-source-psy-USBC000:001/online", "0\n");
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_POWERSAVE);
	/* 2: online in a programmable (PPS) contract, as tcpm reports it */
	put("class/power_supply/ucsi-source-psy-USBC000:001/online", "2\n");
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_BALANCED);
}

static void platform_profile_overrides(void **state)
{
	char why[64];

	(void)state;
	put("firmware/acpi/platform_profile", "low-power\n");
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_POWERSAVE);
	assert_string_equal(why, "platform_profile low-power");
	put("firmware/acpi/platform_profile", "performance\n");
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_PERFORMANCE);
	put("firmware/acpi/platform_profile", "max-power\n");
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_PERFORMANCE);
	assert_string_equal(why, "platform_profile max-power");
	put("firmware/acpi/platform_profile", "balanced-performance\n");
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_BALANCED);
	assert_string_equal(why, "on AC power, platform_profile balanced-performance");
	/* balanced defers to the power source (AC is online from the last test) */
	put("firmware/acpi/platform_profile", "balanced\n");
	assert_int_equal(auto_profile(why, sizeof(why)), JOULE_PROFILE_BALANCED);
	assert_string_equal(why, "on AC power, platform_profile balanced");
}

static void expect_choice(const struct joule_power_state *ps, const struct joule_desktop_state *ds,
			  enum joule_profile profile, enum joule_profile_source source,
			  const char *why)
{
	struct joule_profile_choice c;

	joule_profile_choose(ps, ds, &c);
	assert_string_equal(joule_profile_name(c.profile), joule_profile_name(profile));
	assert_string_equal(joule_profile_source_name(c.source), joule_profile_source_name(source));
	assert_string_equal(c.why, why);
}

/* GameMode, then power-profiles-daemon, then the firmware, then AC/battery. */
static void desktop_sources_take_precedence(void **state)
{
	struct joule_power_state battery = {.have_ac_supply = true, .have_battery = true};
	struct joule_power_state fw = {.platform_profile = "performance"};
	struct joule_desktop_state ds = {.power_profile = "power-saver", .game_clients = 2};

	(void)state;
	expect_choice(&battery, &ds, JOULE_PROFILE_GAMING, JOULE_SOURCE_GAMEMODE,
		      "GameMode has 2 clients");
	ds.game_clients = 1;
	expect_choice(&battery, &ds, JOULE_PROFILE_GAMING, JOULE_SOURCE_GAMEMODE,
		      "GameMode has 1 client");
	ds.game_clients = 0;
	expect_choice(&fw, &ds, JOULE_PROFILE_POWERSAVE, JOULE_SOURCE_PPD,
		      "power-profiles-daemon says power-saver");
	strcpy(ds.power_profile, "performance");
	expect_choice(&battery, &ds, JOULE_PROFILE_PERFORMANCE, JOULE_SOURCE_PPD,
		      "power-profiles-daemon says performance");
	strcpy(ds.power_profile, "balanced");
	expect_choice(&battery, &ds, JOULE_PROFILE_BALANCED, JOULE_SOURCE_PPD,
		      "power-profiles-daemon says balanced");
	/* a name we do not know, or no daemon: sysfs decides */
	strcpy(ds.power_profile, "low-latency");
	expect_choice(&fw, &ds, JOULE_PROFILE_PERFORMANCE, JOULE_SOURCE_PLATFORM_PROFILE,
		      "platform_profile performance");
	ds.power_profile[0] = '\0';
	ds.game_clients = -1;
	expect_choice(&battery, &ds, JOULE_PROFILE_POWERSAVE, JOULE_SOURCE_POWER_SUPPLY,
		      "on battery");
	expect_choice(&battery, NULL, JOULE_PROFILE_POWERSAVE, JOULE_SOURCE_POWER_SUPPLY,
		      "on battery");
	expect_choice(NULL, NULL, JOULE_PROFILE_BALANCED, JOULE_SOURCE_DEFAULT,
		      "power state unreadable");
}

int main(void)
{
	/* Order matters: each test adds files to the same tree. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(desktop_without_supplies_is_balanced),
		cmocka_unit_test(device_batteries_are_ignored),
		cmocka_unit_test(laptop_follows_ac_and_battery),
		cmocka_unit_test(platform_profile_overrides),
		cmocka_unit_test(desktop_sources_take_precedence),
	};

	return cmocka_run_group_tests(tests, make_root, remove_root);
}
