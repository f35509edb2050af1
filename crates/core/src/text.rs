//! Vietnamese text folding for diacritics-insensitive search.
//!
//! SQLite's and PostgreSQL's own folding disagree (SQLite's unicode61 tokenizer
//! keeps `đ`), so motcua folds in Rust, stores the folded text beside the
//! original, and folds the user's query the same way. See docs/ARCHITECTURE.md.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases, strips every combining mark (tones and vowel marks) and maps
/// `đ`/`Đ` to `d`; every run of non-alphanumeric characters becomes one space.
///
/// `fold("Đăng ký KHAI SINH!")` is `"dang ky khai sinh"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            _ => c,
        };
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                out.push(l);
            }
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Strips tones and vowel marks and maps `đ`/`Đ` to `d`/`D`, keeping case,
/// spacing and punctuation: the form of Vietnamese that fits one GSM-7 SMS
/// segment (160 characters) instead of three UCS-2 ones.
///
/// `unaccent("Đã tiếp nhận hồ sơ")` is `"Da tiep nhan ho so"`.
pub fn unaccent(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            _ => c,
        })
        .collect()
}

/// The folded words of a query, without duplicates, in order.
pub fn fold_words(s: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for w in fold(s).split(' ').filter(|w| !w.is_empty()) {
        if !words.iter().any(|x| x == w) {
            words.push(w.to_string());
        }
    }
    words
}

/// Escapes `%`, `_` and `\` for a SQL `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unaccents_keeping_case() {
        assert_eq!(unaccent("Đã tiếp nhận hồ sơ"), "Da tiep nhan ho so");
        assert_eq!(unaccent("ĐỒNG HỶ, 09:00"), "DONG HY, 09:00");
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("ĐĂNG KÝ KHAI SINH"), "dang ky khai sinh");
        assert_eq!(
            fold("  Ủy ban nhân dân — huyện Đồng Hỷ "),
            "uy ban nhan dan huyen dong hy"
        );
        assert_eq!(fold("Hoà/Hòa"), "hoa hoa");
        assert_eq!(fold("1.001193"), "1 001193");
    }

    #[test]
    fn words_are_unique() {
        assert_eq!(fold_words("khai  sinh khai"), vec!["khai", "sinh"]);
        assert!(fold_words("  !! ").is_empty());
    }

    #[test]
    fn like_escape_escapes_wildcards() {
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(!once.chars().any(|c| c == 'đ' || c.is_uppercase() && c.is_ascii()));
        }
    }
}
