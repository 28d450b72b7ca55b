"""Month-end load: two gunicorn instances behind nginx on PostgreSQL, 20 clients submitting and finalising.

    .venv/bin/python bench/bench_load.py [--staff 5000] [--units 200] [--clients 20] [--instances 2]
                                         [--workers 3] [--duration 60] [--think 2]
                                         [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

What it does, all on this machine (loopback only; not run by CI):
1. creates a scratch PostgreSQL database, ``flask setup``'s schema, roles and rule sets, and a district of
   ``--staff`` people in ``--units`` units (a head who grades the unit, the rest staff; no commenter), signed
   in with a password hashed with one pbkdf2 round (as the tests do: the bench measures the app, not scrypt —
   a real sign-in adds ~0.13 s of one core);
2. opens the current month with every window ending today: the last hour of the month's windows;
3. starts ``--instances`` gunicorn instances (``--workers`` each) on free ports and nginx (Debian's package)
   balancing them (``least_conn``, as deploy/nginx.conf), which names the instance that answered in a header;
4. in ``--rounds`` rounds (the machine is shared: both see the same outside load), single-request latency — one
   client, one request at a time, walks ``--single`` people through the same calls — then load;
5. load: ``--clients`` threads for ``--duration`` seconds in all, each a person after another — sign in
   (``POST /api/v1/security/login``), ``GET /sheet/mine``, ``PUT /sheet/<id>/self``, ``POST /sheet/<id>/submit``
   — or an evaluator finalising a submitted sheet (``GET /sheet/<id>``, ``POST /sheet/<id>/finalise``), with
   a random pause of mean ``--think`` s between calls (a person reads the page), each client starting at a
   random moment of the first 2 × ``--think`` s. One submit in twenty is sent
   twice (a double click, the second possibly to the other instance): the second must be refused;
6. across instances: a token signed in on one instance works on the other and its sign-out on one ends it on
   the other; wrong passwords spread over both instances lock the account at MAX_FAILED_LOGINS; on the
   screens, a district admin signed in on one instance uploads a Mẫu 01 on the other, confirms it on the
   first and downloads the sealed credential sheet from the second (uploads in the shared instance folder);
7. counts in the database: every submit and finalise a client saw succeed is there exactly once (state and
   event), nothing else moved, and no request failed.

Prints throughput, p50/p95 per call and overall, the single-request latency, p95 / single (target ≤ 5), the
instances' shares, and the database counts. Exit status 0 when every check and the ratio hold.
"""
from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import queue
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "Bench@2026-load"
ADMIN_USERNAME = "quantri_thutai"
ADMIN_PASSWORD = "Thử-tải-cuối-tháng-2026!"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Thanh", "Ngọc"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Lan", "Linh", "Long", "Mai", "Nam", "Sơn", "Trang"]


# -- the database --------------------------------------------------------------------------------------------


