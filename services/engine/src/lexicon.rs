//! Language knowledge as data: every table is a file under `src/lexicon/`, one entry a line, with
//! a comment header saying what belongs there. Tables are built once, on first use.

use dongtai_proto::EventKind;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// A set of words, looked up by char slice without allocating.
#[derive(Debug, Default)]
pub struct WordSet {
    words: HashSet<Vec<char>>,
    /// Lengths present, longest first.
    lens: Vec<usize>,
    /// Every first character of a word (a fast filter).
    firsts: HashSet<char>,
    /// Every last character of a word.
    lasts: HashSet<char>,
}

impl WordSet {
    fn from_lines(data: &str) -> Self {
        let mut set = WordSet::default();
        for line in entries(data) {
            let word = line.split_whitespace().next().unwrap_or("");
            if word.is_empty() {
                continue;
            }
            set.insert(word.chars().collect());
        }
        set
    }

    fn insert(&mut self, w: Vec<char>) {
        if let (Some(&f), Some(&l)) = (w.first(), w.last()) {
            self.firsts.insert(f);
            self.lasts.insert(l);
        }
        if !self.lens.contains(&w.len()) {
            self.lens.push(w.len());
            self.lens.sort_unstable_by(|a, b| b.cmp(a));
        }
        self.words.insert(w);
    }

    /// Length of the longest word starting at `text[i]`.
    pub fn longest_at(&self, text: &[char], i: usize) -> Option<usize> {
        let first = text.get(i)?;
        if !self.firsts.contains(first) {
            return None;
        }
        self.lens
            .iter()
            .copied()
            .find(|&l| i + l <= text.len() && self.words.contains(&text[i..i + l]))
    }

    /// Length of the longest word ending just before `text[end]`.
    pub fn longest_ending_at(&self, text: &[char], end: usize) -> Option<usize> {
        let last = text.get(end.checked_sub(1)?)?;
        if !self.lasts.contains(last) {
            return None;
        }
        self.lens
            .iter()
            .copied()
            .find(|&l| l <= end && self.words.contains(&text[end - l..end]))
    }

    /// Whether some word starts at `text[i]`.
    pub fn starts_at(&self, text: &[char], i: usize) -> bool {
        self.longest_at(text, i).is_some()
    }

    /// Start of the first occurrence of a word in `text[from..to]`, with its length.
    pub fn find(&self, text: &[char], from: usize, to: usize) -> Option<(usize, usize)> {
        let to = to.min(text.len());
        (from..to).find_map(|i| self.longest_at(&text[..to], i).map(|l| (i, l)))
    }
}

fn entries(data: &str) -> impl Iterator<Item = &str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

macro_rules! word_set {
    ($name:ident, $file:literal) => {
        pub static $name: LazyLock<WordSet> =
            LazyLock::new(|| WordSet::from_lines(include_str!(concat!("lexicon/", $file))));
    };
}

word_set!(TITLES, "titles.txt");
word_set!(OFFICIAL_TITLES, "official_titles.txt");
word_set!(ORG_SUFFIXES, "org_suffixes.txt");
word_set!(PLACE_SUFFIXES, "place_suffixes.txt");
word_set!(FOLLOWERS, "followers.txt");
word_set!(SPEECH_VERBS, "speech_verbs.txt");
word_set!(PARTICIPANT_VERBS, "participant_verbs.txt");
word_set!(LEAD_VERBS, "lead_verbs.txt");
word_set!(MEETING_MARKERS, "meeting_markers.txt");
word_set!(TALK_VERBS, "talk_verbs.txt");
word_set!(MOVEMENT_VERBS, "movement_verbs.txt");
word_set!(PLACE_STOPS, "place_stops.txt");
word_set!(NOT_KIND, "not_kind.txt");
word_set!(ACTION_TRIGGERS, "action_triggers.txt");
word_set!(PROTECTED, "protected_words.txt");
word_set!(SURNAMES, "surnames.txt");

/// Characters that rarely end a given name (see `weak_name_chars.txt`).
pub static WEAK_NAME_CHARS: LazyLock<HashSet<char>> = LazyLock::new(|| {
    entries(include_str!("lexicon/weak_name_chars.txt"))
        .filter_map(|l| l.chars().next())
        .collect()
});

/// Traditional → simplified, one character to one.
pub static TRAD_SIMP: LazyLock<HashMap<char, char>> = LazyLock::new(|| {
    entries(include_str!("lexicon/trad_simp.txt"))
        .filter_map(|l| {
            let mut cs = l.chars();
            Some((cs.next()?, cs.next()?))
        })
        .collect()
});

/// Kind cue → (kind, weight).
pub type KindWeights = HashMap<Vec<char>, (EventKind, u32)>;

/// Kind cues: word → (kind, weight).
pub static KIND_CUES: LazyLock<(WordSet, KindWeights)> = LazyLock::new(|| {
    let mut set = WordSet::default();
    let mut map = HashMap::new();
    for line in entries(include_str!("lexicon/kinds.txt")) {
        let mut parts = line.split_whitespace();
        let (Some(w), Some(k), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(kind), Ok(weight)) = (k.parse::<EventKind>(), n.parse::<u32>()) else {
            continue;
        };
        let w: Vec<char> = w.chars().collect();
        set.insert(w.clone());
        map.insert(w, (kind, weight));
    }
    (set, map)
});

/// A relative time word: days from the publication date, and whether the day is a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelativeDay {
    /// Days after publication (negative: before).
    pub offset: i64,
    /// Whether the word only says "recently".
    pub approx: bool,
}

/// Relative time words.
pub static TIME_WORDS: LazyLock<(WordSet, HashMap<Vec<char>, RelativeDay>)> = LazyLock::new(|| {
    let mut set = WordSet::default();
    let mut map = HashMap::new();
    for line in entries(include_str!("lexicon/time_words.txt")) {
        let mut parts = line.split_whitespace();
        let (Some(w), Some(n)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Ok(offset) = n.parse::<i64>() else {
            continue;
        };
        let approx = parts.next() == Some("approx");
        let w: Vec<char> = w.chars().collect();
        set.insert(w.clone());
        map.insert(w, RelativeDay { offset, approx });
    }
    (set, map)
});

/// Whether the word at `text[i..]` is a kind cue that is really part of a bigger non-cue word.
pub fn inside_not_kind(text: &[char], i: usize) -> bool {
    (i.saturating_sub(4)..=i).any(|s| NOT_KIND.longest_at(text, s).is_some_and(|l| s + l > i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_loads_with_entries() {
        for (name, set) in [
            ("titles", &*TITLES),
            ("surnames", &*SURNAMES),
            ("followers", &*FOLLOWERS),
            ("movement", &*MOVEMENT_VERBS),
        ] {
            assert!(set.words.len() > 10, "{name} has too few entries");
        }
        assert!(TRAD_SIMP.len() > 300);
        assert!(KIND_CUES.1.len() > 30);
        assert!(TIME_WORDS.1.len() > 5);
    }

    #[test]
    fn the_longest_title_word_is_found_at_a_position() {
        let t: Vec<char> = "区委副书记".chars().collect();
        assert_eq!(TITLES.longest_ending_at(&t, t.len()), Some(3));
    }
}
