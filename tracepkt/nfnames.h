/* SPDX-License-Identifier: GPL-2.0 */
/* Names of netfilter hooks and verdicts, as tracepkt.py printed them:
 * its HOOKNAMES and NF_VERDICT_NAME, "~UNK~" outside them. */
#ifndef TRACEPKT_NFNAMES_H
#define TRACEPKT_NFNAMES_H

const char *tpk_hook_name(unsigned int hook);
const char *tpk_verdict_name(int verdict);

#endif
