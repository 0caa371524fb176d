#!/usr/bin/env bash
# A one-node Slurm cluster on this machine (controller and compute node on
# localhost), for running `tapeflow sweep --scheduler slurm` where no cluster
# is at hand, and for CI's test of it. Real Slurm: Debian's slurm-wlm with
# munge authentication, nothing simulated.
#
#   scripts/slurm_localhost.sh start   # installs slurm-wlm + munge if missing (root)
#   export SLURM_CONF=/tmp/tapeflow-slurm/slurm.conf
#   sinfo; srun hostname
#   scripts/slurm_localhost.sh stop
#
# Everything it writes is under $TAPEFLOW_SLURM_DIR (default /tmp/tapeflow-slurm);
# /etc/slurm is left alone, so it cannot clash with a real cluster's config.
set -euo pipefail

dir="${TAPEFLOW_SLURM_DIR:-/tmp/tapeflow-slurm}"
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"

install_packages() {
    if command -v slurmctld >/dev/null && command -v munged >/dev/null; then
        return
    fi
    if [[ $(id -u) -ne 0 ]]; then
        echo "slurm_localhost.sh: slurm-wlm and munge are missing; run as root or" \
             "apt-get install slurm-wlm munge" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    # a machine that has not fetched package lists lately needs them first
    apt-get install -y -q slurm-wlm munge >/dev/null \
        || { apt-get update -q >/dev/null && apt-get install -y -q slurm-wlm munge >/dev/null; }
}

start_munge() {
    # munge's client retries for a minute when no munged answers: ask only
    # where a socket exists, and not for long
    if [[ -S /run/munge/munge.socket.2 ]] && timeout 5 munge -n </dev/null >/dev/null 2>&1; then
        return                      # a munged is already answering
    fi
    [[ -s /etc/munge/munge.key ]] || mungekey --create --keyfile /etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key && chmod 600 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    # munged refuses to run as root; the Debian package's user runs it
    runuser -u munge -- /usr/sbin/munged
    munge -n </dev/null | unmunge >/dev/null
}

write_config() {
    local host node
    host="$(hostname -s)"
    # slurmd -C prints this machine's NodeName line (CPUs, sockets, memory)
    node="$(slurmd -C | head -n 1)"
    mkdir -p "$dir/state" "$dir/spool"
    cat > "$conf" <<EOF
ClusterName=tapeflow
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
# containers have no systemd-managed cgroups: track processes by parent pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
    install_packages
    start_munge
    # sinfo retries for a minute when no controller answers: ask only where
    # ours has a pid file, and not for long
    if [[ -s "$dir/slurmctld.pid" ]] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null \
            && timeout 5 sinfo -h -o %T 2>/dev/null | grep -qx idle; then
        echo "slurm_localhost.sh: already running ($conf)"
        return
    fi
    write_config
    slurmctld
    slurmd -N "$(hostname -s)"
    for _ in $(seq 1 30); do
        if timeout 5 sinfo -h -o %T 2>/dev/null | grep -qx idle; then
            break
        fi
        sleep 1
    done
    sinfo
    srun --time=1 hostname
    echo "slurm_localhost.sh: one-node cluster up; export SLURM_CONF=$conf"
}

stop() {
    for daemon in slurmd slurmctld; do
        if [[ -s "$dir/$daemon.pid" ]]; then
            kill "$(cat "$dir/$daemon.pid")" 2>/dev/null || true
        fi
    done
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
