// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#include "sys.h"
#include "util.h"

uint64_t tpk_netns_self_inode(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return 0;
	return st.st_ino;
}

int tpk_netns_resolve(const char *s, uint64_t *inode)
{
	char path[PATH_MAX];
	struct stat st;

	if (!s || !*s)
		return -EINVAL;
	/* A name first: `ip netns add 1234` is a name, though all digits. */
	if (!strchr(s, '/') && strlen(s) <= NAME_MAX) {
		snprintf(path, sizeof(path), "/run/netns/%s", s);
		if (!stat(path, &st)) {
			*inode = st.st_ino;
			return 0;
		}
	}
	if (!tpk_parse_u64(s, 1, UINT64_MAX, (uint64_t *)inode))
		return 0;
	return strchr(s, '/') || strlen(s) > NAME_MAX ? -EINVAL : -ENOENT;
}

int tpk_ifindex(const char *dev)
{
	unsigned int idx;

	if (!dev || !*dev || strlen(dev) >= IF_NAMESIZE) {
		tpk_err("invalid device name '%s'", dev ? dev : "");
		return -TPK_EINPUT;
	}
	idx = if_nametoindex(dev);
	if (!idx) {
		tpk_err("no such device '%s'", dev);
		return -TPK_EINPUT;
	}
	return idx;
}

static int is_bpffs(const char *path)
{
	struct statfs fs;

	return !statfs(path, &fs) && fs.f_type == BPF_FS_MAGIC;
}

int tpk_bpffs_ensure(void)
{
	if (is_bpffs(TPK_BPFFS))
		return 0;
	if (mount("bpf", TPK_BPFFS, "bpf", 0, "mode=0700")) {
		int err = -errno;

		tpk_err_errno(err, "cannot mount bpffs at %s", TPK_BPFFS);
		return err;
	}
	return 0;
}

static int mntns_of(const char *pid, ino_t *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	if (stat(path, &st))
		return -errno;
	*ino = st.st_ino;
	return 0;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd, ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) state ppid": comm may hold spaces and parentheses. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

int tpk_bpffs_persistent(char *buf, size_t len)
{
	char pidstr[32];
	ino_t self = 0, other = 0;
	pid_t pid;

	if (is_bpffs(TPK_BPFFS) || mntns_of("self", &self)) {
		snprintf(buf, len, "%s", TPK_BPFFS);
		return tpk_bpffs_ensure();
	}
	for (pid = getppid(); pid > 0; pid = parent_of(pid)) {
		snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
		if (mntns_of(pidstr, &other) || other == self)
			continue;
		snprintf(buf, len, "/proc/%d/root%s", (int)pid, TPK_BPFFS);
		if (is_bpffs(buf))
			return 0;
		tpk_err("no bpffs at %s outside this mount namespace (ip netns exec hides it); "
			"mount one there first: mount -t bpf bpf %s", TPK_BPFFS, TPK_BPFFS);
		return -ENOENT;
	}
	snprintf(buf, len, "%s", TPK_BPFFS);
	return tpk_bpffs_ensure();
}

int tpk_require_writable(const char *path)
{
	char buf[PATH_MAX], *slash;
	struct statvfs st;

	snprintf(buf, sizeof(buf), "%s", path);
	while (statvfs(buf, &st)) {
		slash = strrchr(buf, '/');
		if (errno != ENOENT || !slash || slash == buf)
			return 0;	/* what comes next says what is wrong */
		*slash = '\0';
	}
	if (!(st.f_flag & ST_RDONLY))
		return 0;
	tpk_err("%s is on a read-only mount: nothing changed", path);
	return -EROFS;
}

int tpk_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static int module_present(const char *module)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s", module);
	return access(path, F_OK) == 0;
}

int tpk_modprobe(const char *module)
{
	pid_t pid;
	int status;

	if (module_present(module))
		return 0;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp("modprobe", "modprobe", "-q", module, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return module_present(module) ? 0 : -ENOENT;
}

bool tpk_kprobes_usable(void)
{
	return !access("/sys/bus/event_source/devices/kprobe", F_OK) ||
	       !access("/sys/kernel/tracing/kprobe_events", F_OK) ||
	       !access("/sys/kernel/debug/tracing/kprobe_events", F_OK);
}

bool tpk_netns_alive(uint64_t ino)
{
	char path[PATH_MAX], line[1024], want[48];
	struct dirent *d;
	struct stat st;
	bool alive = false;
	DIR *dir;
	FILE *f;

	/* A process in it, or a bind mount of it (ip netns, docker, ...). */
	dir = opendir("/proc");
	while (!alive && dir && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", d->d_name);
		alive = !stat(path, &st) && st.st_ino == ino;
	}
	if (dir)
		closedir(dir);
	snprintf(want, sizeof(want), " net:[%llu] ", (unsigned long long)ino);
	f = alive ? NULL : fopen("/proc/self/mountinfo", "re");
	while (f && !alive && fgets(line, sizeof(line), f))
		alive = strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return alive;
}

void tpk_pin_name(const char *dev, char *out, size_t len, bool decode)
{
	size_t i;

	for (i = 0; dev[i] && i + 1 < len; i++)
		out[i] = decode ? (dev[i] == ':' ? '.' : dev[i]) : (dev[i] == '.' ? ':' : dev[i]);
	if (len)
		out[i] = '\0';
}

int tpk_ksym_range(const char *name, uint64_t *start, uint64_t *end)
{
	char line[512], sym[256];
	unsigned long long addr;
	bool found = false;
	int err = -ENOENT;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return -errno;
	/* The kernel's own text is listed in address order: the function
	 * ends where the next symbol starts. */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %*s %255s", &addr, sym) != 2)
			continue;
		if (found) {
			if (addr > *start) {
				*end = addr;
				err = 0;
			}
			break;
		}
		if (!strcmp(sym, name) && addr) {
			*start = addr;
			found = true;
		}
	}
	fclose(f);
	return err;
}

bool tpk_ksym_exists(const char *name)
{
	char line[512], *sym, *save;
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return false;
	/* "ADDR TYPE NAME[\t[MODULE]]": addresses read 0 without privileges,
	 * names never do. */
	while (!found && fgets(line, sizeof(line), f)) {
		if (!strtok_r(line, " ", &save) || !strtok_r(NULL, " ", &save))
			continue;
		sym = strtok_r(NULL, " \t\n", &save);
		found = sym && !strcmp(sym, name);
	}
	fclose(f);
	return found;
}
