//! The `[[channels]]` section of `site.toml`: where posts go.
//!
//! A channel names a platform (`kind`), the columns it carries and the
//! *names* of the environment variables that hold its secrets (the webhook
//! URL, the signing secret, a bot token). The secrets themselves never
//! appear in `site.toml`, in output, in logs or in the ledger.

use crate::core::config::{Column, CONFIG_FILE};
use crate::core::diag::{line_of_offset, Diagnostic, Diagnostics};
use crate::core::time;
use chrono::Duration;
use serde::Deserialize;
use std::fmt;
use std::path::PathBuf;
use toml::Spanned;

/// The platforms qunshu delivers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// 企业微信 (WeCom) group robot webhook.
    Wecom,
    /// Feishu / Lark custom bot.
    Feishu,
    /// DingTalk custom robot.
    Dingtalk,
    /// Telegram Bot API `sendMessage`.
    Telegram,
    /// Slack incoming webhook.
    Slack,
    /// Discord webhook.
    Discord,
    /// A generic JSON POST of the post's fields.
    Webhook,
    /// Plain-text files in `outbox/` for a person to paste into WeChat.
    Outbox,
}

impl ChannelKind {
    /// All kinds, in documentation order.
    pub const ALL: [ChannelKind; 8] = [
        ChannelKind::Wecom,
        ChannelKind::Feishu,
        ChannelKind::Dingtalk,
        ChannelKind::Telegram,
        ChannelKind::Slack,
        ChannelKind::Discord,
        ChannelKind::Webhook,
        ChannelKind::Outbox,
    ];

    /// The name used in `site.toml`.
    pub fn name(self) -> &'static str {
        match self {
            ChannelKind::Wecom => "wecom",
            ChannelKind::Feishu => "feishu",
            ChannelKind::Dingtalk => "dingtalk",
            ChannelKind::Telegram => "telegram",
            ChannelKind::Slack => "slack",
            ChannelKind::Discord => "discord",
            ChannelKind::Webhook => "webhook",
            ChannelKind::Outbox => "outbox",
        }
    }

    /// Parses a kind name.
    pub fn parse(s: &str) -> Option<ChannelKind> {
        ChannelKind::ALL.into_iter().find(|k| k.name() == s.trim())
    }

    /// The spacing between two messages that keeps under the platform's
    /// rate limit: WeCom and DingTalk allow 20 a minute, Feishu 5 a second
    /// (100 a minute), Telegram about 20 a minute into one group, Slack
    /// about one a second, Discord 30 a minute per webhook.
    pub fn default_pace(self) -> Duration {
        match self {
            ChannelKind::Wecom | ChannelKind::Dingtalk | ChannelKind::Telegram => {
                Duration::seconds(3)
            }
            ChannelKind::Feishu => Duration::milliseconds(600),
            ChannelKind::Slack => Duration::milliseconds(1100),
            ChannelKind::Discord => Duration::seconds(2),
            ChannelKind::Webhook | ChannelKind::Outbox => Duration::zero(),
        }
    }

    /// The wait after a rate-limit answer that names no wait of its own:
    /// WeCom and DingTalk count per minute, Feishu per second and minute.
    pub fn default_retry_after(self) -> Duration {
        match self {
            ChannelKind::Wecom | ChannelKind::Dingtalk => Duration::seconds(60),
            ChannelKind::Feishu => Duration::seconds(10),
            _ => Duration::seconds(5),
        }
    }

    /// True for kinds whose platform has an @all that a channel can ask
    /// for with `mention_all = true`: WeCom, Feishu, DingTalk, Slack and
    /// Discord (Telegram has no @all; the outbox and the generic webhook send
    /// no chat message of their own).
    pub fn has_mention_all(self) -> bool {
        matches!(
            self,
            ChannelKind::Wecom
                | ChannelKind::Feishu
                | ChannelKind::Dingtalk
                | ChannelKind::Slack
                | ChannelKind::Discord
        )
    }

    /// True for kinds that need a webhook URL (`url_env`).
    pub fn needs_url(self) -> bool {
        !matches!(self, ChannelKind::Telegram | ChannelKind::Outbox)
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One validated `[[channels]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// The channel's name, used in the ledger and in commands (`wecom-main`).
    pub id: String,
    /// The platform.
    pub kind: ChannelKind,
    /// Column ids it carries; empty means every column.
    pub columns: Vec<String>,
    /// Name of the environment variable holding the webhook URL (for
    /// Telegram: an optional API base URL, default `https://api.telegram.org`).
    pub url_env: Option<String>,
    /// Name of the environment variable holding the signing secret
    /// (Feishu, DingTalk; optional) or the bot token (Telegram; required).
    pub secret_env: Option<String>,
    /// Name of the environment variable holding the chat id (Telegram).
    pub chat_id_env: Option<String>,
    /// Minimum time between two messages on this channel.
    pub pace: Duration,
    /// How long to wait for the platform's answer before the delivery
    /// counts as unknown.
    pub timeout: Duration,
    /// How many times a rate-limited or server-failed request is retried.
    pub retries: u32,
    /// The wait after a rate-limit answer that names no wait of its own.
    pub retry_after: Duration,
    /// For `outbox`: the folder, relative to the site root (default `outbox`).
    pub dir: PathBuf,
    /// Notify everyone in the group with each post, through the platform's
    /// own @all (`mention_all = true`; off by default). Member text never
    /// mentions anyone either way.
    pub mention_all: bool,
    /// Line of the channel's `id` in `site.toml`.
    pub line: usize,
}

