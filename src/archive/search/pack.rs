//! Packing the index's many small entries into few files.
//!
//! The index is made of thousands of small logical entries (a shard of
//! postings, a post's details, a block of its text), each one statement
//! `$qs("key",<json>);` on a line of its own ([`CALL`]). One file per
//! entry made 3,500 files for 400 posts and 60,000 for 10,000: every file
//! is a deploy cost (object storage bills per request, some hosts cap file
//! counts). Entries are therefore written one after the other into *pack*
//! files of about [`PACK_TARGET`] bytes, in three sections:
//!
//! - `s`: the shards, in shard order, each pack starting with its own
//!   directory (`sd/<pack>`: the byte length of each of its shards), so
//!   the manifest carries two numbers per pack rather than one per shard
//!   ([`write_shard_section`], [`ShardSection`]);
//! - `d`: per pack, the details of its posts first (`d/<i>`), then the text
//!   blocks of those posts (`d/<i>-<k>`); a post's details carry the byte
//!   offset of its blocks within that tail (`bo`) and their lengths (`bl`);
//! - `m`: everything else, in a fixed order ([`misc_keys`]): the text code
//!   table `t`, the word lists `w/<len>`, the facet lists `f/<facet>-<i>`
//!   and the normalisation chunks `n/<block>`.
//!
//! The manifest (`index.js`, the one file outside the packs) carries, per
//! section, the byte length of every entry and the first entry of every
//! pack, so a reader knows where any entry is without reading anything
//! else. Over HTTP the browser fetches exactly an entry's bytes with a
//! `Range` request (a server that ignores `Range` answers with the whole
//! pack, which works too); from `file://`, where `fetch` is refused, it
//! loads the whole pack as a script, whose statements fill the same store;
//! `qunshu search` reads the pack from disk.

use super::codec;
use rayon::prelude::*;
use serde_json::{json, Value};

/// Aimed-at size of one pack file in bytes: packs fill up to this, so a
/// pack holds 64 KB of entries or one larger entry. With it, 400 posts
/// need about a hundred files and 10,000 posts about 1,700, while a page
/// opened from `file://` (which loads whole packs) reads a few hundred
/// kilobytes per query, not megabytes.
pub(crate) const PACK_TARGET: usize = 64 * 1024;

/// The function every entry's statement calls: `search.js` defines it (as
/// `qunshuSearch.load`). Short, because the index has one statement per
/// shard and per block of text: `qunshuSearch.load(` on each of the
/// 11,000 statements of a 400-post archive was 200 KB.
pub(crate) const CALL: &str = "$qs(";

/// The statement that stores `json` under `key`, on a line of its own.
pub(crate) fn statement(key: &str, json: &str) -> String {
    format!(
        "{CALL}{},{json});\n",
        serde_json::to_string(key).unwrap_or_default()
    )
}

/// Where each pack starts: indices into `sizes` such that pack `j` holds
/// entries `starts[j]..starts[j + 1]`, filled up to [`PACK_TARGET`].
pub(crate) fn pack_starts(sizes: &[usize]) -> Vec<u32> {
    let mut starts = Vec::new();
    let mut fill = PACK_TARGET;
    for (i, &s) in sizes.iter().enumerate() {
        if fill + s > PACK_TARGET && fill > 0 {
            starts.push(i as u32);
            fill = 0;
        }
        fill += s;
    }
    starts
}

/// The file of pack `j` of `section`, relative to the index folder.
pub(crate) fn pack_file(section: &str, j: usize) -> String {
    format!("p/{section}{j}.js")
}

/// Writes a section: `heads` are the entries the manifest locates (one
/// statement each), `tails` what follows all heads of a pack (the text
/// blocks of the `d` section; empty elsewhere), `starts` from
/// [`pack_starts`]. Returns the pack files and the section's directory for
/// the manifest: `[entry byte lengths, pack starts]`, both as coded lists.
pub(crate) fn write_section(
    section: &str,
    heads: &[String],
    tails: &[String],
    starts: &[u32],
) -> (Vec<(String, String)>, Value) {
    let files = starts
        .par_iter()
        .enumerate()
        .map(|(j, &s)| {
            let e = starts.get(j + 1).map_or(heads.len(), |&e| e as usize);
            let s = s as usize;
            let size: usize = heads[s..e].iter().map(String::len).sum::<usize>()
                + tails
                    .get(s..e)
                    .map_or(0, |t| t.iter().map(String::len).sum());
            let mut text = String::with_capacity(size);
            heads[s..e].iter().for_each(|h| text.push_str(h));
            if let Some(t) = tails.get(s..e) {
                t.iter().for_each(|t| text.push_str(t));
            }
            (pack_file(section, j), text)
        })
        .collect();
    let lens: Vec<u32> = heads.iter().map(|h| h.len() as u32).collect();
    let dir = json!([codec::encode_list(&lens), codec::encode_list(starts)]);
    (files, dir)
}

