//! `site.toml`: the site's configuration, its defaults and its validation.
//!
//! Parsing happens in two steps. Serde reads the file into "raw" structs
//! whose fields keep their byte spans (`toml::Spanned`), with
//! `deny_unknown_fields` everywhere so a typo in a key is an error naming the
//! key and its line. Then [`SiteConfig::load`] checks every value (time zone,
//! language, times of day, weekdays, dates) and reports *all* problems at
//! once, each with its line.
//!
//! Owns every `site.toml` section (columns here; channels, events, rota and
//! books in the submodules): raw types and validation. Imports only the
//! leaves `diag`, `time`, `kind`, `i18n`; must not import content, members or
//! anything above `core` (the features import config, never the reverse).

use crate::core::diag::{line_of_offset, Diagnostic, Diagnostics};
use crate::core::kind::Kind;
use crate::core::time;
use chrono::{Duration, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub(crate) mod books;
pub mod channels;
pub mod deploy;
pub(crate) mod events;
pub(crate) mod rota;
pub(crate) mod share;

/// The name of the configuration file at the site root.
pub const CONFIG_FILE: &str = "site.toml";

pub use crate::core::i18n::Lang;

/// Reads the members file at a path relative to the root and returns its
/// handles, or `None` when it cannot be used (see
/// [`SiteConfig::load_checking`]).
pub type MemberHandles<'a> = &'a dyn Fn(&Path) -> Option<std::collections::BTreeSet<String>>;

/// A column (栏目): a stream of posts of one kind with its posting slots.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Short identifier used in front matter (`column: zaobao`).
    pub id: String,
    /// Display name (每日早报).
    pub name: String,
    /// The kind of post the column carries.
    pub kind: Kind,
    /// Local times of day of its slots, sorted.
    pub times: Vec<NaiveTime>,
    /// Weekdays on which the slots happen (Monday first).
    pub days: Vec<Weekday>,
    /// First day the slots exist, if limited.
    pub start: Option<NaiveDate>,
    /// How late a delivery may still go out after its slot (default 2 hours).
    pub stale_after: Duration,
    /// Line of the column's `[[columns]]` header in `site.toml`.
    pub line: usize,
}

impl Column {
    /// True when the column has slots on `day`.
    pub fn runs_on(&self, day: Weekday) -> bool {
        self.days.contains(&day)
    }
}

/// The validated configuration of a site.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The folder that holds `site.toml`.
    pub root: PathBuf,
    /// Site title.
    pub title: String,
    /// One-line description.
    pub description: String,
    /// Absolute base URL, always ending in `/` (used by feeds and the sitemap only).
    pub base_url: String,
    /// Interface language.
    pub language: Lang,
    /// The site's IANA time zone.
    pub tz: Tz,
    /// Theme name: a folder under `themes/` (the built-in `default` needs none).
    pub theme: String,
    /// Entries per listing page.
    pub paginate: usize,
    /// The columns, in file order.
    pub columns: Vec<Column>,
    /// The members file, relative to the root.
    pub members_file: PathBuf,
    /// The text of `site.toml`, for modules that report lines of their own sections.
    pub source: String,
    /// Delivery channels (`[[channels]]`), validated.
    pub channels: Vec<channels::Channel>,
    /// Delivery options (`[delivery]`).
    pub delivery: crate::core::config::channels::DeliveryOptions,
    /// Recurring events (`[[events]]`).
    pub events: Vec<events::Event>,
    /// The duty rota (`[rota]`), if any.
    pub rota: Option<rota::Rota>,
    /// How shared links look (`[share]`).
    pub share: share::Share,
    /// Where `qunshu deploy` publishes (`[deploy]`), if set.
    pub deploy: Option<deploy::Deploy>,
    /// The books: `[book]` and `[books.NAME]` (see `book::config`).
    pub books: crate::core::config::books::Books,
}

