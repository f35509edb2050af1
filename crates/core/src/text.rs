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

/// A character no text a person typed may hold: control characters (but
/// tab, line feed and carriage return where `multiline`), and the bidirectional
/// overrides and isolates that make a text read differently from what it
/// stores (CVE-2021-42574, "Trojan Source"), and the byte-order mark.
pub fn forbidden_char(s: &str, multiline: bool) -> Option<char> {
    s.chars().find(|&c| {
        let line = matches!(c, '\t' | '\n' | '\r');
        (c.is_control() && !(multiline && line))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{FEFF}')
            || ('\u{E000}'..='\u{F8FF}').contains(&c)
            || c == '\u{FFFD}'
    })
}

/// Why a name cannot be a person's or an organisation's name, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("tên không được để trống")]
    Empty,
    #[error("tên dài quá {max} ký tự")]
    TooLong { max: usize },
    #[error(
        "tên có ký tự không được phép `{shown}` (U+{code:04X}): chỉ dùng chữ cái tiếng Việt hoặc chữ Latinh, chữ số, dấu cách và các dấu . , ' - ( ) / &"
    )]
    Character { shown: String, code: u32 },
}

/// The longest name kept (the national record's `ChuHoSo` is 255 bytes; a
/// Vietnamese letter takes up to 3).
pub const NAME_MAX_CHARS: usize = 200;

/// Whether `c` is a letter of the Latin script (Vietnamese included) or a
/// combining mark that Vietnamese letters are spelt with when decomposed.
fn latin_letter(c: char) -> bool {
    c.is_alphabetic()
        && matches!(c as u32,
            0x41..=0x5A | 0x61..=0x7A | 0xAA | 0xBA | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F
            | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF)
}

/// Checks the name of a person or an organisation as the law writes it: the
/// letters of Vietnamese and other Latin scripts, digits (an organisation's
/// name may hold them), spaces and the punctuation names use. Everything else
/// (emoji, other scripts the slips' fonts cannot print, control and
/// bidirectional-override characters) is refused, naming the character.
pub fn check_name(s: &str) -> Result<(), NameError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(NameError::Empty);
    }
    if t.chars().count() > NAME_MAX_CHARS {
        return Err(NameError::TooLong {
            max: NAME_MAX_CHARS,
        });
    }
    for c in t.nfc() {
        let ok = latin_letter(c)
            || is_combining_mark(c) && ('\u{300}'..='\u{36F}').contains(&c)
            || c.is_ascii_digit()
            || c == ' '
            || matches!(c, '.' | ',' | '\'' | '’' | '-' | '(' | ')' | '/' | '&');
        if !ok {
            let shown = if c.is_control() || forbidden_char(&c.to_string(), false).is_some() {
                String::new()
            } else {
                c.to_string()
            };
            return Err(NameError::Character {
                shown,
                code: c as u32,
            });
        }
    }
    Ok(())
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

    #[test]
    fn names_of_people_and_organisations() {
        for ok in [
            "Nguyễn Văn An",
            "HOÀNG THỊ THU HƯƠNG",
            "Công ty TNHH Xây dựng 19/5",
            "O'Brien-Smith",
            "Müller & Søn",
            "Đặng Ngọc Bảo (con)",
        ] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
        // Decomposed marks are accepted as the same letters.
        let nfd: String = "Nguyễn".nfd().collect();
        assert_eq!(check_name(&nfd), Ok(()));
        assert_eq!(check_name("  "), Err(NameError::Empty));
        assert!(matches!(
            check_name(&"a".repeat(201)),
            Err(NameError::TooLong { .. })
        ));
        for bad in [
            "Nguyễn 😀",
            "Иван",
            "李明",
            "A\u{202E}B",
            "A\u{0007}",
            "A\u{FEFF}",
            "A<b>",
        ] {
            let e = check_name(bad).unwrap_err();
            assert!(matches!(e, NameError::Character { .. }), "{bad}: {e}");
        }
        let e = check_name("An\u{202E}").unwrap_err().to_string();
        assert!(e.contains("U+202E"), "{e}");
    }

    #[test]
    fn forbidden_characters() {
        assert_eq!(forbidden_char("Ngày nghỉ bù", false), None);
        assert_eq!(forbidden_char("a\nb", true), None);
        assert_eq!(forbidden_char("a\nb", false), Some('\n'));
        assert_eq!(forbidden_char("x\u{2067}y", true), Some('\u{2067}'));
    }

    proptest! {
        #[test]
        fn check_name_never_panics_and_accepts_only_what_it_says(s in "\\PC{0,60}") {
            if check_name(&s).is_ok() {
                prop_assert!(forbidden_char(&s, false).is_none());
                prop_assert!(!s.trim().is_empty());
            }
        }
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
