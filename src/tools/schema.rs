//! JSON Schemas for the files organisers edit by hand, so editors complete
//! field names and flag mistakes while they type (`qunshu schema`).
//!
//! Every schema is derived (with `schemars`) from the very serde types the
//! loader reads, so it cannot drift from it: front matter, members, and
//! `site.toml` (from the raw config types, whose byte spans are read as
//! their plain values). The front matter schema is then narrowed per kind
//! (only threads have `status`, `accepted`…) and, when `site.toml` can be
//! read, `column` is limited to the columns that carry that kind. Tests
//! check every table's keys against the keys the loader accepts.
//!
//! May import any library layer; only the command layer imports `tools`.

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

/// The schema of `site.toml`, derived from the configuration types the
/// loader reads (see [`crate::core::config::json_schema`]).
pub fn site() -> Value {
    crate::core::config::json_schema()
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

    /// `v`, or the definition its `$ref` points at in `root`.
    fn deref<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
        match v["$ref"].as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
            Some(name) => &root["$defs"][name],
            None => v,
        }
    }

    /// A sub-table's schema: `path` walks properties, `[]` steps into items.
    fn table<'a>(root: &'a Value, path: &[&str]) -> &'a Value {
        let mut v = root;
        for key in path {
            v = deref(root, v);
            v = if *key == "[]" {
                &v["items"]
            } else {
                &v["properties"][*key]
            };
        }
        deref(root, v)
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
        assert_eq!(keys(table(&s, &["columns", "[]"])), col);
        for (path, text) in [
            (&["book"][..], "[book]\nzz_nope = 1\n"),
            (&["book", "chapters", "[]"][..], "[[book.chapters]]\ntitle = \"a\"\nposts = []\nzz_nope = 1\n"),
            (&["channels", "[]"][..], "[[channels]]\nid = \"a\"\nkind = \"outbox\"\nzz_nope = 1\n"),
            (&["delivery"][..], "[delivery]\nzz_nope = 1\n"),
            (&["events", "[]"][..], "[[events]]\nname = \"a\"\nstart = \"2026-12-01\"\ntime = \"20:00\"\nrule = \"FREQ=WEEKLY\"\nzz_nope = 1\n"),
            (&["rota"][..], "[rota]\nmembers = [\"a\"]\nstart = \"2026-12-01\"\nzz_nope = 1\n"),
        ] {
            let want = accepted_keys(&format!("title = \"x\"\n{text}"));
            assert!(want.len() > 1, "{path:?}: {want:?}");
            assert_eq!(keys(table(&s, path)), want, "{path:?}");
            assert_eq!(table(&s, path)["additionalProperties"], json!(false), "{path:?}");
        }
        let books = deref(&s, &s["properties"]["books"]["additionalProperties"]);
        assert_eq!(keys(books), keys(table(&s, &["book"])));
    }

    #[test]
    fn site_schema_keeps_the_hints_editors_show() {
        let s = site();
        assert_eq!(s["$schema"], json!(DIALECT));
        assert_eq!(s["required"], json!(["title"]));
        let col = table(&s, &["columns", "[]"]);
        assert_eq!(
            col["properties"]["kind"]["enum"],
            json!(["brief", "qa", "case"])
        );
        let time = deref(&s, &col["properties"]["times"]["items"]);
        assert!(
            time["pattern"].as_str().unwrap().contains("[0-5][0-9]"),
            "{time}"
        );
        let ch = table(&s, &["channels", "[]"]);
        assert!(ch["properties"]["url_env"]["description"]
            .as_str()
            .unwrap()
            .contains("environment variable"));
        assert_eq!(
            s["properties"]["language"]["type"],
            json!("string"),
            "no null in TOML"
        );
        assert!(s["properties"]["timezone"]["examples"]
            .to_string()
            .contains("Asia/Shanghai"));
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
