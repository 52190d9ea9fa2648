// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns.h"

struct ns_ref {
	dev_t dev;
	ino_t ino;
	char path[64];
};

static int ns_add(struct ns_ref **list, int *n, const char *path)
{
	struct stat st;
	struct ns_ref *grown;

	if (stat(path, &st))
		return 0;
	for (int i = 0; i < *n; i++)
		if ((*list)[i].dev == st.st_dev && (*list)[i].ino == st.st_ino)
			return 0;
	grown = realloc(*list, (*n + 1) * sizeof(**list));
	if (!grown)
		return -ENOMEM;
	*list = grown;
	grown[*n].dev = st.st_dev;
	grown[*n].ino = st.st_ino;
	snprintf(grown[*n].path, sizeof(grown[*n].path), "%s", path);
	(*n)++;
	return 0;
}

static int ns_list(struct ns_ref **list, int *n)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;
	int err = ns_add(list, n, "/proc/self/ns/net");

	dir = opendir("/run/netns");
	while (!err && dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", d->d_name);
		err = ns_add(list, n, path);
	}
	if (dir)
		closedir(dir);
	dir = opendir("/proc");
	while (!err && dir && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", d->d_name);
		err = ns_add(list, n, path);
	}
	if (dir)
		closedir(dir);
	return err;
}

/* A namespace whose process has gone since the list was made is skipped. */
static int in_netns(const struct ns_ref *ns, int (*fn)(uint64_t netns, void *ctx), void *ctx)
{
	int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return 0;
	if (setns(fd, CLONE_NEWNET))
		err = -errno;
	close(fd);
	return err ? err : fn(ns->ino, ctx);
}

int tpk_netns_each(int (*fn)(uint64_t netns, void *ctx), void *ctx)
{
	struct ns_ref *list = NULL;
	int n = 0, self, err;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	err = ns_list(&list, &n);
	for (int i = 0; !err && i < n; i++)
		err = in_netns(&list[i], fn, ctx);
	if (setns(self, CLONE_NEWNET) && !err)
		err = -errno;
	close(self);
	free(list);
	return err;
}
