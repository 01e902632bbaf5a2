//! `qunshu deploy` to S3-compatible object storage, against a real S3
//! server started here on 127.0.0.1: moto's server mode (`moto_server`,
//! installed by `.ci/run`). Each test starts its own server and kills it
//! when done. Without moto the tests skip, unless `QUNSHU_REQUIRE_S3` is set
//! (as `.ci/run` does): then they fail.

use crate::common;

use common::*;
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CLOCK: &str = "2026-11-24 08:00";
const KEY_ID: &str = "AKIAQUNSHUTESTKEY01";
const SECRET: &str = "qunshu-test-SECRET/never+printed";
const BILI: &str = "content/qa/bilibili-b2b.md";
const BILI_CARD: &str = "cards/qa/做企业服务的公司-适不适合做b站.png";

/// moto checks no signature but refuses anonymous reads: any SigV4-shaped
/// `Authorization` header will do for the test's own reads.
const AUTH: &str = "AWS4-HMAC-SHA256 Credential=test/20261203/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";

/// A moto S3 server on a free port of 127.0.0.1, killed on drop.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The ways moto's server may be installed: `$QUNSHU_MOTO_SERVER`, the
/// virtualenv `.ci/run` makes under `target/`, or on the PATH.
fn moto_commands() -> Vec<Vec<String>> {
    let mut v = Vec::new();
    if let Ok(p) = std::env::var("QUNSHU_MOTO_SERVER") {
        v.push(vec![p]);
    }
    let venv: PathBuf = repo().join("target/moto-venv/bin/moto_server");
    v.push(vec![venv.to_string_lossy().into_owned()]);
    v.push(vec!["moto_server".to_string()]);
    v
}

impl Moto {
    /// Starts the server; `None` (skip) when moto is not installed and
    /// `QUNSHU_REQUIRE_S3` is unset.
    fn start() -> Option<Moto> {
        for cmd in moto_commands() {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let child = Command::new(&cmd[0])
                .args(&cmd[1..])
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let Ok(child) = child else { continue };
            let mut moto = Moto {
                child,
                url: format!("http://127.0.0.1:{port}"),
            };
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = moto.child.try_wait() {
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(moto);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            panic!("{} did not start on port {port}", cmd[0]);
        }
        if std::env::var_os("QUNSHU_REQUIRE_S3").is_some() {
            panic!("QUNSHU_REQUIRE_S3 is set but moto's server is not installed (pip install 'moto[server]'; .ci/run does it)");
        }
        eprintln!("skipping: moto_server is not installed");
        None
    }

    fn object_url(&self, bucket: &str, key: &str) -> String {
        const SEG: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');
        let k: Vec<String> = key
            .split('/')
            .map(|s| percent_encoding::utf8_percent_encode(s, SEG).to_string())
            .collect();
        format!("{}/{bucket}/{}", self.url, k.join("/"))
    }

    fn create_bucket(&self, bucket: &str) {
        ureq::put(&format!("{}/{bucket}", self.url))
            .send_empty()
            .unwrap();
    }

    /// Every key in the bucket.
    fn keys(&self, bucket: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut url = format!("{}/{bucket}?list-type=2&max-keys=1000", self.url);
            if let Some(t) = &token {
                url.push_str("&continuation-token=");
                url.push_str(
                    &percent_encoding::utf8_percent_encode(t, percent_encoding::NON_ALPHANUMERIC)
                        .to_string(),
                );
            }
            let xml = ureq::get(&url)
                .header("Authorization", AUTH)
                .call()
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap();
            for part in xml.split("<Key>").skip(1) {
                let k = &part[..part.find("</Key>").unwrap()];
                out.push(
                    k.replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&apos;", "'")
                        .replace("&amp;", "&"),
                );
            }
            token = xml
                .split("<NextContinuationToken>")
                .nth(1)
                .map(|s| s[..s.find("</NextContinuationToken>").unwrap()].to_string());
            if token.is_none() {
                break;
            }
        }
        out.sort();
        out
    }

