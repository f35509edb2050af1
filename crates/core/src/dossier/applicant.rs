//! The applicant (*chủ hồ sơ*): a citizen identified by the 12-digit personal
//! identification number, or an organisation identified by its tax code
//! (domain.md §6.5), with contact details and an optional authorised
//! representative (*người được ủy quyền*, domain.md §3.3).

use crate::codes::{CitizenId, CodeError, TaxCode};
use serde::{Deserialize, Serialize};

/// Longest accepted name or address, in characters.
pub const MAX_TEXT_CHARS: usize = 500;

/// Whether the applicant is a person or an organisation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// *Công dân*: identified by the 12-digit personal identification number.
    Citizen,
    /// *Tổ chức, doanh nghiệp*: identified by the tax code.
    Organisation,
}

impl ApplicantKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            ApplicantKind::Citizen => "citizen",
            ApplicantKind::Organisation => "organisation",
        }
    }

    pub const fn label_vi(self) -> &'static str {
        match self {
            ApplicantKind::Citizen => "Công dân",
            ApplicantKind::Organisation => "Tổ chức, doanh nghiệp",
        }
    }
}

/// Why applicant data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicantError {
    #[error("{field} không được để trống")]
    Empty { field: &'static str },
    #[error("{field} dài quá {MAX_TEXT_CHARS} ký tự")]
    TooLong { field: &'static str },
    #[error("{field} chứa ký tự điều khiển")]
    ControlCharacter { field: &'static str },
    #[error(transparent)]
    Id(#[from] CodeError),
    #[error("số điện thoại `{0}` không hợp lệ: cần 8 đến 15 chữ số, có thể bắt đầu bằng +")]
    Phone(String),
    #[error("địa chỉ thư điện tử `{0}` không hợp lệ")]
    Email(String),
    #[error("người được ủy quyền: {0}")]
    Representative(Box<ApplicantError>),
    #[error("{field}: {source}")]
    Name {
        field: &'static str,
        source: crate::text::NameError,
    },
    #[error("{field} có ký tự không được phép (U+{code:04X})")]
    Forbidden { field: &'static str, code: u32 },
}

/// The checks of a name and an address typed at an entry point.
fn check_entered(
    name_field: &'static str,
    name: &str,
    address_field: &'static str,
    address: &str,
) -> Result<(), ApplicantError> {
    crate::text::check_name(name).map_err(|source| ApplicantError::Name {
        field: name_field,
        source,
    })?;
    if let Some(c) = crate::text::forbidden_char(address, false) {
        return Err(ApplicantError::Forbidden {
            field: address_field,
            code: c as u32,
        });
    }
    Ok(())
}

/// An authorised representative (*người được ủy quyền*), stored separately
/// from the applicant.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representative {
    pub full_name: String,
    pub id_number: CitizenId,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: String,
}

/// The applicant of a dossier. Built with [`Applicant::new`] or deserialised
/// (both validate); [`Applicant::validate`] checks a value built by hand.
///
/// JSON: `{"kind": "citizen", "full_name": …, "id_number": …, "phone": …,
/// "email": …, "address": …, "representative": {…}}`; an empty phone or
/// e-mail is read as absent.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ApplicantWire")]
pub struct Applicant {
    pub kind: ApplicantKind,
    pub full_name: String,
    /// 12-digit personal identification number of a citizen, tax code of an
    /// organisation.
    pub id_number: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: String,
    pub representative: Option<Representative>,
}

#[derive(Deserialize)]
struct ApplicantWire {
    kind: ApplicantKind,
    full_name: String,
    id_number: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    address: String,
    #[serde(default)]
    representative: Option<Representative>,
}

impl TryFrom<ApplicantWire> for Applicant {
    type Error = ApplicantError;
    fn try_from(w: ApplicantWire) -> Result<Self, Self::Error> {
        let a = Applicant::new(
            w.kind,
            &w.full_name,
            &w.id_number,
            w.phone.as_deref(),
            w.email.as_deref(),
            &w.address,
        )?;
        match w.representative {
            Some(r) => a.with_representative(r),
            None => Ok(a),
        }
    }
}

/// Trimmed text, `None` when empty.
fn optional(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn check_text(field: &'static str, s: &str, required: bool) -> Result<(), ApplicantError> {
    if required && s.trim().is_empty() {
        return Err(ApplicantError::Empty { field });
    }
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(ApplicantError::TooLong { field });
    }
    if s.chars().any(char::is_control) {
        return Err(ApplicantError::ControlCharacter { field });
    }
    Ok(())
}

/// 8..=15 digits, an optional leading `+`; spaces, dots, dashes and
/// parentheses are allowed as separators.
pub fn is_valid_phone(s: &str) -> bool {
    let s = s.trim();
    let body = s.strip_prefix('+').unwrap_or(s);
    let mut digits = 0;
    for c in body.chars() {
        match c {
            '0'..='9' => digits += 1,
            ' ' | '.' | '-' | '(' | ')' => {}
            _ => return false,
        }
    }
    (8..=15).contains(&digits)
}

/// A basic check: one `@`, a non-empty local part, a domain with a dot and
/// non-empty labels, no white space, at most 254 characters.
pub fn is_valid_email(s: &str) -> bool {
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

fn check_contact(phone: Option<&str>, email: Option<&str>) -> Result<(), ApplicantError> {
    if let Some(p) = phone
        && !is_valid_phone(p)
    {
        return Err(ApplicantError::Phone(p.to_string()));
    }
    if let Some(e) = email
        && !is_valid_email(e)
    {
        return Err(ApplicantError::Email(e.to_string()));
    }
    Ok(())
}

impl Representative {
    /// A validated representative (text trimmed; empty phone/e-mail → absent).
    pub fn new(
        full_name: &str,
        id_number: &str,
        phone: Option<&str>,
        email: Option<&str>,
        address: &str,
    ) -> Result<Self, ApplicantError> {
        let r = Representative {
            full_name: full_name.trim().to_string(),
            id_number: CitizenId::new(id_number)?,
            phone: optional(phone),
            email: optional(email),
            address: address.trim().to_string(),
        };
        r.validate()?;
        Ok(r)
    }

    pub fn validate(&self) -> Result<(), ApplicantError> {
        check_text("họ tên người được ủy quyền", &self.full_name, true)?;
        check_text("địa chỉ người được ủy quyền", &self.address, false)?;
        check_contact(self.phone.as_deref(), self.email.as_deref())
    }
}

impl Applicant {
    /// A validated applicant: text is trimmed, an empty phone or e-mail is
    /// absent, the identifier must match the kind (12-digit personal number or
    /// tax code).
    pub fn new(
        kind: ApplicantKind,
        full_name: &str,
        id_number: &str,
        phone: Option<&str>,
        email: Option<&str>,
        address: &str,
    ) -> Result<Self, ApplicantError> {
        let a = Applicant {
            kind,
            full_name: full_name.trim().to_string(),
            id_number: id_number.trim().to_string(),
            phone: optional(phone),
            email: optional(email),
            address: address.trim().to_string(),
            representative: None,
        };
        a.validate()?;
        Ok(a)
    }

    /// The same applicant acting through `rep`.
    pub fn with_representative(mut self, rep: Representative) -> Result<Self, ApplicantError> {
        rep.validate()
            .map_err(|e| ApplicantError::Representative(Box::new(e)))?;
        self.representative = Some(rep);
        Ok(self)
    }

    /// Checks every field (used for values built by hand).
    pub fn validate(&self) -> Result<(), ApplicantError> {
        check_text("họ tên người nộp hồ sơ", &self.full_name, true)?;
        check_text("địa chỉ", &self.address, false)?;
        // The stored number must be the canonical (trimmed) spelling.
        let canonical = match self.kind {
            ApplicantKind::Citizen => CitizenId::new(&self.id_number)?.as_str() == self.id_number,
            ApplicantKind::Organisation => {
                TaxCode::new(&self.id_number)?.as_str() == self.id_number
            }
        };
        if !canonical {
            let id = self.id_number.clone();
            return Err(ApplicantError::Id(match self.kind {
                ApplicantKind::Citizen => CodeError::CitizenId(id),
                ApplicantKind::Organisation => CodeError::TaxCode(id),
            }));
        }
        check_contact(self.phone.as_deref(), self.email.as_deref())?;
        if let Some(r) = &self.representative {
            r.validate()
                .map_err(|e| ApplicantError::Representative(Box::new(e)))?;
        }
        Ok(())
    }

    /// The stricter checks of data typed at an entry point (the desk, the
    /// portal, the API, an import), on top of [`Applicant::validate`]:
    /// names hold only what a name may ([`crate::text::check_name`]: the
    /// letters of Vietnamese and other Latin scripts, digits, spaces,
    /// common punctuation), addresses no control or bidirectional-override
    /// characters. Not applied when stored dossiers are read, so a row
    /// stored before these checks still reads.
    pub fn check_entry(&self) -> Result<(), ApplicantError> {
        check_entered(
            "họ tên người nộp hồ sơ",
            &self.full_name,
            "địa chỉ",
            &self.address,
        )?;
        if let Some(r) = &self.representative {
            check_entered(
                "họ tên người được ủy quyền",
                &r.full_name,
                "địa chỉ người được ủy quyền",
                &r.address,
            )?;
        }
        Ok(())
    }

    /// The personal identification number of a citizen applicant.
    pub fn citizen_id(&self) -> Option<CitizenId> {
        match self.kind {
            ApplicantKind::Citizen => CitizenId::new(&self.id_number).ok(),
            ApplicantKind::Organisation => None,
        }
    }

    /// The tax code of an organisation applicant.
    pub fn tax_code(&self) -> Option<TaxCode> {
        match self.kind {
            ApplicantKind::Organisation => TaxCode::new(&self.id_number).ok(),
            ApplicantKind::Citizen => None,
        }
    }

    /// True when `id_number` is the applicant's or the representative's
    /// identifier: who may act on the dossier from the portal.
    pub fn is_identified_by(&self, id_number: &str) -> bool {
        let id = id_number.trim();
        !id.is_empty()
            && (self.id_number == id
                || self
                    .representative
                    .as_ref()
                    .is_some_and(|r| r.id_number.as_str() == id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citizen() -> Applicant {
        Applicant::new(
            ApplicantKind::Citizen,
            "  Nguyễn Văn An ",
            "019203001234",
            Some("0912 345 678"),
            Some("an@example.vn"),
            "Xóm 1, xã Hóa Thượng, Thái Nguyên",
        )
        .unwrap()
    }

    #[test]
    fn citizen_and_organisation() {
        let a = citizen();
        assert_eq!(a.full_name, "Nguyễn Văn An");
        assert_eq!(a.citizen_id().unwrap().as_str(), "019203001234");
        assert!(a.tax_code().is_none());
        let o = Applicant::new(
            ApplicantKind::Organisation,
            "Công ty TNHH Chè Tân Cương",
            "4600100155-001",
            None,
            Some(""),
            "",
        )
        .unwrap();
        assert_eq!(o.tax_code().unwrap().main_part(), "4600100155");
        assert_eq!(o.email, None);
    }

    #[test]
    fn refusals() {
        let k = ApplicantKind::Citizen;
        let id = "019203001234";
        assert!(matches!(
            Applicant::new(k, "  ", id, None, None, ""),
            Err(ApplicantError::Empty { .. })
        ));
        assert!(matches!(
            Applicant::new(k, "An", "12345", None, None, ""),
            Err(ApplicantError::Id(_))
        ));
        assert!(matches!(
            Applicant::new(k, "An", "4600100155", None, None, ""),
            Err(ApplicantError::Id(_))
        ));
        assert!(matches!(
            Applicant::new(ApplicantKind::Organisation, "X", id, None, None, ""),
            Err(ApplicantError::Id(_))
        ));
        for bad in [
            "123",
            "09a2345678",
            "+84 912 345 678 999 99",
            "++84912345678",
        ] {
            assert!(
                matches!(
                    Applicant::new(k, "An", id, Some(bad), None, ""),
                    Err(ApplicantError::Phone(_))
                ),
                "{bad}"
            );
        }
        for bad in [
            "an", "an@", "@x.vn", "an@x", "a n@x.vn", "an@x..vn", "a@b@c.vn",
        ] {
            assert!(
                matches!(
                    Applicant::new(k, "An", id, None, Some(bad), ""),
                    Err(ApplicantError::Email(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            Applicant::new(k, "A\u{0}n", id, None, None, ""),
            Err(ApplicantError::ControlCharacter { .. })
        ));
        let long = "a".repeat(MAX_TEXT_CHARS + 1);
        assert!(matches!(
            Applicant::new(k, &long, id, None, None, ""),
            Err(ApplicantError::TooLong { .. })
        ));
    }

    #[test]
    fn phones() {
        for ok in [
            "0912345678",
            "+84 912 345 678",
            "(0208) 3855.123",
            "0208-3855123",
        ] {
            assert!(is_valid_phone(ok), "{ok}");
        }
    }

    #[test]
    fn representative() {
        let rep = Representative::new("Trần Thị Bình", "019303004321", None, None, "Thái Nguyên")
            .unwrap();
        let a = citizen().with_representative(rep).unwrap();
        assert!(a.is_identified_by("019203001234"));
        assert!(a.is_identified_by("019303004321"));
        assert!(!a.is_identified_by("019303004322"));
        assert!(!a.is_identified_by(""));
        let mut bad = a.representative.clone().unwrap();
        bad.full_name = String::new();
        assert!(matches!(
            citizen().with_representative(bad),
            Err(ApplicantError::Representative(_))
        ));
    }

    #[test]
    fn serde_validates() {
        let json = r#"{"kind":"citizen","full_name":"Nguyễn Văn An","id_number":"019203001234",
            "phone":"","email":"an@example.vn","address":"Thái Nguyên"}"#;
        let a: Applicant = serde_json::from_str(json).unwrap();
        assert_eq!(a.phone, None);
        let back: Applicant = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(back, a);
        let bad = json.replace("019203001234", "0192030012");
        assert!(serde_json::from_str::<Applicant>(&bad).is_err());
        let bad = json.replace("\"citizen\"", "\"robot\"");
        assert!(serde_json::from_str::<Applicant>(&bad).is_err());
    }
}
