/* SPDX-License-Identifier: GPL-2.0 */
/* Where attachments live in bpffs:
 *   BPFFS/tcdrop/NETNS/IFNAME-IFINDEX-DIR/{info,counters,link|prog}
 * NETNS is the namespace inode, since ifindexes repeat across namespaces. */
#ifndef TCDROP_STORE_H
#define TCDROP_STORE_H

#include <limits.h>
#include <stdint.h>

#include "tcdrop.h"

struct tcdrop_entry {
	char path[PATH_MAX];		/* the entry's folder */
	struct tcdrop_info info;
};

/* Find the persistent bpffs and this namespace's folder. 0 or -errno. */
int tcdrop_store_open(void);
/* Folder of this namespace's entries (valid after tcdrop_store_open). */
const char *tcdrop_store_dir(void);
void tcdrop_entry_path(char *buf, size_t len, const char *ifname, uint32_t ifindex, int dir);
/* Entries of this namespace, sorted by ifindex then direction; *out is
 * malloc'ed. Entries without a readable info map are skipped. Count or -errno. */
int tcdrop_store_list(struct tcdrop_entry **out);
/* Read/write an entry's pinned info map. 0 or -errno. */
int tcdrop_info_read(const char *entry, struct tcdrop_info *info);
int tcdrop_info_write(const char *entry, const struct tcdrop_info *info);
/* Remove the entry's pins and folder, then the namespace and tcdrop
 * folders if they became empty. 0 or -errno. */
int tcdrop_store_remove(const char *entry);
/* Remove the entries of namespaces that no longer exist (nothing else can
 * reach them); how many. Under the lock. */
int tcdrop_store_prune(void);
/* Serialise attach/detach between concurrent tcdrop commands. */
int tcdrop_lock(void);

#endif
