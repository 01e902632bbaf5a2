//! JSON Schemas for the files organisers edit by hand, so editors complete
//! field names and flag mistakes while they type (`qunshu schema`).
//!
//! The front matter and members schemas are derived (with `schemars`) from
//! the very serde types the loader reads, so they cannot drift from it; the
//! front matter schema is then narrowed per kind (only threads have
//! `status`, `accepted`…) and, when `site.toml` can be read, `column` is
//! limited to the columns that carry that kind. The `site.toml` schema is
//! written out here (its raw types keep byte spans for error lines), and a
//! test checks its keys against the keys the configuration loader accepts.

use crate::core::config::SiteConfig;
use crate::core::content::frontmatter::{FrontMatter, OneOrMany};
use crate::core::content::Member;
use crate::core::kind::Kind;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};
use std::borrow::Cow;

/// The JSON Schema dialect written into every schema.
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

impl JsonSchema for OneOrMany {
    fn schema_name() -> Cow<'static, str> {
        "OneOrMany".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "One name, a comma-separated list, or a YAML list (at most 64).",
            "anyOf": [
                { "type": ["string", "number", "boolean"] },
                {
                    "type": "array",
                    "items": { "type": ["string", "number", "boolean"] },
                    "maxItems": crate::core::content::frontmatter::MAX_WORDS
                }
            ]
        })
    }
}

/// One schema file: its file name and its content.
#[derive(Debug, Clone)]
pub struct SchemaFile {
    /// File name (`qa.schema.json`).
    pub name: String,
    /// What the schema describes, for messages.
    pub describes: String,
    /// The schema.
    pub schema: Value,
}

/// Every schema `qunshu schema` writes. With a loaded `config`, the
/// front matter schemas list the site's own columns.
pub fn all(config: Option<&SiteConfig>) -> Vec<SchemaFile> {
    let mut out: Vec<SchemaFile> = Kind::ALL
        .into_iter()
        .map(|k| SchemaFile {
            name: format!("{}.schema.json", k.id()),
            describes: format!("front matter of content/{}/*.md", k.dir()),
            schema: front_matter(k, config),
        })
        .collect();
    out.push(SchemaFile {
        name: "members.schema.json".into(),
        describes: "content/members.yaml".into(),
        schema: members(),
    });
    out.push(SchemaFile {
        name: "site.schema.json".into(),
        describes: "site.toml".into(),
        schema: site(),
    });
    out
}

/// Fields only Q&A threads may have.
const THREAD_FIELDS: [&str; 4] = ["asked_by", "status", "accepted", "summary_by"];

/// The front matter schema of one kind of post.
pub fn front_matter(kind: Kind, config: Option<&SiteConfig>) -> Value {
    let mut v = schemars::schema_for!(FrontMatter).to_value();
    let obj = v.as_object_mut().expect("a derived schema is an object");
    obj.insert("$schema".into(), DIALECT.into());
    obj.insert(
        "title".into(),
        format!("qunshu front matter: {} ({})", kind.id(), kind.dir()).into(),
    );
    obj.insert("required".into(), json!(["title"]));
    let props = obj
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .expect("FrontMatter has properties");
    if kind == Kind::Qa {
        set(props, "status", "enum", json!(["open", "solved"]));
    } else {
        for f in THREAD_FIELDS {
            props.remove(f);
        }
    }
    set(props, "kind", "enum", json!([kind.id()]));
    let example_time = json!(["2026-12-01 08:00", "2026-12-01T08:00:00+08:00"]);
    set(props, "publish_at", "examples", example_time.clone());
    set(props, "expire_at", "examples", example_time);
    if let Some(c) = config {
        let ids: Vec<&str> = c
            .columns
            .iter()
            .filter(|col| col.kind == kind)
            .map(|col| col.id.as_str())
            .collect();
        if !ids.is_empty() {
            set(props, "column", "enum", json!(ids));
        }
    }
    v
}

fn set(props: &mut Map<String, Value>, field: &str, key: &str, value: Value) {
    if let Some(Value::Object(p)) = props.get_mut(field) {
        p.insert(key.into(), value);
    }
}

