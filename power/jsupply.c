// SPDX-License-Identifier: GPL-2.0-only
/* What a power supply is to this machine (jsupply.h). */
#include <stdio.h>
#include <string.h>

#include "jsupply.h"
#include "jtopo_fs.h"

/* The first word of class_dir/name/attr, "" if it cannot be read. */
static void supply_word(const char *class_dir, const char *name, const char *attr, char *buf,
			size_t len)
{
	char path[4096 + 512];

	snprintf(path, sizeof(path), "%s/%s/%s", class_dir, name, attr);
	if (jtopo_fs_word(NULL, path, buf, len))
		buf[0] = '\0';
}

enum jsupply_kind jsupply_kind(const char *class_dir, const char *name)
{
	char word[32];

	supply_word(class_dir, name, "scope", word, sizeof(word));
	if (!strcmp(word, "Device"))
		return JSUPPLY_DEVICE;
	supply_word(class_dir, name, "type", word, sizeof(word));
	if (!strcmp(word, "Battery"))
		return JSUPPLY_BATTERY;
	if (strcmp(word, "Mains") && strncmp(word, "USB", 3))
		return JSUPPLY_OTHER;
	supply_word(class_dir, name, "online", word, sizeof(word));
	return word[0] >= '1' && word[0] <= '9' ? JSUPPLY_AC_ONLINE : JSUPPLY_AC_OFFLINE;
}
