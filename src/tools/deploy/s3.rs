//! `qunshu deploy` to a bucket of S3-compatible object storage (Aliyun OSS,
//! Tencent COS, Qiniu Kodo, Cloudflare R2, AWS S3, MinIO), through Apache
//! Arrow's `object_store` on a single-threaded tokio runtime made here and
//! nowhere else.
//!
//! The bucket keeps a manifest, `PREFIX/.qunshu-manifest.json`: for each
//! file deployed, the SHA-256 of its bytes together with the Content-Type
//! and Cache-Control it was uploaded with (so a change of either uploads it
//! again). A deploy:
//!
//! 1. hashes the built archive (in parallel) and reads the manifest;
//! 2. uploads new and changed files, a bounded number at once, assets
//!    first and then the pages and the search manifest that point at them,
//!    each with its Content-Type (`; charset=utf-8` for text) and
//!    Cache-Control ([`cache_control`]); every ten seconds, and when an
//!    upload fails, the manifest records what is up so far;
//! 3. writes the manifest (what is up now, plus what is still to delete);
//! 4. deletes the files that are gone (batched);
//! 5. writes the final manifest.
//!
//! A reader never meets a page whose stylesheet, card or search shard is
//! missing, and an interrupted deploy (killed, or a server failing requests)
//! is finished by the next run: what the manifest records is in the bucket
//! (a PUT replaces an object whole), and what it does not is uploaded again.
//!
//! Credentials come from the environment only ([`Credentials::from_env`])
//! and are scrubbed from every error.

use super::Changes;
use anyhow::Context as _;
use futures_util::stream::{self, StreamExt as _};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt as _,
    PutOptions, PutPayload, RetryConfig,
};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

pub use crate::core::config::deploy::S3Target;

/// The manifest's name inside the prefix.
pub const MANIFEST: &str = ".qunshu-manifest.json";

/// How many uploads run at once unless told.
pub const DEFAULT_JOBS: usize = 16;

/// How often the manifest records an unfinished upload's progress.
const CHECKPOINT: Duration = Duration::from_secs(10);

/// The access key, read from the environment; never printed (its `Debug`
/// shows `***`).
#[derive(Clone)]
pub struct Credentials {
    key_id: String,
    secret: String,
    token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(***)")
    }
}

impl Credentials {
    /// Reads `QUNSHU_S3_ACCESS_KEY_ID`, `QUNSHU_S3_SECRET_ACCESS_KEY` and
    /// `QUNSHU_S3_SESSION_TOKEN` when the first is set, else the `AWS_`
    /// variables of the same names. A missing variable is an error naming
    /// it (never a value).
    pub fn from_env() -> anyhow::Result<Credentials> {
        let get = |n: &str| {
            std::env::var(n)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let family = if get("QUNSHU_S3_ACCESS_KEY_ID").is_some() {
            "QUNSHU_S3"
        } else {
            "AWS"
        };
        let (id, secret) = (
            format!("{family}_ACCESS_KEY_ID"),
            format!("{family}_SECRET_ACCESS_KEY"),
        );
        match (get(&id), get(&secret)) {
            (Some(key_id), Some(secret)) => Ok(Credentials {
                key_id,
                secret,
                token: get(&format!("{family}_SESSION_TOKEN")),
            }),
            (None, None) => anyhow::bail!(
                "no credentials for the bucket: set the environment variables QUNSHU_S3_ACCESS_KEY_ID and QUNSHU_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); qunshu reads them from the environment only"
            ),
            (Some(_), None) => {
                anyhow::bail!("{id} is set but {secret} is not; set both (from the environment only)")
            }
            (None, Some(_)) => {
                anyhow::bail!("{secret} is set but {id} is not; set both (from the environment only)")
            }
        }
    }

    /// `text` with every credential value replaced by `***`.
    fn redact(&self, text: &str) -> String {
        let mut t = text.to_string();
        for v in [Some(&self.secret), self.token.as_ref(), Some(&self.key_id)]
            .into_iter()
            .flatten()
        {
            if v.len() >= 4 {
                t = t.replace(v.as_str(), "***");
            }
        }
        t
    }
}

/// Where the deploy stands, for progress output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// A file is up (`done` of `total`).
    Uploaded {
        /// Its path in the archive.
        rel: &'a str,
        /// Uploads finished so far, this one included.
        done: usize,
        /// Uploads this deploy makes.
        total: usize,
    },
    /// The manifest is written (everything new is up).
    Manifest,
    /// A file that is gone from the archive was deleted.
    Deleted(&'a str),
}

/// What an S3 deploy did (or would do), and how long its parts took.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Uploaded (or to upload), deleted, unchanged.
    pub changes: Changes,
    /// Of `changes.upload`, those that replace an older version in the
    /// bucket (the others are new).
    pub replaced: std::collections::BTreeSet<String>,
    /// Seconds spent hashing the built archive.
    pub hash_secs: f64,
    /// Seconds spent reading the manifest and comparing.
    pub plan_secs: f64,
    /// Seconds spent uploading (manifest included).
    pub upload_secs: f64,
    /// Seconds spent deleting.
    pub delete_secs: f64,
}

