/* SPDX-License-Identifier: GPL-2.0 */
/* What every libFuzzer harness needs: the input as a C string, as argv and
 * files hand it to the tools. */
#ifndef TPK_FUZZ_H
#define TPK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy (a NUL inside ends the string early, as in argv);
 * its own allocation, so ASan sees a read one past the end. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
