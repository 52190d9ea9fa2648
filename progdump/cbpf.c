// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <pcap/pcap.h>
#include <linux/filter.h>

#include "cbpf.h"
#include "util.h"

static const char *ancillary_name(unsigned int off)
{
	switch (off) {
	case SKF_AD_PROTOCOL: return "proto";
	case SKF_AD_PKTTYPE: return "type";
	case SKF_AD_IFINDEX: return "ifidx";
	case SKF_AD_NLATTR: return "nla";
	case SKF_AD_NLATTR_NEST: return "nlan";
	case SKF_AD_MARK: return "mark";
	case SKF_AD_QUEUE: return "queue";
	case SKF_AD_HATYPE: return "hatype";
	case SKF_AD_RXHASH: return "rxhash";
	case SKF_AD_CPU: return "cpu";
	case SKF_AD_VLAN_TAG: return "vlan_tci";
	case SKF_AD_VLAN_TAG_PRESENT: return "vlanp";
	}
	return NULL;
}

/* Operand spellings per opcode; k prints in decimal for arithmetic and in
 * hex for bit operations and comparisons, as tcpdump does. */
void pd_cbpf_format(char *buf, size_t size, const void *insn, int n)
{
	const struct bpf_insn *in = insn;
	const char *op, *fmt = NULL;
	char operand[64] = "";
	unsigned int k = in->k;

	switch (in->code) {
	case BPF_RET | BPF_K: op = "ret"; fmt = "#%d"; break;
	case BPF_RET | BPF_A: op = "ret"; break;
	case BPF_LD | BPF_W | BPF_ABS: op = "ld"; fmt = "[%d]"; break;
	case BPF_LD | BPF_H | BPF_ABS: op = "ldh"; fmt = "[%d]"; break;
	case BPF_LD | BPF_B | BPF_ABS: op = "ldb"; fmt = "[%d]"; break;
	case BPF_LD | BPF_W | BPF_LEN: op = "ld"; fmt = "#pktlen"; break;
	case BPF_LDX | BPF_W | BPF_LEN: op = "ldx"; fmt = "#pktlen"; break;
	case BPF_LD | BPF_W | BPF_IND: op = "ld"; fmt = "[x + %d]"; break;
	case BPF_LD | BPF_H | BPF_IND: op = "ldh"; fmt = "[x + %d]"; break;
	case BPF_LD | BPF_B | BPF_IND: op = "ldb"; fmt = "[x + %d]"; break;
	case BPF_LD | BPF_IMM: op = "ld"; fmt = "#0x%x"; break;
	case BPF_LDX | BPF_IMM: op = "ldx"; fmt = "#0x%x"; break;
	case BPF_LDX | BPF_MSH | BPF_B: op = "ldxb"; fmt = "4*([%d]&0xf)"; break;
	case BPF_LD | BPF_MEM: op = "ld"; fmt = "M[%d]"; break;
	case BPF_LDX | BPF_MEM: op = "ldx"; fmt = "M[%d]"; break;
	case BPF_ST: op = "st"; fmt = "M[%d]"; break;
	case BPF_STX: op = "stx"; fmt = "M[%d]"; break;
	case BPF_JMP | BPF_JA: op = "ja"; fmt = "%d"; k = n + 1 + in->k; break;
	case BPF_JMP | BPF_JGT | BPF_K: op = "jgt"; fmt = "#0x%x"; break;
	case BPF_JMP | BPF_JGE | BPF_K: op = "jge"; fmt = "#0x%x"; break;
	case BPF_JMP | BPF_JEQ | BPF_K: op = "jeq"; fmt = "#0x%x"; break;
	case BPF_JMP | BPF_JSET | BPF_K: op = "jset"; fmt = "#0x%x"; break;
	case BPF_JMP | BPF_JGT | BPF_X: op = "jgt"; fmt = "x"; break;
	case BPF_JMP | BPF_JGE | BPF_X: op = "jge"; fmt = "x"; break;
	case BPF_JMP | BPF_JEQ | BPF_X: op = "jeq"; fmt = "x"; break;
	case BPF_JMP | BPF_JSET | BPF_X: op = "jset"; fmt = "x"; break;
	case BPF_ALU | BPF_ADD | BPF_X: op = "add"; fmt = "x"; break;
	case BPF_ALU | BPF_SUB | BPF_X: op = "sub"; fmt = "x"; break;
	case BPF_ALU | BPF_MUL | BPF_X: op = "mul"; fmt = "x"; break;
	case BPF_ALU | BPF_DIV | BPF_X: op = "div"; fmt = "x"; break;
	case BPF_ALU | BPF_MOD | BPF_X: op = "mod"; fmt = "x"; break;
	case BPF_ALU | BPF_AND | BPF_X: op = "and"; fmt = "x"; break;
	case BPF_ALU | BPF_OR | BPF_X: op = "or"; fmt = "x"; break;
	case BPF_ALU | BPF_XOR | BPF_X: op = "xor"; fmt = "x"; break;
	case BPF_ALU | BPF_LSH | BPF_X: op = "lsh"; fmt = "x"; break;
	case BPF_ALU | BPF_RSH | BPF_X: op = "rsh"; fmt = "x"; break;
	case BPF_ALU | BPF_ADD | BPF_K: op = "add"; fmt = "#%d"; break;
	case BPF_ALU | BPF_SUB | BPF_K: op = "sub"; fmt = "#%d"; break;
	case BPF_ALU | BPF_MUL | BPF_K: op = "mul"; fmt = "#%d"; break;
	case BPF_ALU | BPF_DIV | BPF_K: op = "div"; fmt = "#%d"; break;
	case BPF_ALU | BPF_MOD | BPF_K: op = "mod"; fmt = "#%d"; break;
	case BPF_ALU | BPF_AND | BPF_K: op = "and"; fmt = "#0x%x"; break;
	case BPF_ALU | BPF_OR | BPF_K: op = "or"; fmt = "#0x%x"; break;
	case BPF_ALU | BPF_XOR | BPF_K: op = "xor"; fmt = "#0x%x"; break;
	case BPF_ALU | BPF_LSH | BPF_K: op = "lsh"; fmt = "#%d"; break;
	case BPF_ALU | BPF_RSH | BPF_K: op = "rsh"; fmt = "#%d"; break;
	case BPF_ALU | BPF_NEG: op = "neg"; break;
	case BPF_MISC | BPF_TAX: op = "tax"; break;
	case BPF_MISC | BPF_TXA: op = "txa"; break;
	default:
		op = "unimp";
		fmt = "0x%x";
		k = in->code;
	}
	/* Linux ancillary loads (what libpcap emits for vlan on a live
	 * Linux handle) by name. */
	if (BPF_CLASS(in->code) == BPF_LD && BPF_MODE(in->code) == BPF_ABS &&
	    in->k >= (unsigned int)SKF_AD_OFF) {
		const char *ext = ancillary_name(in->k - (unsigned int)SKF_AD_OFF);

		if (ext) {
			snprintf(operand, sizeof(operand), "[%s]", ext);
			fmt = NULL;
		}
	}
	if (fmt) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(operand, sizeof(operand), fmt, k);
#pragma GCC diagnostic pop
	}
	if (BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) != BPF_JA)
		snprintf(buf, size, "(%03d) %-8s %-16s jt %d\tjf %d", n, op, operand,
			 n + 1 + in->jt, n + 1 + in->jf);
	else
		snprintf(buf, size, "(%03d) %-8s %s", n, op, operand);
}

