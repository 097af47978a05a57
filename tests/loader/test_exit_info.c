// SPDX-License-Identifier: GPL-2.0-only
/* How the loader words the scheduler's exit and which exit status it picks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "exit_info.h"

static void user_unregister_is_not_an_error(void **state)
{
	struct joule_exit_info ei = {.kind = 64};
	char line[256];

	(void)state;
	strcpy(ei.reason, "unregistered from user space");
	joule_exit_describe(&ei, line, sizeof(line));
	assert_string_equal(line, "exited: unregistered (kind 64, code 0): "
				  "unregistered from user space");
	assert_false(joule_exit_is_error(&ei));
	assert_false(joule_exit_wants_restart(&ei));
}

static void stall_is_an_error_with_message(void **state)
{
	struct joule_exit_info ei = {.kind = 1026, .exit_code = 0};
	char line[256];

	(void)state;
	strcpy(ei.reason, "runnable task stall");
	strcpy(ei.msg, "kworker/0:1[12] failed to run for 5.004s");
	joule_exit_describe(&ei, line, sizeof(line));
	assert_string_equal(line, "exited: runnable task stall (kind 1026, code 0): "
				  "runnable task stall: kworker/0:1[12] failed to run for 5.004s");
	assert_true(joule_exit_is_error(&ei));
}

static void hotplug_restart_code_is_recognised(void **state)
{
	struct joule_exit_info ei = {.kind = 65};

	(void)state;
	ei.exit_code = (long long)(JOULE_ECODE_ACT_RESTART | (1ULL << 32));
	assert_true(joule_exit_wants_restart(&ei));
	assert_false(joule_exit_is_error(&ei));
}

static void unterminated_strings_stay_bounded(void **state)
{
	struct joule_exit_info ei = {.kind = 1025};
	char line[4096];

	(void)state;
	memset(ei.reason, 'r', sizeof(ei.reason));
	memset(ei.msg, 'm', sizeof(ei.msg));
	joule_exit_describe(&ei, line, sizeof(line));
	assert_int_equal(strspn(strstr(line, "): ") + 3, "r"), JOULE_EXIT_REASON_LEN);
	assert_int_equal(strlen(strrchr(line, ' ') + 1), JOULE_EXIT_MSG_LEN);
}

static void unknown_kind_and_missing_reason(void **state)
{
	struct joule_exit_info ei = {.kind = 4242};
	char line[128];

	(void)state;
	joule_exit_describe(&ei, line, sizeof(line));
	assert_string_equal(line, "exited: unknown exit kind (kind 4242, code 0): no reason given");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_unregister_is_not_an_error),
		cmocka_unit_test(stall_is_an_error_with_message),
		cmocka_unit_test(hotplug_restart_code_is_recognised),
		cmocka_unit_test(unterminated_strings_stay_bounded),
		cmocka_unit_test(unknown_kind_and_missing_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
