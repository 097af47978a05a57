// SPDX-License-Identifier: GPL-2.0-only
/*
 * The loader's kfunc table (src/kfuncs.c) against what the BPF scheduler
 * really calls: the built object's extern functions (its BTF), the guards
 * of the optional ones in the BPF source, the declarations of the pinned
 * 7.2 kernel's vmlinux.h; and the check itself on hand-built BTF blobs.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/btf.h>

#include "kfuncs.h"

/* A "vmlinux" BTF with every table kfunc except skip (NULL: none). */
static struct btf *kernel_with(bool (*keep)(const struct joule_kfunc *))
{
	struct btf *btf = btf__new_empty();
	int proto;

	assert_non_null(btf);
	proto = btf__add_func_proto(btf, 0);
	assert_true(proto > 0);
	assert_true(btf__add_func(btf, "schedule", BTF_FUNC_GLOBAL, proto) > 0);
	for (int i = 0; i < joule_nr_kfuncs; i++)
		if (keep(&joule_kfuncs[i]))
			assert_true(btf__add_func(btf, joule_kfuncs[i].name, BTF_FUNC_GLOBAL,
						  proto) > 0);
	return btf;
}

static bool all(const struct joule_kfunc *k)
{
	(void)k;
	return true;
}

static bool only_required(const struct joule_kfunc *k)
{
	return !k->optional;
}

/* a 6.13 kernel: everything but what came in 6.14 or later */
static bool before_6_14(const struct joule_kfunc *k)
{
	unsigned major = 0, minor = 0;

	assert_int_equal(sscanf(k->since, "%u.%u", &major, &minor), 2);
	return major * 1000 + minor < 6014;
}

static bool none(const struct joule_kfunc *k)
{
	(void)k;
	return false;
}

static void test_check_on_blobs(void **state)
{
	char missing[1024];
	struct btf *btf;
	int required = 0;

	(void)state;
	for (int i = 0; i < joule_nr_kfuncs; i++)
		required += !joule_kfuncs[i].optional;

	btf = kernel_with(all);
	assert_int_equal(joule_kfuncs_missing(btf, missing, sizeof(missing)), 0);
	assert_string_equal(missing, "");
	btf__free(btf);

	/* the optional ones may be missing */
	btf = kernel_with(only_required);
	assert_int_equal(joule_kfuncs_missing(btf, missing, sizeof(missing)), 0);
	btf__free(btf);

	btf = kernel_with(before_6_14);
	assert_int_equal(joule_kfuncs_missing(btf, missing, sizeof(missing)), 1);
	assert_string_equal(missing, "scx_bpf_now (6.14)");
	btf__free(btf);

	btf = kernel_with(none);
	assert_int_equal(joule_kfuncs_missing(btf, missing, sizeof(missing)), required);
	assert_non_null(strstr(missing, "bpf_cpumask_test_cpu (6.3), "));
	btf__free(btf);
}

