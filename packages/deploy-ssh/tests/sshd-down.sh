#!/bin/bash
# Stop the sshd that sshd-up.sh started: usage sshd-down.sh DIR [ADDR=127.0.0.1] [PORT=2222]
D=$1; ADDR=${2:-127.0.0.1}; PORT=${3:-2222}
PIDFILE="$D/sshd-$ADDR-$PORT.pid"
[ -s "$PIDFILE" ] || exit 0
pid=$(cat "$PIDFILE")
[ "$(cat /proc/$pid/comm 2>/dev/null)" = sshd ] || exit 0
kill "$pid"
for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
rm -f "$PIDFILE"
