// SPDX-License-Identifier: GPL-2.0-only
/*
 * Desktop state over sd-bus. Every signal about the watched names or objects
 * (a PropertiesChanged, an owner coming or going) only marks the bus dirty;
 * the properties are then read again, so a missed or partial signal cannot
 * leave a stale value behind. Those reads, and the subscriptions, are
 * asynchronous: a user's bus is whatever that user runs, and one that
 * answers each call just before its timeout stalled the root loader for
 * every signal it sent. Only the system bus (or the one given) is waited
 * for once, at connect, so that the first choice of profile knows it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "desktop.h"

/* A property read should take microseconds; a hung daemon must not stall the loader. */
#define READ_TIMEOUT_US 500000

struct watched {
	const char *name, *path, *iface, *prop;
	bool gamemode;
};

/*
 * power-profiles-daemon owns both names (the second since 0.20); tuned-ppd
 * implements the same interfaces.
 */
static const struct watched watched[] = {
	{"net.hadess.PowerProfiles", "/net/hadess/PowerProfiles", "net.hadess.PowerProfiles",
	 "ActiveProfile", false},
	{"org.freedesktop.UPower.PowerProfiles", "/org/freedesktop/UPower/PowerProfiles",
	 "org.freedesktop.UPower.PowerProfiles", "ActiveProfile", false},
	{"com.feralinteractive.GameMode", "/com/feralinteractive/GameMode",
	 "com.feralinteractive.GameMode", "ClientCount", true},
};

#define NR_WATCHED (sizeof(watched) / sizeof(watched[0]))

struct desktop_bus;

/* A read of watched[i] on a bus: what its reply updates. */
struct property_read {
	struct desktop_bus *b;
	int i;
};

struct desktop_bus {
	sd_bus *bus; /* NULL: a free slot */
	bool dirty;
	bool answered; /* a read came back since joule_desktop_process() last looked */
	int pending;   /* reads not answered yet */
	struct property_read read[NR_WATCHED];
	char profile[NR_WATCHED][32]; /* each power-profiles-daemon name's answer */
	int clients;		      /* GameMode's answer, -1: none */
	/*
	 * Whether power-profiles-daemon counts here: on the system bus (or the
	 * one bus given), never on a user's bus, whose owner could claim its name.
	 */
	bool ppd;
	struct joule_desktop_state st;
	unsigned long uid; /* a user's session bus: whose */
	bool user;
};

/*
 * Buses scanned for users' sessions: checked for new logins this often; the
 * system bus (or the one given), when not connected, is tried again as often.
 */
#define USER_SCAN_INTERVAL_S 2.0
/* The most GameMode clients counted on one bus. */
#define MAX_GAME_CLIENTS 4096
/*
 * The most messages read from one bus per turn of the loop: a peer that
 * floods its bus (any user's program on their own) must not keep the loop
 * from its other work; the rest waits for the next turn.
 */
#define MAX_MESSAGES_PER_TURN 64
/*
 * A user's bus that did not finish connecting in time is left alone for
 * USER_SCAN_INTERVAL_S, then twice as long at each new silence, up to
 * SHUN_S: a bus still starting (socket-activated by this very connect,
 * at login) is followed a scan or two later, one that never answers
 * costs a connect's wait once a minute.
 */
#define SHUN_S 60.0

struct joule_desktop {
	struct desktop_bus bus[JOULE_DESKTOP_MAX_FDS]; /* [0]: the system bus, or the one given */
	int nr_bus;				       /* slots used so far, some maybe freed */
	bool gamemode;
	const char *user_dir; /* root: users' buses at USER_DIR/UID/bus */
	double next_scan;
	char *address;	   /* the bus given (--bus-address), NULL: the system bus */
	double next_retry; /* when to try bus[0] again if it is not connected */
	/* users whose bus did not answer in time, not tried again until `until` */
	struct {
		unsigned long uid;
		double until;
		int silences; /* in a row; 0: the entry is free */
	} shunned[JOULE_DESKTOP_MAX_FDS];
	int next_shun;
};

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
	(void)m, (void)err;
	((struct desktop_bus *)userdata)->dirty = true;
	return 0;
}

/*
 * Subscribed without waiting: the bus daemon takes a connection's messages
 * in order, so a read sent after these sees any change they would report.
 * A bus that refuses them is closed (sd-bus's default), and dropped.
 */
