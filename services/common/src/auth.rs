//! Bearer-token checks for the HTTP APIs. Tokens are compared in constant time and never logged.

use subtle::ConstantTimeEq;

/// True when `header` (the `Authorization` header's value, if any) carries `expected` as a bearer
/// token. With no token configured every request is allowed.
pub fn bearer_allows(expected: Option<&str>, header: Option<&str>) -> bool {
    let Some(expected) = expected else {
        return true;
    };
    let Some(given) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    // Lengths differ → not equal; ct_eq on equal lengths keeps the comparison constant-time.
    given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::bearer_allows;

    #[test]
    fn only_the_configured_bearer_token_is_let_in() {
        assert!(bearer_allows(None, None));
        assert!(bearer_allows(Some("s3cret"), Some("Bearer s3cret")));
        assert!(!bearer_allows(Some("s3cret"), Some("Bearer s3cre")));
        assert!(!bearer_allows(Some("s3cret"), Some("s3cret")));
        assert!(!bearer_allows(Some("s3cret"), None));
    }
}