def pg_scratch(url: str, prefix: str):
    """A new database on the server of ``url``; returns (its url, drop)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            url = "postgresql+psycopg://" + url[len(scheme):]
    server = make_url(url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def make_app(url: str, instance: str, secret: str):
    from app import create_app
    from app.cli import run_setup
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ACCOUNT_SUFFIX": "badinh", "DISTRICT_NAME": "Quận Ba Đình",
                      "INSTANCE_DIR": instance, "SECRET_KEY": secret})
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        run_setup()
        db.session.remove()
    return app


def generate(app, staff: int, units: int, seed: int = 2026) -> dict:
    """Units of a head and staff (the head grades them), roles, one fast password hash; returns the plan."""
    from flask_appbuilder.security.sqla.models import Role, assoc_user_role
    from sqlalchemy import insert, select, text, update
    from werkzeug.security import generate_password_hash

    from app.domain.roles import LEADER, STAFF, roles_for
    from app.domain.text import fold
    from app.extensions import db
    from app.models import OrgUnit, Staff
    from app.services import clock

    rng = random.Random(seed)
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    org, user = OrgUnit.__table__, Staff.__table__
    now = clock.now()
    with app.app_context():
        conn = db.session.connection()
        roles = {r.name: r.id for r in db.session.scalars(select(Role))}
        root = db.session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "district"))
        block = conn.execute(insert(org).values(name="Khối xã, phường", name_key=fold("Khối xã, phường"), kind="block",
                                                parent_id=root, created_on=now).returning(org.c.id)).scalar_one()
        conn.execute(update(org).where(org.c.id == block).values(block_id=block))
        next_id = (db.session.scalar(select(Staff.id).order_by(Staff.id.desc()).limit(1)) or 0) + 1
        rows, role_rows, plan = [], [], {"units": [], "staff": [], "heads": {}}
        sizes = [staff // units + (1 if i < staff % units else 0) for i in range(units)]
        for i, size in enumerate(sizes):
            name = f"Phường Thử Tải {i + 1:03d}"
            uid = conn.execute(insert(org).values(name=name, name_key=fold(name), kind="unit", parent_id=block, block_id=block,
                                                  created_on=now).returning(org.c.id)).scalar_one()
            conn.execute(update(org).where(org.c.id == uid).values(unit_id=uid))
            head = next_id
            plan["units"].append(uid)
            for k in range(size):
                pid = next_id + k
                role = LEADER if pid == head else STAFF
                full = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                username = f"tai{pid}_badinh"
                rows.append({
                    "id": pid, "first_name": full.split()[-1], "last_name": " ".join(full.split()[:-1]), "full_name": full,
                    "name_key": fold(full), "username": username, "email": f"{username}@bench.invalid", "active": True,
                    "password": hashed, "unit_id": uid, "department_id": None, "eval_role": role,
                    "reviewer_id": None, "evaluator_id": None if pid == head else head, "is_unit_admin": False,
                    "must_change_password": False, "session_version": 0, "created_on": now, "changed_on": now,
                })
                role_rows += [{"user_id": pid, "role_id": roles[r]} for r in sorted(roles_for(role, False)) if r in roles]
                if pid == head:
                    plan["heads"][uid] = username
                else:
                    plan["staff"].append((username, uid))
            next_id += size
        for start in range(0, len(rows), 5000):
            conn.execute(insert(user), rows[start:start + 5000])
        conn.execute(insert(assoc_user_role), role_rows)
        conn.execute(text("SELECT setval(pg_get_serial_sequence('ab_user', 'id'), (SELECT MAX(id) FROM ab_user))"))
        db.session.commit()
        from app.domain.scope import SYSTEM
        from app.services.staff import create_district_admin

        create_district_admin(db.session, ADMIN_USERNAME, "Quản trị thử tải", ADMIN_PASSWORD, actor=SYSTEM)
        db.session.commit()
        plan["unit_names"] = [db.session.get(OrgUnit, u).name for u in plan["units"][:8]]
        plan["taken"] = set(db.session.execute(
            select(OrgUnit.name_key, Staff.name_key).join(OrgUnit, OrgUnit.id == Staff.unit_id)).all())
        db.session.remove()
    return plan


def open_month(app) -> str:
    """The current month, every window from its first day to today (the last hour of the windows)."""
    from app.domain.roles import ADMIN
    from app.domain.scope import Actor
    from app.extensions import db
    from app.services import clock
    from app.services.evaluation import periods
    from app.services.uow import unit_of_work

    today = clock.today()
    key = f"{today.year}-{today.month:02d}"
    first = today.replace(day=1)
    windows = {step: (first, today) for step in ("self_assessment", "comment", "grading")}
    with app.app_context():
        with unit_of_work(db.session):
            periods.open_period(db.session, key, Actor(id=None, roles=frozenset({ADMIN})), windows=windows)
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            from sqlalchemy import text

            c.execute(text("VACUUM ANALYZE"))
    return key


# -- the servers ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str = "/login/", seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}{path}")


NGINX_CONF = """
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    upstream danhgia_app {{
        least_conn;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 32m;
        location / {{
            proxy_pass http://danhgia_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout http_502 http_503;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class Servers:
    """gunicorn instances and nginx, started here and stopped by their own process ids."""

    def __init__(self, work: Path, url: str, secret: str, instances: int, workers: int):
        self.work = work
        self.procs: list[subprocess.Popen] = []
        self.ports = [free_port() for _ in range(instances)]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "FLASK_"))}
        env.update({
            "APP_ENV": "production", "SECRET_KEY": secret, "DATABASE_URL": url, "INSTANCE_DIR": str(work / "instance"),
            "EVIDENCE_DIR": str(work / "instance" / "evidence"), "DISTRICT_NAME": "Quận Ba Đình",
            "ACCOUNT_SUFFIX": "badinh", "TRUSTED_PROXIES": "127.0.0.1", "LOG_LEVEL": "WARNING",
        })
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        for i, port in enumerate(self.ports, 1):
            log = open(work / f"gunicorn-{i}.log", "w")
            self.procs.append(subprocess.Popen(
                [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "120",
                 "--forwarded-allow-ips", "127.0.0.1", "run:app"],
                cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT))
        self.port = free_port()
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in self.ports)
        conf = work / "nginx.conf"
        conf.write_text(NGINX_CONF.format(work=work, servers=servers, port=self.port))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.procs.append(subprocess.Popen([nginx, "-p", str(work), "-c", str(conf), "-g", "daemon off;"],
                                           stdout=open(work / "nginx.log", "w"), stderr=subprocess.STDOUT))
        for port in self.ports:
            wait_http(port)
        wait_http(self.port)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


