//! Language knowledge as data: every table is a file under `src/lexicon/`, one entry a line, with
//! a comment header saying what belongs there. Tables are built once, on first use.

use dongtai_proto::{EventKind, PartOfDay};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// A fast non-cryptographic hasher (the Fx hash of rustc): lexicon keys are trusted data, and
/// SipHash was a sixth of the engine's time.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(b));
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// HashMap with the fast hasher.
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// HashSet with the fast hasher.
pub type FxSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// A set of characters: the Basic Multilingual Plane as bits, others in a small set.
#[derive(Debug, Clone)]
pub struct CharBits {
    bits: Box<[u64; 1024]>,
    other: FxSet<char>,
}

impl Default for CharBits {
    fn default() -> Self {
        CharBits {
            bits: Box::new([0; 1024]),
            other: FxSet::default(),
        }
    }
}

impl CharBits {
    fn insert(&mut self, c: char) {
        let u = c as usize;
        if u < 65536 {
            self.bits[u >> 6] |= 1 << (u & 63);
        } else {
            self.other.insert(c);
        }
    }

    /// Whether `c` is in the set.
    #[inline]
    pub fn contains(&self, c: char) -> bool {
        let u = c as usize;
        if u < 65536 {
            self.bits[u >> 6] & (1 << (u & 63)) != 0
        } else {
            self.other.contains(&c)
        }
    }
}

/// A set of words, looked up by char slice without allocating: a bit test on the first (or
/// last) character rejects most positions, then the few words sharing that character are
/// compared, longest first.
#[derive(Debug, Default)]
pub struct WordSet {
    by_first: FxMap<char, Vec<Box<[char]>>>,
    by_last: FxMap<char, Vec<Box<[char]>>>,
    /// Every first character of a word (a fast filter).
    firsts: CharBits,
    /// Every last character of a word.
    lasts: CharBits,
    len: usize,
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

    pub(crate) fn insert(&mut self, w: Vec<char>) {
        let (Some(&f), Some(&l)) = (w.first(), w.last()) else {
            return;
        };
        let firsts = self.by_first.entry(f).or_default();
        if firsts.iter().any(|x| x[..] == w[..]) {
            return;
        }
        self.firsts.insert(f);
        self.lasts.insert(l);
        firsts.push(w.clone().into_boxed_slice());
        firsts.sort_by_key(|x| std::cmp::Reverse(x.len()));
        let lasts = self.by_last.entry(l).or_default();
        lasts.push(w.into_boxed_slice());
        lasts.sort_by_key(|x| std::cmp::Reverse(x.len()));
        self.len += 1;
    }

    /// Length of the longest word starting at `text[i]`.
    ///
    /// Most positions are rejected by the bit test, so that test is inlined into the caller and
    /// only the comparison of words is a call (the call itself had cost more than the test).
    #[inline(always)]
    pub fn longest_at(&self, text: &[char], i: usize) -> Option<usize> {
        let first = *text.get(i)?;
        if !self.firsts.contains(first) {
            return None;
        }
        self.longest_from(&text[i..], first)
    }

    /// The comparison of words behind [`WordSet::longest_at`], kept out of line so the bit
    /// test inlined into callers stays small.
    #[inline(never)]
    fn longest_from(&self, rest: &[char], first: char) -> Option<usize> {
        self.by_first
            .get(&first)?
            .iter()
            .find(|w| rest.starts_with(w))
            .map(|w| w.len())
    }

    /// Length of the longest word ending just before `text[end]` (the bit test inlined, as in
    /// [`WordSet::longest_at`]).
    #[inline(always)]
    pub fn longest_ending_at(&self, text: &[char], end: usize) -> Option<usize> {
        let last = *text.get(end.checked_sub(1)?)?;
        if !self.lasts.contains(last) {
            return None;
        }
        self.longest_until(&text[..end], last)
    }

    /// The comparison of words behind [`WordSet::longest_ending_at`], out of line for the
    /// same reason.
    #[inline(never)]
    fn longest_until(&self, head: &[char], last: char) -> Option<usize> {
        self.by_last
            .get(&last)?
            .iter()
            .find(|w| head.ends_with(w))
            .map(|w| w.len())
    }

