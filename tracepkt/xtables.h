/* SPDX-License-Identifier: GPL-2.0 */
/* Legacy iptables tables: their names from /proc/net/ip{,6}_tables_names,
 * their hooks and priorities from what each table always registers. */
#ifndef TRACEPKT_XTABLES_H
#define TRACEPKT_XTABLES_H

#include "hookorder.h"

/* Append legacy iptables tables of family pf, one entry per hook. */
int tpk_xt_tables(int pf, struct tpk_nf_entries *l);

#endif