/// `s3://bucket/prefix/`, for messages.
pub fn describe(t: &S3Target) -> String {
    if t.prefix.is_empty() {
        format!("s3://{}/", t.bucket)
    } else {
        format!("s3://{}/{}/", t.bucket, t.prefix)
    }
}

/// Text types are served as UTF-8.
fn is_text(m: &mime_guess::Mime) -> bool {
    m.type_() == mime_guess::mime::TEXT
        || matches!(
            m.subtype().as_str(),
            "javascript" | "json" | "xml" | "ecmascript"
        )
        || matches!(m.suffix().map(|s| s.as_str()), Some("xml") | Some("json"))
}

/// The Content-Type a file is served with: from its extension, with
/// `; charset=utf-8` for text (HTML, CSS, JavaScript, JSON, XML, SVG, feeds).
pub fn content_type(rel: &str) -> String {
    let m = mime_guess::from_path(rel).first_or_octet_stream();
    if is_text(&m) {
        format!("{}; charset=utf-8", m.essence_str())
    } else {
        m.essence_str().to_string()
    }
}

/// A name with a content hash in it (`app.3f2a9c1b.css`, `font-9e1c44ab0d.woff2`):
/// a last `.`- or `-`-separated part of the stem of 8+ hexadecimal digits
/// with both letters and digits (a date such as `20261203` is not one).
fn fingerprinted(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let part = stem.rsplit(['.', '-']).next().unwrap_or(stem);
    part.len() >= 8
        && part != stem
        && part.bytes().all(|c| c.is_ascii_hexdigit())
        && part.bytes().any(|c| c.is_ascii_digit())
        && part.bytes().any(|c| c.is_ascii_alphabetic())
}

/// The Cache-Control a file is served with:
///
/// - pages, feeds and anything that names other files under a fixed name
///   (HTML, XML, JSON, text, and all of `search/`, whose manifest and
///   shards change together under the same names): 5 minutes;
/// - fingerprinted assets (a content hash in the name): a year, immutable;
/// - stylesheets and scripts (fixed names, changed by a new theme): an hour;
/// - images, share cards and fonts: a day.
pub fn cache_control(rel: &str) -> &'static str {
    let ext = rel
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let short = "public, max-age=300";
    if rel.starts_with("search/")
        || matches!(
            ext.as_str(),
            "html" | "htm" | "xml" | "json" | "txt" | "webmanifest" | "ics" | ""
        )
    {
        short
    } else if fingerprinted(rel) {
        "public, max-age=31536000, immutable"
    } else if matches!(ext.as_str(), "css" | "js" | "mjs") {
        "public, max-age=3600"
    } else {
        "public, max-age=86400"
    }
}

/// Uploaded after the files they point at: pages, feeds and the search
/// manifest.
fn goes_last(rel: &str) -> bool {
    super::is_page(rel) || rel == "search/index.js"
}

/// The manifest as stored in the bucket.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Manifest {
    /// Format version.
    qunshu_deploy: u32,
    /// Path in the archive → hash of bytes and headers.
    files: BTreeMap<String, String>,
}

/// The fingerprint the manifest keeps: SHA-256 over the content's hash and
/// the headers the file is uploaded with.
fn fingerprint(rel: &str, content_hash: &str) -> String {
    let mut h = Sha256::new();
    for part in [content_hash, &content_type(rel), cache_control(rel)] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    format!("{:x}", h.finalize())
}

/// The object key of `rel` under `prefix`.
fn key(prefix: &str, rel: &str) -> anyhow::Result<Key> {
    let full = if prefix.is_empty() {
        rel.to_string()
    } else {
        format!("{prefix}/{rel}")
    };
    Key::parse(&full).with_context(|| format!("`{full}` cannot be an object key"))
}

