# shellcheck shell=bash
# Bash completion for tracepkt, tcdrop, xdpblock and progdump.
#
# One file for the four tools: `make install` puts it in bash-completion's
# completions folder once per command name, so bash-completion's on-demand
# loader finds it whichever tool is typed first. It needs nothing from the
# bash-completion package, so it also works sourced on its own:
#   . completion/tracepkt.bash
# The option lists are written here, not generated: tests/integration/install.t
# checks them against every tool's --help.

# Words of the command line before the cursor that are not options nor their
# arguments, into the array _tpk_args. $1: options that take an argument.
# A "--opt=value" may reach us as "--opt" "=" "value" (COMP_WORDBREAKS).
_tpk_args() {
	local takes=" $1 " i=1 w
	_tpk_args=()
	while [ "$i" -lt "$COMP_CWORD" ]; do
		w=${COMP_WORDS[i]}
		if [ "${COMP_WORDS[i + 1]}" = "=" ]; then
			i=$((i + 3))
			continue
		fi
		case $w in
		--*=*) ;;
		-?*) [[ $takes == *" $w "* ]] && i=$((i + 1)) ;;
		*) _tpk_args+=("$w") ;;
		esac
		i=$((i + 1))
	done
}

# The word being completed and the option it is the argument of, if any,
# into _tpk_cur and _tpk_prev; handles "--opt=val" as one word or three.
_tpk_cur_prev() {
	_tpk_cur=${COMP_WORDS[COMP_CWORD]}
	_tpk_prev=
	[ "$COMP_CWORD" -gt 0 ] && _tpk_prev=${COMP_WORDS[COMP_CWORD - 1]}
	if [ "$_tpk_cur" = "=" ]; then
		_tpk_cur=
	elif [ "$_tpk_prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		_tpk_prev=${COMP_WORDS[COMP_CWORD - 2]}
		return
	fi
	if [ "$_tpk_cur" != "${_tpk_cur#--*=}" ]; then
		_tpk_prev=${_tpk_cur%%=*}
		_tpk_cur=${_tpk_cur#*=}
	elif [ "$_tpk_cur" = "" ] && [ "$_tpk_prev" != "${_tpk_prev%=}" ]; then
		_tpk_prev=${_tpk_prev%=}
	fi
}

_tpk_reply() { mapfile -t COMPREPLY < <(compgen "$@" -- "$_tpk_cur"); }
_tpk_devices() { _tpk_reply -W "$(command ls /sys/class/net 2>/dev/null)"; }
_tpk_netns() { _tpk_reply -W "$(command ls /run/netns 2>/dev/null)"; }

_tpk_tracepkt() {
	local _tpk_cur _tpk_prev
	local points="netif_rx net_dev_queue napi_gro_receive_entry netif_receive_skb_entry
		netif_receive_skb net_dev_start_xmit net_dev_xmit netif_rx_entry"
	_tpk_cur_prev
	case $_tpk_prev in
	--nf-backend) _tpk_reply -W "auto fexit kprobe nfhook off"; return ;;
	-p | --proto) _tpk_reply -W "icmp tcp udp any"; return ;;
	-n | --netns) _tpk_netns; return ;;
	-i | --ifname) _tpk_devices; return ;;
	--points)
		case $_tpk_cur in
		[+-]*)
			local p=${_tpk_cur:0:1} c=${_tpk_cur:1}
			mapfile -t COMPREPLY < <(compgen -P "$p" -W "$points" -- "$c") ;;
		*) _tpk_reply -W "help $points" ;;
		esac
		return ;;
	-c | --count | -H | --host | -P | --port | --ringbuf-size | -W | --wait | -s | --size) return ;;
	esac
	case $_tpk_cur in
	-*) _tpk_reply -W "-a --all -c --count -p --proto -H --host -P --port -n --netns
		-i --ifname --points --nf-backend --drops --no-track -j --json --raw-tracepoints --probe
		-T --timestamp --ringbuf-size -W --wait -s --size -4 --ipv4 -6 --ipv6 -v --verbose
		--help --usage -V --version" ;;
	esac
}

