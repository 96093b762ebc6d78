#!/usr/bin/env python3
"""Generate a large corpus of mixed, realistic logs for benchmarks (not an incident sample).

Usage: gen_corpus.py SIZE_MB OUTDIR [--seed N]

Writes one directory per service, each in the native format real software prints:
  web/access.log       nginx combined + $request_time
  web/error.log        nginx error log
  api/app.log          Spring Boot (logback) with HikariCP lines and stack traces
  db/postgresql.log    PostgreSQL stderr, log_line_prefix '%m [%p] %q%u@%d '
  host/syslog          RFC 3164 syslog (sshd, CRON, kernel)
  worker/worker.log    zap-style JSON lines
  gateway/gateway.log  logfmt (Go slog TextHandler)
The share of bytes per service is roughly equal. Output is deterministic for a given seed.
"""

import os
import random
import sys
from datetime import datetime, timedelta, timezone

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
PATHS = ["/api/login", "/api/orders", "/api/orders/1234", "/static/app.js", "/health", "/api/cart", "/api/users/me"]
UAS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "curl/8.5.0",
    "okhttp/4.12.0",
]
LOGGERS = ["c.e.shop.api.OrderController", "c.e.shop.service.CartService", "o.s.web.servlet.DispatcherServlet", "com.zaxxer.hikari.HikariConfig"]


def nginx_access(r, t):
    status = r.choices([200, 200, 200, 201, 204, 301, 304, 400, 404, 499, 500, 502, 503, 504], k=1)[0]
    ip = f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
    stamp = t.strftime("%d/") + MONTHS[t.month - 1] + t.strftime("/%Y:%H:%M:%S +0000")
    method = r.choice(["GET", "GET", "GET", "POST", "PUT"])
    return (f'{ip} - - [{stamp}] "{method} {r.choice(PATHS)} HTTP/1.1" {status} {r.randrange(0, 50000)} '
            f'"-" "{r.choice(UAS)}" {r.random() * 2:.3f}\n')


def nginx_error(r, t):
    stamp = t.strftime("%Y/%m/%d %H:%M:%S")
    pid = r.randrange(1000, 9999)
    return (f"{stamp} [error] {pid}#{pid}: *{r.randrange(1, 10**6)} upstream timed out (110: Connection timed out) "
            f"while reading response header from upstream, client: 10.0.{r.randrange(256)}.{r.randrange(256)}, "
            f'server: shop.example.com, request: "GET {r.choice(PATHS)} HTTP/1.1", '
            f'upstream: "http://10.0.2.15:8080{r.choice(PATHS)}", host: "shop.example.com"\n')


def spring(r, t):
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    thread = f"nio-8080-exec-{r.randrange(1, 200)}"
    roll = r.random()
    if roll < 0.02:
        return (f"{stamp} ERROR 4242 --- [shop-api] [{thread:>15}] o.h.engine.jdbc.spi.SqlExceptionHelper   : "
                f"HikariPool-1 - Connection is not available, request timed out after 30000ms.\n"
                "org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection\n"
                "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:277)\n"
                "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.translateExceptionIfPossible(HibernateJpaDialect.java:241)\n"
                "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.\n"
                "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n"
                "\t... 86 common frames omitted\n")
    level = "WARN" if roll < 0.1 else "INFO"
    logger = r.choice(LOGGERS)
    return f"{stamp} {level:>5} 4242 --- [shop-api] [{thread:>15}] {logger:<40} : Completed order {r.randrange(10**6)} in {r.randrange(1, 900)} ms\n"


def postgres(r, t):
    stamp = t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d} UTC"
    pid = r.randrange(1000, 60000)
    roll = r.random()
    if roll < 0.05:
        return (f"{stamp} [{pid}] app@shop ERROR:  canceling statement due to statement timeout\n"
                f"{stamp} [{pid}] app@shop STATEMENT:  SELECT * FROM orders WHERE customer_id = {r.randrange(10**5)}\n")
    if roll < 0.3:
        return f"{stamp} [{pid}] app@shop LOG:  duration: {r.random() * 3000:.3f} ms  statement: SELECT id FROM carts WHERE user_id = {r.randrange(10**5)}\n"
    return f"{stamp} [{pid}] [unknown]@[unknown] LOG:  connection received: host=10.0.2.{r.randrange(1, 255)} port={r.randrange(30000, 65000)}\n"


def syslog(r, t):
    stamp = MONTHS[t.month - 1] + f" {t.day:2d} " + t.strftime("%H:%M:%S")
    roll = r.random()
    if roll < 0.5:
        return f"{stamp} web-1 sshd[{r.randrange(1000, 60000)}]: Accepted publickey for deploy from 10.0.0.{r.randrange(1, 255)} port {r.randrange(30000, 65000)} ssh2: ED25519 SHA256:Zm9vYmFy\n"
    if roll < 0.9:
        return f"{stamp} web-1 CRON[{r.randrange(1000, 60000)}]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)\n"
    return f"{stamp} web-1 kernel: [{r.randrange(10**5)}.{r.randrange(10**6):06d}] TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.\n"


def zap(r, t):
    ts = t.timestamp()
    level = r.choice(["info", "info", "info", "warn", "error"])
    return (f'{{"level":"{level}","ts":{ts:.6f},"caller":"worker/process.go:{r.randrange(20, 400)}",'
            f'"msg":"processed job","job_id":"{r.getrandbits(64):016x}","duration":{r.random():.4f},"attempt":{r.randrange(1, 4)}}}\n')


def logfmt(r, t):
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    level = r.choice(["INFO", "INFO", "INFO", "WARN", "ERROR"])
    return (f'time={stamp} level={level} msg="request handled" method=GET path={r.choice(PATHS)} '
            f'status={r.choice([200, 200, 404, 502])} duration={r.randrange(1, 3000)}ms remote=10.0.3.{r.randrange(1, 255)}:{r.randrange(30000, 65000)}\n')


SERVICES = [
    ("web/access.log", nginx_access),
    ("web/error.log", nginx_error),
    ("api/app.log", spring),
    ("db/postgresql.log", postgres),
    ("host/syslog", syslog),
    ("worker/worker.log", zap),
    ("gateway/gateway.log", logfmt),
]


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    size_mb = int(sys.argv[1])
    out = sys.argv[2]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--seed" else 42
    per_file = size_mb * 1024 * 1024 // len(SERVICES)
    for i, (rel, gen) in enumerate(SERVICES):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        r = random.Random(seed * 100 + i)
        t = datetime(2024, 1, 21, 0, 0, 0, tzinfo=timezone.utc)
        written = 0
        with open(path, "w", buffering=1 << 20) as f:
            block = []
            while written < per_file:
                t += timedelta(microseconds=r.randrange(1000, 200000))
                line = gen(r, t)
                block.append(line)
                written += len(line)
                if len(block) >= 4096:
                    f.write("".join(block))
                    block.clear()
            f.write("".join(block))
        print(f"{path}: {written / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