/// Writes the shard section: pack `j` is the statement `sd/<j>` (the
/// coded byte lengths of its shards, in order) followed by its shards.
/// A reader loads a pack's directory before its first shard from that
/// pack, so the manifest, which every first search loads, holds per pack
/// only its directory's length and its first shard, and shards can be
/// small (a query loads a few hundred bytes of other terms with each of
/// its own, not kilobytes) at any size of index. Returns the pack files
/// and the manifest's `[directory lengths, pack starts]`.
pub(crate) fn write_shard_section(
    section: &str,
    shards: &[String],
) -> (Vec<(String, String)>, Value) {
    let sizes: Vec<usize> = shards.iter().map(String::len).collect();
    let starts = pack_starts(&sizes);
    // Packs are independent: each is put together on its own thread.
    let (files, dir_lens): (Vec<(String, String)>, Vec<u32>) = starts
        .par_iter()
        .enumerate()
        .map(|(j, &s)| {
            let e = starts.get(j + 1).map_or(shards.len(), |&e| e as usize);
            let s = s as usize;
            let lens: Vec<u32> = sizes[s..e].iter().map(|&l| l as u32).collect();
            let dir = statement(
                &format!("{section}d/{j}"),
                &serde_json::to_string(&codec::encode_list(&lens)).unwrap_or_default(),
            );
            let mut text = String::with_capacity(dir.len() + sizes[s..e].iter().sum::<usize>());
            text.push_str(&dir);
            shards[s..e].iter().for_each(|h| text.push_str(h));
            ((pack_file(section, j), text), dir.len() as u32)
        })
        .unzip();
    let dir = json!([codec::encode_list(&dir_lens), codec::encode_list(&starts)]);
    (files, dir)
}

/// The shard section's directory, read back from the manifest
/// ([`write_shard_section`]): where each pack's own directory is, and
/// which shards each pack holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct ShardSection {
    name: String,
    /// Per pack: byte length of its directory statement.
    dir_lens: Vec<u32>,
    /// Per pack: its first shard.
    starts: Vec<u32>,
    /// Number of shards.
    entries: usize,
}

impl ShardSection {
    /// Reads the directory `[directory lengths, starts]` of section `name`,
    /// which must hold `entries` shards.
    pub(crate) fn read(
        name: &str,
        dir: &Value,
        entries: usize,
    ) -> Result<ShardSection, codec::CodecError> {
        let dir_lens = codec::decode_list(dir[0].as_str().unwrap_or_default())?;
        let starts = codec::decode_list(dir[1].as_str().unwrap_or_default())?;
        if dir_lens.len() != starts.len()
            || starts.first() != Some(&0)
            || starts.windows(2).any(|w| w[0] >= w[1])
            || starts.last().is_some_and(|&s| s as usize >= entries)
        {
            return Err(codec::CodecError);
        }
        Ok(ShardSection {
            name: name.to_string(),
            dir_lens,
            starts,
            entries,
        })
    }

    /// The pack that holds shard `i`.
    pub(crate) fn pack_of(&self, i: usize) -> Option<usize> {
        if i >= self.entries {
            return None;
        }
        Some(self.starts.partition_point(|&s| s as usize <= i) - 1)
    }

    /// The key of pack `p`'s directory.
    pub(crate) fn dir_key(&self, p: usize) -> String {
        format!("{}d/{p}", self.name)
    }

    /// Where pack `p`'s directory is.
    pub(crate) fn dir_spot(&self, p: usize) -> Option<Spot> {
        Some(Spot {
            file: pack_file(&self.name, p),
            offset: 0,
            len: *self.dir_lens.get(p)? as usize,
        })
    }

