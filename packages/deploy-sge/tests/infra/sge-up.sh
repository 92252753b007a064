#!/bin/bash
# Bring up a single-node Son of Grid Engine 8.1.9 cell (sge_qmaster + sge_execd) on localhost.
# Debian 12, root, no systemd (policy-rc.d keeps apt from starting daemons).
# Env: SGE_CI_SLOTS (default: nproc; may exceed real cores)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
export SGE_ROOT=/var/lib/gridengine SGE_CELL=default
SLOTS=${SGE_CI_SLOTS:-$(nproc)}
WORK=$(mktemp -d)
if ! command -v sge_qmaster >/dev/null; then
  for p in gridengine-common gridengine-master gridengine-client gridengine-exec; do
    echo "$p shared/gridengineconfig boolean true"
    echo "$p shared/gridenginecell string default"
    echo "$p shared/gridenginemaster string localhost"
  done | debconf-set-selections
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  # pulls in exim4 (via bsd-mailx); its daemon is not started
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends gridengine-master gridengine-exec gridengine-client >/dev/null
fi
[ -f $SGE_ROOT/$SGE_CELL/common/bootstrap ] || { echo "SGE cell not initialised by postinst" >&2; exit 1; }
# SGE insists that a host's own name and the name its IP resolves to agree.
# Here 127.0.0.1 resolves to "localhost" but gethostname() is e.g. "vm":
# make "localhost" the canonical name and the real hostname an alias of it.
H=$(hostname)
if [ "$H" != localhost ]; then echo "localhost $H" > $SGE_ROOT/$SGE_CELL/common/host_aliases; fi
echo localhost > $SGE_ROOT/$SGE_CELL/common/act_qmaster
mkdir -p /var/run/gridengine /var/spool/gridengine/execd
chown sgeadmin:sgeadmin /var/run/gridengine /var/spool/gridengine/execd
# stop earlier instances
qconf -ke localhost >/dev/null 2>&1 || true
qconf -km >/dev/null 2>&1 || true
for i in $(seq 1 40); do pgrep -x sge_qmaster >/dev/null || pgrep -x sge_execd >/dev/null || break; sleep 0.25; done
SGE_MASTER_PIDFILE=/var/run/gridengine/qmaster.pid /usr/sbin/sge_qmaster
for i in $(seq 1 60); do qstat >/dev/null 2>&1 && break; sleep 0.5; done
qstat >/dev/null
# global config BEFORE execd starts (execd reads it at start-up):
#  min_uid/min_gid 0 -> root may submit; login_shells none -> jobs keep the submitter's PATH with -V
qconf -sconf global | sed -e 's/^min_uid .*/min_uid                      0/' \
  -e 's/^min_gid .*/min_gid                      0/' \
  -e 's/^login_shells .*/login_shells                 none/' > $WORK/global
qconf -Mconf $WORK/global >/dev/null
qconf -as localhost >/dev/null 2>&1 || true
# schedule every second instead of every 15 s
qconf -ssconf | sed -e 's/^schedule_interval .*/schedule_interval                 0:0:1/' \
  -e 's/^flush_submit_sec .*/flush_submit_sec                  1/' \
  -e 's/^flush_finish_sec .*/flush_finish_sec                  1/' > $WORK/sched
qconf -Msconf $WORK/sched >/dev/null
cat > $WORK/smp <<'EOF'
pe_name            smp
slots              999
user_lists         NONE
xuser_lists        NONE
start_proc_args    NONE
stop_proc_args     NONE
allocation_rule    $pe_slots
control_slaves     FALSE
job_is_first_task  TRUE
urgency_slots      min
accounting_summary FALSE
qsort_args         NONE
EOF
qconf -sp smp >/dev/null 2>&1 || qconf -Ap $WORK/smp >/dev/null
/usr/sbin/sge_execd
for i in $(seq 1 60); do qconf -sel 2>/dev/null | grep -qx localhost && break; sleep 0.5; done
cat > $WORK/all.q <<EOF
qname                 all.q
hostlist              localhost
seq_no                0
load_thresholds       NONE
suspend_thresholds    NONE
nsuspend              1
suspend_interval      00:05:00
priority              0
min_cpu_interval      00:05:00
processors            UNDEFINED
qtype                 BATCH INTERACTIVE
ckpt_list             NONE
pe_list               smp
rerun                 FALSE
slots                 $SLOTS
tmpdir                /tmp
shell                 /bin/sh
prolog                NONE
epilog                NONE
shell_start_mode      posix_compliant
starter_method        NONE
suspend_method        NONE
resume_method         NONE
terminate_method      NONE
notify                00:00:60
owner_list            NONE
user_lists            NONE
xuser_lists           NONE
subordinate_list      NONE
complex_values        NONE
projects              NONE
xprojects             NONE
calendar              NONE
initial_state         default
s_rt                  INFINITY
h_rt                  INFINITY
s_cpu                 INFINITY
h_cpu                 INFINITY
s_fsize               INFINITY
h_fsize               INFINITY
s_data                INFINITY
h_data                INFINITY
s_stack               INFINITY
h_stack               INFINITY
s_core                INFINITY
h_core                INFINITY
s_rss                 INFINITY
h_rss                 INFINITY
s_vmem                INFINITY
h_vmem                INFINITY
EOF
if qconf -sq all.q >/dev/null 2>&1; then qconf -Mq $WORK/all.q >/dev/null; else qconf -Aq $WORK/all.q >/dev/null; fi
# wait until the queue instance has a load report (no 'u' state)
for i in $(seq 1 60); do
  st=$(qstat -f -q all.q@localhost 2>/dev/null | awk '$1=="all.q@localhost"{print $6}')
  ok=$(qstat -f -q all.q@localhost 2>/dev/null | awk '$1=="all.q@localhost"{print "yes"}')
  [ "$ok" = yes ] && [ -z "$st" ] && break
  sleep 0.5
done
qstat -f
rm -rf "$WORK"
