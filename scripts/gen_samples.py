#!/usr/bin/env python3
"""Regenerate the incident samples under samples/ (deterministic for a fixed seed).

Usage: gen_samples.py [OUTDIR (default: samples)] [--only NAME]

Each sample is a directory with one sub-directory per service, logs written in the exact shape
the real software prints (nginx, Spring Boot/logback + HikariCP, pino, PostgreSQL stderr,
rsyslog), and a `deploys.json` change list. The logs carry no marker of the answer: only what
the software would print. This script is the only place where a scenario is described.

Scenarios:
  login-outage   auth-api 2.14.0 ships with a smaller HikariCP pool; the lunch peak exhausts it.
                 The BFF in front of it sees upstream timeouts first (its 10 s fetch timeout
                 fires before Hikari's 30 s connectionTimeout), nginx returns 502s, an unrelated
                 web deploy lands 7 minutes before, and background errors are always there.
"""

import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

UTC = timezone.utc
CET = timezone(timedelta(hours=1), "CET")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.105 Mobile Safari/537.36",
]


class Log:
    """Lines of one file, kept with their instants so they can be written in time order."""

    def __init__(self):
        self.lines = []

    def add(self, t, text):
        self.lines.append((t, len(self.lines), text))

    def write(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.lines.sort(key=lambda x: (x[0], x[1]))
        with open(path, "w", newline="\n") as f:
            for _, _, text in self.lines:
                f.write(text if text.endswith("\n") else text + "\n")


# ---------------------------------------------------------------------------------------------
# Line writers, one per real format.
# ---------------------------------------------------------------------------------------------

def nginx_time(t):
    return t.strftime("%d/") + MONTHS[t.month - 1] + t.strftime("/%Y:%H:%M:%S +0000")


def nginx_access(t, ip, method, path, status, size, ua, rt, urt, referer="-"):
    """nginx `log_format main_timed` = combined + ' $request_time $upstream_response_time'."""
    return (f'{ip} - - [{nginx_time(t)}] "{method} {path} HTTP/1.1" {status} {size} "{referer}" "{ua}" '
            f"{rt:.3f} {urt}")


def nginx_error(t, level, pid, cid, text):
    return f"{t.strftime('%Y/%m/%d %H:%M:%S')} [{level}] {pid}#{pid}: *{cid} {text}"


def spring(t, level, pid, app, thread, logger, msg, zone=UTC):
    """Spring Boot 3.x default file layout (LOG_DATEFORMAT yyyy-MM-dd'T'HH:mm:ss.SSSXXX)."""
    lt = t.astimezone(zone)
    stamp = lt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{lt.microsecond // 1000:03d}"
    off = lt.strftime("%z")
    stamp += "Z" if off == "+0000" else f"{off[:3]}:{off[3:]}"
    thread = thread[-15:]
    if len(logger) > 40:
        logger = logger[-40:]
    return f"{stamp} {level:>5} {pid} --- [{app}] [{thread:>15}] {logger:<40} : {msg}"


def pino(t, level, pid, host, msg, **fields):
    obj = {"level": level, "time": int(t.timestamp() * 1000), "pid": pid, "hostname": host}
    obj.update(fields)
    obj["msg"] = msg
    return json.dumps(obj, separators=(",", ":"))


def pg(t, pid, who, severity, msg, zone=CET):
    """PostgreSQL stderr, log_line_prefix = '%m [%p] %q%u@%d ' with log_timezone = 'Europe/Berlin'."""
    lt = t.astimezone(zone)
    stamp = lt.strftime("%Y-%m-%d %H:%M:%S.") + f"{lt.microsecond // 1000:03d} {lt.tzname()}"
    prefix = f"{stamp} [{pid}] " + (f"{who} " if who else "")
    return f"{prefix}{severity}:  {msg}"


def syslog(t, host, tag, msg):
    return f"{MONTHS[t.month - 1]} {t.day:2d} {t.strftime('%H:%M:%S')} {host} {tag}: {msg}"


# ---------------------------------------------------------------------------------------------
# login-outage
# ---------------------------------------------------------------------------------------------

HIKARI_FRAMES = [
    "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:710) ~[HikariCP-5.1.0.jar!/:na]",
    "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:189) ~[HikariCP-5.1.0.jar!/:na]",
    "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:147) ~[HikariCP-5.1.0.jar!/:na]",
    "\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:99) ~[HikariCP-5.1.0.jar!/:na]",
    "\tat org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:122) ~[hibernate-core-6.5.2.Final.jar!/:6.5.2.Final]",
    "\tat org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:466) ~[spring-orm-6.1.10.jar!/:6.1.10]",
    "\tat com.example.auth.session.SessionController.create(SessionController.java:58) ~[!/:2.14.0]",
]


def login_outage(out, seed):
    r = random.Random(seed)
    start = datetime(2024, 3, 12, 11, 30, 0, tzinfo=UTC)
    end = datetime(2024, 3, 12, 17, 15, 0, tzinfo=UTC)
    deploy_auth = datetime(2024, 3, 12, 12, 47, 31, tzinfo=UTC)
    deploy_web = datetime(2024, 3, 12, 12, 58, 4, tzinfo=UTC)
    flag_change = datetime(2024, 3, 12, 14, 12, 40, tzinfo=UTC)
    rollback = datetime(2024, 3, 12, 16, 31, 12, tzinfo=UTC)
    peak_start = datetime(2024, 3, 12, 13, 5, 0, tzinfo=UTC)

    access, nerr, auth, web, db, host = Log(), Log(), Log(), Log(), Log(), Log()
    clients = [f"{r.choice([81, 85, 91, 93, 178, 188, 213])}.{r.randrange(1, 255)}.{r.randrange(256)}.{r.randrange(1, 255)}"
               for _ in range(420)]
    web_pid, auth_pid = 18, 1
    web_host = "web-6c9f7d5b8-x2kq9"
    nginx_pid = 31
    cid = 184220

    # Pool state: how many auth-api connections exist (30 before 2.14.0 and after the rollback).
    def pool_size(t):
        return 10 if deploy_auth <= t < rollback else 30

    def login_rate(t):
        # Requests per second to POST /api/v1/session: a lunch-time peak from 13:00 to 16:30.
        h = t.hour + t.minute / 60
        base = 0.09
        if 13.0 <= h < 16.5:
            base = 0.22
        return base

    t = start
    while t < end:
        # --- traffic through nginx -------------------------------------------------------
        for _ in range(_poisson(r, login_rate(t))):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip = r.choice(clients)
            ua = r.choice(UAS)
            req_id = f"{r.getrandbits(64):016x}"
            busy = pool_size(ts) == 10 and ts >= peak_start
            roll = r.random()
            if busy and roll < 0.31:
                # The pool has no free connection: the BFF's fetch gives up after 10 s, nginx
                # returns 502; auth-api's own wait ends after connectionTimeout (30 s).
                web.add(ts + timedelta(seconds=10, milliseconds=r.randrange(2, 40)),
                        pino(ts + timedelta(seconds=10), 50, web_pid, web_host,
                             "upstream request failed",
                             req={"id": req_id, "method": "POST", "url": "/api/v1/session"},
                             err={"type": "FetchError", "message": "network timeout at: http://auth-api:8080/api/v1/session",
                                  "code": "ETIMEDOUT"}))
                access.add(ts + timedelta(seconds=10), nginx_access(ts + timedelta(seconds=10), ip, "POST", "/api/v1/session", 502, 157, ua,
                                                                     10.0 + r.random() * 0.05, f"{10.0 + r.random() * 0.04:.3f}",
                                                                     "https://shop.example.com/login"))
                waiting = r.randrange(22, 48)
                tt = ts + timedelta(seconds=30, milliseconds=r.randrange(0, 9))
                thread = f"http-nio-8080-exec-{r.randrange(1, 200)}"
                msg = (f"HikariPool-1 - Connection is not available, request timed out after {30000 + r.randrange(0, 9)}ms "
                       f"(total=10, active=10, idle=0, waiting={waiting})")
                auth.add(tt, spring(tt, "WARN", auth_pid, "auth-api", thread, "o.h.engine.jdbc.spi.SqlExceptionHelper",
                                    "SQL Error: 0, SQLState: 08003", CET))
                auth.add(tt, spring(tt, "ERROR", auth_pid, "auth-api", thread, "o.h.engine.jdbc.spi.SqlExceptionHelper",
                                    msg, CET))
                auth.add(tt + timedelta(milliseconds=2), "\n".join([
                    spring(tt + timedelta(milliseconds=2), "ERROR", auth_pid, "auth-api", thread,
                           "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                           "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception "
                           "[Request processing failed: org.springframework.transaction.CannotCreateTransactionException: "
                           "Could not open JPA EntityManager for transaction] with root cause", CET),
                    f"java.sql.SQLTransientConnectionException: {msg}",
                ] + HIKARI_FRAMES))
            else:
                slow = busy and roll < 0.5
                latency = (2.0 + r.random() * 7.5) if slow else (0.04 + r.random() * 0.16)
                status = 201 if r.random() > 0.04 else 401
                access.add(ts + timedelta(seconds=latency),
                           nginx_access(ts + timedelta(seconds=latency), ip, "POST", "/api/v1/session", status, 412 if status == 201 else 98, ua,
                                        latency, f"{latency - 0.001:.3f}", "https://shop.example.com/login"))
                if status == 401:
                    auth.add(ts + timedelta(seconds=latency * 0.9),
                             spring(ts, "INFO", auth_pid, "auth-api", f"http-nio-8080-exec-{r.randrange(1, 200)}",
                                    "c.e.auth.session.SessionController",
                                    f"Login failed for user id {r.randrange(10**6, 10**7)}: bad credentials", CET))
        for _ in range(_poisson(r, 0.16)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip = r.choice(clients)
            path, status, size = r.choice([
                ("/", 200, 5230), ("/static/js/main.4f1c2a.js", 200, 184211), ("/static/css/main.9b1e.css", 200, 22104),
                ("/api/v1/products?page=1", 200, 8841), ("/api/v1/products/1842", 200, 1203), ("/login", 200, 4102),
                ("/", 200, 5230), ("/static/js/main.4f1c2a.js", 200, 184211), ("/api/v1/products?page=2", 200, 8203),
                ("/favicon.ico", 404, 153), ("/robots.txt", 404, 153),
            ])
            rt = 0.001 + r.random() * 0.05
            urt = "-" if path.startswith("/static") or status == 404 else f"{rt - 0.001:.3f}"
            access.add(ts, nginx_access(ts, ip, "GET", path, status, size, r.choice(UAS), rt, urt))
            if path in ("/favicon.ico", "/robots.txt"):
                cid += 1
                nerr.add(ts, nginx_error(ts, "error", nginx_pid, cid,
                                         f'open() "/usr/share/nginx/html{path}" failed (2: No such file or directory), '
                                         f'client: {ip}, server: shop.example.com, request: "GET {path} HTTP/1.1", '
                                         f'host: "shop.example.com"'))
        # --- background noise that was always there ---------------------------------------
        if r.random() < 0.012:
            web.add(t, pino(t, 40, web_pid, web_host, "feature flag refresh failed, keeping cached flags",
                            err={"type": "Error", "message": "Request failed with status code 503"}))
        if r.random() < 0.006:
            auth.add(t, spring(t, "WARN", auth_pid, "auth-api", f"http-nio-8080-exec-{r.randrange(1, 200)}",
                               "o.s.w.s.m.s.DefaultHandlerExceptionResolver",
                               "Resolved [org.springframework.web.HttpRequestMethodNotSupportedException: "
                               "Request method 'GET' is not supported]", CET))
        if r.random() < 0.004:
            db.add(t, pg(t, r.randrange(20000, 40000), "auth@auth", "LOG",
                         "could not receive data from client: Connection reset by peer"))
        if t.second == 0 and t.minute % 5 == 0:
            db.add(t, pg(t, 61, "", "LOG", "checkpoint starting: time"))
            wrote = r.randrange(80, 900)
            db.add(t + timedelta(seconds=27), pg(t + timedelta(seconds=27), 61, "", "LOG",
                   f"checkpoint complete: wrote {wrote} buffers ({wrote / 163.84:.1f}%); 0 WAL file(s) added, 0 removed, "
                   f"1 recycled; write=26.{r.randrange(100, 999)} s, sync=0.00{r.randrange(1, 9)} s, "
                   f"total=27.{r.randrange(100, 999)} s; sync files={r.randrange(10, 60)}, longest=0.002 s, "
                   f"average=0.001 s; distance={wrote * 8} kB, estimate={wrote * 9} kB; "
                   f"lsn=2/{r.randrange(0x10000000, 0xFFFFFFFF):X}, redo lsn=2/{r.randrange(0x10000000, 0xFFFFFFFF):X}"))
        if t.second == 0 and t.minute == 17:
            host.add(t + timedelta(seconds=1), syslog(t + timedelta(seconds=1), "auth-1", f"CRON[{r.randrange(20000, 40000)}]",
                                                      "(root) CMD (cd / && run-parts --report /etc/cron.hourly)"))
        if r.random() < 0.0015:
            ip = f"10.20.0.{r.randrange(2, 30)}"
            host.add(t, syslog(t, "auth-1", f"sshd[{r.randrange(20000, 40000)}]",
                               f"Accepted publickey for deploy from {ip} port {r.randrange(40000, 65000)} ssh2: "
                               f"ED25519 SHA256:{''.join(r.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') for _ in range(43))}"))
        t += timedelta(seconds=1)

    # --- deploys and restarts -------------------------------------------------------------
    def restart(at, old, new, pool):
        th = "SpringApplicationShutdownHook"
        auth.add(at, spring(at, "INFO", auth_pid, "auth-api", th, "o.s.b.w.e.tomcat.GracefulShutdown",
                            "Commencing graceful shutdown. Waiting for active requests to complete", CET))
        at2 = at + timedelta(milliseconds=840)
        auth.add(at2, spring(at2, "INFO", auth_pid, "auth-api", "tomcat-shutdown", "o.s.b.w.e.tomcat.GracefulShutdown",
                             "Graceful shutdown complete", CET))
        auth.add(at2, spring(at2, "INFO", auth_pid, "auth-api", th, "com.zaxxer.hikari.HikariDataSource",
                             "HikariPool-1 - Shutdown initiated...", CET))
        auth.add(at2, spring(at2, "INFO", auth_pid, "auth-api", th, "com.zaxxer.hikari.HikariDataSource",
                             "HikariPool-1 - Shutdown completed.", CET))
        s = at + timedelta(seconds=9)
        for dt, logger, msg in [
            (0, "c.e.auth.AuthApiApplication", f"Starting AuthApiApplication v{new} using Java 21.0.3 with PID 1 "
                                               "(/app/auth-api.jar started by app in /app)"),
            (12, "c.e.auth.AuthApiApplication", 'The following 1 profile is active: "prod"'),
            (2104, "o.s.b.w.embedded.tomcat.TomcatWebServer", "Tomcat initialized with port 8080 (http)"),
            (2131, "o.apache.catalina.core.StandardService", "Starting service [Tomcat]"),
            (3310, "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Starting..."),
            (3562, "com.zaxxer.hikari.pool.HikariPool", "HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@6d4a8f1e"),
            (3566, "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Start completed."),
            (6020, "o.s.b.w.embedded.tomcat.TomcatWebServer", "Tomcat started on port 8080 (http) with context path '/'"),
            (6071, "c.e.auth.AuthApiApplication", "Started AuthApiApplication in 6.402 seconds (process running for 7.118)"),
        ]:
            ts = s + timedelta(milliseconds=dt)
            auth.add(ts, spring(ts, "INFO", auth_pid, "auth-api", "main", logger, msg, CET))
        for i in range(pool):
            ts = s + timedelta(milliseconds=3500 + i * 37)
            pid = r.randrange(20000, 40000)
            db.add(ts, pg(ts, pid, "[unknown]@[unknown]", "LOG", f"connection received: host=10.20.1.{r.randrange(10, 20)} port={r.randrange(40000, 65000)}"))
            db.add(ts, pg(ts, pid, "auth@auth", "LOG", "connection authorized: user=auth database=auth application_name=PostgreSQL JDBC Driver"))

    restart(deploy_auth, "2.13.4", "2.14.0", 10)
    restart(rollback, "2.14.0", "2.13.4", 30)
    web.add(deploy_web + timedelta(seconds=14), pino(deploy_web + timedelta(seconds=14), 30, web_pid, "web-7b4d9c6f5-m8zt2",
                                                     "server listening", port=3000, version="5.3.1"))

    d = os.path.join(out, "login-outage")
    access.write(os.path.join(d, "lb", "access.log"))
    nerr.write(os.path.join(d, "lb", "error.log"))
    auth.write(os.path.join(d, "auth-api", "auth-api.log"))
    web.write(os.path.join(d, "web", "web.log"))
    db.write(os.path.join(d, "db", "postgresql-2024-03-12_000000.log"))
    host.write(os.path.join(d, "auth-1", "syslog"))
    deploys = [
        {"time": "2024-03-12T12:47:31Z", "service": "auth-api", "version": "2.14.0", "kind": "deploy",
         "description": "auth-api 2.14.0 (session store refactor, dependency upgrades)"},
        {"time": "2024-03-12T12:58:04Z", "service": "web", "version": "5.3.1", "kind": "deploy",
         "description": "login page copy and tracking update"},
        {"time": "2024-03-12T14:12:40Z", "service": "web", "kind": "feature_flag",
         "description": "new-login-page disabled"},
        {"time": "2024-03-12T16:31:12Z", "service": "auth-api", "version": "2.13.4", "kind": "rollback",
         "description": "roll back auth-api to 2.13.4"},
    ]
    with open(os.path.join(d, "deploys.json"), "w") as f:
        json.dump(deploys, f, indent=2)
        f.write("\n")


def _poisson(r, lam):
    # Knuth's method; lam is small here.
    import math
    limit = math.exp(-lam)
    k, p = 0, 1.0
    while True:
        p *= r.random()
        if p <= limit:
            return k
        k += 1


SCENARIOS = {"login-outage": login_outage}


def main():
    args = sys.argv[1:]
    only = None
    if "--only" in args:
        i = args.index("--only")
        only = args[i + 1]
        del args[i:i + 2]
    out = args[0] if args else os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")
    for name, fn in sorted(SCENARIOS.items()):
        if only and name != only:
            continue
        # A seed per scenario name, so adding a scenario never changes the others.
        fn(out, seed=sum(ord(c) * (i + 1) for i, c in enumerate(name)))
        print(f"wrote {os.path.join(out, name)}", file=sys.stderr)


if __name__ == "__main__":
    main()