/* The line a user with a kernel too old gets (exit 4), one kfunc or several. */
static void test_message(void **state)
{
	char msg[1280];
	struct btf *btf;

	(void)state;
	btf = kernel_with(all);
	assert_int_equal(joule_kfuncs_message(btf, "7.3.0", msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	btf__free(btf);

	btf = kernel_with(before_6_14);
	assert_int_equal(joule_kfuncs_message(btf, "6.13.5", msg, sizeof(msg)), 1);
	assert_string_equal(msg, "scx_joule: this kernel (6.13.5) lacks the kfunc scx_bpf_now "
				 "(6.14) (added in the release shown); scx_joule needs Linux >= "
				 "6.14");
	btf__free(btf);

	btf = kernel_with(none);
	assert_true(joule_kfuncs_message(btf, "6.1.0", msg, sizeof(msg)) > 1);
	assert_non_null(strstr(msg, "scx_joule: this kernel (6.1.0) lacks the kfuncs "));
	assert_non_null(strstr(msg, "; scx_joule needs Linux >= " JOULE_MIN_KERNEL));
	assert_null(strchr(msg, '\n'));
	/* the list whole, not cut */
	for (int i = 0; i < joule_nr_kfuncs; i++) {
		char entry[96];

		if (joule_kfuncs[i].optional)
			continue;
		snprintf(entry, sizeof(entry), "%s (%s)", joule_kfuncs[i].name,
			 joule_kfuncs[i].since);
		assert_non_null(strstr(msg, entry));
	}
	btf__free(btf);
}

/* Every extern function of the BPF object is in the table, and every entry is used. */
static void test_table_matches_bpf_object(void **state)
{
	struct btf *btf = btf__parse(BPF_OBJECT, NULL);
	bool used[64] = {false};
	int n;

	(void)state;
	assert_non_null(btf);
	assert_true(joule_nr_kfuncs <= 64);
	n = (int)btf__type_cnt(btf);
	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, (__u32)id);
		const char *name = btf__name_by_offset(btf, t->name_off);
		const struct joule_kfunc *k;

		/* a FUNC's vlen is its linkage (libbpf < 1.5 has no btf_func_linkage) */
		if (!btf_is_func(t) || btf_vlen(t) != BTF_FUNC_EXTERN)
			continue;
		k = joule_kfunc_find_extern(name);
		if (!k)
			fail_msg(
				"%s: the BPF code calls kfunc %s, which src/kfuncs.c does not list",
				BPF_OBJECT, name);
		used[k - joule_kfuncs] = true;
	}
	for (int i = 0; i < joule_nr_kfuncs; i++)
		if (!used[i])
			fail_msg("src/kfuncs.c lists %s, which %s does not call",
				 joule_kfuncs[i].name, BPF_OBJECT);
	btf__free(btf);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* Is release a ("6.19") at least b? */
static bool release_at_least(const char *a, const char *b)
{
	unsigned int a_major = 0, a_minor = 0, b_major = 0, b_minor = 0;

	if (sscanf(a, "%u.%u", &a_major, &a_minor) != 2 ||
	    sscanf(b, "%u.%u", &b_major, &b_minor) != 2)
		return false;
	return a_major > b_major || (a_major == b_major && a_minor >= b_minor);
}

/*
 * One of 6.19 or later may be guarded by has_kfunc_6_19(), bpf_ksym_exists()
 * that --older-kernel-paths turns off; an older one must not, or that
 * option would take it from the kernels that have it. (That every optional
 * kfunc is guarded at all is test_every_optional_call_is_guarded's.)
 */
static void test_6_19_guard_only_on_newer(void **state)
{
	char *src = slurp(BPF_SOURCE), guard_6_19[128];

	(void)state;
	for (int i = 0; i < joule_nr_kfuncs; i++) {
		/* the extern may carry a ___flavor after the kernel's name */
		snprintf(guard_6_19, sizeof(guard_6_19), "has_kfunc_6_19(%s", joule_kfuncs[i].name);
		if (!release_at_least(joule_kfuncs[i].since, "6.19") && strstr(src, guard_6_19))
			fail_msg("%s (%s) is older than 6.19 but %s has %s", joule_kfuncs[i].name,
				 joule_kfuncs[i].since, BPF_SOURCE, guard_6_19);
	}
	free(src);
}

/* what an optional kfunc's call may be guarded by */
static const char *const guard_names[] = {"bpf_ksym_exists", "has_kfunc_6_19"};
#define NR_GUARDS (sizeof(guard_names) / sizeof(guard_names[0]))

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Is the line starting at line a comment or an extern declaration? */
static bool declaration_or_comment(const char *line)
{
	line += strspn(line, " \t");
	return *line == '*' || !strncmp(line, "/*", 2) || !strncmp(line, "//", 2) ||
	       !strncmp(line, "extern ", 7);
}

static const char *line_start(const char *src, const char *p, int lines_back)
{
	while (p > src && (p[-1] != '\n' || lines_back-- > 0))
		p--;
	return p;
}

/* Is p just after a guard's "NAME(", within line? */
static bool inside_guard(const char *line, const char *p)
{
	for (size_t i = 0; i < NR_GUARDS; i++) {
		size_t len = strlen(guard_names[i]);

		if ((size_t)(p - line) > len && p[-1] == '(' &&
		    !strncmp(p - 1 - len, guard_names[i], len))
			return true;
	}
	return false;
}

/*
 * Does the identifier at id..end name kfunc name? libbpf drops a last
 * ___flavor: scx_bpf_reenqueue_local___v2___joule is
 * scx_bpf_reenqueue_local___v2, and scx_bpf_reenqueue_local___v2 alone
 * would be scx_bpf_reenqueue_local.
 */
static bool names_kfunc(const char *id, const char *end, const char *name)
{
	const char *flavor = NULL;

	for (const char *p = id; p + 3 <= end; p++)
		if (!strncmp(p, "___", 3))
			flavor = p;
	if (!flavor)
		flavor = end;
	return (size_t)(flavor - id) == strlen(name) && !strncmp(id, name, strlen(name));
}

/* "GUARD(ident)" between from and end, ident whole (not a longer name's start). */
static bool guarded(const char *from, const char *end, const char *ident)
{
	char text[160];

	for (size_t i = 0; i < NR_GUARDS; i++) {
		snprintf(text, sizeof(text), "%s(%s)", guard_names[i], ident);
		if (memmem(from, (size_t)(end - from), text, strlen(text)))
			return true;
	}
	return false;
}

/*
 * Every call of an optional kfunc is guarded, not just one of them: a call
 * is its name (with any ___flavor) and '(' outside comments, declarations
 * and guards, and a guard naming that identifier must be on its line or
 * the GUARD_LINES before (an `if` around it, or an early return).
 */
#define GUARD_LINES 4
static void test_every_optional_call_is_guarded(void **state)
{
	char *src = slurp(BPF_SOURCE);

	(void)state;
	for (int i = 0; i < joule_nr_kfuncs; i++) {
		const char *name = joule_kfuncs[i].name, *p = src;
		int calls = 0;

		while (joule_kfuncs[i].optional && (p = strstr(p, name))) {
			const char *id = p, *end = p + strlen(name), *line;
			char ident[128];

			p = end;
			while (ident_char(*end))
				end++;
			if ((id > src && ident_char(id[-1])) || *end != '(' ||
			    end - id >= (long)sizeof(ident) || !names_kfunc(id, end, name))
				continue;
			line = line_start(src, id, 0);
			if (declaration_or_comment(line) || inside_guard(line, id))
				continue;
			snprintf(ident, sizeof(ident), "%.*s", (int)(end - id), id);
			if (!guarded(line_start(src, id, GUARD_LINES), end, ident))
				fail_msg("%s calls %s with no bpf_ksym_exists(%s) or "
					 "has_kfunc_6_19(%s) on that line or the %d before: %.*s",
					 BPF_SOURCE, ident, ident, ident, GUARD_LINES,
					 (int)(strchrnul(line, '\n') - line), line);
			calls++;
		}
		/* found where the BTF test says it is called: the scan works */
		if (joule_kfuncs[i].optional && !calls)
			fail_msg("no call of %s found in %s", name, BPF_SOURCE);
	}
	free(src);
}

/* The pinned 7.2 kernel (bpf/vmlinux/x86/vmlinux.h came from it) has them all. */
static void test_pinned_kernel_has_them(void **state)
{
	char *h = slurp(VMLINUX_H), decl[128];

	(void)state;
	for (int i = 0; i < joule_nr_kfuncs; i++) {
		const char *p = h;
		bool found = false;

		snprintf(decl, sizeof(decl), "%s(", joule_kfuncs[i].name);
		/* "extern u64 scx_bpf_now(void)", "extern int *bpf_iter_num_next(...)" */
		while (!found && (p = strstr(p + 1, decl)))
			found = p[-1] == ' ' || p[-1] == '*';
		if (!found)
			fail_msg("%s does not declare %s", VMLINUX_H, joule_kfuncs[i].name);
	}
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_on_blobs),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_table_matches_bpf_object),
		cmocka_unit_test(test_6_19_guard_only_on_newer),
		cmocka_unit_test(test_every_optional_call_is_guarded),
		cmocka_unit_test(test_pinned_kernel_has_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
