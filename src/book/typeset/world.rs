//! The typst `World` of one book: its generated main source, the images the
//! book packages (nothing else can be read), the fonts of `[book] fonts`
//! and of the system, and a fixed date.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;

/// A book's world.
pub(crate) struct BookWorld {
    library: LazyHash<Library>,
    fonts: &'static FontStore,
    main: Source,
    files: HashMap<FileId, PathBuf>,
    today: Datetime,
}

fn file_id(path: &str) -> Option<FileId> {
    let v = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, v).intern())
}

/// The fonts of the folders and files in `extra` (first) and of the system,
/// loaded once per process.
pub(crate) fn fonts(extra: &[PathBuf]) -> &'static FontStore {
    static STORES: OnceLock<std::sync::Mutex<HashMap<Vec<PathBuf>, &'static FontStore>>> =
        OnceLock::new();
    let map = STORES.get_or_init(Default::default);
    let mut map = match map.lock() {
        Ok(m) => m,
        Err(p) => p.into_inner(),
    };
    if let Some(s) = map.get(extra) {
        return s;
    }
    let mut store = FontStore::new();
    for p in extra {
        store.extend(typst_kit::fonts::scan(p));
    }
    store.extend(typst_kit::fonts::system());
    let store: &'static FontStore = Box::leak(Box::new(store));
    map.insert(extra.to_vec(), store);
    store
}

impl BookWorld {
    /// A world whose main file is `source`; `images` maps paths inside the
    /// book (`images/x.png`) to files.
    pub(crate) fn new(
        source: String,
        images: &[(String, PathBuf)],
        fonts: &'static FontStore,
        date: chrono::NaiveDate,
    ) -> BookWorld {
        use chrono::Datelike;
        let main_id = file_id("/book.typ").expect("a constant valid path");
        let mut files = HashMap::new();
        for (href, path) in images {
            if let Some(id) = file_id(&format!("/{href}")) {
                files.insert(id, path.clone());
            }
        }
        let today = Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8)
            .unwrap_or(Datetime::from_ymd(2000, 1, 1).expect("a valid date"));
        BookWorld {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            main: Source::new(main_id, source),
            files,
            today,
        }
    }

    /// The 1-based line of a byte offset in the main source.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        let t = self.main.text();
        t[..offset.min(t.len())].matches('\n').count() + 1
    }
}

impl World for BookWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        let path = self
            .files
            .get(&id)
            .ok_or_else(|| FileError::NotFound(PathBuf::from(id.get().vpath().get_with_slash())))?;
        std::fs::read(path)
            .map(Bytes::new)
            .map_err(|e| FileError::from_io(e, Path::new(path)))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
