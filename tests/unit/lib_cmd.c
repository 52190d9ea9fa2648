// SPDX-License-Identifier: GPL-2.0
/* The one exit-status policy: only what the code that judged the input
 * calls the user's fault is 2; an errno, whatever it is, is the system's. */
#include <errno.h>

#include "cmd.h"
#include "util.h"
#include "tap.h"

int main(void)
{
	static const int kernel[] = { EINVAL, ENOENT, EEXIST, ENODEV, ENOSPC, ERANGE, E2BIG,
				      EPERM, EIO, ENOMEM };

	tap_plan(3 + ARRAY_SIZE(kernel));
	tap_is_int(tpk_exit_status(0), 0, "0 is exit 0");
	tap_is_int(tpk_exit_status(-TPK_EINPUT), 2, "the user's input is exit 2");
	tap_ok(TPK_EINPUT > 4095, "TPK_EINPUT is no errno (they end at 4095)");
	for (size_t i = 0; i < ARRAY_SIZE(kernel); i++)
		tap_is_int(tpk_exit_status(-kernel[i]), 1, "a kernel's errno is exit 1, never 2");
	return tap_exit();
}
