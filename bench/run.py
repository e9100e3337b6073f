"""`make bench`: a large programme on SQLite and PostgreSQL, the real server, `wrk` at 1 and 32 connections.

    make bench                                   # scale 1: 50 000 participants, 1 000 000 visits
    BENCH_SCALE=0.02 BENCH_SECONDS=3 make bench  # a quick run
    BENCH_ENGINES=postgresql BENCH_ONLY=feed,feed_304 BENCH_WORKERS=2 .venv/bin/python bench/run.py

Per engine: generate the programme (bench/generate.py; skipped when that scale is already there), start
``prison-liaison run`` on a free port, log in as the lead mentor of the dense case (and as the coordinator),
then load every endpoint for BENCH_SECONDS (default 10) at each of BENCH_CONNECTIONS (default 1,32). Every
figure is also given as a ratio to ``/health`` of the same server in the same run (measured before and after
the endpoints of each connection count; the mean is the reference), because this machine is shared and absolute
numbers drift. Results: bench/RESULTS.md (the measured part between the BEGIN/END markers is replaced) and
bench/data/results-<engine>.json.

SQLite lives in bench/data/bench-<scale>.sqlite; PostgreSQL in the database ``pl_bench`` (``pl_bench_<scale>``
below scale 1) on BENCH_PG (default postgresql://postgres@127.0.0.1:5432), created by the generator and kept
for the next run (BENCH_DROP=1 drops it at the end). Without PostgreSQL the run says so and goes on with SQLite.
Without `wrk` (Debian: apt-get install wrk) a small asyncio/httpx load client is used instead, and said so.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "RESULTS.md"
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "1,32").split(",")]
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
ENGINES = os.environ.get("BENCH_ENGINES", "sqlite,postgresql").split(",")
ONLY = [x for x in os.environ.get("BENCH_ONLY", "").split(",") if x]
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
TAG = os.environ.get("BENCH_TAG", "")  # e.g. "before": results kept apart, shown as the baseline in RESULTS.md
SRC = os.environ.get("BENCH_SRC", "")  # another checkout's src/ to serve (the code before a fix)
KEY = "kT6u0zJ2bq1m3PqQx6nq2o0zV4m8dJbYy7QhZ1c2F3s="
WRK = shutil.which("wrk")

LABELS = {
    "health": "`/health` (reference)",
    "list": "participant list, mentor (`?limit=50`)",
    "list_all": "participant list, coordinator (all cases, `?limit=50`)",
    "agenda": "agenda (`/api/v1/agenda`)",
    "participant": "participant page",
    "feed": "200-event feed",
    "feed_304": "feed, 304 (`If-None-Match`)",
    "pdf": "plan PDF, cached",
    "slots": "slot finder (4 weeks, 60 min)",
}


def log(msg: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def pg_reachable() -> bool:
    try:
        import asyncpg

        conn = await asyncio.wait_for(asyncpg.connect(PG.replace("postgresql://", "postgres://") + "/postgres"), 5)
        await conn.close()
        return True
    except Exception as exc:  # any failure means: no PostgreSQL here
        log(f"PostgreSQL at {PG} not reachable ({exc.__class__.__name__}): skipped")
        return False


# ------------------------------------------------------------------------------------------ the server


class Server:
    def __init__(self, url: str, workers: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PRISON_LIAISON_DATABASE_URL": url, "PRISON_LIAISON_PORT": str(self.port),
               "PRISON_LIAISON_ENCRYPTION_KEY": KEY, "PRISON_LIAISON_SECRET_KEY": "bench-secret-key-not-for-production",
               "PRISON_LIAISON_WORKERS": str(workers), "PRISON_LIAISON_LOG_LEVEL": "WARNING",
               "PRISON_LIAISON_BASE_URL": self.base}
        if SRC:
            env["PYTHONPATH"] = SRC
        self.log = tempfile.NamedTemporaryFile(prefix="pl-bench-server-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "prison-liaison"), "run"], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                if httpx.get(self.base + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("server did not answer /health in time")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


# ------------------------------------------------------------------------------------------ load


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def run_wrk(url: str, headers: dict[str, str], connections: int, seconds: float) -> dict[str, Any]:
    cmd = [WRK or "wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
           "--timeout", "10s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(x) for x in m.groups())
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors, "requests": total}


async def _httpx_load(url: str, headers: dict[str, str], connections: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    r = await client.get(url, headers=headers)
                    if r.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - t0) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {"rps": len(latencies) / elapsed, "p50": q[49], "p99": q[98], "errors": errors,
            "requests": len(latencies)}


def load(url: str, headers: dict[str, str], connections: int, seconds: float) -> dict[str, Any]:
    if WRK:
        return run_wrk(url, headers, connections, seconds)
    return asyncio.run(_httpx_load(url, headers, connections, seconds))


# ------------------------------------------------------------------------------------------ one engine


def prepare(server: Server, meta: dict[str, Any]) -> dict[str, tuple[str, dict[str, str], int]]:
    """Log in, make the feed, warm the caches; the endpoints as (path, headers, expected status)."""
    c = httpx.Client(base_url=server.base, timeout=120)

    def login(username: str) -> dict[str, str]:
        r = c.post("/api/v1/auth/token", json={"username": username, "password": meta["password"], "name": "bench"})
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['token']}"}

    mentor, coord = login(meta["mentor"]), login(meta["coordinator"])
    pid = meta["heavy_participant_id"]
    r = c.post("/api/v1/calendar-subscriptions", headers=mentor,
               json={"scope": "participant", "participant_id": pid, "name": "bench"})
    r.raise_for_status()
    feed = "/" + r.json()["url"].split("/", 3)[3]
    first = c.get(feed)
    first.raise_for_status()
    meta["feed_events"] = first.content.count(b"BEGIN:VEVENT")
    meta["feed_bytes"] = len(first.content)
    t0 = time.perf_counter()
    pdf = c.get(f"/api/v1/participants/{pid}/plan.pdf", headers=mentor)
    pdf.raise_for_status()
    meta["pdf_first_ms"] = round((time.perf_counter() - t0) * 1000)
    meta["pdf_bytes"] = len(pdf.content)
    paths = c.get("/schema/openapi.json").json()["paths"]
    today = date.today()
    start = today + timedelta(days=7)
    endpoints: dict[str, tuple[str, dict[str, str], int]] = {
        "health": ("/health", {}, 200),
        "list": ("/api/v1/participants?limit=50", mentor, 200),
        "list_all": ("/api/v1/participants?limit=50", coord, 200),
        "participant": (f"/api/v1/participants/{pid}", mentor, 200),
        "feed": (feed, {}, 200),
        "feed_304": (feed, {"If-None-Match": first.headers["etag"]}, 304),
        "pdf": (f"/api/v1/participants/{pid}/plan.pdf", mentor, 200),
        "slots": (f"/api/v1/participants/{pid}/visit-slots?from={start}&to={start + timedelta(days=27)}"
                  f"&minutes=60", mentor, 200),
    }
    if "/api/v1/agenda" in paths:
        endpoints["agenda"] = ("/api/v1/agenda", mentor, 200)
    else:
        meta["agenda_missing"] = True
    for name, (path, headers, expect) in endpoints.items():
        for _ in range(2 * WORKERS + 1):  # every worker's caches warm (feed bytes, PDF, compiled queries)
            got = c.get(path, headers=headers)
            if got.status_code != expect:
                raise RuntimeError(f"{name} {path}: {got.status_code} {got.text[:300]}")
    c.close()
    return endpoints


def measure(server: Server, endpoints: dict[str, tuple[str, dict[str, str], int]]) -> list[dict[str, Any]]:
    rows = []
    order = [n for n in LABELS if n in endpoints and n != "health" and (not ONLY or n in ONLY)]
    for conns in CONNECTIONS:
        before = load(server.base + "/health", {}, conns, SECONDS)
        log(f"c={conns:2d} health      {before['rps']:8.1f} req/s  p50 {before['p50']:7.2f} ms  "
            f"p99 {before['p99']:7.2f} ms")
        measured = []
        for name in order:
            path, headers, _ = endpoints[name]
            r = load(server.base + path, headers, conns, SECONDS)
            log(f"c={conns:2d} {name:11s} {r['rps']:8.1f} req/s  p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms"
                f"  errors {r['errors']}")
            measured.append((name, r))
        after = load(server.base + "/health", {}, conns, SECONDS)
        health = {k: (before[k] + after[k]) / 2 for k in ("rps", "p50", "p99")}
        health["errors"] = before["errors"] + after["errors"]
        health["requests"] = before["requests"] + after["requests"]
        rows.append({"name": "health", "connections": conns, **health,
                     "health_before_rps": before["rps"], "health_after_rps": after["rps"]})
        for name, r in measured:
            rows.append({"name": name, "connections": conns, **r, "rps_ratio": r["rps"] / health["rps"],
                         "p50_ratio": r["p50"] / health["p50"], "p99_ratio": r["p99"] / health["p99"]})
    return rows


def bench_engine(engine: str) -> dict[str, Any] | None:
    tag = f"{SCALE:g}".replace(".", "_")
    if engine == "sqlite":
        url = f"sqlite:///{DATA / f'bench-{tag}.sqlite'}"
    else:
        if not asyncio.run(pg_reachable()):
            return None
        url = f"{PG}/pl_bench" + ("" if SCALE == 1 else f"_{tag}")
    log(f"{engine}: generating at scale {SCALE:g} (cached when already there)")
    t0 = time.perf_counter()
    meta = asyncio.run(generate(url, SCALE))
    gen_seconds = meta.get("seconds", round(time.perf_counter() - t0, 1))
    server = Server(url, WORKERS)
    try:
        server.wait()
        endpoints = prepare(server, meta)
        log(f"{engine}: server up on {server.base} ({WORKERS} worker(s)); feed has {meta['feed_events']} events")
        rows = measure(server, endpoints)
    finally:
        server.stop()
    result = {"engine": engine, "url": url.split("@")[-1], "scale": SCALE, "workers": WORKERS,
              "seconds": SECONDS, "generate_seconds": gen_seconds, "meta": meta, "rows": rows,
              "at": datetime.now(UTC).isoformat(timespec="seconds")}
    DATA.mkdir(parents=True, exist_ok=True)
    result["tag"], result["src"] = TAG, SRC or "this checkout"
    (DATA / f"results-{engine}{'-' + TAG if TAG else ''}.json").write_text(json.dumps(result, indent=2))
    if engine == "postgresql" and os.environ.get("BENCH_DROP") == "1":
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", url.rsplit("/", 1)[1]],
                       check=False)
    return result


# ------------------------------------------------------------------------------------------ report


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "?")
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    load1, load5, _ = os.getloadavg()
    pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"],
                        capture_output=True, text=True, check=False).stdout.strip() or "?"
    wrk = subprocess.run([WRK, "-v"], capture_output=True, text=True, check=False).stdout.split("\n")[0] if WRK else \
        "not installed: asyncio/httpx fallback client"
    return (f"{os.cpu_count()} CPUs ({model}), {int(mem) // 1024 // 1024} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, PostgreSQL {pg}, load client: {wrk}; "
            f"load average at the end {load1:.1f} / {load5:.1f} (1 / 5 min: the machine is shared)")


def table(result: dict[str, Any]) -> str:
    lines = ["| endpoint | conns | req/s | p50 ms | p99 ms | errors | req/s ÷ health | p50 ÷ health | "
             "p99 ÷ health |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["rows"]:
        ratio = (f"{r['rps_ratio']:.0%} | {r['p50_ratio']:.1f}× | {r['p99_ratio']:.1f}×" if "rps_ratio" in r
                 else "1 | 1 | 1")
        lines.append(f"| {LABELS[r['name']]} | {r['connections']} | {r['rps']:.1f} | {r['p50']:.2f} | "
                     f"{r['p99']:.2f} | {r['errors']} | {ratio} |")
    return "\n".join(lines)


def targets(result: dict[str, Any]) -> str:
    rows = {(r["name"], r["connections"]): r for r in result["rows"]}
    top = max(CONNECTIONS)
    out = []

    def check(label: str, ok: bool | None, got: str) -> None:
        mark = "n/a" if ok is None else ("met" if ok else "**MISSED**")
        out.append(f"| {label} | {got} | {mark} |")

    for name in ("list", "agenda", "participant"):
        r = rows.get((name, top))
        check(f"{LABELS[name]}: p99 < 100 ms at {top} connections", None if r is None else r["p99"] < 100,
              "not measured" if r is None else f"{r['p99']:.1f} ms")
    for name, need in (("feed", 0.5), ("feed_304", 0.8)):
        measured = [rows[(name, c)] for c in CONNECTIONS if (name, c) in rows]
        # throughput: each endpoint's best req/s over the connection counts (a 304 waits for its audit commit,
        # so one connection measures that latency); /health's reference per count is rps / rps_ratio
        throughput = (max(r["rps"] for r in measured) / max(r["rps"] / r["rps_ratio"] for r in measured)
                      if measured else None)
        check(f"{LABELS[name]}: throughput ≥ {need:.0%} of /health's",
              None if throughput is None else throughput >= need,
              "not measured" if throughput is None else
              f"{throughput:.0%} (per count: " + " / ".join(f"{r['rps_ratio']:.0%}" for r in measured)
              + f" at {', '.join(map(str, CONNECTIONS))} conns)")
    r = rows.get(("slots", 1))
    check("slot finder median < 50 ms (1 connection)", None if r is None else r["p50"] < 50,
          "not measured" if r is None else f"{r['p50']:.1f} ms")
    return "| target | measured | |\n|---|---|---|\n" + "\n".join(out)


def report(results: list[dict[str, Any]], skipped: list[str]) -> None:
    now = datetime.now(UTC)
    cmd = " ".join(f"{k}={os.environ[k]}" for k in sorted(os.environ) if k.startswith("BENCH_")) + " make bench"
    parts = [f"Measured {now:%Y-%m-%d %H:%M} UTC with `{cmd.strip()}` (scale {SCALE:g}, {SECONDS:g} s per "
             f"figure, connections {', '.join(map(str, CONNECTIONS))}, {WORKERS} server worker(s)).",
             "", f"Machine: {machine()}.", ""]
    if not WRK:
        parts += ["`wrk` was not found: the figures come from the fallback asyncio/httpx client in this script, "
                  "which itself costs CPU on the same machine.", ""]
    for s in skipped:
        parts += [f"*{s}*", ""]
    for result in results:
        meta = result["meta"]
        parts += [f"### {result['engine']} — {meta['participants']:,} participants, {meta['visits']:,} visits, "
                  f"{meta['plan_items']:,} plan items, {meta['mentors']} mentors", "",
                  f"Generated in {result['generate_seconds']} s (0 = already there). Feed: {meta['feed_events']} "
                  f"events, {meta['feed_bytes']:,} bytes. Plan PDF: {meta['pdf_bytes']:,} bytes, first render "
                  f"{meta['pdf_first_ms']} ms." + (" The agenda endpoint does not exist on this branch yet."
                                                    if meta.get("agenda_missing") else ""), "",
                  table(result), "", targets(result), ""]
        before = DATA / f"results-{result['engine']}-before.json"
        if before.exists():
            old = json.loads(before.read_text())
            parts += [f"Before the fixes (same data, measured {old['at']}, {old['workers']} worker(s), code of "
                      f"`{old.get('src', '?')}`):", "", table(old), ""]
    body = "\n".join(parts)
    begin, end = "<!-- BEGIN measured -->", "<!-- END measured -->"
    text = RESULTS.read_text() if RESULTS.exists() else f"# Benchmarks (`make bench`)\n\n{begin}\n{end}\n"
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    RESULTS.write_text(f"{head}{begin}\n{body}\n{end}{tail}")
    log(f"wrote {RESULTS.relative_to(ROOT)}")


def main() -> None:
    if not WRK:
        log("wrk not found (apt-get install wrk): using the asyncio/httpx fallback client")
    results, skipped = [], []
    for engine in ENGINES:
        result = bench_engine(engine)
        if result is None:
            skipped.append(f"{engine}: not reachable at {PG}, skipped.")
        else:
            results.append(result)
    if TAG:
        for result in results:
            print(table(result))
        log(f"tagged run ({TAG}): bench/data/results-<engine>-{TAG}.json, RESULTS.md unchanged")
        return
    report(results, skipped)


if __name__ == "__main__":
    main()
