//! Joins the PDFs of a book typeset in parts ([`super::parts`]) into one:
//! their pages in one page tree, one outline (bookmarks) built from the
//! book, named destinations for every label, the front matter's metadata
//! (document information, XMP, language), and the links between parts
//! (`qunshu-dest:` links, [`super::markup::DEST`]) turned into links to the
//! label's page. Each part keeps its own font subsets (a part only embeds
//! the glyphs it uses); the parts' own outlines and catalogs are dropped.

use super::markup::DEST;
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};
use std::collections::HashMap;

/// Where a label is: in which piece (0: the front matter, then the parts in
/// order, then the back matter), on which of its pages (from 1), and where
/// on the page (points from the top left corner).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Anchor {
    /// The piece.
    pub piece: usize,
    /// The page in the piece, from 1.
    pub page: usize,
    /// Points from the left edge.
    pub x: f32,
    /// Points from the top edge.
    pub y: f32,
}

/// An entry of the outline: a heading of the book.
#[derive(Debug, Clone)]
pub(crate) struct OutlineEntry {
    /// 1: preface, chapter, index; 2: section.
    pub level: u8,
    /// The heading's label.
    pub label: String,
    /// The heading's text.
    pub title: String,
}

fn lo(e: lopdf::Error) -> String {
    format!("cannot join the parts of the book's PDF: {e}")
}

/// Adds `base` to every object number in `o`'s references.
fn shift_refs(o: &mut Object, base: u32) {
    match o {
        Object::Reference(id) => id.0 += base,
        Object::Array(a) => a.iter_mut().for_each(|x| shift_refs(x, base)),
        Object::Dictionary(d) => d.iter_mut().for_each(|(_, x)| shift_refs(x, base)),
        Object::Stream(s) => s.dict.iter_mut().for_each(|(_, x)| shift_refs(x, base)),
        _ => {}
    }
}

/// An outline item: its object, heading and destination.
type Item<'a> = (ObjectId, &'a OutlineEntry, Object);

