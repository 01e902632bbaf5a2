//! The platforms: one file each, one [`Platform`] implementation each,
//! registered in one table ([`of`]).
//!
//! A platform says how a post is written for it (the renderer's
//! [`Dialect`] and the size [`Limit`] of one message), how `mention_all`
//! is expressed, how one message becomes an HTTP request (URL, body,
//! signing) and what the platform's answer means ([`Answer`]). Adding a
//! platform is one new file here plus one line in [`of`] (and its name in
//! `core::config::channels::ChannelKind`, which the configuration parses).
//!
//! Owns: the platforms' request shapes and answers. Must not import:
//! the ledger, the schedule or anything outside `core`.

pub(crate) mod dingtalk;
pub(crate) mod discord;
pub(crate) mod feishu;
pub mod outbox;
pub(crate) mod slack;
pub(crate) mod telegram;
pub(crate) mod webhook;
pub(crate) mod wecom;

use super::http::{Answer, Prepared, Reply};
use super::render::{Dialect, Limit};
pub use crate::core::config::channels::ChannelKind;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

/// How a platform carries a channel's `mention_all` (the platform's own
/// @all, once per post, never anything member text could write).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtAll {
    /// The platform has no @all.
    Never,
    /// A line of its own before the first part (Feishu, Slack, Discord).
    Line(&'static str),
    /// A short text message naming the post, sent before it (WeCom, whose
    /// Markdown cannot notify anyone).
    TitleMessage,
    /// A field of the first request only (DingTalk's `at.isAtAll`).
    InRequest,
}

/// One message on its way: what a platform needs to build its request.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// The channel's URL (`url_env`), when it names one.
    pub url: Option<&'a str>,
    /// The signing secret or bot token (`secret_env`).
    pub secret: Option<&'a str>,
    /// The chat id (`chat_id_env`).
    pub chat_id: Option<&'a str>,
    /// The post's title.
    pub title: &'a str,
    /// The message's text, rendered in the platform's dialect.
    pub text: &'a str,
    /// True when this message carries the channel's @all (the first only).
    pub mention_all: bool,
    /// The wall-clock time, for signatures.
    pub now: DateTime<Utc>,
    /// The post's fields, for platforms that send them rather than text.
    pub fields: Option<&'a Value>,
}

/// Everything qunshu knows of one chat platform.
pub trait Platform: Sync + std::fmt::Debug {
    /// The `kind` of `[[channels]]` it serves.
    fn kind(&self) -> ChannelKind;

    /// The renderer's dialect and the size of one message; `None` for a
    /// platform that receives the post's fields as JSON instead of text.
    fn text(&self) -> Option<(Dialect, Limit)>;

    /// True when the platform shows the title apart from the text (a card
    /// header), so the text leaves it out.
    fn title_apart(&self) -> bool {
        false
    }

    /// How the platform writes a channel's `mention_all`.
    fn at_all(&self) -> AtAll {
        AtAll::Never
    }

    /// True when posts become files for a person to paste (the outbox)
    /// rather than requests; writing a file again is harmless, so an
    /// unknown outcome is simply redone.
    fn writes_files(&self) -> bool {
        false
    }

