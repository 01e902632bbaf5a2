//! YAML read safely: the depth limit checked before parsing, for front
//! matter and the members file alike. A leaf: imports nothing of ours.

/// The deepest nesting of lists and maps read in YAML (front matter and the
/// members file). Real front matter is at most two levels deep; a file
/// nested thousands of levels deep is refused before it is parsed, which
/// would take the YAML parser minutes.
pub(crate) const MAX_YAML_DEPTH: usize = 32;

/// The first line (1-based in `yaml`) where lists and maps nest more than
/// `max` levels deep, with that depth, found in one pass over the text
/// without parsing it. Block nesting is counted by indentation and by `- `
/// items opened on one line (`- - - x`), flow nesting by `[` and `{`
/// opened outside quotes and comments. It may count a level too many for
/// odd but valid YAML; it never misses a deep one.
pub(crate) fn too_deep(yaml: &str, max: usize) -> Option<(usize, usize)> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    // The indentation of the line that opened a `|` or `>` block of text.
    let mut text_block: Option<usize> = None;
    for (i, line) in yaml.lines().enumerate() {
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        if let Some(parent) = text_block {
            if content.is_empty() || indent > parent {
                continue;
            }
            text_block = None;
        }
        if flow == 0 && quote.is_none() {
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let value = content.split(" #").next().unwrap_or("").trim_end();
            let last = value.rsplit(' ').next().unwrap_or("");
            if last.starts_with(['|', '>'])
                && last[1..]
                    .chars()
                    .all(|c| matches!(c, '-' | '+' | '1'..='9'))
            {
                text_block = Some(indent);
            }
            while indents.last().is_some_and(|&top| top >= indent) {
                indents.pop();
            }
            indents.push(indent);
            let dashes = content
                .split_inclusive(' ')
                .take_while(|w| w.trim_end() == "-" || w.trim_end() == "?")
                .count();
            if indents.len() + dashes > max {
                return Some((i + 1, indents.len() + dashes));
            }
        }
        // Flow collections: `[` or `{` where a value starts (at the start of
        // the line, after `: `, `- ` or `? `, and inside a flow collection
        // after `[`, `{`, `,` or `:`); quotes likewise.
        let mut start = quote.is_none();
        let mut prev_space = true;
        let mut chars = content.chars().peekable();
        while let Some(c) = chars.next() {
            match quote {
                Some('"') if c == '\\' => {
                    chars.next();
                    continue;
                }
                Some(q) if c == q => {
                    if q == '\'' && chars.peek() == Some(&'\'') {
                        chars.next();
                    } else {
                        quote = None;
                        start = false;
                    }
                    continue;
                }
                Some(_) => continue,
                None => {}
            }
            let next_space = chars.peek().is_none_or(|n| n.is_whitespace());
            match c {
                '#' if prev_space => break,
                c if c.is_whitespace() => {}
                '"' | '\'' if start => quote = Some(c),
                '[' | '{' if start => {
                    flow += 1;
                    if indents.len() + flow > max {
                        return Some((i + 1, indents.len() + flow));
                    }
                }
                ']' | '}' if flow > 0 => {
                    flow -= 1;
                    start = false;
                }
                ',' if flow > 0 => start = true,
                ':' if flow > 0 || next_space => start = true,
                '-' | '?' if start && next_space => {}
                _ => start = false,
            }
            prev_space = c.is_whitespace();
        }
    }
    None
}