/// The schema of `members.yaml`: a map from handle to member.
pub fn members() -> Value {
    let mut member = schemars::schema_for!(Member).to_value();
    let obj = member
        .as_object_mut()
        .expect("a derived schema is an object");
    obj.remove("$schema");
    let defs = obj.remove("$defs");
    let mut root = json!({
        "$schema": DIALECT,
        "title": "qunshu members.yaml",
        "description": "One entry per member handle (the name used in `authors:` and `## @handle`). privacy: public shows the name, alias only the alias, anonymous nothing at all.",
        "type": "object",
        "propertyNames": { "pattern": "^[^\\s@]+$" },
        "additionalProperties": member,
    });
    if let Some(d) = defs {
        root["$defs"] = d;
    }
    root
}

/// The schema of `site.toml`.
pub fn site() -> Value {
    let time = json!({ "type": "string", "pattern": "^([01]?[0-9]|2[0-3]):[0-5][0-9]$", "examples": ["08:00", "20:30"] });
    let day_names = [
        "mon", "tue", "wed", "thu", "fri", "sat", "sun", "周一", "周二", "周三", "周四", "周五",
        "周六", "周日",
    ];
    json!({
        "$schema": DIALECT,
        "title": "qunshu site.toml",
        "type": "object",
        "additionalProperties": false,
        "required": ["title"],
        "properties": {
            "title": { "type": "string", "description": "The community's name, shown on every page." },
            "description": { "type": "string", "description": "One line about the community." },
            "base_url": { "type": "string", "pattern": "^https?://", "description": "Absolute address the archive is published at (used by feeds and the sitemap).", "examples": ["https://example.org/archive/"] },
            "language": { "type": "string", "enum": ["zh-CN", "zh-cn", "zh", "zh-Hans", "zh_CN", "en", "en-US", "en-GB"], "description": "Interface language: zh-CN (default) or en." },
            "timezone": { "type": "string", "description": "IANA time zone that times without an offset are read in.", "default": "Asia/Shanghai", "examples": ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "America/Los_Angeles", "Europe/London"] },
            "theme": { "type": "string", "description": "A folder under themes/; `default` is built in.", "default": "default" },
            "paginate": { "type": "integer", "minimum": 1, "maximum": 10000, "default": 20, "description": "Entries per listing page." },
            "members_file": { "type": "string", "default": "content/members.yaml", "description": "The members file, relative to site.toml." },
            "columns": {
                "type": "array",
                "description": "The columns (栏目): each a stream of one kind of post with its time slots.",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id", "name", "kind"],
                    "properties": {
                        "id": { "type": "string", "pattern": "^[^/\\\\ #?%]+$", "description": "Short id used as `column:` in front matter.", "examples": ["zaobao", "hot", "cases"] },
                        "name": { "type": "string", "description": "Display name (每日早报)." },
                        "kind": { "type": "string", "enum": ["brief", "qa", "case"], "description": "The kind of post the column carries." },
                        "times": { "type": "array", "items": time, "description": "Local times of day of the column's slots." },
                        "days": {
                            "description": "Days with slots: daily, weekdays, weekends, or a list of weekdays.",
                            "anyOf": [
                                { "type": "string", "enum": ["daily", "every day", "每天", "每日", "weekdays", "工作日", "weekends", "周末"] },
                                { "type": "array", "items": { "type": "string", "examples": day_names } }
                            ]
                        },
                        "start": { "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "description": "First day the slots exist.", "examples": ["2026-12-01"] },
                        "stale_after": { "type": "string", "description": "How late a delivery may still go out after its slot.", "default": "2h", "examples": ["2h", "90m"] }
                    }
                }
            },
            "events": {
                "type": "array",
                "description": "Recurring events (RFC 5545 rules), shown on the plan and the calendar.",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name", "start", "time", "rule"],
                    "properties": {
                        "name": { "type": "string" },
                        "start": { "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "description": "First date." },
                        "time": time,
                        "duration": { "type": "string", "default": "1h", "examples": ["90m", "2h"] },
                        "rule": { "type": "string", "description": "RFC 5545 RRULE.", "examples": ["FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"] },
                        "until": { "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$" },
                        "count": { "type": "integer", "minimum": 1 },
                        "capacity": { "type": "integer", "minimum": 1 },
                        "location": { "type": "string" },
                        "description": { "type": "string" }
                    }
                }
            },
            "rota": {
                "type": "object",
                "description": "The admin duty rota (群管轮值).",
                "additionalProperties": false,
                "required": ["members", "start"],
                "properties": {
                    "members": { "type": "array", "items": { "type": "string" }, "description": "Handles in sign-up order." },
                    "start": { "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$" },
                    "period": { "type": "string", "default": "weekly", "examples": ["weekly", "fortnightly", "daily", "10d", "2w"] }
                }
            },
            "channels": {
                "type": "array",
                "description": "Where posts are delivered. Secrets come from environment variables named here.",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id", "kind"],
                    "properties": {
                        "id": { "type": "string" },
                        "kind": { "type": "string", "enum": ["wecom", "feishu", "dingtalk", "telegram", "slack", "discord", "webhook", "outbox"] },
                        "columns": { "type": "array", "items": { "type": "string" } },
                        "url_env": { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "description": "Name of the environment variable holding the webhook URL or bot token." },
                        "secret_env": { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" },
                        "chat_id_env": { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" },
                        "pace": { "type": "string", "examples": ["3s"] },
                        "timeout": { "type": "string", "examples": ["10s"] },
                        "retries": { "type": "integer", "minimum": 0 },
                        "retry_after": { "type": "string" },
                        "dir": { "type": "string", "default": "outbox" }
                    }
                }
            },
            "delivery": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "rebuild": { "type": "boolean", "description": "Rebuild the archive after posts go out (qunshu run)." },
                    "out": { "type": "string", "default": "public" }
                }
            },
            "book": crate::core::config::books::json_schema(),
            "books": { "type": "object", "description": "More books, picked with `qunshu book NAME`.", "additionalProperties": crate::core::config::books::json_schema() }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The keys the loader names in its "unknown field … expected one of" error.
    fn accepted_keys(text: &str) -> BTreeSet<String> {
        let e = SiteConfig::from_str(Path::new("."), text).unwrap_err();
        let msg = e.sorted()[0].message.clone();
        let list = msg.split("expected").nth(1).unwrap_or_default().to_string();
        list.split('`')
            .skip(1)
            .step_by(2)
            .map(|s| s.to_string())
            .collect()
    }

    fn keys(v: &Value) -> BTreeSet<String> {
        v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn site_schema_covers_every_key_the_loader_accepts() {
        let s = site();
        let top = accepted_keys("title = \"x\"\nno_such_key_zz = 1\n");
        assert!(top.len() > 5, "{top:?}");
        assert_eq!(keys(&s), top, "site.toml schema and loader disagree");
        let col = accepted_keys(
            "title = \"x\"\n[[columns]]\nid = \"a\"\nname = \"A\"\nkind = \"brief\"\nno_such_key_zz = 1\n",
        );
        assert_eq!(keys(&s["properties"]["columns"]["items"]), col);
    }

    #[test]
    fn front_matter_per_kind() {
        let qa = front_matter(Kind::Qa, None);
        assert!(keys(&qa).contains("accepted"));
        assert_eq!(qa["additionalProperties"], json!(false));
        let brief = front_matter(Kind::Brief, None);
        assert!(!keys(&brief).contains("accepted"));
        assert!(keys(&brief).contains("publish_at"));
        assert_eq!(brief["properties"]["kind"]["enum"], json!(["brief"]));
    }

    #[test]
    fn members_schema_is_a_map_of_members() {
        let m = members();
        let member = &m["additionalProperties"];
        assert_eq!(member["additionalProperties"], json!(false));
        assert!(keys(member).contains("privacy"));
        assert!(m.to_string().contains("anonymous"));
    }
}
