#!/usr/bin/env bash
# The network lab (scripts/lab, scripts/capture, scripts/mkpcap,
# tests/lib/lab.sh) without a guest driver: namespaces, bridge, taps and veths
# are made and removed, the host-stack path works, generated frames (valid and
# malformed) cross the bridge exactly as written, QEMU attaches to a lab tap,
# several images boot on one bridge, and nothing outlives a run, even a killed
# one.
# shellcheck source=tests/lib/tap.sh
source "$(dirname "$0")/../lib/tap.sh"
# shellcheck source=tests/lib/lab.sh
source "$(dirname "$0")/../lib/lab.sh"
lab_require

ns_present() { ip netns list | awk '{print $1}' | grep -qx -- "$1"; }
root_links() { ip -o link show | awk -F': ' '{print $2}' | sort; }

# ---------------------------------------------------------------- usage
out=$(scripts/lab --help); rc=$?
is "$rc" 0 "lab --help exits 0"
like "$out" '^  run \[--name NAME\]' "lab --help documents run"
out=$(scripts/lab up --taps lots 2>&1); rc=$?
is "$rc" 64 "lab up --taps lots: usage error"
like "$out" -- '--taps wants a number' "lab up --taps lots: says why"
out=$(scripts/lab frobnicate 2>&1); rc=$?
is "$rc" 64 "lab: unknown command is a usage error"
out=$(scripts/capture --help); rc=$?
is "$rc" 0 "capture --help exits 0"
out=$(scripts/mkpcap -s 59 -o /dev/null 2>&1); rc=$?
is "$rc" 64 "mkpcap refuses a 59-byte frame"
out=$(scripts/lab run -- build/hello.elf --timeout 0 2>&1); rc=$?
is "$rc" 64 "lab run refuses an unbounded image"

# ---------------------------------------------------------------- lab up
before=$(root_links)
lab_up 2 || { diag "no lab; stopping"; done_testing; exit 1; }
ok "$(ns_present "$LAB_NS" && ns_present "$LAB_PEER"; echo $?)" "up: namespaces $LAB_NS and $LAB_PEER exist"
is "$(root_links)" "$before" "up: the root namespace's interfaces are untouched"
like "$(scripts/lab list)" "^$LAB_NS taps=2 mtu=1500 owner=$$\\(alive\\) procs=0\$" "list shows the lab, its taps and owner"
br=$(ip -n "$LAB_NS" -d link show br0)
like "$br" 'bridge forward_delay 0 .* stp_state 0 ' "br0: a bridge, no STP, no forwarding delay"
like "$br" 'mcast_snooping 0 ' "br0: multicast snooping off"
like "$br" 'state UP' "br0: up"
for t in tap0 tap1; do
	like "$(ip -n "$LAB_NS" -d link show "$t" | tr '\n' ' ')" 'master br0 .*tun type tap pi off .*persist on' "$t: persistent tap on br0"
done
like "$(ip -n "$LAB_NS" -d link show veth0)" 'master br0 state UP' "veth0: on br0, up"
like "$(ip -n "$LAB_NS" -o addr show dev host0)" 'inet 198\.18\.0\.1/24 ' "host0: 198.18.0.1/24"
like "$(ip -n "$LAB_PEER" -o addr show dev peer0)" 'inet 198\.18\.0\.250/24 ' "peer0: 198.18.0.250/24 in the peer namespace"
is "$(ip -n "$LAB_NS" -6 addr; ip -n "$LAB_PEER" -6 addr)" "" "no IPv6 address anywhere in the lab"
is "$(lab_counters tap0)" "rx_packets=0 rx_bytes=0 rx_dropped=0 rx_errors=0 tx_packets=0 tx_bytes=0 tx_dropped=0 tx_errors=0" \
	"counters: one key=value line"