impl SiteConfig {
    /// The column with this id.
    pub fn column(&self, id: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.id == id)
    }

    /// The first column that carries `kind` (the default for posts that name none).
    pub fn default_column(&self, kind: Kind) -> Option<&Column> {
        self.columns.iter().find(|c| c.kind == kind)
    }

    /// The path of `site.toml`.
    pub fn path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// Reads and validates `ROOT/site.toml`. Every problem is returned, not
    /// only the first.
    pub fn load(root: &Path) -> Result<SiteConfig, Diagnostics> {
        Self::load_checking(root, &|_| None)
    }

    /// Like [`SiteConfig::load`], and checks the rota's handles against the
    /// members file in the same pass, so they are reported with every other
    /// problem of `site.toml` at once. `handles` reads the members file at the
    /// given path (relative to the root) and returns its handles, or `None`
    /// when it cannot be used (its own problems are reported when the
    /// community is opened). The members file is read by the caller
    /// ([`crate::core::project::Project::open`]), so `config` stays below it.
    pub fn load_checking(
        root: &Path,
        handles: MemberHandles<'_>,
    ) -> Result<SiteConfig, Diagnostics> {
        let path = root.join(CONFIG_FILE);
        let mut diags = Diagnostics::new();
        let text = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    diags.push(Diagnostic::error(
                        CONFIG_FILE,
                        "the file is not valid UTF-8 text; save it as UTF-8",
                    ));
                    return Err(diags);
                }
            },
            Err(e) => {
                diags.push(Diagnostic::error(
                    CONFIG_FILE,
                    format!(
                        "cannot read {}: {e}. Run qunshu in the folder that holds site.toml, pass --root DIR, or create a site with `qunshu init DIR`",
                        path.display()
                    ),
                ));
                return Err(diags);
            }
        };
        Self::parse(root, &text, handles)
    }

    /// Validates configuration text as if read from `ROOT/site.toml`.
    pub fn from_str(root: &Path, text: &str) -> Result<SiteConfig, Diagnostics> {
        Self::parse(root, text, &|_| None)
    }

    /// Reads and validates the top-level keys and hands each section to its
    /// own validator (`channels`, `events`, `rota`, `books`).
    ///
    /// Long on purpose: one check per top-level key, in the order of the
    /// file, so every rule of `site.toml`'s top level is read in one place.
    fn parse(
        root: &Path,
        text: &str,
        handles: MemberHandles<'_>,
    ) -> Result<SiteConfig, Diagnostics> {
        let mut diags = Diagnostics::new();
        let raw: RawSite = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let line = e.span().map(|s| line_of_offset(text, s.start));
                diags.push(Diagnostic::error(CONFIG_FILE, toml_message(&e)).at_opt_line(line));
                return Err(diags);
            }
        };
        let line = |s: &std::ops::Range<usize>| line_of_offset(text, s.start);
        let err = |field: &str, span: &std::ops::Range<usize>, msg: String| {
            Diagnostic::error(CONFIG_FILE, msg)
                .at_line(line(span))
                .field(field)
        };

        let language = match &raw.language {
            None => Lang::ZhCn,
            Some(l) => Lang::parse(l.get_ref()).unwrap_or_else(|| {
                diags.push(err(
                    "language",
                    &l.span(),
                    format!(
                        "`{}` is not a supported language (expected `zh-CN` or `en`)",
                        l.get_ref()
                    ),
                ));
                Lang::ZhCn
            }),
        };
        let tz = match &raw.timezone {
            None => chrono_tz::Asia::Shanghai,
            Some(t) => time::parse_tz(t.get_ref()).unwrap_or_else(|m| {
                diags.push(err("timezone", &t.span(), m));
                chrono_tz::Asia::Shanghai
            }),
        };
        let paginate = match &raw.paginate {
            None => 20,
            Some(p) if *p.get_ref() >= 1 && *p.get_ref() <= 10_000 => *p.get_ref() as usize,
            Some(p) => {
                diags.push(err(
                    "paginate",
                    &p.span(),
                    format!(
                        "{} entries per page is not usable (expected a number from 1 to 10000)",
                        p.get_ref()
                    ),
                ));
                20
            }
        };
        let mut base_url = raw.base_url.unwrap_or_else(|| "http://localhost/".into());
        if !base_url.starts_with("http://") && !base_url.starts_with("https://") {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!("`{base_url}` is not an absolute URL (expected something like `https://example.org/archive/`)"),
                )
                .field("base_url"),
            );
        }
        if !base_url.ends_with('/') {
            base_url.push('/');
        }

        let mut columns: Vec<Column> = Vec::new();
        for (i, rc) in raw.columns.iter().enumerate() {
            if let Some(c) = validate_column(i, rc, text, &mut diags) {
                if let Some(prev) = columns.iter().find(|p| p.id == c.id) {
                    diags.push(
                        Diagnostic::error(
                            CONFIG_FILE,
                            format!(
                                "column id `{}` is used twice (first on line {})",
                                c.id, prev.line
                            ),
                        )
                        .at_line(line(&rc.id.span()))
                        .field(format!("columns[{i}].id")),
                    );
                    continue;
                }
                columns.push(c);
            }
        }
        let theme = raw
            .theme
            .as_ref()
            .map(|t| t.get_ref().clone())
            .unwrap_or_else(|| "default".into());
        if theme.is_empty() || theme.contains(['/', '\\']) || theme.starts_with('.') {
            diags.push(
                Diagnostic::error(CONFIG_FILE, format!("`{theme}` is not a theme name (expected the name of a folder under themes/, such as `default`)"))
                    .field("theme"),
            );
        }
        let channels =
            crate::core::config::channels::validate(&raw.channels, &columns, text, &mut diags);
        let delivery = crate::core::config::channels::validate_options(
            raw.delivery.as_ref(),
            text,
            &mut diags,
        );

        let events = crate::core::config::events::validate(&raw.events, text, tz, &mut diags);
        // The rota's handles are checked against the members file here, so
        // they are reported with every other problem of site.toml at once.
        let members_file = PathBuf::from(
            raw.members_file
                .clone()
                .unwrap_or_else(|| "content/members.yaml".to_string()),
        );
        let rota = raw.rota.as_ref().and_then(|r| {
            let members = handles(&members_file);
            crate::core::config::rota::validate(r, text, members.as_ref(), &mut diags)
        });

        let books = crate::core::config::books::validate(
            raw.book.as_ref(),
            raw.books.as_ref(),
            text,
            &mut diags,
        );
        let share = share::validate(raw.share.as_ref(), text, &mut diags);
        let deploy = deploy::validate(raw.deploy.as_ref(), text, &mut diags);
        if diags.error_count() > 0 {
            return Err(diags);
        }
        Ok(SiteConfig {
            root: root.to_path_buf(),
            title: raw.title,
            description: raw.description.unwrap_or_default(),
            base_url,
            language,
            tz,
            theme,
            paginate,
            columns,
            members_file,
            source: text.to_string(),
            channels,
            delivery,
            events,
            rota,
            share,
            deploy,
            books,
        })
    }
}