# -- the clients ---------------------------------------------------------------------------------------------


class Http:
    """One keep-alive connection to a port; JSON in and out; every call timed and recorded."""

    def __init__(self, port: int, record=None):
        self.port = port
        self.record = record
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, kind: str, method: str, path: str, body=None, token=None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body) if body is not None else None
        start = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed between two calls: reconnect (never after an answer).
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - start
        upstream = resp.getheader("X-Upstream", "")
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = {"raw": raw[:200].decode(errors="replace")}
        if self.record is not None:
            self.record(kind, elapsed, resp.status, upstream)
        return resp.status, payload, upstream


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[str, float, int, str]] = []
        self.errors: list[str] = []

    def __call__(self, kind, elapsed, status, upstream):
        with self.lock:
            self.samples.append((kind, elapsed, status, upstream))

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def scores_for(sheet: dict) -> list[dict]:
    """80 % of every normal criterion: a B, inside any A-quota."""
    out = []
    for c in sheet["criteria"]:
        if c["kind"] == "normal":
            out.append({"criterion_id": c["id"], "points": round(float(c["max_points"]) * 0.8, 2), "note": ""})
    return out


class Month:
    """What the clients saw succeed, to compare with the database afterwards."""

    def __init__(self):
        self.lock = threading.Lock()
        self.submitted: dict[int, str] = {}  # sheet id → username
        self.finalised: set[int] = set()
        self.duplicates_refused = 0
        self.to_finalise: "queue.Queue[tuple[int, int]]" = queue.Queue()  # (sheet id, unit id)
        self.sessions_across = 0  # people whose calls were answered by more than one instance
        self.people_done = 0


