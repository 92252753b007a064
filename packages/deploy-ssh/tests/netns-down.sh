#!/bin/bash
# Undo netns-up.sh: stop the processes inside the two namespaces (by pid), delete them and the route.
# usage: netns-down.sh DIR
for ns in shoalssh1 shoalssh2; do
  ip netns list | grep -qw "$ns" || continue
  for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null || true; done
done
sleep 0.3
for ns in shoalssh1 shoalssh2; do
  ip netns list | grep -qw "$ns" || continue
  for pid in $(ip netns pids "$ns"); do kill -KILL "$pid" 2>/dev/null || true; done
  ip netns del "$ns"
done
rm -f "$1"/sshd-10.231.0.*-22.pid
ip route del unreachable 10.231.0.0/24 2>/dev/null || true
