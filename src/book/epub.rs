//! The EPUB 3 writer.
//!
//! Written directly with the `zip` crate rather than an EPUB library so that
//! every byte is under control: the output passes epubcheck with no errors
//! or warnings, and the same content gives the same file (entries in a
//! fixed order, a fixed modification time on every entry, no timestamps
//! except the book's content date).
//!
//! Layout: `mimetype` (stored, first), `META-INF/container.xml`, and under
//! `EPUB/`: `package.opf`, `nav.xhtml` (EPUB 3 navigation), `toc.ncx` (for
//! older readers), `style.css`, an optional `cover.xhtml`, `title.xhtml`,
//! `preface.xhtml`, one `chNNN.xhtml` per chapter, `contributors.xhtml`, and
//! `images/`.

use super::chapters::media_type;
use super::credits::file_as;
use super::html::{Writer, BASE_CSS};
use super::xhtml::{escape_attr, escape_text as esc};
use super::Book;
use rayon::prelude::*;
use std::io::Write;
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

/// A file in the book.
struct Entry {
    path: String,
    bytes: Vec<u8>,
}

fn chapter_file(n: usize) -> String {
    format!("ch{n:03}.xhtml")
}

fn xhtml_doc(lang: &str, title: &str, body: &str, body_attrs: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"{lang}\" lang=\"{lang}\">\n<head>\n<title>{}</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n</head>\n<body{body_attrs}>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

/// Where an id is in the EPUB: the file that holds it (a section is in its
/// chapter's file), with `#id` unless the id names the file itself.
fn href_of(book: &Book<'_>) -> impl Fn(&str) -> String {
    // Which file holds each section.
    let mut chapter_of: Vec<usize> = vec![0; book.sections().count() + 1];
    for ch in &book.chapters {
        for s in &ch.sections {
            if let Some(slot) = chapter_of.get_mut(s.number) {
                *slot = ch.number;
            }
        }
    }
    let file_of = move |id: &str| -> String {
        if id == "contributors" {
            return "contributors.xhtml".into();
        }
        if let Some(n) = id.strip_prefix("ch").and_then(|r| r.parse::<usize>().ok()) {
            return chapter_file(n);
        }
        match super::links::section_digits(id).parse::<usize>() {
            Ok(0) => "preface.xhtml".into(),
            Ok(n) => chapter_file(chapter_of.get(n).copied().unwrap_or(1).max(1)),
            Err(_) => "title.xhtml".into(),
        }
    };
    move |id: &str| -> String {
        let f = file_of(id);
        if id.starts_with("ch") || id == "contributors" || id == "p0" {
            f
        } else {
            format!("{f}#{id}")
        }
    }
}

/// Builds the EPUB file in memory.
pub(crate) fn render(book: &Book<'_>) -> std::io::Result<Vec<u8>> {
    let lang = book.lang.tag();
    let l = book.labels();
    let href = href_of(book);
    let w = Writer::new(book, &href, true);

    let mut entries: Vec<Entry> = Vec::new();
    let mut manifest = String::new();
    let mut spine = String::new();
    let mut add_doc = |entries: &mut Vec<Entry>, id: &str, file: &str, doc: String, props: &str| {
        manifest.push_str(&format!(
            "<item id=\"{id}\" href=\"{file}\" media-type=\"application/xhtml+xml\"{props}/>\n"
        ));
        spine.push_str(&format!("<itemref idref=\"{id}\"/>\n"));
        entries.push(Entry {
            path: format!("EPUB/{file}"),
            bytes: doc.into_bytes(),
        });
    };

    // The cover: the configured image, or one drawn from the title.
    let cover = match &book.cover {
        Some(c) => (c.href.clone(), read_image(&c.source)?),
        None => (
            "images/cover.png".to_string(),
            super::cover::png(book).map_err(|e| std::io::Error::other(format!("{e:#}")))?,
        ),
    };
    {
        let body = format!(
            "<section class=\"cover\" epub:type=\"cover\"><img src=\"{}\" alt=\"{}\"/></section>\n",
            escape_attr(&cover.0),
            escape_attr(l.cover)
        );
        add_doc(
            &mut entries,
            "cover",
            "cover.xhtml",
            xhtml_doc(lang, l.cover, &body, ""),
            "",
        );
    }
    let mut body = String::new();
    w.title_page(&mut body);
    add_doc(
        &mut entries,
        "titlepage",
        "title.xhtml",
        xhtml_doc(lang, &book.title, &body, " epub:type=\"frontmatter\""),
        "",
    );
    let mut toc = String::new();
    w.toc_list(&mut toc);
    let nav_body = format!(
        "<nav epub:type=\"toc\" id=\"toc\" class=\"toc\">\n<h1>{}</h1>\n{toc}</nav>\n<nav epub:type=\"landmarks\" hidden=\"hidden\">\n<ol>\n<li><a epub:type=\"toc\" href=\"nav.xhtml\">{}</a></li>\n<li><a epub:type=\"bodymatter\" href=\"{}\">{}</a></li>\n</ol>\n</nav>\n",
        esc(l.contents),
        esc(l.contents),
        chapter_file(1),
        esc(&book.chapters.first().map(|c| c.title.clone()).unwrap_or_default())
    );
    add_doc(
        &mut entries,
        "nav",
        "nav.xhtml",
        xhtml_doc(lang, l.contents, &nav_body, ""),
        " properties=\"nav\"",
    );
    if book.preface.is_some() {
        let mut body = String::new();
        w.preface(&mut body);
        add_doc(
            &mut entries,
            "preface",
            "preface.xhtml",
            xhtml_doc(lang, l.preface, &body, " epub:type=\"frontmatter\""),
            "",
        );
    }
    for ch in &book.chapters {
        let mut body = String::new();
        w.chapter(&mut body, ch);
        add_doc(
            &mut entries,
            &format!("ch{:03}", ch.number),
            &chapter_file(ch.number),
            xhtml_doc(
                lang,
                &format!("{} {}", l.chapter(ch.number), ch.title),
                &body,
                " epub:type=\"bodymatter\"",
            ),
            "",
        );
    }
    let mut body = String::new();
    w.contributors(&mut body);
    add_doc(
        &mut entries,
        "contributors",
        "contributors.xhtml",
        xhtml_doc(lang, l.contributors, &body, " epub:type=\"backmatter\""),
        "",
    );

    add_images(book, cover, &mut manifest, &mut entries)?;
    manifest
        .push_str("<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>\n");
    manifest.push_str("<item id=\"css\" href=\"style.css\" media-type=\"text/css\"/>\n");
    entries.push(Entry {
        path: "EPUB/style.css".into(),
        bytes: BASE_CSS.as_bytes().to_vec(),
    });
    entries.push(Entry {
        path: "EPUB/toc.ncx".into(),
        bytes: ncx(book, &href).into_bytes(),
    });

    let meta = metadata(book);
    let opf = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"bookid\" xml:lang=\"{lang}\">\n<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n{meta}</metadata>\n<manifest>\n{manifest}</manifest>\n<spine toc=\"ncx\">\n{spine}</spine>\n</package>\n"
    );

    archive(&opf, &entries)
}

