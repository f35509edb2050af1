//! The `motcua` binary as a user runs it: real processes, real files, real
//! databases, real sockets.

mod common;
use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[test]
fn calendar_commands() {
    let dir = tempdir();
    for (year, tet) in [
        ("2019", "2019-02-05"),
        ("1985", "1985-01-21"),
        ("2007", "2007-02-17"),
        ("2030", "2030-02-02"),
    ] {
        let o = motcua(&dir, &["calendar", "tet", year]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o), tet);
    }
    let o = motcua(&dir, &["calendar", "lunar", "2023-03-22"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"day": 1, "month": 2, "year": 2023, "leap": true})
    );
    // Friday 03/05/2019 14:10 + 5 working days: Saturday 04/05/2019 was a
    // working day (swapped for Monday 29/04), so the due moment is Thursday.
    let o = motcua(
        &dir,
        &[
            "calendar",
            "due",
            "--from",
            "2019-05-03T14:10",
            "--working-days",
            "5",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2019-05-09T14:10");
    let o = motcua(&dir, &["calendar", "year", "2019"]);
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("2019-05-04\tSat\tworking")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("2019-04-29\tMon\tday-off")),
        "{out}"
    );
    // The Saturday-morning desk of the province works on Saturdays.
    motcua(&dir, &["demo"]);
    let o = motcua(
        &dir,
        &[
            "calendar",
            "due",
            "--from",
            "2026-12-04T09:00",
            "--working-days",
            "1",
            "--agency",
            "000.00.10.H55",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2026-12-05T09:00");
    for bad in [
        vec!["calendar", "tet", "1800"],
        vec!["calendar", "lunar", "2019-02-30"],
        vec![
            "calendar",
            "due",
            "--from",
            "2019-05-03",
            "--working-days",
            "5",
        ],
        vec![
            "calendar",
            "due",
            "--from",
            "2019-05-03T14:10",
            "--working-days",
            "0",
        ],
        vec![
            "calendar",
            "due",
            "--from",
            "2019-05-03T14:10",
            "--working-days",
            "5",
            "--agency",
            "000.99.99.H55",
        ],
    ] {
        let o = motcua(&dir, &bad);
        assert!(!o.status.success(), "{bad:?} should fail");
        assert!(
            stderr(&o).starts_with("motcua: "),
            "{bad:?}: {}",
            stderr(&o)
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn imports_are_all_or_nothing_and_name_file_and_line() {
    let dir = tempdir();
    assert!(motcua(&dir, &["demo"]).status.success());
    let export = |kind: &str| stdout(&motcua(&dir, &["export", kind]));
    let (units, agencies, procs) = (export("units"), export("agencies"), export("procedures"));
    let bad_units = dir.join("bad-units.csv");
    std::fs::write(&bad_units, "code,name,type,parent_code,level,valid_from\n98,Tỉnh A,Tỉnh,,1,2020-01-01\n99,Tỉnh B,Tỉnh,,7,2020-01-01\n").unwrap();
    let bad_agencies = dir.join("bad-agencies.csv");
    std::fs::write(&bad_agencies, "code,name,parent_code,unit_code,level,kind,desk\n000.00.50.H55,Sở A,000.00.00.H55,19,province,department,false\n000.00.51.H55,Sở B,000.00.77.H55,19,province,department,false\n").unwrap();
    let bad_procs = dir.join("bad.json");
    std::fs::write(
        &bad_procs,
        "[\n{\"code\": \"1.000001\", \"name\": \"A\"},\n{\"code\": \"1.000002\"}\n]\n",
    )
    .unwrap();
    let broken = dir.join("broken.csv");
    std::fs::write(
        &broken,
        b"code,name,type,parent_code,level,valid_from\n98,T\xffnh,T,,1,2020-01-01\n",
    )
    .unwrap();
    for (kind, file, line) in [
        ("units", &bad_units, 3),
        ("agencies", &bad_agencies, 3),
        ("procedures", &bad_procs, 3),
        ("units", &broken, 2),
    ] {
        let o = motcua(&dir, &["import", kind, file.to_str().unwrap()]);
        assert!(!o.status.success());
        let msg = stderr(&o);
        assert!(
            msg.contains(&format!("{}:{line}:", file.display())),
            "{kind}: {msg}"
        );
    }
    let missing = motcua(
        &dir,
        &["import", "units", dir.join("nope.csv").to_str().unwrap()],
    );
    assert!(!missing.status.success() && stderr(&missing).contains("nope.csv"));
    assert_eq!(
        (export("units"), export("agencies"), export("procedures")),
        (units, agencies, procs)
    );
    // A good file round-trips: export, import, export again: identical.
    let out = dir.join("procedures.json");
    assert!(
        motcua(
            &dir,
            &[
                "export",
                "procedures",
                "--format",
                "json",
                "-o",
                out.to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let o = motcua(&dir, &["import", "procedures", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("64 unchanged"), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn settings_errors_are_clear() {
    let dir = tempdir();
    let cfg = dir.join("motcua.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:9\"\ncolour = \"red\"\n").unwrap();
    let o = motcua(&dir, &["--config", cfg.to_str().unwrap(), "migrate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("colour"), "{}", stderr(&o));
    let o = motcua(
        &dir,
        &[
            "--database-url",
            "postgres://postgres@127.0.0.1:1/none",
            "migrate",
        ],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("không kết nối được cơ sở dữ liệu"),
        "{}",
        stderr(&o)
    );
    let o = motcua(&dir, &["--database-url", "mysql://x", "migrate"]);
    assert!(
        !o.status.success() && stderr(&o).contains("sqlite://"),
        "{}",
        stderr(&o)
    );
    // A command asked wrongly exits 2, like a bad setting.
    let o = motcua(&dir, &["report"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--from"), "{}", stderr(&o));
    std::fs::write(&cfg, "sqlite_synchronous = \"off\"\n").unwrap();
    let o = motcua(&dir, &["--config", cfg.to_str().unwrap(), "migrate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("sqlite_synchronous `off`"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn check_server(s: &Server) {
    assert_eq!(http_get(&s.addr, "/healthz"), (200, "ok".to_string()));
    let (st, body) = http_get(&s.addr, "/api/procedures?q=dang+ky+khai+sinh");
    assert_eq!(st, 200);
    let v: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(v["items"][0]["code"], "1.001193");
    let (st, body) = http_get(&s.addr, "/api/units/169");
    assert_eq!(st, 200);
    assert!(body.contains("Huyện Đồng Hỷ"));
}

#[test]
fn serve_on_an_empty_directory_then_again() {
    let dir = tempdir();
    let s = start(&dir, None);
    assert!(dir.join("data/motcua.db").is_file());
    check_server(&s);
    stop(s);
    // Second start: data kept, demo not loaded twice.
    let s = start(&dir, None);
    check_server(&s);
    let (_, body) = http_get(&s.addr, "/api/procedures?per_page=1");
    assert!(body.contains("\"total\":64"), "{body}");
    stop(s);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn serve_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(motcua_store::testing::TestDb::postgres()) else {
        return;
    };
    let url = db.url();
    let dir = tempdir();
    let s = start(&dir, Some(&url));
    assert!(
        !dir.join("data/motcua.db").exists(),
        "PostgreSQL run must not create the SQLite file"
    );
    check_server(&s);
    stop(s);
    rt.block_on(db.cleanup());
    std::fs::remove_dir_all(&dir).ok();
}

/// `motcua user create USER … --password-stdin` with `input` on stdin.
fn create_with_password(dir: &Path, user: &str, input: &str) -> Output {
    let mut child = Command::new(BIN)
        .args([
            "user",
            "create",
            user,
            "--agency",
            "H55.305.1",
            "--role",
            "specialist",
            "--password-stdin",
            "--data-dir",
        ])
        .arg(dir.join("data"))
        .env_remove("MOTCUA_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `user create --password-stdin` stores an Argon2 hash the sign-in
/// accepts; a first `serve` creates the demo accounts and says so in its log.
#[test]
fn passwords_from_stdin_and_demo_accounts() {
    let dir = tempdir();
    let s = start(&dir, None);
    assert!(
        s.startup_log
            .iter()
            .any(|l| l.contains("demo accounts are active") && l.contains("tiepnhan.xa")),
        "{:?}",
        s.startup_log
    );
    stop(s);
    let o = create_with_password(&dir, "cv.an", "mot-mat-khau-dai\n");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = motcua_store::Store::connect(&format!(
            "sqlite://{}",
            dir.join("data/motcua.db").display()
        ))
        .await
        .unwrap();
        assert!(
            store
                .password_matches("cv.an", "mot-mat-khau-dai")
                .await
                .unwrap()
        );
        assert!(
            !store
                .password_matches("cv.an", "mot-mat-khau-dai\n")
                .await
                .unwrap()
        );
        assert!(
            store
                .password_matches("tiepnhan.xa", motcua_store::demo::DEMO_PASSWORD)
                .await
                .unwrap()
        );
    });
    // A short password is refused and creates no one.
    let o = create_with_password(&dir, "cv.binh", "ngan\n");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("mật khẩu"));
    let o = motcua(&dir, &["token", "create", "cv.binh"]);
    assert!(!o.status.success(), "no such user");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn users_tokens_and_audit() {
    let dir = tempdir();
    assert!(motcua(&dir, &["demo"]).status.success());
    let o = motcua(
        &dir,
        &[
            "user",
            "create",
            "ttb",
            "--agency",
            "H55.305.1",
            "--role",
            "reception_officer",
            "--role",
            "specialist",
            "--name",
            "Trần Thị B",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("reception_officer, specialist"),
        "{}",
        stdout(&o)
    );
    for bad in [
        vec![
            "user",
            "create",
            "ttb",
            "--agency",
            "H55.305.1",
            "--role",
            "specialist",
        ],
        vec![
            "user",
            "create",
            "x2",
            "--agency",
            "H55.305.1",
            "--role",
            "pilot",
        ],
        vec![
            "user",
            "create",
            "x3",
            "--agency",
            "H55.999",
            "--role",
            "specialist",
        ],
        vec!["token", "create", "nobody"],
    ] {
        let o = motcua(&dir, &bad);
        assert!(!o.status.success(), "{bad:?} should fail");
        assert!(
            stderr(&o).starts_with("motcua: "),
            "{bad:?}: {}",
            stderr(&o)
        );
    }
    let o = motcua(&dir, &["token", "create", "ttb"]);
    let token = stdout(&o);
    assert!(
        o.status.success() && token.starts_with("mc_") && !token.contains('\n'),
        "{token}"
    );
    // A dossier received through the API, then the chain is checked.
    let s = start(&dir, None);
    let resp = post_dossier(&s.addr, &token, None, BIRTH).unwrap();
    assert!(resp.starts_with("HTTP/1.1 201"), "{resp}");
    stop(s);
    let o = motcua(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("audit chain intact: 14 dossiers"),
        "{}",
        stdout(&o)
    );
    // Tamper with the stored event: verify names it and fails.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}", dir.join("data/motcua.db").display());
        let store = motcua_store::Store::connect(&url).await.unwrap();
        store
            .execute_unchecked(
                "UPDATE dossier_event SET data = (SELECT e.data FROM dossier_event e \
                 WHERE e.dossier_code = dossier_event.dossier_code AND e.version = 2) \
                 WHERE version = 1 AND dossier_code = (SELECT MIN(dossier_code) FROM dossier_event \
                 WHERE version = 2 AND dossier_code LIKE 'H55.305.1-%')",
            )
            .await
            .unwrap();
        store.close().await;
    });
    let o = motcua(&dir, &["audit", "verify"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("audit chain broken at dossier H55.305.1-"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A birth-registration reception at the desk of Xã Đồng Hỷ.
const BIRTH: &str = r#"{"procedure_code":"1.001193","channel":"direct","applicant":{"kind":"citizen","full_name":"Nguyễn Văn A","id_number":"019203001234","address":"Xã Đồng Hỷ"}}"#;

/// `POST /api/dossiers` over a raw connection; the whole HTTP response, or
/// `None` when the server is gone.
fn post_dossier(addr: &str, token: &str, key: Option<&str>, body: &str) -> Option<String> {
    let mut c = TcpStream::connect(addr).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let key = key
        .map(|k| format!("Idempotency-Key: {k}\r\n"))
        .unwrap_or_default();
    write!(
        c,
        "POST /api/dossiers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n{key}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut resp = String::new();
    c.read_to_string(&mut resp).ok()?;
    Some(resp)
}

/// The dossier code of a 201 response.
fn created_code(resp: &str) -> Option<String> {
    if !resp.starts_with("HTTP/1.1 201") {
        return None;
    }
    resp.split("\"code\":\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(str::to_string)
}

/// Loads the demo into `dir` and creates the reception officer `ttb` of the
/// Xã Đồng Hỷ desk; returns their bearer token.
fn demo_desk(dir: &Path) -> String {
    assert!(motcua(dir, &["demo"]).status.success());
    let o = motcua(
        dir,
        &[
            "user",
            "create",
            "ttb",
            "--agency",
            "H55.305.1",
            "--role",
            "reception_officer",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&motcua(dir, &["token", "create", "ttb"]))
}

fn mails(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(rd) = std::fs::read_dir(dir.join(sub)) {
            for e in rd.flatten() {
                out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
    }
    out
}

/// Whether aiosmtpd (PyPI) is installed; CI requires it (MOTCUA_TEST_REQUIRE_SMTP).
fn have_aiosmtpd() -> bool {
    let have = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        assert!(
            std::env::var("MOTCUA_TEST_REQUIRE_SMTP").is_err(),
            "aiosmtpd is required (MOTCUA_TEST_REQUIRE_SMTP) but missing"
        );
        eprintln!("SKIPPED: python3 -m aiosmtpd not installed (pip install aiosmtpd)");
    }
    have
}

/// A real SMTP server (aiosmtpd, PyPI) receives the notifications; the
/// outbox retries while it is down and never sends twice across a restart.
#[test]
fn notifications_are_delivered_once_by_smtp() {
    if !have_aiosmtpd() {
        return;
    }
    let dir = tempdir();
    let token = demo_desk(&dir);
    let port = free_port();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let env = [
        ("MOTCUA_SMTP_URL", smtp_url.as_str()),
        ("MOTCUA_NOTIFY_RETRY_SECONDS", "1"),
    ];
    // SMTP is down when the dossier is received.
    let s = start_with(&dir, None, &env);
    let body = r#"{"procedure_code":"1.001193","channel":"direct","applicant":{"kind":"citizen","full_name":"Nguyễn Văn A","id_number":"019203001234","email":"nguyenvana@example.vn","address":"Xã Đồng Hỷ"}}"#;
    let resp = post_dossier(&s.addr, &token, None, body).unwrap();
    assert!(resp.starts_with("HTTP/1.1 201"), "{resp}");
    let code = created_code(&resp).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let maildir = dir.join("maildir");
    let mut smtp = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while mails(&maildir).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let got = mails(&maildir);
    assert_eq!(got.len(), 1, "one notification delivered after the retry");
    let mail = &got[0];
    assert!(mail.contains(&format!("<{code}.1@motcua>")), "{mail}");
    assert!(mail.contains("nguyenvana@example.vn"), "{mail}");
    // Restart: nothing is sent again.
    stop(s);
    let s = start_with(&dir, None, &env);
    std::thread::sleep(Duration::from_millis(2000));
    stop(s);
    assert_eq!(mails(&maildir).len(), 1, "no duplicate after restart");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let outbox = rt.block_on(async {
        let store = motcua_store::Store::connect(&format!(
            "sqlite://{}",
            dir.join("data/motcua.db").display()
        ))
        .await
        .unwrap();
        store.outbox().await.unwrap()
    });
    assert_eq!(outbox.len(), 1);
    assert!(
        outbox[0].sent_at.is_some() && outbox[0].attempts >= 2,
        "{:?}",
        outbox[0]
    );
    let o = motcua(&dir, &["outbox", "list"]);
    assert!(
        stdout(&o).contains(&format!("{code}/1\tsent ")),
        "{}",
        stdout(&o)
    );
    assert_eq!(stdout(&motcua(&dir, &["outbox", "list", "--pending"])), "");
    let o = motcua(&dir, &["outbox", "replay", "nope/1"]);
    assert_eq!(o.status.code(), Some(1), "not found is not a usage error");
    let _ = smtp.kill();
    let _ = smtp.wait();
    std::fs::remove_dir_all(&dir).ok();
}

/// SMTP over the network (issue 18.11): STARTTLS required and AUTH against a
/// real server (aiosmtpd) with a certificate from the province's own CA
/// (`smtp_ca_file`); the password never crosses in clear: when the server
/// offers no STARTTLS, the mail waits in the outbox.
#[test]
fn notifications_go_by_starttls_with_authentication() {
    if !have_aiosmtpd() {
        return;
    }
    let dir = tempdir();
    let token = demo_desk(&dir);
    let tls_dir = dir.join("smtp");
    std::fs::create_dir_all(&tls_dir).unwrap();
    let port = free_port();
    let mut smtp = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/smtp_tls_server.py"
        ))
        .arg(&tls_dir)
        .arg(port.to_string())
        .args(["motcua-mail", "mat-khau-smtp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(smtp.stdout.take().unwrap()),
        &mut ready,
    )
    .unwrap();
    assert_eq!(ready.trim(), "ready");
    let ca = tls_dir.join("ca.pem");
    let tls_url = format!("smtp://localhost:{port}?tls=starttls");
    let plain_port = free_port();
    let mut plain = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{plain_port}"),
        ])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(dir.join("plain-maildir"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let body = r#"{"procedure_code":"1.001193","channel":"direct","applicant":{"kind":"citizen","full_name":"Nguyễn Văn A","id_number":"019203001234","email":"nguyenvana@example.vn","address":"Xã Đồng Hỷ"}}"#;
    // First against a server without STARTTLS: nothing goes in clear.
    let plain_url = format!("smtp://localhost:{plain_port}?tls=starttls");
    let env = |url: &str| {
        vec![
            ("MOTCUA_SMTP_URL", url.to_string()),
            ("MOTCUA_SMTP_USERNAME", "motcua-mail".to_string()),
            ("MOTCUA_SMTP_PASSWORD", "mat-khau-smtp".to_string()),
            ("MOTCUA_SMTP_CA_FILE", ca.display().to_string()),
            ("MOTCUA_NOTIFY_RETRY_SECONDS", "1".to_string()),
        ]
    };
    let e = env(&plain_url);
    let e: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let s = start_with(&dir, None, &e);
    let resp = post_dossier(&s.addr, &token, None, body).unwrap();
    let code = created_code(&resp).unwrap_or_else(|| panic!("{resp}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    let attempts = || stdout(&motcua(&dir, &["outbox", "list"]));
    let line = format!("{code}/1\t");
    let tried = |l: &str| {
        l.lines()
            .any(|x| x.starts_with(&line) && x.contains("\twaiting\t") && !x.contains("attempts=0"))
    };
    while !tried(&attempts()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(300));
    }
    stop(s);
    assert!(
        mails(&dir.join("plain-maildir")).is_empty(),
        "no mail in clear"
    );
    let listed = attempts();
    assert!(tried(&listed) && listed.contains("STARTTLS"), "{listed}");
    // Then the real one: delivered once, over TLS, authenticated.
    let e = env(&tls_url);
    let e: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let s = start_with(&dir, None, &e);
    let maildir = tls_dir.join("maildir");
    let deadline = Instant::now() + Duration::from_secs(30);
    while mails(&maildir).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    stop(s);
    let got = mails(&maildir);
    assert_eq!(got.len(), 1, "{}", attempts());
    assert!(got[0].contains(&format!("<{code}.1@motcua>")), "{}", got[0]);
    assert!(attempts().contains(&format!("{code}/1\tsent ")));
    for p in [&mut smtp, &mut plain] {
        let _ = p.kill();
        let _ = p.wait();
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// POSTs a keyed reception; the dossier code of a 201, else `None`.
fn send_keyed(addr: &str, token: &str, key: &str) -> Option<String> {
    created_code(&post_dossier(addr, token, Some(key), BIRTH)?)
}

/// Kill -9 the server in the middle of a burst of receptions and
/// transitions: after a restart every acknowledged change is there, nothing
/// is half-written (every chain verifies), and repeating every request with
/// its idempotency key neither duplicates nor loses anything.
#[test]
fn crash_during_a_burst_loses_nothing_acknowledged() {
    let dir = tempdir();
    let token = demo_desk(&dir);
    let s = start(&dir, None);
    let addr = s.addr.clone();
    let send = move |addr: &str, key: &str| send_keyed(addr, &token, key);
    // Four clients send keyed receptions until the server dies.
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let mut clients = Vec::new();
    for c in 0..4 {
        let (addr, acked, send) = (addr.clone(), acked.clone(), send.clone());
        clients.push(std::thread::spawn(move || {
            for i in 0..10_000 {
                let key = format!("c{c}-{i}");
                match send(&addr, &key) {
                    Some(code) => acked.lock().unwrap().push((key, code)),
                    None => return i,
                }
            }
            10_000
        }));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let mut server = s;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let sent: Vec<usize> = clients.into_iter().map(|h| h.join().unwrap()).collect();
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 10,
        "the burst got going: {} acknowledged",
        acked.len()
    );
    // Every chain is whole after the crash.
    let o = motcua(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Restart; repeat every request that was sent (acknowledged or not).
    let s = start(&dir, None);
    for (c, n) in sent.iter().enumerate() {
        for i in 0..=*n {
            let key = format!("c{c}-{i}");
            let code = send(&s.addr, &key).expect("the repeat is answered");
            if let Some((_, first)) = acked.iter().find(|(k, _)| *k == key) {
                assert_eq!(
                    &code, first,
                    "{key}: an acknowledged reception keeps its answer"
                );
            }
        }
    }
    stop(s);
    // One dossier per key, no more: 13 demo dossiers + one per key sent.
    let keys: usize = sent.iter().map(|n| n + 1).sum();
    let o = motcua(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!("intact: {} dossiers", 13 + keys)),
        "{} (keys {keys})",
        stdout(&o)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// SMS is the second channel of the outbox: a real HTTP gateway (a Python
/// http.server, tests/sms_gateway.py) refuses the first attempt, accepts the
/// retry, and receives each notice once, without diacritics, with the bearer
/// token; a restart sends nothing again.
#[test]
fn notifications_are_delivered_once_by_sms_gateway() {
    let dir = tempdir();
    let token = demo_desk(&dir);
    let port = free_port();
    let log = dir.join("sms.jsonl");
    let mut gateway = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sms_gateway.py"))
        .arg(port.to_string())
        .arg(&log)
        .arg("1")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/send");
    let env = [
        ("MOTCUA_SMS_GATEWAY_URL", url.as_str()),
        ("MOTCUA_SMS_GATEWAY_TOKEN", "s3cret"),
        ("MOTCUA_NOTIFY_RETRY_SECONDS", "1"),
    ];
    let s = start_with(&dir, None, &env);
    let body = r#"{"procedure_code":"1.001193","channel":"direct","applicant":{"kind":"citizen","full_name":"Nguyễn Văn A","id_number":"019203001234","phone":"0912345678","address":"Xã Đồng Hỷ"}}"#;
    let resp = post_dossier(&s.addr, &token, None, body).unwrap();
    assert!(resp.starts_with("HTTP/1.1 201"), "{resp}");
    let code = created_code(&resp).unwrap();
    let lines = || -> Vec<serde_json::Value> {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while lines().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let got = lines();
    assert_eq!(got.len(), 1, "one SMS accepted after the refused attempt");
    let sms = &got[0];
    assert_eq!(sms["path"], "/send");
    assert_eq!(sms["authorization"], "Bearer s3cret");
    assert_eq!(sms["body"]["to"], "0912345678");
    assert_eq!(sms["body"]["id"], format!("{code}/1/sms"));
    let text = sms["body"]["text"].as_str().unwrap();
    assert!(text.is_ascii() && text.len() <= 160, "{text}");
    assert!(
        text.contains(&code) && text.contains("da tiep nhan"),
        "{text}"
    );
    stop(s);
    let s = start_with(&dir, None, &env);
    std::thread::sleep(Duration::from_millis(2000));
    stop(s);
    assert_eq!(lines().len(), 1, "no duplicate after restart");
    let o = stdout(&motcua(&dir, &["outbox", "list"]));
    assert!(o.contains(&format!("{code}/1/sms\tsent ")), "{o}");
    let _ = gateway.kill();
    let _ = gateway.wait();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn import_history_then_report_in_every_format_and_verify() {
    let dir = tempdir();
    let o = motcua(&dir, &["demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let head = "code,procedure_code,receiving_unit,channel,received_at,due_at,finished_at,outcome,returned_at\n";
    let good = "001.01.21.H55-180312-0001,1.001193,169,direct,2018-03-12T08:00,2018-03-19T17:00,2018-03-16T10:00,approved,2018-03-19T09:00\n\
                001.11.21.H55-180312-0001,1.001193,05656,online,2018-03-12T09:00,2018-03-19T17:00,2018-03-20T10:00,rejected,\n\
                001.01.21.H55-180313-0001,1.001193,169,postal,2018-03-13T10:00,2018-03-20T17:00,,,\n";
    // A bad line refuses the whole file, naming file and line; nothing is stored.
    for (bad, want) in [
        (
            "001.01.21.H55-180314-0001,9.999999,169,direct,2018-03-14T08:00,2018-03-20T17:00,,,\n",
            ":5: procedure_code `9.999999`",
        ),
        (
            "001.01.21.H55-180314-0001,1.001193,99999,direct,2018-03-14T08:00,2018-03-20T17:00,,,\n",
            ":5: receiving_unit `99999`",
        ),
        (
            "001.01.21.H55-180314-0001,1.001193,169,direct,2018-03-14 08:00,2018-03-20T17:00,,,\n",
            ":5: received_at",
        ),
    ] {
        let f = dir.join("bad.csv");
        std::fs::write(&f, format!("{head}{good}{bad}")).unwrap();
        let o = motcua(&dir, &["import", "dossiers", f.to_str().unwrap()]);
        assert!(!o.status.success());
        assert!(
            stderr(&o).contains(&format!("bad.csv{want}")),
            "{}",
            stderr(&o)
        );
    }
    let report = |args: &[&str]| {
        let mut a = vec!["report", "--from", "2018-01-01", "--to", "2018-12-31"];
        a.extend_from_slice(args);
        motcua(&dir, &a)
    };
    let o = report(&["--unit", "169", "--group-by", "level"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["total"]["received_new"], 0, "nothing was imported");
    let f = dir.join("ho-so.csv");
    std::fs::write(&f, format!("{head}{good}")).unwrap();
    let o = motcua(&dir, &["import", "dossiers", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("imported 3 dossiers"), "{}", stdout(&o));
    // Again: the codes exist, refused with the line.
    let o = motcua(&dir, &["import", "dossiers", f.to_str().unwrap()]);
    assert!(
        stderr(&o).contains("ho-so.csv:2: mã hồ sơ 001.01.21.H55-180312-0001 đã có"),
        "{}",
        stderr(&o)
    );
    let o = report(&["--unit", "169", "--group-by", "level"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let row = |level: &str| rows.iter().find(|r| r["level"] == level).unwrap().clone();
    assert_eq!(row("district")["received_new"], 2);
    assert_eq!(row("district")["resolved_early"], 1);
    assert_eq!(row("district")["in_progress_overdue"], 1);
    assert_eq!(row("commune")["received_online"], 1);
    assert_eq!(row("commune")["resolved_overdue"], 1);
    let o = report(&["--unit", "169", "--format", "csv"]);
    let csv = stdout(&o);
    assert!(csv.starts_with("agency,label,received_new,"), "{csv}");
    assert!(
        csv.lines()
            .last()
            .unwrap()
            .starts_with(",Tổng cộng,3,1,2,0,1,0,1,"),
        "{csv}"
    );
    for fmt in ["pdf", "xlsx"] {
        let out = dir.join(format!("bao-cao.{fmt}"));
        let o = report(&[
            "--unit",
            "169",
            "--format",
            fmt,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(if fmt == "pdf" { b"%PDF" } else { b"PK\x03\x04" }));
    }
    let o = report(&["--format", "pdf"]);
    assert!(
        !o.status.success() && stderr(&o).contains("--output"),
        "{}",
        stderr(&o)
    );
    let o = report(&["--unit", "00000"]);
    assert!(!o.status.success());
    let o = motcua(&dir, &["report", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("agree"), "{}", stdout(&o));
}

#[test]
fn peer_keys_and_peers() {
    let dir = tempdir();
    let o = motcua(&dir, &["peer", "keygen", "--name", "huyen-dong-hy"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let line = stdout(&o);
    let public = line.strip_prefix("huyen-dong-hy ").unwrap().to_string();
    assert_eq!(public.len(), 64, "{line}");
    // Not replaced by accident; replaced with --force (a new key).
    let o = motcua(&dir, &["peer", "keygen", "--name", "huyen-dong-hy"]);
    assert!(
        !o.status.success() && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    let o = motcua(
        &dir,
        &["peer", "keygen", "--name", "huyen-dong-hy", "--force"],
    );
    assert!(o.status.success());
    assert_ne!(stdout(&o), line, "a new key");
    // Peers: bad URL, bad key, bad name refused; then added, listed, removed.
    for (args, want) in [
        (
            vec![
                "peer",
                "add",
                "xa-song-cau",
                "--url",
                "ftp://x",
                "--key",
                &public,
            ],
            "--url",
        ),
        (
            vec![
                "peer",
                "add",
                "xa-song-cau",
                "--url",
                "http://127.0.0.1:9",
                "--key",
                "abc",
            ],
            "--key",
        ),
        (
            vec![
                "peer",
                "add",
                "xã sông cầu",
                "--url",
                "http://127.0.0.1:9",
                "--key",
                &public,
            ],
            "tên hệ thống",
        ),
    ] {
        let o = motcua(&dir, &args);
        assert!(!o.status.success());
        assert!(stderr(&o).contains(want), "{want}: {}", stderr(&o));
    }
    let o = motcua(
        &dir,
        &[
            "peer",
            "add",
            "xa-song-cau",
            "--url",
            "http://127.0.0.1:9/",
            "--key",
            &public,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = motcua(&dir, &["peer", "list"]);
    assert!(
        stdout(&o).contains(&format!("xa-song-cau\thttp://127.0.0.1:9\t{public}")),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).starts_with("# this installation: huyen-dong-hy "));
    assert!(
        motcua(&dir, &["peer", "remove", "xa-song-cau"])
            .status
            .success()
    );
    assert!(
        !motcua(&dir, &["peer", "remove", "xa-song-cau"])
            .status
            .success()
    );
}

/// `serve --no-demo` on `dir` (stdin: what to send, if any): the child, its
/// address, and what it printed on standard output before serving.
fn serve_no_demo(dir: &Path, extra: &[&str], stdin: Option<&str>) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut cmd = Command::new(BIN);
    cmd.args([
        "serve",
        "--no-demo",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
    ])
    .arg(dir.join("data"))
    .args(extra)
    .env("MOTCUA_LOG_FORMAT", "json")
    .env("RUST_LOG", "info")
    .env_remove("MOTCUA_DATABASE_URL")
    .stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let mut addr = None;
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
            && v["fields"]["message"] == "motcua serving"
        {
            addr = v["fields"]["addr"].as_str().map(str::to_string);
            break;
        }
    }
    // Keep draining the log so the server never writes to a closed pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr.expect("server printed its address"))
}

/// The standard output of a stopped server.
fn stop_and_read(mut child: std::process::Child) -> String {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(child.wait().unwrap().success());
    out
}

/// Issue 18.8: a production start has no published password. `migrate`
/// loads the reference data only; `serve --no-demo` adds one administrator
/// whose password is generated and printed once (or read from stdin);
/// dossiers can be imported into such a database.
#[test]
fn a_production_start_has_no_published_password() {
    let dir = tempdir();
    let o = motcua(&dir, &["migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("reference data loaded"),
        "{}",
        stdout(&o)
    );
    let (child, addr) = serve_no_demo(&dir, &[], None);
    let (status, _) = http_get(&addr, "/thu-tuc/1.001193");
    assert_eq!(status, 200, "the catalogue is there");
    let out = stop_and_read(child);
    let password = out
        .lines()
        .find_map(|l| l.split("đổi sau khi đăng nhập): ").nth(1))
        .unwrap_or_else(|| panic!("no password printed: {out}"))
        .trim()
        .to_string();
    assert!(password.len() >= 32, "{password}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}", dir.join("data/motcua.db").display());
    rt.block_on(async {
        let store = motcua_store::Store::connect(&url).await.unwrap();
        assert!(store.password_matches("quantri", &password).await.unwrap());
        for (demo_user, ..) in motcua_store::demo::DEMO_USERS {
            assert!(
                store.user(demo_user).await.unwrap().is_none(),
                "{demo_user}"
            );
        }
        let desk = motcua_core::codes::AgencyCode::new("H55.305.1").unwrap();
        assert_eq!(store.count_dossiers_at(&desk).await.unwrap(), 0);
        store.close().await;
    });
    // A second start creates no one and prints no password.
    let (child, _) = serve_no_demo(&dir, &[], None);
    let out = stop_and_read(child);
    assert!(!out.contains("mật khẩu"), "{out}");
    // Dossiers import into a database with reference data only.
    let f = dir.join("ho-so.csv");
    std::fs::write(
        &f,
        "code,procedure_code,receiving_unit,channel,received_at,due_at,finished_at,outcome,returned_at\n\
         001.01.21.H55-180312-0001,1.001193,169,direct,2018-03-12T08:00,2018-03-19T17:00,2018-03-16T10:00,approved,2018-03-19T09:00\n",
    )
    .unwrap();
    let o = motcua(&dir, &["import", "dossiers", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The password from standard input, on another fresh installation.
    let dir2 = tempdir();
    let (child, _) = serve_no_demo(
        &dir2,
        &["--admin-password-stdin"],
        Some("mot-mat-khau-rat-dai\n"),
    );
    let out = stop_and_read(child);
    assert!(!out.contains("mot-mat-khau-rat-dai"), "never echoed: {out}");
    let url2 = format!("sqlite://{}", dir2.join("data/motcua.db").display());
    rt.block_on(async {
        let store = motcua_store::Store::connect(&url2).await.unwrap();
        assert!(
            store
                .password_matches("quantri", "mot-mat-khau-rat-dai")
                .await
                .unwrap()
        );
        store.close().await;
    });
    // --admin-password-stdin with the demo makes no sense: refused.
    let o = motcua(
        &dir2,
        &["serve", "--admin-password-stdin", "--listen", "127.0.0.1:0"],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--no-demo"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_dir_all(&dir2).ok();
}
