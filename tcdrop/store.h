/* SPDX-License-Identifier: GPL-2.0 */
/* Where attachments live in bpffs:
 *   BPFFS/tcdrop/NETNS/IFNAME-IFINDEX-DIR/{info,counters,link|prog}
 * NETNS is the namespace inode, since ifindexes repeat across namespaces. */
#ifndef TCDROP_STORE_H
#define TCDROP_STORE_H

#include <limits.h>
#include <stdbool.h>
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
 * malloc'ed. Hidden entries and those without a readable info map are
 * skipped. Count or -errno. */
int tcdrop_store_list(struct tcdrop_entry **out);
/* Read/write an entry's pinned info map. 0 or -errno. */
int tcdrop_info_read(const char *entry, struct tcdrop_info *info);
int tcdrop_info_write(const char *entry, const struct tcdrop_info *info);
/* The entry's folder while an attach builds it or a detach takes it
 * apart: "NAME~" beside NAME, which always ends in "ingress" or "egress".
 * Only a command in progress, or killed, leaves one. */
void tcdrop_entry_hidden(const char *entry, char *buf, size_t len);
/* rename(2): the one step that makes an attachment appear or disappear. */
int tcdrop_store_rename(const char *from, const char *to);
/* Call fn for every entry of this namespace that is not a whole attachment:
 * a hidden one, or one without its info map (info is then NULL) or without
 * its link or prog pin. Under the lock, only a killed command leaves those.
 * How many, or -errno. */
typedef void (*tcdrop_partial_fn)(const char *entry, const struct tcdrop_info *info, void *ctx);
int tcdrop_store_each_partial(tcdrop_partial_fn fn, void *ctx);
/* Remove the entry's pins and folder, then the namespace and tcdrop
 * folders if they became empty. 0 or -errno. */
int tcdrop_store_remove(const char *entry);
/* Remove the entries of namespaces that no longer exist (nothing else can
 * reach them); how many. Under the lock. */
int tcdrop_store_prune(void);
/* Serialise tcdrop commands (any namespace): a lock on BPFFS/tcdrop, made
 * first with create, held until exit (none when there is no folder and
 * create is false: nothing to protect). 0 or -errno (printed). */
int tcdrop_lock(bool create);

#endif