    /// Where shard `i` is, given its pack's directory `lens` (the byte
    /// length of each of the pack's shards); `None` when `lens` does not
    /// fit the pack.
    pub(crate) fn spot(&self, i: usize, lens: &[u32]) -> Option<Spot> {
        let p = self.pack_of(i)?;
        let first = self.starts[p] as usize;
        let end = self.starts.get(p + 1).map_or(self.entries, |&e| e as usize);
        if lens.len() != end - first {
            return None;
        }
        let k = i - first;
        let before: u64 = lens[..k].iter().map(|&l| l as u64).sum();
        Some(Spot {
            file: pack_file(&self.name, p),
            offset: (self.dir_lens[p] as u64 + before) as usize,
            len: lens[k] as usize,
        })
    }
}

/// The keys of the `m` section, in order, from the manifest's fields:
/// `t`, then `w/<len>` for each word length in `wl`, then `f/<facet>-<i>`
/// for each facet (by name) and value, then `n/<b>` for each chunk in `nb`.
/// `search.js` computes the same list.
pub(crate) fn misc_keys(wl: &[u64], facets: &[(String, usize)], nb: &[u64]) -> Vec<String> {
    let mut keys = vec!["t".to_string()];
    keys.extend(wl.iter().map(|l| format!("w/{l}")));
    let mut facets: Vec<&(String, usize)> = facets.iter().collect();
    facets.sort();
    for (name, n) in facets {
        keys.extend((0..*n).map(|i| format!("f/{name}-{i}")));
    }
    keys.extend(nb.iter().map(|b| format!("n/{b}")));
    keys
}

/// Where an entry is: its pack file, byte offset and byte length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spot {
    /// Pack file, relative to the index folder.
    pub(crate) file: String,
    /// Byte offset in the file.
    pub(crate) offset: usize,
    /// Byte length (the statement and its newline).
    pub(crate) len: usize,
}

/// A section's directory, read back from the manifest.
#[derive(Debug, Clone, Default)]
pub(crate) struct Section {
    name: String,
    /// Per entry: (pack, offset in the pack, length).
    spots: Vec<(u32, u32, u32)>,
    /// Per pack: total length of its heads (where its tail starts).
    heads_end: Vec<u32>,
}

impl Section {
    /// Reads the directory `[lengths, starts]` of section `name`.
    pub(crate) fn read(name: &str, dir: &Value) -> Result<Section, codec::CodecError> {
        let lens = codec::decode_list(dir[0].as_str().unwrap_or_default())?;
        let starts = codec::decode_list(dir[1].as_str().unwrap_or_default())?;
        if starts.first().is_some_and(|&s| s != 0)
            || starts.windows(2).any(|w| w[0] >= w[1])
            || starts.last().is_some_and(|&s| s as usize >= lens.len())
            || (starts.is_empty() && !lens.is_empty())
        {
            return Err(codec::CodecError);
        }
        let mut spots = Vec::with_capacity(lens.len());
        let mut heads_end = Vec::with_capacity(starts.len());
        for (j, &s) in starts.iter().enumerate() {
            let e = starts.get(j + 1).map_or(lens.len(), |&e| e as usize);
            let mut off = 0u32;
            for &l in &lens[s as usize..e] {
                spots.push((j as u32, off, l));
                off = off.checked_add(l).ok_or(codec::CodecError)?;
            }
            heads_end.push(off);
        }
        Ok(Section {
            name: name.to_string(),
            spots,
            heads_end,
        })
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.spots.len()
    }

    /// Where entry `i` is.
    pub(crate) fn spot(&self, i: usize) -> Option<Spot> {
        let &(p, o, l) = self.spots.get(i)?;
        Some(Spot {
            file: pack_file(&self.name, p as usize),
            offset: o as usize,
            len: l as usize,
        })
    }

    /// Where a piece of entry `i`'s tail is: `offset` bytes into the tail
    /// region of its pack, `len` long.
    pub(crate) fn tail_spot(&self, i: usize, offset: usize, len: usize) -> Option<Spot> {
        let &(p, _, _) = self.spots.get(i)?;
        let start = *self.heads_end.get(p as usize)? as usize;
        Some(Spot {
            file: pack_file(&self.name, p as usize),
            offset: start.checked_add(offset)?,
            len,
        })
    }
}

