#!/usr/bin/env python3
"""Regenerate the incident samples under samples/ (deterministic for a fixed seed).

Usage: gen_samples.py [OUTDIR (default: samples)] [--only NAME]

Each sample is a directory with one sub-directory per service, logs written in the exact shape
the real software prints, and a `deploys.json` or `deploys.csv` change list. The logs carry no marker of the answer: only what
the software would print. This script is the only place where a scenario is described.

Scenarios:
  login-outage   auth-api 2.14.0 ships with a smaller HikariCP pool; the lunch peak exhausts it.
                 The BFF in front of it sees upstream timeouts first (its 10 s fetch timeout
                 fires before Hikari's 30 s connectionTimeout), nginx returns 502s, an unrelated
                 web deploy lands 7 minutes before, and background errors are always there.
  network-partition
                 The top-of-rack switch behind app-3's bond1 (eth2+eth3, the database VLAN)
                 fails: the kernel logs both links down, orders (Go, pgx, zap) fails to dial
                 the database (no route to host), checkout (Flask/gunicorn, SQLAlchemy
                 pool_size=5 max_overflow=0) hangs on its stale pooled connections and then times
                 out on the pool (louder than the network errors), PostgreSQL's keepalives drop
                 app-3's sessions, nginx returns 500/503/504. A storefront deploy 28 minutes
                 before; the links come back after 18 minutes. No change caused it.
  slow-query-migration
                 Flyway V42 (a Kubernetes Job) drops the (status, created_at) index of orders;
                 the dispatcher's `WHERE status = $1` query turns into a scan (PostgreSQL csvlog
                 with log_min_duration_statement, in EDT), the node-postgres pools of orders-api
                 (bunyan) fill, Apache returns 500 and 504. A payments-api deploy 11 minutes
                 before; hotfix migration V43 rebuilds the index.
  oom-crashloop  export-service 4.12.0 raises the export batch size; a 1.9M-row export drives the
                 container past its 2 GiB cgroup limit and the kernel OOM-kills java (dmesg -T),
                 the message is redelivered to the other pod, both crash-loop (kubelet, containerd,
                 node-problem-detector in the journal; CRI container logs with Spring Boot start-ups),
                 ingress-nginx returns 502, reports-api (slog) 503s and a growing backlog. A
                 reports-api deploy 5 minutes before the first kill; a rollback ends it.
  disk-full      A stale logical replication slot keeps WAL; the monthly invoice run fills the
                 pg_wal volume (monit warns in syslog RFC 5424), PostgreSQL PANICs (No space left on
                 device), fails its crash recovery and stays down until the volume is grown;
                 billing-api (Rails) and ledger (log4j2, HikariCP) fail, nginx JSON access log
                 shows 500s. A billing-api deploy 28 minutes before. The billing-api host's clock
                 runs 107 s behind the proxy's (nginx passes $request_id to Rails, so the shared
                 ids let culprit measure and correct it).
  dns-failure    A CoreDNS ConfigMap change forwards `internal.` to resolvers the pods cannot
                 reach: CoreDNS logs SERVFAIL/i/o timeouts, checkout-api (pino) getaddrinfo
                 EAI_AGAIN, ledger-sync (Spring Boot 2) UnknownHostException, shipping (go-kit)
                 "server misbehaving", the nginx gateway "could not be resolved". A checkout-api
                 deploy 14 minutes before; reverting the ConfigMap ends it.
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

def nginx_time(t, zone=UTC):
    """`$time_local` (`%d/%b/%Y:%H:%M:%S %z`, the server's zone); Apache's `%t` is the same."""
    lt = t.astimezone(zone)
    return lt.strftime("%d/") + MONTHS[lt.month - 1] + lt.strftime("/%Y:%H:%M:%S %z")


def nginx_access(t, ip, method, path, status, size, ua, rt, urt, referer="-"):
    """nginx `log_format main_timed` = combined + ' $request_time $upstream_response_time'."""
    return (f'{ip} - - [{nginx_time(t)}] "{method} {path} HTTP/1.1" {status} {size} "{referer}" "{ua}" '
            f"{rt:.3f} {urt}")


def nginx_error(t, level, pid, cid, text, zone=UTC):
    """nginx error log: local time without a zone, `pid#tid: *connection`."""
    lt = t.astimezone(zone)
    conn = f"*{cid} " if cid is not None else ""
    return f"{lt.strftime('%Y/%m/%d %H:%M:%S')} [{level}] {pid}#{pid}: {conn}{text}"


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


BERLIN_SUMMER = timezone(timedelta(hours=2), "CEST")
NEW_YORK_SUMMER = timezone(timedelta(hours=-4), "EDT")
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _ms(t):
    return f"{t.microsecond // 1000:03d}"


def _colon_offset(t):
    off = t.strftime("%z")
    return f"{off[:3]}:{off[3:]}"


def nginx_access_timed(t, ip, method, path, status, size, ua, rt, uct, uht, urt, referer="-", zone=UTC):
    """nginx `log_format` with upstream timings (the nginx blog's `upstream_time` format):
    combined + `"$http_x_forwarded_for" rt=$request_time uct="$upstream_connect_time"
    uht="$upstream_header_time" urt="$upstream_response_time"`."""
    return (f'{ip} - - [{nginx_time(t, zone)}] "{method} {path} HTTP/1.1" {status} {size} "{referer}" "{ua}" "-" '
            f'rt={rt:.3f} uct="{uct}" uht="{uht}" urt="{urt}"')


def nginx_json_access(t, ip, method, path, status, size, ua, rt, upstream, urt, req_id, zone=UTC):
    """nginx `log_format json escape=json` with `$time_iso8601` (local time with offset)."""
    lt = t.astimezone(zone)
    obj = {"time": lt.strftime("%Y-%m-%dT%H:%M:%S") + _colon_offset(lt), "remote_addr": ip,
           "request_method": method, "request_uri": path, "status": status, "body_bytes_sent": size,
           "request_time": round(rt, 3), "upstream_addr": upstream, "upstream_response_time": urt,
           "http_user_agent": ua, "request_id": req_id}
    return json.dumps(obj, separators=(",", ":"))


def ingress_access(t, ip, method, path, status, size, ua, req_len, rt, upstream_name, upstream_addr, up_len, urt,
                   up_status, req_id, referer="-"):
    """ingress-nginx default `log-format-upstream` (`upstreaminfo`)."""
    return (f'{ip} - - [{nginx_time(t)}] "{method} {path} HTTP/1.1" {status} {size} "{referer}" "{ua}" {req_len} '
            f'{rt:.3f} [{upstream_name}] [] {upstream_addr} {up_len} {urt} {up_status} {req_id}')


def apache_vhost(t, vhost, ip, method, path, status, size, ua, referer="-", zone=UTC):
    """Debian's `vhost_combined`: `%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`."""
    return f'{vhost}:443 {ip} - - [{nginx_time(t, zone)}] "{method} {path} HTTP/1.1" {status} {size} "{referer}" "{ua}"'


def apache_error(t, module, level, pid, tid, text, client=None, status=None, zone=UTC):
    """Apache 2.4 error log without an ErrorLogFormat: `[%{u}t] [%-m:%l] [pid %P:tid %T] (errno)text:
    [client ip:port] message`; `%{u}t` is `ap_recent_ctime_ex` with microseconds (day zero-padded)."""
    lt = t.astimezone(zone)
    stamp = (f"{DAYS[lt.weekday()]} {MONTHS[lt.month - 1]} {lt.day:02d} {lt.strftime('%H:%M:%S')}."
             f"{lt.microsecond:06d} {lt.year}")
    st = f"{status}: " if status else ""
    cl = f"[client {client}] " if client else ""
    return f"[{stamp}] [{module}:{level}] [pid {pid}:tid {tid}] {st}{cl}{text}"


def zap(t, level, caller, msg, zone=UTC, **fields):
    """zap production JSON encoder with `EncodeTime = zapcore.ISO8601TimeEncoder`
    (`2006-01-02T15:04:05.000Z0700`)."""
    lt = t.astimezone(zone)
    obj = {"level": level, "ts": lt.strftime("%Y-%m-%dT%H:%M:%S.") + _ms(lt) + lt.strftime("%z"), "caller": caller,
           "msg": msg}
    obj.update(fields)
    return json.dumps(obj, separators=(",", ":"))


def bunyan(t, level, name, host, pid, msg, **fields):
    obj = {"name": name, "hostname": host, "pid": pid, "level": level}
    obj.update(fields)
    obj["msg"] = msg
    obj["time"] = t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + _ms(t) + "Z"
    obj["v"] = 0
    return json.dumps(obj, separators=(",", ":"))


def gunicorn(t, pid, level, msg, zone=UTC):
    """gunicorn's error log (`%(asctime)s [%(process)d] [%(levelname)s] %(message)s`,
    datefmt `[%Y-%m-%d %H:%M:%S %z]`), which Flask apps often share."""
    lt = t.astimezone(zone)
    return f"[{lt.strftime('%Y-%m-%d %H:%M:%S %z')}] [{pid}] [{level}] {msg}"


def journal(t, host, ident, msg, zone=UTC):
    """`journalctl -o short-iso-precise` (systemd 250+: `+02:00` offsets)."""
    lt = t.astimezone(zone)
    return f"{lt.strftime('%Y-%m-%dT%H:%M:%S')}.{lt.microsecond:06d}{_colon_offset(lt)} {host} {ident}: {msg}"


def journal_iso(t, host, ident, msg, zone=UTC):
    """`journalctl -o short-iso` (seconds, `+00:00`)."""
    lt = t.astimezone(zone)
    return f"{lt.strftime('%Y-%m-%dT%H:%M:%S')}{_colon_offset(lt)} {host} {ident}: {msg}"


def klog(t, level, tid, where, msg):
    """klog header `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`."""
    return f"{level}{t.strftime('%m%d %H:%M:%S')}.{t.microsecond:06d} {tid:7d} {where}] {msg}"


def dmesg_t(t, msg):
    """`dmesg -T`: ctime `%a %b %e %H:%M:%S %Y` in brackets."""
    return f"[{DAYS[t.weekday()]} {MONTHS[t.month - 1]} {t.day:2d} {t.strftime('%H:%M:%S')} {t.year}] {msg}"


def _rfc3339nano(t, ns):
    """Go's `time.RFC3339Nano` in UTC: nanoseconds with trailing zeros dropped."""
    frac = f"{ns:09d}".rstrip("0")
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def cri(t, stream, content):
    """Kubernetes CRI container log line as containerd writes it (`time.RFC3339Nano`, UTC)."""
    ns = t.microsecond * 1000 + (sum(map(ord, content[:16])) % 1000)
    return f"{_rfc3339nano(t, ns)} {stream} F {content}"


def _go_quote(v):
    s = str(v)
    if s and all(c.isalnum() or c in "-._/:@+" for c in s):
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def slog_text(t, level, msg, **fields):
    """Go `log/slog` TextHandler: `time=… level=… msg=… k=v` (RFC 3339 with milliseconds)."""
    lt = t.astimezone(UTC)
    parts = [f"time={lt.strftime('%Y-%m-%dT%H:%M:%S.')}{_ms(lt)}Z", f"level={level}", f"msg={_go_quote(msg)}"]
    parts += [f"{k}={_go_quote(v)}" for k, v in fields.items()]
    return " ".join(parts)


def rfc5424(t, pri, host, app, pid, msg, zone=UTC, msgid="-"):
    """rsyslog `RSYSLOG_SyslogProtocol23Format`: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`."""
    lt = t.astimezone(zone)
    stamp = f"{lt.strftime('%Y-%m-%dT%H:%M:%S')}.{lt.microsecond:06d}{_colon_offset(lt)}"
    return f"<{pri}>1 {stamp} {host} {app} {pid} {msgid} - {msg}"


def ruby_logger(t, severity, pid, msg, zone=UTC):
    """Ruby `Logger::Formatter` (Rails production): `L, [time #pid] LEVEL -- : msg` (local time)."""
    lt = t.astimezone(zone)
    return f"{severity[0]}, [{lt.strftime('%Y-%m-%dT%H:%M:%S')}.{lt.microsecond:06d} #{pid}] {severity:>5} -- : {msg}"


def pg_prefixed(t, prefix_fmt, severity, msg, zone=UTC, **kw):
    """PostgreSQL stderr with an arbitrary `log_line_prefix`, rendered by the caller's format string.
    `{m}` = `%m`, `{t}` = `%t`."""
    lt = t.astimezone(zone)
    m = lt.strftime("%Y-%m-%d %H:%M:%S.") + _ms(lt) + f" {lt.tzname()}"
    tt = lt.strftime("%Y-%m-%d %H:%M:%S") + f" {lt.tzname()}"
    return prefix_fmt.format(m=m, t=tt, **kw) + f"{severity}:  {msg}"


def _csv(v):
    if v is None or v == "":
        return ""
    s = str(v)
    return '"' + s.replace('"', '""') + '"'


def pg_csv(t, user, db, pid, client, session, line_num, tag, session_start, vxid, xid, severity, state, msg,
           detail="", hint="", context="", query="", app="", backend="client backend", zone=UTC):
    """PostgreSQL 15/16 csvlog record (26 columns)."""
    lt = t.astimezone(zone)
    stamp = lt.strftime("%Y-%m-%d %H:%M:%S.") + _ms(lt) + f" {lt.tzname()}"
    ss = session_start.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") + f" {lt.tzname()}"
    cols = [stamp, _csv(user), _csv(db), str(pid), _csv(client), session, str(line_num), _csv(tag), ss, vxid,
            str(xid), severity, state, _csv(msg), _csv(detail), _csv(hint), "", "", _csv(context), _csv(query), "", "",
            _csv(app), _csv(backend), "", "0"]
    return ",".join(cols)


def log4j2(t, level, thread, logger, msg, zone=UTC):
    """log4j2 `%d{ISO8601_OFFSET_DATE_TIME_HHCMM} %-5level [%t] %c{1.} - %msg%n`."""
    lt = t.astimezone(zone)
    return f"{lt.strftime('%Y-%m-%dT%H:%M:%S.')}{_ms(lt)}{_colon_offset(lt)} {level:<5} [{thread}] {logger} - {msg}"


def spring2(t, level, pid, thread, logger, msg):
    """Spring Boot 2.x default file layout: `yyyy-MM-dd HH:mm:ss.SSS  LEVEL PID --- [thread] logger : msg`."""
    thread = thread[-15:]
    if len(logger) > 40:
        logger = logger[-40:]
    return f"{t.strftime('%Y-%m-%d %H:%M:%S.')}{_ms(t)} {level:>5} {pid} --- [{thread:>15}] {logger:<40} : {msg}"


def gokit(t, level, caller, msg, **fields):
    """go-kit log `logfmt` with `DefaultTimestampUTC` (RFC 3339 nanoseconds) and `DefaultCaller`."""
    ns = t.microsecond * 1000 + (t.microsecond * 7) % 1000
    parts = [f"level={level}", f"ts={_rfc3339nano(t, ns)}",
             f"caller={caller}", f"msg={_go_quote(msg)}"]
    parts += [f"{k}={_go_quote(v)}" for k, v in fields.items()]
    return " ".join(parts)


def _hex(r, n):
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def _uid(r):
    return f"{_hex(r, 8)}-{_hex(r, 4)}-4{_hex(r, 3)}-{r.choice('89ab')}{_hex(r, 3)}-{_hex(r, 12)}"


def traffic_clients(r, n, firsts=(31, 46, 78, 82, 89, 109, 151, 176, 185, 212)):
    return [f"{r.choice(firsts)}.{r.randrange(1, 255)}.{r.randrange(256)}.{r.randrange(1, 255)}" for _ in range(n)]


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
                             # Node 20 fetch (undici) with AbortSignal.timeout(10_000), as pino's
                             # err serializer prints the DOMException it throws.
                             err={"type": "DOMException", "message": "The operation was aborted due to timeout",
                                  "stack": "TimeoutError: The operation was aborted due to timeout\n"
                                           "    at new DOMException (node:internal/per_context/domexception:53:5)\n"
                                           "    at AbortSignal.timeout (node:internal/abort_controller:140:21)\n"
                                           "    at createSession (/app/dist/server/auth-client.js:41:25)",
                                  "name": "TimeoutError", "code": 23}))
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


# ---------------------------------------------------------------------------------------------
# network-partition
# ---------------------------------------------------------------------------------------------

