#!/usr/bin/env bash
# fwd between two lab segments, checked with clients nobody here wrote: as a
# router (ping both ways with the TTL one lower on the far side, iperf3 TCP
# and UDP, a 64 MiB transfer compared by sha256, host unreachable, malformed
# and TTL=1 frames counted by name and never forwarded), as a bridge (arping,
# ping, MAC learning, link-local groups), and its configuration errors.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/lab.sh"
lab_require
for tool in iperf3 socat python3; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "$tool missing (scripts/deps test installs it)"
done

P0=52:54:00:c6:12:02 P1=52:54:00:c6:12:03	# fwd's ports, on tap0 (br0) and tap1 (br1)
HOST0=02:00:c6:12:00:01 PEER0=02:00:c6:12:00:fa
CHECK=(-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE)

# kv KEY LINE: the value of KEY=N in a report line (0 if it has none).
kv() {
	local v
	v=$(sed -n "s/.* $1=\\([0-9]*\\).*/\\1/p" <<<"$2")
	echo "${v:-0}"
}
# fwd_start NAME [scripts/run options]: fwd with port 0 on tap0, port 1 on tap1.
fwd_start() {
	local name=$1
	shift
	lab_guest_start "$name" fwd tap0 --net "tap:tap1,mac=$P1" "$@"
	lab_wait_line "$(lab_guest_log "$name")" '^fwd: forwarding' 30 ||
		diag "$name did not start: $(tail -5 "$(lab_guest_log "$name")")"
}
# Every frame received is sent, dropped, given up, still held or (with
# output=free) freed; ARP requests are the router's own. "ok" or the
# numbers that disagree.
balance() {
	local l=$1 in out
	in=$(($(kv rx0 "$l") + $(kv rx1 "$l") + $(kv arp_requests "$l")))
	out=$(($(kv tx0 "$l") + $(kv tx1 "$l") + $(kv drop0 "$l") + $(kv drop1 "$l") +
		$(kv txdrop0 "$l") + $(kv txdrop1 "$l") + $(kv held_now "$l") + $(kv discarded "$l")))
	[ "$in" = "$out" ] && echo ok || echo "in $in, out $out"
}
# dump PCAP: decode it once (tshark is slow to start) into PCAP.txt, one
# line per frame, tab-separated, first occurrences (the outer header of an
# ICMP error): $1 eth.src $2 eth.dst $3 ip.src $4 ip.dst $5 ip.ttl
# $6 ip.checksum.status $7 icmp.type $8 icmp.code $9 icmp.seq
# $10 icmp.checksum.status $11 udp.srcport (checksum status 1: good).
dump() {
	tshark -r "$1" "${CHECK[@]}" -T fields -E occurrence=f -E separator=/t -e eth.src \
		-e eth.dst -e ip.src -e ip.dst -e ip.ttl -e ip.checksum.status -e icmp.type \
		-e icmp.code -e icmp.seq -e icmp.checksum.status -e udp.srcport \
		>"$1.txt" 2>/dev/null
}
# rows PCAP CONDITION [PRINT]: awk over PCAP.txt (PRINT default: the line).
rows() { awk -F'\t' -v OFS=' ' "$2 { print ${3:-\$0} }" "$1.txt"; }
count() { rows "$1" "$2" | wc -l; }
# json FILE EXPR: a value from iperf3's JSON output.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }

# --- configuration errors --------------------------------------------------------
run_guest fwd --net sink --net sink --append "ip0=198.18.1.1"
is "$RC" 2 "ip0 without a prefix length: exit 2"
like "$OUT" "bad value '198.18.1.1' for 'ip0' \(command line\): expected an IPv4 address with its prefix length" \
	"ip0: key, value and form named"
run_guest fwd --net sink --net sink --append 'route="198.18.3.0/24 via 198.18.2.2 port 3"'
is "$RC" 2 "route to port 3: exit 2"
like "$OUT" "bad value '198.18.3.0/24 via 198.18.2.2 port 3' for 'route'" "route: key and value named"
run_guest fwd --net sink --net sink --append 'route="198.18.3.0/24 via 198.18.1.9 port 1"'
is "$RC" 2 "route through a gateway outside the port's subnet: exit 2"
like "$OUT" 'fwd: route="198.18.3.0/24 via 198.18.1.9 port 1": the gateway must be a neighbour in port 1' \
	"route: the route and the reason named"