def person_flow(http: Http, rec: Recorder, month: Month, username: str, unit_id: int, pause, rng) -> None:
    seen = set()
    status, data, up = http.call("login", "POST", "/api/v1/security/login",
                                 {"username": username, "password": PASSWORD, "provider": "db"})
    seen.add(up)
    if status != 200:
        rec.error(f"login {username}: {status} {data}")
        return
    token = data["access_token"]
    pause()
    status, sheet, up = http.call("mine", "GET", "/api/v1/sheet/mine", token=token)
    seen.add(up)
    if status != 200:
        rec.error(f"mine {username}: {status} {sheet}")
        return
    pause()
    status, sheet2, up = http.call("self", "PUT", f"/api/v1/sheet/{sheet['id']}/self",
                                   {"version": sheet["version"], "scores": scores_for(sheet), "worked_days": sheet["working_days"]},
                                   token=token)
    seen.add(up)
    if status != 200:
        rec.error(f"self {username}: {status} {sheet2}")
        return
    pause()
    body = {"version": sheet2["version"]}
    status, sheet3, up = http.call("submit", "POST", f"/api/v1/sheet/{sheet['id']}/submit", body, token=token)
    seen.add(up)
    if status != 200:
        rec.error(f"submit {username}: {status} {sheet3}")
        return
    with month.lock:
        month.submitted[sheet["id"]] = username
        month.people_done += 1
        if len(seen) > 1:
            month.sessions_across += 1
    month.to_finalise.put((sheet["id"], unit_id))
    if rng.random() < 0.05:  # a double click: the same submit again, refused, nothing doubled
        status, again, _ = http.call("submit (again)", "POST", f"/api/v1/sheet/{sheet['id']}/submit", body, token=token)
        if status in (400, 409):
            with month.lock:
                month.duplicates_refused += 1
        else:
            rec.error(f"double submit {username}: {status} {again}")


class Tokens:
    """Evaluators' tokens, signed in once and shared by the clients (a head keeps their session)."""

    def __init__(self, heads: dict[int, str]):
        self.heads = heads
        self.lock = threading.Lock()
        self.tokens: dict[int, str] = {}

    def get(self, http: Http, unit_id: int, rec: Recorder):
        with self.lock:
            token = self.tokens.get(unit_id)
        if token:
            return token
        status, data, _ = http.call("login", "POST", "/api/v1/security/login",
                                    {"username": self.heads[unit_id], "password": PASSWORD, "provider": "db"})
        if status != 200:
            rec.error(f"login head {unit_id}: {status} {data}")
            return None
        with self.lock:
            self.tokens.setdefault(unit_id, data["access_token"])
            return self.tokens[unit_id]


def finalise_flow(http: Http, rec: Recorder, month: Month, tokens: Tokens, sheet_id: int, unit_id: int, pause) -> None:
    token = tokens.get(http, unit_id, rec)
    if token is None:
        return
    pause()
    status, sheet, _ = http.call("open", "GET", f"/api/v1/sheet/{sheet_id}", token=token)
    if status != 200:
        rec.error(f"open {sheet_id}: {status} {sheet}")
        return
    pause()
    status, done, _ = http.call("finalise", "POST", f"/api/v1/sheet/{sheet_id}/finalise", {"version": sheet["version"]}, token=token)
    if status != 200:
        rec.error(f"finalise {sheet_id}: {status} {done}")
        return
    with month.lock:
        month.finalised.add(sheet_id)


def run_clients(port: int, people: list, heads: dict, clients: int, duration: float, think: float,
                month: Month, rec: Recorder, seed: int = 7) -> float:
    """``clients`` threads until ``duration`` is over (each finishes the person or sheet in hand)."""
    work: "queue.Queue[tuple[str, int]]" = queue.Queue()
    for p in people:
        work.put(p)
    tokens = Tokens(heads)
    deadline = time.monotonic() + duration

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        http = Http(port, rec)

        def pause():
            if think > 0:
                time.sleep(rng.expovariate(1 / think))

        time.sleep(rng.uniform(0, 2 * think))  # people arrive one by one, not all in the same millisecond
        while time.monotonic() < deadline:
            try:
                if rng.random() < 0.4:
                    item = month.to_finalise.get_nowait()
                    finalise_flow(http, rec, month, tokens, *item, pause)
                    continue
            except queue.Empty:
                pass
            try:
                username, unit_id = work.get_nowait()
            except queue.Empty:
                return
            try:
                person_flow(http, rec, month, username, unit_id, pause, rng)
            except Exception as exc:  # a timeout or a dropped connection is an error of the run
                rec.error(f"{username}: {exc!r}")
            pause()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 120)
    return time.perf_counter() - start


