#!/usr/bin/env bash
# slurm-cluster.sh: a single-node Slurm cluster from Debian 12's packages
# (slurmctld slurmd slurm-client munge, Slurm 22.05), for tests and CI.
# No systemd: the daemons run directly as root, their state and logs under
# one folder, and they are stopped by PID.
#
#   sudo ./scripts/slurm-cluster.sh install   # apt packages (once per machine)
#   sudo ./scripts/slurm-cluster.sh start     # prints: export SLURM_CONF=...
#   sudo ./scripts/slurm-cluster.sh stop
#
# $NIN_SLURM_DIR (default /tmp/nin-slurm) holds slurm.conf, state, spool,
# logs and jobcomp.txt (finished jobs; there is no slurmdbd, so no sacct).
set -euo pipefail
dir="${NIN_SLURM_DIR:-/tmp/nin-slurm}"
conf="$dir/slurm.conf"

install() {
  export DEBIAN_FRONTEND=noninteractive
  local need=()
  for p in slurmctld slurmd slurm-client munge; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${need[@]}"
  fi
}

start() {
  [ "$(id -u)" = 0 ] || { echo "slurm-cluster.sh start: run as root (the daemons run as root here)" >&2; exit 1; }
  command -v slurmctld >/dev/null || { echo "slurm-cluster.sh: Slurm is not installed: run '$0 install' first" >&2; exit 1; }
  stop >/dev/null 2>&1 || true
  mkdir -p "$dir/state" "$dir/spool" /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; }
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- /usr/sbin/munged
  fi
  local host cpus mem
  host="$(hostname -s)"
  cpus="$(nproc)"
  mem="$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))"
  cat > "$conf" <<EOF
ClusterName=nin
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MailProg=/bin/true
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
MinJobAge=3600
KillWait=20
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$conf"
  slurmctld -f "$conf"
  slurmd -f "$conf"
  for _ in $(seq 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 1
  done
  echo "slurm-cluster.sh: the node did not come up; logs: $dir/slurmctld.log $dir/slurmd.log" >&2
  tail -5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
  exit 1
}

stop() {
  for d in slurmd slurmctld; do
    if [ -f "$dir/$d.pid" ]; then
      kill "$(cat "$dir/$d.pid")" 2>/dev/null || true
      rm -f "$dir/$d.pid"
    fi
  done
  echo "stopped the Slurm daemons of $dir"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
