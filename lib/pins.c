// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pins.h"
#include "sys.h"
#include "util.h"

int tpk_lock_dir(const char *dir, bool create, int *fd_out)
{
	*fd_out = -1;
	for (;;) {
		struct stat a, b;
		int fd, err;

		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			err = tpk_mkdir_p(dir);
			if (err) {
				tpk_err_errno(err, "cannot make %s", dir);
				return err;
			}
			continue;
		}
		if (fd < 0) {
			if (errno == ENOENT)
				return 0;
			err = -errno;
			tpk_err_errno(err, "cannot open %s", dir);
			return err;
		}
		if (flock(fd, LOCK_EX)) {
			err = -errno;
			close(fd);
			tpk_err_errno(err, "cannot lock %s", dir);
			return err;
		}
		/* The holder before us may have removed it: lock the one there now. */
		if (!fstat(fd, &a) && !stat(dir, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			*fd_out = fd;
			return 0;
		}
		close(fd);
	}
}

int tpk_percpu_sum(int map_fd, const void *key, size_t n, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	uint64_t *v;

	memset(out, 0, n * sizeof(*out));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu * n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, key, v))
		err = -errno;
	for (int c = 0; !err && c < ncpu; c++)
		for (size_t f = 0; f < n; f++)
			out[f] += v[(size_t)c * n + f];
	free(v);
	return err;
}