# -- checks across instances ---------------------------------------------------------------------------------


def across_instances(ports: list[int], username: str, other: str, max_failed: int) -> dict:
    """A token from instance A works on B; sign-out on B ends it on A; wrong passwords on A and B lock."""
    a, b = Http(ports[0]), Http(ports[-1])
    out = {}
    status, data, _ = a.call("login", "POST", "/api/v1/security/login", {"username": username, "password": PASSWORD, "provider": "db"})
    assert status == 200, (status, data)
    token = data["access_token"]
    out["token_from_a_works_on_b"] = b.call("mine", "GET", "/api/v1/sheet/mine", token=token)[0] == 200
    out["sign_out_on_b"] = b.call("logout", "POST", "/api/v1/security/logout", {}, token=token)[0] == 200
    out["token_refused_on_a_after"] = a.call("mine", "GET", "/api/v1/sheet/mine", token=token)[0] == 401
    for i in range(max_failed):
        server = a if i % 2 == 0 else b
        server.call("login", "POST", "/api/v1/security/login", {"username": other, "password": "sai-mat-khau", "provider": "db"})
    status, data, _ = b.call("login", "POST", "/api/v1/security/login", {"username": other, "password": PASSWORD, "provider": "db"})
    out[f"locked_after_{max_failed}_failures_on_both"] = status != 200
    out["lock_message"] = (data or {}).get("message", "")
    return out


# -- the screens across instances: an upload on one, confirmed on the other -----------------------------------


