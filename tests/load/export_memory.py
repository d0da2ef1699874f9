#!/usr/bin/env python3
"""Export benchmark: stream the CSV export of N clients (default 1,000,000) from a
real `clientele` server on SQLite and report rows/s and the server's memory.

Only the Python standard library is used. The server runs on 127.0.0.1 only.

    python3 tests/load/export_memory.py [--rows 1000000] [--bin target/release/clientele]
"""
import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "B3nch-Passw0rd!x"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def seed(db, rows):
    con = sqlite3.connect(db)
    now = int(time.time() * 1000)
    kinds = ["retail", "wholesale", "restaurant", "hotel", "services", "other"]
    leads = ["lead", "qualified", "customer", "closed"]

    def gen():
        for i in range(1, rows + 1):
            yield (
                f"ACC{i:03d}", f"Company {i} Pvt Ltd", f"contact{i}@example.com", f"Contact {i}",
                "+917093635305", None, f"{i} MG Road, Bengaluru", kinds[i % 6], None,
                "https://example.com/", leads[i % 4], "=cmd|' /C calc'!A0" if i % 1000 == 0 else None,
                i % 500, 1, now - i, now - i,
            )

    con.executemany(
        "INSERT INTO clients (account_number, company_name, contact_email, contact_name, phone_number, "
        "whatsapp_number, business_address, business_type, gst_number, website, lead_status, notes, "
        "credits, is_active, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        gen(),
    )
    con.commit()
    con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    default_bin = os.path.join(ROOT, "target/release/clientele")
    if not os.path.exists(default_bin):
        default_bin = os.path.join(ROOT, "target/debug/clientele")
    ap.add_argument("--bin", default=default_bin)
    ap.add_argument("--out", default=os.path.join(ROOT, "tests/load/results/export.json"))
    args = ap.parse_args()

    data = tempfile.mkdtemp(prefix="clientele-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTELE_")}
    env.update(CLIENTELE_DATA_DIR=data, CLIENTELE_ADMIN_PASSWORD=PASSWORD, CLIENTELE_LOG="warn")
    subprocess.run([args.bin, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    t0 = time.time()
    seed(os.path.join(data, "clientele.db"), args.rows)
    print(f"seeded {args.rows} clients in {time.time() - t0:.1f} s", flush=True)

    port = free_port()
    env["CLIENTELE_BIND"] = f"127.0.0.1:{port}"
    server = subprocess.Popen([args.bin, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        req = urllib.request.Request(
            base + "/api/auth/login",
            data=json.dumps({"username": "admin", "password": PASSWORD}).encode(),
            headers={"content-type": "application/json"},
        )
        token = json.load(urllib.request.urlopen(req))["accessToken"]
        time.sleep(0.5)
        idle = rss_kib(server.pid)
        peak = [idle]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kib(server.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        req = urllib.request.Request(base + "/api/clients/export?sort=accountNumber",
                                     headers={"authorization": f"Bearer {token}"})
        t0 = time.time()
        lines = 0
        size = 0
        with urllib.request.urlopen(req) as res:
            while True:
                chunk = res.read(1 << 16)
                if not chunk:
                    break
                size += len(chunk)
                lines += chunk.count(b"\n")
        elapsed = time.time() - t0
        done.set()
        sampler.join()
        rows = lines - 1
        assert rows == args.rows, f"exported {rows} rows, expected {args.rows}"
        report = {
            "rows": rows,
            "bytes": size,
            "seconds": round(elapsed, 2),
            "rows_per_second": round(rows / elapsed),
            "rss_before_export_mib": round(idle / 1024, 1),
            "rss_peak_mib": round(peak[0] / 1024, 1),
            "rss_growth_mib": round((peak[0] - idle) / 1024, 1),
            "binary": os.path.relpath(args.bin, ROOT),
        }
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)
        print(json.dumps(report, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(main())