static int add_matches(struct desktop_bus *b, const struct watched *w)
{
	char rule[512];
	int r;

	snprintf(rule, sizeof(rule),
		 "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
		 "member='NameOwnerChanged',arg0='%s'",
		 w->name);
	r = sd_bus_add_match_async(b->bus, NULL, rule, on_signal, NULL, b);
	if (r < 0)
		return r;
	snprintf(rule, sizeof(rule),
		 "type='signal',interface='org.freedesktop.DBus.Properties',"
		 "member='PropertiesChanged',path='%s',arg0='%s'",
		 w->path, w->iface);
	return sd_bus_add_match_async(b->bus, NULL, rule, on_signal, NULL, b);
}

/* The bus's state from its reads' latest answers: the first daemon name that has one. */
static void compose_state(struct desktop_bus *b)
{
	b->st.power_profile[0] = '\0';
	for (size_t i = 0; i < NR_WATCHED && !b->st.power_profile[0]; i++)
		if (!watched[i].gamemode)
			snprintf(b->st.power_profile, sizeof(b->st.power_profile), "%s",
				 b->profile[i]);
	b->st.game_clients = b->clients;
}

/*
 * No answer in time says nothing of the daemon: not "no daemon", which
 * would hand its settings back to scx_joule. (Only errors that come after
 * the timeout: an immediate one read again at once would be a busy loop.)
 */
static bool transient_error(sd_bus_message *reply)
{
	const sd_bus_error *e = sd_bus_message_get_error(reply);

	return e && (sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) ||
		     sd_bus_error_has_name(e, SD_BUS_ERROR_TIMEOUT));
}

/*
 * A read's answer; an error (no such name) means no value. A transient one
 * keeps the value it had, and the property is read again.
 */
static int on_property(sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
	struct property_read *rd = userdata;
	struct desktop_bus *b = rd->b;
	bool ok = !sd_bus_message_is_method_error(reply, NULL);
	const char *s;
	int32_t n;

	(void)err;
	b->pending--;
	if (transient_error(reply)) {
		b->dirty = true;
		return 0;
	}
	b->answered = true;
	if (watched[rd->i].gamemode) {
		/* a count no game reaches: a bus's peer is any user's program, and the sum
		 * must not overflow */
		b->clients = -1;
		if (ok && sd_bus_message_read(reply, "v", "i", &n) >= 0)
			b->clients = n < 0 ? -1 : n > MAX_GAME_CLIENTS ? MAX_GAME_CLIENTS : n;
	} else {
		b->profile[rd->i][0] = '\0';
		if (ok && sd_bus_message_read(reply, "v", "s", &s) >= 0)
			snprintf(b->profile[rd->i], sizeof(b->profile[rd->i]), "%s", s);
	}
	compose_state(b);
	return 0;
}

/* Properties.Get without D-Bus activation (reading must not start a daemon), answered later. */
static int send_read(struct desktop_bus *b, int i)
{
	const struct watched *w = &watched[i];
	sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_method_call(b->bus, &m, w->name, w->path,
					   "org.freedesktop.DBus.Properties", "Get");
	if (r >= 0)
		r = sd_bus_message_set_auto_start(m, 0);
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", w->iface, w->prop);
	if (r >= 0)
		r = sd_bus_call_async(b->bus, NULL, m, on_property, &b->read[i], READ_TIMEOUT_US);
	sd_bus_message_unref(m);
	return r;
}

static bool watches(const struct joule_desktop *d, const struct desktop_bus *b,
		    const struct watched *w)
{
	return w->gamemode ? d->gamemode : b->ppd;
}

/* Reads every property the bus watches again; the answers come with later processing. */
static void refresh(struct joule_desktop *d, struct desktop_bus *b)
{
	b->dirty = false;
	for (size_t i = 0; i < NR_WATCHED; i++) {
		if (!watches(d, b, &watched[i]))
			continue;
		b->read[i] = (struct property_read){.b = b, .i = (int)i};
		if (send_read(b, (int)i) >= 0) {
			b->pending++;
		} else {
			/* not sent: no value, as for an error answer */
			b->profile[i][0] = '\0';
			if (watched[i].gamemode)
				b->clients = -1;
			b->answered = true;
		}
	}
	compose_state(b);
}

