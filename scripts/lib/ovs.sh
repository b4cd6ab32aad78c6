# shellcheck shell=bash
# scripts/lib/ovs.sh — the lab's DPDK switch as Open vSwitch with the DPDK
# datapath (scripts/lab dpdk start NAME wire --switch ovs): ovsdb-server and
# ovs-vswitchd-dpdk inside the lab's namespace, bridge br-dpdk with two
# dpdkvhostuserclient ports and a flow each way. Sourced by dpdk.sh, in whose
# directory layout it lives: the database, its sockets and OVS's logs go to
# /run/skiff-lab/NAME/ovs; the ports' sockets, pid, log, hugetlbfs mount and
# counters where testpmd's would be.

OVS_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
OVS_PAGES=128		# its mbuf pool shrinks to fit: 256 MiB is enough here

ovs_need_tools() {
	[ -x "$OVS_VSWITCHD" ] ||
		die "$OVS_VSWITCHD not found; install it with: apt-get install openvswitch-switch-dpdk"
	local tool
	for tool in ovsdb-tool ovsdb-server ovs-vsctl ovs-ofctl ovs-appctl; do
		command -v "$tool" >/dev/null 2>&1 ||
			die "$tool not found; install it with: apt-get install openvswitch-switch-dpdk"
	done
}

ovs_vsctl() {	# dir args...
	local dir=$1
	shift
	OVS_RUNDIR=$dir/ovs ovs-vsctl --db="unix:$dir/ovs/db.sock" --timeout=20 "$@"
}

# Frames and bytes of the flow that takes what arrives on OpenFlow port N.
ovs_flow() {	# dir ofport
	OVS_RUNDIR=$1/ovs ovs-ofctl dump-flows br-dpdk "in_port=$2" |
		sed -n 's/.* n_packets=\([0-9]*\), n_bytes=\([0-9]*\),.*/\1 \2/p'
}

# The frames OVS could not send out of a port (a full guest ring, MTU, QoS):
# the ovs_tx_*_drops, which OVS keeps when the guest goes (its other
# statistics of a vhost port exist only while a guest is attached).
ovs_tx_drops() {	# dir port
	ovs_vsctl "$1" get Interface "$2" statistics | tr -d '{}' | tr ',' '\n' |
		awk -F= '$1 ~ /ovs_tx_.*drops/ { n += $2 } END { print n + 0 }'
}

