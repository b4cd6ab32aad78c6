#!/usr/bin/env bash
# bench/insns.sh — guest instructions per frame, counted by QEMU (TCG).
#
#   bench/insns.sh [--profile] [--net SPEC] IMAGE "SETTINGS" [N1 N2]
#
# Boots IMAGE twice under TCG with the counting plugin, with count=N1 and
# count=N2 added to SETTINGS (defaults 1000000 and 2000000), and prints
# (instructions of run 2 - instructions of run 1) / (N2 - N1): the guest's
# instructions per frame with boot and stop cancelled out. The count is
# exact for an image and its settings, whatever else the host is doing, as
# long as the guest never waits for a device (output=free, or a paced rate
# the device keeps up with): waiting polls count too.
#
# --profile also prints the 25 translation blocks of run 2 that executed the
# most instructions, with their functions (addr2line on the unstripped ELF).
# --net SPEC is passed to scripts/run (default: sink).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=0 net=sink
while [ $# -gt 0 ]; do
	case "$1" in
	--profile) profile=1 ;;
	--net) net=$2; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "insns: unknown option $1 (try --help)" >&2; exit 64 ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 2 ] || { echo "insns: usage: bench/insns.sh [--profile] IMAGE \"SETTINGS\" [N1 N2]" >&2; exit 64; }
image=$1 settings=$2 n1=${3:-1000000} n2=${4:-2000000}
[ -f "$image" ] || { echo "insns: no such image: $image" >&2; exit 64; }
[ "$n2" -gt "$n1" ] || { echo "insns: N2 must be larger than N1" >&2; exit 64; }
build=${SKIFF_BUILD:-build}
make -s --no-print-directory BUILD="$build" tcg-plugins
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

count() {	# N PLUGIN OUT: runs the image, leaves the plugin's output in OUT
	SKIFF_ACCEL=tcg SKIFF_QEMU_ARGS="-plugin $build/bench/tcg/$2.so,out=$3" \
		scripts/run --timeout 300 --net "$net" --append "$settings count=$1" "$image" \
		>"$tmp/console" 2>&1 || { echo "insns: the guest failed:" >&2; tail -5 "$tmp/console" >&2; exit 1; }
	grep -q "tx_pkts=$1 \|frames=$1 \|count=$1" "$tmp/console" ||
		echo "insns: warning: the summary does not show $1 frames" >&2
}
count "$n1" insns "$tmp/1"
count "$n2" insns "$tmp/2"
i1=$(sed -n 's/^guest_insns=//p' "$tmp/1") i2=$(sed -n 's/^guest_insns=//p' "$tmp/2")
awk -v a="$i1" -v b="$i2" -v n1="$n1" -v n2="$n2" \
	'BEGIN { printf "insns_per_frame=%.1f (%d frames: %d, %d frames: %d)\n", (b - a) / (n2 - n1), n1, a, n2, b }'

if [ "$profile" = 1 ]; then
	count "$n2" profile "$tmp/p"
	# The ELF that booted: the one whose stripped copy is the image.
	elf=$image
	for e in "$build"/obj/*/"$(basename "$image")"; do
		objcopy --strip-debug "$e" "$tmp/s" 2>/dev/null && cmp -s "$tmp/s" "$image" && elf=$e
	done
	echo "top blocks of the $n2-frame run (instructions, per frame, function):"
	sed -n '2,26p' "$tmp/p" | while read -r addr insns len execs; do
		printf '%12d %8.1f  %s\n' "$insns" "$(awk -v i="$insns" -v n="$n2" 'BEGIN { print i / n }')" \
			"$(addr2line -f -i -e "$elf" "$addr" 2>/dev/null | head -1) $addr (+$len x $execs)"
	done
fi
