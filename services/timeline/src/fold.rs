//! Search keys that fold scripts and romanisation, so a reader finds 曹立强 whether they type
//! 曹立强, 曹立強 (traditional) or `Cao Liqiang` / `caoliqiang` (pinyin, any case or spacing).
//!
//! A key is the text with traditional characters as simplified (the extractor's own table,
//! [`dongtai_engine::to_simplified`]), letters in lower case and whitespace removed. A name also
//! has a romanised key, the key of its [`crate::pinyin::romanise`]: a query written only in Latin
//! letters is compared with that as well.

use std::collections::HashMap;

/// The search key of `text`.
pub fn key(text: &str) -> String {
    folded(text).collect()
}

/// The characters of [`key`], without building it.
fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(dongtai_engine::simplified_char)
        .flat_map(char::to_lowercase)
}

/// The key of a romanisation (Latin letters only: no script to fold).
fn latin_key(romanised: &str) -> String {
    romanised
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// True when `key` could be a romanisation (Latin letters only, after [`key`]).
pub fn is_romanised(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase())
}

/// A query term, with its key worked out once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// As the client wrote it.
    pub given: String,
    /// Its [`key`].
    pub key: String,
}

impl Term {
    /// The term `given`.
    pub fn new(given: &str) -> Self {
        Term {
            given: given.to_owned(),
            key: key(given),
        }
    }

    /// True when the name `name` (as an article wrote it) is this term: the same key, or, for a
    /// term in Latin letters, the same romanisation.
    ///
    /// Called on every stored actor name by an actor query, so it allocates nothing for a name
    /// in Chinese, and works out a romanisation only for a name whose first syllable could
    /// begin the term.
    pub fn names(&self, name: &str) -> bool {
        if name == self.given {
            return true;
        }
        folded(name).eq(self.key.chars())
            || (is_romanised(&self.key)
                && self.romanisation_starts(name)
                && crate::pinyin::romanise(name).is_some_and(|r| latin_key(&r) == self.key))
    }

    /// True when some reading of `name`'s first character begins this (romanised) term.
    fn romanisation_starts(&self, name: &str) -> bool {
        crate::pinyin::first_readings(name).any(|r| self.key.starts_with(r))
    }

    /// True when `text` contains this term, scripts folded.
    pub fn is_in(&self, text: &str) -> bool {
        text.contains(&self.given) || key(text).contains(&self.key)
    }

    /// True when the romanisation of the name `name` contains this term (a term in Latin
    /// letters only).
    pub fn is_in_romanised(&self, name: &str) -> bool {
        is_romanised(&self.key)
            && crate::pinyin::romanise(name).is_some_and(|r| latin_key(&r).contains(&self.key))
    }
}

/// Ways readers write 曹立强 (the tests of every search that folds).
/// Stored names by [`key`] and by the key of their romanisation, so a folded actor query finds
/// the names that answer it with two hash lookups instead of folding every name.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    by_key: HashMap<String, Vec<String>>,
    by_romanisation: HashMap<String, Vec<String>>,
}

impl NameIndex {
    /// Add a stored name (again is harmless).
    pub fn add(&mut self, name: &str) {
        let put = |map: &mut HashMap<String, Vec<String>>, k: String| {
            let names = map.entry(k).or_default();
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        };
        put(&mut self.by_key, key(name));
        if let Some(r) = crate::pinyin::romanise(name) {
            put(&mut self.by_romanisation, latin_key(&r));
        }
    }

    /// The stored names `term` names ([`Term::names`]), and the term as written (an exact name
    /// is always looked up, even one stored after this index was brought up to date).
    pub fn lookup(&self, term: &Term) -> Vec<String> {
        let mut out = vec![term.given.clone()];
        let romanised = is_romanised(&term.key)
            .then(|| self.by_romanisation.get(&term.key))
            .flatten();
        for name in self
            .by_key
            .get(&term.key)
            .into_iter()
            .chain(romanised)
            .flatten()
        {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }
}

#[cfg(test)]
pub(crate) const CAO_LIQIANG_AS_TYPED: [&str; 6] = [
    "曹立强",
    "曹立強",
    "Cao Liqiang",
    "caoliqiang",
    "CAO LIQIANG",
    " cao  li qiang ",
];

#[cfg(test)]
mod tests {
    use super::{CAO_LIQIANG_AS_TYPED, Term};

    #[test]
    fn traditional_script_and_pinyin_in_any_case_or_spacing_name_the_same_person() {
        for given in CAO_LIQIANG_AS_TYPED {
            assert!(Term::new(given).names("曹立强"), "{given}");
            assert!(
                Term::new(given).names("曹立強"),
                "{given} (written traditional)"
            );
        }
        assert!(!Term::new("Cao Liqian").names("曹立强"));
        assert!(!Term::new("曹立").names("曹立强"));
        assert!(Term::new("立強").is_in("区委书记曹立强来到"));
        assert!(Term::new("liqiang").is_in_romanised("曹立强"));
        assert!(!Term::new("立强").is_in_romanised("曹立强"));
    }

    #[test]
    fn the_name_index_finds_what_term_names_finds() {
        let mut index = super::NameIndex::default();
        for name in ["曹立强", "曹立強", "钟晓咏", "John Smith"] {
            index.add(name);
        }
        for given in CAO_LIQIANG_AS_TYPED {
            let found = index.lookup(&Term::new(given));
            assert_eq!(found[0], given, "the term as written comes first");
            let mut stored: Vec<&String> = found.iter().filter(|n| n.contains('曹')).collect();
            stored.sort();
            stored.dedup();
            assert_eq!(stored, ["曹立強", "曹立强"], "{given}");
            assert!(found.len() <= 3, "{found:?}");
        }
        assert!(
            index
                .lookup(&Term::new("JOHN smith"))
                .contains(&"John Smith".to_owned())
        );
        assert_eq!(index.lookup(&Term::new("王某")), ["王某"]);
    }
}
