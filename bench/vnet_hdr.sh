#!/usr/bin/env bash
# bench/vnet_hdr.sh [RUNS]: pktgen through the lab bridge with the tap's
# virtio-net header on and off, interleaved, 2 s each; frames/s confirmed by
# the tap's own counter. The comparison behind scripts/run's vnet_hdr=off.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
make -s NF=pktgen
lab=$(scripts/lab up --taps 2 --owner $$)
trap 'scripts/lab down "$lab" >/dev/null' EXIT
scripts/lab exec "$lab" bridge fdb add 02:00:00:00:00:99 dev tap1 master static
for r in $(seq "$runs"); do
	for v in on off; do
		before=$(scripts/lab counters "$lab" tap0 | sed 's/.*rx_packets=\([0-9]*\).*/\1/')
		out=$(scripts/lab exec "$lab" scripts/run --net "tap:tap0,vnet_hdr=$v" build/pktgen.elf \
			--append "duration=2 mode=copy dst_mac=02:00:00:00:00:99")
		after=$(scripts/lab counters "$lab" tap0 | sed 's/.*rx_packets=\([0-9]*\).*/\1/')
		echo "run $r vnet_hdr=$v $(grep -o 'summary.*tx_pps=[0-9]*' <<<"$out" | grep -o 'tx_pps=[0-9]*') tap_frames=$((after - before))"
	done
done
