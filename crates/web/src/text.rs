//! Small text helpers shared by pages, forms and slips: one home each.

/// `s` percent-encoded for a URL (everything but RFC 3986's unreserved
/// characters), safe in a path segment and in a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `text` on one line, at most `max` characters (an ellipsis marks a cut).
pub fn one_line(text: &str, max: usize) -> String {
    let s = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        return s;
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_lines() {
        assert_eq!(
            urlencode("/workspace/?hang=qua hạn"),
            "%2Fworkspace%2F%3Fhang%3Dqua%20h%E1%BA%A1n"
        );
        assert_eq!(urlencode("H55.305.1-261130-0001"), "H55.305.1-261130-0001");
        assert_eq!(one_line("  a\n b  ", 10), "a b");
        assert_eq!(one_line("abcdef", 4), "abc…");
    }
}
