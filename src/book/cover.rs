//! The cover drawn when `[book] cover` names no image: the book's title,
//! subtitle, community and season on the book's colours (the same design
//! as the typeset PDF's cover in `typeset/book.typ`), as a PNG for the
//! EPUB (e-readers show a raster cover in their library; many ignore SVG).
//! Drawn by [`crate::core::draw`].

use super::Book;
use crate::core::draw::{escape, wrap};

/// Pixel size: 2:3, the shape of a book (1,200 × 1,800).
pub(crate) const WIDTH: u32 = 1200;
/// Height in pixels.
pub(crate) const HEIGHT: u32 = 1800;

/// The cover's SVG.
pub(crate) fn svg(book: &Book<'_>) -> String {
    const FG: &str = "#fbf5ea";
    const GOLD: &str = "#e8c98f";
    let x = 168.0; // 14% of the width, as on the PDF's cover
    let width_px = 864.0;
    let size: f32 = if book.title.chars().count() > 24 {
        84.0
    } else {
        104.0
    };
    let lines = wrap(&book.title, width_px / size, 5);
    let mut t = String::new();
    let mut y = 324.0 + 60.0 + size;
    for l in &lines {
        t.push_str(&format!(
            "<text x=\"{x}\" y=\"{y:.0}\" font-family=\"Noto Sans CJK SC, Source Han Sans SC, sans-serif\" font-size=\"{size}\" font-weight=\"700\" fill=\"{FG}\">{}</text>\n",
            escape(l)
        ));
        y += size * 1.3;
    }
    if let Some(s) = &book.subtitle {
        y += 20.0;
        for l in wrap(s, width_px / 44.0, 2) {
            t.push_str(&format!(
                "<text x=\"{x}\" y=\"{y:.0}\" font-family=\"Noto Serif CJK SC, Source Han Serif SC, serif\" font-size=\"44\" fill=\"{FG}\">{}</text>\n",
                escape(&l)
            ));
            y += 60.0;
        }
    }
    let community = wrap(&book.community.config.title, width_px / 48.0, 1).join("");
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\">\n\
<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#7b2d26\"/>\n\
<rect x=\"{x}\" y=\"324\" width=\"260\" height=\"5\" fill=\"{GOLD}\"/>\n\
{t}<text x=\"{x}\" y=\"1470\" font-family=\"Noto Sans CJK SC, Source Han Sans SC, sans-serif\" font-size=\"48\" fill=\"{FG}\">{}</text>\n\
<text x=\"{x}\" y=\"1540\" font-family=\"Noto Serif CJK SC, Source Han Serif SC, serif\" font-size=\"38\" fill=\"{GOLD}\">{}</text>\n</svg>\n",
        escape(&community),
        escape(&book.season()),
    )
}

/// The cover as a PNG.
pub(crate) fn png(book: &Book<'_>) -> anyhow::Result<Vec<u8>> {
    crate::core::draw::png(&svg(book), WIDTH, HEIGHT)
}
