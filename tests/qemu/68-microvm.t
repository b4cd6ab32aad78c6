#!/usr/bin/env bash
# QEMU microvm (scripts/run -M microvm): the NICs are virtio-net on
# virtio-mmio, found from the virtio_mmio.device= settings QEMU appends to
# the kernel command line (docs/microvm.md). The NFs run unchanged: pktgen's
# frames as tshark decodes them, rxcount and nettest counting what tcpreplay
# sends, echo against ping; two NICs in --net order; the legacy (version 1)
# transport; the lab's run; and bad input (no NIC, a malformed or empty slot).
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/lab.sh"
lab_require

MAC0=52:54:00:c6:12:02 MAC1=52:54:00:c6:12:03
SINK=02:00:00:00:00:99		# nobody: frames to it are captured, then dropped
MICROVM=(-M microvm)

# fields PCAP: one line per UDP frame, every field pktgen sets but the TSC.
fields() {
	tshark -r "$1" -Y udp -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
		-T fields -E separator=' ' -e eth.src -e eth.dst -e ip.src -e ip.dst \
		-e ip.checksum.status -e udp.srcport -e udp.dstport -e udp.checksum.status \
		-e frame.len -e udp.length 2>/dev/null
}
# Probe sequence numbers (UDP payload bytes 6..9) in capture order, one line.
seqs() {
	tshark -r "$1" -Y udp -T fields -e udp.payload 2>/dev/null |
		perl -ne 'print hex(substr($_, 12, 8)), " "'
}
nettest_frames() {	# PCAP MAC: nettest's frames from MAC
	lab_pcap_count "$1" "eth.type == 0x88b5 && eth.src == $2"
}

lab_up 3
lab_exec bridge fdb add $SINK dev tap2 master static

# --- pktgen: exact count, every field, as tshark decodes them -------------------
lab_capture_start "$LAB_DIR/p.pcap" "udp"
lab_guest_start p pktgen tap0 "${MICROVM[@]}" \
	--append "count=1000 dst_mac=$SINK src_ip=198.18.0.2 dst_ip=198.18.0.9 src_port=4000 dst_port=4001"
lab_guest_wait p
lab_capture_stop
is "$RC" 0 "pktgen count=1000 on microvm: exit 0"
like "$OUT" "^pktgen: net0 virtio-net mmio-modern MAC $MAC0 " "pktgen: net0 is virtio-net on virtio-mmio (version 2)"
# virtio-mmio only caps the ring sizes (QueueNumMax 1024 on every queue):
# the driver offers 1024 and defaults TX to 256; pktgen's unread RX gets 64.
like "$OUT" "^net0: virtio-net mmio-modern at mmio 0xfeb00e00, MAC $MAC0, rings up to 1024/1024," \
	"the driver says the ring sizes are a cap"
like "$OUT" "^pktgen: net0 virtio-net mmio-modern MAC $MAC0 rings 64/256 link up" \
	"pktgen: rings 64/256 by default"
like "$OUT" '^boot: pvh, command line "count=1000 .*src_port=4000 dst_port=4001 virtio_mmio.device=512@0xfeb00e00:12"$' \
	"the command line: the user's settings, then the device QEMU appends"
f=$(fields "$LAB_DIR/p.pcap")
is "$(wc -l <<<"$f")" 1000 "tshark sees exactly 1000 frames"
is "$(sort -u <<<"$f")" "$MAC0 $SINK 198.18.0.2 198.18.0.9 1 4000 4001 1 60 26" \
	"every frame: MACs, addresses, ports, 60 bytes, IPv4 and UDP checksums good"
is "$(seqs "$LAB_DIR/p.pcap")" "$(seq -s ' ' 0 999) " "probes numbered 0..999 in order"

# --- rxcount: exact count of what tcpreplay sends ----------------------------------
scripts/mkpcap -n 2000 -s 60 --dst-mac $MAC1 --dst-ip 198.18.0.3 -o "$LAB_DIR/rx.pcap" >/dev/null 2>&1
lab_guest_start rx rxcount tap1 "${MICROVM[@]}" --append "idle=2 duration=30 promisc=0"
lab_wait_line "$(lab_guest_log rx)" '^rxcount: counting' 20
lab_exec tcpreplay -q -i host0 --pps=2000 "$LAB_DIR/rx.pcap" >/dev/null 2>&1
lab_guest_wait rx
is "$RC" 0 "rxcount on microvm: exit 0"
like "$OUT" '^rxcount summary .* rx_pkts=2000 rx_bytes=120000 ' "rxcount: exactly 2000 frames, 120000 bytes"
like "$OUT" "^rxcount: net0 virtio-net mmio-modern MAC $MAC1 rings 1024/256 " "rxcount: rings 1024/256 by default"
like "$OUT" 'net0 stats rx_packets=2000 rx_bytes=120000 rx_errors=0 ' "rxcount: the driver's counters agree"

# --- echo answers ping ----------------------------------------------------------
lab_guest_start echo echo tap1 "${MICROVM[@]}" --timeout 90 --append "ip=198.18.0.3 duration=80"
lab_wait_line "$(lab_guest_log echo)" '^echo: answering' 20
out=$(lab_exec ping -c 10 -i 0.1 -W 2 198.18.0.3 2>&1)
like "$out" '10 packets transmitted, 10 received' "echo on microvm: 10 of 10 pings answered"
out=$(lab_exec arping -c 2 -w 5 -I host0 198.18.0.3 2>&1)
like "$out" "bytes from $MAC1 \\(198.18.0.3\\)" "echo: answers ARP with its MAC"
lab_guest_stop echo

