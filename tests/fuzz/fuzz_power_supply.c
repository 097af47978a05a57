// SPDX-License-Identifier: GPL-2.0-only
/*
 * Power-supply trees (--profile auto, --power-sysfs): the input, split at
 * NUL bytes, is the platform_profile file, then per supply (up to four) its
 * directory name, its scope file (none if the piece is empty, as on most
 * supplies), its type and its online file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "profile.h"

#define MAX_SUPPLIES 4

static char sysfs[256], supplies[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char cmd[1024];

	(void)argc;
	(void)argv;
	snprintf(sysfs, sizeof(sysfs), "%s/sys", fuzz_tmpdir());
	snprintf(supplies, sizeof(supplies), "%s/class/power_supply", sysfs);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/firmware/acpi' '%s'", sysfs, supplies);
	if (system(cmd))
		fuzz_fail("%s failed", cmd);
	return 0;
}

/* The next NUL-terminated piece of the input, or what is left of it. */
static const char *next_piece(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const char *start = (const char *)*p;
	const uint8_t *nul = memchr(*p, 0, (size_t)(end - *p));

	*len = (size_t)((nul ? nul : end) - *p);
	*p = nul ? nul + 1 : end;
	return start;
}

/* A directory name from the input: no '/', not empty, ".", "..", at most 200 bytes. */
static bool supply_name(const char *s, size_t len, char *name)
{
	if (len > 200)
		len = 200;
	memcpy(name, s, len);
	name[len] = '\0';
	for (char *c = name; *c; c++)
		if (*c == '/')
			*c = '_';
	return name[0] && strcmp(name, ".") && strcmp(name, "..");
}

static void write_in(const char *dir, const char *file, const char *s, size_t len)
{
	char path[1200];

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path) ||
	    fuzz_write_file(path, s, len))
		fuzz_fail("cannot write %s", path);
}

/* Remove the previous input's supplies (each a directory with scope, type and online). */
static void clear_supplies(void)
{
	struct dirent *de;
	DIR *d = opendir(supplies);

	if (!d)
		fuzz_fail("%s: %s", supplies, strerror(errno));
	while ((de = readdir(d))) {
		char path[1024];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s/scope", supplies, de->d_name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s/type", supplies, de->d_name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s/online", supplies, de->d_name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s", supplies, de->d_name);
		if (rmdir(path))
			fuzz_fail("rmdir %s: %s", path, strerror(errno));
	}
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct joule_power_state st;
	char why[96], path[1024];
	const char *s;
	size_t len;

	clear_supplies();
	s = next_piece(&p, end, &len);
	snprintf(path, sizeof(path), "%s/firmware/acpi/platform_profile", sysfs);
	if (fuzz_write_file(path, s, len))
		fuzz_fail("cannot write %s", path);
	for (int i = 0; i < MAX_SUPPLIES && p < end; i++) {
		char name[256], dir[1024];

		s = next_piece(&p, end, &len);
		if (!supply_name(s, len, name))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", supplies, name);
		if (mkdir(dir, 0755) && errno != EEXIST)
			fuzz_fail("mkdir %s: %s", dir, strerror(errno));
		/* jsupply_kind() reads scope first: a peripheral's (Device) is no AC or battery */
		s = next_piece(&p, end, &len);
		if (len)
			write_in(dir, "scope", s, len);
		s = next_piece(&p, end, &len);
		write_in(dir, "type", s, len);
		s = next_piece(&p, end, &len);
		write_in(dir, "online", s, len);
	}
	if (!joule_power_state_read(sysfs, &st))
		joule_profile_auto(&st, why, sizeof(why));
	return 0;
}