class Browser:
    """A cookie jar and CSRF tokens over plain http.client, speaking to any instance."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if content_type:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        for header in resp.msg.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, resp.getheader("Location", ""), data

    @staticmethod
    def csrf(page: bytes) -> str:
        import re

        m = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
        assert m, "no CSRF token on the page"
        return (m.group(1) or m.group(2)).decode()

    def form(self, port: int, path: str, fields: dict) -> tuple:
        from urllib.parse import urlencode

        return self.request(port, "POST", path, urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def multipart(self, port: int, path: str, fields: dict, filename: str, content: bytes) -> tuple:
        boundary = "----danhgia" + uuid.uuid4().hex
        parts = []
        for k, v in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                     "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
                     + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(port, "POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}")


def upload_across_instances(ports: list[int], plan: dict, work: Path) -> dict:
    """The district admin signs in on A, uploads a Mẫu 01 on B, confirms it on A, downloads the credentials on B."""
    import re

    from bench_mau01_import import write_mau01

    a, b = ports[0], ports[-1]
    path = work / "mau01_across.xlsx"
    write_mau01(path, 24, plan["unit_names"], plan["taken"])
    br = Browser()
    out = {}
    _, _, page = br.request(a, "GET", "/login/")
    status, _, _ = br.form(a, "/login/", {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD, "csrf_token": br.csrf(page)})
    out["signed_in_on_a"] = status in (302, 303)
    _, _, page = br.request(b, "GET", "/mau01/")
    status, _, preview = br.multipart(b, "/mau01/upload", {"csrf_token": br.csrf(page)}, path.name, path.read_bytes())
    confirm = re.search(rb"/mau01/confirm/([A-Za-z0-9_-]+)", preview)
    out["preview_on_b"] = status == 200 and confirm is not None
    if not confirm:
        return out
    status, _, done = br.form(a, f"/mau01/confirm/{confirm.group(1).decode()}", {"csrf_token": br.csrf(preview)})
    cred = re.search(rb"/mau01/credentials/([A-Za-z0-9_-]+)", done)
    out["confirmed_on_a"] = status == 200 and "Đã nhập Mẫu 01".encode() in done and cred is not None
    if not cred:
        return out
    status, _, sheet = br.request(b, "GET", f"/mau01/credentials/{cred.group(1).decode()}")
    out["credentials_from_b"] = status == 200 and sheet[:2] == b"PK"
    return out


# -- the database afterwards ---------------------------------------------------------------------------------


def database_counts(app, period_key: str, month: Month) -> dict:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Period, Sheet, SheetEvent

    with app.app_context():
        pid = db.session.scalar(select(Period.id).where(Period.key == period_key))
        states = dict(db.session.execute(select(Sheet.id, Sheet.state).where(Sheet.period_id == pid)).all())
        events = defaultdict(Counter)
        for sheet_id, action in db.session.execute(
                select(SheetEvent.sheet_id, SheetEvent.action).join(Sheet).where(Sheet.period_id == pid)):
            events[sheet_id][action] += 1
        db.session.remove()
    lost_submits = [s for s in month.submitted if events[s]["submit"] != 1]
    doubled = [s for s in states if events[s]["submit"] > 1 or events[s]["finalise"] > 1]
    lost_final = [s for s in month.finalised if states.get(s) != "finalised" or events[s]["finalise"] != 1]
    wrong_state = [s for s in month.submitted if s not in month.finalised and states.get(s) != "submitted"]
    stray = [s for s, st in states.items() if s not in month.submitted and (st != "draft" or sum(events[s].values()))]
    return {
        "sheets": len(states), "submitted_seen": len(month.submitted), "finalised_seen": len(month.finalised),
        "submit_events": sum(e["submit"] for e in events.values()), "finalise_events": sum(e["finalise"] for e in events.values()),
        "states": dict(Counter(states.values())),
        "lost": len(lost_submits) + len(lost_final), "doubled": len(doubled), "wrong_state": len(wrong_state),
        "moved_without_a_client": len(stray),
    }


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per instance")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean pause between a client's calls (s): a person reading the page, typing scores")
    parser.add_argument("--single", type=int, default=5, help="people walked one request at a time in each round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of single-request latency then load")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and the logs")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        parser.error("the load bench runs on PostgreSQL (--database-url postgresql://…)")

    work = Path(tempfile.mkdtemp(prefix="bench_load_"))
    secret = secrets.token_urlsafe(48)
    url, drop = pg_scratch(args.database_url, "bench_load")
    servers = None
    try:
        t0 = time.perf_counter()
        app = make_app(url, str(work / "instance"), secret)
        plan = generate(app, args.staff, args.units)
        key = open_month(app)
        t_gen = time.perf_counter() - t0
        max_failed = app.extensions["settings"].max_failed_logins
        print(f"PostgreSQL scratch database; {args.staff:,} people in {args.units} units, period {key} open with every "
              f"window ending today; generated in {t_gen:.1f} s")
        servers = Servers(work, url, secret, args.instances, args.workers)
        print(f"{args.instances} gunicorn instances × {args.workers} workers on ports {servers.ports}, nginx on {servers.port}")

        rng = random.Random(11)
        people = list(plan["staff"])
        rng.shuffle(people)
        probe_a, probe_b = people.pop(), people.pop()

        # Rounds of: single-request latency (one client, one call at a time, the same calls), then load. The
        # machine is shared: interleaving puts both under the same outside conditions.
        single_rec, single_month = Recorder(), Month()
        single_http = Http(servers.port, single_rec)
        tokens = Tokens(plan["heads"])
        rec, month = Recorder(), Month()
        queue_people = iter(people)
        elapsed = 0.0
        for _ in range(args.rounds):
            for _ in range(args.single):
                username, unit_id = next(queue_people)
                person_flow(single_http, single_rec, single_month, username, unit_id, lambda: None, random.Random(0))
            while not single_month.to_finalise.empty():
                finalise_flow(single_http, single_rec, single_month, tokens, *single_month.to_finalise.get(), lambda: None)
            slice_ = [next(queue_people) for _ in range(min(len(people) // (args.rounds + 1), 2000))]
            elapsed += run_clients(servers.port, slice_, plan["heads"], args.clients, args.duration / args.rounds,
                                   args.think, month, rec, seed=len(rec.samples))
        single_calls = [s for s in single_rec.samples if s[0] in ("mine", "self", "submit", "open", "finalise", "login")]
        single = statistics.median(s[1] for s in single_calls)
        single_by = {k: statistics.median(s[1] for s in single_calls if s[0] == k) for k in sorted({s[0] for s in single_calls})}
        month.submitted.update(single_month.submitted)  # moved too: counted with the rest afterwards
        month.finalised |= single_month.finalised
        cross = across_instances(servers.ports, probe_a[0], probe_b[0], max_failed)
        cross.update(upload_across_instances(servers.ports, plan, work))
        counts = database_counts(app, key, month)

        samples = rec.samples
        lat = [s[1] for s in samples]
        statuses = Counter(s[2] for s in samples)
        failed = sum(n for st, n in statuses.items() if st >= 500) + len(rec.errors) + len(single_rec.errors)
        shares = Counter(s[3] for s in samples)
        p50, p95 = pct(lat, 0.5), pct(lat, 0.95)
        print(f"\nsingle-request latency (one client, {len(single_calls)} calls over {args.rounds} rounds): median {single * 1000:.1f} ms  "
              + "  ".join(f"{k} {v * 1000:.1f}" for k, v in single_by.items()))
        print(f"load: {args.clients} clients, think {args.think} s, {elapsed:.1f} s: {len(samples):,} calls, "
              f"{len(samples) / elapsed:.1f} calls/s; {month.people_done} people signed in, saved and submitted "
              f"({month.people_done / elapsed * 60:.0f}/min), {len(month.finalised - single_month.finalised)} sheets finalised")
        print(f"  all calls: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {max(lat) * 1000:.1f} ms")
        for kind in ("login", "mine", "self", "submit", "submit (again)", "open", "finalise"):
            values = [s[1] for s in samples if s[0] == kind]
            if values:
                print(f"  {kind:<15} n={len(values):>5}  p50 {pct(values, .5) * 1000:7.1f} ms  p95 {pct(values, .95) * 1000:7.1f} ms")
        ratio = p95 / single
        last_hour = args.staff * 4 / 3600  # everybody signs in, reads, saves, submits in the last hour
        print(f"  offered: {len(samples) / elapsed:.1f} calls/s = {len(samples) / elapsed / last_hour:.1f}× the rate of "
              f"{args.staff:,} people submitting in one hour ({last_hour:.1f} calls/s, finalising not counted)")
        print(f"  p95 / single-request latency: {ratio:.2f} (target ≤ 5)")
        print(f"  statuses: {dict(sorted(statuses.items()))}; errors: {failed}")
        for line in (rec.errors + single_rec.errors)[:10]:
            print(f"    {line}")
        print(f"  answered by: " + ", ".join(f"{u or '?'} {n}" for u, n in sorted(shares.items()))
              + f"; people whose calls two instances answered: {month.sessions_across}")
        print(f"  double clicks refused: {month.duplicates_refused}")
        print("across instances: " + ", ".join(f"{k}={v}" for k, v in cross.items()))
        print(f"database: {counts}")
        ok = (failed == 0 and counts["lost"] == 0 and counts["doubled"] == 0 and counts["wrong_state"] == 0
              and counts["moved_without_a_client"] == 0 and ratio <= 5 and len(shares) >= args.instances
              and all(v for k, v in cross.items() if k != "lock_message"))
        print("OK" if ok else "FAILED")
        with app.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
        return 0 if ok else 1
    finally:
        if servers is not None:
            servers.stop()
        if args.keep:
            print(f"kept: {url} and {work}")
        else:
            drop()
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
