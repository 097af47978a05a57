/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared pieces of the fuzz targets (docs/fuzzing.md). Each fuzz_*.c
 * defines LLVMFuzzerTestOneInput; built with clang's libFuzzer it fuzzes,
 * linked with replay.c it runs the given files once (the regression tests).
 */
#ifndef JOULE_FUZZ_H
#define JOULE_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A fresh directory for this process's scratch files; aborts if none can be made. */
const char *fuzz_tmpdir(void);

/* Replace path's contents with data: 0 or -errno. */
int fuzz_write_file(const char *path, const void *data, size_t size);

/* A read-only stream over data (which may be empty); aborts on failure. */
FILE *fuzz_stream(const uint8_t *data, size_t size);

/*
 * Whether hwloc alone loads the XML file or the sysfs root (exactly one of
 * them non-NULL) without dying, checked by hwloc-probe: inputs that crash hwloc
 * itself (docs/fuzzing.md) are rejected so the fuzzer goes on to find bugs
 * in scx_joule's own code.
 */
bool fuzz_hwloc_survives(const char *xml, const char *root);

/*
 * For an input hwloc dies on: jtopo_load, left to check it, must return
 * -EFAULT and not die (fuzz_fail otherwise).
 */
void fuzz_expect_jtopo_refuses(const char *xml, const char *root);

/*
 * Whether a parser or builder refused its input (ret non-zero); a refusal
 * must say why in err, which the caller empties right before each call (a
 * call that succeeds may leave a warning there): the user would get an
 * error with no words. what names the call.
 */
bool fuzz_refused(int ret, const char *err, const char *what);

/* Stop with a message: what libFuzzer and the replay test report as a finding. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