/// Splits one statement into its key and JSON text (`None` if it is not one).
pub(crate) fn parse_statement(line: &str) -> Option<(String, &str)> {
    let rest = line.trim_end().strip_prefix(CALL)?;
    let body = rest.strip_suffix(");")?;
    // The key is a JSON string without commas in it (keys are ASCII names).
    let comma = body.find(',')?;
    let key: String = serde_json::from_str(&body[..comma]).ok()?;
    Some((key, &body[comma + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_fill_up_to_the_target() {
        let sizes = [40_000, 20_000, 10_000, 70_000, 1, 65_536];
        assert_eq!(pack_starts(&sizes), vec![0, 2, 3, 4, 5]);
        assert_eq!(pack_starts(&[]), Vec::<u32>::new());
        assert_eq!(pack_starts(&[5]), vec![0]);
    }

    #[test]
    fn a_section_round_trips() {
        let heads: Vec<String> = (0..5)
            .map(|i| statement(&format!("d/{i}"), &"\"x\"".repeat(i * 9000 + 1)))
            .collect();
        let tails: Vec<String> = (0..5)
            .map(|i| statement(&format!("d/{i}-1"), "1"))
            .collect();
        let sizes: Vec<usize> = heads
            .iter()
            .zip(&tails)
            .map(|(h, t)| h.len() + t.len())
            .collect();
        let starts = pack_starts(&sizes);
        let (files, dir) = write_section("d", &heads, &tails, &starts);
        let sec = Section::read("d", &dir).unwrap();
        assert_eq!(sec.len(), 5);
        for i in 0..5 {
            let s = sec.spot(i).unwrap();
            let text = &files.iter().find(|f| f.0 == s.file).unwrap().1;
            let (key, _) = parse_statement(&text[s.offset..s.offset + s.len]).unwrap();
            assert_eq!(key, format!("d/{i}"));
        }
        // Tails follow the heads of their pack, in order.
        let pack_of_3 = sec.spot(3).unwrap().file;
        let first_in_pack = (0..5)
            .find(|&i| sec.spot(i).unwrap().file == pack_of_3)
            .unwrap();
        let before: usize = tails[first_in_pack..3].iter().map(String::len).sum();
        let t = sec.tail_spot(3, before, tails[3].len()).unwrap();
        let text = &files.iter().find(|f| f.0 == t.file).unwrap().1;
        assert_eq!(&text[t.offset..t.offset + t.len], tails[3]);
    }

    #[test]
    fn shards_are_found_through_their_packs_directory() {
        // Sizes that make several packs, one shard larger than a pack.
        let shards: Vec<String> = (0..40)
            .map(|i| {
                statement(
                    &format!("s/{i}"),
                    &format!(
                        "\"{}\"",
                        "x".repeat(if i == 7 { 70_000 } else { 5_000 + i * 37 })
                    ),
                )
            })
            .collect();
        let (files, dir) = write_shard_section("s", &shards);
        assert!(files.len() > 2);
        let sec = ShardSection::read("s", &dir, shards.len()).unwrap();
        let text = |f: &str| &files.iter().find(|x| x.0 == f).unwrap().1;
        for (i, want) in shards.iter().enumerate() {
            let p = sec.pack_of(i).unwrap();
            let d = sec.dir_spot(p).unwrap();
            let (key, json) = parse_statement(&text(&d.file)[d.offset..d.offset + d.len]).unwrap();
            assert_eq!(key, format!("sd/{p}"));
            let lens = codec::decode_list(&serde_json::from_str::<String>(json).unwrap()).unwrap();
            let s = sec.spot(i, &lens).unwrap();
            assert_eq!(&text(&s.file)[s.offset..s.offset + s.len], want);
            // A directory of the wrong pack does not fit.
            assert!(sec.spot(i, &lens[1..]).is_none());
        }
        assert!(sec.pack_of(shards.len()).is_none());
        // A manifest that does not match the shard count is refused.
        assert!(ShardSection::read("s", &dir, 3).is_err());
    }

    #[test]
    fn damaged_directories_are_refused() {
        let bad = json!([codec::encode_list(&[3, 4]), codec::encode_list(&[1])]);
        assert!(Section::read("s", &bad).is_err());
        let bad = json!([codec::encode_list(&[3, 4]), codec::encode_list(&[0, 0])]);
        assert!(Section::read("s", &bad).is_err());
    }

    #[test]
    fn statements_parse() {
        let s = statement("f/tag-2", "{\"a\":[1,2]}");
        assert_eq!(
            parse_statement(&s),
            Some(("f/tag-2".to_string(), "{\"a\":[1,2]}"))
        );
        assert_eq!(parse_statement("alert(1)"), None);
    }
}
