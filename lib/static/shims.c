// SPDX-License-Identifier: GPL-2.0
/* Linked only into STATIC=1 builds: symbols that Debian's static libraries
 * ask for and no static library provides.
 *
 * libelf.a of elfutils 0.192 (bookworm-backports) calls its search-tree
 * helpers, which live in elfutils' internal libeu and did not make it into
 * the archive. elfutils is built there without thread safety, so its tree is
 * a bare root pointer (no lock), and the helpers are tsearch(3) and friends.
 * An archive that carries them is not affected: these definitions come first,
 * so the linker never pulls its copies in.
 *
 * libpcap.a pulls in its D-Bus capture source, and libdbus-1.a asks for
 * systemd's socket activation, which only a D-Bus server uses: no tool here
 * is one (progdump never opens a D-Bus capture), and there is no static
 * libsystemd. Answer "no sockets were passed", as outside systemd. */
#include <errno.h>
#include <search.h>
#include <stdlib.h>

struct eu_tree {
	void *root;
};

void eu_search_tree_init(struct eu_tree *tree);
void eu_search_tree_fini(struct eu_tree *tree, void (*free_node)(void *));
void *eu_tsearch(const void *key, struct eu_tree *tree, int (*cmp)(const void *, const void *));
void *eu_tfind(const void *key, struct eu_tree *tree, int (*cmp)(const void *, const void *));
void *eu_tdelete(const void *key, struct eu_tree *tree, int (*cmp)(const void *, const void *));
int sd_listen_fds(int unset_environment);
int sd_is_socket(int fd, int family, int type, int listening);

void eu_search_tree_init(struct eu_tree *tree)
{
	tree->root = NULL;
}

static void keep_node(void *node)
{
	(void)node;
}

void eu_search_tree_fini(struct eu_tree *tree, void (*free_node)(void *))
{
	tdestroy(tree->root, free_node ? free_node : keep_node);
	tree->root = NULL;
}

void *eu_tsearch(const void *key, struct eu_tree *tree, int (*cmp)(const void *, const void *))
{
	return tsearch(key, &tree->root, cmp);
}

void *eu_tfind(const void *key, struct eu_tree *tree, int (*cmp)(const void *, const void *))
{
	return tfind(key, &tree->root, cmp);
}

void *eu_tdelete(const void *key, struct eu_tree *tree, int (*cmp)(const void *, const void *))
{
	return tdelete(key, &tree->root, cmp);
}

int sd_listen_fds(int unset_environment)
{
	(void)unset_environment;
	return 0;
}

int sd_is_socket(int fd, int family, int type, int listening)
{
	(void)fd; (void)family; (void)type; (void)listening;
	return -ENOSYS;
}