/// An image file's bytes, or an error naming it.
fn read_image(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot read the image {}: {e}", path.display()),
        )
    })
}

/// Adds the images the content uses and the cover (its path in the book
/// and bytes) to the manifest and the entries (`imgN` in that order: the
/// cover is last).
fn add_images(
    book: &Book<'_>,
    cover: (String, Vec<u8>),
    manifest: &mut String,
    entries: &mut Vec<Entry>,
) -> std::io::Result<()> {
    let n = book.images.len();
    let images = book.images.iter().map(|(h, p)| (h.clone(), Err(p)));
    let cover = std::iter::once((cover.0, Ok(cover.1)));
    for (i, (href, data)) in images.chain(cover).enumerate() {
        let bytes = match data {
            Ok(b) => b,
            Err(path) => read_image(path)?,
        };
        let mt = media_type(&href).unwrap_or("image/png");
        let props = if i == n {
            " properties=\"cover-image\""
        } else {
            ""
        };
        manifest.push_str(&format!(
            "<item id=\"img{}\" href=\"{}\" media-type=\"{mt}\"{props}/>\n",
            i + 1,
            escape_attr(&href)
        ));
        entries.push(Entry {
            path: format!("EPUB/{href}"),
            bytes,
        });
    }
    Ok(())
}

