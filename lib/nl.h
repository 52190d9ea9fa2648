/* SPDX-License-Identifier: GPL-2.0 */
/* One netlink dump request and its answers, for the few kernel lists that
 * libbpf and friends cannot enumerate (tc filters, nft chains). */
#ifndef TPK_NL_H
#define TPK_NL_H

#include <stddef.h>
#include <linux/netlink.h>

/* Called for each answer message; nonzero stops reading early. */
typedef int (*tpk_nl_msg_fn)(const struct nlmsghdr *nh, void *ctx);

/* Send req (a complete request with NLM_F_DUMP) on a new NETLINK_<protocol>
 * socket and feed every answer to fn until NLMSG_DONE. 0, or -errno
 * (including the kernel's own NLMSG_ERROR). */
int tpk_nl_dump(int protocol, const void *req, size_t len, tpk_nl_msg_fn fn, void *ctx);

#endif
