#!/bin/bash
# Start a private sshd (key-only, root) on ADDR:PORT with its own keys and config under DIR, for the tests.
# usage: sshd-up.sh DIR [ADDR=127.0.0.1] [PORT=2222]
# Leaves DIR/client_key (the private key to log in with) and DIR/sshd-ADDR-PORT.pid.
# Re-runnable: an sshd left over from an earlier run (same pid file) is stopped first.
set -euo pipefail
D=$1; ADDR=${2:-127.0.0.1}; PORT=${3:-2222}
if ! [ -x /usr/sbin/sshd ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server >/dev/null; }
fi
mkdir -p "$D" /run/sshd; chmod 700 "$D"; chmod 755 /run/sshd
PIDFILE="$D/sshd-$ADDR-$PORT.pid"
if [ -s "$PIDFILE" ] && [ "$(cat /proc/$(cat "$PIDFILE")/comm 2>/dev/null)" = sshd ]; then
  kill "$(cat "$PIDFILE")"; sleep 0.2
fi
rm -f "$PIDFILE"
[ -f "$D/host_key" ]   || ssh-keygen -q -t ed25519 -N '' -f "$D/host_key"
[ -f "$D/client_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$D/client_key"
cp "$D/client_key.pub" "$D/authorized_keys"
C="$D/sshd-$ADDR-$PORT.conf"
cat > "$C" <<CONF
Port $PORT
ListenAddress $ADDR
HostKey $D/host_key
PidFile $PIDFILE
AuthorizedKeysFile $D/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# StrictModes would refuse keys below a world-writable dir such as /tmp
StrictModes no
MaxStartups 100:30:200
MaxSessions 100
CONF
/usr/sbin/sshd -t -f "$C"
/usr/sbin/sshd -f "$C" -E "$D/sshd-$ADDR-$PORT.log"
for i in $(seq 1 50); do [ -s "$PIDFILE" ] && exit 0; sleep 0.1; done
echo "sshd did not start on $ADDR:$PORT; see $D/sshd-$ADDR-$PORT.log" >&2
exit 1
