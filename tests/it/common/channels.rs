//! The channels of the delivery tests: one `[[channels]]` entry per
//! platform pointing at the mock ([`super::mock`]), the environment that
//! holds their secrets, and every secret value, which must never show up
//! in any output.

use super::mock::Mock;

/// The Feishu signing secret.
pub(crate) const FEISHU_SECRET: &str = "SECtest0123456789abcdef";
/// The DingTalk signing secret.
pub(crate) const DING_SECRET: &str = "SECding-s3cr3t-0004";

/// Every secret value the tests hand to qunshu; none may ever show up.
pub(crate) fn secret_values() -> Vec<&'static str> {
    vec![
        "s3cr3t",
        FEISHU_SECRET,
        "-100987654",
        "TGTOKEN",
        "WECOMKEY",
        "DISCORDHOOK",
    ]
}

/// The environment naming each channel's mock URL and secrets.
pub(crate) fn env(mock: &Mock) -> Vec<(String, String)> {
    let b = &mock.base;
    [
        (
            "T_WECOM_URL",
            format!("{b}/wecom/cgi-bin/webhook/send?key=WECOMKEY-s3cr3t-0001"),
        ),
        (
            "T_FEISHU_URL",
            format!("{b}/feishu/open-apis/bot/v2/hook/FEISHUHOOK-s3cr3t-0002"),
        ),
        ("T_FEISHU_SECRET", FEISHU_SECRET.to_string()),
        (
            "T_DING_URL",
            format!("{b}/dingtalk/robot/send?access_token=DINGTOKEN-s3cr3t-0003"),
        ),
        ("T_DING_SECRET", DING_SECRET.to_string()),
        ("T_TG_API", format!("{b}/tg")),
        ("T_TG_TOKEN", "123456:TGTOKEN-s3cr3t-0005".to_string()),
        ("T_TG_CHAT", "-100987654".to_string()),
        (
            "T_SLACK_URL",
            format!("{b}/slack/services/T0/B0/SLACKHOOK-s3cr3t-0006"),
        ),
        (
            "T_DISCORD_URL",
            format!("{b}/discord/api/webhooks/1/DISCORDHOOK-s3cr3t-0007"),
        ),
        (
            "T_HOOK_URL",
            format!("{b}/hook/in?token=HOOKTOKEN-s3cr3t-0008"),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// A `[[channels]]` entry for the platform `id` (`wechat`: the outbox),
/// fast (no pacing, short waits), with `extra` lines.
pub(crate) fn channel(id: &str, extra: &str) -> String {
    let body = match id {
        "wecom" => "kind = \"wecom\"\nurl_env = \"T_WECOM_URL\"",
        "feishu" => "kind = \"feishu\"\nurl_env = \"T_FEISHU_URL\"\nsecret_env = \"T_FEISHU_SECRET\"",
        "dingtalk" => "kind = \"dingtalk\"\nurl_env = \"T_DING_URL\"\nsecret_env = \"T_DING_SECRET\"",
        "telegram" => "kind = \"telegram\"\nurl_env = \"T_TG_API\"\nsecret_env = \"T_TG_TOKEN\"\nchat_id_env = \"T_TG_CHAT\"",
        "slack" => "kind = \"slack\"\nurl_env = \"T_SLACK_URL\"",
        "discord" => "kind = \"discord\"\nurl_env = \"T_DISCORD_URL\"",
        "webhook" => "kind = \"webhook\"\nurl_env = \"T_HOOK_URL\"",
        _ => "kind = \"outbox\"",
    };
    let timing = if id == "wechat" {
        ""
    } else {
        "pace = \"0s\"\nretry_after = \"1s\"\ntimeout = \"5s\"\n"
    };
    format!("\n[[channels]]\nid = \"{id}\"\n{body}\n{timing}{extra}\n")
}

/// Every channel id, one per platform.
pub(crate) const ALL: [&str; 8] = [
    "wecom", "feishu", "dingtalk", "telegram", "slack", "discord", "webhook", "wechat",
];