int pd_cbpf_linktype(const char *name)
{
	uint64_t v;

	if (!tpk_parse_u64(name, 0, 65535, &v))
		return (int)v;
	return pcap_datalink_name_to_val(name);
}

int pd_cbpf_dump(const char *expr, const char *ifname, int linktype, int snaplen, bool optimize)
{
	char line[256], ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	pcap_t *p;
	u_int i;

	if (ifname) {
		/* tcpdump -i IF -d: a live handle makes libpcap emit Linux
		 * ancillary loads for vlan. tcpdump -d compiles with netmask
		 * 0 here too. */
		int act;

		p = pcap_create(ifname, ebuf);
		if (p && pcap_set_snaplen(p, snaplen) == 0 && (act = pcap_activate(p)) < 0) {
			tpk_err("can't open %s: %s", ifname, pcap_geterr(p));
			pcap_close(p);
			/* No such device is a bad argument; a refusal (not root) is
			 * the system saying no. */
			return act == PCAP_ERROR_NO_SUCH_DEVICE ? TPK_EXIT_USAGE : TPK_EXIT_FAIL;
		}
	} else {
		/* tcpdump -r FILE -d: the file's link type, netmask 0. */
		p = pcap_open_dead(linktype, snaplen);
	}
	if (!p) {
		tpk_err("can't open a pcap handle: %s", ebuf[0] ? ebuf : "out of memory");
		return TPK_EXIT_FAIL;
	}
	if (pcap_compile(p, &prog, expr, optimize, 0) < 0) {
		tpk_err("bad filter '%s': %s", expr, pcap_geterr(p));
		pcap_close(p);
		return TPK_EXIT_USAGE;
	}
	for (i = 0; i < prog.bf_len; i++) {
		pd_cbpf_format(line, sizeof(line), &prog.bf_insns[i], (int)i);
		printf("%s\n", line);
	}
	pcap_freecode(&prog);
	pcap_close(p);
	return TPK_EXIT_OK;
}
