//! `[deploy]`: where `qunshu deploy` publishes the built archive — a folder
//! (`target`) or a bucket of S3-compatible object storage (`bucket`,
//! `endpoint`, `region`, `prefix`, `path_style`). Credentials are never
//! part of the configuration: they come from environment variables only.

use crate::core::config::CONFIG_FILE;
use crate::core::diag::{line_of_offset, Diagnostic, Diagnostics};
use serde::Deserialize;
use std::path::PathBuf;
use toml::Spanned;

/// The `[deploy]` table as written in `site.toml`: either `target` (a
/// folder) or `bucket` (S3-compatible object storage), not both.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDeploy {
    /// The folder the archive is published to (a web server's document
    /// root, a mounted share, a GitHub Pages checkout), relative to the site
    /// folder unless absolute.
    #[schemars(with = "Option<String>")]
    target: Option<Spanned<String>>,
    /// The bucket of S3-compatible object storage (Aliyun OSS, Tencent COS,
    /// Qiniu Kodo, Cloudflare R2, AWS S3, MinIO) the archive is published
    /// to. Credentials come from the environment variables
    /// `QUNSHU_S3_ACCESS_KEY_ID` and `QUNSHU_S3_SECRET_ACCESS_KEY` (or
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`), never from here.
    #[schemars(with = "Option<String>")]
    bucket: Option<Spanned<String>>,
    /// The storage service's S3 endpoint, without the bucket
    /// (`https://oss-cn-hangzhou.aliyuncs.com`,
    /// `https://cos.ap-guangzhou.myqcloud.com`,
    /// `https://ACCOUNT.r2.cloudflarestorage.com`); leave out for AWS S3.
    #[schemars(with = "Option<String>")]
    endpoint: Option<Spanned<String>>,
    /// The region the requests are signed for (`oss-cn-hangzhou`,
    /// `ap-guangzhou`, `auto` for R2, `eu-west-1`); default `us-east-1`.
    #[schemars(with = "Option<String>")]
    region: Option<Spanned<String>>,
    /// A folder inside the bucket the archive goes into (`archive`);
    /// default: the bucket's root.
    #[schemars(with = "Option<String>")]
    prefix: Option<Spanned<String>>,
    /// Address the bucket in the path (`https://endpoint/bucket/key`, as
    /// MinIO and most self-hosted servers want) rather than in the host
    /// name (`https://bucket.endpoint/key`, the default, which Aliyun OSS
    /// and Tencent COS require).
    path_style: Option<bool>,
}

/// Where the archive is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployTarget {
    /// A folder, as written (relative to the site root unless absolute).
    Folder(PathBuf),
    /// A bucket of S3-compatible object storage.
    S3(S3Target),
}

/// A bucket of S3-compatible object storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Target {
    /// The bucket's name.
    pub bucket: String,
    /// The service's endpoint (`https://host[:port]`, no bucket, no
    /// trailing slash); `None` for AWS S3 (from the region).
    pub endpoint: Option<String>,
    /// The signing region.
    pub region: String,
    /// The folder inside the bucket (no leading or trailing `/`; empty for
    /// the root).
    pub prefix: String,
    /// Path-style addressing instead of virtual-hosted.
    pub path_style: bool,
}

/// The validated `[deploy]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deploy {
    /// Where to publish.
    pub target: DeployTarget,
    /// Line of `target` or `bucket` in `site.toml`.
    pub line: usize,
}

/// S3's rules for a bucket name (which the other services share): 3–63
/// lower-case letters, digits, `-` and `.`, starting and ending with a
/// letter or digit.
fn bucket_ok(b: &str) -> bool {
    (3..=63).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
        && b.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.bytes().last().is_some_and(|c| c.is_ascii_alphanumeric())
        && !b.contains("..")
}

/// `http(s)://host[:port]` with an optional trailing `/` and nothing else.
fn endpoint_ok(e: &str) -> Option<String> {
    let rest = e
        .strip_prefix("https://")
        .or_else(|| e.strip_prefix("http://"))?;
    let host = rest.strip_suffix('/').unwrap_or(rest);
    let ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    ok.then(|| e.trim_end_matches('/').to_string())
}

