/* SPDX-License-Identifier: GPL-2.0 */
/* `dump xlated ... visual`: the control-flow graph as DOT, one cluster per
 * function, in the layout bpftool 7.5 prints. */
#ifndef PD_CFG_H
#define PD_CFG_H

#include "xlated.h"

/* Returns 0, or -ENOMEM. */
int pd_dump_cfg(struct pd_dump *d);

#endif
