//! Machine access (issue 8 §4): what an API token may do (its scopes), and
//! the signature of webhook deliveries to third parties. Pure.
//!
//! A token made without scopes acts with every right of its user (the
//! original `motcua token create USER`); a token with scopes may call only
//! the API paths those scopes cover, and never more than its user's roles
//! allow. A webhook delivery carries `X-Motcua-Signature: t=T,v1=HEX`, HEX
//! being HMAC-SHA256 under the webhook's secret of `T.BODY` (T = Unix
//! seconds): the receiver recomputes it, and refuses old timestamps so
//! that a captured delivery cannot be replayed later.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// A right of an API token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TokenScope {
    /// Read dossiers, their documents, slips and the ledger.
    #[serde(rename = "dossiers:read")]
    DossiersRead,
    /// Receive dossiers, act on them, attach documents (and read them).
    #[serde(rename = "dossiers:write")]
    DossiersWrite,
    /// Read the statistics, causes and index reports.
    #[serde(rename = "reports:read")]
    ReportsRead,
}

impl TokenScope {
    pub const ALL: [TokenScope; 3] = [
        TokenScope::DossiersRead,
        TokenScope::DossiersWrite,
        TokenScope::ReportsRead,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            TokenScope::DossiersRead => "dossiers:read",
            TokenScope::DossiersWrite => "dossiers:write",
            TokenScope::ReportsRead => "reports:read",
        }
    }

    pub fn parse(s: &str) -> Option<TokenScope> {
        TokenScope::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// Whether holding `self` grants `needed`.
    pub fn grants(self, needed: TokenScope) -> bool {
        self == needed || (self == TokenScope::DossiersWrite && needed == TokenScope::DossiersRead)
    }
}

/// The scope an API call needs (`read`: GET or HEAD), or `None` for a
/// path no scope covers (only a token without scopes may call it).
pub fn required_scope(read: bool, path: &str) -> Option<TokenScope> {
    let under = |p: &str| path == p || path.starts_with(&format!("{p}/"));
    if under("/api/reports") {
        read.then_some(TokenScope::ReportsRead)
    } else if under("/api/dossiers") || path.starts_with("/api/ledger") {
        Some(if read {
            TokenScope::DossiersRead
        } else {
            TokenScope::DossiersWrite
        })
    } else {
        None
    }
}

/// Whether a token with `scopes` (`None`: unrestricted) may make the call.
pub fn allows(scopes: Option<&[TokenScope]>, read: bool, path: &str) -> bool {
    match scopes {
        None => true,
        Some(have) => {
            required_scope(read, path).is_some_and(|need| have.iter().any(|h| h.grants(need)))
        }
    }
}

/// The `X-Motcua-Signature` header of a webhook delivery of `body` at
/// Unix time `t`.
pub fn webhook_signature(secret: &str, t: i64, body: &str) -> String {
    format!("t={t},v1={}", hmac_hex(secret, t, body))
}

fn hmac_hex(secret: &str, t: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body.as_bytes());
    crate::federation::to_hex(&mac.finalize().into_bytes())
}

