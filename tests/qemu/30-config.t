#!/usr/bin/env bash
# Bad settings stop the VM with status 2 and a message naming the key; the
# config= file in the initrd is read, with the command line taking precedence.
source "$(dirname "$0")/../lib/tap.sh"

run_guest hello --append "bogus=1"
is "$RC" 2 "unknown key: exit status 2"
like "$OUT" "^config error: unknown key 'bogus' \(command line\); valid keys: loglevel config virtio_mmio.device crash" \
	"unknown key: named, with the valid keys"
like "$OUT" '^  crash +fail on purpose' "unknown key: usage of the NF's settings printed"

run_guest hello --append "crash=explode"
is "$RC" 2 "bad value: exit status 2"
like "$OUT" "^config error: bad value 'explode' for 'crash' \(command line\): expected one of none\|null\|ud\|div\|gp\|panic\|assert" \
	"bad value: key, value and accepted form named"

run_guest hello --append 'crash="none'
is "$RC" 2 "syntax error: exit status 2"
like "$OUT" 'config error: crash: unterminated quote' "syntax error: explained"

run_guest hello --append "loglevel=err"
is "$RC" 0 "loglevel=err: runs"
unlike "$OUT" '^(mem|time|pci):' "loglevel=err: info lines suppressed"
like "$OUT" '^hello: done' "loglevel=err: NF output still printed"

run_guest hello --append "loglevel=loud"
is "$RC" 2 "bad loglevel: exit status 2"
like "$OUT" "for 'loglevel'.*crit\|err\|warn\|info\|debug" "bad loglevel: levels listed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/etc"
printf '# hello settings\ncrash=panic\n' >"$tmp/root/etc/hello.conf"
scripts/mkinitrd "$tmp/root" "$tmp/initrd.cpio" >/dev/null
run_guest hello --initrd "$tmp/initrd.cpio" --append "config=/etc/hello.conf"
is "$RC" 3 "config file read: its crash=panic applies"
like "$OUT" '^initrd: [0-9]+ bytes at 0x[0-9a-f]+, 1 files' "initrd found and validated"
run_guest hello --initrd "$tmp/initrd.cpio" --append "config=/etc/hello.conf crash=none"
is "$RC" 0 "command line overrides the file"
like "$OUT" '^kernel config: loglevel=info config=/etc/hello.conf' "effective config printed"

printf 'crash=bang\n' >"$tmp/root/etc/hello.conf"
scripts/mkinitrd "$tmp/root" "$tmp/initrd.cpio" >/dev/null
run_guest hello --initrd "$tmp/initrd.cpio" --append "config=/etc/hello.conf"
is "$RC" 2 "bad value in the file: exit status 2"
like "$OUT" "bad value 'bang' for 'crash' \(/etc/hello.conf line 1\)" "file and line named"

run_guest hello --initrd "$tmp/initrd.cpio" --append "config=/etc/missing.conf"
is "$RC" 2 "missing config file: exit status 2"
like "$OUT" 'config=/etc/missing.conf: no such file in the initrd' "missing file named"

run_guest hello --append "config=/etc/hello.conf"
is "$RC" 2 "config= without an initrd: exit status 2"
like "$OUT" 'no initrd was given' "missing initrd explained"

head -c 300 /dev/urandom >"$tmp/junk"
run_guest hello --initrd "$tmp/junk"
is "$RC" 2 "corrupt initrd: exit status 2"
like "$OUT" '^initrd: bad magic at offset 0' "corrupt initrd: explained"

head -c 200 "$tmp/initrd.cpio" >"$tmp/short"
run_guest hello --initrd "$tmp/short"
is "$RC" 2 "truncated initrd: exit status 2"
like "$OUT" '^initrd: truncated' "truncated initrd: explained"

done_testing