_tpk_tcdrop() {
	local _tpk_cur _tpk_prev _tpk_args
	_tpk_cur_prev
	case $_tpk_prev in
	-p | --proto) _tpk_reply -W "icmp tcp udp icmpv6 sctp any"; return ;;
	-s | --src | -d | --dst | -P | --port | --sport | --dport) return ;;
	esac
	_tpk_args "-p --proto -s --src -d --dst -P --port --sport --dport"
	case $_tpk_cur in
	-*)
		case ${_tpk_args[0]} in
		attach) _tpk_reply -W "--ingress -e --egress -b --both -p --proto -s --src
			-d --dst -P --port --sport --dport --legacy --force -v --verbose" ;;
		detach) _tpk_reply -W "--ingress -e --egress -b --both -v --verbose" ;;
		status) _tpk_reply -W "-j --json -v --verbose" ;;
		*) _tpk_reply -W "--ingress -e --egress -b --both -p --proto -s --src
			-d --dst -P --port --sport --dport --legacy --force -j --json -v --verbose
			--help --usage -V --version" ;;
		esac
		return ;;
	esac
	case ${#_tpk_args[@]} in
	0) _tpk_reply -W "attach detach status" ;;
	1) _tpk_devices ;;
	esac
}

_tpk_xdpblock() {
	local _tpk_cur _tpk_prev _tpk_args
	_tpk_cur_prev
	case $_tpk_prev in
	-m | --mode) _tpk_reply -W "native skb"; return ;;
	-p | --proto) _tpk_reply -W "tcp udp sctp icmp icmpv6 any"; return ;;
	-f | --file) _tpk_reply -f; [ -z "$_tpk_cur" ] && COMPREPLY+=(-); return ;;
	-P | --port | --dport | --sport) return ;;
	esac
	_tpk_args "-m --mode -p --proto -P --port --dport --sport -f --file"
	case $_tpk_cur in
	-*)
		case ${_tpk_args[0]} in
		attach) _tpk_reply -W "-m --mode --force -v --verbose" ;;
		add | remove) _tpk_reply -W "-p --proto -P --port --dport --sport -f --file -v --verbose" ;;
		list | status) _tpk_reply -W "-j --json -v --verbose" ;;
		detach | flush) _tpk_reply -W "-v --verbose" ;;
		*) _tpk_reply -W "-m --mode --force -p --proto -P --port --dport --sport -f --file
			-j --json -v --verbose --help --usage -V --version" ;;
		esac
		return ;;
	esac
	case ${#_tpk_args[@]} in
	0) _tpk_reply -W "attach detach add remove list flush status" ;;
	1) case ${_tpk_args[0]} in attach | detach) _tpk_devices ;; esac ;;
	esac
}

_tpk_progdump() {
	local _tpk_cur _tpk_prev _tpk_args
	_tpk_cur_prev
	case $_tpk_prev in
	-y | --linktype) _tpk_reply -W "EN10MB RAW LINUX_SLL LINUX_SLL2 NULL LOOP IEEE802_11"; return ;;
	-i | --interface) _tpk_devices; return ;;
	-s | --snaplen) return ;;
	esac
	_tpk_args "-y --linktype -i --interface -s --snaplen"
	case $_tpk_cur in
	-*) _tpk_reply -W "-j --json -p --pretty -f --bpffs -y --linktype -i --interface
		-s --snaplen -O --no-optimize -v --verbose --help --usage -V --version"
		return ;;
	esac
	local n=${#_tpk_args[@]}
	[ "$n" -eq 0 ] && { _tpk_reply -W "list show dump cbpf"; return; }
	case ${_tpk_args[0]} in
	show) [ "$n" -eq 1 ] && _tpk_reply -W "id name tag pinned" ;;
	dump)
		if [ "$n" -eq 1 ]; then
			_tpk_reply -W "xlated"
		elif [ "$n" -eq 2 ]; then
			_tpk_reply -W "id name tag pinned"
		elif [ "$n" -ge 4 ]; then
			_tpk_reply -W "opcodes linum visual"
		fi ;;
	esac
	[ "${_tpk_args[n - 1]}" = pinned ] && _tpk_reply -f
}

complete -F _tpk_tracepkt tracepkt
complete -F _tpk_tcdrop tcdrop
complete -F _tpk_xdpblock xdpblock
complete -F _tpk_progdump progdump
