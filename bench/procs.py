"""Processes for the benchmark: servers, wrk, the PostgreSQL cluster.

Every process started here is recorded and stopped by its PID, in reverse
order of start, when the run ends for any reason (see Processes.stop_all).
Traffic goes to 127.0.0.1 only.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WRK_SCRIPT = os.path.join(REPO, "bench", "wrk", "report.lua")
CLUSTER_SCRIPT = os.path.join(REPO, "scripts", "postgres-cluster.sh")

# Seconds a server gets to exit after SIGTERM before it is killed.
STOP_GRACE = 20


class BenchError(Exception):
    """A failed step of the benchmark; the message names the step and the
    reason."""


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_request(port, method, path, headers=None, body=None, timeout=60):
    """Send one request to 127.0.0.1:port; return (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, dict(res.getheaders()), res.read()
    finally:
        conn.close()


def wait_answered(port, path, deadline_s, started):
    """Poll GET path until a response arrives; return seconds since started.

    A refused connection is retried after 1 ms. A connection that the
    kernel accepted before the server serves it simply waits for the
    response, so the time is that of the first answered request.
    """
    while True:
        try:
            status, _, _ = http_request(port, "GET", path, timeout=deadline_s)
            if status != 200:
                raise BenchError(f"GET {path} on port {port}: status {status}")
            return time.monotonic() - started
        except (ConnectionRefusedError, ConnectionResetError):
            if time.monotonic() - started > deadline_s:
                raise BenchError(f"nothing answered on port {port} within "
                                 f"{deadline_s} s")
            time.sleep(0.001)


def read_rss_kib(pid):
    """Return VmRSS of pid in KiB, or 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def child_pids(pid):
    """Return the PIDs whose parent is pid."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii",
                      errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(name))
    return found


class Processes:
    """Start processes and stop each of them by PID at the end."""

    def __init__(self):
        self.running = []

    def start(self, argv, log_path, env=None):
        """Start argv with stdout and stderr going to log_path."""
        log = open(log_path, "wb")
        try:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=env)
        finally:
            log.close()
        self.running.append(proc)
        return proc

    def stop(self, proc, sig=signal.SIGTERM):
        """Stop proc by its PID; return its exit status."""
        if proc.poll() is None:
            os.kill(proc.pid, sig)
            try:
                proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc in self.running:
            self.running.remove(proc)
        return proc.returncode

    def stop_all(self):
        """Stop every process still running, the newest first."""
        for proc in reversed(list(self.running)):
            try:
                self.stop(proc)
            except ProcessLookupError:
                pass


def wrk_argv(port, path, connections, threads, duration_s, headers=(),
             script_args=(), timeout_s=30):
    """Return the wrk command line for one load on 127.0.0.1:port."""
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration_s}s",
            "--timeout", f"{timeout_s}s", "-s", WRK_SCRIPT]
    for header in headers:
        argv += ["-H", header]
    argv.append(f"http://127.0.0.1:{port}{path}")
    if script_args:
        argv += ["--"] + list(script_args)
    return argv


def run_wrk(argv):
    """Run wrk and return its numbers as a dict: what bench/wrk/report.lua
    prints, plus "rps" and the command line that ran."""
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    return parse_wrk(out, argv)


def start_wrk(argv):
    """Start wrk in the background; finish_wrk waits for its numbers."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc, argv


def finish_wrk(started):
    """Wait for a wrk from start_wrk and return its numbers."""
    proc, argv = started
    stdout, stderr = proc.communicate()
    return parse_wrk(subprocess.CompletedProcess(argv, proc.returncode,
                                                 stdout, stderr), argv)


def parse_wrk(out, argv):
    for line in out.stdout.splitlines():
        if line.startswith("JSON "):
            result = json.loads(line[5:])
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            result["command"] = " ".join(shell_quote(a) for a in argv)
            return result
    raise BenchError(f"wrk printed no result (status {out.returncode}): "
                     f"{out.stderr.strip() or out.stdout.strip()}")


def shell_quote(arg):
    """Quote arg for a shell command line shown on the results page."""
    if arg and all(c.isalnum() or c in "-_./:=@%+," for c in arg):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"


class Cluster:
    """A throw-away PostgreSQL cluster from scripts/postgres-cluster.sh."""

    def __init__(self, directory):
        self.directory = directory
        self.admin = None

    def start(self):
        out = subprocess.run([CLUSTER_SCRIPT, "start", self.directory],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise BenchError(f"cannot start PostgreSQL: {out.stderr.strip()}")
        self.admin = out.stdout.strip().splitlines()[-1]

    def stop(self):
        subprocess.run([CLUSTER_SCRIPT, "stop", self.directory],
                       capture_output=True, check=False)

    def url(self, dbname):
        """Return the admin connection string pointed at dbname."""
        return self.admin.replace("dbname=postgres", f"dbname={dbname}")

    def sql(self, statement):
        out = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1",
                              self.admin, "-c", statement],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise BenchError(f"{statement}: {out.stderr.strip()}")
        return out.stdout.strip()

    def postmaster_pid(self):
        """Return the PID of the cluster's server process, or None."""
        try:
            with open(os.path.join(self.directory, "data", "postmaster.pid"),
                      encoding="ascii") as f:
                return int(f.readline())
        except (FileNotFoundError, ValueError):
            return None


def cpu_ticks():
    """Return {pid: (parent pid, user + system clock ticks)} of every process."""
    ticks = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii",
                      errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        ticks[int(name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return ticks


def descendants(ticks, roots):
    """Return the PIDs in ticks that are roots or below one of them."""
    children = {}
    for pid, (ppid, _) in ticks.items():
        children.setdefault(ppid, []).append(pid)
    found = set()
    todo = [r for r in roots if r is not None]
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def other_cpu_seconds(before, after, roots):
    """Return CPU seconds used between two cpu_ticks() by processes that
    are neither roots nor their descendants, with the busiest of them."""
    hz = os.sysconf("SC_CLK_TCK")
    ours = descendants(before, roots) | descendants(after, roots)
    used = {}
    for pid, (_, total) in after.items():
        if pid in ours:
            continue
        start = before.get(pid, (0, 0))[1]
        if total - start > 0:
            used[pid] = (total - start) / hz
    busiest = sorted(used.items(), key=lambda item: -item[1])[:3]
    return sum(used.values()), [{"pid": p, "cpu_s": round(s, 2),
                                 "command": command_of(p)} for p, s in busiest]


def command_of(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")[:120]
    except (FileNotFoundError, ProcessLookupError):
        return "?"