ovs_start() {	# name dir pages cores
	local name=$1 dir=$2 pages=$3 cores=$4 d=$2/ovs pid i main pmd
	ovs_need_tools
	[[ "$cores" =~ ^([0-9]+),([0-9]+)$ ]] ||
		dpdk_die_usage "--switch ovs wants --cores MAIN,PMD (two CPU numbers), not '$cores'"
	main=$(printf '0x%x' $((1 << BASH_REMATCH[1]))) pmd=$(printf '0x%x' $((1 << BASH_REMATCH[2])))
	mkdir -p "$d"
	ovsdb-tool create "$d/conf.db" "$OVS_SCHEMA" || die "ovsdb-tool cannot create $d/conf.db"
	OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d setsid ip netns exec "$name" ovsdb-server "$d/conf.db" \
		--remote="punix:$d/db.sock" --pidfile="$d/ovsdb-server.pid" --unixctl="$d/ovsdb-server.ctl" \
		--log-file="$d/ovsdb-server.log" </dev/null >/dev/null 2>&1 &
	for ((i = 0; i < 100; i++)); do
		[ -S "$d/db.sock" ] && break
		sleep 0.1
	done
	[ -S "$d/db.sock" ] || die "ovsdb-server did not start (its log: $d/ovsdb-server.log)"
	# OVS passes --in-memory to EAL, which --no-huge (legacy memory) refuses:
	# OVS-DPDK needs hugepages.
	ovs_vsctl "$dir" --no-wait init
	ovs_vsctl "$dir" --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		"other_config:dpdk-extra=--no-pci --huge-dir $dir/huge" \
		"other_config:dpdk-socket-mem=$((pages * 2))" "other_config:dpdk-socket-limit=$((pages * 2))" \
		"other_config:dpdk-lcore-mask=$main" "other_config:pmd-cpu-mask=$pmd"
	OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d RUNTIME_DIRECTORY=$d setsid ip netns exec "$name" \
		"$OVS_VSWITCHD" "unix:$d/db.sock" --pidfile="$d/ovs-vswitchd.pid" --unixctl="$d/ovs-vswitchd.ctl" \
		--log-file="$d/ovs-vswitchd.log" </dev/null >"$dir/log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/pid"
	for ((i = 0; i < 600; i++)); do
		[ "$(ovs_vsctl "$dir" get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! dpdk_pid "$dir" >/dev/null ||
	   [ "$(ovs_vsctl "$dir" get Open_vSwitch . dpdk_initialized 2>/dev/null)" != true ]; then
		say "ovs-vswitchd-dpdk did not start in lab $name; from its log ($d/ovs-vswitchd.log):"
		grep -E 'ERR|EMER|WARN' "$d/ovs-vswitchd.log" | tail -n 10 >&2 || true
		exit 1
	fi
	# OVS connects to the sockets (dpdkvhostuserclient): QEMU listens.
	ovs_vsctl "$dir" add-br br-dpdk -- set bridge br-dpdk datapath_type=netdev \
		-- add-port br-dpdk vhost0 -- set Interface vhost0 type=dpdkvhostuserclient \
		   "options:vhost-server-path=$dir/vhost0.sock" ofport_request=1 \
		-- add-port br-dpdk vhost1 -- set Interface vhost1 type=dpdkvhostuserclient \
		   "options:vhost-server-path=$dir/vhost1.sock" ofport_request=2 ||
		die "cannot make br-dpdk (OVS's log: $d/ovs-vswitchd.log)"
	OVS_RUNDIR=$d ovs-ofctl del-flows br-dpdk
	OVS_RUNDIR=$d ovs-ofctl add-flow br-dpdk in_port=1,actions=output:2
	OVS_RUNDIR=$d ovs-ofctl add-flow br-dpdk in_port=2,actions=output:1
	printf '%s\n' "vhost0 1 vhost0 $dir/vhost0.sock" "vhost1 2 vhost1 $dir/vhost1.sock" >"$dir/ports"
}

# A port's counters, kept when guests go: rx from the flow that takes its
# frames, tx_dropped from OVS's drop counters, tx_packets what the other
# port's flow sent it less those drops (the flows are one to one).
ovs_stats_line() {	# dir port
	local dir=$1 self other rx tx drops
	self=$(dpdk_port "$dir" "$2") || return 1
	self=${self%% *} other=$((3 - self))
	rx=$(ovs_flow "$dir" "$self") tx=$(ovs_flow "$dir" "$other")
	drops=$(ovs_tx_drops "$dir" "$2") || return 1
	[ -n "$rx" ] && [ -n "$tx" ] || return 1
	echo "rx_packets=${rx% *} rx_bytes=${rx#* } tx_packets=$((${tx% *} - drops)) tx_dropped=$drops"
}

ovs_xstats() {	# dir port
	ovs_vsctl "$1" get Interface "$2" statistics | tr -d '{} ' | tr ',' '\n' | grep -v '=0$' | paste -sd ' '
}

# Record the counters, then ask both daemons to exit (SIGTERM, SIGKILL if
# they do not within 10 s).
ovs_stop() {	# dir
	local dir=$1 d=$1/ovs port pid i
	if dpdk_pid "$dir" >/dev/null; then
		while read -r port _; do
			ovs_stats_line "$dir" "$port" >"$dir/final.$port" 2>/dev/null || rm -f "$dir/final.$port"
		done <"$dir/ports"
	fi
	for pid in $(cat "$d/ovs-vswitchd.pid" "$d/ovsdb-server.pid" 2>/dev/null); do
		kill -TERM "$pid" 2>/dev/null || continue
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	rm -f "$d"/*.sock "$d"/*.ctl "$d"/*.mgmt "$d"/*.snoop
}
