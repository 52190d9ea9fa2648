// SPDX-License-Identifier: GPL-2.0
/* Default-route detection against /proc/net/route and ipv6_route text. */
#include <stdio.h>
#include <string.h>

#include "route.h"
#include "tap.h"

static const char v4[] =
"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
"eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
"eth1\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
"eth2\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n";

static const char v6[] =
"20010db8000000010000000000000000 40 00000000000000000000000000000000 00 "
"00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth1\n"
"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
"20010db8000000010000000000000001 00000400 00000002 00000000 00000003     eth1\n"
"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
"00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
"00000000000000000000000000000000 ffffffff 00000001 00000000 00200200     eth3\n";

static int of(const char *dev)
{
	FILE *a = fmemopen((void *)v4, strlen(v4), "r");
	FILE *b = fmemopen((void *)v6, strlen(v6), "r");
	int r = tcdrop_default_route_of(a, b, dev);

	fclose(a);
	fclose(b);
	return r;
}

int main(void)
{
	tap_plan(7);
	tap_is_int(of("eth0"), TCDROP_DEFROUTE_V4, "IPv4 default route via eth0");
	tap_is_int(of("eth1"), TCDROP_DEFROUTE_V6, "IPv6 default via eth1, its IPv4 subnet route ignored");
	tap_is_int(of("eth2"), 0, "IPv4 reject default route does not count");
	tap_is_int(of("eth3"), 0, "IPv6 reject default route does not count");
	tap_is_int(of("lo"), 0, "lo's unreachable default does not count");
	tap_is_int(of("eth"), 0, "a name prefix is not the device");
	tap_is_int(tcdrop_default_route_of(NULL, NULL, "eth0"), 0, "no route files: nothing");
	return tap_exit();
}
