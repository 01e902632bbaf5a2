//! PDF: typeset by the embedded typst engine ([`typeset`], see
//! [`super::typeset`]) when qunshu is built with the `typst` feature (the
//! default); otherwise the print page printed by headless Chromium
//! (`--print-to-pdf`, [`print`]).
//!
//! Chromium is found as `$QUNSHU_CHROMIUM`, else `chromium`,
//! `chromium-browser`, `google-chrome` or `google-chrome-stable` on the
//! PATH. It runs with a fresh profile in a temporary folder, no network
//! services, and a time limit.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Why no PDF was made.
#[derive(Debug)]
pub enum PdfError {
    /// No Chromium on this machine.
    NoBrowser,
    /// Chromium ran and failed, or took too long.
    Failed(String),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::NoBrowser => f.write_str(
                "no PDF: Chromium is not installed (install it, e.g. `apt-get install chromium fonts-noto-cjk`, or set QUNSHU_CHROMIUM to the browser's path); the HTML page can also be printed to PDF from any browser",
            ),
            PdfError::Failed(m) => write!(f, "no PDF: {m}"),
        }
    }
}

/// True when the PDF is typeset by the embedded typst engine (the `typst`
/// feature); false when it is printed by Chromium.
pub const TYPESET: bool = cfg!(feature = "typst");

/// Typesets `book` with typst and writes the PDF to `out`.
#[cfg(feature = "typst")]
pub fn typeset(book: &super::Book<'_>, out: &Path) -> Result<(), PdfError> {
    let bytes = super::typeset::render(book).map_err(PdfError::Failed)?;
    crate::core::atomic::write(out, &bytes, crate::core::atomic::Replace::Yes)
        .map_err(|e| PdfError::Failed(format!("cannot write {}: {e}", out.display())))
}

/// Without the `typst` feature there is no typesetter: the PDF is printed by
/// Chromium ([`print`]).
#[cfg(not(feature = "typst"))]
pub fn typeset(_book: &super::Book<'_>, _out: &Path) -> Result<(), PdfError> {
    Err(PdfError::Failed(
        "this qunshu was built without the `typst` feature".to_string(),
    ))
}

/// The Chromium executable, if any.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("QUNSHU_CHROMIUM") {
        let p = PathBuf::from(p);
        return if p.is_file() { Some(p) } else { None };
    }
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let c = dir.join(name);
            if c.is_file() {
                return Some(c);
            }
        }
    }
    None
}

/// Prints `html` (a file) to the PDF `out` with headless Chromium.
pub fn print(html: &Path, out: &Path, timeout: Duration) -> Result<(), PdfError> {
    let chromium = find_chromium().ok_or(PdfError::NoBrowser)?;
    let html = html
        .canonicalize()
        .map_err(|e| PdfError::Failed(format!("cannot find {}: {e}", html.display())))?;
    let profile = tempfile::tempdir()
        .map_err(|e| PdfError::Failed(format!("cannot make a temporary folder: {e}")))?;
    let dir = out.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".qunshu-pdf")
        .suffix(".pdf")
        .tempfile_in(dir)
        .map_err(|e| PdfError::Failed(format!("cannot write in {}: {e}", dir.display())))?;
    let url = format!(
        "file://{}",
        crate::core::slug::encode_path(&html.to_string_lossy())
    );
    let mut child = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", tmp.path().display()))
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(
            std::fs::File::create(profile.path().join("chromium.log"))
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null()),
        )
        .spawn()
        .map_err(|e| PdfError::Failed(format!("cannot run {}: {e}", chromium.display())))?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(PdfError::Failed(format!(
                    "Chromium did not finish within {} seconds",
                    timeout.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(PdfError::Failed(format!("waiting for Chromium: {e}"))),
        }
    };
    let stderr = std::fs::read_to_string(profile.path().join("chromium.log")).unwrap_or_default();
    let size = std::fs::metadata(tmp.path()).map(|m| m.len()).unwrap_or(0);
    if !status.success() || size == 0 {
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(PdfError::Failed(format!(
            "Chromium failed ({status}){}",
            if tail.is_empty() {
                String::new()
            } else {
                format!(
                    ": {}",
                    tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
                )
            }
        )));
    }
    crate::core::atomic::persist(tmp, out, crate::core::atomic::Replace::Yes)
        .map_err(|e| PdfError::Failed(format!("cannot write {}: {e}", out.display())))?;
    Ok(())
}
