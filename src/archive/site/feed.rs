//! The Atom feed and the sitemap: the only outputs with absolute URLs.

use super::{Job, Site};
use crate::core::markdown::escape_text;

/// How many posts the feed shows.
pub(crate) const FEED_POSTS: usize = 30;

/// `atom.xml`: the [`FEED_POSTS`] newest posts of the build, with their full HTML.
pub(crate) fn atom(site: &Site<'_>) -> Vec<u8> {
    let c = site.community;
    let cfg = &c.config;
    let lang = cfg.language;
    let base = &cfg.base_url;
    let updated = site
        .order
        .first()
        .and_then(|&i| c.post_time(&c.posts[i]))
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| "1970-01-01T00:00:00+00:00".into());
    let mut s = String::with_capacity(64 * 1024);
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        lang.tag()
    ));
    s.push_str(&format!("  <title>{}</title>\n", escape_text(&cfg.title)));
    if !cfg.description.is_empty() {
        s.push_str(&format!(
            "  <subtitle>{}</subtitle>\n",
            escape_text(&cfg.description)
        ));
    }
    s.push_str(&format!("  <link href=\"{}\"/>\n", escape_text(base)));
    s.push_str(&format!(
        "  <link rel=\"self\" href=\"{}atom.xml\"/>\n",
        escape_text(base)
    ));
    s.push_str(&format!("  <id>{}</id>\n", escape_text(base)));
    s.push_str(&format!("  <updated>{updated}</updated>\n"));
    for &i in site.order.iter().take(FEED_POSTS) {
        let p = &c.posts[i];
        let Some(card) = site.cards.get(&i) else {
            continue;
        };
        let url = format!("{base}{}", card.href);
        let when = card.iso.clone().unwrap_or_else(|| updated.clone());
        s.push_str("  <entry>\n");
        s.push_str(&format!("    <title>{}</title>\n", escape_text(&p.title)));
        s.push_str(&format!("    <link href=\"{}\"/>\n", escape_text(&url)));
        s.push_str(&format!("    <id>{}</id>\n", escape_text(&url)));
        s.push_str(&format!("    <updated>{when}</updated>\n"));
        s.push_str(&format!("    <published>{when}</published>\n"));
        let mut authors: Vec<String> = Vec::new();
        let handles: Vec<&str> = match &p.thread {
            Some(t) => t
                .answers
                .iter()
                .filter(|a| a.accepted)
                .map(|a| a.author.as_str())
                .collect(),
            None => p.authors.iter().map(|s| s.as_str()).collect(),
        };
        for h in handles {
            let name = c.members.credit(h).display(lang).to_string();
            if !authors.contains(&name) {
                authors.push(name);
            }
        }
        for a in &authors {
            s.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                escape_text(a)
            ));
        }
        for tag in &p.tags {
            s.push_str(&format!("    <category term=\"{}\"/>\n", escape_text(tag)));
        }
        s.push_str(&format!(
            "    <summary>{}</summary>\n",
            escape_text(&card.excerpt)
        ));
        let mut html = p.body.rendered.html.clone();
        if let Some(a) = p.thread.as_ref().and_then(|t| t.accepted_answer()) {
            html.push_str("<hr/>");
            html.push_str(&a.body.rendered.html);
        }
        // Relative links in post HTML are relative to the post's folder.
        let dir_url = match url.rfind('/') {
            Some(k) => &url[..=k],
            None => base.as_str(),
        };
        s.push_str(&format!(
            "    <content type=\"html\" xml:base=\"{}\">{}</content>\n",
            escape_text(dir_url),
            escape_text(&html)
        ));
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s.into_bytes()
}

/// `sitemap.xml`: every HTML page of the build.
pub(crate) fn sitemap(site: &Site<'_>) -> Vec<u8> {
    let base = &site.community.config.base_url;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for job in site.jobs() {
        if matches!(job, Job::NotFound | Job::Feed | Job::Sitemap) {
            continue;
        }
        let path = site.path_of(&job);
        let loc = if path == "index.html" {
            base.clone()
        } else {
            format!("{base}{}", crate::core::slug::encode_path(&path))
        };
        s.push_str("  <url><loc>");
        s.push_str(&escape_text(&loc));
        s.push_str("</loc>");
        if let Job::Post(i) = job {
            if let Some(iso) = site.cards.get(&i).and_then(|c| c.iso.as_ref()) {
                s.push_str(&format!("<lastmod>{}</lastmod>", &iso[..10]));
            }
        }
        s.push_str("</url>\n");
    }
    s.push_str("</urlset>\n");
    s.into_bytes()
}
