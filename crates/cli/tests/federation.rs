//! Federation with real processes (issue 8 §5): three `motcua serve` on
//! loopback, each with its own database (the province on PostgreSQL when
//! it is reachable), configured with `motcua peer`, exchanging dossiers
//! while one of them is killed in the middle of a burst and restarted.

mod common;
use common::*;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

/// One installation: its folder, database and fixed address.
struct Inst {
    name: &'static str,
    dir: PathBuf,
    database_url: Option<String>,
    listen: String,
}

impl Inst {
    fn new(name: &'static str, database_url: Option<String>) -> Inst {
        Inst {
            name,
            dir: tempdir(),
            database_url,
            listen: format!("127.0.0.1:{}", free_port()),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut all: Vec<&str> = Vec::new();
        if let Some(u) = &self.database_url {
            all.extend(["--database-url", u.as_str()]);
        }
        all.extend(args);
        let o = motcua(&self.dir, &all);
        assert!(o.status.success(), "{} {args:?}: {}", self.name, stderr(&o));
        o
    }

    fn start(&self) -> Server {
        start_at(
            &self.dir,
            &self.listen,
            self.database_url.as_deref(),
            &[
                ("MOTCUA_PEER_RETRY_MS", "50"),
                ("MOTCUA_PEER_RETRY_CAP_SECONDS", "1"),
            ],
        )
    }

    fn url(&self) -> String {
        format!("http://{}", self.listen)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// Polls `f` until it is true, for at most `secs` seconds.
fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

fn act(addr: &str, token: &str, code: &str, body: Value) -> (u16, Value) {
    let (s, b) = http(
        addr,
        "POST",
        &format!("/api/dossiers/{code}/actions"),
        Some(token),
        Some(&body),
    );
    (s, json_of(&b))
}

fn dossier(addr: &str, token: &str, code: &str) -> Option<Value> {
    let (s, b) = http(
        addr,
        "GET",
        &format!("/api/dossiers/{code}"),
        Some(token),
        None,
    );
    (s == 200).then(|| json_of(&b))
}

/// Undelivered messages to peers, from `motcua outbox list --pending`.
fn peer_backlog(i: &Inst) -> usize {
    let o = i.run(&["outbox", "list", "--pending"]);
    stdout(&o).lines().filter(|l| l.contains("\tpeer:")).count()
}

fn report_total(i: &Inst, day: &str) -> Value {
    let o = i.run(&[
        "report", "--from", day, "--to", day, "--unit", "05662", "--format", "json",
    ]);
    json_of(&stdout(&o))["total"].clone()
}

fn audit(i: &Inst) -> String {
    stdout(&i.run(&["audit", "verify"]))
}

#[test]
fn three_processes_exchange_dossiers_through_a_peer_restart() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let pg = runtime.block_on(motcua_store::testing::TestDb::postgres());
    let xa = Inst::new("xa-dong-tam", None);
    let so = Inst::new("so-tu-phap", None);
    let tinh = Inst::new("tinh-thai-nguyen", pg.as_ref().map(|d| d.url()));
    let mut keys = Vec::new();
    for i in [&xa, &so, &tinh] {
        i.run(&["demo"]);
        let line = stdout(&i.run(&["peer", "keygen", "--name", i.name]));
        let (name, key) = line.split_once(' ').unwrap();
        assert_eq!(name, i.name);
        keys.push(key.to_string());
    }
    let (k_xa, k_so, k_tinh) = (&keys[0], &keys[1], &keys[2]);
    // The commune's installation sends the Department of Justice's share
    // of its dossiers there, and its statuses to the province.
    xa.run(&[
        "peer",
        "add",
        so.name,
        "--url",
        &so.url(),
        "--key",
        k_so,
        "--agency",
        "000.00.02.H55",
    ]);
    xa.run(&[
        "peer",
        "add",
        tinh.name,
        "--url",
        &tinh.url(),
        "--key",
        k_tinh,
        "--upstream",
    ]);
    so.run(&[
        "peer",
        "add",
        xa.name,
        "--url",
        &xa.url(),
        "--key",
        k_xa,
        "--agency",
        "H55.301.1",
    ]);
    so.run(&[
        "peer",
        "add",
        tinh.name,
        "--url",
        &tinh.url(),
        "--key",
        k_tinh,
        "--upstream",
    ]);
    // The province takes status records of the desks each one hosts.
    tinh.run(&[
        "peer",
        "add",
        xa.name,
        "--url",
        &xa.url(),
        "--key",
        k_xa,
        "--agency",
        "H55.301.1",
    ]);
    tinh.run(&[
        "peer",
        "add",
        so.name,
        "--url",
        &so.url(),
        "--key",
        k_so,
        "--agency",
        "000.00.02.H55",
    ]);
    let roles = [
        "--role",
        "reception_officer",
        "--role",
        "specialist",
        "--role",
        "head_of_office",
        "--role",
        "signing_leader",
    ];
    let mut args = vec!["user", "create", "ttb", "--agency", "H55.301.1"];
    args.extend(roles);
    xa.run(&args);
    let mut args = vec!["user", "create", "stp", "--agency", "000.00.02.H55"];
    args.extend(roles);
    so.run(&args);
    let t_xa = stdout(&xa.run(&["token", "create", "ttb"]));
    let t_so = stdout(&so.run(&["token", "create", "stp"]));
    let before = audit(&so);

    let s_xa = xa.start();
    let mut s_so = so.start();
    let s_tinh = tinh.start();
    let listed = stdout(&xa.run(&["peer", "list"]));
    assert!(
        listed.contains("agencies=000.00.02.H55") && listed.contains("upstream"),
        "{listed}"
    );

    // A burst of receptions and transfers; the department's process is
    // killed half-way and restarted while the commune keeps working.
    const N: usize = 16;
    let mut codes = Vec::new();
    for i in 0..N {
        if i == N / 2 {
            s_so.child.kill().unwrap();
            s_so.child.wait().unwrap();
        }
        let (s, b) = http(
            &s_xa.addr,
            "POST",
            "/api/dossiers",
            Some(&t_xa),
            Some(&json!({
                "procedure_code": "1.001193", "channel": "direct",
                "applicant": {"kind": "citizen", "full_name": format!("Nguyễn Văn {i}"), "id_number": "019203001234",
                              "phone": "0912345678", "address": "Xã Đồng Hỷ"}})),
        );
        assert_eq!(s, 201, "{b}");
        let code = json_of(&b)["code"].as_str().unwrap().to_string();
        let (s, v) = act(
            &s_xa.addr,
            &t_xa,
            &code,
            json!({"action": "forward", "version": 1}),
        );
        assert_eq!(s, 200, "{v}");
        let (s, v) = act(
            &s_xa.addr,
            &t_xa,
            &code,
            json!({"action": "transfer", "version": 2, "to": "000.00.02.H55", "budget": 120,
                   "task": "Thẩm định hồ sơ hộ tịch"}),
        );
        assert_eq!(s, 200, "{v}");
        codes.push(code);
    }
    assert!(peer_backlog(&xa) > 0, "messages wait for the stopped peer");
    s_so = so.start();
    wait_until("every transfer at the department", 60, || {
        codes
            .iter()
            .all(|c| dossier(&s_so.addr, &t_so, c).is_some_and(|d| d["version"] == 3))
    });
    // The department returns each; the commune sees it come back.
    for c in &codes {
        let (s, v) = act(
            &s_so.addr,
            &t_so,
            c,
            json!({"action": "return_from_transfer", "version": 3, "note": "Đủ điều kiện"}),
        );
        assert_eq!(s, 200, "{v}");
    }
    wait_until("every return at the commune", 60, || {
        codes.iter().all(|c| {
            dossier(&s_xa.addr, &t_xa, c)
                .is_some_and(|d| d["version"] == 4 && d["state"] == "in_processing")
        })
    });
    // The commune finishes a few; the copies follow.
    for c in codes.iter().take(4) {
        let (s, v) = act(
            &s_xa.addr,
            &t_xa,
            c,
            json!({"action": "assign", "version": 4, "assignee": "ttb"}),
        );
        assert_eq!(s, 200, "{v}");
        let mut version = 5;
        for _ in 0..6 {
            let (s, v) = act(
                &s_xa.addr,
                &t_xa,
                c,
                json!({"action": "complete_step", "version": version}),
            );
            if s != 200 {
                break;
            }
            version = v["version"].as_u64().unwrap();
        }
        let (s, v) = act(
            &s_xa.addr,
            &t_xa,
            c,
            json!({"action": "resolve", "version": version}),
        );
        assert_eq!(s, 200, "{v}");
    }
    // The province forgets the commune: its next status is refused and
    // becomes a dead letter, which an administrator sees and replays once
    // the peer is configured again; nothing after it overtakes it.
    wait_until("the statuses so far delivered", 60, || {
        peer_backlog(&xa) == 0
    });
    tinh.run(&["peer", "remove", xa.name]);
    let c = &codes[4];
    let (s, v) = act(
        &s_xa.addr,
        &t_xa,
        c,
        json!({"action": "assign", "version": 4, "assignee": "ttb"}),
    );
    assert_eq!(s, 200, "{v}");
    let (s, v) = act(
        &s_xa.addr,
        &t_xa,
        c,
        json!({"action": "assign", "version": 5, "assignee": "ttb"}),
    );
    assert_eq!(s, 200, "{v}");
    wait_until("a dead letter", 30, || {
        stdout(&xa.run(&["outbox", "list", "--pending"]))
            .lines()
            .any(|l| l.contains("\tdead\tpeer:tinh-thai-nguyen#") && l.contains("403"))
    });
    let pending = stdout(&xa.run(&["outbox", "list", "--pending"]));
    assert_eq!(
        pending
            .lines()
            .filter(|l| l.contains("peer:tinh-thai-nguyen#"))
            .count(),
        2,
        "the second waits behind the dead one: {pending}"
    );
    tinh.run(&[
        "peer",
        "add",
        xa.name,
        "--url",
        &xa.url(),
        "--key",
        k_xa,
        "--agency",
        "H55.301.1",
    ]);
    let replayed = stdout(&xa.run(&["outbox", "replay"]));
    assert!(replayed.starts_with('1'), "{replayed}");
    wait_until("both outboxes drained", 60, || {
        peer_backlog(&xa) == 0 && peer_backlog(&so) == 0
    });
    // Every dossier arrived once: same state, due moment and chain on both.
    for c in &codes {
        let a = dossier(&s_xa.addr, &t_xa, c).unwrap();
        let b = dossier(&s_so.addr, &t_so, c).unwrap();
        for f in ["state", "due_at", "version"] {
            assert_eq!(a[f], b[f], "{c} {f}");
        }
        let hashes = |v: &Value| -> Vec<Value> {
            v["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["hash"].clone())
                .collect()
        };
        assert_eq!(hashes(&a), hashes(&b), "{c}");
    }
    // The department holds exactly the dossiers sent to it, each once,
    // with intact chains; so do the others.
    let after = audit(&so);
    let count = |s: &str| -> (u64, u64) {
        let nums: Vec<u64> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|w| w.parse().ok())
            .collect();
        (nums[0], nums[1])
    };
    assert_eq!(
        count(&after).0,
        count(&before).0 + N as u64,
        "{before} → {after}"
    );
    for i in [&xa, &tinh] {
        audit(i);
    }
    // The province's report equals the sum of the installations' (the
    // department's copies count where they were received).
    let day = motcua_core::calendar::to_local(chrono::Utc::now())
        .format("%Y-%m-%d")
        .to_string();
    let (rx, rs, rt) = (
        report_total(&xa, &day),
        report_total(&so, &day),
        report_total(&tinh, &day),
    );
    assert_eq!(rx["received_direct_postal"], N as u64, "{rx}");
    assert_eq!(rs["received_direct_postal"], 0, "{rs}");
    assert_eq!(rt, rx, "province {rt} = commune {rx} + department {rs}");
    for s in [s_xa, s_so, s_tinh] {
        stop(s);
    }
    if let Some(db) = pg {
        runtime.block_on(db.cleanup());
    }
    for i in [xa, so, tinh] {
        std::fs::remove_dir_all(&i.dir).ok();
    }
}

/// A third party's webhook endpoint on loopback: records each request's
/// headers and body, answers 500 to the first `fail` ones, then 200.
struct Receiver {
    url: String,
    got: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

impl Receiver {
    fn start(fail: usize) -> Receiver {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks/motcua", listener.local_addr().unwrap());
        let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = got.clone();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                let len = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                seen.lock()
                    .unwrap()
                    .push((head, String::from_utf8(body).unwrap()));
                let status = if n < fail {
                    "500 Internal Server Error"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        Receiver { url, got }
    }

    fn requests(&self) -> Vec<(String, String)> {
        self.got.lock().unwrap().clone()
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

#[test]
fn webhooks_deliver_signed_changes_with_retries_and_tokens_keep_to_their_scopes() {
    let receiver = Receiver::start(1);
    let i = Inst::new("xa-trai-cau", None);
    i.run(&["demo"]);
    let secret = stdout(&i.run(&[
        "webhook",
        "add",
        "thanh-toan",
        "--url",
        &receiver.url,
        "--event",
        "receive",
        "--agency",
        "H55.301.1",
    ]));
    assert!(secret.starts_with("whsec_"), "{secret}");
    let bad = motcua(
        &i.dir,
        &[
            "webhook",
            "add",
            "x",
            "--url",
            "http://127.0.0.1:9",
            "--event",
            "fly",
        ],
    );
    assert!(
        !bad.status.success() && stderr(&bad).contains("fly"),
        "{}",
        stderr(&bad)
    );
    i.run(&[
        "user",
        "create",
        "ttb",
        "--agency",
        "H55.301.1",
        "--role",
        "reception_officer",
    ]);
    let writer = stdout(&i.run(&["token", "create", "ttb", "--scope", "dossiers:write"]));
    i.run(&[
        "user",
        "create",
        "giamsat",
        "--agency",
        "H55.301.1",
        "--role",
        "oversight_reader",
    ]);
    let reader = stdout(&i.run(&["token", "create", "giamsat", "--scope", "reports:read"]));
    let bad = motcua(&i.dir, &["token", "create", "ttb", "--scope", "admin"]);
    assert!(
        !bad.status.success() && stderr(&bad).contains("dossiers:read"),
        "{}",
        stderr(&bad)
    );
    let s = i.start();
    let new = json!({"procedure_code": "1.001193", "channel": "direct",
        "applicant": {"kind": "citizen", "full_name": "Hoàng Thị B", "id_number": "019203001234", "address": "Xã Trại Cau"}});
    // A reports-only token may not receive dossiers, nor read them.
    let (st, b) = http(&s.addr, "POST", "/api/dossiers", Some(&reader), Some(&new));
    assert_eq!(st, 403, "{b}");
    assert!(b.contains("dossiers:write"), "{b}");
    let (st, b) = http(&s.addr, "POST", "/api/dossiers", Some(&writer), Some(&new));
    assert_eq!(st, 201, "{b}");
    let code = json_of(&b)["code"].as_str().unwrap().to_string();
    assert_eq!(
        http(
            &s.addr,
            "GET",
            &format!("/api/dossiers/{code}"),
            Some(&reader),
            None
        )
        .0,
        403
    );
    assert_eq!(
        http(
            &s.addr,
            "GET",
            &format!("/api/dossiers/{code}"),
            Some(&writer),
            None
        )
        .0,
        200
    );
    let today = motcua_core::calendar::to_local(chrono::Utc::now())
        .format("%Y-%m-%d")
        .to_string();
    let (st, b) = http(
        &s.addr,
        "GET",
        &format!("/api/reports/statistics?from={today}&to={today}&unit=05662"),
        Some(&reader),
        None,
    );
    assert_eq!(st, 200, "{b}");
    // The receiver refused the first delivery; the retry came, the same.
    wait_until("a retried delivery", 30, || receiver.requests().len() >= 2);
    let reqs = receiver.requests();
    let (h1, b1) = &reqs[0];
    let (h2, b2) = &reqs[1];
    assert_eq!(b1, b2);
    assert_eq!(
        header(h1, "x-motcua-delivery"),
        header(h2, "x-motcua-delivery")
    );
    assert_eq!(header(h2, "x-motcua-event"), Some("receive"));
    let v = json_of(b2);
    assert_eq!(
        (v["event"].as_str(), v["dossier"]["code"].as_str()),
        (Some("receive"), Some(code.as_str()))
    );
    let sig = header(h2, "x-motcua-signature").unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(
        motcua_core::access::verify_webhook_signature(&secret, sig, b2, now, 300),
        "{sig}"
    );
    assert!(!motcua_core::access::verify_webhook_signature(
        &secret,
        sig,
        &b2.replace("receive", "resolve"),
        now,
        300
    ));
    wait_until("the delivery marked", 30, || {
        stdout(&i.run(&["outbox", "list"])).lines().any(|l| {
            l.contains("\tdelivered ")
                && l.contains("webhook:thanh-toan")
                && l.contains("attempts=2")
        })
    });
    // Only the subscribed change: a forward sends nothing.
    let (st, b) = act(
        &s.addr,
        &writer,
        &code,
        json!({"action": "forward", "version": 1}),
    );
    assert_eq!(st, 200, "{b}");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(receiver.requests().len(), 2);
    stop(s);
    std::fs::remove_dir_all(&i.dir).ok();
}