/// Checks `[deploy]`; problems go to `diags` with their line and field.
pub fn validate(raw: Option<&RawDeploy>, text: &str, diags: &mut Diagnostics) -> Option<Deploy> {
    let raw = raw?;
    let line = |s: &Spanned<String>| line_of_offset(text, s.span().start);
    let mut ok = true;
    let mut err = |s: &Spanned<String>, field: &str, msg: String| {
        diags.push(
            Diagnostic::error(CONFIG_FILE, msg)
                .at_opt_line(Some(line(s)))
                .field(format!("deploy.{field}")),
        );
        ok = false;
    };
    match (&raw.target, &raw.bucket) {
        (Some(t), None) => {
            let v = t.get_ref().trim();
            if v.is_empty() || v.contains("://") {
                err(
                    t,
                    "target",
                    format!("`{v}` is not a folder; `target` is the folder the archive is published to (`/var/www/archive`, `../site-pages`); for object storage write `bucket` (and `endpoint`, `region`) instead"),
                );
            }
            let s3_only = [
                ("endpoint", &raw.endpoint),
                ("region", &raw.region),
                ("prefix", &raw.prefix),
            ];
            for (field, v) in s3_only {
                if let Some(v) = v {
                    err(
                        v,
                        field,
                        format!("`{field}` belongs to a bucket (`bucket = \"…\"`), not to a folder `target`; remove one of the two"),
                    );
                }
            }
            ok.then(|| Deploy {
                target: DeployTarget::Folder(PathBuf::from(v)),
                line: line(t),
            })
        }
        (Some(t), Some(b)) => {
            err(
                b,
                "bucket",
                format!(
                    "[deploy] has both `target` (line {}) and `bucket`; publish to a folder or to a bucket, not both",
                    line(t)
                ),
            );
            None
        }
        (None, None) => {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    "[deploy] needs `target = \"/var/www/archive\"` (a folder) or `bucket = \"my-archive\"` (S3-compatible object storage)",
                )
                .field("deploy"),
            );
            None
        }
        (None, Some(b)) => {
            let bucket = b.get_ref().trim().to_string();
            if !bucket_ok(&bucket) {
                err(
                    b,
                    "bucket",
                    format!("`{bucket}` is not a bucket name: expected 3–63 lower-case letters, digits, `-` or `.` (`my-archive`, `archive-1250000000`)"),
                );
            }
            let endpoint = raw.endpoint.as_ref().and_then(|e| {
                let v = e.get_ref().trim();
                let got = endpoint_ok(v);
                if got.is_none() {
                    err(
                        e,
                        "endpoint",
                        format!("`{v}` is not an endpoint: expected `https://host` with no path, without the bucket (`https://oss-cn-hangzhou.aliyuncs.com`, `https://ACCOUNT.r2.cloudflarestorage.com`)"),
                    );
                }
                got
            });
            let region = match &raw.region {
                None => "us-east-1".to_string(),
                Some(r) => {
                    let v = r.get_ref().trim();
                    if v.is_empty()
                        || !v
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    {
                        err(
                            r,
                            "region",
                            format!("`{v}` is not a region: expected letters, digits and `-` (`oss-cn-hangzhou`, `ap-guangzhou`, `auto`, `eu-west-1`)"),
                        );
                    }
                    v.to_string()
                }
            };
            let prefix = match &raw.prefix {
                None => String::new(),
                Some(p) => {
                    let v = p.get_ref().trim().trim_matches('/');
                    if v.split('/').any(|s| {
                        s == "."
                            || s == ".."
                            || s.chars().any(|c| c.is_control() || c == '\\')
                            || (s.is_empty() && !v.is_empty())
                    }) {
                        err(
                            p,
                            "prefix",
                            format!("`{v}` is not a folder inside the bucket: expected names separated by `/` with no `.`, `..` or empty part (`archive`, `sites/community`)"),
                        );
                    }
                    v.to_string()
                }
            };
            ok.then(|| Deploy {
                target: DeployTarget::S3(S3Target {
                    bucket,
                    endpoint,
                    region,
                    prefix,
                    path_style: raw.path_style.unwrap_or(false),
                }),
                line: line(b),
            })
        }
    }
}