    /// Whether some word starts with `c` (a quick filter: false means none starts there).
    #[inline]
    pub fn may_start(&self, c: char) -> bool {
        self.firsts.contains(c)
    }

    /// Whether `text` is a run of words of the set and nothing else (村办公室 = 村 + 办公室).
    pub fn covers(&self, text: &[char]) -> bool {
        let mut reach = vec![false; text.len() + 1];
        reach[0] = true;
        for i in 0..text.len() {
            if !reach[i] || !self.firsts.contains(text[i]) {
                continue;
            }
            for w in self.by_first.get(&text[i]).into_iter().flatten() {
                if text[i..].starts_with(w) {
                    reach[i + w.len()] = true;
                }
            }
        }
        !text.is_empty() && reach[text.len()]
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

pub(crate) fn entries(data: &str) -> impl Iterator<Item = &str> {
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
word_set!(SPEECH_VERBS, "speech_verbs.txt");
word_set!(PARTICIPANT_VERBS, "participant_verbs.txt");
word_set!(PARTICIPANT_HEADS, "participant_heads.txt");
word_set!(LEAD_VERBS, "lead_verbs.txt");
word_set!(MEETING_MARKERS, "meeting_markers.txt");
word_set!(TALK_VERBS, "talk_verbs.txt");
word_set!(MOVEMENT_VERBS, "movement_verbs.txt");
word_set!(PLACE_STOPS, "place_stops.txt");
word_set!(NOT_KIND, "not_kind.txt");
word_set!(ACTION_TRIGGERS, "action_triggers.txt");
word_set!(PROTECTED, "protected_words.txt");
word_set!(SURNAMES, "surnames.txt");
word_set!(NOT_NAMES, "not_names.txt");
word_set!(RECEPTION_VERBS, "reception_verbs.txt");
word_set!(DAY_COUNT_WORDS, "day_count_words.txt");
word_set!(DURATION_WORDS, "duration_words.txt");
word_set!(PAGE_DATE_LABELS, "page_date_labels.txt");
word_set!(BUSINESS_WORDS, "business_words.txt");
word_set!(COMPANY_SUFFIXES, "company_suffixes.txt");
word_set!(TARGET_SUFFIXES, "target_suffixes.txt");
word_set!(CATEGORY_TAILS, "category_tails.txt");
word_set!(GENERIC_OBJECTS, "generic_objects.txt");
word_set!(GENERIC_SITES, "generic_sites.txt");
word_set!(SITE_DESCRIPTIONS, "site_descriptions.txt");
word_set!(LISTED_TARGETS, "listed_targets.txt");
word_set!(TEAM_SUFFIXES, "team_suffixes.txt");
word_set!(CONTINUATIONS, "continuations.txt");
word_set!(HABITUAL, "habitual.txt");
word_set!(HANDING_VERBS, "handing_verbs.txt");
word_set!(WEAK_TRIGGERS, "weak_triggers.txt");
word_set!(HOLD_VERBS, "hold_verbs.txt");
word_set!(HOST_VERBS, "host_verbs.txt");
word_set!(HOST_ROLES, "host_roles.txt");
word_set!(MANNER_WORDS, "manner_words.txt");
word_set!(ANNOUNCING_VERBS, "announcing_verbs.txt");
word_set!(MEANS_WORDS, "means_words.txt");
word_set!(VISIT_VERBS, "visit_verbs.txt");
word_set!(PEOPLE_NOUNS, "people_nouns.txt");
word_set!(ITEM_OPENER_WORDS, "item_opener_words.txt");
word_set!(SENDING_VERBS, "sending_verbs.txt");
word_set!(PIVOT_VERBS, "pivot_verbs.txt");
word_set!(SIGNING_VERBS, "signing_verbs.txt");

/// Words that end the organisation prefix of a title: `title_cuts.txt` and the verbs of movement
/// and of leading (来到低保户某 → 低保户; 许县长偕副县长某 → 副县长).
pub static TITLE_CUTS: LazyLock<WordSet> = LazyLock::new(|| {
    joined(&[
        include_str!("lexicon/title_cuts.txt"),
        include_str!("lexicon/movement_verbs.txt"),
        include_str!("lexicon/lead_verbs.txt"),
    ])
});

/// Words that can follow a person's name: `followers.txt` and every verb an official is the
/// subject of (activity, movement, lead, participant, reception and speech verbs), so a verb
/// added to any of those tables also ends the names written before it.
pub static FOLLOWERS: LazyLock<WordSet> = LazyLock::new(|| {
    joined(&[
        include_str!("lexicon/followers.txt"),
        include_str!("lexicon/action_triggers.txt"),
        include_str!("lexicon/movement_verbs.txt"),
        include_str!("lexicon/lead_verbs.txt"),
        include_str!("lexicon/participant_verbs.txt"),
        include_str!("lexicon/reception_verbs.txt"),
        include_str!("lexicon/speech_verbs.txt"),
    ])
});

/// One set of the words of several tables.
fn joined(tables: &[&str]) -> WordSet {
    let mut set = WordSet::default();
    for data in tables {
        for line in entries(data) {
            if let Some(word) = line.split_whitespace().next() {
                set.insert(word.chars().collect());
            }
        }
    }
    set
}

/// The function characters and short words of `grammar.txt`, as constants and class tests
/// (generated by build.rs).
pub mod grammar {
    include!(concat!(env!("OUT_DIR"), "/grammar.rs"));
}

/// A table of words with a tag each (`word tag` a line): the words as a set, and each word's tag
/// as `tag` reads it (lines it cannot read are skipped).
fn tagged_words<T>(data: &str, tag: impl Fn(&str) -> Option<T>) -> (WordSet, FxMap<Vec<char>, T>) {
    let mut set = WordSet::default();
    let mut map = FxMap::default();
    for line in entries(data) {
        let mut parts = line.split_whitespace();
        let (Some(w), Some(t)) = (parts.next(), parts.next().and_then(&tag)) else {
            continue;
        };
        let w: Vec<char> = w.chars().collect();
        set.insert(w.clone());
        map.insert(w, t);
    }
    (set, map)
}

fn part_of_day(tag: &str) -> Option<PartOfDay> {
    match tag {
        "morning" => Some(PartOfDay::Morning),
        "afternoon" => Some(PartOfDay::Afternoon),
        "evening" => Some(PartOfDay::Evening),
        _ => None,
    }
}

/// Parts of the day (上午 → morning).
pub static PARTS_OF_DAY: LazyLock<(WordSet, FxMap<Vec<char>, PartOfDay>)> =
    LazyLock::new(|| tagged_words(include_str!("lexicon/parts_of_day.txt"), part_of_day));

/// What a word dating by the activity before it keeps of that date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameTime {
    /// 同日, 当天: the same day.
    Day,
    /// 当年: the same year.
    Year,
}

/// Words that date by the activity before (同日 → the same day).
pub static SAME_TIME_WORDS: LazyLock<(WordSet, FxMap<Vec<char>, SameTime>)> = LazyLock::new(|| {
    tagged_words(include_str!("lexicon/same_time_words.txt"), |t| match t {
        "day" => Some(SameTime::Day),
        "year" => Some(SameTime::Year),
        _ => None,
    })
});

/// Characters that rarely end a given name (see `weak_name_chars.txt`).
pub static WEAK_NAME_CHARS: LazyLock<FxSet<char>> = LazyLock::new(|| {
    entries(include_str!("lexicon/weak_name_chars.txt"))
        .filter_map(|l| l.chars().next())
        .collect()
});

/// Traditional → simplified, one character to one, with a bit set of the traditional ones (most
/// characters of most texts are not).
pub static TRAD_SIMP: LazyLock<(CharBits, FxMap<char, char>)> = LazyLock::new(|| {
    let map: FxMap<char, char> = entries(include_str!("lexicon/trad_simp.txt"))
        .chain(entries(include_str!("lexicon/variants.txt")))
        .filter_map(|l| {
            let mut cs = l.chars();
            Some((cs.next()?, cs.next()?))
        })
        .collect();
    let mut bits = CharBits::default();
    map.keys().for_each(|&c| bits.insert(c));
    (bits, map)
});

/// Kind cue → (kind, weight).
pub type KindWeights = FxMap<Vec<char>, KindCue>;

/// What one cue word says about the kind of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindCue {
    pub kind: EventKind,
    pub weight: u32,
    /// A kind that has defining cues wins only when one of them is seen (林长制 makes a forest
    /// patrol; forestry words alone make a visit about forestry).
    pub defining: bool,
    /// The cue counts only when a person is named right after it (拜访了某会长某某 meets
    /// someone; 拜访了某集团 on a business trip does not).
    pub of_people: bool,
}

/// Kind cues: word → (kind, weight).
pub static KIND_CUES: LazyLock<(WordSet, KindWeights)> =
    LazyLock::new(|| kind_cues(include_str!("lexicon/kinds.txt")));

/// What is held or attended (出席…推介会, 召开…推进会): the head word of the event → (kind,
/// weight).
pub static HELD_EVENTS: LazyLock<(WordSet, KindWeights)> =
    LazyLock::new(|| kind_cues(include_str!("lexicon/held_events.txt")));

/// A table of kind cues, `word kind weight [defining|people]` a line.
fn kind_cues(data: &str) -> (WordSet, KindWeights) {
    let mut set = WordSet::default();
    let mut map = FxMap::default();
    for line in entries(data) {
        let mut parts = line.split_whitespace();
        let (Some(w), Some(k), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(kind), Ok(weight)) = (k.parse::<EventKind>(), n.parse::<u32>()) else {
            continue;
        };
        let flag = parts.next();
        let defining = flag == Some("defining");
        let of_people = flag == Some("people");
        let w: Vec<char> = w.chars().collect();
        set.insert(w.clone());
        map.insert(
            w,
            KindCue {
                kind,
                weight,
                defining,
                of_people,
            },
        );
    }
    (set, map)
}

/// A relative time word: days from the publication date, and whether the day is a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelativeDay {
    /// Days after publication (negative: before).
    pub offset: i64,
    /// Whether the word only says "recently".
    pub approx: bool,
    /// The part of the day the word names itself (昨晚 → evening).
    pub part: Option<PartOfDay>,
}