/// toml's message without its own rendering of the source excerpt.
fn toml_message(e: &toml::de::Error) -> String {
    let m = e.message().trim().to_string();
    if m.starts_with("unknown field") {
        format!("{m} (check the spelling of the key)")
    } else {
        m
    }
}

fn validate_column(
    i: usize,
    rc: &RawColumn,
    text: &str,
    diags: &mut Diagnostics,
) -> Option<Column> {
    let line = |s: std::ops::Range<usize>| line_of_offset(text, s.start);
    let before = diags.error_count();
    let mut err = |field: &str, span: std::ops::Range<usize>, msg: String| {
        diags.push(
            Diagnostic::error(CONFIG_FILE, msg)
                .at_line(line(span))
                .field(format!("columns[{i}].{field}")),
        )
    };
    let id = rc.id.get_ref().trim().to_string();
    if id.is_empty() || id.contains(['/', '\\', ' ', '#', '?', '%']) {
        err(
            "id",
            rc.id.span(),
            format!("`{id}` is not a usable column id (expected a short name without spaces or slashes, such as `zaobao`)"),
        );
    }
    let kind = Kind::parse(rc.kind.get_ref()).unwrap_or_else(|| {
        err(
            "kind",
            rc.kind.span(),
            format!(
                "`{}` is not a kind of post (expected `brief`, `qa` or `case`)",
                rc.kind.get_ref()
            ),
        );
        Kind::Brief
    });
    let mut times = Vec::new();
    for t in rc.times.iter().flatten() {
        match time::parse_time_of_day(t.get_ref()) {
            Ok(v) => times.push(v),
            Err(m) => err("times", t.span(), m),
        }
    }
    times.sort();
    times.dedup();
    let days = match &rc.days {
        None => ALL_DAYS.to_vec(),
        Some(d) => match parse_days(d.get_ref()) {
            Ok(v) => v,
            Err(m) => {
                err("days", d.span(), m);
                Vec::new()
            }
        },
    };
    let start = match &rc.start {
        None => None,
        Some(s) => match time::parse_date(s.get_ref()) {
            Ok(d) => Some(d),
            Err(m) => {
                err("start", s.span(), m);
                None
            }
        },
    };
    let stale_after = match &rc.stale_after {
        None => Duration::hours(2),
        Some(s) => match time::parse_duration(s.get_ref()) {
            Ok(d) => d,
            Err(m) => {
                err("stale_after", s.span(), m);
                Duration::hours(2)
            }
        },
    };
    if diags.error_count() > before {
        return None;
    }
    Some(Column {
        id,
        name: rc.name.clone(),
        kind,
        times,
        days,
        start,
        stale_after,
        line: line(rc.id.span()),
    })
}

