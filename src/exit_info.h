/* SPDX-License-Identifier: GPL-2.0-only */
/* Turning the scheduler's exit record into words and an exit status. */
#ifndef EXIT_INFO_H
#define EXIT_INFO_H

#include <stdbool.h>
#include <stddef.h>

#include "joule.h"

/* enum scx_exit_kind, from the kernel's ABI (the exit codes are in joule.h) */
#define JOULE_EXIT_KIND_ERROR 1024

const char *joule_exit_kind_name(int kind);
/* One line, no newline: "exited: <kind> (kind K, code C): <reason>[: <msg>]" */
void joule_exit_describe(const struct joule_exit_info *ei, char *buf, size_t len);
/* true when the kernel stopped the scheduler for an error (not the user) */
bool joule_exit_is_error(const struct joule_exit_info *ei);
/* true when the kernel asks the loader to attach again (e.g. after hotplug) */
bool joule_exit_wants_restart(const struct joule_exit_info *ei);

#endif