/// Relative time words.
pub static TIME_WORDS: LazyLock<(WordSet, FxMap<Vec<char>, RelativeDay>)> = LazyLock::new(|| {
    let mut set = WordSet::default();
    let mut map = FxMap::default();
    for line in entries(include_str!("lexicon/time_words.txt")) {
        let mut parts = line.split_whitespace();
        let (Some(w), Some(n)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Ok(offset) = n.parse::<i64>() else {
            continue;
        };
        let rest: Vec<&str> = parts.collect();
        let approx = rest.contains(&"approx");
        let part = rest.iter().find_map(|p| part_of_day(p));
        let w: Vec<char> = w.chars().collect();
        set.insert(w.clone());
        map.insert(
            w,
            RelativeDay {
                offset,
                approx,
                part,
            },
        );
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
            assert!(set.len > 10, "{name} has too few entries");
        }
        assert!(TRAD_SIMP.1.len() > 3000);
        // Name and trigger characters the hand-made table lacked (issue 11).
        for (t, s) in [
            ('偉', '伟'),
            ('傑', '杰'),
            ('曉', '晓'),
            ('詠', '咏'),
            ('並', '并'),
        ] {
            assert_eq!(TRAD_SIMP.1.get(&t), Some(&s), "{t}");
        }
        assert!(!TRAD_SIMP.1.contains_key(&'么'), "什么 stays as written");
        assert_eq!(
            TRAD_SIMP.1.get(&'巿'),
            Some(&'市'),
            "variants.txt joins the table"
        );
        assert!(KIND_CUES.1.len() > 30);
        assert!(TIME_WORDS.1.len() > 5);
    }

    #[test]
    fn the_longest_title_word_is_found_at_a_position() {
        let t: Vec<char> = "区委副书记".chars().collect();
        assert_eq!(TITLES.longest_ending_at(&t, t.len()), Some(3));
    }
}