impl Channel {
    /// Whether the channel carries posts of `column`.
    pub fn carries(&self, column: &str) -> bool {
        self.columns.is_empty() || self.columns.iter().any(|c| c == column)
    }
}

/// A `[[channels]]` entry as written (see [`validate`]).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawChannel {
    /// The channel's id, named in the ledger and in messages.
    #[schemars(with = "String")]
    id: Spanned<String>,
    /// The platform.
    #[schemars(with = "String", extend("enum" = ["wecom", "feishu", "dingtalk", "telegram", "slack", "discord", "webhook", "outbox"]))]
    kind: Spanned<String>,
    /// Column ids this channel carries (default: every column).
    #[schemars(with = "Option<Vec<String>>")]
    columns: Option<Spanned<Vec<String>>>,
    /// Name of the environment variable holding the webhook URL or bot token.
    #[schemars(with = "Option<String>", extend("pattern" = "^[A-Za-z_][A-Za-z0-9_]*$"))]
    url_env: Option<Spanned<String>>,
    /// Name of the environment variable holding the signing secret.
    #[schemars(with = "Option<String>", extend("pattern" = "^[A-Za-z_][A-Za-z0-9_]*$"))]
    secret_env: Option<Spanned<String>>,
    /// Name of the environment variable holding the chat id (Telegram).
    #[schemars(with = "Option<String>", extend("pattern" = "^[A-Za-z_][A-Za-z0-9_]*$"))]
    chat_id_env: Option<Spanned<String>>,
    /// The least time between two messages to this channel.
    #[schemars(with = "Option<String>", extend("examples" = ["3s"]))]
    pace: Option<Spanned<String>>,
    /// How long to wait for the platform's answer.
    #[schemars(with = "Option<String>", extend("examples" = ["10s"]))]
    timeout: Option<Spanned<String>>,
    /// How many times a message the platform refused for now is sent again.
    #[schemars(with = "Option<i64>", range(min = 0))]
    retries: Option<Spanned<i64>>,
    /// How long to wait before sending again when the platform gives no time.
    #[schemars(with = "Option<String>")]
    retry_after: Option<Spanned<String>>,
    /// The folder an `outbox` channel writes into.
    #[schemars(with = "Option<String>", extend("default" = "outbox"))]
    dir: Option<Spanned<String>>,
    /// Notify everyone in the group (@所有人) with each post, where the platform allows it.
    #[schemars(with = "Option<bool>")]
    mention_all: Option<Spanned<bool>>,
}

