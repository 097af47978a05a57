// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "exit_info.h"

const char *joule_exit_kind_name(int kind)
{
	switch (kind) {
	case 0: return "none";
	case 1: return "done";
	case 64: return "unregistered";
	case 65: return "unregistered by BPF";
	case 66: return "unregistered by the kernel";
	case 67: return "disabled by sysrq-S";
	case 68: return "parent scheduler exited";
	case 1024: return "runtime error";
	case 1025: return "BPF error";
	case 1026: return "runnable task stall";
	default: return "unknown exit kind";
	}
}

void joule_exit_describe(const struct joule_exit_info *ei, char *buf, size_t len)
{
	/* The BPF side copies bounded strings, but never trust a length we did not write. */
	snprintf(buf, len, "exited: %s (kind %d, code %lld): %.*s%s%.*s",
		 joule_exit_kind_name(ei->kind), ei->kind, (long long)ei->exit_code,
		 JOULE_EXIT_REASON_LEN, ei->reason[0] ? ei->reason : "no reason given",
		 ei->msg[0] ? ": " : "", JOULE_EXIT_MSG_LEN, ei->msg);
}

bool joule_exit_is_error(const struct joule_exit_info *ei)
{
	return ei->kind >= JOULE_EXIT_KIND_ERROR;
}

bool joule_exit_wants_restart(const struct joule_exit_info *ei)
{
	return (unsigned long long)ei->exit_code & JOULE_ECODE_ACT_RESTART;
}