run_guest fwd --net sink --append ""
is "$RC" 2 "one NIC: exit 2"
like "$OUT" 'fwd: nic1=1: no network device net1 \(found 1\)' "one NIC: nic1 named"

# --- l3: ping both ways, TTL one lower, checksums ------------------------------
lab_up 2 1500 --segments 2
lab_capture_on br0 "$LAB_DIR/ping0.pcap" icmp
lab_capture_on br1 "$LAB_DIR/ping1.pcap" icmp
fwd_start r1 --timeout 240 --append "duration=200 arp_retry_ms=300"
out=$(lab_exec ping -c 5 -i 0.2 -W 2 198.18.2.2 2>&1)
like "$out" '5 packets transmitted, 5 received' "ping 198.18.1.2 -> 198.18.2.2 through fwd: 5 of 5"
like "$out" 'ttl=63' "ping: the reply crossed one router"
out=$(lab_peer_exec ping -c 5 -i 0.2 -W 2 198.18.1.2 2>&1)
like "$out" '5 packets transmitted, 5 received' "ping 198.18.2.2 -> 198.18.1.2 (the other way): 5 of 5"
out=$(lab_exec ping -c 2 -i 0.2 -W 2 198.18.1.1 2>&1; lab_exec ping -c 2 -i 0.2 -W 2 198.18.2.1 2>&1)
is "$(grep -c 'ttl=64' <<<"$out")" 4 "ping fwd's own addresses 198.18.1.1 and 198.18.2.1: answered"
lab_capture_off br0
lab_capture_off br1
dump "$LAB_DIR/ping0.pcap"
dump "$LAB_DIR/ping1.pcap"
# seq ttl ip-checksum icmp-checksum per echo.
F='$9, $5, $6, $10'
req0=$(rows "$LAB_DIR/ping0.pcap" "\$3 == \"198.18.1.2\" && \$4 == \"198.18.2.2\" && \$2 == \"$P0\"" "$F")
req1=$(rows "$LAB_DIR/ping1.pcap" "\$3 == \"198.18.1.2\" && \$4 == \"198.18.2.2\" && \$1 == \"$P1\" && \$2 == \"$PEER0\"" "$F")
rep1=$(rows "$LAB_DIR/ping1.pcap" "\$3 == \"198.18.2.2\" && \$4 == \"198.18.1.2\" && \$2 == \"$P1\"" "$F")
rep0=$(rows "$LAB_DIR/ping0.pcap" "\$3 == \"198.18.2.2\" && \$4 == \"198.18.1.2\" && \$1 == \"$P0\" && \$2 == \"$HOST0\"" "$F")
lower() { awk '{ $2 = $2 - 1; print }'; }
is "$(wc -l <<<"$req0") $(awk '$3 == 1 && $4 == 1' <<<"$req0" | wc -l)" "10 10" \
	"br0: 10 echoes from 198.18.1.2 side's host to fwd, checksums good"
is "$req1" "$(lower <<<"$req0")" \
	"br1: the same 10 from fwd's port 1 to the peer, TTL one lower, IPv4 and ICMP checksums good"
is "$(wc -l <<<"$rep1")" 10 "br1: 10 echoes from the peer side to fwd"
is "$rep0" "$(lower <<<"$rep1")" "br0: the same 10 from fwd's port 0 to host0, TTL one lower, checksums good"
is "$(count "$LAB_DIR/ping0.pcap" '$3 == "198.18.1.1" && $7 == 0 && $6 == 1 && $10 == 1')" 2 \
	"br0: fwd's own echo replies carry good checksums"