/// The package document's metadata: identifier, titles, language,
/// editors and contributors (as the credits print them, filed by pinyin),
/// publisher, dates, subjects (the tags), description and cover.
fn metadata(book: &Book<'_>) -> String {
    let lang = book.lang.tag();
    let mut meta = String::new();
    meta.push_str(&format!(
        "<dc:identifier id=\"bookid\">{}</dc:identifier>\n<dc:title id=\"title\">{}</dc:title>\n<meta refines=\"#title\" property=\"title-type\">main</meta>\n",
        esc(&book.identifier),
        esc(&book.title)
    ));
    if let Some(s) = &book.subtitle {
        meta.push_str(&format!(
            "<dc:title id=\"subtitle\">{}</dc:title>\n<meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>\n",
            esc(s)
        ));
    }
    meta.push_str(&format!("<dc:language>{lang}</dc:language>\n"));
    for (i, e) in book.editors.iter().enumerate() {
        meta.push_str(&format!(
            "<dc:creator id=\"editor{n}\">{}</dc:creator>\n<meta refines=\"#editor{n}\" property=\"role\" scheme=\"marc:relators\">edt</meta>\n<meta refines=\"#editor{n}\" property=\"file-as\">{}</meta>\n",
            esc(e.display(book.lang)),
            esc(&file_as(e.display(book.lang))),
            n = i + 1
        ));
    }
    if book.editors.is_empty() {
        meta.push_str(&format!(
            "<dc:creator id=\"editor1\">{}</dc:creator>\n",
            esc(&book.community.config.title)
        ));
    }
    for (i, p) in book.credits.index.iter().enumerate() {
        meta.push_str(&format!(
            "<dc:contributor id=\"contrib{n}\">{}</dc:contributor>\n<meta refines=\"#contrib{n}\" property=\"role\" scheme=\"marc:relators\">ctb</meta>\n<meta refines=\"#contrib{n}\" property=\"file-as\">{}</meta>\n",
            esc(p.credit.display(book.lang)),
            esc(&file_as(p.credit.display(book.lang))),
            n = i + 1
        ));
    }
    meta.push_str(&format!(
        "<dc:publisher>{}</dc:publisher>\n<dc:date>{}</dc:date>\n",
        esc(&book.community.config.title),
        book.date
    ));
    meta.push_str(&format!("<dc:rights>{}</dc:rights>\n", esc(&book.rights())));
    for t in book.subjects() {
        meta.push_str(&format!("<dc:subject>{}</dc:subject>\n", esc(t)));
    }
    if !book.description.is_empty() {
        meta.push_str(&format!(
            "<dc:description>{}</dc:description>\n",
            esc(&book.description)
        ));
    }
    meta.push_str(&format!(
        "<meta property=\"dcterms:modified\">{}</meta>\n",
        book.modified.format("%Y-%m-%dT%H:%M:%SZ")
    ));
    let n = book.images.len() + 1;
    meta.push_str(&format!("<meta name=\"cover\" content=\"img{n}\"/>\n"));
    meta
}

/// The EPUB archive: `mimetype` first and stored, the container, the
/// package document `opf`, then the `entries`, with a fixed time.
fn archive(opf: &str, entries: &[Entry]) -> std::io::Result<Vec<u8>> {
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(1 << 20)));
    let when = zip::DateTime::default();
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(when)
        .unix_permissions(0o644);
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(when)
        .unix_permissions(0o644);
    let io = |e: zip::result::ZipError| std::io::Error::other(e.to_string());
    zw.start_file("mimetype", stored).map_err(io)?;
    zw.write_all(b"application/epub+zip")?;
    zw.start_file("META-INF/container.xml", deflated)
        .map_err(io)?;
    zw.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n<rootfiles>\n<rootfile full-path=\"EPUB/package.opf\" media-type=\"application/oebps-package+xml\"/>\n</rootfiles>\n</container>\n",
    )?;
    zw.start_file("EPUB/package.opf", deflated).map_err(io)?;
    zw.write_all(opf.as_bytes())?;
    // Entries are compressed in parallel (each into a one-entry archive),
    // then copied into the book without recompressing: same bytes, less wait.
    let packed: Vec<Result<Vec<u8>, zip::result::ZipError>> = entries
        .par_iter()
        .map(|e| {
            let is_image = e.path.starts_with("EPUB/images/") && !e.path.ends_with(".svg");
            let mut one = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(
                e.bytes.len() / 2 + 256,
            )));
            one.start_file(e.path.as_str(), if is_image { stored } else { deflated })?;
            one.write_all(&e.bytes)?;
            Ok(one.finish()?.into_inner())
        })
        .collect();
    for p in packed {
        let mut one = zip::ZipArchive::new(std::io::Cursor::new(p.map_err(io)?)).map_err(io)?;
        let file = one.by_index_raw(0).map_err(io)?;
        zw.raw_copy_file_touch(file, when, Some(0o644))
            .map_err(io)?;
    }
    let cursor = zw.finish().map_err(io)?;
    Ok(cursor.into_inner())
}

fn ncx(book: &Book<'_>, href: &dyn Fn(&str) -> String) -> String {
    let l = book.labels();
    let mut order = 0;
    let mut points = String::new();
    let mut point = |points: &mut String, label: &str, src: String, open: bool| {
        order += 1;
        points.push_str(&format!(
            "<navPoint id=\"np{order}\" playOrder=\"{order}\"><navLabel><text>{}</text></navLabel><content src=\"{}\"/>{}",
            esc(label),
            escape_attr(&src),
            if open { "\n" } else { "</navPoint>\n" }
        ));
    };
    if book.preface.is_some() {
        point(&mut points, l.preface, href("p0"), false);
    }
    for ch in &book.chapters {
        point(
            &mut points,
            &format!("{} {}", l.chapter(ch.number), ch.title),
            href(&ch.anchor),
            true,
        );
        for s in &ch.sections {
            point(&mut points, &s.post.title, href(&s.anchor), false);
        }
        points.push_str("</navPoint>\n");
    }
    point(&mut points, l.contributors, href("contributors"), false);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{}\">\n<head>\n<meta name=\"dtb:uid\" content=\"{}\"/>\n<meta name=\"dtb:depth\" content=\"2\"/>\n<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n<docTitle><text>{}</text></docTitle>\n<navMap>\n{points}</navMap>\n</ncx>\n",
        book.lang.tag(),
        escape_attr(&book.identifier),
        esc(&book.title)
    )
}
