// SPDX-License-Identifier: GPL-2.0
/* /proc/net/{route,ipv6_route} are per network namespace and need no
 * netlink code; the main table (IPv4) or every table (IPv6) is enough to
 * tell "this device is how the namespace reaches the world". */
#include <stdbool.h>
#include <string.h>

#include "route.h"

#define RTF_UP_		0x0001
#define RTF_REJECT_	0x0200

static bool v4_default(FILE *f, const char *dev)
{
	char line[512], ifname[64];
	unsigned int dst, gw, flags, mask;

	if (!f || !fgets(line, sizeof(line), f))	/* header */
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %x %x %x %*d %*d %*d %x", ifname, &dst, &gw, &flags,
			   &mask) != 5)
			continue;
		if (!dst && !mask && (flags & RTF_UP_) && !(flags & RTF_REJECT_) &&
		    !strcmp(ifname, dev))
			return true;
	}
	return false;
}

static bool v6_default(FILE *f, const char *dev)
{
	char line[512], dst[64], ifname[64];
	unsigned int plen, flags;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %x %*s %*x %*s %*x %*x %*x %x %63s", dst, &plen, &flags,
			   ifname) != 4)
			continue;
		if (plen || strspn(dst, "0") != strlen(dst) || (flags & RTF_REJECT_))
			continue;
		if (!strcmp(ifname, dev))
			return true;
	}
	return false;
}

int tcdrop_default_route_of(FILE *v4, FILE *v6, const char *dev)
{
	return (v4_default(v4, dev) ? TCDROP_DEFROUTE_V4 : 0) |
	       (v6_default(v6, dev) ? TCDROP_DEFROUTE_V6 : 0);
}

int tcdrop_default_route(const char *dev)
{
	FILE *v4 = fopen("/proc/net/route", "re");
	FILE *v6 = fopen("/proc/net/ipv6_route", "re");
	int ret = tcdrop_default_route_of(v4, v6, dev);

	if (v4)
		fclose(v4);
	if (v6)
		fclose(v6);
	return ret;
}