/// True for names that look like an environment variable name (`QUNSHU_WECOM_URL`).
fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Validates the `[[channels]]` entries against the site's columns.
/// Problems are pushed to `diags` with their line; valid channels returned.
///
/// Long on purpose: one check per key, in the order the keys are written,
/// each with its own message and line, so every rule of the table is read
/// in one place; splitting it would scatter one table's rules.
pub fn validate(
    raw: &[RawChannel],
    columns: &[Column],
    text: &str,
    diags: &mut Diagnostics,
) -> Vec<Channel> {
    let mut out: Vec<Channel> = Vec::new();
    for (i, rc) in raw.iter().enumerate() {
        let before = diags.error_count();
        let line = |s: std::ops::Range<usize>| line_of_offset(text, s.start);
        let mut err = |field: &str, span: std::ops::Range<usize>, msg: String| {
            diags.push(
                Diagnostic::error(CONFIG_FILE, msg)
                    .at_line(line(span))
                    .field(format!("channels[{i}].{field}")),
            )
        };
        let id = rc.id.get_ref().trim().to_string();
        if id.is_empty() || id.contains(|c: char| c.is_whitespace() || c == '/' || c == '\\') {
            err("id", rc.id.span(), format!("`{id}` is not a usable channel id (expected a short name without spaces or slashes, such as `wecom-main`)"));
        } else if let Some(prev) = out.iter().find(|c| c.id == id) {
            err(
                "id",
                rc.id.span(),
                format!(
                    "channel id `{id}` is used twice (first on line {})",
                    prev.line
                ),
            );
        }
        let kind = ChannelKind::parse(rc.kind.get_ref());
        if kind.is_none() {
            let names: Vec<&str> = ChannelKind::ALL.iter().map(|k| k.name()).collect();
            err(
                "kind",
                rc.kind.span(),
                format!(
                    "`{}` is not a kind of channel (expected one of: {})",
                    rc.kind.get_ref(),
                    names.join(", ")
                ),
            );
        }
        let kind = kind.unwrap_or(ChannelKind::Outbox);
        let mut cols = Vec::new();
        if let Some(c) = &rc.columns {
            for name in c.get_ref() {
                if columns.iter().any(|col| &col.id == name) {
                    cols.push(name.clone());
                } else {
                    let known: Vec<&str> = columns.iter().map(|c| c.id.as_str()).collect();
                    err(
                        "columns",
                        c.span(),
                        format!(
                            "there is no column `{name}` (expected one of: {})",
                            known.join(", ")
                        ),
                    );
                }
            }
        }
        let mut env = |field: &str, v: &Option<Spanned<String>>| -> Option<String> {
            let v = v.as_ref()?;
            let name = v.get_ref().trim();
            if is_env_name(name) {
                Some(name.to_string())
            } else {
                // Never echo the value: it may be the secret itself.
                err(
                    field,
                    v.span(),
                    format!("`{field}` must be the *name* of an environment variable (such as `QUNSHU_WECOM_URL`), not the secret itself; put the secret in that variable and its name here"),
                );
                None
            }
        };
        let url_env = env("url_env", &rc.url_env);
        let secret_env = env("secret_env", &rc.secret_env);
        let chat_id_env = env("chat_id_env", &rc.chat_id_env);
        let id_span = rc.id.span();
        let mut need = |cond: bool, field: &str, what: &str| {
            if cond {
                diags.push(
                    Diagnostic::error(
                        CONFIG_FILE,
                        format!("a `{kind}` channel needs `{field}`: the name of the environment variable holding {what}"),
                    )
                    .at_line(line(id_span.clone()))
                    .field(format!("channels[{i}].{field}")),
                );
            }
        };
        let have_url = rc.url_env.is_some();
        need(kind.needs_url() && !have_url, "url_env", "the webhook URL");
        need(
            kind == ChannelKind::Telegram && rc.secret_env.is_none(),
            "secret_env",
            "the bot token",
        );
        need(
            kind == ChannelKind::Telegram && rc.chat_id_env.is_none(),
            "chat_id_env",
            "the chat id",
        );
        let mut err = |field: &str, span: std::ops::Range<usize>, msg: String| {
            diags.push(
                Diagnostic::error(CONFIG_FILE, msg)
                    .at_line(line(span))
                    .field(format!("channels[{i}].{field}")),
            )
        };
        if kind == ChannelKind::Outbox {
            for (field, v) in [
                ("url_env", &rc.url_env),
                ("secret_env", &rc.secret_env),
                ("chat_id_env", &rc.chat_id_env),
            ] {
                if let Some(v) = v {
                    err(
                        field,
                        v.span(),
                        format!(
                            "an `outbox` channel writes files and needs no `{field}`; remove it"
                        ),
                    );
                }
            }
        }
        let mut dur = |field: &str, v: &Option<Spanned<String>>, default: Duration| match v {
            None => default,
            Some(s) => match time::parse_duration(s.get_ref()) {
                Ok(d) => d,
                Err(m) => {
                    err(field, s.span(), m);
                    default
                }
            },
        };
        let pace = dur("pace", &rc.pace, kind.default_pace());
        let timeout = dur("timeout", &rc.timeout, Duration::seconds(15));
        let retry_after = dur("retry_after", &rc.retry_after, kind.default_retry_after());
        let retries = match &rc.retries {
            None => 3,
            Some(r) if (0..=10).contains(r.get_ref()) => *r.get_ref() as u32,
            Some(r) => {
                err(
                    "retries",
                    r.span(),
                    format!(
                        "{} retries is not usable (expected a number from 0 to 10)",
                        r.get_ref()
                    ),
                );
                3
            }
        };
        if timeout <= Duration::zero() {
            if let Some(t) = &rc.timeout {
                err(
                    "timeout",
                    t.span(),
                    "the timeout must be longer than zero (such as `15s`)".into(),
                );
            }
        }
        let dir = match &rc.dir {
            None => PathBuf::from("outbox"),
            Some(d) => {
                let p = PathBuf::from(d.get_ref().trim());
                if kind != ChannelKind::Outbox {
                    err(
                        "dir",
                        d.span(),
                        format!("`dir` is only for `outbox` channels, not `{kind}`"),
                    );
                } else if p.as_os_str().is_empty()
                    || p.is_absolute()
                    || p.components()
                        .any(|c| matches!(c, std::path::Component::ParentDir))
                {
                    err(
                        "dir",
                        d.span(),
                        format!(
                            "`{}` is not a folder inside the site (expected a relative path such as `outbox`)",
                            d.get_ref()
                        ),
                    );
                }
                p
            }
        };
        let mention_all = match &rc.mention_all {
            Some(m) if *m.get_ref() && !kind.has_mention_all() => {
                err(
                    "mention_all",
                    m.span(),
                    format!(
                        "a `{kind}` channel has no @all to notify everyone with; remove `mention_all` (it works for wecom, feishu, dingtalk, slack and discord)"
                    ),
                );
                false
            }
            Some(m) => *m.get_ref(),
            None => false,
        };
        if diags.error_count() > before {
            continue;
        }
        out.push(Channel {
            id,
            kind,
            columns: cols,
            url_env,
            secret_env,
            chat_id_env,
            pace,
            timeout,
            retries,
            retry_after,
            dir,
            mention_all,
            line: line_of_offset(text, rc.id.span().start),
        });
    }
    out
}