static int open_bus(sd_bus **bus, const char *address, bool user)
{
	int r;

	if (!address)
		return user ? sd_bus_open_user(bus) : sd_bus_open_system(bus);
	r = sd_bus_new(bus);
	if (r >= 0)
		r = sd_bus_set_address(*bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(*bus, 1);
	if (r >= 0)
		r = sd_bus_start(*bus);
	if (r < 0)
		*bus = sd_bus_unref(*bus);
	return r;
}

/* A slot for a new bus; slot 0 stays the system bus's, connected or not. */
static struct desktop_bus *free_slot(struct joule_desktop *d)
{
	for (int i = 1; i < d->nr_bus; i++)
		if (!d->bus[i].bus)
			return &d->bus[i];
	return d->nr_bus < JOULE_DESKTOP_MAX_FDS ? &d->bus[d->nr_bus++] : NULL;
}

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Processes the bus until done(arg) says so (> 0), at most READ_TIMEOUT_US:
 * 0, -ETIMEDOUT, or -errno. sd-bus's own calls would wait up to its 90 s
 * authentication timeout first, and a user's bus is any socket that user
 * put in /run/user/UID: one that never answers must not stall the loader.
 */
static int process_until(sd_bus *bus, int (*done)(void *arg), void *arg)
{
	double end = monotonic_s() + READ_TIMEOUT_US / 1e6;
	int r;

	while ((r = done(arg)) == 0) {
		double left = end - monotonic_s();

		if (left <= 0)
			return -ETIMEDOUT;
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return r;
		if (!r && (r = sd_bus_wait(bus, (uint64_t)(left * 1e6))) < 0)
			return r;
	}
	return r < 0 ? r : 0;
}

/* Connected: authenticated and Hello answered. */
static int bus_ready(void *bus)
{
	return sd_bus_is_ready(bus);
}

/* Every read sent has its answer. */
static int reads_answered(void *b)
{
	return ((struct desktop_bus *)b)->pending <= 0;
}

/*
 * Connects b, subscribes and reads the properties once; waits for the
 * answers only if wait (a user's bus is never waited for).
 */
static int add_bus(struct joule_desktop *d, struct desktop_bus *b, const char *address, bool user,
		   bool wait)
{
	int r;

	r = open_bus(&b->bus, address, user);
	if (r < 0)
		return r;
	r = process_until(b->bus, bus_ready, b->bus);
	if (r < 0) {
		b->bus = sd_bus_close_unref(b->bus);
		return r;
	}
	sd_bus_set_method_call_timeout(b->bus, READ_TIMEOUT_US);
	for (size_t i = 0; i < NR_WATCHED && r >= 0; i++)
		if (watches(d, b, &watched[i]))
			r = add_matches(b, &watched[i]);
	if (r < 0) {
		b->bus = sd_bus_close_unref(b->bus);
		return r;
	}
	b->clients = -1;
	refresh(d, b);
	if (wait)
		/* a daemon that does not answer in time: none, until it does */
		process_until(b->bus, reads_answered, b);
	b->answered = false;
	return 0;
}

static struct desktop_bus *new_bus(struct joule_desktop *d, bool ppd)
{
	struct desktop_bus *b = free_slot(d);

	if (b)
		*b = (struct desktop_bus){.ppd = ppd};
	return b;
}

/* The index of uid's entry in d->shunned, or -1. */
static int shun_slot(const struct joule_desktop *d, unsigned long uid)
{
	for (int i = 0; i < JOULE_DESKTOP_MAX_FDS; i++)
		if (d->shunned[i].silences && d->shunned[i].uid == uid)
			return i;
	return -1;
}

static void shun(struct joule_desktop *d, unsigned long uid)
{
	int i = shun_slot(d, uid);
	double wait = USER_SCAN_INTERVAL_S;

	if (i < 0) {
		i = d->next_shun;
		d->next_shun = (d->next_shun + 1) % JOULE_DESKTOP_MAX_FDS;
		d->shunned[i].uid = uid;
		d->shunned[i].silences = 0;
	}
	d->shunned[i].silences++;
	for (int n = 1; n < d->shunned[i].silences && wait < SHUN_S; n++)
		wait *= 2;
	/* from the scan's start, as the next scan is: 2 s is the next scan, not the one after */
	d->shunned[i].until = d->next_scan - USER_SCAN_INTERVAL_S + (wait < SHUN_S ? wait : SHUN_S);
}

static void forgive(struct joule_desktop *d, unsigned long uid)
{
	int i = shun_slot(d, uid);

	if (i >= 0)
		d->shunned[i].silences = 0;
}

/*
 * A user's session bus admits that user only, so the connection and its
 * authentication (EXTERNAL: the uid the kernel saw at connect()) are made
 * with the user's effective uid; the saved uid 0 lets us take root back.
 */
static void add_user_bus(struct joule_desktop *d, unsigned long uid, const char *address)
{
	struct desktop_bus *b = new_bus(d, false);

	if (!b)
		return;
	b->user = true;
	b->uid = uid;
	if (seteuid((uid_t)uid))
		return;
	/* silent past 0.5 s: not again for a while (a refused connect is tried at the next scan) */
	if (add_bus(d, b, address, false, false) == -ETIMEDOUT)
		shun(d, uid);
	else
		forgive(d, uid);
	if (seteuid(0))
		abort(); /* cannot happen with saved uid 0; never go on as the user */
}

static bool shunned(const struct joule_desktop *d, unsigned long uid)
{
	for (int i = 0; i < JOULE_DESKTOP_MAX_FDS; i++)
		if (d->shunned[i].silences && d->shunned[i].uid == uid &&
		    monotonic_s() < d->shunned[i].until)
			return true;
	return false;
}

static bool have_user_bus(const struct joule_desktop *d, unsigned long uid)
{
	for (int i = 0; i < d->nr_bus; i++)
		if (d->bus[i].bus && d->bus[i].user && d->bus[i].uid == uid)
			return true;
	return false;
}

/* Users who logged in since the last look (each has USER_DIR/UID/bus). */
static void scan_user_buses(struct joule_desktop *d)
{
	char path[4096], address[4200];
	struct dirent *de;
	struct stat st;
	DIR *dir;

	d->next_scan = monotonic_s() + USER_SCAN_INTERVAL_S;
	dir = opendir(d->user_dir);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char *end;
		unsigned long uid = strtoul(de->d_name, &end, 10);

		if (end == de->d_name || *end || have_user_bus(d, uid) || shunned(d, uid))
			continue;
		snprintf(path, sizeof(path), "%s/%s/bus", d->user_dir, de->d_name);
		if (stat(path, &st) || !S_ISSOCK(st.st_mode))
			continue;
		snprintf(address, sizeof(address), "unix:path=%s", path);
		add_user_bus(d, uid, address);
	}
	closedir(dir);
}