/// A PDF text string (UTF-16BE with a byte order mark).
fn text(s: &str) -> Object {
    let mut b = vec![0xfe, 0xff];
    for u in s.encode_utf16() {
        b.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(b, StringFormat::Hexadecimal)
}

/// The attributes a page inherits from its page-tree ancestors.
fn inherited(d: &Document, page: ObjectId) -> Vec<(Vec<u8>, Object)> {
    let mut out: Vec<(Vec<u8>, Object)> = Vec::new();
    let mut at = page;
    for _ in 0..64 {
        let Ok(dict) = d.get_object(at).and_then(Object::as_dict) else {
            break;
        };
        for key in [&b"MediaBox"[..], b"Resources", b"CropBox", b"Rotate"] {
            if !out.iter().any(|(k, _)| k == key) {
                if let Ok(v) = dict.get(key) {
                    out.push((key.to_vec(), v.clone()));
                }
            }
        }
        match dict.get(b"Parent").and_then(Object::as_reference) {
            Ok(p) => at = p,
            Err(_) => break,
        }
    }
    out
}

fn height(d: &Document, media_box: Option<&Object>) -> f32 {
    media_box
        .and_then(|o| d.dereference(o).ok())
        .and_then(|(_, o)| o.as_array().ok())
        .and_then(|a| {
            let n = |i: usize| a.get(i).and_then(|v| v.as_float().ok());
            Some(n(3)? - n(1)?)
        })
        .unwrap_or(595.0)
}

/// Joins `pdfs` (the front matter, the parts, the back matter; `counts`:
/// their page counts) into one PDF with an outline of `entries`, whose
/// labels are where `anchors` says.
pub(crate) fn join(
    pdfs: Vec<Vec<u8>>,
    counts: &[usize],
    entries: &[OutlineEntry],
    anchors: &HashMap<String, Anchor>,
) -> Result<Vec<u8>, String> {
    let mut out = Document::with_version("1.7");
    let mut pages: Vec<ObjectId> = Vec::new();
    let mut heights: Vec<f32> = Vec::new();
    let mut front: Option<(Dictionary, Option<Object>, Option<Object>)> = None;
    let mut next = 0u32;
    for (i, bytes) in pdfs.into_iter().enumerate() {
        let mut d = Document::load_mem(&bytes).map_err(lo)?;
        drop(bytes);
        // Object numbers after those of the pieces before.
        let objects = std::mem::take(&mut d.objects);
        d.objects = objects
            .into_iter()
            .map(|((n, g), mut o)| {
                shift_refs(&mut o, next);
                ((n + next, g), o)
            })
            .collect();
        d.trailer.iter_mut().for_each(|(_, o)| shift_refs(o, next));
        d.max_id += next;
        let ids: Vec<ObjectId> = d.get_pages().into_values().collect();
        if Some(&ids.len()) != counts.get(i) {
            return Err(format!(
                "cannot join the parts of the book's PDF: part {} has {} pages, {} expected",
                i,
                ids.len(),
                counts.get(i).copied().unwrap_or(0)
            ));
        }
        for &p in &ids {
            let inh = inherited(&d, p);
            let h = height(
                &d,
                inh.iter().find(|(k, _)| k == b"MediaBox").map(|(_, v)| v),
            );
            heights.push(h);
            let page = d
                .get_object_mut(p)
                .and_then(Object::as_dict_mut)
                .map_err(lo)?;
            for (k, v) in inh {
                page.set(k, v);
            }
        }
        let root = d
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .map_err(lo)?;
        if i == 0 {
            front = Some((
                d.catalog().map_err(lo)?.clone(),
                d.trailer.get(b"Info").ok().cloned(),
                d.trailer.get(b"ID").ok().cloned(),
            ));
        }
        // The catalog and page-tree nodes are rebuilt; what only they
        // reached (the piece's outline, names, metadata) is pruned below.
        d.objects.remove(&root);
        d.objects
            .retain(|_, o| o.type_name().map_or(true, |t| t != b"Pages"));
        next = d.max_id;
        out.objects.append(&mut d.objects);
        pages.extend(ids);
    }
    out.max_id = next;
    let (catalog, info, id) = front.ok_or("cannot join the parts of the book's PDF: none")?;
    // Where each label is, as an explicit destination.
    let mut offsets = vec![0usize];
    for c in counts {
        offsets.push(offsets.last().copied().unwrap_or(0) + c);
    }
    let dest = |label: &str| -> Option<Object> {
        let a = anchors.get(label)?;
        let g = offsets.get(a.piece)? + a.page.checked_sub(1)?;
        let page = *pages.get(g)?;
        let top = heights.get(g)? - (a.y - 10.0).max(0.0);
        Some(Object::Array(vec![
            Object::Reference(page),
            Object::Name(b"XYZ".to_vec()),
            Object::Real(a.x),
            Object::Real(top),
            Object::Integer(0),
        ]))
    };
    // Links between parts.
    let mut annots: Vec<ObjectId> = Vec::new();
    for &p in &pages {
        let list = match out.get_object(p).and_then(Object::as_dict) {
            Ok(page) => match page.get(b"Annots") {
                Ok(Object::Array(a)) => a.clone(),
                Ok(Object::Reference(r)) => out
                    .get_object(*r)
                    .and_then(Object::as_array)
                    .cloned()
                    .unwrap_or_default(),
                _ => Vec::new(),
            },
            Err(_) => Vec::new(),
        };
        annots.extend(list.iter().filter_map(|o| o.as_reference().ok()));
    }
    for a in annots {
        let uri = {
            let Ok(annot) = out.get_object(a).and_then(Object::as_dict) else {
                continue;
            };
            let action = match annot.get(b"A") {
                Ok(Object::Reference(r)) => out.get_object(*r).and_then(Object::as_dict).ok(),
                Ok(Object::Dictionary(d)) => Some(d),
                _ => None,
            };
            action
                .and_then(|d| d.get(b"URI").ok())
                .and_then(|u| u.as_str().ok())
                .and_then(|u| u.strip_prefix(DEST.as_bytes()))
                .map(|u| String::from_utf8_lossy(u).into_owned())
        };
        let Some(label) = uri else { continue };
        let target = dest(&label);
        if let Ok(annot) = out.get_object_mut(a).and_then(Object::as_dict_mut) {
            annot.remove(b"A");
            if let Some(t) = target {
                annot.set("Dest", t);
            }
        }
    }
    // One page tree.
    let pages_id = out.new_object_id();
    for &p in &pages {
        if let Ok(page) = out.get_object_mut(p).and_then(Object::as_dict_mut) {
            page.set("Parent", Object::Reference(pages_id));
        }
    }
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"Pages".to_vec()));
    tree.set(
        "Kids",
        Object::Array(pages.iter().map(|&p| Object::Reference(p)).collect()),
    );
    tree.set("Count", Object::Integer(pages.len() as i64));
    out.objects.insert(pages_id, Object::Dictionary(tree));
    // The outline: chapters (closed) with their sections.
    let mut top: Vec<(Item<'_>, Vec<Item<'_>>)> = Vec::new();
    for e in entries {
        let Some(d) = dest(&e.label) else { continue };
        let id = out.new_object_id();
        match top.last_mut() {
            Some(last) if e.level > 1 => last.1.push((id, e, d)),
            _ => top.push(((id, e, d), Vec::new())),
        }
    }
    let outlines_id = out.new_object_id();
    fn item(title: &str, parent: ObjectId, dest: Object) -> Dictionary {
        let mut d = Dictionary::new();
        d.set("Title", text(title));
        d.set("Parent", Object::Reference(parent));
        d.set("Dest", dest);
        d
    }
    fn link(d: &mut Dictionary, ids: &[ObjectId], i: usize) {
        if i > 0 {
            d.set("Prev", Object::Reference(ids[i - 1]));
        }
        if i + 1 < ids.len() {
            d.set("Next", Object::Reference(ids[i + 1]));
        }
    }
    let top_ids: Vec<ObjectId> = top.iter().map(|t| t.0 .0).collect();
    for (i, ((id, e, d), kids)) in top.into_iter().enumerate() {
        let mut dict = item(&e.title, outlines_id, d);
        link(&mut dict, &top_ids, i);
        let kid_ids: Vec<ObjectId> = kids.iter().map(|k| k.0).collect();
        if let (Some(first), Some(last)) = (kid_ids.first(), kid_ids.last()) {
            dict.set("First", Object::Reference(*first));
            dict.set("Last", Object::Reference(*last));
            dict.set("Count", Object::Integer(-(kid_ids.len() as i64)));
        }
        for (j, (kid, ke, kd)) in kids.into_iter().enumerate() {
            let mut k = item(&ke.title, id, kd);
            link(&mut k, &kid_ids, j);
            out.objects.insert(kid, Object::Dictionary(k));
        }
        out.objects.insert(id, Object::Dictionary(dict));
    }
    let mut outlines = Dictionary::new();
    outlines.set("Type", Object::Name(b"Outlines".to_vec()));
    if let (Some(first), Some(last)) = (top_ids.first(), top_ids.last()) {
        outlines.set("First", Object::Reference(*first));
        outlines.set("Last", Object::Reference(*last));
    }
    outlines.set("Count", Object::Integer(top_ids.len() as i64));
    out.objects
        .insert(outlines_id, Object::Dictionary(outlines));
    // Named destinations (`book.pdf#c3`), sorted as a name tree must be.
    let mut names: Vec<(&String, Object)> =
        anchors.keys().filter_map(|k| Some((k, dest(k)?))).collect();
    names.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut tree = Dictionary::new();
    tree.set(
        "Names",
        Object::Array(
            names
                .into_iter()
                .flat_map(|(k, d)| {
                    [
                        Object::String(k.as_bytes().to_vec(), StringFormat::Literal),
                        d,
                    ]
                })
                .collect(),
        ),
    );
    let dests_id = out.add_object(Object::Dictionary(tree));
    let mut names_dict = Dictionary::new();
    names_dict.set("Dests", Object::Reference(dests_id));
    // The catalog: the front matter's language, metadata and viewer
    // preferences.
    let mut root = Dictionary::new();
    root.set("Type", Object::Name(b"Catalog".to_vec()));
    root.set("Pages", Object::Reference(pages_id));
    root.set("Outlines", Object::Reference(outlines_id));
    root.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    root.set("Names", Object::Dictionary(names_dict));
    for key in [&b"Lang"[..], b"Metadata", b"ViewerPreferences"] {
        if let Ok(v) = catalog.get(key) {
            root.set(key.to_vec(), v.clone());
        }
    }
    let root_id = out.add_object(Object::Dictionary(root));
    out.trailer.set("Root", Object::Reference(root_id));
    if let Some(info) = info {
        out.trailer.set("Info", info);
    }
    if let Some(id) = id {
        out.trailer.set("ID", id);
    }
    out.prune_objects();
    let mut bytes = Vec::new();
    out.save_modern(&mut bytes)
        .map_err(|e| format!("cannot write the book's joined PDF: {e}"))?;
    Ok(bytes)
}