    /// The request for one message.
    fn request(&self, m: &Outgoing<'_>) -> Prepared;

    /// What the platform's answer means; `wait` is the channel's
    /// `retry_after`, for a rate limit that names no wait.
    fn answer(&self, reply: &Reply, wait: Duration) -> Answer;
}

/// The table: the platform of each kind.
pub fn of(kind: ChannelKind) -> &'static dyn Platform {
    match kind {
        ChannelKind::Wecom => &wecom::Wecom,
        ChannelKind::Feishu => &feishu::Feishu,
        ChannelKind::Dingtalk => &dingtalk::Dingtalk,
        ChannelKind::Telegram => &telegram::Telegram,
        ChannelKind::Slack => &slack::Slack,
        ChannelKind::Discord => &discord::Discord,
        ChannelKind::Webhook => &webhook::Webhook,
        ChannelKind::Outbox => &outbox::Outbox,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_platform() {
        for kind in ChannelKind::ALL {
            assert_eq!(of(kind).kind(), kind, "{kind}");
        }
    }

    #[test]
    fn each_platform_has_its_dialect_and_limit() {
        let expect = [
            (
                ChannelKind::Wecom,
                Some((Dialect::Wecom, Limit::bytes(4096))),
            ),
            (
                ChannelKind::Feishu,
                Some((Dialect::Feishu, Limit::bytes(15000))),
            ),
            (
                ChannelKind::Dingtalk,
                Some((Dialect::Dingtalk, Limit::chars(5000))),
            ),
            (
                ChannelKind::Telegram,
                Some((Dialect::Telegram, Limit::chars(4096))),
            ),
            (
                ChannelKind::Slack,
                Some((Dialect::Slack, Limit::chars(4000))),
            ),
            (
                ChannelKind::Discord,
                Some((Dialect::Discord, Limit::chars(2000))),
            ),
            (ChannelKind::Webhook, None),
            (
                ChannelKind::Outbox,
                Some((Dialect::Plain, Limit::chars(2000))),
            ),
        ];
        assert_eq!(expect.len(), ChannelKind::ALL.len());
        for (kind, text) in expect {
            assert_eq!(of(kind).text(), text, "{kind}");
        }
    }

    #[test]
    fn each_platform_writes_at_all_its_own_way() {
        let at = |k| of(k).at_all();
        assert_eq!(at(ChannelKind::Feishu), AtAll::Line("<at id=all></at>"));
        assert_eq!(at(ChannelKind::Slack), AtAll::Line("<!channel>"));
        assert_eq!(at(ChannelKind::Discord), AtAll::Line("@everyone"));
        assert_eq!(at(ChannelKind::Wecom), AtAll::TitleMessage);
        assert_eq!(at(ChannelKind::Dingtalk), AtAll::InRequest);
        for k in [
            ChannelKind::Telegram,
            ChannelKind::Webhook,
            ChannelKind::Outbox,
        ] {
            assert_eq!(at(k), AtAll::Never, "{k}");
        }
        // A kind that the configuration lets carry `mention_all` has an @all.
        for k in ChannelKind::ALL {
            assert_eq!(k.has_mention_all(), at(k) != AtAll::Never, "{k}");
        }
    }

    #[test]
    fn only_the_outbox_writes_files_and_only_feishu_shows_the_title_apart() {
        for k in ChannelKind::ALL {
            assert_eq!(of(k).writes_files(), k == ChannelKind::Outbox, "{k}");
            assert_eq!(of(k).title_apart(), k == ChannelKind::Feishu, "{k}");
        }
    }

    #[test]
    fn requests_carry_the_text_and_the_at_all_where_the_platform_wants_it() {
        let fields = serde_json::json!({"title": "T"});
        let m = |mention_all| Outgoing {
            url: Some("https://h/x?k=1"),
            secret: None,
            chat_id: Some("42"),
            title: "T",
            text: "hello",
            mention_all,
            now: DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
            fields: Some(&fields),
        };
        let d = of(ChannelKind::Dingtalk).request(&m(true));
        assert_eq!(d.body["at"]["isAtAll"], true);
        assert_eq!(d.body["markdown"]["text"], "hello");
        let w = of(ChannelKind::Wecom).request(&m(true));
        assert_eq!(w.body["text"]["mentioned_list"][0], "@all");
        let w = of(ChannelKind::Wecom).request(&m(false));
        assert_eq!(w.body["markdown"]["content"], "hello");
        let t = of(ChannelKind::Telegram).request(&m(false));
        assert_eq!(t.body["chat_id"], "42");
        let h = of(ChannelKind::Webhook).request(&m(false));
        assert_eq!(h.body, fields);
        let f = of(ChannelKind::Feishu).request(&m(false));
        assert_eq!(f.body["card"]["header"]["title"]["content"], "T");
    }
}
