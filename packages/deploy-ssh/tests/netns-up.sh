#!/bin/bash
# Two test "hosts": network namespaces shoalssh1 (10.231.0.1) and shoalssh2 (10.231.0.2) joined by a veth
# pair, each running a private sshd on port 22 (sshd-up.sh, keys under DIR).  The root namespace gets only an
# 'unreachable' route for 10.231.0.0/24, so a stray connect from it fails locally instead of leaving the machine.
# usage: netns-up.sh DIR      (re-runnable: tears down what an earlier run left first)
set -euo pipefail
D=$1
HERE=$(dirname "$0")
"$HERE/netns-down.sh" "$D"
ip route add unreachable 10.231.0.0/24 2>/dev/null || true
ip netns add shoalssh1
ip netns add shoalssh2
ip link add veth-shoalssh1 netns shoalssh1 type veth peer name veth-shoalssh2 netns shoalssh2
for i in 1 2; do
  ip -n shoalssh$i link set lo up
  ip -n shoalssh$i addr add 10.231.0.$i/24 dev veth-shoalssh$i
  ip -n shoalssh$i link set veth-shoalssh$i up
  ip netns exec shoalssh$i "$HERE/sshd-up.sh" "$D" 10.231.0.$i 22
done