# --- l3: iperf3 TCP and UDP, a 64 MiB transfer -----------------------------------
wait_listen() {	# port: until the peer listens (5 s at most)
	local i
	for ((i = 0; i < 50; i++)); do
		lab_peer_exec ss -ltnu 2>/dev/null | grep -q ":$1 " && return 0
		sleep 0.1
	done
	return 1
}
lab_peer_spawn iperf3 -s -1 -B 198.18.2.2 -p 5201 >/dev/null 2>&1
wait_listen 5201
lab_exec timeout 60 iperf3 -c 198.18.2.2 -p 5201 -t 10 -J >"$LAB_DIR/tcp.json" 2>&1
rc=$?
sent=$(json "$LAB_DIR/tcp.json" "d['end']['sum_sent']['bytes']")
got=$(json "$LAB_DIR/tcp.json" "d['end']['sum_received']['bytes']")
secs=$(json "$LAB_DIR/tcp.json" "int(d['end']['sum_received']['seconds'])")
retr=$(json "$LAB_DIR/tcp.json" "d['end']['sum_sent']['retransmits']")
mbps=$(json "$LAB_DIR/tcp.json" "round(d['end']['sum_received']['bits_per_second'] / 1e6, 1)")
# (The sender counts what it wrote, the receiver what it had read when
# the 10 s ended: the difference is still in socket buffers, not lost.)
ok "$([ "$rc" = 0 ] && [ "${secs:-0}" -ge 10 ] && [ "${got:-0}" -gt 10000000 ] && echo 0 || echo 1)" \
	"iperf3 TCP 10 s through fwd: completed, $got bytes received in $secs s"
# A router that lost or mangled 1 frame in 200 would cause at least that
# many retransmissions; a working one here causes next to none.
segs=$((${sent:-0} / 1448))
ok "$([ -n "$retr" ] && [ "$retr" -le $((segs / 200 + 10)) ] && echo 0 || echo 1)" \
	"iperf3 TCP: $retr retransmissions of $segs segments (at most 0.5%)"
diag "iperf3 TCP through fwd under TCG: $mbps Mbit/s, $retr retransmissions (functional run, not a benchmark)"

lab_peer_spawn iperf3 -s -1 -B 198.18.2.2 -p 5202 >/dev/null 2>&1
wait_listen 5202
lab_exec timeout 30 iperf3 -c 198.18.2.2 -p 5202 -u -b 10M -t 3 -J >"$LAB_DIR/udp.json" 2>&1
rc=$?
pk=$(json "$LAB_DIR/udp.json" "d['end']['sum']['packets']")
lost=$(json "$LAB_DIR/udp.json" "d['end']['sum']['lost_packets']")
umbps=$(json "$LAB_DIR/udp.json" "round(d['end']['sum']['bits_per_second'] / 1e6, 1)")
ok "$([ "$rc" = 0 ] && [ "${pk:-0}" -gt 2000 ] && [ "$((${lost:-999999} * 50))" -le "$pk" ] && echo 0 || echo 1)" \
	"iperf3 UDP 10 Mbit/s, 3 s through fwd: $lost of $pk datagrams lost (at most 2%)"
diag "iperf3 UDP through fwd under TCG: $umbps Mbit/s offered 10, $lost of $pk lost"

head -c 64M /dev/urandom >"$LAB_DIR/big"
lab_peer_spawn sh -c "timeout 60 socat -u TCP-LISTEN:7001,bind=198.18.2.2,reuseaddr STDOUT | sha256sum >'$LAB_DIR/big.sha'"
sink=$LAB_PID
wait_listen 7001
lab_exec timeout 60 socat -u "FILE:$LAB_DIR/big" TCP:198.18.2.2:7001
wait "$sink"
is "$(cut -d' ' -f1 "$LAB_DIR/big.sha")" "$(sha256sum "$LAB_DIR/big" | cut -d' ' -f1)" \
	"64 MiB over TCP through fwd (socat): byte-identical (sha256)"

# --- l3: an address nobody has ------------------------------------------------
out=$(lab_exec ping -c 1 -W 5 198.18.2.77 2>&1)
like "$out" 'From 198.18.1.1 icmp_seq=1 Destination Host Unreachable' \
	"ping 198.18.2.77 (nobody): fwd gives up on ARP and says host unreachable"
sleep 1.5	# a report line after the traffic
last=$(grep '^fwd t=' "$(lab_guest_log r1)" | tail -1)
lab_guest_stop r1
is "$(balance "$last")" ok "r1: every frame received was sent, dropped or held"
like "$last" ' txdrop0=0 .* txdrop1=0 ' "r1: no frame given up on a full TX queue"
like "$last" ' arp_failed=1 .*icmp_errors=1 ' "r1: the held echo request became the one host unreachable"

