/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Power supplies (sys/class/power_supply): what one is to this machine.
 * One reading for the profile's power source (src/profile.c) and the
 * battery meter (jmeter.c), so that both count the same supplies.
 */
#ifndef JSUPPLY_H
#define JSUPPLY_H

enum jsupply_kind {
	JSUPPLY_OTHER,	    /* unreadable, or of another type */
	JSUPPLY_DEVICE,	    /* scope Device: a peripheral's (mouse, headset, gamepad) */
	JSUPPLY_BATTERY,    /* type Battery */
	JSUPPLY_AC_OFFLINE, /* type Mains or USB*, online 0 */
	JSUPPLY_AC_ONLINE,  /* online 1, or 2 (a USB PD source in a PPS contract) */
};

/*
 * Supply name in class_dir (a power_supply directory, e.g.
 * /sys/class/power_supply). No scope file means System (old kernels, most
 * ACPI).
 */
enum jsupply_kind jsupply_kind(const char *class_dir, const char *name);

#endif