/// Checks a webhook signature header as a receiver does: the HMAC matches
/// and the timestamp is within `tolerance` seconds of `now`.
pub fn verify_webhook_signature(
    secret: &str,
    header: &str,
    body: &str,
    now: i64,
    tolerance: i64,
) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", x)) => t = x.parse::<i64>().ok(),
            Some(("v1", x)) => v1 = Some(x.to_string()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let Ok(expected) = crate::federation::from_hex::<32>(&hmac_hex(secret, t, body)) else {
        return false;
    };
    let Ok(given) = crate::federation::from_hex::<32>(&v1) else {
        return false;
    };
    // Constant-time comparison of the two MACs.
    let same = expected
        .iter()
        .zip(given.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0;
    same && (now - t).abs() <= tolerance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_cover_their_paths_only() {
        use TokenScope::*;
        assert_eq!(
            required_scope(true, "/api/dossiers/X/slips/receipt.pdf"),
            Some(DossiersRead)
        );
        assert_eq!(
            required_scope(false, "/api/dossiers/X/actions"),
            Some(DossiersWrite)
        );
        assert_eq!(required_scope(true, "/api/ledger.pdf"), Some(DossiersRead));
        assert_eq!(
            required_scope(true, "/api/reports/statistics"),
            Some(ReportsRead)
        );
        assert_eq!(required_scope(false, "/api/reports/statistics"), None);
        assert_eq!(required_scope(true, "/api/dossiersX"), None);
        assert!(allows(None, false, "/api/anything"));
        assert!(allows(Some(&[DossiersWrite]), true, "/api/dossiers/X"));
        assert!(!allows(Some(&[DossiersRead]), false, "/api/dossiers"));
        assert!(!allows(Some(&[ReportsRead]), true, "/api/dossiers/X"));
        assert!(!allows(Some(&[]), true, "/api/reports/statistics"));
        assert_eq!(TokenScope::parse("reports:read"), Some(ReportsRead));
        assert_eq!(TokenScope::parse("admin"), None);
    }

    #[test]
    fn webhook_signatures_verify_and_refuse_changes_and_old_ones() {
        let h = webhook_signature("bí mật", 1_800_000_000, "{\"a\":1}");
        assert!(h.starts_with("t=1800000000,v1="));
        assert!(verify_webhook_signature(
            "bí mật",
            &h,
            "{\"a\":1}",
            1_800_000_100,
            300
        ));
        assert!(!verify_webhook_signature(
            "bí mật",
            &h,
            "{\"a\":2}",
            1_800_000_100,
            300
        ));
        assert!(!verify_webhook_signature(
            "khác",
            &h,
            "{\"a\":1}",
            1_800_000_100,
            300
        ));
        assert!(!verify_webhook_signature(
            "bí mật",
            &h,
            "{\"a\":1}",
            1_800_001_000,
            300
        ));
        assert!(!verify_webhook_signature(
            "bí mật",
            "t=1,v1=zz",
            "{}",
            1,
            300
        ));
    }
}

/// Failed sign-ins of one account from one address allowed before the
/// delays start.
pub const FREE_LOGIN_FAILURES: u32 = 3;
/// The longest wait between two sign-in attempts of one account from one
/// address.
pub const MAX_LOGIN_DELAY_SECONDS: u64 = 15 * 60;

/// How long an address must wait before it tries an account again after
/// `failures` consecutive failed sign-ins of that account from it: nothing
/// for the first [`FREE_LOGIN_FAILURES`], then 1, 2, 4, … seconds, at most
/// 15 minutes. Kept per (account, address), so a stranger slows only their
/// own guesses and never locks the officer out (OWASP ASVS 4.0 V2.2.1;
/// the Authentication Cheat Sheet's "account lockout" caveat).
pub fn login_delay(failures: u32) -> std::time::Duration {
    let over = failures.saturating_sub(FREE_LOGIN_FAILURES);
    if over == 0 {
        return std::time::Duration::ZERO;
    }
    let secs = 1u64
        .checked_shl(over - 1)
        .unwrap_or(u64::MAX)
        .min(MAX_LOGIN_DELAY_SECONDS);
    std::time::Duration::from_secs(secs)
}

#[cfg(test)]
mod login_tests {
    use super::*;

    #[test]
    fn delays_grow_and_stop_growing() {
        let d: Vec<u64> = (0..8).map(|n| login_delay(n).as_secs()).collect();
        assert_eq!(d, [0, 0, 0, 0, 1, 2, 4, 8]);
        assert_eq!(login_delay(40).as_secs(), MAX_LOGIN_DELAY_SECONDS);
        assert_eq!(login_delay(u32::MAX).as_secs(), MAX_LOGIN_DELAY_SECONDS);
    }
}