# --- l3: malformed, TTL=1 and unroutable frames ----------------------------------
mk() { scripts/mkpcap --src-mac $HOST0 --dst-mac $P0 --src-ip 198.18.1.2 "$@" >/dev/null 2>&1; }
mk --malformed all -n 2 --dst-ip 198.18.2.2 -o "$LAB_DIR/bad.pcap"
mk -n 5 --dst-ip 198.18.2.2 --sport 7777 -o "$LAB_DIR/v.pcap"
tcprewrite --ttl=1 --fixcsum -i "$LAB_DIR/v.pcap" -o "$LAB_DIR/ttl1.pcap"
mk -n 3 --dst-ip 198.18.9.9 -o "$LAB_DIR/noroute.pcap"
lab_capture_on br0 "$LAB_DIR/near0.pcap" "ether src $P0"
lab_capture_on br1 "$LAB_DIR/far1.pcap" "ether src $P1"
fwd_start r2 --timeout 90 --append "duration=60 idle=5"
out=$(lab_exec ping -c 1 -W 3 198.18.2.2 2>&1)
like "$out" '1 received' "r2: ping through first (both sides resolved)"
for p in bad ttl1 noroute; do
	lab_exec tcpreplay -q -i host0 --pps=200 "$LAB_DIR/$p.pcap" >/dev/null 2>&1
done
lab_guest_wait r2	# idle=5: it stops by itself once the frames are through
			# (everything it needs is made before it boots)
lab_capture_off br0
lab_capture_off br1
is "$RC" 0 "r2: stopped by idle=5, exit 0"
sum=$(grep '^fwd summary ' <<<"$OUT")
# mkpcap's 16 kinds x 2: eth-only, ip-trunc and ihl-long are truncated,
# ihl-short has a bad IHL, bad-version, len-long and len-short a bad length,
# bad-csum a bad header checksum. The other 8 kinds are good IPv4 (their
# faults are in UDP or fragmentation, not a router's business): forwarded.
like "$sum" ' malformed=16 .* truncated=6 bad_version=2 bad_ihl=2 bad_length=4 bad_ip_csum=2 bad_icmp_csum=0 ' \
	"malformed: 16 dropped, each kind under its name"
like "$sum" ' ttl_exceeded=5 no_route=3 ' "5 TTL=1 frames exceeded, 3 to 198.18.9.9 had no route"
like "$sum" ' icmp_errors=8 icmp_limited=0 ' "8 ICMP errors sent"
# What fwd says it forwarded is what tshark saw it send that it did not
# originate: the 16, the ping, and whatever the peer's stack answered
# (ICMP port unreachable for the UDP ones).
dump "$LAB_DIR/far1.pcap"
dump "$LAB_DIR/near0.pcap"
far=$(count "$LAB_DIR/far1.pcap" '$3 != ""')
near=$(count "$LAB_DIR/near0.pcap" '$3 != "" && $3 != "198.18.1.1"')
is "$(kv fwd "$sum")" "$((far + near))" "forwarded: $(kv fwd "$sum"), as many as tshark saw on both sides ($far + $near)"
is "$(balance "$sum")" ok "r2 summary: every frame received was sent or dropped"
is "$(grep -c 'stats .* pool_in_use=0$' <<<"$OUT")" 2 "r2: both pools whole after stop (no netbuf leaked)"
is "$far" 17 \
	"far side: fwd sent exactly 17 IPv4 frames (16 forwarded from the pcap, the ping)"
is "$(count "$LAB_DIR/far1.pcap" '$5 == 254 && $3 == "198.18.1.2"')" 16 \
	"far side: the 16 with TTL 255 - 1"
is "$(count "$LAB_DIR/far1.pcap" '($3 != "" && $5 < 2) || $4 == "198.18.9.9" || $11 == 7777')" 0 \
	"far side: none of the TTL=1 or unroutable frames"
E='$3 == "198.18.1.1" && $4 == "198.18.1.2" && $6 == 1 && $10 == 1'
is "$(count "$LAB_DIR/near0.pcap" "$E && \$7 == 11 && \$8 == 0")" 5 \
	"near side: 5 ICMP time exceeded from 198.18.1.1, checksums good"