const ALL_DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// Parses one weekday name: `mon`, `Monday`, `周一`, `星期一`.
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let s = s.trim();
    let lower = s.to_ascii_lowercase();
    let w = match lower.as_str() {
        "mon" | "monday" | "周一" | "星期一" => Weekday::Mon,
        "tue" | "tues" | "tuesday" | "周二" | "星期二" => Weekday::Tue,
        "wed" | "wednesday" | "周三" | "星期三" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" | "周四" | "星期四" => Weekday::Thu,
        "fri" | "friday" | "周五" | "星期五" => Weekday::Fri,
        "sat" | "saturday" | "周六" | "星期六" => Weekday::Sat,
        "sun" | "sunday" | "周日" | "周天" | "星期日" | "星期天" => Weekday::Sun,
        _ => return None,
    };
    Some(w)
}

fn parse_days(v: &DaysSpec) -> Result<Vec<Weekday>, String> {
    let names: Vec<&str> = match v {
        DaysSpec::One(s) => match s.trim() {
            "daily" | "every day" | "每天" | "每日" => return Ok(ALL_DAYS.to_vec()),
            "weekdays" | "工作日" => return Ok(ALL_DAYS[..5].to_vec()),
            "weekends" | "周末" => return Ok(ALL_DAYS[5..].to_vec()),
            other => vec![other],
        },
        DaysSpec::Many(v) => v.iter().map(|s| s.as_str()).collect(),
    };
    let mut out = Vec::new();
    for n in names {
        match parse_weekday(n) {
            Some(w) => {
                if !out.contains(&w) {
                    out.push(w)
                }
            }
            None => {
                return Err(format!(
                    "`{n}` is not a weekday (expected `mon`…`sun`, `周一`…`周日`, or one of `daily`, `weekdays`, `weekends`)"
                ))
            }
        }
    }
    if out.is_empty() {
        return Err(
            "no weekdays given (expected a list such as [\"tue\", \"thu\"] or `daily`)".into(),
        );
    }
    out.sort_by_key(|w| w.num_days_from_monday());
    Ok(out)
}

