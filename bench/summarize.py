#!/usr/bin/env python3
"""Turn the JSON of one bench/run.py run into Markdown tables.

Every number in a table is the median over the rounds of that run. A
ratio is computed in each round between two measurements of that round
(say Usher's requests per second over nginx's) and the median of those
per-round ratios is shown. "min..max" is the spread between rounds.

Usage: python3 -B bench/summarize.py RESULTS.json  (prints the Markdown)
"""

import json
import statistics
import sys


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_us(us):
    if us is None:
        return "–"
    if us < 1000:
        return f"{us:.0f} µs"
    if us < 1000000:
        return f"{us / 1000:.2f} ms" if us < 10000 else f"{us / 1000:.1f} ms"
    return f"{us / 1e6:.2f} s"


def fmt_rate(rate):
    if rate is None:
        return "–"
    if rate >= 100:
        return f"{rate:,.0f}"
    return f"{rate:.1f}"


def fmt_ratio(ratio):
    if ratio is None:
        return "–"
    return f"{ratio:.2f}×" if ratio < 100 else f"{ratio:,.0f}×"


def fmt_spread(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    return f"{fmt(min(values))}..{fmt(max(values))}"


def fmt_mib(kib):
    return "–" if kib is None else f"{kib / 1024:.1f} MiB"


def wrk_errors(result):
    return sum(result["errors"].values())


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i == 0 else "---:"
                            for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def server_names(runs):
    """Return the servers of the records in the order they first ran."""
    names = []
    for rec in runs:
        if rec["server"] not in names:
            names.append(rec["server"])
    return names


def ratios(numerators, denominators):
    """Per-round ratios of two {round: value} maps."""
    return [numerators[r] / denominators[r] for r in numerators
            if r in denominators and denominators[r]]


# ----- figure 1 ---------------------------------------------------------------


def me_table(results):
    runs = results.get("me", [])
    by = {}
    for rec in runs:
        by.setdefault((rec["server"], rec["connections"]), {})[rec["round"]] = \
            rec["wrk"]
    rows = []
    for server in server_names(runs):
        for conns in sorted({c for s, c in by if s == server}):
            mine = by[(server, conns)]
            ref = by.get(("nginx", conns), {})

            def pick(key, source):
                if key == "rps":
                    return {r: w["rps"] for r, w in source.items()}
                return {r: w["latency_us"][key] for r, w in source.items()}

            rps, p50, p99 = pick("rps", mine), pick("p50", mine), \
                pick("p99", mine)
            errors = sum(wrk_errors(w) for w in mine.values())
            rows.append([
                server, conns, fmt_rate(median(rps.values())),
                fmt_ratio(median(ratios(rps, pick("rps", ref)))),
                fmt_us(median(p50.values())),
                fmt_ratio(median(ratios(p50, pick("p50", ref)))),
                fmt_us(median(p99.values())),
                fmt_ratio(median(ratios(p99, pick("p99", ref)))),
                fmt_spread(rps.values(), fmt_rate), errors])
    return table(["server", "connections", "req/s", "req/s ×nginx", "p50",
                  "p50 ×nginx", "p99", "p99 ×nginx", "req/s min..max",
                  "errors"], rows)


def lookup_table(results):
    """Tabulate the store's key lookup alone beside /users/me on the same
    store."""
    lookups = {}
    for rec in results.get("lookup", []):
        lookups.setdefault(rec["server"], {})[rec["round"]] = rec
    me = {}
    for rec in results.get("me", []):
        me.setdefault((rec["server"], rec["connections"]), {})[
            rec["round"]] = rec["wrk"]["rps"]
    rows = []
    for server, by_round in lookups.items():
        rates = {r: rec["lookups_per_s"] for r, rec in by_round.items()}
        threads = next(iter(by_round.values()))["threads"]
        row = [server, threads, fmt_rate(median(rates.values()))]
        for conns in (64, 256):
            row.append(fmt_ratio(median(ratios(me.get((server, conns), {}),
                                                rates))))
        row.append(fmt_spread(rates.values(), fmt_rate))
        rows.append(row)
    return table(["server", "threads", "lookups/s", "/users/me at 64 ÷ lookups",
                  "/users/me at 256 ÷ lookups", "lookups/s min..max"], rows)


# ----- figure 2 ---------------------------------------------------------------


def listing_table(results, backend):
    small = results["users"]["small"]
    large = results["users"]["large"]
    by = {}
    for rec in results.get("listing", []):
        if rec["backend"] == backend:
            by.setdefault((rec["users"], rec["term"]), {})[rec["round"]] = rec
    descriptions = dict((t, d) for t, d in results["settings"]["terms"])
    rows = []
    for term in ["me"] + [t for t, _ in results["settings"]["terms"]]:
        at_small = by.get((small, term), {})
        at_large = by.get((large, term), {})
        p50s = {r: rec["wrk"]["latency_us"]["p50"]
                for r, rec in at_small.items()}
        p50l = {r: rec["wrk"]["latency_us"]["p50"]
                for r, rec in at_large.items()}
        me_s = {r: rec["wrk"]["latency_us"]["p50"]
                for r, rec in by.get((small, "me"), {}).items()}
        me_l = {r: rec["wrk"]["latency_us"]["p50"]
                for r, rec in by.get((large, "me"), {}).items()}
        counts = [rec["count"] for rec in at_large.values()]
        errors = sum(wrk_errors(rec["wrk"]) for rec in
                     list(at_small.values()) + list(at_large.values()))
        if term == "me":
            label, what = "`/users/me`", "the caller"
        else:
            label = f"`q={term}`" if term else "no `q`"
            what = descriptions[term]
        rows.append([
            label, what, "–" if term == "me" else f"{counts[0]:,}" if counts
            else "–",
            fmt_us(median(p50s.values())), fmt_us(median(p50l.values())),
            fmt_ratio(median(ratios(p50l, p50s))),
            fmt_ratio(median(ratios(p50s, me_s))),
            fmt_ratio(median(ratios(p50l, me_l))),
            fmt_us(median(rec["wrk"]["latency_us"]["p99"]
                          for rec in at_large.values())),
            fmt_spread(p50l.values(), fmt_us), errors])
    return table(["request", "matches", f"count at {large:,}",
                  f"p50 at {small:,}", f"p50 at {large:,}",
                  f"{large:,} ÷ {small:,}", f"×me at {small:,}",
                  f"×me at {large:,}", f"p99 at {large:,}",
                  f"p50 at {large:,} min..max", "errors"], rows)


# ----- figure 3 ---------------------------------------------------------------


def pbkdf2_table(results):
    rows = []
    for rec in results.get("pbkdf2", []):
        rows.append([rec["round"], f"{rec['median_ms']:.1f} ms",
                     f"{rec['min_ms']:.1f}..{rec['max_ms']:.1f} ms",
                     fmt_rate(results["machine"]["nproc"] /
                              (rec["median_ms"] / 1000)),
                     f"{rec['parallel_hashes_per_s']:.1f}"])
    return table(["round", "one hash (median)", "min..max",
                  "cores ÷ hash time (/s)",
                  f"measured, {results['machine']['nproc']} threads (/s)"],
                 rows)


def login_table(results):
    nproc = results["machine"]["nproc"]
    reference = {rec["round"]: nproc / (rec["median_ms"] / 1000)
                 for rec in results.get("pbkdf2", [])}
    parallel = {rec["round"]: rec["parallel_hashes_per_s"]
                for rec in results.get("pbkdf2", [])}
    rows = []
    for backend in ("sqlite", "postgres"):
        recs = {rec["round"]: rec for rec in results.get("login", [])
                if rec["backend"] == backend}
        if not recs:
            continue
        logins = {r: rec["logins_alone"]["rps"] for r, rec in recs.items()}
        beside = {r: rec["logins_beside"]["rps"] for r, rec in recs.items()}
        errors = sum(wrk_errors(rec[k]) for rec in recs.values()
                     for k in ("logins_alone", "logins_beside"))
        rows.append([
            backend, fmt_rate(median(logins.values())),
            fmt_ratio(median(ratios(logins, reference))),
            fmt_ratio(median(ratios(logins, parallel))),
            fmt_rate(median(beside.values())),
            fmt_us(median(rec["logins_alone"]["latency_us"]["p50"]
                          for rec in recs.values())),
            fmt_spread(logins.values(), fmt_rate), errors])
    return table(["backend", "logins/s", "× cores ÷ hash time",
                  "× measured parallel hashes", "logins/s beside reads",
                  "login p50", "logins/s min..max", "errors"], rows)


def reads_table(results):
    rows = []
    for backend in ("sqlite", "postgres"):
        recs = {rec["round"]: rec for rec in results.get("login", [])
                if rec["backend"] == backend}
        if not recs:
            continue

        def lat(key, pct):
            return {r: rec[key]["latency_us"][pct] for r, rec in recs.items()}

        errors = sum(wrk_errors(rec[k]) for rec in recs.values()
                     for k in ("reads_alone", "reads_beside"))
        rows.append([
            backend,
            fmt_rate(median(rec["reads_alone"]["rps"]
                            for rec in recs.values())),
            fmt_us(median(lat("reads_alone", "p50").values())),
            fmt_us(median(lat("reads_beside", "p50").values())),
            fmt_us(median(lat("reads_alone", "p99").values())),
            fmt_us(median(lat("reads_beside", "p99").values())),
            fmt_ratio(median(ratios(lat("reads_beside", "p99"),
                                    lat("reads_alone", "p99")))),
            fmt_spread(lat("reads_beside", "p99").values(), fmt_us), errors])
    return table(["backend", "reads/s", "p50 alone", "p50 beside logins",
                  "p99 alone", "p99 beside logins", "p99 beside ÷ alone",
                  "p99 beside min..max", "errors"], rows)


# ----- figure 4 ---------------------------------------------------------------


def memory_table(results):
    idle, peak = {}, {}
    for rec in results.get("me", []):
        # Every record of a server's round has the same idle RSS.
        idle.setdefault(rec["server"], {})[rec["round"]] = rec["rss_idle_kib"]
        if rec["connections"] == 256:
            peak.setdefault(rec["server"], {})[rec["round"]] = \
                rec["rss_peak_kib"]
    rows = []
    for server in server_names(results.get("me", [])):
        rows.append([
            server, fmt_mib(median(idle[server].values())),
            fmt_ratio(median(ratios(idle[server], idle["nginx"]))),
            fmt_mib(median(peak.get(server, {}).values())),
            fmt_ratio(median(ratios(peak.get(server, {}),
                                    peak.get("nginx", {})))),
            fmt_spread(peak.get(server, {}).values(), fmt_mib)])
    return table(["server", "idle RSS", "×nginx", "RSS under 256 connections",
                  "×nginx", "under 256 min..max"], rows)


def startup_table(results):
    by = {}
    for rec in results.get("startup", []):
        by.setdefault((rec["server"], rec["database"]), {})[rec["attempt"]] = \
            rec["seconds"] * 1e6
    ref = by.get(("nginx", ""), {})
    rows = []
    labels = {"": "–", "new": "new (schema created at start)",
              "empty": "migrated, no users",
              "large": f"{results['users']['large']:,} users"}
    for (server, database), times in by.items():
        rows.append([server, labels[database], fmt_us(median(times.values())),
                     fmt_ratio(median(ratios(times, ref))),
                     fmt_spread(times.values(), fmt_us)])
    return table(["server", "database", "exec to first response", "×nginx",
                  "min..max"], rows)


# ----- the page ---------------------------------------------------------------


def machine_table(results):
    m = results["machine"]
    rows = [["nproc", m["nproc"]], ["CPU", m["cpu_model"]],
            ["hypervisor", m["hypervisor"] or "none reported"],
            ["kernel", m["kernel"]], ["memory", f"{m['memory_gib']} GiB"],
            ["Debian", m["debian"]], ["compiler", m["compiler"]],
            ["net.core.somaxconn", m["somaxconn"]],
            ["source", results["source"]]]
    rows += [[name, version] for name, version in results["versions"].items()]
    return table(["item", "value"], rows)


def rounds_table(results):
    rows = [[r["figure"], r["round"], f"{r['seconds']:.0f} s",
             f"{r['other_cores']:.3f}", r["loadavg_after"]]
            for r in results["rounds"]]
    return table(["figure", "round", "length", "other processes (cores)",
                  "load average after"], rows)


def markdown(results):
    parts = [
        f"Run of {results['started_at']} to {results['finished_at']}"
        f"{' (quick smoke run: do not quote)' if results['quick'] else ''}; "
        f"{results['rounds_per_figure']} round(s), {results['duration_s']} s "
        f"per load, {results['listing_duration_s']} s per listing request.\n",
        f"Load before the run: {results['load_before']['loadavg']} (load "
        f"average), other processes {results['load_before']['other_cores']} "
        "cores.\n",
        "### Machine\n", machine_table(results),
        "### GET /api/v2/users/me\n", me_table(results),
        "### The key lookup of each request, through the store alone\n",
        lookup_table(results),
        "### GET /api/v2/users?q=…&limit=25, SQLite\n",
        listing_table(results, "sqlite"),
        "### GET /api/v2/users?q=…&limit=25, PostgreSQL\n",
        listing_table(results, "postgres"),
        "### PBKDF2-HMAC-SHA256 alone\n", pbkdf2_table(results),
        "### Password logins\n", login_table(results),
        "### Paced token reads, alone and beside logins\n",
        reads_table(results),
        "### Resident memory\n", memory_table(results),
        "### Start-up time\n", startup_table(results),
        "### Seeding\n",
        table(["backend", "users", "time"],
              [[s["backend"], f"{s['users']:,}", f"{s['seconds']} s"]
               for s in results.get("seeding", [])]),
        "### Other processes during each round\n", rounds_table(results),
    ]
    return "\n".join(parts)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[1], encoding="utf-8") as f:
        print(markdown(json.load(f)))
