// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake power-profiles-daemon and GameMode on one bus, for the D-Bus tests:
 * ActiveProfile is writable as on the real daemon (busctl set-property), and
 * games come and go with GameMode's RegisterGame/UnregisterGame methods
 * (and SetClientCount, the fake's own, for counts no real GameMode gives).
 * Prints "ready" once it owns its names.
 *
 * usage: fake-desktop ADDRESS [hadess|upower|none] [gamemode|none]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

static char active_profile[32] = "balanced";
static int32_t client_count;

struct ppd_object {
	const char *name, *path, *iface;
};

static const struct ppd_object ppd_objects[] = {
	{"net.hadess.PowerProfiles", "/net/hadess/PowerProfiles", "net.hadess.PowerProfiles"},
	{"org.freedesktop.UPower.PowerProfiles", "/org/freedesktop/UPower/PowerProfiles",
	 "org.freedesktop.UPower.PowerProfiles"},
};

#define GM_NAME	 "com.feralinteractive.GameMode"
#define GM_PATH	 "/com/feralinteractive/GameMode"
#define GM_IFACE "com.feralinteractive.GameMode"

static int get_profile(sd_bus *bus, const char *path, const char *iface, const char *prop,
		       sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
	(void)bus, (void)path, (void)iface, (void)prop, (void)userdata, (void)err;
	return sd_bus_message_append(reply, "s", active_profile);
}

static int set_profile(sd_bus *bus, const char *path, const char *iface, const char *prop,
		       sd_bus_message *value, void *userdata, sd_bus_error *err)
{
	const char *s;
	int r;

	(void)userdata, (void)err;
	r = sd_bus_message_read(value, "s", &s);
	if (r < 0)
		return r;
	snprintf(active_profile, sizeof(active_profile), "%s", s);
	return sd_bus_emit_properties_changed(bus, path, iface, prop, NULL);
}

static const sd_bus_vtable ppd_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_WRITABLE_PROPERTY("ActiveProfile", "s", get_profile, set_profile, 0,
				 SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_VTABLE_END,
};

static int change_clients(sd_bus_message *m, int delta)
{
	int32_t pid;
	int r;

	r = sd_bus_message_read(m, "i", &pid);
	if (r < 0)
		return r;
	if (client_count + delta < 0)
		return sd_bus_reply_method_return(m, "i", -1);
	client_count += delta;
	r = sd_bus_emit_properties_changed(sd_bus_message_get_bus(m), GM_PATH, GM_IFACE,
					   "ClientCount", NULL);
	if (r < 0)
		return r;
	return sd_bus_reply_method_return(m, "i", 0);
}

static int register_game(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
	(void)userdata, (void)err;
	return change_clients(m, 1);
}

static int unregister_game(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
	(void)userdata, (void)err;
	return change_clients(m, -1);
}

/* Not GameMode's: sets any count, as a peer that lies could. */
static int set_client_count(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
	int32_t n;
	int r;

	(void)userdata, (void)err;
	r = sd_bus_message_read(m, "i", &n);
	if (r < 0)
		return r;
	client_count = n;
	r = sd_bus_emit_properties_changed(sd_bus_message_get_bus(m), GM_PATH, GM_IFACE,
					   "ClientCount", NULL);
	return r < 0 ? r : sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable gm_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("ClientCount", "i", NULL, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD("RegisterGame", "i", "i", register_game, 0),
	SD_BUS_METHOD("UnregisterGame", "i", "i", unregister_game, 0),
	SD_BUS_METHOD("SetClientCount", "i", "", set_client_count, 0),
	SD_BUS_VTABLE_END,
};

static int connect_bus(sd_bus **bus, const char *address)
{
	int r = sd_bus_new(bus);

	if (r >= 0)
		r = sd_bus_set_address(*bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(*bus, 1);
	if (r >= 0)
		r = sd_bus_start(*bus);
	return r;
}

static int serve_ppd(sd_bus *bus, const struct ppd_object *o)
{
	int r = sd_bus_add_object_vtable(bus, NULL, o->path, o->iface, ppd_vtable, NULL);

	return r < 0 ? r : sd_bus_request_name(bus, o->name, 0);
}

static int serve_gamemode(sd_bus *bus)
{
	/* no getter: sd-bus reads ClientCount at offset 0 of its userdata */
	int r = sd_bus_add_object_vtable(bus, NULL, GM_PATH, GM_IFACE, gm_vtable, &client_count);

	return r < 0 ? r : sd_bus_request_name(bus, GM_NAME, 0);
}

int main(int argc, char **argv)
{
	const char *ppd = argc > 2 ? argv[2] : "hadess";
	bool gamemode = argc <= 3 || strcmp(argv[3], "none") != 0;
	sd_bus *bus = NULL;
	int r;

	if (argc < 2) {
		fprintf(stderr,
			"usage: fake-desktop ADDRESS [hadess|upower|none] [gamemode|none]\n");
		return 2;
	}
	r = connect_bus(&bus, argv[1]);
	if (r >= 0 && !strcmp(ppd, "hadess"))
		r = serve_ppd(bus, &ppd_objects[0]);
	if (r >= 0 && !strcmp(ppd, "upower"))
		r = serve_ppd(bus, &ppd_objects[1]);
	if (r >= 0 && gamemode)
		r = serve_gamemode(bus);
	if (r < 0) {
		fprintf(stderr, "fake-desktop: %s\n", strerror(-r));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			break;
		if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
			break;
	}
	sd_bus_flush_close_unref(bus);
	return 0;
}
