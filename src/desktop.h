/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Following the desktop over D-Bus: power-profiles-daemon's (or tuned-ppd's)
 * ActiveProfile on the system bus, and GameMode's ClientCount on the system
 * bus and the session bus (as root: every logged-in user's session bus). Built on sd-bus; without
 * libsystemd every call reports that there is nothing to follow.
 */
#ifndef DESKTOP_H
#define DESKTOP_H

#include <poll.h>
#include <stdbool.h>

#include "profile.h"

/* the system bus, and the session bus or up to 7 logged-in users' */
#define JOULE_DESKTOP_MAX_FDS 8

struct joule_desktop;

struct joule_desktop_opts {
	/* One bus to watch for everything instead of the system and session buses. */
	const char *bus_address;
	bool gamemode; /* watch GameMode */
	/* Run as root: users' session buses are DIR/UID/bus (default /run/user). */
	const char *user_bus_dir;
};

/*
 * Connects to the buses that exist; none existing is not an error (the
 * state then stays empty). -EOPNOTSUPP when built without sd-bus.
 */
int joule_desktop_open(struct joule_desktop **out, const struct joule_desktop_opts *o);
void joule_desktop_close(struct joule_desktop *d);
/*
 * Descriptors to poll() on (fd and events set); returns how many. Lowers
 * *timeout_ms when sd-bus has work sooner (messages already read: 0).
 */
int joule_desktop_pollfds(struct joule_desktop *d, struct pollfd *fds, int max, int *timeout_ms);
/*
 * Handles what arrived, drops buses that went away; true when the state may
 * have changed. Never blocks longer than a property read's timeout.
 */
bool joule_desktop_process(struct joule_desktop *d);
void joule_desktop_state(const struct joule_desktop *d, struct joule_desktop_state *st);
/* How many buses are still connected. */
int joule_desktop_nr_buses(const struct joule_desktop *d);

#endif
