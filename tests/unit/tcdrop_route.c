// SPDX-License-Identifier: GPL-2.0
/* The default-route guard's reading of rtnetlink route messages, built
 * here as the kernel sends them. */
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "defroute.h"
#include "tap.h"

static union {
	struct nlmsghdr h;
	char b[1024];
} msg;

static struct rtmsg *route(int family, unsigned char dst_len, unsigned char type, unsigned char table)
{
	struct rtmsg *r;

	memset(&msg, 0, sizeof(msg));
	msg.h.nlmsg_type = RTM_NEWROUTE;
	msg.h.nlmsg_len = NLMSG_LENGTH(sizeof(*r));
	r = NLMSG_DATA(&msg.h);
	r->rtm_family = family;
	r->rtm_dst_len = dst_len;
	r->rtm_type = type;
	r->rtm_table = table;
	return r;
}

static void *attr(unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(msg.b + NLMSG_ALIGN(msg.h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	msg.h.nlmsg_len = NLMSG_ALIGN(msg.h.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return RTA_DATA(a);
}

static void oif(int ifindex)
{
	attr(RTA_OIF, &ifindex, 4);
}

/* The devices found, as "IFINDEX:FAMS ...". */
static const char *found(void)
{
	static char out[128];
	struct tpk_ifset s = { 0 };
	size_t n = 0;

	tpk_route_devices(&msg.h, NULL, &s);
	out[0] = '\0';
	for (int i = 0; i < s.n; i++)
		n += snprintf(out + n, sizeof(out) - n, "%s%d:%d", i ? " " : "", s.v[i].ifindex, s.v[i].fams);
	return out;
}

int main(void)
{
	struct rtnexthop hops[2] = {
		{ .rtnh_len = sizeof(struct rtnexthop), .rtnh_ifindex = 5 },
		{ .rtnh_len = sizeof(struct rtnexthop), .rtnh_ifindex = 6 },
	};
	unsigned int table = 100;

	tap_plan(9);
	route(AF_INET, 0, RTN_UNICAST, RT_TABLE_MAIN);
	oif(2);
	tap_is_str(found(), "2:1", "IPv4 default route");
	route(AF_INET, 1, RTN_UNICAST, RT_TABLE_MAIN);
	oif(3);
	tap_is_str(found(), "3:1", "half of the world (0/1 or 128/1, a split default)");
	route(AF_INET, 8, RTN_UNICAST, RT_TABLE_MAIN);
	oif(4);
	tap_is_str(found(), "", "a /8 is not a way out");
	route(AF_INET, 0, RTN_UNICAST, RT_TABLE_MAIN);
	attr(RTA_MULTIPATH, hops, sizeof(hops));
	tap_is_str(found(), "5:1 6:1", "multipath default: every hop's device");
	route(AF_INET, 0, RTN_UNICAST, RT_TABLE_LOCAL);
	oif(2);
	tap_is_str(found(), "", "the local table holds no way out");
	route(AF_INET, 0, RTN_UNREACHABLE, RT_TABLE_MAIN);
	oif(2);
	tap_is_str(found(), "", "an unreachable default is none");
	route(AF_INET6, 0, RTN_UNICAST, RT_TABLE_MAIN);
	oif(7);
	tap_is_str(found(), "7:2", "IPv6 default route");
	route(AF_INET, 0, RTN_UNICAST, RT_TABLE_COMPAT);
	attr(RTA_TABLE, &table, 4);
	oif(8);
	tap_is_str(found(), "8:1", "a default in table 100 (ip rule may pick it)");
	tap_ok(tpk_route_is_way_out(0, RTN_UNICAST, 254) && !tpk_route_is_way_out(2, RTN_UNICAST, 254),
	       "0/0 and 0/1 are ways out, a /2 is not");
	return tap_exit();
}