/// The endpoint the client talks to, and whether the bucket is in its host
/// name (virtual-hosted) rather than in the path. Virtual-hosted (the
/// default) puts the bucket in front of the configured endpoint's host,
/// unless it is there already; without an endpoint (AWS S3) the client
/// derives it from the region. An endpoint that is an IP address or
/// `localhost` has no sub-domains to hold the bucket, so it is always
/// path-style.
fn addressing(t: &S3Target) -> (Option<String>, bool) {
    let Some(e) = &t.endpoint else {
        return (None, !t.path_style);
    };
    let (scheme, host) = e.split_once("://").unwrap_or(("https", e));
    if t.path_style || !takes_subdomains(host) {
        return (Some(e.clone()), false);
    }
    let host = if host.starts_with(&format!("{}.", t.bucket)) {
        host.to_string()
    } else {
        format!("{}.{host}", t.bucket)
    };
    (Some(format!("{scheme}://{host}")), true)
}

/// Whether `host` (with an optional `:port`) is a DNS name that a bucket
/// can be put in front of: not an IPv4 or `[IPv6]` address, not `localhost`.
fn takes_subdomains(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(n, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) && !n.ends_with(':') {
            n
        } else {
            host
        }
    });
    !(name.starts_with('[')
        || name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::Ipv4Addr>().is_ok())
}

/// The client for `t`.
fn store(t: &S3Target, creds: &Credentials, jobs: usize) -> anyhow::Result<AmazonS3> {
    // reqwest's rustls is built without a default crypto provider: ring,
    // which the rest of qunshu already uses.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut b = AmazonS3Builder::new()
        .with_bucket_name(&t.bucket)
        .with_region(&t.region)
        .with_access_key_id(&creds.key_id)
        .with_secret_access_key(&creds.secret)
        .with_retry(RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(200),
                max_backoff: Duration::from_secs(5),
                base: 2.0,
            },
            max_retries: 4,
            retry_timeout: Duration::from_secs(60),
        })
        .with_client_options(
            ClientOptions::new()
                .with_allow_http(
                    t.endpoint
                        .as_deref()
                        .is_some_and(|e| e.starts_with("http://")),
                )
                .with_connect_timeout(Duration::from_secs(10))
                .with_timeout(Duration::from_secs(120))
                .with_pool_max_idle_per_host(jobs),
        );
    if let Some(token) = &creds.token {
        b = b.with_token(token);
    }
    let (endpoint, virtual_hosted) = addressing(t);
    if let Some(e) = endpoint {
        b = b.with_endpoint(e);
    }
    b = b.with_virtual_hosted_style_request(virtual_hosted);
    b.build().context("cannot set up the S3 client")
}

