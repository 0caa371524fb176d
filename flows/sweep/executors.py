"""Where sweep points run: this machine (a few `tapeflow run` processes at a
time) or a Slurm cluster (one batch job per point). Both take PointJobs and
report which have ended; what a point produced is read from its run folder,
never from the executor."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Protocol

from .jobs import PointJob


class SchedulerError(RuntimeError):
    """The scheduler refused or cannot be reached (one line, exit 2)."""


class Executor(Protocol):
    #: how many points it runs at once (None: as many as the scheduler allows)
    capacity: int | None

    def adopt(self, job: PointJob) -> bool:
        """Follow the point's job from an earlier sweep if it is still queued."""

    def start(self, job: PointJob) -> None: ...

    def ended(self) -> list[PointJob]:
        """The started jobs that have ended since the last call."""

    def counts(self) -> dict[str, int]:
        """Started jobs that have not ended, by state (running, queued)."""

    def cancel(self) -> None:
        """Stop every job that has not ended (an interrupted sweep)."""


def default_jobs() -> int:
    """Points at once on this machine: one per core. A point is mostly
    single-threaded tools one after another (Yosys, Icarus, OpenSTA,
    cocotb's Python, KLayout), so one point leaves a second core mostly idle:
    on 2 cores, 4 points through verify-gl take 89.6 s with one job and
    57.6 s with two (benchmarks/sweep_time.py)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)
    return max(1, cores)


class LocalExecutor:
    def __init__(self, jobs: int):
        self.capacity = jobs
        self._running: dict[PointJob, subprocess.Popen] = {}

    def adopt(self, job: PointJob) -> bool:
        return False          # an earlier sweep's processes ended with it

    def start(self, job: PointJob) -> None:
        job.run_dir.mkdir(parents=True, exist_ok=True)
        with open(job.log, "wb") as log:
            self._running[job] = subprocess.Popen(job.argv, stdout=log,
                                                  stderr=subprocess.STDOUT,
                                                  stdin=subprocess.DEVNULL)

    def ended(self) -> list[PointJob]:
        done = [job for job, process in self._running.items() if process.poll() is not None]
        for job in done:
            del self._running[job]
        return done

    def counts(self) -> dict[str, int]:
        return {"running": len(self._running)}

    def cancel(self) -> None:
        # SIGTERM: each run marks its manifest interrupted before it exits
        for process in self._running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self._running.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        self._running.clear()


#: In the point's run folder: the Slurm job id of its last submission, so a
#: restarted sweep waits for a job still in the queue instead of submitting twice.
SLURM_JOB_FILE = "slurm-job-id"
#: squeue states of a job that has not finished its work.
ACTIVE_STATES = {"PENDING", "CONFIGURING", "RUNNING", "SUSPENDED", "REQUEUED", "RESIZING",
                 "REQUEUE_HOLD", "REQUEUE_FED", "SIGNALING", "STAGE_OUT"}


class SlurmExecutor:
    """sbatch per point (its log in the point's folder), squeue to follow.
    The job runs the same Python and tapeflow as the sweep, with the
    sweep's environment (sbatch's default --export=ALL), so the cluster's
    nodes must see this file system, as on any shared-home cluster."""

    capacity = None

    def __init__(self, cpus_per_job: int = 1, partition: str | None = None):
        for command in ("sbatch", "squeue", "scancel"):
            if shutil.which(command) is None:
                raise SchedulerError(f"--scheduler slurm: {command} is not on PATH (install "
                                     f"Slurm's client commands, or use --scheduler local)")
        self.cpus_per_job, self.partition = cpus_per_job, partition
        _check_controller()
        self._jobs: dict[str, PointJob] = {}
        self._states: dict[str, str] = {}

    def adopt(self, job: PointJob) -> bool:
        """Follow the point's job from an earlier sweep if Slurm still has it."""
        try:
            job_id = (job.run_dir / SLURM_JOB_FILE).read_text().strip()
        except OSError:
            return False
        if not job_id.isdigit() or self._queue([job_id]).get(job_id) not in ACTIVE_STATES:
            return False
        self._jobs[job_id] = job
        return True

    def start(self, job: PointJob) -> None:
        job.run_dir.mkdir(parents=True, exist_ok=True)
        command = ["sbatch", "--parsable", f"--job-name=tapeflow-{job.label}",
                   f"--output={job.log}", f"--chdir={Path.cwd()}",
                   f"--cpus-per-task={self.cpus_per_job}"]
        if self.partition:
            command.append(f"--partition={self.partition}")
        command.append(f"--wrap={shlex.join(job.argv)}")
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise SchedulerError(f"sbatch refused {job.label}: "
                                 f"{(done.stderr or done.stdout).strip()[:200]}")
        job_id = done.stdout.strip().split(";")[0]
        (job.run_dir / SLURM_JOB_FILE).write_text(job_id + "\n")
        self._jobs[job_id] = job

    def _queue(self, ids: list[str]) -> dict[str, str]:
        """Job id -> state (PENDING, RUNNING, ...) of the ids Slurm still lists."""
        done = subprocess.run(["squeue", "-h", "-o", "%i %T", "-j", ",".join(ids)],
                              capture_output=True, text=True)
        if done.returncode != 0 and "Invalid job id" not in done.stderr:
            raise SchedulerError(f"squeue failed: {done.stderr.strip()[:200]}")
        return dict(line.split(None, 1) for line in done.stdout.splitlines() if " " in line)

    def ended(self) -> list[PointJob]:
        if not self._jobs:
            return []
        self._states = self._queue(list(self._jobs))
        # a job squeue no longer lists, or lists as COMPLETING (its process
        # has exited, its manifest is written), has ended, however it ended
        gone = [job_id for job_id in self._jobs
                if self._states.get(job_id) not in ACTIVE_STATES]
        return [self._jobs.pop(job_id) for job_id in gone]

    def counts(self) -> dict[str, int]:
        running = sum(self._states.get(job_id) == "RUNNING" for job_id in self._jobs)
        return {"running": running, "queued": len(self._jobs) - running}

    def cancel(self) -> None:
        if self._jobs:
            subprocess.run(["scancel", *self._jobs], capture_output=True)
        self._jobs.clear()


def _check_controller() -> None:
    """One line before anything is submitted when no controller answers
    (Slurm's own clients retry for a minute, then print several lines)."""
    try:
        done = subprocess.run(["squeue", "-h", "-o", "%i", "-j", "1"], capture_output=True,
                              text=True, timeout=20)
    except subprocess.TimeoutExpired:
        raise SchedulerError("--scheduler slurm: no Slurm controller answered squeue within "
                             "20 s (is slurmctld running? is SLURM_CONF set?)") from None
    problem = done.stderr.strip()
    if done.returncode != 0 and "Invalid job id" not in problem:
        last = problem.splitlines()[-1] if problem else f"exit {done.returncode}"
        raise SchedulerError(f"--scheduler slurm: squeue cannot reach a cluster ({last}); "
                             f"set SLURM_CONF or start one: scripts/slurm_localhost.sh start")