/*
 * The given address for connecting again: without its guid=, which names
 * the daemon that was there, not the one a restart brings.
 */
static char *retry_address(const char *address)
{
	char *a = strdup(address), *g = a ? strstr(a, ",guid=") : NULL;

	/* one address only: in a list (a;b) each has its own guid, left as they are */
	if (g && !strchr(a, ';')) {
		char *end = strchr(g + 1, ',');

		if (end)
			memmove(g, end, strlen(end) + 1);
		else
			*g = '\0';
	}
	return a;
}

int joule_desktop_open(struct joule_desktop **out, const struct joule_desktop_opts *o)
{
	struct joule_desktop *d = calloc(1, sizeof(*d));

	*out = d;
	if (!d)
		return -ENOMEM;
	d->gamemode = o->gamemode;
	d->next_retry = monotonic_s() + USER_SCAN_INTERVAL_S;
	/* a bus the user named must be there: say so if it is not (the caller warns) */
	if (o->bus_address) {
		d->address = retry_address(o->bus_address);
		if (!d->address)
			return -ENOMEM;
		return add_bus(d, new_bus(d, true), o->bus_address, false, true);
	}
	add_bus(d, new_bus(d, true), NULL, false, true);
	if (!d->gamemode)
		return 0;
	/*
	 * GameMode lives on the session bus. Root (the service) has none and
	 * looks for every logged-in user's; a user has their own.
	 */
	if (geteuid() == 0) {
		d->user_dir = o->user_bus_dir ? o->user_bus_dir : "/run/user";
		scan_user_buses(d);
	} else if (getenv("DBUS_SESSION_BUS_ADDRESS") || getenv("XDG_RUNTIME_DIR")) {
		add_bus(d, new_bus(d, false), NULL, true, true);
	}
	return 0;
}

