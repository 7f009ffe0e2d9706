#!/usr/bin/env bash
# Runs a command against a throw-away one-node SLURM cluster (munged + slurmctld + slurmd on this host).
#
# Usage: tests/slurm/slurm_cluster.sh COMMAND [ARGS...]
# Generates slurm.conf in a fresh temporary folder, starts the three daemons in the background, waits
# for the node to be idle, runs COMMAND with SLURM_CONF (and MF_SLURM_DIR, the folder) exported, and
# stops the daemons by their PIDs on every exit path. Exit status: COMMAND's; 77 when slurm-wlm/munge
# are not installed (ctest reports a skip); 1 when the cluster did not come up (logs are printed).
# Needs root (slurmd runs jobs as the submitting user). MF_SLURM_KEEP=1 keeps the folder for debugging.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in munged slurmctld slurmd sbatch sinfo; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    echo "slurm_cluster: '$tool' not installed (apt-get install slurm-wlm munge, see scripts/setup.sh)" >&2
    exit 77
  fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "slurm_cluster: needs root (slurmd must switch to the job's user)" >&2
  exit 77
fi
export PATH="$PATH:/usr/sbin"

dir=$(mktemp -d /tmp/mf-slurm.XXXXXX)
chmod 755 "$dir"
pids=()
own_conf=""     # set once this cluster's slurm.conf exists: never touch a cluster from the caller's SLURM_CONF
stop_all() {
  local rc=$?
  # Jobs left behind (a failed test) run under slurmstepd, outside the daemons: cancel them while
  # slurmctld still answers, so no job process outlives the cluster.
  if [ -n "$own_conf" ]; then
    local jobs
    jobs=$(SLURM_CONF=$own_conf timeout 5 squeue -h -o %A 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      SLURM_CONF=$own_conf timeout 5 scancel $jobs 2>/dev/null || true
      for _ in $(seq 60); do [ -z "$(SLURM_CONF=$own_conf timeout 5 squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.2; done
    fi
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    local pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${MF_SLURM_KEEP:-0}" = 1 ]; then
    echo "slurm_cluster: kept $dir" >&2
  else
    rm -rf "$dir"
  fi
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 143' TERM INT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# munge: its own key, socket and state, run as user munge in the foreground so $! is munged itself.
mkdir -p "$dir/munge"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=1024 status=none
chmod 755 "$dir/munge"     # munged wants x for all on its socket folder
chmod 400 "$dir/munge/munge.key"
chown -R munge:munge "$dir/munge"
setpriv --reuid=munge --regid=munge --init-groups \
  munged -F --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munge.seed" \
  --log-file="$dir/munge/munged.log" >"$dir/munge/stdout.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$dir/munge/munge.socket" ] && break; sleep 0.1; done

node_line=$(slurmd -C | head -1)          # this host's real CPUs/memory, or slurmd drains the node
node=$(hostname -s)
mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/tmp"
cat >"$dir/slurm.conf" <<CONF
ClusterName=mftest
SlurmctldHost=${node}(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
TmpFS=$dir/tmp
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=pmix
EnforcePartLimits=ALL
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
ReturnToService=2
SchedulerType=sched/backfill
MailProg=/bin/true
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
${node_line} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
# The pmix plugin makes a folder per job step under /tmp unless told otherwise, and job ids restart at 1
# in every fresh cluster: a stale spmix_appdir_0_1.0 from an earlier one makes that step fail to launch.
echo "PMIxCliTmpDirBase=$dir/tmp" >"$dir/mpi.conf"
export SLURM_CONF="$dir/slurm.conf" MF_SLURM_DIR="$dir"
own_conf=$SLURM_CONF

slurmctld -D -c -i -f "$SLURM_CONF" >"$dir/log/slurmctld.stdout" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$dir/log/slurmd.stdout" 2>&1 &
pids+=($!)

state=""
for _ in $(seq 100); do
  state=$(timeout 3 sinfo -h -N -o "%t" 2>/dev/null | head -1 || true)
  [ "$state" = "idle" ] && break
  sleep 0.2
done
if [ "$state" != "idle" ]; then
  echo "slurm_cluster: node not idle after ~30 s (state '${state}'); logs:" >&2
  tail -n 30 "$dir"/log/*.log "$dir"/log/*.stdout "$dir/munge/munged.log" >&2 || true
  exit 1
fi
echo "slurm_cluster: node ${node} idle (SLURM_CONF=$SLURM_CONF)"
set +e
"$@"
rc=$?
set -e
exit "$rc"
