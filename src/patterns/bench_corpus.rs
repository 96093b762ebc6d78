//! A deterministic, realistic mix of log messages for measuring matching speed: mostly benign
//! lines of the kinds a production incident bundle holds (access logs, framework start-up and
//! request logs, database statements, kernel and systemd lines), with about 1 in 100 lines
//! carrying a known failure. Shared by `benches/patterns.rs` and the `#[ignore]` throughput test.

/// Benign lines, byte-exact shapes of common software (messages as matching sees them, with
/// and without their prefixes).
const BENIGN: &[&str] = &[
    r#"10.0.4.17 - - [02/Mar/2024:10:15:31 +0000] "GET /api/v1/orders?page=2 HTTP/1.1" 200 5123 "-" "okhttp/4.12.0" 0.012"#,
    r#"10.0.4.18 - - [02/Mar/2024:10:15:31 +0000] "POST /api/v1/cart/items HTTP/1.1" 201 312 "https://shop.example/cart" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36" 0.034"#,
    "2024-03-02 10:15:31.123  INFO 1 --- [nio-8080-exec-7] c.a.orders.web.OrderController           : Fetched 20 orders for customer 81231 in 14 ms",
    "2024-03-02 10:15:31.124 DEBUG 1 --- [nio-8080-exec-3] o.s.web.servlet.DispatcherServlet        : Completed 200 OK",
    "HikariPool-1 - Pool stats (total=10, active=2, idle=8, waiting=0)",
    "2024-03-02 10:15:31,441 INFO [celery.worker.strategy] Task orders.tasks.send_receipt[5f1c2a9e-8d1b-4a53-9a5f-0c6f2d9b7e11] received",
    r#"level=info ts=2024-03-02T10:15:31.512Z caller=server.go:212 msg="request completed" method=GET path=/healthz status=200 duration=0.41ms"#,
    r#"{"level":30,"time":1709374531512,"pid":17,"hostname":"api-7f9c","req":{"id":812,"method":"GET","url":"/products/42"},"res":{"statusCode":200},"responseTime":8,"msg":"request completed"}"#,
    "2024-03-02 10:15:31 UTC [2231]: [3-1] user=app,db=orders,app=api LOG:  duration: 12.345 ms  statement: SELECT id, status FROM orders WHERE customer_id = $1",
    "Started GET \"/orders/42\" for 10.0.4.17 at 2024-03-02 10:15:31 +0000",
    "Completed 200 OK in 35ms (Views: 2.1ms | ActiveRecord: 12.3ms | Allocations: 5123)",
    "Mar  2 10:15:31 web-3 systemd[1]: Started Daily apt download activities.",
    "[   12.345678] EXT4-fs (nvme0n1p1): mounted filesystem with ordered data mode. Opts: (null)",
    "I0302 10:15:31.512345       1 controller.go:116] Successfully synced 'default/orders-api'",
    "2024-03-02T10:15:31.512Z\tinfo\tcache/refresh.go:88\trefreshed product cache\t{\"entries\": 18234, \"took\": \"230ms\"}",
    "[2024-03-02 10:15:31 +0000] [41] [INFO] Booting worker with pid: 41",
    "127.0.0.1 - - [02/Mar/2024 10:15:31] \"GET /static/app.js HTTP/1.1\" 304 -",
    "info: Microsoft.Hosting.Lifetime[14] Now listening on: http://[::]:8080",
    "2024-03-02T10:15:31.512345Z  INFO request{method=GET uri=/v1/quotes version=HTTP/1.1}: tower_http::trace::on_response: finished processing request latency=3 ms status=200",
    "Executing (default): SELECT \"id\", \"email\" FROM \"users\" AS \"User\" WHERE \"User\".\"id\" = 42;",
    "o.h.e.t.j.p.i.AbstractBatchImpl - HHH000010: On release of batch it still contained JDBC statements",
    "Kafka consumer group orders-consumer rebalanced: assigned partitions [orders-0, orders-1, orders-2]",
    "Retrying request to inventory (attempt 2 of 3) succeeded after 120ms",
    "connection pool initialized with 10 connections",
];

/// Failure lines (each matches a signature of the embedded library).
const FAILURES: &[&str] = &[
    "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30004ms (total=10, active=10, idle=0, waiting=42)",
    "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)",
    "Error: connect ECONNREFUSED 10.0.3.4:5432",
    "dial tcp 10.0.0.5:5432: connect: connection refused",
    "java.lang.OutOfMemoryError: Java heap space",
    "[2024-03-02 10:15:31 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:27)",
    "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
    "ActiveRecord::ConnectionTimeoutError: could not obtain a connection from the pool within 5.000 seconds (waited 5.001 seconds); all pooled connections were in use",
];

/// `n` lines: 99 benign lines for each failure line, in a fixed pseudo-random order.
pub fn bench_lines(n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..n {
        // xorshift64: a fixed sequence, no dependency on a random crate.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let pick = usize::try_from(state % 1_000_003).unwrap_or(0);
        let line = if i % 100 == 99 {
            FAILURES[pick % FAILURES.len()]
        } else {
            BENIGN[pick % BENIGN.len()]
        };
        out.push(line.to_string());
    }
    out
}