    /// Content-Type and Cache-Control of an object (HEAD).
    fn headers(&self, bucket: &str, key: &str) -> (String, String) {
        let r = ureq::head(&self.object_url(bucket, key))
            .header("Authorization", AUTH)
            .call()
            .unwrap();
        let h = |n: &str| {
            r.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        (h("content-type"), h("cache-control"))
    }

    fn get(&self, bucket: &str, key: &str) -> Vec<u8> {
        ureq::get(&self.object_url(bucket, key))
            .header("Authorization", AUTH)
            .call()
            .unwrap()
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .unwrap()
    }

    /// Every object under `prefix/` (without it), manifest aside: key → bytes.
    fn contents(&self, bucket: &str, prefix: &str) -> BTreeMap<PathBuf, Vec<u8>> {
        self.keys(bucket)
            .into_iter()
            .filter_map(|k| {
                let rel = if prefix.is_empty() {
                    k.clone()
                } else {
                    k.strip_prefix(prefix)?.strip_prefix('/')?.to_string()
                };
                (rel != ".qunshu-manifest.json")
                    .then(|| (PathBuf::from(&rel), self.get(bucket, &k)))
            })
            .collect()
    }
}

/// A copy of the demo with `[deploy]` pointing at `bucket` of `moto`.
fn site_for(moto: &Moto, bucket: &str, prefix: &str) -> tempfile::TempDir {
    let t = demo_copy();
    let toml = fs::read_to_string(t.path().join("site.toml")).unwrap();
    fs::write(
        t.path().join("site.toml"),
        format!(
            "{toml}\n[deploy]\nbucket = \"{bucket}\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\nprefix = \"{prefix}\"\npath_style = true\n",
            moto.url
        ),
    )
    .unwrap();
    t
}

fn build(root: &Path) {
    let o = output(qunshu_at(root).args(["build", "--quiet", "--clock", CLOCK]));
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// `qunshu deploy` with the test credentials (and no others).
fn deploy_cmd(root: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("qunshu"));
    c.arg("--root").arg(root);
    for v in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "QUNSHU_S3_ACCESS_KEY_ID",
        "QUNSHU_S3_SECRET_ACCESS_KEY",
        "QUNSHU_S3_SESSION_TOKEN",
    ] {
        c.env_remove(v);
    }
    c.env("QUNSHU_S3_ACCESS_KEY_ID", KEY_ID)
        .env("QUNSHU_S3_SECRET_ACCESS_KEY", SECRET)
        .arg("deploy");
    c
}

fn deploy(root: &Path, extra: &[&str]) -> Out {
    let mut c = deploy_cmd(root);
    c.args(extra);
    let o = output(&mut assert_cmd::Command::from_std(c));
    assert!(
        !o.stdout.contains(SECRET) && !o.stderr.contains(SECRET),
        "the secret is never printed"
    );
    o
}

/// The counts of the summary line: (uploaded, unchanged, deleted).
fn counts(o: &Out) -> (usize, usize, usize) {
    let last = o.stdout.lines().last().unwrap_or_default().to_string();
    let nums: Vec<usize> = last
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(3)
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(nums.len(), 3, "{last}");
    (nums[0], nums[1], nums[2])
}

/// The built archive as the bucket should hold it.
fn built(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut m = snapshot(&root.join("public"));
    m.remove(Path::new(".qunshu-output"));
    m
}

