/* SPDX-License-Identifier: GPL-2.0 */
/* Network namespaces, interfaces and bpffs, as the tools see them. */
#ifndef TPK_SYS_H
#define TPK_SYS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define TPK_BPFFS "/sys/fs/bpf"

/* Inode of the calling thread's network namespace, 0 on error. */
uint64_t tpk_netns_self_inode(void);
/* Inode of a network namespace given as a number or an `ip netns` name.
 * 0 or -ENOENT / -EINVAL. */
int tpk_netns_resolve(const char *s, uint64_t *inode);
/* if_nametoindex with a one-line error; -TPK_EINPUT when absent. */
int tpk_ifindex(const char *dev);
/* Make sure a bpffs is mounted at /sys/fs/bpf. `ip netns exec` remounts
 * /sys without it, and pins must outlive the command, so mount one there
 * if needed. 0 or -errno. */
int tpk_bpffs_ensure(void);
/* The bpffs where pins outlive the command, as a path usable from here.
 * Normally TPK_BPFFS (mounted if needed, as tpk_bpffs_ensure). Under
 * `ip netns exec`, whose private /sys has no bpffs, a bpffs mounted there
 * would vanish with the command and take its pins along; so use the one of
 * the nearest ancestor process in another mount namespace, reached through
 * "/proc/PID/root" + TPK_BPFFS. One-line error when there is none.
 * 0 or -errno. */
int tpk_bpffs_persistent(char *buf, size_t len);
/* One line and -EROFS when path (an existing folder, or its nearest
 * existing parent) is on a read-only mount: a command that would change
 * pins asks first, so that it changes nothing rather than half. 0 else. */
int tpk_require_writable(const char *path);
/* mkdir -p below bpffs, mode 0700. */
int tpk_mkdir_p(const char *path);
/* Load a kernel module if it is not loaded yet (modprobe), quietly. 0 when
 * it is there afterwards (or built in). */
int tpk_modprobe(const char *module);
/* Can a kprobe attach at all: libbpf goes through the kprobe PMU, or
 * tracefs' kprobe_events where there is none. Neither: no CONFIG_KPROBES. */
bool tpk_kprobes_usable(void);
/* Whether the kernel or a loaded module has symbol NAME (/proc/kallsyms):
 * kprobes can attach where no BTF describes the function. */
bool tpk_ksym_exists(const char *name);
/* Where kernel function NAME's text starts and ends (/proc/kallsyms, which
 * needs root for addresses): 0, or -errno. */
int tpk_ksym_range(const char *name, uint64_t *start, uint64_t *end);
/* A device name as a bpffs pin name and back: bpffs refuses '.' (eth0.100,
 * the usual VLAN name), a device name never holds ':'. */
void tpk_pin_name(const char *dev, char *out, size_t len, bool decode);
/* Does the network namespace of inode ino still exist: a process in it,
 * or a bind mount of it in our mount namespace? */
bool tpk_netns_alive(uint64_t ino);

#endif
