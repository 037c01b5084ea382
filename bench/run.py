#!/usr/bin/env python3
"""Run Usher's benchmarks and write the raw numbers and a Markdown summary.

Called by bench/run.sh after it has built the binaries; see bench/README.md
for what is measured and how to read the results. Every figure has a
reference measured in the same run: nginx serving the same body from
memory, the same request on a smaller database, or PBKDF2 timed alone.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import procs
import summarize
from procs import BenchError

ADMIN_EMAIL = "admin@example.com"
PASSWORD = "Bench-Horse-Battery-2026"

# Search terms of the listing figure: (term, what it matches).
TERMS = [
    ("admin", "one user; its trigrams occur in no other row"),
    ("user-0000042", "one user; every trigram is common to many members"),
    ("user-00001", "100 members at every size"),
    ("user-0", "every member"),
    ("nomatch-zzz", "nobody"),
    ("", "no search: the first page of every user"),
]

HTTP_CONNECTIONS = [1, 64, 256]

# The servers of the /users/me figure: name, backend (None for nginx) and
# options beyond the defaults. Each HTTP thread blocks until PostgreSQL
# returns the result of a request's query, so the last one runs twice as
# many threads.
ME_SERVERS = [
    ("nginx", None, ()),
    ("usher-sqlite", "sqlite", ()),
    ("usher-postgres", "postgres", ()),
    ("usher-postgres-4t", "postgres", ("--http-threads", "4")),
]

# Paced reads during the login figure: connections, and milliseconds each
# waits after a response.
PACED_CONNECTIONS = 8
PACED_DELAY_MS = 1
LOGIN_CONNECTIONS = 8

# Packages whose versions the results page lists.
PACKAGES = ["nginx", "nginx-light", "wrk", "libmicrohttpd12", "libsqlite3-0",
            "libpq5", "postgresql-15", "libssl3", "libjansson4"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True,
                        help="build directory with usher and bench/ tools")
    parser.add_argument("--quick", action="store_true",
                        help="one short round on small databases (smoke run)")
    parser.add_argument("--rounds", type=int, help="rounds (default 3)")
    parser.add_argument("--duration", type=int,
                        help="seconds per wrk run (default 10)")
    parser.add_argument("--output",
                        help="directory for <date>.json and <date>.md "
                             "(default bench/results, or bench/results/raw "
                             "with --quick)")
    parser.add_argument("--no-wait", action="store_true",
                        help="start even when other processes use the CPU")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary databases and logs")
    args = parser.parse_args()
    quick = args.quick
    results = os.path.join(procs.REPO, "bench", "results")
    args.output = args.output or (os.path.join(results, "raw") if quick
                                  else results)
    args.rounds = args.rounds or (1 if quick else 3)
    args.duration = args.duration or (1 if quick else 10)
    args.list_duration = 1 if quick else 5
    args.small = 1000 if quick else 10000
    args.large = 10000 if quick else 1000000
    args.starts = 2 if quick else 5
    args.hash_runs = 3 if quick else 9
    if args.rounds < 1 or args.duration < 1:
        parser.error("--rounds and --duration must be at least 1")
    return args


# ----- machine facts -------------------------------------------------------


def command_output(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return ""
    return out.stdout.strip()


def cpu_model():
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def machine_facts():
    with open("/proc/meminfo", encoding="ascii") as f:
        mem_kib = int(f.readline().split()[1])
    lscpu = command_output(["lscpu"])
    hypervisor = ""
    for line in lscpu.splitlines():
        if line.startswith("Hypervisor vendor"):
            hypervisor = line.split(":", 1)[1].strip()
    with open("/etc/debian_version", encoding="ascii") as f:
        debian = f.read().strip()
    return {
        "nproc": int(command_output(["nproc"]) or os.cpu_count()),
        "cpu_model": cpu_model(),
        "hypervisor": hypervisor,
        "kernel": platform.release(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "debian": debian,
        "compiler": command_output(["cc", "--version"]).splitlines()[0],
        "somaxconn": command_output(["sysctl", "-n", "net.core.somaxconn"]),
    }


def package_versions():
    versions = {}
    for name in PACKAGES:
        version = command_output(["dpkg-query", "-W", "-f=${Version}", name])
        if version:
            versions[name] = version
    return versions


def source_revision():
    commit = command_output(["git", "-C", procs.REPO, "rev-parse", "HEAD"])
    dirty = command_output(["git", "-C", procs.REPO, "status", "--porcelain",
                            "--untracked-files=no"])
    return commit + ("+changes" if dirty else "")


def load_snapshot(roots, seconds):
    """Return the load average and what other processes used over seconds."""
    before = procs.cpu_ticks()
    time.sleep(seconds)
    after = procs.cpu_ticks()
    used, busiest = procs.other_cpu_seconds(before, after, roots)
    with open("/proc/loadavg", encoding="ascii") as f:
        loadavg = f.read().split()[:3]
    return {"at": now_text(), "loadavg": " ".join(loadavg),
            "other_cores": round(used / seconds, 3), "busiest": busiest}


def wait_for_idle(roots, log):
    """Wait up to an hour, polling each minute, until no other process
    uses more than a tenth of a core; return the last snapshot."""
    deadline = time.monotonic() + 3600
    while True:
        snap = load_snapshot(roots, 10)
        if snap["other_cores"] < 0.1 and float(snap["loadavg"].split()[0]) < 1:
            return snap
        if time.monotonic() > deadline:
            raise BenchError(f"the machine stayed busy for an hour: {snap}")
        log(f"machine busy (load {snap['loadavg']}, other processes "
            f"{snap['other_cores']} cores); waiting a minute")
        time.sleep(50)


def now_text():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


# ----- servers -------------------------------------------------------------


class Server:
    """A running server: its process, port and what it is."""

    def __init__(self, name, proc, port, command):
        self.name = name
        self.proc = proc
        self.port = port
        self.command = command

    def rss_kib(self):
        """Return VmRSS of the server, its worker processes included."""
        total = procs.read_rss_kib(self.proc.pid)
        for child in procs.child_pids(self.proc.pid):
            total += procs.read_rss_kib(child)
        return total


class RssSampler:
    """Record the largest RSS of a server while a load runs."""

    def __init__(self, server):
        self.server = server
        self.peak = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        while not self.stopped.wait(0.25):
            self.peak = max(self.peak, self.server.rss_kib())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()


NGINX_CONF = """\
worker_processes {workers};
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    access_log off;
    keepalive_requests 100000000;
    server {{
        listen 127.0.0.1:{port} reuseport;
        location = /api/v2/users/me {{
            default_type "application/json; charset=utf-8";
            add_header X-Coder-Build-Version "{version}";
            return 200 '{body}';
        }}
        location = /api/v2/buildinfo {{
            default_type "application/json; charset=utf-8";
            return 200 '{{}}\\n';
        }}
    }}
}}
"""


class Bench:
    """The state of one run: databases, tokens and the results so far."""

    def __init__(self, args, processes, cluster, tmp, results, log):
        self.args = args
        self.procs = processes
        self.cluster = cluster
        self.tmp = tmp
        self.results = results
        self.log = log
        self.usher = os.path.join(args.build, "usher")
        self.seed = os.path.join(args.build, "bench", "usher-seed")
        self.pbkdf2 = os.path.join(args.build, "bench", "usher-pbkdf2-time")
        self.lookup = os.path.join(args.build, "bench", "usher-lookup")
        self.targets = {}
        self.tokens = {}
        self.body = None
        self.version = None
        self.log_count = 0
        self.nproc = results["machine"]["nproc"]

    # ----- starting and stopping --------------------------------------

    def start_usher(self, backend, target, extra=(), name=None):
        port = procs.free_port()
        argv = [self.usher, "server", "--http-address", f"127.0.0.1:{port}",
                "--rate-limit-disable-all"]
        if backend == "sqlite":
            argv += ["--sqlite-path", target]
        else:
            argv += ["--postgres-url", target]
        argv += list(extra)
        return self.start(name or f"usher-{backend}", argv, port)

    def start_nginx(self):
        port = procs.free_port()
        directory = os.path.join(self.tmp, "nginx")
        os.makedirs(directory, exist_ok=True)
        conf = os.path.join(directory, f"nginx-{port}.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(NGINX_CONF.format(workers=self.nproc, dir=directory,
                                      port=port, version=self.version,
                                      body=nginx_string(self.body)))
        argv = ["nginx", "-p", directory, "-c", conf, "-e",
                os.path.join(directory, "error.log")]
        return self.start("nginx", argv, port)

    def start(self, name, argv, port):
        self.log_count += 1
        log_path = os.path.join(self.tmp, "logs",
                                f"{self.log_count:03d}-{name}.log")
        started = time.monotonic()
        proc = self.procs.start(argv, log_path)
        server = Server(name, proc, port, procs_command(argv))
        server.log_path = log_path
        try:
            server.startup_s = procs.wait_answered(port, "/api/v2/buildinfo",
                                                   60, started)
        except BenchError as err:
            self.procs.stop(proc)
            raise BenchError(f"{name} did not start: {err}; log: "
                             f"{tail(log_path)}") from err
        return server

    def stop(self, server):
        status = self.procs.stop(server.proc)
        if status != 0:
            raise BenchError(f"{server.name} exited with status {status}: "
                             f"{tail(server.log_path)}")
        os.remove(server.log_path)

    # ----- preparation ------------------------------------------------

    def prepare(self):
        os.makedirs(os.path.join(self.tmp, "logs"))
        seeding = []
        for backend in ("sqlite", "postgres"):
            for size in (self.args.small, self.args.large):
                target = self.new_target(backend, f"users_{size}")
                argv = [self.seed, "--users", str(size),
                        "--sqlite-path" if backend == "sqlite"
                        else "--postgres-url", target]
                started = time.monotonic()
                out = subprocess.run(argv, capture_output=True, text=True,
                                     check=False)
                if out.returncode != 0:
                    raise BenchError(f"seeding failed: {out.stderr.strip()}")
                seeding.append({"backend": backend, "users": size,
                                "seconds": round(time.monotonic() - started, 1),
                                "command": procs_command(argv)})
                self.log(f"seeded {backend} with {size} users")
                self.targets[(backend, size)] = target
                self.login_once(backend, size)
        self.results["seeding"] = seeding

    def new_target(self, backend, name):
        """Return a new empty database: a file path or a connection string."""
        if backend == "sqlite":
            return os.path.join(self.tmp, f"{name}.db")
        self.cluster.sql(f"CREATE DATABASE {name}")
        return self.cluster.url(name)

    def drop_target(self, backend, target):
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(target + suffix):
                    os.remove(target + suffix)
        else:
            name = target.rsplit("dbname=", 1)[1]
            self.cluster.sql(f"DROP DATABASE {name}")

    def login_once(self, backend, size):
        """Log the owner in once; keep the token and the /users/me body."""
        server = self.start_usher(backend, self.targets[(backend, size)])
        try:
            body = json.dumps({"email": ADMIN_EMAIL, "password": PASSWORD})
            status, _, reply = procs.http_request(
                server.port, "POST", "/api/v2/users/login",
                {"Content-Type": "application/json"}, body)
            if status != 201:
                raise BenchError(f"login failed with {status}: {reply!r}")
            token = json.loads(reply)["session_token"]
            self.tokens[(backend, size)] = token
            # The first use of a key records it; later reads only read.
            status, headers, me = procs.http_request(
                server.port, "GET", "/api/v2/users/me",
                {"Coder-Session-Token": token})
            if status != 200:
                raise BenchError(f"GET /users/me failed with {status}")
            if backend == "sqlite" and size == self.args.small:
                _, headers, me = procs.http_request(
                    server.port, "GET", "/api/v2/users/me",
                    {"Coder-Session-Token": token})
                self.body = me
                self.version = headers["X-Coder-Build-Version"]
        finally:
            self.stop(server)

    def check_nginx_body(self, server):
        status, headers, body = procs.http_request(server.port, "GET",
                                                   "/api/v2/users/me")
        if status != 200 or body != self.body:
            raise BenchError("nginx does not return the body of /users/me")
        return headers

    def header(self, backend, size):
        return f"Coder-Session-Token: {self.tokens[(backend, size)]}"

    # ----- figure 1: GET /users/me against nginx ----------------------

    def measure_me(self):
        records = []
        lookups = []
        for rnd in range(1, self.args.rounds + 1):
            self.begin_round("me", rnd)
            for name, backend, extra in ME_SERVERS:
                records += self.me_round(rnd, name, backend, extra)
                if backend is not None:
                    lookups.append(self.lookup_round(rnd, name, backend,
                                                     extra))
            self.end_round("me", rnd)
        self.results["me"] = records
        self.results["lookup"] = lookups

    def lookup_round(self, rnd, name, backend, extra):
        """Time the store's key lookup alone, with as many threads as the
        server named name runs to serve HTTP."""
        threads = int(extra[extra.index("--http-threads") + 1]) \
            if "--http-threads" in extra else self.nproc
        size = self.args.small
        argv = [self.lookup, "--sqlite-path" if backend == "sqlite"
                else "--postgres-url", self.targets[(backend, size)],
                "--key-id", self.tokens[(backend, size)][:10],
                "--threads", str(threads), "--seconds",
                str(self.args.duration)]
        out = subprocess.run(argv, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise BenchError(f"usher-lookup failed: {out.stderr.strip()}")
        result = json.loads(out.stdout)
        result.update({"round": rnd, "server": name,
                       "command": procs_command(argv)})
        self.log(f"lookup round {rnd} {name}: "
                 f"{result['lookups_per_s']:.0f} lookups/s")
        return result

    def me_round(self, rnd, name, backend, extra):
        size = self.args.small
        if backend is None:
            server = self.start_nginx()
            self.check_nginx_body(server)
            headers = ()
        else:
            server = self.start_usher(backend, self.targets[(backend, size)],
                                      extra, name)
            headers = (self.header(backend, size),)
        idle = server.rss_kib()
        records = []
        for connections in HTTP_CONNECTIONS:
            argv = procs.wrk_argv(server.port, "/api/v2/users/me", connections,
                                  1 if connections == 1 else 2,
                                  self.args.duration, headers)
            with RssSampler(server) as rss:
                result = procs.run_wrk(argv)
            records.append({"round": rnd, "server": name,
                            "connections": connections, "wrk": result,
                            "rss_idle_kib": idle, "rss_peak_kib": rss.peak,
                            "server_command": server.command})
            self.log(f"me round {rnd} {name} c{connections}: "
                     f"{result['rps']:.0f} req/s")
            time.sleep(1)
        self.stop(server)
        return records

    # ----- figure 2: the user listing at two sizes ---------------------

    def measure_listing(self):
        records = []
        for rnd in range(1, self.args.rounds + 1):
            self.begin_round("listing", rnd)
            for backend in ("sqlite", "postgres"):
                for size in (self.args.small, self.args.large):
                    records += self.listing_round(rnd, backend, size)
            self.end_round("listing", rnd)
        self.results["listing"] = records

    def listing_round(self, rnd, backend, size):
        server = self.start_usher(backend, self.targets[(backend, size)])
        headers = (self.header(backend, size),)
        records = []
        requests = [("me", "/api/v2/users/me", None)]
        for term, _ in TERMS:
            query = urllib.parse.urlencode({"q": term, "limit": 25}) if term \
                else "limit=25"
            requests.append((term, f"/api/v2/users?{query}",
                             self.listing_count(server, backend, size, query)))
        for term, path, count in requests:
            argv = procs.wrk_argv(server.port, path, 1, 1,
                                  self.args.list_duration, headers)
            result = procs.run_wrk(argv)
            records.append({"round": rnd, "backend": backend, "users": size,
                            "term": term, "count": count, "wrk": result})
            self.log(f"listing round {rnd} {backend} {size} {term!r}: "
                     f"p50 {result['latency_us']['p50']} us")
        self.stop(server)
        return records

    def listing_count(self, server, backend, size, query):
        """Return the count the listing reports, after checking the status."""
        status, _, body = procs.http_request(
            server.port, "GET", f"/api/v2/users?{query}",
            {"Coder-Session-Token": self.tokens[(backend, size)]})
        if status != 200:
            raise BenchError(f"GET /users?{query} failed with {status}")
        return json.loads(body)["count"]

    # ----- figure 3: logins and reads beside them ----------------------

    def measure_logins(self):
        records = []
        hashes = []
        size = self.args.small
        for rnd in range(1, self.args.rounds + 1):
            self.begin_round("login", rnd)
            hashes.append(self.time_pbkdf2(rnd))
            for backend in ("sqlite", "postgres"):
                server = self.start_usher(backend, self.targets[(backend, size)])
                records += self.login_round(rnd, backend, size, server)
                self.stop(server)
            self.end_round("login", rnd)
        self.results["pbkdf2"] = hashes
        self.results["login"] = records

    def time_pbkdf2(self, rnd):
        argv = [self.pbkdf2, str(self.args.hash_runs)]
        out = subprocess.run(argv, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise BenchError(f"usher-pbkdf2-time failed: {out.stderr.strip()}")
        result = json.loads(out.stdout)
        result["round"] = rnd
        result["command"] = procs_command(argv)
        self.log(f"pbkdf2 round {rnd}: {result['median_ms']:.1f} ms")
        return result

    def login_round(self, rnd, backend, size, server):
        duration = self.args.duration
        reads = procs.wrk_argv(server.port, "/api/v2/users/me",
                               PACED_CONNECTIONS, 1, duration,
                               (self.header(backend, size),),
                               ("paced", str(PACED_DELAY_MS)))
        # The logins run a second longer on each side of the reads.
        logins = procs.wrk_argv(server.port, "/", LOGIN_CONNECTIONS, 1,
                                duration, (), ("login", str(size), PASSWORD))
        logins_around = procs.wrk_argv(server.port, "/", LOGIN_CONNECTIONS, 1,
                                       duration + 2, (),
                                       ("login", str(size), PASSWORD))
        alone = procs.run_wrk(reads)
        time.sleep(1)
        login_alone = procs.run_wrk(logins)
        time.sleep(1)
        started = procs.start_wrk(logins_around)
        try:
            time.sleep(1)
            beside = procs.run_wrk(reads)
        finally:
            login_beside = procs.finish_wrk(started)
        self.log(f"login round {rnd} {backend}: {login_alone['rps']:.1f} "
                 f"logins/s; read p99 {alone['latency_us']['p99']} us alone, "
                 f"{beside['latency_us']['p99']} us beside logins")
        return [{"round": rnd, "backend": backend, "reads_alone": alone,
                 "logins_alone": login_alone, "reads_beside": beside,
                 "logins_beside": login_beside}]

    # ----- figure 4: start-up time -------------------------------------

    def measure_startup(self):
        empty = {}
        for backend in ("sqlite", "postgres"):
            empty[backend] = self.new_target(backend, "startup_empty")
            self.stop(self.start_usher(backend, empty[backend]))
        records = []
        self.begin_round("startup", 1)
        for attempt in range(1, self.args.starts + 1):
            server = self.start_nginx()
            records.append(self.startup_record(attempt, "nginx", "", server))
            self.stop(server)
            for backend in ("sqlite", "postgres"):
                fresh = self.new_target(backend, f"startup_new_{attempt}")
                for database, target in (("new", fresh),
                                         ("empty", empty[backend]),
                                         ("large", self.targets[(
                                             backend, self.args.large)])):
                    server = self.start_usher(backend, target)
                    records.append(self.startup_record(
                        attempt, f"usher-{backend}", database, server))
                    self.stop(server)
                self.drop_target(backend, fresh)
        self.end_round("startup", 1)
        self.log(f"start-up: {len(records)} starts")
        self.results["startup"] = records

    def startup_record(self, attempt, name, database, server):
        return {"attempt": attempt, "server": name, "database": database,
                "seconds": server.startup_s, "command": server.command}

    # ----- disturbance -------------------------------------------------

    def begin_round(self, figure, rnd):
        self.round_started = (time.monotonic(), procs.cpu_ticks())

    def end_round(self, figure, rnd):
        started, before = self.round_started
        seconds = time.monotonic() - started
        used, busiest = procs.other_cpu_seconds(
            before, procs.cpu_ticks(),
            [os.getpid(), self.cluster.postmaster_pid()])
        with open("/proc/loadavg", encoding="ascii") as f:
            loadavg = " ".join(f.read().split()[:3])
        self.results["rounds"].append({
            "figure": figure, "round": rnd, "seconds": round(seconds, 1),
            "other_cores": round(used / seconds, 3), "loadavg_after": loadavg,
            "busiest_other": busiest})


def nginx_string(body):
    """Quote body for a single-quoted nginx string: \\n, \\' and \\\\."""
    text = body.decode("utf-8")
    if "$" in text:
        raise BenchError("the /users/me body has a $, which nginx would "
                         "read as a variable")
    return (text.replace("\\", "\\\\").replace("'", "\\'")
            .replace("\n", "\\n"))