# ---------------------------------------------------------------- traffic
# One capture on br0 for the ping, the valid frames and the malformed ones.
n=100 size=128
scripts/mkpcap -n "$n" -s "$size" --dport 9001 -o "$LAB_DIR/udp.pcap" 2>/dev/null
ok $? "mkpcap: $n frames of $size bytes"
fields=$(tshark -n -r "$LAB_DIR/udp.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields \
	-e frame.len -e eth.src -e eth.dst -e ip.src -e ip.dst -e udp.srcport -e udp.dstport \
	-e ip.checksum.status -e udp.checksum.status -e data.data 2>/dev/null)
is "$(wc -l <<<"$fields")" "$n" "mkpcap: the file holds $n frames"
is "$(cut -f1-9 <<<"$fields" | sort -u | tr '\t' ' ')" \
	"128 02:00:c6:12:00:01 02:00:c6:12:00:fa 198.18.0.1 198.18.0.250 9000 9001 1 1" \
	"mkpcap: every frame has the size, MACs, addresses, ports asked for and good checksums"
like "$(sed -n 43p <<<"$fields" | cut -f10)" '^534b49460000002a08090a0b0c0d' "mkpcap: frame 42's payload is SKIF, 42, then the byte pattern"
scripts/mkpcap --malformed all -o "$LAB_DIR/bad.pcap" 2>/dev/null
ok $? "mkpcap --malformed all"

lab_peer_spawn socat -u UDP4-RECV:9001,bind=198.18.0.250 "OPEN:$LAB_DIR/rx.bin,creat,trunc"
socat_pid=$LAB_PID
lab_capture_start "$LAB_DIR/br0.pcap"
ok $? "capture: tshark on br0 started"
for i in $(seq 50); do lab_peer_exec ss -Hlun 'sport = :9001' | grep -q . && break; sleep 0.1; done
lab_counters peer0 p0
lab_counters host0 h0
lab_exec ping -c 3 -i 0.2 -W 2 198.18.0.250 >/dev/null
ok $? "ping: host0 reaches the peer namespace across br0"
lab_exec tcpreplay -q -i host0 --pps=2000 "$LAB_DIR/udp.pcap" >/dev/null 2>&1
ok $? "tcpreplay: $n frames sent from host0"
lab_exec tcpreplay -q -i host0 --pps=2000 "$LAB_DIR/bad.pcap" >/dev/null 2>&1
ok $? "tcpreplay: the malformed frames sent from host0"
lab_capture_stop
ok $? "capture: stopped"
lab_counters peer0 p1
lab_counters host0 h1
kill "$socat_pid" 2>/dev/null; wait "$socat_pid" 2>/dev/null

cap=$(tshark -n -r "$LAB_DIR/br0.pcap" -T fields -e eth.src -e frame.len -e _ws.col.Protocol \
	-e udp.dstport -e data.data -e icmp.type 2>/dev/null)
is "$(grep -c $'\t9001\t' <<<"$cap")" "$n" "br0 saw the $n UDP frames exactly once"
is "$(grep $'\t9001\t' <<<"$cap" | cut -f5 | cut -c9-16 | sort -u | wc -l)" "$n" "... each sequence number once"
is "$(grep $'\t9001\t' <<<"$cap" | cut -f1,2 | sort -u | tr '\t' ' ')" "02:00:c6:12:00:01 $size" "... from host0's MAC, $size bytes each"
is "$(grep -cE $'\tICMP\t.*\t(0|8)$' <<<"$cap")" 6 "br0 saw 3 echo requests and 3 replies"
# No noise: nothing from the bridge or the taps (STP, IGMP queries), nothing
# but ARP and ICMP from the peer's stack, nothing from host0's stack but ARP
# and the pings (no IPv6 router solicitations, DAD or MLD).
is "$(awk -F'\t' '$1 != "02:00:c6:12:00:01" && $1 != "02:00:c6:12:00:fa"' <<<"$cap" | wc -l)" 0 \
	"br0: no frame from anyone but host0 and peer0"
is "$(awk -F'\t' '$1 == "02:00:c6:12:00:fa" {print $3}' <<<"$cap" | sort -u | paste -sd' ')" "ARP ICMP" \
	"br0: the peer sent only ARP and ICMP"
host_arp=$(awk -F'\t' '$1 == "02:00:c6:12:00:01" && $3 == "ARP"' <<<"$cap" | wc -l)
is "$(grep -c $'^02:00:c6:12:00:01\t' <<<"$cap")" $((host_arp + 3 + n + 16)) \
	"br0: host0 sent its ARP, 3 pings, the $n frames and 16 malformed ones, nothing else"
is "$(stat -c %s "$LAB_DIR/rx.bin" 2>/dev/null)" $((n * (size - 42))) "the peer's UDP socket received all $n payloads"
# shellcheck disable=SC2154 # p0_*, p1_*, h0_*, h1_* are set by lab_counters
is $((p1_rx_packets - p0_rx_packets)) "$(grep -c $'^02:00:c6:12:00:01\t' <<<"$cap")" \
	"peer0 rx_packets grew by every frame host0 put on br0"
# shellcheck disable=SC2154
ok "$([ $((h1_tx_packets - h0_tx_packets)) -ge $((n + 16 + 3)) ]; echo $?)" "host0 tx_packets counted the replayed frames"

# The malformed frames: tshark sees what each kind says, and br0 carried
# them unchanged (no padding, no truncation).
bad=$(tshark -n -r "$LAB_DIR/bad.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields \
	-E separator='|' -e frame.len -e ip.flags.mf -e ip.frag_offset -e ip.checksum.status \
	-e udp.checksum.status -e udp.length -e _ws.col.Info -e _ws.expert.message 2>/dev/null)
expect=(
	'runt|^42\|0\|0\|1\|3\|8\|'
	'eth-only|^14\|.*Malformed'
	'ip-trunc|^24\|.*Malformed'
	'ihl-short|^60\|.*Bogus IP header length \(16'
	'ihl-long|^60\|.*Bogus IP length \(46, less than header length 60\)'
	'bad-version|^60\|.*Bogus IPv4 version'
	'bad-csum|^60\|0\|0\|0\|'
	'bad-udp-csum|^60\|0\|0\|1\|0\|'
	'len-long|^60\|.*IPv4 total length exceeds packet length'
	'len-short|^60\|.*Bogus IP length \(16, less than header length 20\)'
	'frag-first|^60\|1\|0\|1\|'
	'frag-middle|^60\|1\|185\|1\|'
	'frag-last|^60\|0\|185\|1\|'
	'udp-trunc|^38\|.*Malformed'
	'udp-len-long|^60\|.*Bad length value 126 > IP payload length'
	'udp-len-short|^60\|.*Bad length value 4 < 8'
)
is "$(wc -l <<<"$bad")" "${#expect[@]}" "mkpcap --malformed all: one frame per kind"
i=0
for e in "${expect[@]}"; do
	i=$((i + 1))
	like "$(sed -n "${i}p" <<<"$bad")" "${e#*|}" "malformed ${e%%|*}: tshark agrees"
done
is "$(grep -v $'\t9001\t' <<<"$cap" | awk -F'\t' '$1 == "02:00:c6:12:00:01" && $3 != "ARP" && $3 != "ICMP" {print $2}' | paste -sd' ')" \
	"$(cut -d'|' -f1 <<<"$bad" | paste -sd' ')" "br0 carried the malformed frames unchanged"
sum=$(scripts/capture -r "$LAB_DIR/bad.pcap" --summary 2>/dev/null | tail -1)
like "$sum" '^summary frames=16 bytes=[0-9]+ malformed=[4-9] bad_checksum=2$' "capture --summary counts malformed frames and bad checksums"

# ---------------------------------------------------------------- QEMU on a tap
# Paused (-S) so the tap stays open while we look at it.
tap_opened() {	# on|off: QEMU holds the tap, carrier up, vnet header as given; 5 s at most
	local i
	for ((i = 0; i < 50; i++)); do
		ip -n "$LAB_NS" -d link show tap0 | tr '\n' ' ' | grep -q "LOWER_UP.*vnet_hdr $1" && return 0
		sleep 0.1
	done
	return 1
}
SKIFF_QEMU_ARGS=-S lab_guest_start paused hello tap0,mac=52:54:00:c6:12:02,vnet_hdr=on
tap_opened on
ok $? "QEMU opened the lab's pre-created tap0 (carrier up, vnet_hdr on when asked)"
lab_guest_stop paused
SKIFF_QEMU_ARGS=-S lab_guest_start paused hello tap0
tap_opened off
ok $? "scripts/run's default: tap opened without the virtio-net header"
lab_guest_stop paused
is "$RC" 143 "the paused guest stopped on request (scripts/run exits 143 on SIGTERM)"
like "$(ip -n "$LAB_NS" link show tap0)" 'NO-CARRIER' "tap0: no carrier once QEMU let go"
lab_guest_start hello hello tap0 --append loglevel=debug
lab_wait_line "$(lab_guest_log hello)" '^hello: done' 20
ok $? "lab_wait_line: saw hello's last line in its console log"
lab_guest_wait hello
is "$RC" 0 "hello on tap0 inside the lab: exit 0"
like "$OUT" '^pci: +00:02\.0 1af4:1000 class 02\.00\.00' "hello on tap0: the guest sees the virtio-net NIC"

# ---------------------------------------------------------------- two labs
first=$LAB_NS first_peer=$LAB_PEER
lab_up 1 9000
ok $? "a second lab at once, with MTU 9000"
second=$LAB_NS
ok "$([ "$first" != "$second" ]; echo $?)" "the second lab has its own name ($second)"
lab_exec ping -c 2 -i 0.2 -W 2 198.18.0.250 >/dev/null
ok $? "the second lab's host0 reaches its own peer at the same address"
# The same frames, addresses and interface names in both labs: each sees its own.
first_rx=$(scripts/lab counters "$first" peer0 | sed 's/ .*//; s/.*=//')
lab_counters peer0 s0
lab_exec tcpreplay -q -i host0 --topspeed "$LAB_DIR/udp.pcap" >/dev/null 2>&1
lab_counters peer0 s1
# shellcheck disable=SC2154
ok "$([ $((s1_rx_packets - s0_rx_packets)) -ge "$n" ]; echo $?)" "the second lab's peer got the $n frames sent there"
ok "$([ $(( $(scripts/lab counters "$first" peer0 | sed 's/ .*//; s/.*=//') - first_rx )) -lt "$n" ]; echo $?)" \
	"the first lab's peer did not"
ip netns exec "$first" ping -c 1 -W 2 198.18.0.250 >/dev/null
ok $? "the first lab still works"
scripts/mkpcap -n 10 -s 9014 -o "$LAB_DIR/jumbo.pcap" 2>/dev/null
lab_counters peer0 j0
lab_exec tcpreplay -q -i host0 "$LAB_DIR/jumbo.pcap" >/dev/null 2>&1
ok $? "MTU 9000: tcpreplay sent 9014-byte frames"
lab_counters peer0 j1
# shellcheck disable=SC2154
ok "$([ $((j1_rx_packets - j0_rx_packets)) -ge 10 ] && [ $((j1_rx_bytes - j0_rx_bytes)) -ge 90140 ]; echo $?)" \
	"MTU 9000: the peer received them whole"
out=$(ip netns exec "$first" tcpreplay -i host0 "$LAB_DIR/jumbo.pcap" 2>&1)
like "$out" 'Message too long' "MTU 1500: the same frames do not fit the first lab"
scripts/lab down "$second"
ok $? "lab down $second"
ok "$(ns_present "$second" || ns_present "$second-peer"; [ $? = 1 ]; echo $?)" "lab down: both namespaces gone"
ok "$(ns_present "$first"; echo $?)" "lab down: the other lab is still there"
scripts/lab down "$second"
ok $? "lab down again: nothing to do, no error"
LAB_NS=$first LAB_PEER=$first_peer

other=skiff-$$-notalab
ip netns add "$other"
out=$(scripts/lab down "$other" 2>&1); rc=$?
is "$rc" 1 "lab down refuses a namespace that is not a lab"
ok "$(ns_present "$other"; echo $?)" "... and leaves it alone"
ip netns del "$other"

# ---------------------------------------------------------------- lab run
out=$(scripts/lab run --timeout 30 --capture "$LAB_DIR/run.pcap" -- "$BUILD/hello.elf" -- "$BUILD/hello.elf" --append crash=panic 2>&1); rc=$?
is "$rc" 3 "lab run: the first non-zero status (the panicking image's 3)"
like "$out" '^hello\| skiff: exit 0$' "lab run: hello's console prefixed 'hello|'"
like "$out" '^hello-1\| .*panic' "lab run: the second hello's prefixed 'hello-1|'"
like "$out" '^lab:   hello +exit 0 +\(ok\)' "lab run: summary line for hello"
like "$out" '^lab:   hello-1 +exit 3 +\(panic or assert\)' "lab run: summary line for hello-1"
is "$(capinfos -M -c "$LAB_DIR/run.pcap" 2>/dev/null | sed -n 's/^Number of packets: *//p')" 0 \
	"lab run --capture: a complete pcap (hello sends nothing)"
run_lab=$(sed -n 's/^lab: summary (\(.*\))$/\1/p' <<<"$out")
ok "$([ -n "$run_lab" ] && ! ns_present "$run_lab" && ! ns_present "$run_lab-peer"; echo $?)" "lab run: its lab ($run_lab) is gone afterwards"

# ---------------------------------------------------------------- gc
sleep 30 &
owner=$!
gc_lab=skiff-$$-gc
scripts/lab up --name "$gc_lab" --owner "$owner" >/dev/null 2>&1
kill "$owner"; wait "$owner" 2>/dev/null
like "$(scripts/lab list)" "^$gc_lab .*owner=$owner\\(gone\\)" "list: a lab whose owner died shows (gone)"
scripts/lab gc >/dev/null 2>&1
ok "$(ns_present "$gc_lab"; [ $? = 1 ]; echo $?)" "gc removed it"
ok "$(ns_present "$first"; echo $?)" "gc left the live test's lab alone"

# ---------------------------------------------------------------- killed run
# A test run killed with SIGTERM while a guest runs and tshark captures
# leaves no namespace and no process behind.
state=$LAB_DIR/killed.state
bash -c '
	source tests/lib/tap.sh
	source tests/lib/lab.sh
	lab_up 1 || exit 1
	SKIFF_QEMU_ARGS=-S lab_guest_start stuck hello tap0
	lab_capture_start "$LAB_DIR/c.pcap" || exit 1
	echo "$LAB_NS $LAB_DIR $LAB_CAPTURE_PID" >"$1"
	lab_guest_wait stuck
' killed "$state" &
victim=$!
for i in $(seq 200); do [ -s "$state" ] && break; sleep 0.1; done
read -r k_ns k_dir k_tshark <"$state"
ok "$([ -n "$k_ns" ] && ns_present "$k_ns"; echo $?)" "killed run: its lab ($k_ns) was up"
k_pids=$(ip netns pids "$k_ns" 2>/dev/null)
like "$(ps -o comm= -p "${k_pids//$'\n'/ }" 2>/dev/null)" 'qemu-system' "killed run: QEMU was running in it"
kill -TERM "$victim"
wait "$victim"
is $? 143 "killed run: exited on SIGTERM"
ok "$(ns_present "$k_ns" || ns_present "$k_ns-peer"; [ $? = 1 ]; echo $?)" "killed run: namespaces removed"
ok "$([ ! -e "$k_dir" ]; echo $?)" "killed run: scratch directory removed"
ok "$([ ! -e "/proc/$k_tshark" ]; echo $?)" "killed run: tshark stopped"
alive=""
for p in $k_pids; do
	st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) && [ "$st" != Z ] && alive+=" $p"
done
is "$alive" "" "killed run: no process that ran in its lab is left (QEMU, tshark, launcher)"
ok "$(pgrep -f -- "--log $k_dir/" >/dev/null; [ $? = 1 ]; echo $?)" "killed run: no launcher left"

# ---------------------------------------------------------------- cleanup
lab_cleanup
ok "$(ns_present "$first" || ns_present "$first_peer"; [ $? = 1 ]; echo $?)" "lab_cleanup: the test's lab is gone"
unlike "$(ip netns list)" "^skiff-$$-" "no namespace of this run is left"
done_testing
