// SPDX-License-Identifier: GPL-2.0-only
/* Built without libsystemd: no D-Bus, `auto` follows sysfs alone. */
#include <errno.h>
#include <stddef.h>

#include "desktop.h"

int joule_desktop_open(struct joule_desktop **out, const struct joule_desktop_opts *o)
{
	(void)o;
	*out = NULL;
	return -EOPNOTSUPP;
}

void joule_desktop_close(struct joule_desktop *d)
{
	(void)d;
}

int joule_desktop_pollfds(struct joule_desktop *d, struct pollfd *fds, int max, int *timeout_ms)
{
	(void)d, (void)fds, (void)max, (void)timeout_ms;
	return 0;
}

bool joule_desktop_process(struct joule_desktop *d)
{
	(void)d;
	return false;
}

void joule_desktop_state(const struct joule_desktop *d, struct joule_desktop_state *st)
{
	(void)d;
	st->power_profile[0] = '\0';
	st->game_clients = -1;
}

int joule_desktop_nr_buses(const struct joule_desktop *d)
{
	(void)d;
	return 0;
}