# --- two NICs, in --net order --------------------------------------------------------
lab_capture_start "$LAB_DIR/two.pcap" "ether proto 0x88b5"
lab_guest_start two nettest tap0 --net "tap:tap1,mac=$MAC1" "${MICROVM[@]}" --append "count=300"
lab_guest_wait two
lab_capture_stop
is "$RC" 0 "two NICs: nettest exits 0"
like "$OUT" "^net0: virtio-net mmio-modern at mmio 0xfeb00e00, MAC $MAC0" "two NICs: net0 is the first --net"
like "$OUT" "^net1: virtio-net mmio-modern at mmio 0xfeb00c00, MAC $MAC1" "two NICs: net1 the second"
is "$(nettest_frames "$LAB_DIR/two.pcap" $MAC0)" 300 "two NICs: 300 frames from net0 on the bridge"
is "$(nettest_frames "$LAB_DIR/two.pcap" $MAC1)" 300 "two NICs: 300 frames from net1 on the bridge"

# --- the legacy transport (version 1: QueuePFN), both directions -----------------------
lab_capture_start "$LAB_DIR/legacy.pcap" "ether proto 0x88b5"
lab_guest_start legacy nettest "tap0,mac=$MAC0,transport=legacy" "${MICROVM[@]}" --append "count=300 size=1514"
lab_guest_wait legacy
lab_capture_stop
is "$RC" 0 "legacy: nettest exits 0"
like "$OUT" "^nettest: net0 virtio-net mmio-legacy MAC $MAC0 " "legacy: driven through mmio-legacy"
is "$(nettest_frames "$LAB_DIR/legacy.pcap" $MAC0)" 300 "legacy: 300 frames of 1514 bytes sent"
scripts/mkpcap -n 300 -s 1514 --dst-mac $MAC0 --dst-ip 198.18.0.2 -o "$LAB_DIR/lrx.pcap" >/dev/null 2>&1
lab_guest_start lrx nettest "tap0,mac=$MAC0,transport=legacy" "${MICROVM[@]}" --append "rx=300 duration=20 promisc=0"
lab_wait_line "$(lab_guest_log lrx)" '^nettest: waiting for' 20
lab_exec tcpreplay -q -i host0 --pps=1000 "$LAB_DIR/lrx.pcap" >/dev/null 2>&1
lab_guest_wait lrx
like "$OUT" 'nettest: net0 received 300 frames, 454200 bytes' "legacy: 300 frames received exactly"

# --- the lab's run passes -M microvm through ----------------------------------------------
out=$(scripts/lab run --timeout 30 --capture "$LAB_DIR/run.pcap" -- "$BUILD/pktgen.elf" \
	-M microvm --append "count=200 dst_mac=$SINK" 2>&1); rc=$?
is "$rc" 0 "scripts/lab run -M microvm: exit 0"
like "$out" '^pktgen\| pktgen: net0 virtio-net mmio-modern ' "scripts/lab run: the guest is on virtio-mmio"
is "$(lab_pcap_count "$LAB_DIR/run.pcap" "udp && eth.dst == $SINK")" 200 "scripts/lab run: 200 frames on its bridge"

# --- the command line: the user's device settings and QEMU's ---------------------------------
# The user repeats the device QEMU appends: driven once. A slot with no
# virtio-mmio device behind it is reported and skipped.
lab_guest_start dup nettest tap0 "${MICROVM[@]}" \
	--append "count=100 virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=4K@0xd0000000:5"
lab_guest_wait dup
is "$RC" 0 "a device given twice: nettest exits 0"
like "$OUT" 'virtio_mmio.device=512@0xfeb00e00:12 overlaps a device given before; ignored' \
	"the repeated device: said so"
like "$OUT" 'mmio 0xd0000000: not a virtio-mmio device \(MagicValue 0' "the slot with nothing behind it: said so"
unlike "$OUT" '^net1:' "one NIC, not two"
like "$OUT" 'nettest: net0 sent 100 frames' "the NIC works"

out=$(scripts/run "${MICROVM[@]}" --net sink --append "count=1 # a comment" "$BUILD/nettest.elf" 2>&1); rc=$?
is "$rc" 64 "a '#' comment in --append on microvm: refused (it would hide the NICs)"
like "$out" "cannot hold a '#' comment" "and said why"
out=$(scripts/run "${MICROVM[@]}" --net sink,transport=legacy --net sink,transport=modern "$BUILD/nettest.elf" 2>&1); rc=$?
is "$rc" 64 "two transports on microvm: refused (force-legacy is machine-wide)"

# --- bad input -----------------------------------------------------------------------------
lab_guest_start nonic nettest none "${MICROVM[@]}" --append "count=10"
lab_guest_wait nonic
is "$RC" 1 "no NIC on microvm: exit status 1"
like "$OUT" 'nettest: no network device net0 \(found 0\); boot with a NIC' "no NIC: said so"

lab_guest_start bad pktgen tap0 "${MICROVM[@]}" --append "virtio_mmio.device=512@0xfeb00e00:x"
lab_guest_wait bad
is "$RC" 2 "malformed virtio_mmio.device=: exit 2"
like "$OUT" "bad value '512@0xfeb00e00:x' for 'virtio_mmio.device' \(command line\): the IRQ is not a 32-bit number; expected <size>@<base>:<irq>\[:<id>\]" \
	"malformed virtio_mmio.device=: the key, the value, what is wrong and the form"

done_testing
