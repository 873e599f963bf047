"""Webhook intake throughput: `review-tiers serve` against a Probot 14 app doing the same intake.

Both verify X-Hub-Signature-256 over the raw body and queue the delivery in Redis before they
answer; review-tiers also routes it and records it for replay checks and per-PR coalescing.
Each server is driven in turn by wrk over loopback with the same real payload
(tests/fixtures/webhooks/pull_request.opened.json, from the MIT-licensed
@octokit/webhooks-examples), every request a distinct delivery: its own X-GitHub-Delivery and
its own pull request number, so none is a replay. Bodies are signed beforehand (the signature
covers only the body). Prints requests/s, p50 and p99 of each, and their ratio in this run;
then checks that every answered request was queued, by counting Redis entries. It also prints
the CPU time each server (all its processes) spent per request: on a machine shared with other
work, the figure that varies least from run to run.

    python bench/intake.py [--seconds 10] [--connections 16] [--baseline /path/to/checkout]

--baseline also runs `review-tiers serve` from another checkout with its own virtualenv
(.venv), e.g. a worktree of main, for a before/after in the same run. The bench uses database
9 of REDIS_URL (default redis://127.0.0.1:6379) and empties it before and after each server.
Needs node/npm (the peer's packages are installed into bench/peers on first use) and wrk.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / "peers"
PAYLOAD = ROOT / "tests" / "fixtures" / "webhooks" / "pull_request.opened.json"
SECRET = "bench-intake-secret"
SENTINEL = 987654321
WRK_THREADS = 2
PEER_KEY = "peer:deliveries"
RQ_QUEUE = "rq:queue:review-tiers"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(1.0)  # let every process come up
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"server did not listen on {port}")


def signed_bodies(work: Path, count: int) -> int:
    """Write the body's three parts around two pull request numbers and one signature per
    number; returns the body's size."""
    payload = json.loads(PAYLOAD.read_text(encoding="utf-8"))
    payload["number"] = payload["pull_request"]["number"] = SENTINEL
    text = json.dumps(payload, separators=(",", ":")).encode()
    parts = text.split(str(SENTINEL).encode())
    assert len(parts) == 3, "the payload names its number twice"
    for index, part in enumerate(parts, 1):
        (work / f"part{index}").write_bytes(part)
    key = SECRET.encode()
    with (work / "signatures").open("w") as out:
        for number in range(1, count + 1):
            body = str(number).encode().join(parts)
            out.write("sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest() + "\n")
    return len(text)


def readme_serve_command() -> list[str]:
    """`review-tiers serve` as deploy/Procfile (the README's way to run it) starts it."""
    for line in (ROOT / "deploy" / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == "web":
            return shlex.split(command)
    raise SystemExit("no web process in deploy/Procfile")


def start(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=out)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) used so far by ``pid`` and every process under it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:  # ended meanwhile
        return 0.0
    ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK") + sum(tree_cpu(int(child)) for child in children)


def drive(port: int, args: argparse.Namespace, work: Path, run: str) -> dict[str, float]:
    env = os.environ | {
        "INTAKE_BENCH_DIR": str(work),
        "INTAKE_BENCH_THREADS": str(WRK_THREADS),
        "INTAKE_BENCH_RUN": run,
    }
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{args.connections}", f"-d{args.seconds}s"]
    cmd += ["-s", str(ROOT / "bench" / "intake.lua"), f"http://127.0.0.1:{port}/webhook"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    [line] = [line for line in out.splitlines() if line.startswith("RESULT ")]
    result: dict[str, float] = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def measure(name: str, args: argparse.Namespace, work: Path, redis: Redis) -> dict[str, float]:
    redis.flushdb()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "REVIEW_TIERS_"))}
    env |= {"REDIS_URL": urlsplit(args.redis_url)._replace(path="/9").geturl(), "PORT": str(port)}
    log = work / f"{name}.log"
    if name == "probot":
        env |= {
            "PEER_PORT": str(port),
            "PEER_QUEUE_KEY": PEER_KEY,
            "PEER_WEBHOOK_SECRET": SECRET,
            "PEER_PRIVATE_KEY": private_key(),
            "NODE_ENV": "production",
        }
        proc = start(["node", "app.js"], env, PEERS, log)
    else:
        checkout = ROOT if name == "review-tiers" else Path(args.baseline)
        program, *rest = readme_serve_command()
        env |= {
            "GITHUB_APP_ID": "1",
            "GITHUB_PRIVATE_KEY": private_key(),
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "REVIEW_TIERS_WEB_METRICS_PORT": "0",
        }
        env |= dict(item.split("=", 1) for item in args.serve_env)
        venv = checkout / ".venv" / "bin" if checkout != ROOT else Path(sys.executable).parent
        proc = start([str(venv / program), *rest], env, checkout, log)
    try:
        wait_for_port(port, proc, log)
        before = tree_cpu(proc.pid)
        result = drive(port, args, work, uuid.uuid4().hex[:8])
        result["cpu_ms"] = (tree_cpu(proc.pid) - before) * 1000 / max(1, result["requests"])
    finally:
        stop(proc)
    key = PEER_KEY if name == "probot" else RQ_QUEUE
    result["queued"] = redis.llen(key)
    redis.flushdb()
    return result


_KEY: list[str] = []


def private_key() -> str:
    if not _KEY:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        _KEY.append(pem.decode())
    return _KEY[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--baseline", help="another checkout whose `review-tiers serve` to run")
    parser.add_argument(
        "--serve-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable for review-tiers serve (e.g. REVIEW_TIERS_WEB_PROCESSES=3)",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
    )
    args = parser.parse_args()
    if not (PEERS / "node_modules").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=PEERS, check=True)
    redis = Redis.from_url(args.redis_url, db=9)
    with tempfile.TemporaryDirectory(prefix="intake-bench-") as tmp:
        work = Path(tmp)
        size = signed_bodies(work, 100_000)
        print(f"payload {size} bytes, {args.connections} connections, {args.seconds} s each")
        names = ["probot", "review-tiers"] + (["baseline"] if args.baseline else [])
        results = {name: measure(name, args, work, redis) for name in names}
    peer = results["probot"]["rps"]
    print(
        f"{'server':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'2xx':>9}{'other':>7}"
        f"{'errors':>7}{'queued':>9}{'ratio':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:<14}{r['rps']:>9.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['ok']:>9.0f}"
            f"{r['bad']:>7.0f}{r['errors']:>7.0f}{r['queued']:>9.0f}{r['rps'] / peer:>7.2f}"
            f"{r['cpu_ms']:>12.3f}"
        )
    for name, r in results.items():
        if r["bad"] or r["queued"] < r["ok"]:
            print(
                f"warning: {name}: {r['bad']:.0f} non-2xx, {r['queued']:.0f} queued of "
                f"{r['ok']:.0f} accepted"
            )


if __name__ == "__main__":
    main()