is "$(count "$LAB_DIR/near0.pcap" "$E && \$7 == 3 && \$8 == 0")" 3 \
	"near side: 3 ICMP net unreachable, checksums good"
is "$(rows "$LAB_DIR/near0.pcap" "$E && \$7 == 11" '$11' | sort -u)" 7777 \
	"near side: time exceeded quotes the TTL=1 datagrams (UDP port 7777)"

# --- output=free: the guest's own cost, nothing forwarded ------------------------
fwd_start f1 --timeout 60 --append "output=free duration=40 idle=3"
out=$(lab_exec ping -c 3 -i 0.3 -W 1 198.18.2.2 2>&1)
like "$out" '3 packets transmitted, 0 received' "output=free: pings through fwd are not forwarded"
out=$(lab_exec ping -c 1 -W 2 198.18.1.1 2>&1)
like "$out" '1 received' "output=free: fwd still answers for itself"
lab_guest_wait f1
sum=$(grep '^fwd summary ' <<<"$OUT")
like "$sum" ' fwd=3 discarded=3 cycles_per_frame=[1-9][0-9]* ' \
	"output=free: 3 forwarded and freed, their cost per frame reported"
is "$(balance "$sum")" ok "output=free: every frame received was sent, dropped or freed"
is "$(kv tx1 "$sum")" 1 "output=free: nothing sent on port 1 but fwd's own ARP request"

# --- l2: a transparent bridge ----------------------------------------------------
F1=02:00:c6:12:00:f1		# a station on side 0 that only tcpreplay speaks for
lab_up 2 1500 --segments 2 --bridged
# br0 must not learn from host0's side: frames between side-0 stations then
# reach fwd too, which has to filter them.
lab_exec bridge link set dev veth0 learning off
# Made first: the guest stops 5 s after the last frame it sees (idle=5).
scripts/mkpcap -n 1 --src-mac $F1 --dst-mac ff:ff:ff:ff:ff:ff -o "$LAB_DIR/f1.pcap" >/dev/null 2>&1
scripts/mkpcap -n 3 --src-mac $HOST0 --dst-mac $F1 -o "$LAB_DIR/to-f1.pcap" >/dev/null 2>&1
scripts/mkpcap -n 2 --src-mac $HOST0 --dst-mac 01:80:c2:00:00:00 -o "$LAB_DIR/stp.pcap" >/dev/null 2>&1
lab_capture_on br1 "$LAB_DIR/l2far.pcap"
fwd_start b1 --timeout 90 --append "mode=l2 duration=60 idle=5"
out=$(lab_exec arping -c 3 -w 5 -I host0 198.18.1.3 2>&1)
like "$out" "bytes from $PEER0 \\(198.18.1.3\\)" "l2: arping across fwd: the peer's MAC answers"
out=$(lab_exec ping -c 5 -i 0.2 -W 2 198.18.1.3 2>&1)
like "$out" '5 packets transmitted, 5 received' "l2: ping across fwd: 5 of 5"
like "$out" 'ttl=64' "l2: TTL untouched (a bridge, not a router)"
for p in f1 to-f1 stp; do
	lab_exec tcpreplay -q -i host0 --pps=100 "$LAB_DIR/$p.pcap" >/dev/null 2>&1
done
lab_guest_wait b1
lab_capture_off br1
is "$RC" 0 "l2: stopped by idle=5, exit 0"
sum=$(grep '^fwd summary ' <<<"$OUT")
like "$sum" ' filtered=3 link_local=2 bad_src=0 truncated=0 ' \
	"l2: 3 frames for a station on their own side filtered, 2 to 01:80:c2:00:00:00 kept"
is "$(balance "$sum")" ok "l2 summary: every frame received was sent or dropped"
is "$(grep -c 'stats .* pool_in_use=0$' <<<"$OUT")" 2 "l2: both pools whole after stop"
dump "$LAB_DIR/l2far.pcap"
is "$(count "$LAB_DIR/l2far.pcap" "\$1 == \"$F1\"") $(count "$LAB_DIR/l2far.pcap" "\$2 == \"$F1\" || \$2 == \"01:80:c2:00:00:00\"")" "1 0" \
	"l2 far side: F1's broadcast crossed; nothing for F1 or the STP group did"

done_testing
