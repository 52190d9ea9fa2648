// SPDX-License-Identifier: GPL-2.0
/* xdpblock's commands: rules in and out of the blocklist, the program on
 * and off devices, and what is there. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "defroute.h"
#include "sys.h"
#include "util.h"
#include "commands.h"
#include "links.h"
#include "output.h"
#include "rules.h"
#include "state.h"

/* Rules of add/remove, all parsed before anything changes. */
static int read_rules(const struct xb_cli *c, struct xb_rule **rules, size_t *n)
{
	char err[256];

	if (c->file)
		return xb_rules_read(c->file, rules, n);
	*rules = calloc(1, sizeof(**rules));
	if (!*rules)
		return -ENOMEM;
	if (xb_rule_make(c->arg, c->proto, c->port, c->port_dir, *rules, err, sizeof(err))) {
		tpk_err("%s", err);
		free(*rules);
		*rules = NULL;
		return -TPK_EINPUT;
	}
	*n = 1;
	return 0;
}

static int rules(const struct xb_cli *c, bool add)
{
	struct xb_state s;
	struct xb_rule *rules = NULL;
	size_t n = 0, added = 0, skipped = 0;
	char text[128];
	int err;

	err = read_rules(c, &rules, &n);
	if (err)
		return err;
	err = xb_state_open(&s, add ? XB_CREATE : XB_WRITE);
	if (!err && add)
		err = xb_state_add(&s, rules, n, &added, &skipped);
	else if (!err)
		err = xb_state_remove(&s, rules, n, &added, &skipped);
	xb_state_close(&s);
	if (!err && c->file && add)
		printf("added %zu rules (%zu already present)\n", added, skipped);
	else if (!err && c->file)
		printf("removed %zu rules (%zu repeated)\n", added, skipped);
	else if (!err && skipped && add) {
		xb_rule_str(&rules[0], text, sizeof(text));
		tpk_err("already blocked: %s", text);
	}
	if (!err && add && added)
		xb_port_note(rules, n);
	free(rules);
	return err;
}

int xb_cmd_attach(const struct xb_cli *c)
{
	enum xb_prog prog = XB_PROG_NONE;
	struct xb_state s;
	int err, ifindex;

	/* Before anything is made in bpffs. */
	err = xb_prog_choose(&prog);
	if (err)
		return err;
	ifindex = tpk_ifindex(c->arg);
	if (ifindex < 0)
		return ifindex;
	if (!c->force && tpk_way_out_refuse(c->arg, ifindex))
		return -TPK_EINPUT;
	err = xb_state_open(&s, XB_CREATE);
	if (!err && s.dir_fd >= 0)
		err = tpk_require_writable(s.dir);
	if (!err)
		err = xb_link_attach(&s, c->arg, c->xdp_flags, prog);
	xb_state_close(&s);
	return err;
}

int xb_cmd_detach(const struct xb_cli *c)
{
	struct xb_state s;
	int err;

	err = xb_state_open(&s, XB_WRITE);
	if (!err && s.dir_fd >= 0)
		err = tpk_require_writable(s.dir);
	if (!err)
		err = xb_link_detach(&s, c->arg);
	xb_state_close(&s);
	return err;
}

int xb_cmd_list(const struct xb_cli *c)
{
	struct xb_state s;
	struct xb_row *rows = NULL;
	size_t n = 0;
	int err;

	err = xb_state_open(&s, XB_READ);
	if (!err)
		err = xb_state_rows(&s, &rows, &n);
	xb_state_close(&s);
	if (!err)
		xb_print_rules(stdout, rows, n, c->json);
	free(rows);
	return err ? -EIO : 0;	/* printed; what it read was no input of the user's */
}

int xb_cmd_status(const struct xb_cli *c)
{
	struct xb_status st = { 0 };
	struct xb_link *links = NULL;
	struct xb_row *rows = NULL;
	struct xb_state s;
	size_t n = 0;
	int err;

	err = xb_state_open(&s, XB_READ);
	if (!err)
		err = xb_links(&s, &links, &st.n_links);
	if (!err)
		err = xb_state_rows(&s, &rows, &n);
	if (!err) {
		st.dir = s.dir;
		st.exists = xb_state_has_maps(&s);
		st.links = links;
		for (size_t i = 0; i < n; i++)
			*(rows[i].family == AF_INET ? &st.rules_v4 : &st.rules_v6) += 1;
		xb_state_totals(&s, st.totals);
		xb_print_status(stdout, &st, c->json);
	}
	xb_state_close(&s);
	free(links);
	free(rows);
	return err ? -EIO : 0;
}

int xb_cmd_flush(const struct xb_cli *c)
{
	struct xb_state s;
	int live, err;

	(void)c;
	err = xb_state_open(&s, XB_WRITE);
	if (!err && s.dir_fd >= 0)
		err = tpk_require_writable(s.dir);
	if (!err && s.dir_fd >= 0) {
		live = xb_links_prune(&s);
		err = live < 0 ? live : xb_state_flush(&s, live == 0);
	}
	xb_state_close(&s);
	return err ? -EIO : 0;
}

int xb_cmd_add(const struct xb_cli *c)
{
	return rules(c, true);
}

int xb_cmd_remove(const struct xb_cli *c)
{
	return rules(c, false);
}