void joule_desktop_close(struct joule_desktop *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->nr_bus; i++)
		sd_bus_close_unref(d->bus[i].bus);
	free(d->address);
	free(d);
}

/* Lowers *timeout_ms to when sd-bus next has work: 0 if messages wait read already. */
static void lower_timeout(sd_bus *bus, int *timeout_ms)
{
	struct timespec ts;
	uint64_t when, now;

	if (sd_bus_get_timeout(bus, &when) < 0 || when == UINT64_MAX)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	if (when <= now)
		*timeout_ms = 0;
	else if ((when - now) / 1000 < (uint64_t)*timeout_ms)
		*timeout_ms = (int)((when - now) / 1000);
}

int joule_desktop_pollfds(struct joule_desktop *d, struct pollfd *fds, int max, int *timeout_ms)
{
	int n = 0;

	for (int i = 0; d && i < d->nr_bus && n < max; i++) {
		if (!d->bus[i].bus)
			continue;
		fds[n].fd = sd_bus_get_fd(d->bus[i].bus);
		fds[n].events = (short)sd_bus_get_events(d->bus[i].bus);
		fds[n].revents = 0;
		if (fds[n].fd >= 0)
			n++;
		lower_timeout(d->bus[i].bus, timeout_ms);
	}
	return n;
}

/* The slot stays (its matches point at it), empty, and keeps the buses' order. */
static void drop_bus(struct desktop_bus *b)
{
	/* its reads still out are freed with it, their callbacks never run */
	b->bus = sd_bus_close_unref(b->bus);
	b->pending = 0;
	b->answered = false;
	memset(b->profile, 0, sizeof(b->profile));
	b->clients = -1;
	compose_state(b);
}

/*
 * The system bus not there at start (scx_joule started before D-Bus at
 * boot) or gone since (the broker restarted): connect again, or
 * power-profiles-daemon's settings would be overwritten as if it did not run.
 */
static bool retry_system_bus(struct joule_desktop *d)
{
	if (d->bus[0].bus || monotonic_s() < d->next_retry)
		return false;
	d->next_retry = monotonic_s() + USER_SCAN_INTERVAL_S;
	d->bus[0] = (struct desktop_bus){.ppd = true};
	return add_bus(d, &d->bus[0], d->address, false, true) == 0;
}

bool joule_desktop_process(struct joule_desktop *d)
{
	bool changed = false;
	int r;

	if (d && d->user_dir && monotonic_s() >= d->next_scan)
		scan_user_buses(d);
	if (d && d->nr_bus)
		changed = retry_system_bus(d);

	for (int i = 0; d && i < d->nr_bus; i++) {
		struct desktop_bus *b = &d->bus[i];

		if (!b->bus)
			continue;
		for (int n = 0; n < MAX_MESSAGES_PER_TURN; n++)
			if ((r = sd_bus_process(b->bus, NULL)) <= 0)
				break;
		if (r < 0) {
			/* the bus went away: what it said no longer holds */
			drop_bus(b);
			changed = true;
			continue;
		}
		if (b->dirty)
			refresh(d, b);
		if (b->answered) {
			b->answered = false;
			changed = true;
		}
	}
	return changed;
}

void joule_desktop_state(const struct joule_desktop *d, struct joule_desktop_state *st)
{
	st->power_profile[0] = '\0';
	st->game_clients = -1;
	for (int i = 0; d && i < d->nr_bus; i++) {
		const struct joule_desktop_state *b = &d->bus[i].st;

		/* the system bus comes first: its power-profiles-daemon wins */
		if (!st->power_profile[0])
			memcpy(st->power_profile, b->power_profile, sizeof(st->power_profile));
		if (b->game_clients >= 0)
			st->game_clients =
				(st->game_clients > 0 ? st->game_clients : 0) + b->game_clients;
	}
}

int joule_desktop_nr_buses(const struct joule_desktop *d)
{
	int n = 0;

	for (int i = 0; d && i < d->nr_bus; i++)
		n += d->bus[i].bus != NULL;
	return n;
}