/// `site.toml` as written. The same type gives the loader (with byte spans
/// for error lines) and the JSON Schema editors use ([`json_schema`]), so
/// the two cannot drift apart.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "qunshu site.toml")]
struct RawSite {
    /// The community's name, shown on every page.
    title: String,
    /// One line about the community.
    description: Option<String>,
    /// Absolute address the archive is published at (used by feeds and the sitemap).
    #[schemars(extend("pattern" = "^https?://", "examples" = ["https://example.org/archive/"]))]
    base_url: Option<String>,
    /// Interface language: zh-CN (default) or en.
    #[schemars(with = "Option<String>", extend("enum" = ["zh-CN", "zh-cn", "zh", "zh-Hans", "zh_CN", "en", "en-US", "en-GB"]))]
    language: Option<Spanned<String>>,
    /// IANA time zone that times without an offset are read in.
    #[schemars(with = "Option<String>", extend("default" = "Asia/Shanghai", "examples" = ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "America/Los_Angeles", "Europe/London"]))]
    timezone: Option<Spanned<String>>,
    /// A folder under themes/; `default` is built in.
    #[schemars(with = "Option<String>", extend("default" = "default"))]
    theme: Option<Spanned<String>>,
    /// Entries per listing page.
    #[schemars(with = "Option<i64>", range(min = 1, max = 10000), extend("default" = 20))]
    paginate: Option<Spanned<i64>>,
    /// The members file, relative to site.toml.
    #[schemars(extend("default" = "content/members.yaml"))]
    members_file: Option<String>,
    /// The columns (栏目): each a stream of one kind of post with its time slots.
    #[serde(default)]
    columns: Vec<RawColumn>,
    /// Where posts are delivered. Secrets come from environment variables named here.
    #[serde(default)]
    channels: Vec<channels::RawChannel>,
    /// Delivery settings for `qunshu run`.
    delivery: Option<channels::RawDelivery>,
    /// Recurring events (RFC 5545 rules), shown on the plan and the calendar.
    #[serde(default)]
    events: Vec<events::RawEvent>,
    /// The admin duty rota (群管轮值).
    rota: Option<rota::RawRota>,
    /// How shared links look: the default image, per-post cards.
    share: Option<share::RawShare>,
    /// Where `qunshu deploy` publishes the built archive.
    deploy: Option<deploy::RawDeploy>,
    /// The book made by `qunshu book`.
    book: Option<books::RawBook>,
    /// More books, picked with `qunshu book NAME`.
    #[schemars(with = "Option<std::collections::BTreeMap<String, books::RawBook>>")]
    books: Option<std::collections::BTreeMap<Spanned<String>, books::RawBook>>,
}

/// One `[[columns]]` table as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    /// Short id used as `column:` in front matter.
    #[schemars(with = "String", extend("pattern" = "^[^/\\\\ #?%]+$", "examples" = ["zaobao", "hot", "cases"]))]
    id: Spanned<String>,
    /// Display name (每日早报).
    name: String,
    /// The kind of post the column carries.
    #[schemars(with = "String", extend("enum" = ["brief", "qa", "case"]))]
    kind: Spanned<String>,
    /// Local times of day of the column's slots.
    #[schemars(with = "Option<Vec<TimeOfDay>>")]
    times: Option<Vec<Spanned<String>>>,
    /// Days with slots: daily, weekdays, weekends, or a list of weekdays.
    #[schemars(with = "Option<DaysSpec>")]
    days: Option<Spanned<DaysSpec>>,
    /// First day the slots exist.
    #[schemars(with = "Option<String>", extend("pattern" = "^\\d{4}-\\d{2}-\\d{2}$", "examples" = ["2026-12-01"]))]
    start: Option<Spanned<String>>,
    /// How late a delivery may still go out after its slot.
    #[schemars(with = "Option<String>", extend("default" = "2h", "examples" = ["2h", "90m"]))]
    stale_after: Option<Spanned<String>>,
}

