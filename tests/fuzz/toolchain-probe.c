// SPDX-License-Identifier: GPL-2.0-only
/* meson links this with -fsanitize=fuzzer,address,undefined to see whether the fuzzers can be
 * built. */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return data && size > 1 && data[0] == 'x' ? 0 : 0;
}