CHECKOUT_FRAMES = [
    '  File "/srv/checkout/.venv/lib/python3.10/site-packages/flask/app.py", line 1484, in full_dispatch_request',
    "    rv = self.dispatch_request()",
    '  File "/srv/checkout/.venv/lib/python3.10/site-packages/flask/app.py", line 1469, in dispatch_request',
    "    return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)",
    '  File "/srv/checkout/checkout/views.py", line 88, in {view}',
    "    {code}",
    '  File "/srv/checkout/.venv/lib/python3.10/site-packages/sqlalchemy/orm/session.py", line 2254, in execute',
    "    return self._execute_internal(",
]
QUEUEPOOL_TAIL = [
    '  File "/srv/checkout/.venv/lib/python3.10/site-packages/sqlalchemy/pool/impl.py", line 157, in _do_get',
    "    raise exc.TimeoutError(",
    "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 0 reached, connection timed out, timeout 30.00 "
    "(Background on this error at: https://sqlalche.me/e/20/3o7r)",
]


def _checkout_traceback(view, code, tail):
    return ["Traceback (most recent call last):"] + [f.format(view=view, code=code) for f in CHECKOUT_FRAMES] + tail


def network_partition(out, seed):
    r = random.Random(seed)
    zone = BERLIN_SUMMER  # app-3 runs in Europe/Berlin; the load balancer and the database in UTC
    start = datetime(2024, 5, 14, 10, 35, 0, tzinfo=UTC)
    end = datetime(2024, 5, 14, 13, 20, 0, tzinfo=UTC)
    peak = (datetime(2024, 5, 14, 12, 5, 0, tzinfo=UTC), datetime(2024, 5, 14, 12, 55, 0, tzinfo=UTC))
    web_deploy = datetime(2024, 5, 14, 11, 53, 8, tzinfo=UTC)
    link_down = datetime(2024, 5, 14, 12, 21, 37, 412118, tzinfo=UTC)
    link_up = datetime(2024, 5, 14, 12, 39, 52, 730554, tzinfo=UTC)
    # TCP gives up on a connection whose data is never acknowledged after tcp_retries2 = 15
    # retransmissions (~924 s); PostgreSQL's keepalives (idle 60 s, interval 10 s, count 6) notice
    # an idle peer that vanished after about two minutes.
    tcp_gave_up = link_down + timedelta(seconds=924.6)
    keepalive_dead = link_down + timedelta(seconds=121)

    access, nerr, orders, checkout, host, db = Log(), Log(), Log(), Log(), Log(), Log()
    clients = traffic_clients(r, 380)
    app_ip, db_ip = "10.30.1.23", "10.30.2.15"
    nginx_pid = 2411
    cid = [5512003]
    gpids = [2207, 2208, 2211, 2214]
    orders_hung = [4]        # stale pgx connections still in the pool at link loss
    checkout_stale = [20]    # 4 workers x pool_size 5, all idle and stale at link loss
    hung_requests = []       # (arrival, worker pid) of checkout requests stuck on a dead socket
    lsn = [0x21A00000]

    def next_cid():
        cid[0] += 1
        return cid[0]

    def partitioned(t):
        return link_down <= t < link_up

    def zerr(t, caller, msg, err, stack, **fields):
        orders.add(t, zap(t, "error", caller, msg, zone, error=err, **fields, stacktrace=stack))

    orders_stack = ("github.com/shopco/orders/internal/api.(*Handler).GetOrder\n\t/src/internal/api/orders.go:74\n"
                    "net/http.HandlerFunc.ServeHTTP\n\t/usr/local/go/src/net/http/server.go:2166")
    health_stack = ("github.com/shopco/orders/internal/health.(*Checker).run\n\t/src/internal/health/checker.go:41")
    dial_err = (f"failed to connect to `user=orders database=orders`: {db_ip}:5432 (pg-main.db.internal): "
                f"dial error: dial tcp {db_ip}:5432: connect: no route to host")

    t = start
    while t < end:
        # --- orders (Go, pgx) behind nginx -----------------------------------------------------
        for _ in range(_poisson(r, 0.05)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip, ua = r.choice(clients), r.choice(UAS)
            oid = r.randrange(4_100_000, 4_190_000)
            path = r.choice([f"/api/v1/orders/{oid}", f"/api/v1/orders/{oid}", "/api/v1/orders?page=1",
                             f"/api/v1/orders/{oid}/tracking"])
            if partitioned(ts):
                if orders_hung[0] > 0:
                    orders_hung[0] -= 1
                    te = ts + timedelta(seconds=5, milliseconds=r.randrange(1, 4))
                    zerr(te, "api/orders.go:74", "get order failed", "timeout: context deadline exceeded",
                         orders_stack, order_id=oid, request_id=f"{r.getrandbits(64):016x}")
                else:
                    te = ts + timedelta(seconds=3, milliseconds=r.randrange(40, 90))
                    zerr(te, "api/orders.go:74", "get order failed", dial_err, orders_stack, order_id=oid,
                         request_id=f"{r.getrandbits(64):016x}")
                lat = (te - ts).total_seconds() + 0.001
                access.add(te, nginx_access_timed(te, ip, "GET", path, 503, 58, ua, lat, "0.000", f"{lat - 0.001:.3f}",
                                                  f"{lat - 0.001:.3f}", "https://shop.example.com/account/orders"))
            else:
                lat = 0.006 + r.random() * 0.04
                status, size = (200, r.randrange(900, 4200)) if r.random() > 0.03 else (404, 61)
                te = ts + timedelta(seconds=lat)
                access.add(te, nginx_access_timed(te, ip, "GET", path, status, size, ua, lat, "0.000",
                                                  f"{lat - 0.001:.3f}", f"{lat - 0.001:.3f}",
                                                  "https://shop.example.com/account/orders"))
        # --- checkout (Flask on gunicorn gthread, SQLAlchemy pool_size=5 max_overflow=0) ---------
        for _ in range(_poisson(r, 0.38 if peak[0] <= t < peak[1] else 0.16)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip, ua = r.choice(clients), r.choice(UAS)
            pid = r.choice(gpids)
            method, path, view, code, ok_size = r.choice([
                ("POST", "/api/v1/checkout", "create_checkout", "cart = Cart.load(db.session, cart_id)", 731),
                ("GET", "/api/v1/cart", "show_cart", "cart = Cart.load(db.session, session['cart_id'])", 2210),
                ("GET", "/api/v1/cart", "show_cart", "cart = Cart.load(db.session, session['cart_id'])", 1893),
                ("POST", "/api/v1/cart/items", "add_item", "item = CartItem.add(db.session, cart_id, sku, qty)", 412),
            ])
            referer = "https://shop.example.com/cart"
            if partitioned(ts) and ts < tcp_gave_up:
                if checkout_stale[0] > 0:
                    # The request takes a pooled connection whose peer is unreachable: it hangs until
                    # TCP gives up; nginx stops waiting after proxy_read_timeout (60 s).
                    checkout_stale[0] -= 1
                    hung_requests.append((ts, pid, method, path, view, code))
                    te = ts + timedelta(seconds=60, milliseconds=r.randrange(1, 5))
                    c = next_cid()
                    nerr.add(te, nginx_error(te, "error", nginx_pid, c,
                                             "upstream timed out (110: Connection timed out) while reading response "
                                             f'header from upstream, client: {ip}, server: shop.example.com, request: '
                                             f'"{method} {path} HTTP/1.1", upstream: "http://{app_ip}:8000{path}", '
                                             f'host: "shop.example.com", referrer: "{referer}"'))
                    access.add(te, nginx_access_timed(te, ip, method, path, 504, 167, ua, 60.001, "0.000", "-",
                                                      "60.001", referer))
                    continue
                te = ts + timedelta(seconds=30, milliseconds=r.randrange(1, 9))
                checkout.add(te, "\n".join([gunicorn(te, pid, "ERROR", f"Exception on {path} [{method}]", zone)]
                                           + _checkout_traceback(view, code, QUEUEPOOL_TAIL)))
                lat = (te - ts).total_seconds() + 0.002
                access.add(te, nginx_access_timed(te, ip, method, path, 500, 265, ua, lat, "0.000", f"{lat - 0.001:.3f}",
                                                  f"{lat - 0.001:.3f}", referer))
                continue
            if partitioned(ts):
                te = ts + timedelta(seconds=3, milliseconds=r.randrange(40, 95))
                checkout.add(te, "\n".join([gunicorn(te, pid, "ERROR", f"Exception on {path} [{method}]", zone)]
                                           + _checkout_traceback(view, code, [
                    '  File "/srv/checkout/.venv/lib/python3.10/site-packages/psycopg2/__init__.py", line 122, in connect',
                    "    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)",
                    f'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "{db_ip}", '
                    "port 5432 failed: No route to host",
                    "\tIs the server running on that host and accepting TCP/IP connections?",
                    "",
                    "(Background on this error at: https://sqlalche.me/e/20/e3q8)"])))
                lat = (te - ts).total_seconds() + 0.002
                access.add(te, nginx_access_timed(te, ip, method, path, 500, 265, ua, lat, "0.000", f"{lat - 0.001:.3f}",
                                                  f"{lat - 0.001:.3f}", referer))
                continue
            lat = 0.03 + r.random() * 0.12
            status, size = (201 if method == "POST" else 200), ok_size
            if method == "POST" and path == "/api/v1/checkout" and r.random() < 0.07:
                status, size = 402, 96
                checkout.add(ts + timedelta(seconds=lat * 0.9),
                             gunicorn(ts + timedelta(seconds=lat * 0.9), pid, "WARNING",
                                      f"payment declined for order {r.randrange(7_700_000, 7_800_000)}: card_declined "
                                      f"(decline_code={r.choice(['insufficient_funds', 'do_not_honor', 'expired_card'])})",
                                      zone))
            te = ts + timedelta(seconds=lat)
            access.add(te, nginx_access_timed(te, ip, method, path, status, size, ua, lat, "0.000", f"{lat - 0.001:.3f}",
                                              f"{lat - 0.001:.3f}", referer))
        # --- static content and the rest of the site (nginx only) ------------------------------
        for _ in range(_poisson(r, 0.06)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip = r.choice(clients)
            # The storefront deploy renames its bundles; pages cached by browsers ask for the old
            # names for a while (404).
            new = ts >= web_deploy
            js, css = ("app.9f3a21.js", "app.c41d.css") if new else ("app.7d1e9c.js", "app.3b0f.css")
            path, status, size = r.choice([
                ("/", 200, 6120), (f"/assets/{js}", 200, 241877), (f"/assets/{css}", 200, 30112),
                ("/products/garden-chair-oak", 200, 18220), ("/products/lamp-zurich", 200, 17841), ("/cart", 200, 6120),
                ("/", 200, 6120), (f"/assets/{js}", 304, 0), ("/account/orders", 200, 6120),
                ("/favicon.ico", 200, 1150), ("/wp-login.php", 404, 153), ("/.env", 404, 153),
            ])
            if new and ts < web_deploy + timedelta(minutes=14) and r.random() < 0.5:
                path, status, size = r.choice([("/assets/app.7d1e9c.js", 404, 153), ("/assets/app.3b0f.css", 404, 153)])
            lat = 0.0 + r.random() * 0.004
            access.add(ts, nginx_access_timed(ts, ip, "GET", path, status, size, r.choice(UAS), lat, "-", "-", "-",
                                              "-"))
        if r.random() < 0.0022:
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip = r.choice(clients)
            nerr.add(ts, nginx_error(ts, "warn", nginx_pid, next_cid(),
                                     "a client request body is buffered to a temporary file "
                                     f"/var/cache/nginx/client_temp/00000{r.randrange(10000, 99999)}, client: {ip}, "
                                     'server: shop.example.com, request: "POST /api/v1/account/avatar HTTP/1.1", '
                                     'host: "shop.example.com"'))
        if r.random() < 0.0011:
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip = r.choice(clients)
            nerr.add(ts, nginx_error(ts, "error", nginx_pid, next_cid(),
                                     f"client intended to send too large body: {r.randrange(10_500_000, 30_000_000)} "
                                     f'bytes, client: {ip}, server: shop.example.com, request: '
                                     '"POST /api/v1/account/avatar HTTP/1.1", host: "shop.example.com"'))
        # --- background noise that was always there ---------------------------------------------
        tn = t + timedelta(microseconds=r.randrange(1_000_000))
        if r.random() < 0.0045:
            orders.add(tn, zap(tn, "warn", "api/validate.go:52", "request validation failed", zone,
                              error="json: cannot unmarshal string into Go struct field CreateOrderItem.items.quantity "
                                    "of type int", path="/api/v1/orders", request_id=f"{r.getrandbits(64):016x}"))
        if r.random() < 0.0019:
            orders.add(tn, zap(tn, "error", "events/publisher.go:118", "publish order event failed", zone,
                              error="kafka server: Request exceeded the user-specified time limit in the request",
                              topic="order-events", attempt=r.randrange(1, 4),
                              stacktrace="github.com/shopco/orders/internal/events.(*Publisher).Publish\n\t"
                                         "/src/internal/events/publisher.go:118"))
        if r.random() < 0.0016:
            checkout.add(tn, gunicorn(tn, r.choice(gpids), "WARNING",
                                     f"shipping quote service slow: {r.randrange(1200, 2900)} ms for cart "
                                     f"{r.randrange(900_000, 990_000)}", zone))
        if t.second == 0 and t.minute % 5 == 0:
            db.add(t, pg(t, 1187, "", "LOG", "checkpoint starting: time", UTC))
            wrote = r.randrange(300, 2400)
            redo = lsn[0]
            lsn[0] += wrote * 9 * 1024 + r.randrange(1 << 16)
            tc = t + timedelta(seconds=29, milliseconds=r.randrange(100, 900))
            db.add(tc, pg(tc, 1187, "", "LOG",
                          f"checkpoint complete: wrote {wrote} buffers ({wrote / 163.84:.1f}%); 0 WAL file(s) added, "
                          f"0 removed, {r.randrange(0, 3)} recycled; write=29.{r.randrange(100, 999)} s, "
                          f"sync=0.0{r.randrange(10, 99)} s, total=29.{r.randrange(100, 999)} s; sync files="
                          f"{r.randrange(20, 90)}, longest=0.00{r.randrange(2, 9)} s, average=0.001 s; distance="
                          f"{wrote * 9} kB, estimate={wrote * 10} kB; lsn=1A/{lsn[0]:X}, redo lsn=1A/{redo:X}", UTC))
        if r.random() < 0.0024:
            p = r.randrange(30000, 60000)
            key = f"{r.getrandbits(128):032x}"
            db.add(tn, pg(tn, p, "checkout@shop", "ERROR",
                          'duplicate key value violates unique constraint "payments_idempotency_key_key"', UTC))
            db.add(tn, pg(tn, p, "checkout@shop", "DETAIL", f"Key (idempotency_key)=({key}) already exists.", UTC))
            db.add(tn, pg(tn, p, "checkout@shop", "STATEMENT",
                         "INSERT INTO payments (order_id, idempotency_key, amount_cents, currency, status) "
                         "VALUES ($1, $2, $3, $4, $5) RETURNING payments.id", UTC))
        if r.random() < 0.015:
            src = f"10.30.0.{r.choice([11, 12, 40])}"
            host.add(tn, journal(tn, "app-3", "kernel",
                                 f"[UFW BLOCK] IN=bond0 OUT= MAC=3c:ec:ef:4a:19:02:00:1c:73:0b:2e:71:08:00 SRC={src} "
                                f"DST={app_ip} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID={r.randrange(1, 65535)} DF PROTO=TCP "
                                f"SPT={r.randrange(32768, 60999)} DPT=9100 WINDOW=64240 RES=0x00 SYN URGP=0", zone))
        if t.second == 0 and t.minute % 10 == 0:
            ts = t + timedelta(milliseconds=r.randrange(5, 60))
            host.add(ts, journal(ts, "app-3", "systemd[1]",
                                 "Starting sysstat-collect.service - system activity accounting tool...", zone))
            ts += timedelta(milliseconds=r.randrange(20, 60))
            host.add(ts, journal(ts, "app-3", "systemd[1]", "sysstat-collect.service: Deactivated successfully.", zone))
            host.add(ts, journal(ts, "app-3", "systemd[1]",
                                 "Finished sysstat-collect.service - system activity accounting tool.", zone))
        if t.second == 0 and t.minute == 17:
            ts = t + timedelta(milliseconds=r.randrange(1, 30))
            host.add(ts, journal(ts, "app-3", f"CRON[{r.randrange(100000, 200000)}]",
                                 "(root) CMD (cd / && run-parts --report /etc/cron.hourly)", zone))
        t += timedelta(seconds=1)

    # --- the link loss as the kernel and systemd-networkd on app-3 report it ----------------------
    def k(at, msg, ident="kernel"):
        host.add(at, journal(at, "app-3", ident, msg, zone))

    d = link_down
    k(d, "ixgbe 0000:3b:00.0 eth2: NIC Link is Down")
    k(d + timedelta(microseconds=1411), "eth2: Lost carrier", "systemd-networkd[912]")
    k(d + timedelta(milliseconds=104, microseconds=22), "bond1: (slave eth2): link status definitely down, disabling slave")
    k(d + timedelta(milliseconds=104, microseconds=31), "bond1: (slave eth3): making interface the new active one")
    k(d + timedelta(milliseconds=457, microseconds=880), "ixgbe 0000:3b:00.1 eth3: NIC Link is Down")
    k(d + timedelta(milliseconds=459, microseconds=102), "eth3: Lost carrier", "systemd-networkd[912]")
    k(d + timedelta(milliseconds=560, microseconds=4), "bond1: (slave eth3): link status definitely down, disabling slave")
    k(d + timedelta(milliseconds=560, microseconds=9), "bond1: now running without any active interface!")
    k(d + timedelta(milliseconds=561, microseconds=377), "bond1: Lost carrier", "systemd-networkd[912]")
    u = link_up
    k(u, "ixgbe 0000:3b:00.0 eth2: NIC Link is Up 10 Gbps, Flow Control: RX/TX")
    k(u + timedelta(microseconds=977), "eth2: Gained carrier", "systemd-networkd[912]")
    k(u + timedelta(milliseconds=100, microseconds=310), "bond1: (slave eth2): link status definitely up, 10000 Mbps full duplex")
    k(u + timedelta(milliseconds=100, microseconds=318), "bond1: (slave eth2): making interface the new active one")
    k(u + timedelta(milliseconds=100, microseconds=402), "bond1: active interface up!")
    k(u + timedelta(milliseconds=101, microseconds=650), "bond1: Gained carrier", "systemd-networkd[912]")
    u2 = u + timedelta(seconds=1, milliseconds=812)
    k(u2, "ixgbe 0000:3b:00.1 eth3: NIC Link is Up 10 Gbps, Flow Control: RX/TX")
    k(u2 + timedelta(microseconds=1003), "eth3: Gained carrier", "systemd-networkd[912]")
    k(u2 + timedelta(milliseconds=96, microseconds=555), "bond1: (slave eth3): link status definitely up, 10000 Mbps full duplex")

    # --- orders' own health check pings the database every 30 s ----------------------------------
    hc = link_down + timedelta(seconds=4.2)
    while hc < link_up:
        zerr(hc + timedelta(seconds=3, milliseconds=r.randrange(40, 80)), "health/checker.go:41",
             "database health check failed", dial_err, health_stack)
        hc += timedelta(seconds=30)

    # --- the stuck checkout requests end when TCP gives up --------------------------------------
    for (ts, pid, method, path, view, code) in hung_requests:
        te = tcp_gave_up + timedelta(milliseconds=r.randrange(0, 4000)) + (ts - link_down) * 0.02
        checkout.add(te, "\n".join([gunicorn(te, pid, "ERROR", f"Exception on {path} [{method}]", zone)]
                                   + _checkout_traceback(view, code, [
            '  File "/srv/checkout/.venv/lib/python3.10/site-packages/sqlalchemy/engine/default.py", line 922, in do_execute',
            "    cursor.execute(statement, parameters)",
            "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not receive data from server: "
            "Connection timed out",
            "",
            "[SQL: SELECT carts.id AS carts_id, carts.customer_id AS carts_customer_id, carts.updated_at AS "
            "carts_updated_at FROM carts WHERE carts.id = %(pk_1)s]",
            f"[parameters: {{'pk_1': {r.randrange(2_000_000, 2_400_000)}}}]",
            "(Background on this error at: https://sqlalche.me/e/20/e3q8)"])))

    # --- PostgreSQL: sessions from app-3 die when keepalives fail, and come back after ---------
    sessions = [("checkout", "shop", r.randrange(28000, 30000) + i) for i in range(20)] + \
               [("orders", "orders", r.randrange(30000, 31000) + i) for i in range(4)]
    for i, (user, dbname, p) in enumerate(sessions):
        ts = keepalive_dead + timedelta(milliseconds=r.randrange(0, 9000))
        who = f"{user}@{dbname}"
        db.add(ts, pg(ts, p, who, "LOG", "could not receive data from client: Connection timed out", UTC))
        if i in (3, 11):
            db.add(ts, pg(ts, p, who, "LOG", "unexpected EOF on client connection with an open transaction", UTC))
        age = timedelta(seconds=r.randrange(1200, 9000))
        h, rem = divmod(int(age.total_seconds()), 3600)
        db.add(ts, pg(ts, p, who, "LOG",
                      f"disconnection: session time: {h}:{rem // 60:02d}:{rem % 60:02d}.{r.randrange(100, 999)} "
                      f"user={user} database={dbname} host={app_ip} port={r.randrange(40000, 60000)}", UTC))
    for i, (user, dbname, _) in enumerate(sessions):
        ts = link_up + timedelta(seconds=1 + i * 2.7 + r.random() * 3)
        p = r.randrange(61000, 65000)
        db.add(ts, pg(ts, p, "[unknown]@[unknown]", "LOG",
                      f"connection received: host={app_ip} port={r.randrange(40000, 60000)}", UTC))
        db.add(ts + timedelta(milliseconds=3), pg(ts + timedelta(milliseconds=3), p, f"{user}@{dbname}", "LOG",
                                                  f"connection authorized: user={user} database={dbname}"
                                                  + (" application_name=checkout" if user == "checkout" else ""), UTC))

    d = _fresh(out, "network-partition")
    access.write(os.path.join(d, "lb", "access.log"))
    nerr.write(os.path.join(d, "lb", "error.log"))
    orders.write(os.path.join(d, "orders", "orders.log"))
    checkout.write(os.path.join(d, "checkout", "checkout.log"))
    host.write(os.path.join(d, "app-3", "journal.log"))
    db.write(os.path.join(d, "db", "postgresql-2024-05-14_000000.log"))
    deploys = [
        {"time": "2024-05-14T10:48:15Z", "service": "orders", "kind": "feature_flag",
         "description": "order-history-pagination enabled for 100%"},
        {"time": "2024-05-14T11:53:08Z", "service": "web", "version": "8.4.0", "kind": "deploy",
         "description": "storefront 8.4.0: new checkout button styles, nginx cache headers for /assets"},
        {"time": "2024-05-14T13:08:40Z", "service": "checkout", "kind": "config",
         "description": "checkout: enable pool_pre_ping"},
    ]
    with open(os.path.join(d, "deploys.json"), "w") as f:
        json.dump(deploys, f, indent=2)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# slow-query-migration
# ---------------------------------------------------------------------------------------------

DISPATCH_SQL = ("SELECT id, customer_id, total_cents, currency, created_at FROM orders WHERE status = $1 "
                "AND updated_at < $2 ORDER BY created_at LIMIT 100 FOR UPDATE SKIP LOCKED")
BACKOFFICE_SQL = ("SELECT id, customer_id, status, total_cents, created_at FROM orders WHERE status = $1 "
                  "ORDER BY created_at DESC LIMIT 50 OFFSET $2")


class _PoolSim:
    """A node-postgres pool (max clients, connectionTimeoutMillis) as a list of busy-until times."""

    def __init__(self, size, wait_limit):
        self.busy = [None] * size
        self.wait_limit = wait_limit

    def acquire(self, at, hold):
        """Returns (start, end) of the checkout, or None when the wait exceeds the limit."""
        free_at = [b if b is not None and b > at else at for b in self.busy]
        i = min(range(len(free_at)), key=lambda k: free_at[k])
        start = free_at[i]
        if (start - at).total_seconds() > self.wait_limit:
            return None
        self.busy[i] = start + hold
        return start, start + hold


def _pg_pool_timeout_err(caller_frames):
    return {"message": "timeout exceeded when trying to connect", "name": "Error",
            "stack": "Error: timeout exceeded when trying to connect\n"
                     "    at /app/node_modules/pg-pool/index.js:45:11\n"
                     "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
                     + caller_frames}


def slow_query_migration(out, seed):
    r = random.Random(seed)
    pg_zone = NEW_YORK_SUMMER
    start = datetime(2024, 6, 12, 13, 55, 0, tzinfo=UTC)
    end = datetime(2024, 6, 12, 16, 40, 0, tzinfo=UTC)
    payments_deploy = datetime(2024, 6, 12, 14, 59, 41, tzinfo=UTC)
    migrate = datetime(2024, 6, 12, 15, 11, 5, 208000, tzinfo=UTC)
    # Flyway runs V42 in one transaction: the DROP INDEX takes effect when it commits.
    index_dropped = migrate + timedelta(seconds=3, milliseconds=870)
    hotfix = datetime(2024, 6, 12, 15, 33, 41, 77000, tzinfo=UTC)
    index_built = hotfix + timedelta(seconds=162, milliseconds=881)

    access, aerr, api, db, mig42, mig43 = Log(), Log(), Log(), Log(), Log(), Log()
    clients = traffic_clients(r, 420, firsts=(24, 50, 67, 71, 73, 98, 104, 108, 173, 199))
    pods = [("orders-api-7c9d8f6b5-qx2lp", "10.40.1.21"), ("orders-api-7c9d8f6b5-t8wzn", "10.40.1.37")]
    pools = [_PoolSim(10, 5.0) for _ in pods]
    running = []  # end times of slow statements on the server, to make them slower together
    apache_pids = [18231, 18232, 18345]
    sess = {}     # backend pid -> (session id, started, line counter) of the API's connections
    backend_pids = [[r.randrange(40000, 48000) + 100 * p + i for i in range(10)] for p in range(len(pods))]
    line_no = {}

    def session_of(pid, at):
        if pid not in sess:
            started = at - timedelta(seconds=r.randrange(3000, 20000))
            sess[pid] = f"{int(started.timestamp()):x}.{pid:x}", started
        line_no[pid] = line_no.get(pid, 0) + 1
        return sess[pid][0], sess[pid][1], line_no[pid]

    def slow_duration(at):
        """Seconds a status-filtered query takes at `at` on the server."""
        if at < index_dropped or at >= index_built:
            return 0.002 + r.random() * 0.004
        live = sum(1 for e in running if e > at)
        return min(9.0 + 2.4 * live + r.random() * 4.0 + 30.0 * r.random() ** 4, 120.0)

    def db_query(pod_i, at, kind, req_id=None):
        """Runs one statement through the pod's pool; logs what the server and the API would log.
        Returns (ok, finished_at, error_kind)."""
        slow = kind in ("dispatch", "backoffice")
        hold = slow_duration(at) if slow else 0.003 + r.random() * 0.01
        cancelled = slow and hold > 75.0  # ALTER ROLE orders_app SET statement_timeout = '75s'
        if cancelled:
            hold = 75.0 + r.random() * 0.02
        got = pools[pod_i].acquire(at, timedelta(seconds=hold))
        if got is None:
            return False, at + timedelta(seconds=5, milliseconds=r.randrange(0, 4)), "pool"
        s, e = got
        if not slow:
            return True, e, None
        if s >= index_dropped and e <= index_built + timedelta(seconds=hold) and hold > 1.0:
            running.append(e)
        pid = r.choice(backend_pids[pod_i])
        sid, sstart, ln = session_of(pid, s)
        client = f"{pods[pod_i][1]}:{r.randrange(40000, 60000)}"
        sql = DISPATCH_SQL if kind == "dispatch" else BACKOFFICE_SQL
        params = ("$1 = 'paid', $2 = '" + (s - timedelta(minutes=2)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
                  + "+00'") if kind == "dispatch" else f"$1 = 'pending', $2 = '{r.choice([0, 0, 50])}'"
        vxid = f"{3 + pod_i}/{r.randrange(100000, 999999)}"
        if cancelled:
            db.add(e, pg_csv(e, "orders_app", "orders", pid, client, sid, ln, "SELECT", sstart, vxid, 0, "ERROR",
                             "57014", "canceling statement due to statement timeout", query=sql, app="orders-api",
                             detail=f"parameters: {params}", zone=pg_zone))
            return False, e, "timeout"
        if hold >= 1.0:
            db.add(e, pg_csv(e, "orders_app", "orders", pid, client, sid, ln, "SELECT", sstart, vxid, 0, "LOG",
                             "00000", f"duration: {hold * 1000:.3f} ms  execute <unnamed>: {sql}",
                             detail=f"parameters: {params}", app="orders-api", zone=pg_zone))
        return True, e, None

    frames_get = ("    at async OrderRepository.findById (/app/src/repositories/order-repository.js:27:20)\n"
                  "    at async getOrder (/app/src/routes/orders.js:41:19)")
    frames_create = ("    at async OrderRepository.create (/app/src/repositories/order-repository.js:58:5)\n"
                     "    at async createOrder (/app/src/routes/orders.js:77:21)")
    frames_dispatch = ("    at async OrderRepository.claimPaid (/app/src/repositories/order-repository.js:112:22)\n"
                       "    at async Dispatcher.tick (/app/src/dispatch/dispatcher.js:36:20)")
    frames_backoffice = ("    at async OrderRepository.listByStatus (/app/src/repositories/order-repository.js:94:22)\n"
                         "    at async listOrders (/app/src/routes/admin.js:29:17)")

    def api_log(pod_i, at, level, msg, **fields):
        host = pods[pod_i][0]
        api.add(at, bunyan(at, level, "orders-api", host, 1, msg, **fields))

    def edge_proxy_timeout(at, ip, path, vhost, referer):
        pid, tid = r.choice(apache_pids), r.randrange(139_800_000_000_000, 139_899_999_999_999)
        client = f"{ip}:{r.randrange(20000, 65000)}"
        ref = f", referer: {referer}" if referer != "-" else ""
        aerr.add(at, apache_error(at, "proxy_http", "error", pid, tid,
                                  f"AH01102: error reading status line from remote server orders-api.internal:3000{ref}",
                                  client=client, status="(70007)The timeout specified has expired"))
        aerr.add(at, apache_error(at, "proxy", "error", pid, tid,
                                  f"AH00898: Error reading from remote server returned by {path.split('?')[0]}{ref}",
                                  client=client))

    events = []  # (time, kind, pod) of dispatcher ticks, merged with requests below
    for p in range(len(pods)):
        tick = start + timedelta(seconds=1.7 + 2.3 * p)
        while tick < end:
            events.append((tick, p))
            tick += timedelta(seconds=4)
    events.sort()
    ev_i = 0

    t = start
    while t < end:
        # --- the dispatcher in each pod claims paid orders every 4 s (setInterval, no overlap guard)
        while ev_i < len(events) and events[ev_i][0] < t + timedelta(seconds=1):
            at, p = events[ev_i]
            ev_i += 1
            _, done, why = db_query(p, at, "dispatch")
            if why == "pool":
                api_log(p, done, 50, "dispatch tick failed", err=_pg_pool_timeout_err(frames_dispatch))
            elif why == "timeout":
                api_log(p, done, 50, "dispatch tick failed",
                        err={"message": "canceling statement due to statement timeout", "name": "error",
                             "stack": "error: canceling statement due to statement timeout\n"
                                      "    at /app/node_modules/pg-pool/index.js:45:11\n"
                                      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
                                      + frames_dispatch, "code": "57014"})
            elif done - at > timedelta(seconds=1):
                api_log(p, done, 40, "slow query", query="claimPaid", durationMs=int((done - at).total_seconds() * 1000),
                        rows=r.randrange(0, 4))
        # --- customer and back-office traffic through the Apache edge -----------------------------
        for _ in range(_poisson(r, 0.21)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip, ua = r.choice(clients), r.choice(UAS)
            p = r.randrange(len(pods))
            rid = f"{r.getrandbits(32):08x}-{r.getrandbits(16):04x}-4{r.getrandbits(12):03x}-{r.getrandbits(16):04x}-{r.getrandbits(48):012x}"
            roll = r.random()
            if roll < 0.55:
                oid = r.randrange(88_000_000, 88_900_000)
                method, path, kind, frames, vhost, ok_status, size = ("GET", f"/api/v1/orders/{oid}", "get", frames_get,
                                                                      "shop.example.com", 200, r.randrange(700, 2400))
                referer = "https://shop.example.com/account/orders"
            elif roll < 0.80:
                method, path, kind, frames, vhost, ok_status, size = ("POST", "/api/v1/orders", "create", frames_create,
                                                                      "shop.example.com", 201, r.randrange(400, 700))
                referer = "https://shop.example.com/checkout"
            elif roll < 0.88:
                method, path, kind, frames, vhost, ok_status, size = ("GET", f"/api/v1/admin/orders?status=pending&page={r.choice([1, 1, 2])}",
                                                                      "backoffice", frames_backoffice,
                                                                      "backoffice.example.com", 200, r.randrange(9000, 30000))
                referer = "https://backoffice.example.com/orders"
            else:
                # catalog pages go to another backend
                path = r.choice(["/", "/products/linen-shirt-navy", "/products/desk-lamp-ando", "/static/app.b81c.js",
                                 "/static/app.0e2f.css", "/search?q=lamp", "/.git/config", "/server-status"])
                if path in ("/.git/config", "/server-status"):
                    access.add(ts, apache_vhost(ts, "shop.example.com", ip, "GET", path, 403, 199, ua))
                    aerr.add(ts, apache_error(ts, "authz_core", "error", r.choice(apache_pids),
                                              r.randrange(139_800_000_000_000, 139_899_999_999_999),
                                              f"AH01630: client denied by server configuration: /var/www/shop{path}",
                                              client=f"{ip}:{r.randrange(20000, 65000)}"))
                else:
                    access.add(ts + timedelta(milliseconds=30), apache_vhost(ts + timedelta(milliseconds=30),
                                                                             "shop.example.com", ip, "GET", path, 200,
                                                                             r.randrange(3000, 90000), ua))
                continue
            ok, done, why = db_query(p, ts, kind)
            lat = (done - ts).total_seconds()
            if kind == "backoffice" and lat > 30.0:
                te = ts + timedelta(seconds=30, microseconds=r.randrange(200, 9000))
                edge_proxy_timeout(te, ip, path, vhost, referer)
                access.add(te, apache_vhost(te, vhost, ip, method, path, 504, 499, ua, referer))
                if why == "timeout":
                    api_log(p, done, 50, "request failed", req_id=rid, req={"method": method, "url": path},
                            err={"message": "canceling statement due to statement timeout", "name": "error",
                                 "stack": "error: canceling statement due to statement timeout\n"
                                          "    at /app/node_modules/pg-pool/index.js:45:11\n"
                                          "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
                                          + frames, "code": "57014"})
                continue
            if why == "pool":
                api_log(p, done, 50, "request failed", req_id=rid, req={"method": method, "url": path},
                        err=_pg_pool_timeout_err(frames))
                access.add(done, apache_vhost(done, vhost, ip, method, path, 500, 352, ua, referer))
                continue
            if why == "timeout":
                api_log(p, done, 50, "request failed", req_id=rid, req={"method": method, "url": path},
                        err={"message": "canceling statement due to statement timeout", "name": "error",
                             "stack": "error: canceling statement due to statement timeout\n"
                                      "    at /app/node_modules/pg-pool/index.js:45:11\n"
                                      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
                                      + frames, "code": "57014"})
                access.add(done, apache_vhost(done, vhost, ip, method, path, 500, 352, ua, referer))
                continue
            te = done + timedelta(milliseconds=r.randrange(2, 12))
            status = ok_status
            if kind == "get" and r.random() < 0.04:
                status, size = 401, 61
                api_log(p, te, 40, "jwt rejected", req_id=rid, req={"method": method, "url": path},
                        err={"message": "jwt expired", "name": "TokenExpiredError"})
            access.add(te, apache_vhost(te, vhost, ip, method, path, status, size, ua, referer))
        # --- background noise that was always there -------------------------------------------
        tn = t + timedelta(microseconds=r.randrange(1_000_000))
        if r.random() < 0.0021:
            api_log(r.randrange(len(pods)), tn, 50, "order confirmation email failed",
                    order_id=r.randrange(88_000_000, 88_900_000),
                    err={"message": "Message failed: 421 4.7.0 Try again later, closing connection.",
                         "name": "Error", "code": "EMESSAGE", "responseCode": 421})
        if r.random() < 0.0017:
            p = r.randrange(39000, 49000)
            sid, sstart, ln = session_of(p, tn)
            db.add(tn, pg_csv(tn, "orders_app", "orders", p, f"10.40.1.{r.choice([21, 37])}:{r.randrange(40000, 60000)}",
                              sid, ln, "INSERT", sstart, f"4/{r.randrange(100000, 999999)}", r.randrange(9_100_000, 9_900_000),
                              "ERROR", "23505", 'duplicate key value violates unique constraint "idempotency_keys_pkey"',
                              detail=f"Key (key)=({r.getrandbits(128):032x}) already exists.",
                              query="INSERT INTO idempotency_keys (key, order_id, created_at) VALUES ($1, $2, now())",
                              app="orders-api", zone=pg_zone))
        if t.second == 0 and t.minute % 5 == 0:
            db.add(t, pg_csv(t, "", "", 1904, "", "6669f2a1.770", 0, "", t - timedelta(days=2), "", 0, "LOG", "00000",
                             "checkpoint starting: time", backend="checkpointer", zone=pg_zone))
            w = r.randrange(900, 5200)
            tc = t + timedelta(seconds=269, milliseconds=r.randrange(100, 900))
            db.add(tc, pg_csv(tc, "", "", 1904, "", "6669f2a1.770", 0, "", t - timedelta(days=2), "", 0, "LOG", "00000",
                              f"checkpoint complete: wrote {w} buffers ({w / 655.36:.1f}%); 0 WAL file(s) added, 0 removed, "
                              f"{r.randrange(1, 4)} recycled; write=269.{r.randrange(100, 999)} s, sync=0.0{r.randrange(10, 99)} s, "
                              f"total=269.{r.randrange(100, 999)} s; sync files={r.randrange(30, 120)}, longest=0.0{r.randrange(10, 40)} s, "
                              f"average=0.001 s; distance={w * 8} kB, estimate={w * 9} kB", backend="checkpointer", zone=pg_zone))
        if t.second == 30 and t.minute % 20 == 7:
            tv = t + timedelta(milliseconds=r.randrange(1000))
            p = r.randrange(50000, 60000)
            db.add(tv, pg_csv(tv, "", "", p, "", f"{int(tv.timestamp()):x}.{p:x}", 1, "", tv, f"9/{r.randrange(1000, 9999)}",
                              0, "LOG", "00000",
                              'automatic analyze of table "orders.public.order_events"\n'
                              f"avg read rate: {r.random() * 8:.3f} MB/s, avg write rate: 0.000 MB/s\n"
                              f"buffer usage: {r.randrange(8000, 20000)} hits, {r.randrange(50, 900)} misses, "
                              f"{r.randrange(0, 30)} dirtied\n"
                              f"system usage: CPU: user: 0.{r.randrange(10, 40)} s, system: 0.0{r.randrange(1, 9)} s, "
                              f"elapsed: 0.{r.randrange(30, 90)} s", backend="autovacuum worker", zone=pg_zone))
        t += timedelta(seconds=1)

    # --- the migrations, as Flyway prints them in the Job's container and PostgreSQL logs them ----
    def flyway(log, at, version, desc, took, ddl):
        lines = [
            (0, "Flyway Community Edition 9.22.3 by Redgate"),
            (890, "Database: jdbc:postgresql://orders-db.internal:5432/orders (PostgreSQL 15.7)"),
            (1210, f"Successfully validated {version} migrations (execution time 00:00.0{r.randrange(40, 99)}s)"),
            (1402, f'Current version of schema "public": {version - 1}'),
            (1409, f'Migrating schema "public" to version "{version} - {desc}"'),
        ]
        for dt, text in lines:
            log.add(at + timedelta(milliseconds=dt), cri(at + timedelta(milliseconds=dt), "stdout", text))
        stamp = at + timedelta(milliseconds=1409)
        p = r.randrange(51000, 52000)
        sstart = at + timedelta(milliseconds=700)
        sid = f"{int(sstart.timestamp()):x}.{p:x}"
        for n, (sql, secs) in enumerate(ddl):
            stamp += timedelta(milliseconds=r.randrange(8, 30))
            tag = " ".join(sql.split()[:2])
            db.add(stamp, pg_csv(stamp, "flyway", "orders", p, f"10.40.3.{r.randrange(10, 60)}:{r.randrange(40000, 60000)}",
                                 sid, n * 2 + 1, tag, sstart, f"12/{r.randrange(1000, 9999)}", 0, "LOG", "00000",
                                 f"execute <unnamed>: {sql}", app="PostgreSQL JDBC Driver", zone=pg_zone))
            stamp += timedelta(seconds=secs)
            if secs >= 1.0:
                db.add(stamp, pg_csv(stamp, "flyway", "orders", p, f"10.40.3.{r.randrange(10, 60)}:{r.randrange(40000, 60000)}",
                                     sid, n * 2 + 2, tag, sstart, f"12/{r.randrange(1000, 9999)}", 0, "LOG",
                                     "00000", f"duration: {secs * 1000:.3f} ms  execute <unnamed>: {sql}",
                                     app="PostgreSQL JDBC Driver", zone=pg_zone))
        done = stamp + timedelta(milliseconds=r.randrange(20, 60))
        log.add(done, cri(done, "stdout", f'Successfully applied 1 migration to schema "public", now at version v{version} '
                                          f"(execution time {took})"))

    flyway(mig42, migrate, 42, "add order status filter", "00:02.511s", [
        ("ALTER TABLE orders ADD COLUMN status_filter varchar(32)", 0.004),
        ("DROP INDEX IF EXISTS orders_status_created_at_idx", 0.052),
        ("CREATE INDEX orders_status_filter_created_at_idx ON orders (status_filter, created_at) "
         "WHERE archived_at IS NULL", 2.318),
    ])
    flyway(mig43, hotfix, 43, "restore orders status created at index", "02:42.934s", [
        ("CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_created_at_idx ON orders (status, created_at)",
         (index_built - hotfix).total_seconds() - 1.45),
    ])

    # --- API start-up lines from the pods' last restart, and the payments deploy elsewhere --------
    for p, (host, _) in enumerate(pods):
        ts = start + timedelta(seconds=40 + 70 * p)
        api.add(ts, bunyan(ts, 30, "orders-api", host, 1, "dispatcher started", interval_ms=4000))

    d = _fresh(out, "slow-query-migration")
    access.write(os.path.join(d, "edge", "other_vhosts_access.log"))
    aerr.write(os.path.join(d, "edge", "error.log"))
    api.write(os.path.join(d, "orders-api", "orders-api.log"))
    db.write(os.path.join(d, "db", "postgresql-2024-06-12_000000.csv"))
    mig42.write(os.path.join(d, "migrate", "orders-migrate-42-x8k2p_default_flyway-"
                                           "9b2e4c71d0a35f6e8c1b27d94a0e3f5c6b8d1e2f4a7c9b0d3e5f6a8c1b2d4e7f.log"))
    mig43.write(os.path.join(d, "migrate", "orders-migrate-43-m2v7d_default_flyway-"
                                           "41c8e2a9f06b3d7c5e1a9f2b8d4c6e0a3f7b1d9c5e2a8f4b6d0c3e7a1f9b5d2c.log"))
    deploys = [
        {"time": "2024-06-11T16:20:12Z", "service": "orders-api", "version": "5.9.0", "kind": "deploy",
         "description": "order list filters (API only, UI behind flag)"},
        {"time": payments_deploy.strftime("%Y-%m-%dT%H:%M:%SZ"), "service": "payments-api", "version": "2.31.0",
         "kind": "deploy", "description": "payments-api 2.31.0: retry 3DS callbacks, bump stripe-node"},
        {"time": migrate.strftime("%Y-%m-%dT%H:%M:%SZ"), "service": "orders-db", "version": "V42", "kind": "migration",
         "description": "orders schema V42"},
        {"time": hotfix.strftime("%Y-%m-%dT%H:%M:%SZ"), "service": "orders-db", "version": "V43", "kind": "migration",
         "description": "orders schema V43 (hotfix)"},
    ]
    with open(os.path.join(d, "deploys.json"), "w") as f:
        json.dump(deploys, f, indent=2)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# oom-crashloop
# ---------------------------------------------------------------------------------------------

def _oom_report(r, boot, at, pid, comm, pod_uid, cid, limit_kb, anon_kb, total_vm_kb, score_adj, cpu):
    """The kernel's cgroup OOM report (mm/oom_kill.c dump_header + oom_kill_process), trimmed of most
    stat lines, as `dmesg -T` prints it."""
    slice_ = f"kubepods-burstable-pod{pod_uid.replace('-', '_')}.slice"
    scope = f"cri-containerd-{cid}.scope"
    memcg = f"/kubepods.slice/kubepods-burstable.slice/{slice_}/{scope}"
    rss_pages = anon_kb // 4 + r.randrange(5000, 9000)
    lines = [
        f"{comm} invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj={score_adj}",
        f"CPU: {cpu} PID: {pid + r.randrange(20, 90)} Comm: {comm} Not tainted 5.15.0-1063-aws #69~20.04.1-Ubuntu",
        "Hardware name: Amazon EC2 m5.xlarge/, BIOS 1.0 10/16/2017",
        "Call Trace:",
        " <TASK>",
        " dump_stack_lvl+0x4a/0x63",
        " dump_stack+0x10/0x16",
        " dump_header+0x53/0x225",
        " oom_kill_process.cold+0xb/0x10",
        " out_of_memory+0x1bd/0x4f0",
        " mem_cgroup_out_of_memory+0x13f/0x160",
        " try_charge_memcg+0x687/0x740",
        " charge_memcg+0x45/0xb0",
        " __mem_cgroup_charge+0x2d/0x80",
        " do_anonymous_page+0x110/0x3b0",
        " __handle_mm_fault+0x8a4/0x8e0",
        " handle_mm_fault+0xd8/0x2c0",
        " do_user_addr_fault+0x1c2/0x660",
        " exc_page_fault+0x77/0x170",
        " asm_exc_page_fault+0x27/0x30",
        f"RIP: 0033:0x7f{_hex(r, 10)}",
        f"Code: Unable to access opcode bytes at RIP 0x7f{_hex(r, 10)}.",
        f"RSP: 002b:00007f{_hex(r, 10)} EFLAGS: 00010206",
        " </TASK>",
        f"memory: usage {limit_kb}kB, limit {limit_kb}kB, failcnt {r.randrange(2000, 9000)}",
        "swap: usage 0kB, limit 0kB, failcnt 0",
        f"Memory cgroup stats for {memcg}:",
        f"anon {anon_kb * 1024}",
        f"file {r.randrange(200, 900) * 4096}",
        f"kernel_stack {r.randrange(300, 500) * 4096}",
        f"pagetables {r.randrange(1000, 1200) * 4096}",
        "Tasks state (memory values in pages):",
        "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
        f"[{pid:7d}] {1000:5d} {pid:5d} {total_vm_kb // 4:8d} {rss_pages:8d} {r.randrange(4300, 4600) * 1024:8d} {0:8d}"
        f"         {score_adj:5d} {comm}",
        f"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset={scope},mems_allowed=0,oom_memcg={memcg},"
        f"task_memcg={memcg},task={comm},pid={pid},uid=1000",
        f"Memory cgroup out of memory: Killed process {pid} ({comm}) total-vm:{total_vm_kb}kB, anon-rss:{anon_kb}kB, "
        f"file-rss:{r.randrange(30000, 40000)}kB, shmem-rss:0kB, UID:1000 pgtables:{r.randrange(4300, 4600)}kB "
        f"oom_score_adj:{score_adj}",
    ]
    return [(at, l) for l in lines]


SPRING_STARTUP = [
    (0, "c.e.export.ExportServiceApplication", "Starting ExportServiceApplication v{version} using Java 17.0.11 with PID 1 "
                                               "(/app/export-service.jar started by app in /app)"),
    (9, "c.e.export.ExportServiceApplication", 'The following 1 profile is active: "prod"'),
    (3120, "o.s.b.w.embedded.tomcat.TomcatWebServer", "Tomcat initialized with port 8080 (http)"),
    (3141, "o.apache.catalina.core.StandardService", "Starting service [Tomcat]"),
    (3142, "o.apache.catalina.core.StandardEngine", "Starting Servlet engine: [Apache Tomcat/10.1.25]"),
    (3388, "o.a.c.c.C.[Tomcat].[localhost].[/]", "Initializing Spring embedded WebApplicationContext"),
    (5210, "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Starting..."),
    (5472, "com.zaxxer.hikari.pool.HikariPool", "HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@{obj}"),
    (5475, "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Start completed."),
    (10140, "o.s.b.w.embedded.tomcat.TomcatWebServer", "Tomcat started on port 8080 (http) with context path ''"),
    (10161, "o.s.a.r.c.CachingConnectionFactory", "Attempting to connect to: [rabbitmq.default.svc:5672]"),
    (10233, "o.s.a.r.c.CachingConnectionFactory", "Created new connection: rabbitConnectionFactory#{obj2}:0/SimpleConnection@"
                                                  "{obj3} [delegate=amqp://exports@10.96.120.7:5672/, localPort={port}]"),
    (10290, "c.e.export.ExportServiceApplication", "Started ExportServiceApplication in {secs} seconds "
                                                   "(process running for {secs2})"),
]


def oom_crashloop(out, seed):
    r = random.Random(seed)
    start = datetime(2024, 7, 18, 13, 15, 0, tzinfo=UTC)
    end = datetime(2024, 7, 18, 15, 40, 0, tzinfo=UTC)
    deploy = datetime(2024, 7, 18, 13, 58, 20, tzinfo=UTC)
    reports_deploy = datetime(2024, 7, 18, 14, 16, 40, tzinfo=UTC)
    big_export = datetime(2024, 7, 18, 14, 19, 55, 310000, tzinfo=UTC)
    rollback = datetime(2024, 7, 18, 15, 2, 10, tzinfo=UTC)
    nodes = {"a": ("ip-10-0-3-17", datetime(2024, 7, 2, 6, 11, 4, tzinfo=UTC)),
             "b": ("ip-10-0-5-142", datetime(2024, 7, 2, 6, 13, 51, tzinfo=UTC))}
    kmsg = {"a": Log(), "b": Log()}
    journal_a = Log()
    ingress, reports_old, reports_new = Log(), Log(), Log()
    instances = []  # (pod name, container id, Log) of every export-service container

    def kubelet(at, level, where, msg):
        journal_a.add(at, journal_iso(at, nodes["a"][0], "kubelet[1187]", klog(at, level, 1187, where, msg)))

    def node_j(at, ident, msg):
        journal_a.add(at, journal_iso(at, nodes["a"][0], ident, msg))

    def containerd(at, msg):
        stamp = _rfc3339nano(at, at.microsecond * 1000 + r.randrange(1000))
        node_j(at, "containerd[812]", f'time="{stamp}" level=info msg="{msg}"')

    def spring_line(at, level, thread, logger, msg):
        return cri(at, "stdout", spring(at, level, 1, "export-service", thread, logger, msg))

    # --- the pods -----------------------------------------------------------------------------
    class Pod:
        def __init__(self, name, node, version, ip, created):
            self.name, self.node, self.version, self.ip = name, node, version, ip
            self.uid = _uid(r)
            self.restarts = 0
            self.log = None
            self.cid = None
            self.ready = None
            self.created = created
            self.deleted = None
            self.pid = r.randrange(3000, 9000)

    def start_container(pod, at, quiet=False):
        pod.cid = _hex(r, 64)
        pod.log = Log()
        instances.append((pod.name, pod.cid, pod.log))
        pod.pid += r.randrange(400, 3000)
        slow = 1.0 + r.random() * 0.15
        for dt, logger, msg in SPRING_STARTUP:
            ts = at + timedelta(milliseconds=dt * slow)
            secs = 10.29 + r.random() * 1.5
            pod.log.add(ts, spring_line(ts, "INFO", "main", logger, msg.format(
                version=pod.version, obj=_hex(r, 8), obj2=_hex(r, 8), obj3=_hex(r, 8),
                port=r.randrange(40000, 60000), secs=f"{secs:.3f}", secs2=f"{secs + 0.78:.3f}")))
        pod.ready = at + timedelta(seconds=12, milliseconds=r.randrange(0, 900))
        if pod.node == "a" and not quiet:
            containerd(at - timedelta(milliseconds=220), f'StartContainer for \\"{pod.cid}\\" returns successfully')
            kubelet(at + timedelta(milliseconds=r.randrange(300, 700)), "I", "kubelet.go:2458",
                    f'"SyncLoop (PLEG): event for pod" pod="default/{pod.name}" '
                    f'event={{"ID":"{pod.uid}","Type":"ContainerStarted","Data":"{pod.cid}"}}')
            for k in range(2):
                ts = at + timedelta(seconds=4 + 5 * k, milliseconds=r.randrange(0, 200))
                kubelet(ts, "I", "prober.go:107",
                        f'"Probe failed" probeType="Readiness" pod="default/{pod.name}" podUID="{pod.uid}" '
                        f'containerName="export-service" probeResult="failure" output="Get '
                        f'\\"http://{pod.ip}:8080/actuator/health/readiness\\": dial tcp {pod.ip}:8080: connect: '
                        f'connection refused"')

    old_rs, new_rs, rb_rs = "6b8f9d7c5", "7d9f8b6c4", "59c6d7b8f"
    pods_old = [Pod(f"export-service-{old_rs}-8pq2v", "a", "4.11.2", "10.244.1.31", start - timedelta(days=3)),
                Pod(f"export-service-{old_rs}-w6tnc", "b", "4.11.2", "10.244.2.18", start - timedelta(days=3))]
    for p in pods_old:
        start_container(p, start - timedelta(days=3), quiet=True)
        p.log.lines = []  # only what happened inside the window is kept
    pod_a = Pod(f"export-service-{new_rs}-x2kq9", "a", "4.12.0", "10.244.1.47", deploy)
    pod_b = Pod(f"export-service-{new_rs}-m4hzt", "b", "4.12.0", "10.244.2.26", deploy)
    start_container(pod_a, deploy + timedelta(seconds=6))
    pods_old[0].deleted = pod_a.ready + timedelta(seconds=1)
    start_container(pod_b, pod_a.ready + timedelta(seconds=3))
    pods_old[1].deleted = pod_b.ready + timedelta(seconds=1)
    for p in pods_old:
        ts = p.deleted
        p.log.add(ts, spring_line(ts, "INFO", "ionShutdownHook", "o.s.b.w.e.tomcat.GracefulShutdown",
                                  "Commencing graceful shutdown. Waiting for active requests to complete"))
        ts += timedelta(milliseconds=412)
        p.log.add(ts, spring_line(ts, "INFO", "tomcat-shutdown", "o.s.b.w.e.tomcat.GracefulShutdown",
                                  "Graceful shutdown complete"))
        p.log.add(ts, spring_line(ts, "INFO", "ionShutdownHook", "com.zaxxer.hikari.HikariDataSource",
                                  "HikariPool-1 - Shutdown initiated..."))
        p.log.add(ts, spring_line(ts, "INFO", "ionShutdownHook", "com.zaxxer.hikari.HikariDataSource",
                                  "HikariPool-1 - Shutdown completed."))

    # --- the big export bounces between the pods; each one that takes it is OOM-killed ----------
    delays = [0, 10, 20, 40, 80, 160, 300]
    backoff_text = ["", "10s", "20s", "40s", "1m20s", "2m40s", "5m0s"]
    pods_new = [pod_a, pod_b]
    down_by = {pod_a.name: [], pod_b.name: []}  # (from, to): the pod serves no request
    job_at = big_export
    holder = None
    crashes = []
    while True:
        # the first ready pod that is not the one that just died takes the redelivered message
        cands = sorted(pods_new, key=lambda p: max(p.ready, job_at) + timedelta(seconds=0 if p is not holder else 0.5))
        pod = cands[0]
        pickup = max(pod.ready, job_at) + timedelta(milliseconds=r.randrange(20, 200))
        if pickup >= rollback:
            break
        holder = pod
        tid = f"ntContainer#0-{r.randrange(1, 4)}"
        pod.log.add(pickup, spring_line(pickup, "INFO", tid, "c.e.export.ExportJobListener",
                                        "Starting export 55120 (report=8812, tenant=northwind, format=xlsx, "
                                        "rows=1912330, batchSize=5000)"))
        oom = pickup + timedelta(seconds=96 + r.random() * 22)
        written = 0
        k = 1
        while True:
            ts = pickup + timedelta(seconds=k * 21 + r.random() * 3)
            if ts >= oom - timedelta(seconds=8):
                break
            written += 100000
            pod.log.add(ts, spring_line(ts, "INFO", tid, "c.e.export.XlsxExportWriter",
                                        f"Export 55120: {written}/1912330 rows written"))
            k += 1
        crashes.append((pod, oom))
        # kernel on the pod's node
        boot = nodes[pod.node][1]
        report = _oom_report(r, boot, oom, pod.pid, "java", pod.uid, pod.cid, 2097152,
                             2061000 + r.randrange(0, 20000), 4896000 + r.randrange(0, 90000), 938, r.randrange(0, 4))
        for at, line in report:
            kmsg[pod.node].add(at, dmesg_t(at, line))
        killed = report[-1][1]
        delay = delays[min(pod.restarts, len(delays) - 1)]
        restart_at = oom + timedelta(seconds=delay, milliseconds=r.randrange(900, 1600))
        down_by[pod.name].append((oom, restart_at + timedelta(seconds=12)))
        if pod.node == "a":
            scope = f"cri-containerd-{pod.cid}.scope"
            node_j(oom + timedelta(milliseconds=31), "systemd[1]",
                   f"{scope}: A process of this unit has been killed by the OOM killer.")
            containerd(oom + timedelta(milliseconds=118), f'TaskOOM event container_id:\\"{pod.cid}\\"')
            node_j(oom + timedelta(milliseconds=160), "systemd[1]", f"{scope}: Deactivated successfully.")
            node_j(oom + timedelta(milliseconds=161), "systemd[1]",
                   f"{scope}: Consumed {r.randrange(90, 400)}.{r.randrange(100, 999)}s CPU time.")
            ex = oom + timedelta(milliseconds=260)
            containerd(ex, f'received exit event container_id:\\"{pod.cid}\\"  id:\\"{pod.cid}\\"  pid:{pod.pid}  '
                           f'exit_status:137  exited_at:{{seconds:{int(oom.timestamp())}  nanos:{oom.microsecond * 1000 + 312}}}')
            npd = oom + timedelta(milliseconds=r.randrange(300, 900))
            npd_start = boot + timedelta(seconds=41)
            node_j(npd, "node-problem-detector[1022]",
                   klog(npd, "I", 1022, "log_monitor.go:159",
                        f"New status generated: &{{Source:kernel-monitor Events:[{{Severity:warn Timestamp:"
                        f"{oom.strftime('%Y-%m-%d %H:%M:%S')}.{oom.microsecond * 1000:09d} +0000 UTC m=+{(oom - npd_start).total_seconds():.9f} "
                        f"Reason:OOMKilling Message:{killed}}}] Conditions:[{{Type:KernelDeadlock Status:False "
                        f"Transition:{npd_start.strftime('%Y-%m-%d %H:%M:%S')}.519479174 +0000 UTC m=+0.178021503 "
                        f"Reason:KernelHasNoDeadlock Message:kernel has no deadlock}} {{Type:ReadonlyFilesystem "
                        f"Status:False Transition:{npd_start.strftime('%Y-%m-%d %H:%M:%S')}.519479274 +0000 UTC "
                        f"m=+0.178021603 Reason:FilesystemIsNotReadOnly Message:Filesystem is not read-only}}]}}"))
            pl = oom + timedelta(milliseconds=r.randrange(900, 1300))
            kubelet(pl, "I", "kubelet.go:2458",
                    f'"SyncLoop (PLEG): event for pod" pod="default/{pod.name}" '
                    f'event={{"ID":"{pod.uid}","Type":"ContainerDied","Data":"{pod.cid}"}}')
            if delay > 0:
                w = pl + timedelta(milliseconds=r.randrange(2, 9))
                while w < restart_at - timedelta(seconds=2):
                    kubelet(w, "E", "pod_workers.go:1298",
                            f'"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"export-service\\" '
                            f'with CrashLoopBackOff: \\"back-off {backoff_text[min(pod.restarts, len(delays) - 1)]} restarting failed '
                            f'container=export-service pod={pod.name}_default({pod.uid})\\"" pod="default/{pod.name}" '
                            f'podUID="{pod.uid}"')
                    w += timedelta(seconds=r.randrange(11, 16), milliseconds=r.randrange(0, 999))
        pod.restarts += 1
        job_at = oom + timedelta(milliseconds=r.randrange(40, 120))
        if restart_at < rollback:
            start_container(pod, restart_at)
        else:
            pod.ready = end + timedelta(days=1)

    # --- rollback to 4.11.2: new pods take the export and finish it -----------------------------
    pod_c = Pod(f"export-service-{rb_rs}-jr7cx", "a", "4.11.2", "10.244.1.52", rollback)
    pod_d = Pod(f"export-service-{rb_rs}-2vdlh", "b", "4.11.2", "10.244.2.33", rollback)
    start_container(pod_c, rollback + timedelta(seconds=5))
    start_container(pod_d, pod_c.ready + timedelta(seconds=2))
    for p, at in ((pod_a, pod_c.ready + timedelta(seconds=1)), (pod_b, pod_d.ready + timedelta(seconds=1))):
        down_by[p.name].append((at, end + timedelta(days=1)))
        if p.ready < at:
            p.log.add(at, spring_line(at, "INFO", "ionShutdownHook", "o.s.b.w.e.tomcat.GracefulShutdown",
                                      "Commencing graceful shutdown. Waiting for active requests to complete"))
    pick = max(pod_c.ready, job_at) + timedelta(milliseconds=140)
    tid = "ntContainer#0-1"
    pod_c.log.add(pick, spring_line(pick, "INFO", tid, "c.e.export.ExportJobListener",
                                    "Starting export 55120 (report=8812, tenant=northwind, format=xlsx, rows=1912330, "
                                    "batchSize=500)"))
    for k in range(1, 20):
        ts = pick + timedelta(seconds=k * 19.4 + r.random() * 2)
        pod_c.log.add(ts, spring_line(ts, "INFO", tid, "c.e.export.XlsxExportWriter",
                                      f"Export 55120: {k * 100000}/1912330 rows written"))
    fin = pick + timedelta(seconds=371.2)
    pod_c.log.add(fin, spring_line(fin, "INFO", tid, "c.e.export.ExportJobListener",
                                   "Export 55120 finished: 1912330 rows, 212.4 MiB in 371.2 s"))

    first_ready = {pod_a.name: deploy + timedelta(seconds=18), pod_b.name: deploy + timedelta(seconds=36)}

    def serving2(at):
        """Export-service pods able to take a request at `at`."""
        ok = [p for p in pods_old if at < p.deleted]
        ok += [p for p in (pod_a, pod_b)
               if at >= first_ready[p.name] and not any(a <= at < b for a, b in down_by[p.name])]
        ok += [p for p in (pod_c, pod_d) if at >= p.ready]
        return ok

    # The heap stays below -Xmx: the container's RSS (heap + native buffers of the XLSX writer) crosses
    # the cgroup limit and the kernel kills java without warning; only requests in flight die with it.
    stalls = [(p, oom - timedelta(seconds=1.5), oom) for p, oom in crashes]

    def export_call(at):
        """Where a request to export-service lands: ("ok", pod, None), ("stalled", pod, when it dies)
        for a request still in flight when the pod is killed, or ("refused", pod, None) when the
        endpoint left is a dead container."""
        stalled = [(p, oom) for p, s0, oom in stalls if s0 <= at < oom]
        ok = [p for p in serving2(at) if all(p is not sp for sp, _ in stalled)]
        choices = [("ok", p, None) for p in ok] + [("stalled", p, oom) for p, oom in stalled]
        if choices:
            return r.choice(choices)
        return ("refused", r.choice([pod_a, pod_b]), None)

    def reports_ip(at):
        return "10.244.2.9:8080" if at < reports_deploy + timedelta(seconds=14) else "10.244.1.58:8080"

    # --- traffic: ingress-nginx in front of reports-api and export-service ------------------------
    clients = traffic_clients(r, 260)
    reports_old_pod, reports_new_pod = "reports-api-5d8c7f9b6-hx2mq", "reports-api-7f4b8c5d9-9kq3r"

    def reports(at, level, msg, **kw):
        (reports_old if at < reports_deploy + timedelta(seconds=14) else reports_new).add(at, slog_text(at, level, msg, **kw))

    def ing_access(at, ip, method, path, status, size, ua, rt, up_name, up_addr, up_len, urt, up_status):
        ingress.add(at, cri(at, "stdout", ingress_access(at, ip, method, path, status, size, ua, r.randrange(300, 900), rt,
                                                        up_name, up_addr, up_len, urt, up_status, _hex(r, 32))))

    def ing_error(at, text):
        ingress.add(at, cri(at, "stderr", nginx_error(at, "error", 31, r.randrange(100000, 999999), text)))

    t = start
    while t < end:
        for _ in range(_poisson(r, 0.2)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip, ua = r.choice(clients), r.choice(UAS)
            roll = r.random()
            if roll < 0.42:
                rid = r.randrange(8000, 9000)
                path = r.choice([f"/api/reports/{rid}", "/api/reports?page=1", f"/api/reports/{rid}/runs"])
                lat = 0.008 + r.random() * 0.04
                reports(ts + timedelta(seconds=lat), "INFO", "http request", method="GET", path=path.split("?")[0],
                        status=200, duration=f"{lat * 1000:.1f}ms")
                ing_access(ts + timedelta(seconds=lat), ip, "GET", path, 200, r.randrange(800, 9000), ua, lat,
                           "default-reports-api-8080", reports_ip(ts), r.randrange(800, 9000), f"{lat - 0.001:.3f}", 200)
            elif roll < 0.57:
                rid = r.randrange(8000, 9000)
                path = f"/api/reports/{rid}/exports"
                how, p, until = export_call(ts)
                if how == "ok":
                    lat = 0.015 + r.random() * 0.03
                    reports(ts + timedelta(seconds=lat), "INFO", "http request", method="POST", path=path, status=202,
                            duration=f"{lat * 1000:.1f}ms")
                    ing_access(ts + timedelta(seconds=lat), ip, "POST", path, 202, 96, ua, lat, "default-reports-api-8080",
                               reports_ip(ts), 96, f"{lat - 0.001:.3f}", 202)
                    continue
                if how == "stalled":
                    lat = 10.0 + r.random() * 0.004
                    err = ('Post "http://export-service.default.svc.cluster.local:8080/api/v1/exports": context deadline '
                           "exceeded (Client.Timeout exceeded while awaiting headers)")
                else:
                    lat = 0.003 + r.random() * 0.004
                    err = ('Post "http://export-service.default.svc.cluster.local:8080/api/v1/exports": dial tcp '
                           "10.96.44.12:8080: connect: connection refused")
                reports(ts + timedelta(seconds=lat * 0.99), "ERROR", "create export failed", report_id=rid, err=err)
                reports(ts + timedelta(seconds=lat), "INFO", "http request", method="POST", path=path, status=503,
                        duration=f"{lat * 1000:.1f}ms")
                ing_access(ts + timedelta(seconds=lat), ip, "POST", path, 503, 64, ua, lat, "default-reports-api-8080",
                           reports_ip(ts), 64, f"{lat - 0.001:.3f}", 503)
            elif roll < 0.85:
                eid = r.randrange(55000, 55119)
                path = f"/exports/{eid}/download" if roll < 0.66 else f"/api/v1/exports/{eid}"
                how, p, until = export_call(ts)
                up = f"http://{p.ip}:8080{path}"
                req = f'client: {ip}, server: reports.example.com, request: "GET {path} HTTP/1.1", upstream: "{up}", ' \
                      f'host: "reports.example.com"'
                if how == "ok":
                    lat = (0.05 + r.random() * 0.6) if "download" in path else (0.004 + r.random() * 0.02)
                    size = r.randrange(40_000, 4_000_000) if "download" in path else r.randrange(180, 260)
                    ing_access(ts + timedelta(seconds=lat), ip, "GET", path, 200, size, ua, lat,
                               "default-export-service-8080", f"{p.ip}:8080", size, f"{lat - 0.002:.3f}", 200)
                elif how == "stalled" and (until - ts).total_seconds() < 60:
                    te = until + timedelta(milliseconds=r.randrange(1, 9))
                    ing_error(te, f"upstream prematurely closed connection while reading response header from upstream, {req}")
                    ing_access(te, ip, "GET", path, 502, 150, ua, (te - ts).total_seconds(), "default-export-service-8080",
                               f"{p.ip}:8080", 0, f"{(te - ts).total_seconds():.3f}", 502)
                elif how == "stalled":
                    te = ts + timedelta(seconds=60, milliseconds=r.randrange(1, 9))
                    ing_error(te, f"upstream timed out (110: Operation timed out) while reading response header from "
                                  f"upstream, {req}")
                    ing_access(te, ip, "GET", path, 504, 160, ua, 60.001, "default-export-service-8080", f"{p.ip}:8080", 0,
                               "60.000", 504)
                else:
                    te = ts + timedelta(milliseconds=r.randrange(1, 4))
                    ing_error(te, f"connect() failed (111: Connection refused) while connecting to upstream, {req}")
                    ing_access(te, ip, "GET", path, 502, 150, ua, 0.002, "default-export-service-8080", f"{p.ip}:8080", 0,
                               "0.001", 502)
            else:
                path = r.choice(["/", "/reports", "/static/js/main.51c2e9.js", "/static/css/main.8d0f.css", "/favicon.ico"])
                lat = 0.001 + r.random() * 0.01
                ing_access(ts + timedelta(seconds=lat), ip, "GET", path, 200, r.randrange(500, 400000), ua, lat,
                           "default-reports-web-80", "10.244.2.7:80", r.randrange(500, 400000), f"{lat:.3f}", 200)
        # --- background noise -------------------------------------------------------------------
        tn = t + timedelta(microseconds=r.randrange(1_000_000))
        if r.random() < 0.0035:
            reports(tn, "WARN", "rate limit exceeded", client="partner-feed", limit=100, window="1m")
        if r.random() < 0.0014:
            reports(tn, "ERROR", "webhook delivery failed", url="https://hooks.partner.example/reports",
                    err='Post "https://hooks.partner.example/reports": context deadline exceeded '
                        "(Client.Timeout exceeded while awaiting headers)", attempt=r.randrange(1, 4))
        if r.random() < 0.025:
            kubelet(tn, "E", "dns.go:153", '"Nameserver limits exceeded" err="Nameserver limits were exceeded, some '
                                           'nameservers have been omitted, the applied nameserver line is: 10.0.0.2 '
                                           '10.0.8.2 169.254.169.253"')
        if r.random() < 0.004:
            live = [p for p in serving2(tn) if p.log is not None]
            if live:
                p = r.choice(live)
                p.log.add(tn, spring_line(tn, "WARN", f"http-nio-8080-exec-{r.randrange(1, 10)}",
                                          "o.s.w.s.m.s.DefaultHandlerExceptionResolver",
                                          "Resolved [org.springframework.web.HttpMediaTypeNotAcceptableException: "
                                          "No acceptable representation]"))
        if r.random() < 0.006 and tn < big_export - timedelta(minutes=2) or (tn > pick + timedelta(minutes=8) and r.random() < 0.006):
            live = [p for p in serving2(tn) if p.log is not None]
            if live:
                p = r.choice(live)
                eid = r.randrange(55000, 55119)
                rows = r.randrange(800, 60000)
                thr = f"ntContainer#0-{r.randrange(1, 4)}"
                p.log.add(tn, spring_line(tn, "INFO", thr, "c.e.export.ExportJobListener",
                                          f"Starting export {eid} (report={r.randrange(8000, 9000)}, tenant="
                                          f"{r.choice(['acme', 'globex', 'initech', 'umbrella'])}, format="
                                          f"{r.choice(['csv', 'xlsx'])}, rows={rows}, batchSize="
                                          f"{5000 if p.version == '4.12.0' else 500})"))
                tf = tn + timedelta(seconds=rows / 5200 + r.random())
                p.log.add(tf, spring_line(tf, "INFO", thr, "c.e.export.ExportJobListener",
                                          f"Export {eid} finished: {rows} rows, {rows * 0.11 / 1000:.1f} MiB in "
                                          f"{(tf - tn).total_seconds():.1f} s"))
        if t.second == 0 and t.minute % 15 == 0:
            # a CronJob pod comes and goes on node-a
            veth = f"veth{_hex(r, 8)}"
            port = r.randrange(5, 12)
            for dt, msg in [(0, f"cni0: port {port}({veth}) entered blocking state"),
                            (0, f"cni0: port {port}({veth}) entered disabled state"),
                            (0, f"device {veth} entered promiscuous mode"),
                            (1, f"cni0: port {port}({veth}) entered blocking state"),
                            (1, f"cni0: port {port}({veth}) entered forwarding state"),
                            (38, f"cni0: port {port}({veth}) entered disabled state"),
                            (38, f"device {veth} left promiscuous mode"),
                            (38, f"cni0: port {port}({veth}) entered disabled state")]:
                kmsg["a"].add(t + timedelta(seconds=dt), dmesg_t(t + timedelta(seconds=dt), msg))
        t += timedelta(seconds=1)

    # --- reports-api: the deploy, and the backlog it sees while exports do not move --------------
    for at, pod, ver in ((start - timedelta(hours=5), reports_old_pod, "2.7.2"), (reports_deploy + timedelta(seconds=14), reports_new_pod, "2.7.3")):
        if at >= start:
            reports(at, "INFO", "starting reports-api", version=ver, addr=":8080")
            reports(at + timedelta(milliseconds=31), "INFO", "connected to postgres", host="reports-db.internal", pool_max=20)
    reports_old.add(reports_deploy + timedelta(seconds=15), slog_text(reports_deploy + timedelta(seconds=15), "INFO",
                                                                       "shutting down", signal="terminated"))
    bt = big_export + timedelta(minutes=4)
    while bt < fin:
        pending = int(min(95, 3 + (bt - big_export).total_seconds() / 40))
        reports(bt, "WARN", "export backlog growing", queue="exports", pending=pending,
                oldest=f"{int((bt - big_export).total_seconds() // 60)}m{int((bt - big_export).total_seconds() % 60)}s")
        bt += timedelta(seconds=60)

    d = _fresh(out, "oom-crashloop")
    for node, log in kmsg.items():
        log.write(os.path.join(d, f"node-{node}", "dmesg.txt"))
    journal_a.write(os.path.join(d, "node-a", "journal.log"))
    for name, cid_, log in instances:
        if log.lines:
            log.write(os.path.join(d, "export-service", f"{name}_default_export-service-{cid_}.log"))
    ingress.write(os.path.join(d, "ingress-nginx", "ingress-nginx-controller-6d7f8c9b4-zq5xk_ingress-nginx_controller-"
                                                   "3e9a1c5b7d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a1c3b5d7f9e2a4c6b8d0f1e3a.log"))
    reports_old.write(os.path.join(d, "reports-api", f"{reports_old_pod}.log"))
    reports_new.write(os.path.join(d, "reports-api", f"{reports_new_pod}.log"))
    with open(os.path.join(d, "deploys.csv"), "w", newline="\n") as f:
        f.write("time,service,version,kind,description\n")
        f.write("2024-07-18T13:58:20Z,export-service,4.12.0,deploy,\"export-service 4.12.0: faster XLSX exports, "
                "Spring Boot 3.2.7\"\n")
        f.write("2024-07-18T14:16:40Z,reports-api,2.7.3,deploy,reports-api 2.7.3: webhook retries with jitter\n")
        f.write("2024-07-18T15:02:10Z,export-service,4.11.2,rollback,roll back export-service to 4.11.2\n")


# ---------------------------------------------------------------------------------------------
# disk-full
# ---------------------------------------------------------------------------------------------

PG_BADGER_PREFIX = "{t} [{pid}]: user={u},db={d},app={a},client={h} "


# The billing-api host's clock runs 107 s behind (its NTP daemon had been stopped): its lines
# carry times 107 s earlier than the proxy's for the same requests.
RAILS_SKEW = timedelta(seconds=107)


def disk_full(out, seed):
    r = random.Random(seed)
    ams = BERLIN_SUMMER  # Europe/Amsterdam in September: CEST, +02:00
    start = datetime(2024, 9, 9, 12, 40, 0, tzinfo=UTC)
    end = datetime(2024, 9, 9, 15, 40, 0, tzinfo=UTC)
    invoice_run = datetime(2024, 9, 9, 14, 0, 3, 118000, tzinfo=UTC)
    billing_deploy = datetime(2024, 9, 9, 14, 9, 31, tzinfo=UTC)
    panic = datetime(2024, 9, 9, 14, 37, 12, 418000, tzinfo=UTC)
    shut = panic + timedelta(seconds=9, milliseconds=611)          # second PANIC, postmaster exits
    resize = datetime(2024, 9, 9, 14, 51, 5, 220000, tzinfo=UTC)
    pg_start = datetime(2024, 9, 9, 14, 53, 31, 604000, tzinfo=UTC)
    pg_ready = pg_start + timedelta(seconds=12, milliseconds=907)
    slot_dropped = datetime(2024, 9, 9, 14, 58, 40, tzinfo=UTC)

    db, sysl, rails, ledger, access = Log(), Log(), Log(), Log(), Log()
    clients = traffic_clients(r, 300, firsts=(62, 77, 80, 83, 84, 85, 145, 188, 194, 217))
    db_ip = "10.40.2.10"
    rails_pid = 2291
    ledger_threads = [f"http-nio-8080-exec-{i}" for i in range(1, 21)]
    lsn = [0x21000028]

    def pgl(at, pid, sev, msg, u="", d="", a="", h=""):
        db.add(at, pg_prefixed(at, PG_BADGER_PREFIX, sev, msg, ams, pid=pid, u=u, d=d, a=a, h=h))

    def pg_app(at, pid, sev, msg, app="billing-api", user="billing", host="10.40.1.21"):
        pgl(at, pid, sev, msg, user, "billing", app, host)

    def sl(at, pri, app, pid, msg):
        sysl.add(at, rfc5424(at, pri, "db-1", app, pid, msg, ams))

    def db_state(at):
        """up | crashed (in recovery after the crash) | down | starting."""
        if at < panic:
            return "up"
        if at < shut:
            return "crashed"
        if at < pg_start:
            return "down"
        if at < pg_ready:
            return "starting"
        return "up"

    conn_refused = (f'connection to server at "{db_ip}", port 5432 failed: Connection refused\n'
                    "\tIs the server running on that host and accepting TCP/IP connections?")

    def rails_request(at, ip, method, path, controller, action, params, ok_status, view_ms, rid):
        state = db_state(at)
        tag = f"[{rid}] "
        rails.add(at - RAILS_SKEW, ruby_logger(at - RAILS_SKEW, "INFO", rails_pid, f"{tag}Started {method} \"{path}\" for {ip} at "
                                                         f"{(at - RAILS_SKEW).strftime('%Y-%m-%d %H:%M:%S')} +0000"))
        t1 = at + timedelta(milliseconds=1)
        rails.add(t1 - RAILS_SKEW, ruby_logger(t1 - RAILS_SKEW, "INFO", rails_pid, f"{tag}Processing by {controller}#{action} as JSON"))
        if params:
            rails.add(t1 - RAILS_SKEW, ruby_logger(t1 - RAILS_SKEW, "INFO", rails_pid, f"{tag}  Parameters: {params}"))
        if state == "up":
            ms = view_ms + r.random() * 20
            t2 = at + timedelta(milliseconds=ms)
            rails.add(t2 - RAILS_SKEW, ruby_logger(t2 - RAILS_SKEW, "INFO", rails_pid,
                                      f"{tag}Completed {ok_status} {'OK' if ok_status == 200 else 'Created'} in {int(ms)}ms "
                                      f"(Views: {ms * 0.2:.1f}ms | ActiveRecord: {ms * 0.5:.1f}ms | Allocations: "
                                      f"{r.randrange(1500, 9000)})"))
            return ok_status, t2
        if state == "crashed":
            err = ("ActiveRecord::ConnectionNotEstablished (connection to server at \"10.40.2.10\", port 5432 failed: "
                   "FATAL:  the database system is in recovery mode\n)")
        elif state == "starting":
            err = ("ActiveRecord::ConnectionNotEstablished (connection to server at \"10.40.2.10\", port 5432 failed: "
                   "FATAL:  the database system is starting up\n)")
        else:
            err = f"ActiveRecord::ConnectionNotEstablished ({conn_refused}\n)"
        ms = 2 + r.random() * 4
        t2 = at + timedelta(milliseconds=ms)
        rails.add(t2 - RAILS_SKEW, ruby_logger(t2 - RAILS_SKEW, "INFO", rails_pid, f"{tag}Completed 500 Internal Server Error in {int(ms)}ms "
                                                         f"(ActiveRecord: 0.0ms | Allocations: {r.randrange(500, 1200)})"))
        body = "\n".join([f"{tag}  ", f"{tag}{err}:", f"{tag}  ",
                          f"{tag}app/controllers/api/{controller.split('::')[-1][:-10].lower()}_controller.rb:"
                          f"{r.randrange(12, 60)}:in `{action}'"])
        rails.add(t2 - RAILS_SKEW, ruby_logger(t2 - RAILS_SKEW, "FATAL", rails_pid, body))
        return 500, t2

    def ledger_request(at, thread):
        state = db_state(at)
        if state == "up":
            return 200, at + timedelta(milliseconds=8 + r.random() * 30)
        te = at + timedelta(seconds=30, milliseconds=r.randrange(0, 9))
        if state == "down" or (state == "crashed" and r.random() < 0.3):
            cause = ("org.postgresql.util.PSQLException: Connection to 10.40.2.10:5432 refused. Check that the hostname "
                     "and port are correct and that the postmaster is accepting TCP/IP connections.")
            frames = ["\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:346)",
                      "\tat org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:54)",
                      "\t... 12 common frames omitted",
                      "Caused by: java.net.ConnectException: Connection refused",
                      "\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)",
                      "\t... 22 common frames omitted"]
        else:
            word = "in recovery mode" if state == "crashed" else "starting up"
            cause = f"org.postgresql.util.PSQLException: FATAL: the database system is {word}"
            frames = ["\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2733)",
                      "\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:612)",
                      "\t... 12 common frames omitted"]
        msg = (f"HikariPool-1 - Connection is not available, request timed out after 3000{r.randrange(0, 9)}ms "
               f"(total=0, active=0, idle=0, waiting={r.randrange(3, 14)})")
        ledger.add(te, "\n".join([
            log4j2(te, "ERROR", thread, "c.e.l.a.GlobalExceptionHandler",
                   "Request failed: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC "
                   f"Connection", ams),
            f"java.sql.SQLTransientConnectionException: {msg}",
            "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)",
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)",
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:144)",
            "\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:127)",
            "\tat com.example.ledger.repo.EntryRepository.balance(EntryRepository.java:88)",
            f"Caused by: {cause}",
        ] + frames))
        return 500, te

    t = start
    while t < end:
        # --- traffic: billing-api (Rails) and ledger (Spring) behind nginx ----------------------
        for _ in range(_poisson(r, 0.085)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip, ua = r.choice(clients), r.choice(UAS)
            iid = r.randrange(440000, 449999)
            method, path, ctrl, action, params, ok, vms = r.choice([
                ("GET", f"/api/invoices/{iid}", "Api::InvoicesController", "show", f'{{"id"=>"{iid}"}}', 200, 14),
                ("GET", "/api/invoices?status=open", "Api::InvoicesController", "index", '{"status"=>"open"}', 200, 31),
                ("POST", f"/api/invoices/{iid}/payments", "Api::PaymentsController", "create",
                 f'{{"amount_cents"=>{r.randrange(1000, 90000)}, "invoice_id"=>"{iid}"}}', 201, 48),
            ])
            # nginx passes its $request_id upstream (proxy_set_header X-Request-ID), and Rails'
            # ActionDispatch::RequestId logs it as the request's tag.
            rid = _hex(r, 32)
            status, te = rails_request(ts, ip, method, path, ctrl, action, params, ok, vms, rid)
            lat = (te - ts).total_seconds() + 0.001
            access.add(te, nginx_json_access(te, ip, method, path, status, 1240 if status < 300 else 1133, ua, lat,
                                             "10.40.1.21:3000", f"{lat - 0.001:.3f}", rid))
        for _ in range(_poisson(r, 0.06)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip, ua = r.choice(clients), r.choice(UAS)
            acct = r.randrange(10000, 99999)
            path = r.choice([f"/api/ledger/accounts/{acct}/balance", f"/api/ledger/accounts/{acct}/entries?limit=50"])
            status, te = ledger_request(ts, r.choice(ledger_threads))
            lat = (te - ts).total_seconds() + 0.001
            access.add(te, nginx_json_access(te, ip, "GET", path, status, r.randrange(300, 4000) if status == 200 else 214,
                                             ua, lat, "10.40.1.34:8080", f"{lat - 0.001:.3f}", _hex(r, 32)))
        for _ in range(_poisson(r, 0.02)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip = r.choice(clients)
            path = r.choice(["/wp-login.php", "/.env", "/xmlrpc.php", "/phpmyadmin/index.php"])
            rid = _hex(r, 32)
            rails.add(ts - RAILS_SKEW, ruby_logger(ts - RAILS_SKEW, "INFO", rails_pid, f"[{rid}] Started GET \"{path}\" for {ip} at "
                                                              f"{(ts - RAILS_SKEW).strftime('%Y-%m-%d %H:%M:%S')} +0000"))
            te = ts + timedelta(milliseconds=1)
            rails.add(te - RAILS_SKEW, ruby_logger(te - RAILS_SKEW, "FATAL", rails_pid, "\n".join([
                f"[{rid}]   ", f"[{rid}] ActionController::RoutingError (No route matches [GET] \"{path}\"):", f"[{rid}]   "])))
            access.add(te, nginx_json_access(te, ip, "GET", path, 404, 1722, r.choice(UAS), 0.004, "10.40.1.21:3000",
                                             "0.004", rid))
        # --- background noise -----------------------------------------------------------------
        tn = t + timedelta(microseconds=r.randrange(1_000_000))
        if r.random() < 0.0025 and db_state(tn) == "up":
            ledger.add(tn, log4j2(tn, "WARN", r.choice(ledger_threads), "c.e.l.fx.RateService",
                                  f"No FX rate for {r.choice(['XOF', 'MNT', 'BTN'])} on 2024-09-09, using last known rate from "
                                  f"2024-09-0{r.randrange(2, 7)}", ams))
        if r.random() < 0.0012:
            ledger.add(tn, log4j2(tn, "ERROR", "erp-sync-1", "c.e.l.erp.ErpWebhookClient",
                                  "Webhook delivery to https://erp.example.com/hooks/ledger failed: 502 Bad Gateway "
                                  f"(attempt {r.randrange(1, 4)} of 3)", ams))
        if r.random() < 0.0016 and db_state(tn) == "up":
            p = r.randrange(90000, 99999)
            pg_app(tn, p, "ERROR", "could not serialize access due to concurrent update", "ledger", "ledger", "10.40.1.34")
            pg_app(tn, p, "STATEMENT", "UPDATE accounts SET balance_cents = balance_cents + $1, version = version + 1 "
                                       "WHERE id = $2", "ledger", "ledger", "10.40.1.34")
        if t.second == 0 and t.minute % 5 == 0 and db_state(t) == "up" and db_state(t + timedelta(seconds=150)) == "up":
            pgl(t, 1733, "LOG", "checkpoint starting: time")
            busy = invoice_run <= t < panic
            added = r.randrange(40, 70) if busy else r.randrange(4, 9)
            removed = 0 if t < slot_dropped else (1488 if t < slot_dropped + timedelta(minutes=5) else r.randrange(3, 8))
            if t >= slot_dropped and removed > 100:
                added = 0
            w = r.randrange(4000, 16000) if busy else r.randrange(600, 3000)
            tc = t + timedelta(seconds=149, milliseconds=r.randrange(100, 900))
            pgl(tc, 1733, "LOG",
                f"checkpoint complete: wrote {w} buffers ({w / 1310.72:.1f}%); {added} WAL file(s) added, {removed} removed, "
                f"0 recycled; write=149.{r.randrange(100, 999)} s, sync=0.{r.randrange(10, 99):02d}1 s, total=149."
                f"{r.randrange(100, 999)} s; sync files={r.randrange(40, 200)}, longest=0.0{r.randrange(10, 99)} s, average=0.001 s; "
                f"distance={added * 16384 + r.randrange(1000, 9000)} kB, estimate={added * 16384 + r.randrange(9000, 20000)} kB; "
                f"lsn=1F/{lsn[0] + added * 0x1000000 + 0x3A8:X}, redo lsn=1F/{lsn[0]:X}")
            lsn[0] += added * 0x1000000 + r.randrange(1 << 12, 1 << 20)
        if t.second == 0 and t.minute % 10 == 0:
            tc = t + timedelta(milliseconds=r.randrange(50, 400))
            sl(tc, 78, "CRON", r.randrange(200000, 300000),
               "(postgres) CMD (/usr/local/bin/pg_stat_snapshot.sh >/dev/null 2>&1)")
        if r.random() < 0.0011:
            sl(tn, 38, "sshd", r.randrange(200000, 300000),
               f"Accepted publickey for ops from 10.40.0.{r.randrange(5, 30)} port {r.randrange(40000, 65000)} ssh2: "
               f"ED25519 SHA256:{''.join(r.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') for _ in range(43))}")
        t += timedelta(seconds=1)

    # --- the WAL volume fills: monit sees it first ---------------------------------------------
    for at, pct, limit in ((datetime(2024, 9, 9, 13, 14, 2, 318211, tzinfo=UTC), 80.4, 80.0),
                           (datetime(2024, 9, 9, 14, 6, 2, 297540, tzinfo=UTC), 90.3, 90.0),
                           (datetime(2024, 9, 9, 14, 26, 2, 301876, tzinfo=UTC), 95.1, 95.0)):
        sl(at, 27, "monit", 1048, f"'pgwal' space usage {pct:.1f}% matches resource limit [space usage > {limit:.1f}%]")
    sl(datetime(2024, 9, 9, 15, 4, 2, 312907, tzinfo=UTC), 30, "monit", 1048,
       "'pgwal' space usage test succeeded [current space usage = 21.7%]")

    # --- the invoice run that writes a lot of WAL, and the crash ---------------------------------
    job = _uid(r)
    rails.add(invoice_run - RAILS_SKEW, ruby_logger(invoice_run - RAILS_SKEW, "INFO", rails_pid,
                                       f"[ActiveJob] [InvoiceRunJob] [{job}] Performing InvoiceRunJob (Job ID: {job}) from "
                                       f"Sidekiq(billing) enqueued at 2024-09-09T14:00:00.402Z with arguments: \"2024-08\""))
    tb = invoice_run + timedelta(minutes=4)
    n = 0
    while tb < panic:
        n += r.randrange(2400, 2900)
        rails.add(tb - RAILS_SKEW, ruby_logger(tb - RAILS_SKEW, "INFO", rails_pid, f"[ActiveJob] [InvoiceRunJob] [{job}] invoice run 2024-08: "
                                                          f"{n} of 61204 accounts invoiced"))
        tb += timedelta(minutes=4, seconds=r.randrange(0, 20))
    failed = panic + timedelta(milliseconds=3)
    rails.add(failed - RAILS_SKEW, ruby_logger(failed - RAILS_SKEW, "ERROR", rails_pid, "\n".join([
        f"[ActiveJob] [InvoiceRunJob] [{job}] Error performing InvoiceRunJob (Job ID: {job}) from Sidekiq(billing) in "
        f"{(failed - invoice_run).total_seconds() * 1000:.2f}ms: ActiveRecord::StatementInvalid (PG::ConnectionBad: "
        "PQconsumeInput() server closed the connection unexpectedly",
        "\tThis probably means the server terminated abnormally",
        "\tbefore or while processing the request.",
        "):",
        "app/services/invoice_run.rb:77:in `block in call'",
        "app/jobs/invoice_run_job.rb:9:in `perform'"])))

    crasher = 48211
    stmt = ("INSERT INTO invoice_lines (invoice_id, account_id, sku, quantity, unit_price_cents, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6)")
    pg_app(panic, crasher, "PANIC", f'could not write to file "pg_wal/xlogtemp.{crasher}": No space left on device',
           "billing-worker")
    pg_app(panic, crasher, "STATEMENT", stmt, "billing-worker")
    t1 = panic + timedelta(milliseconds=47)
    pgl(t1, 1712, "LOG", f"server process (PID {crasher}) was terminated by signal 6: Aborted")
    pgl(t1, 1712, "DETAIL", f"Failed process was running: {stmt}")
    pgl(t1, 1712, "LOG", "terminating any other active server processes")
    for k in range(6):
        p = r.randrange(40000, 48000)
        who = r.choice([("billing", "billing-api", "10.40.1.21"), ("ledger", "ledger", "10.40.1.34")])
        tt = t1 + timedelta(milliseconds=1 + k)
        pg_app(tt, p, "WARNING", "terminating connection because of crash of another server process", who[1], who[0], who[2])
        pg_app(tt, p, "DETAIL", "The postmaster has commanded this server process to roll back the current transaction and "
                                "exit, because another server process exited abnormally and possibly corrupted shared memory.",
               who[1], who[0], who[2])
        pg_app(tt, p, "HINT", "In a moment you should be able to reconnect to the database and repeat your command.",
               who[1], who[0], who[2])
    t2 = panic + timedelta(milliseconds=212)
    pgl(t2, 1712, "LOG", "all server processes terminated; reinitializing")
    su = 48377
    t3 = t2 + timedelta(milliseconds=41)
    pgl(t3, su, "LOG", "database system was interrupted; last known up at 2024-09-09 16:32:29 CEST")
    pgl(t3 + timedelta(milliseconds=380), su, "LOG", "database system was not properly shut down; automatic recovery in progress")
    pgl(t3 + timedelta(milliseconds=392), su, "LOG", "redo starts at 1F/7A000028")
    pgl(t3 + timedelta(seconds=8, milliseconds=805), su, "LOG",
        "redo done at 1F/9C3E5A10 system usage: CPU: user: 2.31 s, system: 1.12 s, elapsed: 8.41 s")
    pgl(t3 + timedelta(seconds=8, milliseconds=811), su, "LOG", "checkpoint starting: end-of-recovery immediate wait")
    pgl(shut - timedelta(milliseconds=30), su, "PANIC", f'could not write to file "pg_wal/xlogtemp.{su}": No space left on device')
    pgl(shut - timedelta(milliseconds=12), 1712, "LOG", f"startup process (PID {su}) was terminated by signal 6: Aborted")
    pgl(shut - timedelta(milliseconds=12), 1712, "LOG", "aborting startup due to startup process failure")
    pgl(shut, 1712, "LOG", "database system is shut down")
    sl(shut + timedelta(milliseconds=40), 29, "systemd", 1,
       "postgresql@16-main.service: Main process exited, code=exited, status=1/FAILURE")
    sl(shut + timedelta(milliseconds=41), 28, "systemd", 1, "postgresql@16-main.service: Failed with result 'exit-code'.")
    sl(shut + timedelta(milliseconds=42), 30, "systemd", 1,
       f"postgresql@16-main.service: Consumed 4h {r.randrange(10, 59)}min {r.randrange(10, 59)}.{r.randrange(100, 999)}s CPU time.")
    # connection attempts refused while the server recovers
    tt = panic + timedelta(seconds=1)
    while tt < shut:
        p = r.randrange(48400, 48999)
        who = r.choice([("billing", "billing-api", "10.40.1.21"), ("ledger", "ledger", "10.40.1.34")])
        pgl(tt, p, "FATAL", "the database system is in recovery mode", who[0], "billing", who[1], who[2])
        tt += timedelta(milliseconds=r.randrange(300, 1400))

    # --- the volume is grown and PostgreSQL started again ------------------------------------------
    sl(resize, 6, "kernel", "-", "EXT4-fs (dm-2): resizing filesystem from 10485760 to 15728640 blocks")
    sl(resize + timedelta(seconds=2, milliseconds=310), 6, "kernel", "-", "EXT4-fs (dm-2): resized filesystem to 15728640")
    sl(pg_start - timedelta(milliseconds=380), 30, "systemd", 1, "Starting postgresql@16-main.service - PostgreSQL Cluster 16-main...")
    pm = 51208
    for dt, sev, msg in [
        (0, "LOG", "starting PostgreSQL 16.4 (Ubuntu 16.4-1.pgdg22.04+1) on x86_64-pc-linux-gnu, compiled by gcc "
                   "(Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, 64-bit"),
        (2, "LOG", 'listening on IPv4 address "0.0.0.0", port 5432'),
        (2, "LOG", 'listening on IPv6 address "::", port 5432'),
        (3, "LOG", 'listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"'),
    ]:
        pgl(pg_start + timedelta(milliseconds=dt), pm, sev, msg)
    su2 = pm + 3
    ts0 = pg_start + timedelta(milliseconds=9)
    pgl(ts0, su2, "LOG", "database system was interrupted while in recovery at 2024-09-09 16:37:21 CEST")
    pgl(ts0, su2, "HINT", "This probably means that some data is corrupted and you will have to use the last backup for recovery.")
    pgl(ts0 + timedelta(milliseconds=310), su2, "LOG", "database system was not properly shut down; automatic recovery in progress")
    pgl(ts0 + timedelta(milliseconds=322), su2, "LOG", "redo starts at 1F/7A000028")
    pgl(ts0 + timedelta(seconds=8, milliseconds=911), su2, "LOG",
        "redo done at 1F/9C3E5A10 system usage: CPU: user: 2.24 s, system: 1.09 s, elapsed: 8.58 s")
    pgl(ts0 + timedelta(seconds=8, milliseconds=920), su2, "LOG", "checkpoint starting: end-of-recovery immediate wait")
    pgl(pg_ready - timedelta(milliseconds=9), su2, "LOG",
        "checkpoint complete: wrote 48120 buffers (36.7%); 0 WAL file(s) added, 0 removed, 0 recycled; write=3.118 s, "
        "sync=0.581 s, total=3.977 s; sync files=611, longest=0.102 s, average=0.001 s; distance=567289 kB, "
        "estimate=567289 kB; lsn=1F/9C3E5AC0, redo lsn=1F/9C3E5AC0")
    pgl(pg_ready, pm, "LOG", "database system is ready to accept connections")
    sl(pg_ready + timedelta(milliseconds=200), 30, "systemd", 1, "Started postgresql@16-main.service - PostgreSQL Cluster 16-main.")
    tt = pg_start + timedelta(milliseconds=700)
    while tt < pg_ready:
        p = r.randrange(51300, 51999)
        who = r.choice([("billing", "billing-api", "10.40.1.21"), ("ledger", "ledger", "10.40.1.34")])
        pgl(tt, p, "FATAL", "the database system is starting up", who[0], "billing", who[1], who[2])
        tt += timedelta(milliseconds=r.randrange(400, 1500))
    for k in range(4):
        tw = pg_ready + timedelta(seconds=1 + k * 3, milliseconds=r.randrange(0, 900))
        ledger.add(tw, log4j2(tw, "WARN", f"http-nio-8080-exec-{r.randrange(1, 21)}", "c.z.h.p.PoolBase",
                              f"HikariPool-1 - Failed to validate connection org.postgresql.jdbc.PgConnection@{_hex(r, 8)} "
                              "(This connection has been closed.). Possibly consider using a shorter maxLifetime value.", ams))

    d = _fresh(out, "disk-full")
    db.write(os.path.join(d, "db", "postgresql-16-main.log"))
    sysl.write(os.path.join(d, "db-1", "syslog"))
    rails.write(os.path.join(d, "billing-api", "production.log"))
    ledger.write(os.path.join(d, "ledger", "ledger.log"))
    access.write(os.path.join(d, "lb", "access.json"))
    deploys = [
        {"time": "2024-09-05T09:12:00Z", "service": "db", "kind": "config",
         "description": "wal_level=logical, replication slot for the billing CDC connector"},
        {"time": billing_deploy.strftime("%Y-%m-%dT%H:%M:%SZ"), "service": "billing-api", "version": "7.14.0",
         "kind": "deploy",
         "description": "billing-api 7.14.0: invoice PDF template v3, faster invoice run"},
        {"time": "2024-09-09T14:51:05Z", "service": "db", "kind": "scale",
         "description": "grow pg_wal volume 40G -> 60G"},
    ]
    with open(os.path.join(d, "deploys.json"), "w") as f:
        json.dump(deploys, f, indent=2)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# dns-failure
# ---------------------------------------------------------------------------------------------

def dns_failure(out, seed):
    r = random.Random(seed)
    start = datetime(2024, 10, 25, 12, 50, 0, tzinfo=UTC)
    end = datetime(2024, 10, 25, 15, 20, 0, tzinfo=UTC)
    checkout_deploy = datetime(2024, 10, 25, 13, 52, 18, tzinfo=UTC)
    cm_change = datetime(2024, 10, 25, 14, 5, 41, tzinfo=UTC)
    cm_revert = datetime(2024, 10, 25, 14, 41, 26, tzinfo=UTC)
    coredns_pods = [("coredns-5d78c9869d-4xkqp", "10.244.1.5", 28.2), ("coredns-5d78c9869d-tn8wz", "10.244.2.4", 41.7)]
    reloads = {}     # pod -> (broken from, fixed from)
    for name, ip, lag in coredns_pods:
        reloads[name] = (cm_change + timedelta(seconds=lag), cm_revert + timedelta(seconds=lag * 0.9 + 3))
    sha_old = _hex(r, 128)
    sha_new = _hex(r, 128)

    dnslogs = {name: Log() for name, _, _ in coredns_pods}
    checkout, ledger, shipping, gw_access, gw_error = Log(), Log(), Log(), Log(), Log()
    clients = traffic_clients(r, 320)
    checkout_host_old, checkout_host = "checkout-api-6c8d9f7b5-p2xwl", "checkout-api-7b9f4c6d8-kq7zs"

    def resolve(at, name):
        """Sends the lookup for `name` to one CoreDNS pod. Returns (ok, answered_at). Broken pods
        forward `internal.` to resolvers that never answer: each query (A and AAAA) times out and
        comes back SERVFAIL, logged by the errors plugin."""
        pod, ip, _ = r.choice(coredns_pods)
        broken_from, fixed_from = reloads[pod]
        if not name.endswith(".internal") or not (broken_from <= at < fixed_from):
            return True, at + timedelta(milliseconds=r.randrange(1, 4))
        for qtype in ("A", "AAAA"):
            up = r.choice(["10.20.0.53", "10.20.0.54"])
            te = at + timedelta(seconds=2, milliseconds=r.randrange(0, 30))
            dnslogs[pod].add(te, cri(te, "stdout", f"[ERROR] plugin/errors: 2 {name}. {qtype}: read udp "
                                                   f"{ip}:{r.randrange(32768, 61000)}->{up}:53: i/o timeout"))
        return False, at + timedelta(seconds=2, milliseconds=r.randrange(30, 60))

    def gw(at, ip, method, path, status, size, rt, referer="-"):
        gw_access.add(at, f'{ip} - - [{nginx_time(at)}] "{method} {path} HTTP/1.1" {status} {size} "{referer}" '
                          f'"{r.choice(UAS)}" {rt:.3f}')

    t = start
    while t < end:
        # --- checkout-api: every checkout authorises the payment at payments.internal ------------
        for _ in range(_poisson(r, 0.05)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip = r.choice(clients)
            host = checkout_host if ts >= checkout_deploy + timedelta(seconds=20) else checkout_host_old
            rid = f"{r.getrandbits(48):012x}"
            ok, te = resolve(ts + timedelta(milliseconds=12), "payments.internal")
            if ok:
                lat = 0.18 + r.random() * 0.4
                te = ts + timedelta(seconds=lat)
                checkout.add(te, pino(te, 30, 1, host, "request completed", req={"id": rid, "method": "POST",
                                                                                  "url": "/api/checkout"},
                                      res={"statusCode": 201}, responseTime=int(lat * 1000)))
                gw(te, ip, "POST", "/api/checkout", 201, 412, lat, "https://shop.example.com/checkout")
            else:
                err = {"type": "Error", "message": "getaddrinfo EAI_AGAIN payments.internal",
                       "stack": "Error: getaddrinfo EAI_AGAIN payments.internal\n    at GetAddrInfoReqWrap.onlookupall "
                                "[as oncomplete] (node:dns:120:26)",
                       "errno": -3001, "code": "EAI_AGAIN", "syscall": "getaddrinfo", "hostname": "payments.internal"}
                checkout.add(te, pino(te, 50, 1, host, "payment authorization failed", req={"id": rid}, err=err,
                                      orderId=f"ord_{_hex(r, 12)}"))
                te2 = te + timedelta(milliseconds=3)
                lat = (te2 - ts).total_seconds()
                checkout.add(te2, pino(te2, 50, 1, host, "request errored", req={"id": rid, "method": "POST",
                                                                                 "url": "/api/checkout"},
                                       res={"statusCode": 502}, responseTime=int(lat * 1000)))
                gw(te2, ip, "POST", "/api/checkout", 502, 96, lat, "https://shop.example.com/checkout")
        # --- shipping: label creation at the carrier gateway -------------------------------------
        for _ in range(_poisson(r, 0.03)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            sid = f"SHP-{r.randrange(1000000, 9999999)}"
            ok, te = resolve(ts, "carrier-gw.internal")
            if ok:
                te = ts + timedelta(seconds=0.3 + r.random() * 0.9)
                shipping.add(te, gokit(te, "info", "labels.go:64", "label created", shipment=sid,
                                       carrier=r.choice(["dhl", "ups", "dpd"]), took=f"{(te - ts).total_seconds() * 1000:.1f}ms"))
            else:
                shipping.add(te, gokit(te, "error", "labels.go:58", "create label failed", shipment=sid,
                                       err='Post "https://carrier-gw.internal/v2/labels": dial tcp: lookup '
                                           "carrier-gw.internal on 10.96.0.10:53: server misbehaving"))
        # --- the API gateway: partner stock API behind a variable proxy_pass ----------------------
        for _ in range(_poisson(r, 0.035)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip = r.choice(clients)
            path = f"/partners/v1/stock/{r.randrange(100000, 999999)}"
            ok, te = resolve(ts, "partners.internal")
            if ok:
                lat = 0.05 + r.random() * 0.2
                gw(ts + timedelta(seconds=lat), ip, "GET", path, 200, r.randrange(200, 900), lat)
            else:
                gw_error.add(te, nginx_error(te, "error", 24, r.randrange(100000, 999999),
                                             f"partners.internal could not be resolved (2: Server failure), client: {ip}, "
                                             f'server: api.example.com, request: "GET {path} HTTP/1.1", host: "api.example.com"'))
                gw(te, ip, "GET", path, 502, 157, (te - ts).total_seconds())
        # --- the rest of the site -----------------------------------------------------------------
        for _ in range(_poisson(r, 0.11)):
            ts = t + timedelta(milliseconds=r.randrange(1000))
            ip = r.choice(clients)
            path, status, size = r.choice([("/api/cart", 200, 1893), ("/api/products?page=1", 200, 8220),
                                           ("/api/products/7712", 200, 1340), ("/api/cart/items", 201, 211),
                                           ("/api/search?q=lamp", 200, 4410), ("/api/account", 401, 61)])
            lat = 0.005 + r.random() * 0.05
            gw(ts + timedelta(seconds=lat), ip, "POST" if status == 201 else "GET", path, status, size, lat)
            if r.random() < 0.04:
                te = ts + timedelta(seconds=lat)
                gw_error.add(te, nginx_error(te, "error", 24, r.randrange(100000, 999999),
                                             f'limiting requests, excess: {r.randrange(10, 40)}.{r.randrange(100, 999)} by '
                                             f'zone "api", client: {ip}, server: api.example.com, request: "GET {path} '
                                             f'HTTP/1.1", host: "api.example.com"'))
        # --- background noise -----------------------------------------------------------------------
        tn = t + timedelta(microseconds=r.randrange(1_000_000))
        host = checkout_host if tn >= checkout_deploy + timedelta(seconds=20) else checkout_host_old
        if r.random() < 0.004:
            checkout.add(tn, pino(tn, 40, 1, host, "cart item out of stock", sku=f"SKU-{r.randrange(10000, 99999)}",
                                  requested=r.randrange(1, 4), available=0))
        if r.random() < 0.0015:
            checkout.add(tn, pino(tn, 50, 1, host, "failed to emit analytics event",
                                  err={"type": "AxiosError", "message": "Request failed with status code 429",
                                       "code": "ERR_BAD_REQUEST"}))
        if r.random() < 0.002:
            shipping.add(tn, gokit(tn, "warn", "address.go:91", "address validation failed",
                                   country=r.choice(["DE", "FR", "NL"]), reason="postal code does not match city"))
        t += timedelta(seconds=1)

    # --- ledger-sync: FX rates every minute from fx-rates.internal, three attempts --------------------
    ledger_pid = 7
    tj = start + timedelta(seconds=17, milliseconds=311)
    while tj < end:
        attempts = 0
        at = tj
        while attempts < 3:
            attempts += 1
            ok, te = resolve(at, "fx-rates.internal")
            if ok:
                te = at + timedelta(milliseconds=r.randrange(80, 300))
                ledger.add(te, spring2(te, "INFO", ledger_pid, "scheduling-1", "c.e.ledger.fx.FxRateSync",
                                       f"Fetched {r.randrange(158, 166)} FX rates from http://fx-rates.internal/v1/rates"))
                break
            msg = 'I/O error on GET request for "http://fx-rates.internal/v1/rates": fx-rates.internal: Temporary ' \
                  "failure in name resolution; nested exception is java.net.UnknownHostException: fx-rates.internal: " \
                  "Temporary failure in name resolution"
            if attempts < 3:
                ledger.add(te, spring2(te, "WARN", ledger_pid, "scheduling-1", "c.e.ledger.fx.FxRateSync",
                                       f"FX rate fetch failed (attempt {attempts} of 3), retrying in 5s: {msg}"))
                at = te + timedelta(seconds=5)
            else:
                ledger.add(te, "\n".join([
                    spring2(te, "ERROR", ledger_pid, "scheduling-1", "c.e.ledger.fx.FxRateSync",
                            "FX rate sync failed after 3 attempts, keeping rates from previous run"),
                    f"org.springframework.web.client.ResourceAccessException: {msg}",
                    "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:791)",
                    "\tat org.springframework.web.client.RestTemplate.execute(RestTemplate.java:717)",
                    "\tat org.springframework.web.client.RestTemplate.getForObject(RestTemplate.java:367)",
                    "\tat com.example.ledger.fx.FxRateClient.fetchAll(FxRateClient.java:41)",
                    "\tat com.example.ledger.fx.FxRateSync.run(FxRateSync.java:58)",
                    "Caused by: java.net.UnknownHostException: fx-rates.internal: Temporary failure in name resolution",
                    "\tat java.base/java.net.Inet6AddressImpl.lookupAllHostAddr(Native Method)",
                    "\tat java.base/java.net.InetAddress$PlatformNameService.lookupAllHostAddr(InetAddress.java:933)",
                    "\tat java.base/java.net.InetAddress.getAddressesFromNameService(InetAddress.java:1543)",
                    "\tat java.base/java.net.InetAddress.getAllByName0(InetAddress.java:1498)",
                    "\t... 24 common frames omitted",
                ]))
        tj += timedelta(seconds=60)
    for _ in range(int((end - start).total_seconds() * 0.0012)):
        tn = start + timedelta(seconds=r.randrange(int((end - start).total_seconds())), microseconds=r.randrange(10**6))
        ledger.add(tn, spring2(tn, "WARN", ledger_pid, f"http-nio-8080-exec-{r.randrange(1, 11)}", "c.e.ledger.fx.RateLookup",
                               f"Skipping rate for {r.choice(['HRK', 'SLL', 'VEF'])}: currency is no longer supported"))
    for _ in range(int((end - start).total_seconds() * 0.0006)):
        tn = start + timedelta(seconds=r.randrange(int((end - start).total_seconds())), microseconds=r.randrange(10**6))
        ledger.add(tn, spring2(tn, "ERROR", ledger_pid, "recon-1", "c.e.ledger.recon.Reconciler",
                               f"Reconciliation mismatch for account {r.randrange(10000, 99999)}: expected "
                               f"{r.randrange(100, 9999)}.00 got {r.randrange(100, 9999)}.99"))

    # --- CoreDNS: start-up lines from days ago are gone; the reloads ------------------------------
    for name, ip, lag in coredns_pods:
        for at, sha in ((reloads[name][0], sha_new), (reloads[name][1], sha_old)):
            lines = [(0, "[INFO] Reloading"), (4, "[INFO] plugin/health: Going into lameduck mode for 5s"),
                     (5012, f"[INFO] plugin/reload: Running configuration SHA512 = {sha}"), (5013, "[INFO] Reloading complete")]
            for dt, text in lines:
                ts = at - timedelta(milliseconds=5013) + timedelta(milliseconds=dt)
                dnslogs[name].add(ts, cri(ts, "stdout", text))

    d = _fresh(out, "dns-failure")
    for (name, ip, _), cid in zip(coredns_pods, [_hex(r, 64), _hex(r, 64)]):
        dnslogs[name].write(os.path.join(d, "coredns", f"{name}_kube-system_coredns-{cid}.log"))
    checkout.write(os.path.join(d, "checkout-api", "checkout-api.log"))
    ledger.write(os.path.join(d, "ledger-sync", "ledger-sync.log"))
    shipping.write(os.path.join(d, "shipping", "shipping.log"))
    gw_access.write(os.path.join(d, "gateway", "access.log"))
    gw_error.write(os.path.join(d, "gateway", "error.log"))
    with open(os.path.join(d, "deploys.csv"), "w", newline="\n") as f:
        f.write("time,service,version,kind,description\n")
        f.write("2024-10-25T13:52:18Z,checkout-api,3.18.0,deploy,checkout-api 3.18.0: new payment retry policy\n")
        f.write("2024-10-25T14:05:41Z,coredns,,config,\"coredns ConfigMap: forward internal zone to the new DC "
                "resolvers (CHG-2291)\"\n")
        f.write("2024-10-25T14:41:26Z,coredns,,rollback,revert CHG-2291\n")


def _fresh(out, name):
    """The scenario's directory, emptied first (file names carry random ids)."""
    import shutil
    d = os.path.join(out, name)
    shutil.rmtree(d, ignore_errors=True)
    return d


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


SCENARIOS = {
    "login-outage": login_outage,
    "network-partition": network_partition,
    "slow-query-migration": slow_query_migration,
    "oom-crashloop": oom_crashloop,
    "disk-full": disk_full,
    "dns-failure": dns_failure,
}


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