def procs_command(argv):
    return " ".join(procs.shell_quote(a) for a in argv)


def tail(path, lines=15):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def run(args, processes, cluster, tmp, results, log):
    roots = [os.getpid()]
    if args.quick or args.no_wait:
        results["load_before"] = load_snapshot(roots, 2)
    else:
        results["load_before"] = wait_for_idle(roots, log)
    log(f"load before the run: {results['load_before']['loadavg']}")
    cluster.start()
    bench = Bench(args, processes, cluster, tmp, results, log)
    bench.prepare()
    bench.measure_me()
    bench.measure_listing()
    bench.measure_logins()
    bench.measure_startup()


def main():
    args = parse_args()
    started = datetime.datetime.now(datetime.timezone.utc)
    stamp = started.strftime("%Y-%m-%dT%H%M%SZ") + ("-quick" if args.quick
                                                    else "")
    results = {"started_at": now_text(), "quick": args.quick,
               "rounds_per_figure": args.rounds,
               "duration_s": args.duration,
               "listing_duration_s": args.list_duration,
               "users": {"small": args.small, "large": args.large},
               "starts": args.starts, "machine": machine_facts(),
               "versions": package_versions(),
               "source": source_revision(), "rounds": [],
               "settings": {"paced_connections": PACED_CONNECTIONS,
                            "paced_delay_ms": PACED_DELAY_MS,
                            "login_connections": LOGIN_CONNECTIONS,
                            "terms": TERMS}}
    tmp = tempfile.mkdtemp(prefix="usher-bench.")
    pg_dir = tempfile.mkdtemp(prefix="usher-bench-pg.")
    processes = procs.Processes()
    cluster = procs.Cluster(pg_dir)

    def log(message):
        print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    status = 0
    try:
        run(args, processes, cluster, tmp, results, log)
    except (BenchError, KeyboardInterrupt) as err:
        results["error"] = str(err)
        log(f"error: {err}")
        status = 1
    finally:
        processes.stop_all()
        cluster.stop()
        if args.keep:
            log(f"kept {tmp} and {pg_dir}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(pg_dir, ignore_errors=True)
    results["finished_at"] = now_text()
    os.makedirs(args.output, exist_ok=True)
    json_path = os.path.join(args.output, f"{stamp}.json")
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    log(f"wrote {json_path}")
    if status == 0:
        md_path = os.path.join(args.output, f"{stamp}.md")
        with open(md_path, "w", encoding="utf-8") as f:
            f.write(summarize.markdown(results))
        log(f"wrote {md_path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
