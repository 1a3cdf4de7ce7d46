#!/usr/bin/env bash
# A one-node Slurm cluster on this machine (127.0.0.1), for the tests and for trying the scripts by hand.
#   scripts/slurm/local-cluster.sh start [DIR]   configure and start munged, slurmctld and slurmd (state under DIR)
#   scripts/slurm/local-cluster.sh stop  [DIR]   stop every daemon this script started
# Needs root (the daemons) and Debian's slurm-wlm and munge. They are installed with apt-get when missing and either
# CI is set or AIOPSLAB_INSTALL=1; otherwise a missing package is an error (exit 3, "not installed"), which the tests
# turn into a skip outside CI. Configuration: the machine's CPUs, no cgroup plugins, linuxproc process tracking,
# one partition "debug". Exit 0 when the node is idle and accepts jobs.
set -euo pipefail
cmd="${1:-}"; dir="${2:-/tmp/aiopslab-slurm}"
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"

# A port is in use when a connection to it on 127.0.0.1 succeeds.
port_used() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need_install() { ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; }

start() {
  if need_install; then
    if [[ -n "${CI:-}" && "${CI}" != "false" && "${CI}" != "0" ]] || [[ "${AIOPSLAB_INSTALL:-}" == 1 ]]; then
      echo "installing slurm-wlm and munge (apt-get)..." >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null && apt-get install -y -qq slurm-wlm munge >/dev/null
    else
      echo "slurm-wlm/munge not installed (set AIOPSLAB_INSTALL=1 to let this script install them)" >&2; exit 3
    fi
  fi
  [[ $(id -u) -eq 0 ]] || { echo "the daemons need root" >&2; exit 3; }
  stop >/dev/null 2>&1 || true
  mkdir -p "$dir"/{state,spool,log,munge}
  # munge: its own key and socket under DIR, so a system munged (if any) is left alone.
  local key="$dir/munge/munge.key" sock="$dir/munge/munge.socket"
  [[ -f "$key" ]] || { dd if=/dev/urandom bs=1 count=1024 of="$key" status=none; chmod 400 "$key"; }
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  munged --force --key-file="$key" --socket="$sock" --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed"
  # Two free ports (a leftover cluster of a killed run, or another checkout's, may hold the usual ones).
  local ctld=16817
  while port_used "$ctld" || port_used $((ctld + 1)); do ctld=$((ctld + 2)); (( ctld < 17817 )) || { echo "no free port pair in 16817-17817" >&2; exit 1; }; done
  local cpus mem host
  cpus=$(nproc); mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  host=$(hostname -s)
  cat >"$conf" <<CONF
ClusterName=aiopslab
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
SlurmctldPort=$ctld
SlurmdPort=$((ctld + 1))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1
MessageTimeout=30
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  slurmctld -c -f "$conf"
  slurmd -f "$conf"
  for _ in $(seq 1 60); do
    if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then echo "slurm is up: $(sinfo -h -o '%P %D %t %c')"; return 0; fi
    sleep 1
  done
  echo "slurm did not come up within 60 s; logs in $dir/log" >&2
  tail -n 20 "$dir"/log/*.log >&2 || true
  exit 1
}

stop() {
  for f in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [[ -f "$f" ]] || continue
    pid=$(cat "$f"); kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  echo "stopped"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: local-cluster.sh start|stop [DIR]" >&2; exit 2 ;;
esac