#[test]
fn deploys_with_headers_skips_unchanged_and_deletes_last() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket("archive");
    let t = site_for(&moto, "archive", "site/zh");
    let root = t.path();
    build(root);
    let n = built(root).len();

    // A dry run lists everything and uploads nothing.
    let dry = deploy(root, &["--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(counts(&dry), (n, 0, 0), "{}", dry.stdout);
    assert!(
        dry.stdout.contains("would upload: index.html"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains(&format!("({n} new, 0 replaced)")),
        "{}",
        dry.stdout
    );
    assert!(moto.keys("archive").is_empty(), "a dry run changes nothing");

    let first = deploy(root, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(counts(&first), (n, 0, 0), "{}", first.stdout);
    assert_eq!(
        moto.contents("archive", "site/zh"),
        built(root),
        "the bucket holds the archive"
    );
    assert!(moto
        .keys("archive")
        .contains(&"site/zh/.qunshu-manifest.json".to_string()));
    // Headers, read back.
    let short = "public, max-age=300";
    assert_eq!(
        moto.headers("archive", "site/zh/index.html"),
        ("text/html; charset=utf-8".into(), short.into())
    );
    assert_eq!(
        moto.headers("archive", "site/zh/style.css"),
        (
            "text/css; charset=utf-8".into(),
            "public, max-age=3600".into()
        )
    );
    assert_eq!(
        moto.headers("archive", &format!("site/zh/{BILI_CARD}")),
        ("image/png".into(), "public, max-age=86400".into())
    );
    let (ty, cache) = moto.headers("archive", "site/zh/search/index.js");
    assert!(ty.ends_with("javascript; charset=utf-8"), "{ty}");
    assert_eq!(cache, short);
    let feed = built(root)
        .into_keys()
        .find(|p| p.extension().is_some_and(|e| e == "xml"))
        .expect("a feed or sitemap");
    let (ty, cache) = moto.headers("archive", &format!("site/zh/{}", feed.display()));
    assert!(ty.ends_with("xml; charset=utf-8"), "{ty}");
    assert_eq!(cache, short);
    // Assets go up before the pages and the search manifest that use them.
    let order: Vec<&str> = first.stdout.lines().collect();
    let pos = |suffix: &str| {
        order
            .iter()
            .position(|l| l.starts_with("uploaded: ") && l.ends_with(suffix))
            .unwrap_or_else(|| panic!("{suffix} in {}", first.stdout))
    };
    assert!(pos("style.css") < pos(" index.html"));
    assert!(pos(".png") < pos(".html"));
    assert!(pos("search/p/s0.js") < pos("search/index.js"));
    assert!(
        first.stdout.lines().last().unwrap().contains(" in "),
        "a timing line"
    );

    // Nothing changed: nothing uploaded.
    let again = deploy(root, &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(counts(&again), (0, n, 0), "{}", again.stdout);
    assert!(!again.stdout.contains("uploaded: "));

    // One post changed, one removed.
    let manifest_before = moto.get("archive", "site/zh/.qunshu-manifest.json");
    fs::remove_file(root.join(BILI)).unwrap();
    let case = walkdir::WalkDir::new(root.join("content/cases"))
        .into_iter()
        .filter_map(|e| e.ok())
        .find(|e| e.path().extension().is_some_and(|x| x == "md"))
        .unwrap()
        .into_path();
    let text = fs::read_to_string(&case).unwrap();
    fs::write(&case, format!("{text}\n\n补充一段：部署后新增的内容。\n")).unwrap();
    build(root);
    let now = built(root);
    let dry = deploy(root, &["--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains(&format!("would delete: {BILI_CARD}")),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("would replace: "), "{}", dry.stdout);
    assert_eq!(
        moto.get("archive", "site/zh/.qunshu-manifest.json"),
        manifest_before,
        "a dry run writes nothing"
    );
    assert!(moto
        .keys("archive")
        .contains(&format!("site/zh/{BILI_CARD}")));

    let third = deploy(root, &[]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    let (up, unchanged, deleted) = counts(&third);
    assert!(up >= 1 && up < n / 2, "only what changed: {}", third.stdout);
    assert_eq!(up + unchanged, now.len());
    assert!(deleted >= 1);
    // The changed post's page went up; the removed post's card was deleted
    // after the manifest recorded everything new.
    let lines: Vec<&str> = third.stdout.lines().collect();
    let manifest_at = lines
        .iter()
        .position(|l| l.starts_with("manifest written"))
        .expect("manifest line");
    let deleted_at = lines
        .iter()
        .position(|l| *l == format!("deleted: {BILI_CARD}"))
        .expect("card deleted");
    let last_upload = lines
        .iter()
        .rposition(|l| l.starts_with("uploaded: "))
        .unwrap();
    assert!(last_upload < manifest_at && manifest_at < deleted_at);
    assert_eq!(
        moto.contents("archive", "site/zh"),
        now,
        "the bucket is exactly the archive"
    );
    let last = deploy(root, &[]);
    assert_eq!(counts(&last), (0, now.len(), 0), "{}", last.stdout);
}

#[test]
fn an_interrupted_deploy_is_finished_by_the_next() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket("resume");
    let t = site_for(&moto, "resume", "");
    let root = t.path();
    build(root);
    let first = deploy(root, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);

    // A new community name changes every page and card; one post is removed.
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    let (head, rest) = toml.split_once("title = ").unwrap();
    let rest = rest.split_once('\n').unwrap().1;
    fs::write(
        root.join("site.toml"),
        format!("{head}title = \"改名后的社群\"\n{rest}"),
    )
    .unwrap();
    fs::remove_file(root.join(BILI)).unwrap();
    build(root);
    let now = built(root);

    // Killed as soon as the first file is up.
    let mut child = deploy_cmd(root)
        .args(["--jobs", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    assert!(line.starts_with("uploaded: "), "{line}");
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed mid-way");
    let half = moto.contents("resume", "");
    assert_ne!(half, now, "the deploy was interrupted");
    assert!(
        half.contains_key(Path::new(BILI_CARD)),
        "nothing is deleted before everything new is up"
    );

    let resumed = deploy(root, &[]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert!(
        resumed.stdout.contains(&format!("deleted: {BILI_CARD}")),
        "{}",
        resumed.stdout
    );
    assert_eq!(
        moto.contents("resume", ""),
        now,
        "consistent after the resumed deploy"
    );
    let last = deploy(root, &[]);
    assert_eq!(counts(&last), (0, now.len(), 0), "{}", last.stdout);
}

#[test]
fn bad_deploy_settings_name_file_line_and_field() {
    let cases = [
        ("bucket = \"My_Bucket\"\n", "deploy.bucket", "bucket name"),
        (
            "bucket = \"ok-bucket\"\nendpoint = \"oss-cn-hangzhou.aliyuncs.com\"\n",
            "deploy.endpoint",
            "https://",
        ),
        (
            "bucket = \"ok-bucket\"\nprefix = \"a/../b\"\n",
            "deploy.prefix",
            "..",
        ),
        (
            "bucket = \"ok-bucket\"\nregion = \"cn hangzhou\"\n",
            "deploy.region",
            "region",
        ),
        (
            "target = \"www\"\nbucket = \"ok-bucket\"\n",
            "deploy.bucket",
            "not both",
        ),
        (
            "target = \"www\"\nregion = \"auto\"\n",
            "deploy.region",
            "bucket",
        ),
        (
            "bucket = \"ok-bucket\"\nsecret_access_key = \"xyz\"\n",
            "secret_access_key",
            "",
        ),
        ("path_style = true\n", "deploy", "bucket"),
    ];
    for (table, field, words) in cases {
        let t = demo_copy();
        let toml = fs::read_to_string(t.path().join("site.toml")).unwrap();
        let line = toml.lines().count() + 3;
        fs::write(
            t.path().join("site.toml"),
            format!("{toml}\n[deploy]\n{table}"),
        )
        .unwrap();
        let o = output(qunshu_at(t.path()).arg("check"));
        assert_eq!(o.code, 1, "{table}: {}", o.stdout);
        let all = format!("{}{}", o.stdout, o.stderr);
        assert!(all.contains("site.toml"), "{table}: {all}");
        assert!(all.contains(field), "{table}: {field} in {all}");
        assert!(all.contains(words), "{table}: {words} in {all}");
        if field != "deploy" {
            let lines: Vec<String> = (line..line + table.lines().count())
                .map(|l| format!("site.toml:{l}"))
                .collect();
            assert!(
                lines.iter().any(|l| all.contains(l.as_str())),
                "{table}: one of {lines:?} in {all}"
            );
        }
    }
}

#[test]
fn credentials_come_from_the_environment_and_are_never_printed() {
    // No server needed to be refused for want of credentials.
    let t = demo_copy();
    let toml = fs::read_to_string(t.path().join("site.toml")).unwrap();
    fs::write(
        t.path().join("site.toml"),
        format!("{toml}\n[deploy]\nbucket = \"nowhere\"\nendpoint = \"http://127.0.0.1:9\"\npath_style = true\n"),
    )
    .unwrap();
    build(t.path());
    let mut c = qunshu_at(t.path());
    for v in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "QUNSHU_S3_ACCESS_KEY_ID",
        "QUNSHU_S3_SECRET_ACCESS_KEY",
    ] {
        c.env_remove(v);
    }
    let o = output(c.arg("deploy"));
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("QUNSHU_S3_ACCESS_KEY_ID") && o.stderr.contains("AWS_SECRET_ACCESS_KEY"),
        "{}",
        o.stderr
    );
    let mut c = qunshu_at(t.path());
    c.env_remove("QUNSHU_S3_ACCESS_KEY_ID")
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env_remove("AWS_SECRET_ACCESS_KEY");
    let o = output(c.arg("deploy"));
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("AWS_SECRET_ACCESS_KEY is not"),
        "{}",
        o.stderr
    );

    // Nothing listens on port 9: the error names the bucket, not the secret.
    let o = deploy(t.path(), &[]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stderr.contains("s3://nowhere/"), "{}", o.stderr);
    assert!(!o.stderr.contains(KEY_ID), "{}", o.stderr);

    // A real server, a bucket that does not exist.
    let Some(moto) = Moto::start() else { return };
    let toml = fs::read_to_string(t.path().join("site.toml")).unwrap();
    fs::write(
        t.path().join("site.toml"),
        toml.replace("http://127.0.0.1:9", &moto.url),
    )
    .unwrap();
    let o = deploy(t.path(), &[]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stderr.contains("nowhere"), "{}", o.stderr);
    assert!(!o.stderr.contains(KEY_ID), "{}", o.stderr);
}

/// A proxy in front of moto on 127.0.0.1 that answers `500 InternalError`
/// to every PUT whose key ends with `suffix` while `failing` is set, and
/// passes everything else through (one request per connection).
struct FailingProxy {
    url: String,
    failing: std::sync::Arc<std::sync::atomic::AtomicBool>,
    failed: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl FailingProxy {
    fn start(upstream: &str, suffix: &'static str) -> FailingProxy {
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let up = upstream.trim_start_matches("http://").to_string();
        let failing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let failed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (f, n) = (failing.clone(), failed.clone());
        // The listener lives as long as the test process; each connection
        // is served by a thread that ends with it.
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut client) = conn else { continue };
                let (f, n, up) = (f.clone(), n.clone(), up.clone());
                std::thread::spawn(move || {
                    let _ = client.set_read_timeout(Some(Duration::from_secs(30)));
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 65536];
                    let head_end = loop {
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        match client.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(k) => buf.extend_from_slice(&chunk[..k]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    while buf.len() < head_end + len {
                        match client.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(k) => buf.extend_from_slice(&chunk[..k]),
                        }
                    }
                    let first = head.lines().next().unwrap_or_default().to_string();
                    let path = first.split(' ').nth(1).unwrap_or_default();
                    let path = path.split('?').next().unwrap_or_default();
                    if f.load(Ordering::SeqCst)
                        && first.starts_with("PUT ")
                        && path.ends_with(suffix)
                    {
                        n.fetch_add(1, Ordering::SeqCst);
                        let body = "<Error><Code>InternalError</Code><Message>failing on purpose</Message></Error>";
                        let _ = write!(
                            client,
                            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        return;
                    }
                    // Pass through, one request per connection.
                    let head = head.replacen("\r\n", "\r\nConnection: close\r\n", 1);
                    let Ok(mut server) = TcpStream::connect(&up) else {
                        return;
                    };
                    let _ = server.write_all(head.as_bytes());
                    let _ = server.write_all(&buf[head_end..]);
                    let mut answer = Vec::new();
                    let _ = server.read_to_end(&mut answer);
                    let _ = client.write_all(&answer);
                });
            }
        });
        FailingProxy {
            url,
            failing,
            failed,
        }
    }
}

#[test]
fn a_server_failing_requests_leaves_a_deploy_the_next_run_finishes() {
    use std::sync::atomic::Ordering;
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket("flaky");
    // Every page upload fails (after the client's retries); assets pass.
    let proxy = FailingProxy::start(&moto.url, ".html");
    let t = demo_copy();
    let toml = fs::read_to_string(t.path().join("site.toml")).unwrap();
    fs::write(
        t.path().join("site.toml"),
        format!(
            "{toml}\n[deploy]\nbucket = \"flaky\"\nendpoint = \"{}\"\npath_style = true\n",
            proxy.url
        ),
    )
    .unwrap();
    let root = t.path();
    build(root);
    let all = built(root);
    let pages = all
        .keys()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .count();

    let broken = deploy(root, &[]);
    assert_eq!(broken.code, 1, "{}", broken.stdout);
    assert!(proxy.failed.load(Ordering::SeqCst) > 0);
    assert!(broken.stderr.contains(".html"), "{}", broken.stderr);
    let half = moto.contents("flaky", "");
    assert!(half
        .keys()
        .all(|p| p.extension().is_none_or(|e| e != "html")));
    assert!(
        half.contains_key(Path::new("style.css")),
        "assets went up first"
    );
    assert!(
        moto.keys("flaky")
            .contains(&".qunshu-manifest.json".to_string()),
        "the manifest records what is up"
    );

    proxy.failing.store(false, Ordering::SeqCst);
    let resumed = deploy(root, &[]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let (up, unchanged, _) = counts(&resumed);
    assert_eq!(
        (up, unchanged),
        (all.len() - half.len(), half.len()),
        "only what the failed run left: {}",
        resumed.stdout
    );
    assert!(up >= pages && up < all.len());
    assert_eq!(moto.contents("flaky", ""), all);
}

#[test]
fn the_schema_describes_the_bucket_settings() {
    let t = demo_copy();
    let out = t.path().join("schema");
    let o = output(qunshu_at(t.path()).arg("schema").arg("--out").arg(&out));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("site.schema.json")).unwrap()).unwrap();
    let props = &s["$defs"]["RawDeploy"]["properties"];
    for k in [
        "target",
        "bucket",
        "endpoint",
        "region",
        "prefix",
        "path_style",
    ] {
        assert!(props.get(k).is_some(), "{k} in {props}");
    }
    assert!(props.get("secret_access_key").is_none());
    assert_eq!(s["$defs"]["RawDeploy"]["additionalProperties"], false);
}

#[test]
fn an_ip_endpoint_without_path_style_is_an_error_not_a_panic() {
    // No host name can carry the bucket in front of an IP address, so the
    // bucket goes in the path; a server that is not there is a plain error.
    let t = demo_copy();
    let toml = fs::read_to_string(t.path().join("site.toml")).unwrap();
    fs::write(
        t.path().join("site.toml"),
        format!("{toml}\n[deploy]\nbucket = \"nowhere\"\nendpoint = \"http://127.0.0.1:9\"\n"),
    )
    .unwrap();
    build(t.path());
    let mut c = qunshu_at(t.path());
    c.env("QUNSHU_S3_ACCESS_KEY_ID", KEY_ID)
        .env("QUNSHU_S3_SECRET_ACCESS_KEY", "never-printed-secret");
    let o = output(c.arg("deploy"));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    assert!(o.stderr.contains("127.0.0.1:9"), "{}", o.stderr);
    assert!(!o.stderr.contains("never-printed-secret"), "{}", o.stderr);
}
