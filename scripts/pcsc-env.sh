#!/usr/bin/env bash
# Starts the PC/SC stack shanfu's tests and `shanfu sim` use: pcscd with the vsmartcard-vpcd driver
# ("Virtual PCD 00 00" on TCP 35963, "Virtual PCD 00 01" on 35964), plus the quick-ACK loopback
# route when root (vpcd exchanges then cost ~0.3 ms instead of ~48 ms; see hal/virtual/quickack.ts).
#   scripts/pcsc-env.sh          start (if not running) and wait until vpcd listens
#   scripts/pcsc-env.sh status   show readers and the route
# The tests do the same from TypeScript (test/pcsc-env.ts); this is for a shell.
set -euo pipefail

status() {
  if pgrep -x pcscd >/dev/null; then echo "pcscd: running (pid $(pgrep -x pcscd | tr '\n' ' '))"; else echo "pcscd: not running"; fi
  if ip route show table local 127.0.0.2/32 2>/dev/null | grep -q 'quickack 1'; then echo "quick-ACK route: yes (connect to 127.0.0.2)"; else echo "quick-ACK route: no (connect to 127.0.0.1)"; fi
  command -v opensc-tool >/dev/null && opensc-tool -l || true
}

if [ "${1:-}" = status ]; then status; exit 0; fi

command -v pcscd >/dev/null || { echo "pcscd missing: apt-get install pcscd libpcsclite-dev vsmartcard-vpcd" >&2; exit 1; }
ls /usr/lib/pcsc/drivers/serial/libifdvpcd.so* >/dev/null 2>&1 || { echo "vpcd driver missing: apt-get install vsmartcard-vpcd" >&2; exit 1; }

if [ "$(id -u)" = 0 ] && ! ip route show table local 127.0.0.2/32 2>/dev/null | grep -q 'quickack 1'; then
  ip route add local 127.0.0.2 dev lo table local scope host quickack 1 || echo "could not add the quick-ACK route; exchanges will take ~48 ms" >&2
fi

# A zombie pcscd (killed under a container without init) does not count as running.
running() { for p in $(pgrep -x pcscd); do [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" != Z ] && return 0; done; return 1; }
if ! running; then
  pcscd --foreground >/tmp/pcscd.log 2>&1 &
  echo "pcscd: started (pid $!, log /tmp/pcscd.log)"
fi
for _ in $(seq 1 100); do
  ss -ltn 'sport = :35963' 2>/dev/null | grep -q 35963 && { status; exit 0; }
  sleep 0.1
done
echo "pcscd did not open the vpcd port 35963 within 10 s; see /tmp/pcscd.log" >&2
exit 1
