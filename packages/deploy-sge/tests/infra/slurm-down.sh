#!/bin/bash
# Stop the daemons started by slurm-up.sh, by PID file (only if the pid is still that daemon).
for x in /run/slurmd.pid:slurmd /run/slurmctld.pid:slurmctld /run/munge/munged.pid:munged; do
  f=${x%%:*}; name=${x##*:}
  [ -s "$f" ] || continue
  pid=$(cat "$f")
  [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$name" ] || continue
  kill "$pid"
  for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
done