/// Reads the manifest at `at`; a missing one is empty.
async fn read_manifest(store: &AmazonS3, at: &Key) -> anyhow::Result<Option<Manifest>> {
    match store.get(at).await {
        Ok(r) => {
            let bytes = r.bytes().await?;
            let m: Manifest = serde_json::from_slice(&bytes).with_context(|| {
                format!("{at} in the bucket is not a deploy manifest qunshu can read; delete it to upload everything again")
            })?;
            Ok(Some(m))
        }
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn write_manifest(
    store: &AmazonS3,
    at: &Key,
    files: &BTreeMap<String, String>,
) -> anyhow::Result<()> {
    let m = Manifest {
        qunshu_deploy: 1,
        files: files.clone(),
    };
    let mut attrs = Attributes::new();
    attrs.insert(
        Attribute::ContentType,
        "application/json; charset=utf-8".into(),
    );
    attrs.insert(Attribute::CacheControl, "no-store".into());
    store
        .put_opts(
            at,
            PutPayload::from(serde_json::to_vec(&m)?),
            PutOptions::from(attrs),
        )
        .await
        .with_context(|| format!("cannot write the manifest {at}"))?;
    Ok(())
}

/// Uploads `files` (`jobs` at once), recording each in `up`; writes a
/// checkpoint of `old` ∪ `up` to the manifest every [`CHECKPOINT`].
#[allow(clippy::too_many_arguments)]
async fn upload(
    store: &AmazonS3,
    t: &S3Target,
    built: &Path,
    files: &[(String, String)],
    jobs: usize,
    old: &BTreeMap<String, String>,
    up: &mut BTreeMap<String, String>,
    manifest: &Key,
    progress: &mut dyn FnMut(Progress<'_>),
    (done, total): (&mut usize, usize),
) -> anyhow::Result<()> {
    let mut last = Instant::now();
    let mut results = stream::iter(files.iter())
        .map(|(rel, fp)| async move {
            let k = key(&t.prefix, rel)?;
            let bytes = std::fs::read(built.join(rel))
                .with_context(|| format!("cannot read {}", built.join(rel).display()))?;
            let mut attrs = Attributes::new();
            attrs.insert(Attribute::ContentType, content_type(rel).into());
            attrs.insert(Attribute::CacheControl, cache_control(rel).into());
            store
                .put_opts(&k, PutPayload::from(bytes), PutOptions::from(attrs))
                .await
                .with_context(|| format!("cannot upload {rel}"))?;
            anyhow::Ok((rel, fp))
        })
        .buffer_unordered(jobs.max(1));
    while let Some(r) = results.next().await {
        match r {
            Ok((rel, fp)) => {
                up.insert(rel.clone(), fp.clone());
                *done += 1;
                progress(Progress::Uploaded {
                    rel,
                    done: *done,
                    total,
                });
                if last.elapsed() >= CHECKPOINT {
                    let mut both = old.clone();
                    both.extend(up.iter().map(|(k, v)| (k.clone(), v.clone())));
                    write_manifest(store, manifest, &both).await?;
                    last = Instant::now();
                }
            }
            Err(e) => {
                drop(results);
                // Keep what is up, so the next run does not upload it again.
                let mut both = old.clone();
                both.extend(up.iter().map(|(k, v)| (k.clone(), v.clone())));
                let _ = write_manifest(store, manifest, &both).await;
                return Err(e);
            }
        }
    }
    Ok(())
}

/// Deploys the built archive `built` to the bucket `t` (or, when `dry_run`,
/// only reads the manifest and says what it would do), `jobs` uploads at
/// once, reporting each step to `progress`.
pub fn deploy(
    built: &Path,
    t: &S3Target,
    creds: &Credentials,
    dry_run: bool,
    jobs: usize,
    progress: &mut dyn FnMut(Progress<'_>),
) -> anyhow::Result<Report> {
    super::check_built(built)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the uploader")?;
    rt.block_on(run(built, t, creds, dry_run, jobs, progress))
        .map_err(|e| anyhow::anyhow!(creds.redact(&format!("{e:#}"))))
}

async fn run(
    built: &Path,
    t: &S3Target,
    creds: &Credentials,
    dry_run: bool,
    jobs: usize,
    progress: &mut dyn FnMut(Progress<'_>),
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let started = Instant::now();
    let hashes = super::hash_tree(built)?;
    let new: BTreeMap<String, String> = hashes
        .par_iter()
        .map(|(rel, h)| (rel.clone(), fingerprint(rel, h)))
        .collect();
    report.hash_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let store = store(t, creds, jobs)?;
    let manifest = key(&t.prefix, MANIFEST)?;
    let where_ = describe(t);
    let old = match read_manifest(&store, &manifest)
        .await
        .with_context(|| format!("cannot read the deploy manifest of {where_}"))?
    {
        Some(m) => m.files,
        None => {
            // First deploy (or the manifest was deleted): make sure the
            // bucket is there before promising to upload into it.
            let prefix = (!t.prefix.is_empty())
                .then(|| Key::parse(&t.prefix))
                .transpose()?;
            store
                .list_with_delimiter(prefix.as_ref())
                .await
                .with_context(|| {
                    format!("cannot list {where_}; does the bucket exist at this endpoint and region, and may this access key use it?")
                })?;
            BTreeMap::new()
        }
    };
    let mut todo: Vec<(String, String)> = new
        .iter()
        .filter(|(rel, fp)| old.get(*rel) != Some(*fp))
        .map(|(r, f)| (r.clone(), f.clone()))
        .collect();
    todo.sort_by(|a, b| (goes_last(&a.0), &a.0).cmp(&(goes_last(&b.0), &b.0)));
    report.replaced = todo
        .iter()
        .filter(|(r, _)| old.contains_key(r))
        .map(|(r, _)| r.clone())
        .collect();
    report.changes = Changes {
        upload: todo.iter().map(|(r, _)| r.clone()).collect(),
        unchanged: new.len() - todo.len(),
        delete: old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .cloned()
            .collect(),
    };
    report.plan_secs = started.elapsed().as_secs_f64();
    if dry_run {
        return Ok(report);
    }

    let started = Instant::now();
    let split = todo.partition_point(|(r, _)| !goes_last(r));
    let mut up = BTreeMap::new();
    let mut done = 0;
    let total = todo.len();
    for group in [&todo[..split], &todo[split..]] {
        upload(
            &store,
            t,
            built,
            group,
            jobs,
            &old,
            &mut up,
            &manifest,
            progress,
            (&mut done, total),
        )
        .await?;
    }
    // Everything new is up: record it with what is still to delete.
    if !todo.is_empty() || !report.changes.delete.is_empty() {
        let mut both = old.clone();
        both.extend(new.iter().map(|(k, v)| (k.clone(), v.clone())));
        write_manifest(&store, &manifest, &both).await?;
        progress(Progress::Manifest);
    }
    report.upload_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    if !report.changes.delete.is_empty() {
        let keys: Vec<object_store::Result<Key>> = report
            .changes
            .delete
            .iter()
            .map(|rel| {
                key(&t.prefix, rel).map_err(|e| object_store::Error::Generic {
                    store: "S3",
                    source: e.into(),
                })
            })
            .collect();
        let mut gone = store.delete_stream(stream::iter(keys).boxed());
        while let Some(r) = gone.next().await {
            match r {
                Ok(k) => {
                    let rel = k
                        .as_ref()
                        .strip_prefix(&t.prefix)
                        .map(|r| r.trim_start_matches('/'))
                        .unwrap_or(k.as_ref());
                    progress(Progress::Deleted(rel));
                }
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e).context("cannot delete a file that is gone"),
            }
        }
        write_manifest(&store, &manifest, &new).await?;
    }
    report.delete_secs = started.elapsed().as_secs_f64();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_utf8_and_binary_is_not() {
        assert_eq!(content_type("a/b.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert!(content_type("search/s/0.js").ends_with("javascript; charset=utf-8"));
        assert_eq!(content_type("feed.xml"), "text/xml; charset=utf-8");
        assert_eq!(content_type("x.json"), "application/json; charset=utf-8");
        assert_eq!(content_type("i.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("cards/a.png"), "image/png");
        assert_eq!(content_type("f.woff2"), "font/woff2");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn cache_lives_by_kind() {
        assert_eq!(cache_control("qa/问题.html"), "public, max-age=300");
        assert_eq!(cache_control("feed.xml"), "public, max-age=300");
        assert_eq!(cache_control("search/index.js"), "public, max-age=300");
        assert_eq!(cache_control("search/d/12.js"), "public, max-age=300");
        assert_eq!(cache_control("style.css"), "public, max-age=3600");
        assert_eq!(cache_control("cards/qa/x.png"), "public, max-age=86400");
        assert_eq!(
            cache_control("assets/app.3f2a9c1b.css"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_control("fonts/noto-9e1c44ab0d.woff2"),
            "public, max-age=31536000, immutable"
        );
        // A date is not a content hash; a page is never immutable.
        assert_eq!(
            cache_control("images/photo-20261203.png"),
            "public, max-age=86400"
        );
        assert_eq!(cache_control("deadbeef12.html"), "public, max-age=300");
        assert_eq!(cache_control("deadbeef12.png"), "public, max-age=86400");
    }

    #[test]
    fn the_bucket_goes_in_the_host_unless_path_style() {
        let t = |endpoint: Option<&str>, path_style| S3Target {
            bucket: "my-archive".into(),
            endpoint: endpoint.map(String::from),
            region: "oss-cn-hangzhou".into(),
            prefix: String::new(),
            path_style,
        };
        let oss = "https://oss-cn-hangzhou.aliyuncs.com";
        assert_eq!(
            addressing(&t(Some(oss), false)),
            (
                Some("https://my-archive.oss-cn-hangzhou.aliyuncs.com".into()),
                true
            )
        );
        assert_eq!(
            addressing(&t(
                Some("https://my-archive.oss-cn-hangzhou.aliyuncs.com"),
                false
            ))
            .0,
            Some("https://my-archive.oss-cn-hangzhou.aliyuncs.com".into())
        );
        assert_eq!(
            addressing(&t(Some("http://127.0.0.1:9000"), true)),
            (Some("http://127.0.0.1:9000".into()), false)
        );
        assert_eq!(addressing(&t(None, false)), (None, true));
        for e in [
            "http://127.0.0.1:9000",
            "http://localhost:9000",
            "http://[::1]:9000",
            "http://10.0.0.2",
        ] {
            assert_eq!(addressing(&t(Some(e), false)), (Some(e.into()), false));
        }
    }

    #[test]
    fn fingerprint_covers_headers() {
        let h = "00";
        assert_ne!(fingerprint("a.html", h), fingerprint("a.css", h));
        assert_eq!(fingerprint("a.html", h), fingerprint("b/a.html", h));
    }

    #[test]
    fn redaction_hides_every_value() {
        let c = Credentials {
            key_id: "AKIDEXAMPLE".into(),
            secret: "s3cr3t/KEY+xyz".into(),
            token: None,
        };
        let r = c.redact("id AKIDEXAMPLE secret s3cr3t/KEY+xyz");
        assert!(!r.contains("AKIDEXAMPLE") && !r.contains("s3cr3t"), "{r}");
        assert_eq!(format!("{c:?}"), "Credentials(***)");
    }
}