/// Site-wide delivery options (`[delivery]` in `site.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryOptions {
    /// Rebuild the archive after `qunshu run` delivers posts.
    pub rebuild: bool,
    /// The archive's output folder for that rebuild (default `public`).
    pub out: PathBuf,
}

/// The `[delivery]` table as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDelivery {
    /// Rebuild the archive after posts go out (qunshu run).
    rebuild: Option<bool>,
    /// The folder `run` rebuilds the archive into.
    #[schemars(with = "Option<String>", extend("default" = "public"))]
    out: Option<Spanned<String>>,
}

/// Validates the `[delivery]` table.
pub fn validate_options(
    raw: Option<&RawDelivery>,
    text: &str,
    diags: &mut Diagnostics,
) -> DeliveryOptions {
    let mut o = DeliveryOptions {
        rebuild: false,
        out: PathBuf::from("public"),
    };
    if let Some(r) = raw {
        o.rebuild = r.rebuild.unwrap_or(false);
        if let Some(out) = &r.out {
            let p = PathBuf::from(out.get_ref().trim());
            if p.as_os_str().is_empty() {
                diags.push(
                    Diagnostic::error(
                        CONFIG_FILE,
                        "`out` is empty (expected a folder such as `public`)",
                    )
                    .at_line(line_of_offset(text, out.span().start))
                    .field("delivery.out"),
                );
            }
            o.out = p;
        }
    }
    o
}
