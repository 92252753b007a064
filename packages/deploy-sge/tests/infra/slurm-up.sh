#!/bin/bash
# Bring up a single-node SLURM cluster (munged + slurmctld + slurmd) on localhost.
# Debian 12, root, no systemd. Idempotent-ish: stops daemons it started before.
# Env: SLURM_CI_CPUS (default: nproc; may exceed real cores thanks to config_overrides)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
CPUS=${SLURM_CI_CPUS:-$(nproc)}
MEM_MB=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
cat > /etc/slurm/slurm.conf <<EOF
ClusterName=ci
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# no cgroups: the default proctrack/cgroup makes every job fail and DRAINs the node
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
# Debian's default is select/linear = one job per node; cons_tres lets jobs share the node
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# allow CPUs/RealMemory above what slurmd detects (oversubscribe the 2 cores)
SlurmdParameters=config_overrides
ReturnToService=2
SchedulerParameters=sched_interval=2
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 CPUs=${CPUS} RealMemory=${MEM_MB} State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
# stop earlier instances (by pid file, only if that pid is still the daemon)
alive() { [ -s "$1" ] && [ "$(cat /proc/$(cat "$1")/comm 2>/dev/null)" = "$2" ]; }
for d in slurmd slurmctld; do
  if alive /run/$d.pid $d; then kill "$(cat /run/$d.pid)"; sleep 1; fi
done
# munge key is made by the package's postinst; make one if it is missing
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --keyfile=/etc/munge/munge.key --force
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
fi
chown munge:munge /run/munge; chmod 755 /run/munge
if ! alive /run/munge/munged.pid munged; then
  rm -f /run/munge/munged.pid
  su -s /bin/sh munge -c '/usr/sbin/munged --force'   # --force: ignore a stale socket lock
fi
munge -n | unmunge >/dev/null
# fresh controller state every time: no stale jobs / DRAIN flags from an earlier run
rm -rf /var/spool/slurmctld/* /var/spool/slurmd/*
/usr/sbin/slurmctld
/usr/sbin/slurmd -N localhost
for i in $(seq 1 60); do
  st=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
  [ "$st" = idle ] && break
  case "$st" in drain*|down*) scontrol update nodename=localhost state=resume 2>/dev/null || true;; esac
  sleep 0.5
done
sinfo
[ "$st" = idle ] || { echo "slurm node not idle: $st" >&2; tail -20 /var/log/slurm/slurmd.log /var/log/slurm/slurmctld.log >&2; exit 1; }
