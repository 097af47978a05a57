// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jtopo_fs.h"
#include "machine_state.h"

#define SUPPLY_DIR "/sys/class/power_supply"
#define CPU_DIR	   "/sys/devices/system/cpu"

static int read_int(const char *root, const char *rel)
{
	uint64_t v;

	return jtopo_fs_u64(root, rel, &v) ? -1 : (int)v;
}

static int ac_online(const char *root)
{
	char path[4096], rel[512], type[32];
	struct dirent *de;
	int online = -1;
	DIR *d;

	jtopo_fs_path(path, sizeof(path), root, SUPPLY_DIR);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), SUPPLY_DIR "/%.200s/type", de->d_name);
		if (jtopo_fs_line(root, rel, type, sizeof(type)) ||
		    (strcmp(type, "Mains") && strncmp(type, "USB", 3)))
			continue;
		snprintf(rel, sizeof(rel), SUPPLY_DIR "/%.200s/online", de->d_name);
		if (read_int(root, rel) > 0)
			online = 1;
		else if (online < 0)
			online = 0;
	}
	if (d)
		closedir(d);
	return online;
}

static long long throttle_events(const char *root)
{
	static const char *const files[] = {"core_throttle_count", "package_throttle_count"};
	char path[4096], rel[512];
	long long sum = -1;
	struct dirent *de;
	DIR *d;

	jtopo_fs_path(path, sizeof(path), root, CPU_DIR);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "cpu", 3) || de->d_name[3] < '0' || de->d_name[3] > '9')
			continue;
		for (int i = 0; i < 2; i++) {
			uint64_t v;

			snprintf(rel, sizeof(rel), CPU_DIR "/%.32s/thermal_throttle/%s", de->d_name,
				 files[i]);
			if (!jtopo_fs_u64(root, rel, &v))
				sum = (sum < 0 ? 0 : sum) + (long long)v;
		}
	}
	if (d)
		closedir(d);
	return sum;
}

void machine_state_read(const char *root, struct machine_state *s)
{
	s->ac_online = ac_online(root);
	s->throttle_events = throttle_events(root);
	s->no_turbo = read_int(root, CPU_DIR "/intel_pstate/no_turbo");
	s->boost = read_int(root, CPU_DIR "/cpufreq/boost");
}

static void append(char *why, size_t len, const char *fmt, long long a, long long b)
{
	size_t used = strlen(why);

	snprintf(why + used, len - used, "%s", used ? "; " : "");
	used = strlen(why);
	snprintf(why + used, len - used, fmt, a, b);
}

int machine_state_diff(const struct machine_state *a, const struct machine_state *b, char *why,
		       size_t len)
{
	why[0] = '\0';
	if (a->ac_online >= 0 && b->ac_online >= 0 && a->ac_online != b->ac_online)
		append(why, len, "AC power online %lld -> %lld", a->ac_online, b->ac_online);
	if (a->throttle_events >= 0 && b->throttle_events > a->throttle_events)
		append(why, len, "thermal throttling: throttle counts %lld -> %lld",
		       a->throttle_events, b->throttle_events);
	if (a->no_turbo >= 0 && b->no_turbo >= 0 && a->no_turbo != b->no_turbo)
		append(why, len, "intel_pstate/no_turbo %lld -> %lld", a->no_turbo, b->no_turbo);
	if (a->boost >= 0 && b->boost >= 0 && a->boost != b->boost)
		append(why, len, "cpufreq/boost %lld -> %lld", a->boost, b->boost);
	return why[0] != '\0';
}

void machine_state_describe(const struct machine_state *s, char *buf, size_t len)
{
	const char *turbo = "unknown";
	char throttle[48] = "unavailable";

	if (s->no_turbo == 1 || s->boost == 0)
		turbo = "off";
	else if (s->no_turbo == 0 || s->boost == 1)
		turbo = "on";
	if (s->throttle_events >= 0)
		snprintf(throttle, sizeof(throttle), "%lld", s->throttle_events);
	snprintf(buf, len, "AC %s, turbo %s, thermal throttle count %s",
		 s->ac_online < 0   ? "unknown"
		 : s->ac_online > 0 ? "online"
				    : "offline (on battery)",
		 turbo, throttle);
}