/// `days` as written: a word or a list of weekdays.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
enum DaysSpec {
    /// `daily`, `weekdays`, `weekends` (or 每天, 工作日, 周末).
    #[schemars(extend("examples" = ["daily", "weekdays", "weekends", "每天", "工作日", "周末"]))]
    One(String),
    /// Weekdays: `mon`…`sun` or 周一…周日.
    #[schemars(extend("examples" = [["mon", "wed", "fri"], ["周一", "周三"]]))]
    Many(Vec<String>),
}

/// A local time of day, `HH:MM` (for the schema of times in `site.toml`).
#[derive(JsonSchema)]
#[schemars(extend("pattern" = "^([01]?[0-9]|2[0-3]):[0-5][0-9]$", "examples" = ["08:00", "20:30"]))]
#[allow(dead_code)]
pub(crate) struct TimeOfDay(String);

/// The JSON Schema of `site.toml`, derived from the types the loader reads
/// (optional keys are plain types: TOML has no null).
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<RawSite>()
        .to_value();
    drop_null(&mut schema);
    schema
}

/// Removes the `null` that `Option` adds to a schema: a TOML key is either
/// absent or has a value.
fn drop_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(any)) = map.get_mut("anyOf") {
                any.retain(|s| s.get("type").is_none_or(|t| t != "null"));
                if any.len() == 1 {
                    if let Some(Value::Object(inner)) = map
                        .remove("anyOf")
                        .and_then(|mut a| a.as_array_mut().map(|a| a.remove(0)))
                    {
                        for (k, x) in inner {
                            map.entry(k).or_insert(x);
                        }
                    }
                }
            }
            if let Some(Value::Array(e)) = map.get_mut("enum") {
                e.retain(|x| !x.is_null());
            }
            map.values_mut().for_each(drop_null);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<SiteConfig, Diagnostics> {
        SiteConfig::from_str(Path::new("."), text)
    }

    #[test]
    fn defaults() {
        let c = load("title = \"x\"\n").unwrap();
        assert_eq!(c.language, Lang::ZhCn);
        assert_eq!(c.tz, chrono_tz::Asia::Shanghai);
        assert_eq!(c.theme, "default");
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let e = load("title = \"x\"\ntimezome = \"Asia/Shanghai\"\n").unwrap_err();
        let d = e.sorted()[0].to_string();
        assert!(d.contains(":2"), "{d}");
        assert!(d.contains("timezome"), "{d}");
    }

    #[test]
    fn bad_values_all_reported() {
        let text = "title = \"x\"\ntimezone = \"Mars/Base\"\n[[columns]]\nid = \"a\"\nname = \"A\"\nkind = \"brief\"\ntimes = [\"25:00\"]\ndays = [\"funday\"]\n";
        let e = load(text).unwrap_err();
        let all: Vec<String> = e.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(all[0].contains(":2") && all[0].contains("Mars/Base"));
        assert!(all[1].contains(":7") && all[1].contains("25:00"));
        assert!(all[2].contains(":8") && all[2].contains("funday"));
    }

    #[test]
    fn days_forms() {
        let text = "title = \"x\"\n[[columns]]\nid = \"a\"\nname = \"A\"\nkind = \"qa\"\ntimes = [\"15:00\"]\ndays = \"weekdays\"\n[[columns]]\nid = \"b\"\nname = \"B\"\nkind = \"case\"\ntimes = [\"20:00\"]\ndays = [\"周二\", \"thu\"]\n";
        let c = load(text).unwrap();
        assert_eq!(c.columns[0].days.len(), 5);
        assert_eq!(c.columns[1].days, vec![Weekday::Tue, Weekday::Thu]);
    }
}
