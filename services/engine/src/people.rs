//! People in the text: title + name mentions (区委副书记、区长钟某某), name lists sharing a title
//! (县领导甲、乙), bare names of people already met (钟某某一行), and surname + title (钟区长).

use crate::lexicon::grammar::{
    AND_ALSO, AT, COMRADE, EACH, ETC, OF, TODAY, WHOLE, and, clause_adverb, date_units,
    list_joiners, name_openers, not_name_end, one_char_place_ends, person_measures,
    place_initial_cuts, unit_ends, week_words, weekday,
};
use crate::lexicon::grammar::{
    CLOSE_BRACKET, COLON, COMMA, DUNHAO, FULL_STOP, OPEN_BRACKET, SEMICOLON,
};
use crate::lexicon::{
    ACTION_TRIGGERS, BUSINESS_WORDS, CONTINUATIONS, FOLLOWERS, FxMap, NOT_NAMES, OFFICIAL_TITLES,
    ORG_SUFFIXES, PARTICIPANT_VERBS, PEOPLE_NOUNS, PROTECTED, SURNAMES, TITLE_CUTS, TITLES,
    WEAK_NAME_CHARS,
};
use crate::text::{is_amount, is_count, string, word_at};

/// A person mentioned in the text (offsets in chars of the segment).
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// First char of the mention (its first title, or the name).
    pub start: usize,
    pub name_start: usize,
    pub name_end: usize,
    /// Title spans, in the order written.
    pub titles: Vec<(usize, usize)>,
    /// The titles were written for this name (not copied from a list or coreference).
    pub own_titles: bool,
    /// The simplified name: the person's identity within a document.
    pub key: String,
    /// Named without a title in a list of people taking part (甲、乙等陪同).
    pub listed: bool,
    /// A title written inside the name, between surname and given name (黃委員勤鎮, the
    /// Taiwanese way of writing 委員黃勤鎮): its span, not part of the name.
    pub gap: Option<(usize, usize)>,
}

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// Punctuation a title's organisation prefix never crosses.
fn is_title_boundary(c: char) -> bool {
    !(is_cjk(c)
        || c.is_ascii_alphanumeric()
        || matches!(c, OPEN_BRACKET | CLOSE_BRACKET | '.' | '·'))
}

/// Where the organisation prefix of a title word starting at `word_start` begins.
fn title_left(text: &[char], word_start: usize, floor: usize, soft: &[usize]) -> usize {
    let mut q = word_start;
    while q > floor
        && word_start - q < 22
        && !is_title_boundary(text[q - 1])
        && soft.binary_search(&q).is_err()
    {
        q -= 1;
    }
    let mut cut = q;
    let mut i = q;
    while i < word_start {
        if let Some(l) = PROTECTED.longest_at(text, i)
            && i + l <= word_start
        {
            i += l;
            continue;
        }
        if let Some(l) = TITLE_CUTS.longest_at(text, i)
            && i + l <= word_start
            && !(i == q && place_named_at(text, i))
            && !joins_org_names(text, q, i)
        {
            cut = i + l;
            i += l;
            continue;
        }
        i += 1;
    }
    cut
}

/// Whether 及 at `i` joins two parts of one organisation's name (财经事务及库务局局长, as Hong
/// Kong names bureaus) rather than two people (和 and 与 are also "with", so only 及): something stands before it since `q` (a person named before ends
/// the stretch at `q`), and it ends with no title word and no name.
fn joins_org_names(text: &[char], q: usize, i: usize) -> bool {
    text[i] == AND_ALSO
        && i > q
        && !(q + 1..=i).any(|k| TITLES.longest_ending_at(text, k).is_some())
        && !(q..i).any(|k| parse_name(text, k) == Some(i - k))
}

/// Whether a place named by one character and an ending starts at `i` with a character that is
/// otherwise a title cut (和平区, 同安区, 于都县, 向阳镇, 当涂县): at the head of a clause it
/// begins the organisation, it does not join it to what came before.
fn place_named_at(text: &[char], i: usize) -> bool {
    text.get(i).is_some_and(|&c| place_initial_cuts(c))
        && text.get(i + 1).is_some_and(|&c| is_cjk(c))
        && text.get(i + 2).is_some_and(|&c| one_char_place_ends(c))
}

fn follows_ok(text: &[char], i: usize) -> bool {
    match text.get(i) {
        None => true,
        Some(&c) if !is_cjk(c) && !c.is_ascii_digit() => !c.is_ascii_alphanumeric(),
        // 某某副县长表示: a title written after the name ends it too.
        // 今 after a name is "today" (總統某某今視察) or opens a time word (今天, 今年).
        Some(&c) => {
            FOLLOWERS.starts_at(text, i)
                || date_at(text, i)
                || TITLES.starts_at(text, i)
                || c == TODAY
                // 某某周日前往: a day of the week after the name.
                || week_words(c) && text.get(i + 1).is_some_and(|&d| weekday(d).is_some())
        }
    }
}

/// Whether a day is written at `text[i..]` (某某八日上午前往…).
fn date_at(text: &[char], i: usize) -> bool {
    let n = text[i..]
        .iter()
        .take(4)
        .take_while(|c| is_amount(**c))
        .count();
    n > 0 && text.get(i + n).is_some_and(|&c| date_units(c))
}

fn count(text: &[char], w: &[char], around: usize) -> usize {
    if w.is_empty() {
        return 0;
    }
    // An article's worth of text around the name: enough to see it repeated, bounded so a huge
    // input stays linear.
    let lo = around.saturating_sub(3_000);
    let hi = (around + 3_000).min(text.len());
    text[lo..hi].windows(w.len()).filter(|x| *x == w).count()
}

/// The length of the person's name starting at `text[j]`, if one does.
pub fn parse_name(text: &[char], j: usize) -> Option<usize> {
    let first = *text.get(j)?;
    if !is_cjk(first) {
        return None;
    }
    if let Some(n) = transliterated_name(text, j) {
        return Some(n);
    }
    if NOT_NAMES.starts_at(text, j) {
        return None;
    }
    let sur = match SURNAMES.longest_at(text, j) {
        Some(n @ (1 | 2)) => n,
        _ => return None,
    };
    NameAt { text, j, sur }.given_name_len()
}

/// A transliterated name, which carries a dot (索菲娅·某某): its length.
fn transliterated_name(text: &[char], j: usize) -> Option<usize> {
    let mut k = j;
    let mut dot = None;
    while k < text.len() && k - j < 16 {
        let c = text[k];
        if c == '.' || c == '·' || c == '•' {
            dot = Some(k);
        } else if !is_cjk(c) || dot.is_some() && FOLLOWERS.starts_at(text, k) {
            break;
        }
        k += 1;
    }
    let d = dot?;
    // Not from inside a title (副委员长某·某 read from 长), nor over one (代表团副团长某·某).
    let in_title =
        (j.saturating_sub(5)..j).any(|i| TITLES.longest_at(text, i).is_some_and(|l| i + l > j));
    (k - j >= 4
        && follows_ok(text, k)
        && is_cjk(text[k - 1])
        && !in_title
        && TITLES.find(text, j, d).is_none())
    .then_some(k - j)
}

/// A Chinese name starting at `text[j]` with a surname of `sur` characters: how long it runs
/// (two, three or four characters in all) is decided by what may end it, what follows it and how
/// often each length is repeated in the article.
struct NameAt<'a> {
    text: &'a [char],
    j: usize,
    sur: usize,
}

impl NameAt<'_> {
    /// Whether the name may be `len` characters long.
    fn valid(&self, len: usize) -> bool {
        self.fits(len) && !not_name_end(self.text[self.j + len - 1])
    }

    /// [`Self::valid`] but for the character that ends the name.
    fn fits(&self, len: usize) -> bool {
        let (text, j) = (self.text, self.j);
        j + len <= text.len()
            && text[j..j + len].iter().all(|&c| is_cjk(c))
            && follows_ok(text, j + len)
            && TITLES.longest_at(text, j).is_none_or(|l| l > len)
            && TITLES.longest_ending_at(text, j + len).is_none()
            && ORG_SUFFIXES.longest_ending_at(text, j + len).is_none()
            && !self.verb_across(len)
    }

    /// Whether a word that follows names (来到, 表示) starts inside the given name and runs
    /// past its end: 总书记曾来到某村 names no 曾来.
    fn verb_across(&self, len: usize) -> bool {
        let (text, j) = (self.text, self.j);
        (j + self.sur..j + len).any(|p| {
            FOLLOWERS
                .longest_at(text, p)
                .is_some_and(|l| l >= 2 && p + l > j + len)
        })
    }

    /// How often the first `len` characters are written around the name.
    fn repeated(&self, len: usize) -> usize {
        let (text, j) = (self.text, self.j);
        if j + len <= text.len() {
            count(text, &text[j..j + len], j)
        } else {
            0
        }
    }

    fn given_name_len(&self) -> Option<usize> {
        let (text, j, sur) = (self.text, self.j, self.sur);
        let (c2, c3) = (sur + 1, sur + 2);
        // A third character that opens a word following names (杜某陪同) is no part of the
        // name, even when a summary repeats the sentence.
        let opens_follower = FOLLOWERS.longest_at(text, j + c2).is_some_and(|l| l >= 2);
        // An adverb that opens a clause cannot stand before punctuation: there it ends the name.
        let adverb_ends_name = text.get(j + c2).is_some_and(|&c| clause_adverb(c))
            && text
                .get(j + c3)
                .is_some_and(|&c| !is_cjk(c) && !c.is_ascii_alphanumeric());
        // 和 before a verb that follows names joins nothing: it ends the name (某信和讲话).
        let joins_nothing = text.get(j + c2).is_some_and(|&c| and(c))
            && FOLLOWERS.longest_at(text, j + c3).is_some_and(|l| l >= 2);
        let weak = text
            .get(j + c2)
            .is_some_and(|c| WEAK_NAME_CHARS.contains(c))
            && !adverb_ends_name
            && !joins_nothing
            || opens_follower;
        if joins_nothing && self.fits(c3) {
            return Some(c3);
        }
        match (self.valid(c2), self.valid(c3)) {
            (true, true) => {
                let n3 = self.repeated(c3);
                if n3 >= 2 && !opens_follower {
                    Some(c3)
                } else if count(text, &text[j..(j + c2).min(text.len())], j) > n3 || weak {
                    Some(c2)
                } else {
                    Some(c3)
                }
            }
            (false, true) => Some(c3),
            (true, false) => Some(c2),
            (false, false) => self.long_or_repeated(weak),
        }
    }

    /// Neither two nor three characters fit: a four-character name, or a three-character one
    /// written more than once.
    fn long_or_repeated(&self, weak: bool) -> Option<usize> {
        let (text, j, sur) = (self.text, self.j, self.sur);
        let (c3, c4) = (sur + 2, sur + 3);
        // A married name in Hong Kong: her husband's surname, her own, then two characters
        // (林鄭月娥), written more than once.
        if sur == 1 && self.valid(c4) && married_name(text, j) && self.repeated(c4) >= 2 {
            return Some(c4);
        }
        let three = j + c3 <= text.len()
            && self.repeated(c3) >= 2
            && !weak
            && text[j..j + c3].iter().all(|&c| is_cjk(c))
            && !not_name_end(text[j + c3 - 1])
            && ORG_SUFFIXES.longest_ending_at(text, j + c3).is_none();
        // Four characters (包海日罕) only before a word that follows names, not punctuation,
        // and not when three of them are the name written elsewhere and the four are not
        // (吴某某表对…: a slip for 表示).
        let four = sur == 1
            && self.valid(c4)
            && text.get(j + c4).is_some_and(|&c| is_cjk(c) && c != OF)
            && !(three && self.repeated(c4) < 2);
        if four {
            Some(c4)
        } else if three {
            Some(c3)
        } else {
            None
        }
    }
}

/// Names written with the title between surname and given name, the formal Taiwanese way
/// (黃委員勤鎮、林委員鉅鋃; 鄭區長正忠): a one-character surname, an official's title word and
/// two characters of a given name that open no word, before punctuation or a word that follows
/// names.
fn title_inside_names(text: &[char], taken: &[(usize, usize)]) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut j = 0;
    while j + 5 <= text.len() {
        // A title word right after a one-character surname (a cheap test first), and the
        // surname opens a word: after punctuation, a conjunction or a body (本院黃委員).
        let head = || {
            j == 0
                || !is_cjk(text[j - 1])
                || list_joiners(text[j - 1])
                || ORG_SUFFIXES.longest_ending_at(text, j).is_some()
                || TITLES.longest_ending_at(text, j).is_some()
        };
        // 鍾議長歷任…: a surname and a title refer back to someone named in full already
        // (議長鍾東錦), so no name is split around the title.
        let named_before = |c: char| {
            taken
                .iter()
                .any(|&(a, b)| b >= a + 2 && (text[b - 2] == c || b >= a + 3 && text[b - 3] == c))
        };
        let found = (TITLES.may_start(text[j + 1])
            && SURNAMES.longest_at(text, j) == Some(1)
            && head()
            && !NOT_NAMES.starts_at(text, j)
            && !named_before(text[j]))
        .then(|| TITLES.longest_at(text, j + 1))
        .flatten()
        .filter(|&l| {
            l >= 2
                && OFFICIAL_TITLES
                    .longest_ending_at(&text[j + 1..j + 1 + l], l)
                    .is_some()
        })
        .and_then(|l| {
            let g = j + 1 + l;
            let given = text.get(g..g + 2)?;
            let opens_word = |k: usize| {
                FOLLOWERS.starts_at(text, k)
                    || TITLES.starts_at(text, k)
                    || NOT_NAMES.starts_at(text, k)
                    || date_at(text, k)
            };
            let ok = given.iter().all(|&c| is_cjk(c))
                && !WEAK_NAME_CHARS.contains(&given[0])
                && !not_name_end(given[1])
                && !opens_word(g)
                && !opens_word(g + 1)
                && follows_ok(text, g + 2)
                && free(taken, j, g + 2);
            ok.then_some((l, g + 2))
        });
        match found {
            Some((l, end)) => {
                let mut key = String::new();
                key.push(text[j]);
                key.extend(&text[j + 1 + l..end]);
                out.push(Mention {
                    start: j,
                    name_start: j,
                    name_end: end,
                    titles: vec![(j + 1, j + 1 + l)],
                    own_titles: true,
                    key,
                    listed: false,
                    gap: Some((j + 1, j + 1 + l)),
                });
                j = end;
            }
            None => j += 1,
        }
    }
    out
}

/// Whether a title item (title word + name, or a title word before 、) starts at `s`.
fn title_item_ahead(text: &[char], s: usize) -> bool {
    let mut k = s + 1;
    while k < text.len() && k - s < 22 && !is_title_boundary(text[k - 1]) {
        // A word for people (负责人) is a title only with a name after it: 及相关部门负责人
        // names no one.
        if TITLES.longest_ending_at(text, k).is_some_and(|l| {
            k - l >= s
                && (PEOPLE_NOUNS.longest_ending_at(text, k).is_none()
                    || parse_name(text, k).is_some())
        }) {
            return true;
        }
        k += 1;
    }
    false
}

/// Every titled mention of `text`, with name lists.
fn titled(text: &[char], soft: &[usize]) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    let mut floor = 0usize;
    let mut j = 1;
    while j < text.len() {
        let title_end = portfolio_start(text, j).unwrap_or(j);
        let found = is_cjk(text[j])
            .then(|| TITLES.longest_ending_at(text, title_end))
            .flatten()
            .and_then(|l| {
                let len = parse_name(text, j)
                    .or_else(|| closed_name(text, j))
                    .or_else(|| comrade_name(text, j))?;
                Some((l, len))
            })
            .filter(|&(l, _)| title_end - l >= floor);
        let Some((l, len)) = found else {
            if let Some(m) = unit_item(text, j, &out) {
                j = m.name_end;
                floor = j;
                out.push(m);
            } else {
                j += 1;
            }
            continue;
        };
        let left = title_left(text, title_end - l, floor, soft);
        // 各级林长, 全体党员: a kind of people, not a person's title.
        if text[left] == EACH || word_at(text, left, WHOLE) {
            j += 1;
            continue;
        }
        let (left, titles) = title_chain(text, left, j, floor, soft);
        let name_end = j + len;
        out.push(Mention {
            start: left,
            name_start: j,
            name_end,
            titles: titles.clone(),
            own_titles: true,
            key: string(&text[j..name_end]),
            listed: false,
            gap: None,
        });
        let e = names_sharing_titles(text, name_end, &titles, &mut out);
        floor = e;
        j = e.max(j + 1);
    }
    out
}

/// A four-character name right after a title and closed by a separator, which parse_name does
/// not read alone: in a roll of titled people (省直机关工委书记曲木史哈，市委书记某某), or a
/// married name of two surnames (行政长官林郑某某(中)); a surname of one character, and no
/// word inside that follows names or opens a title or an action (县长高度重视，;
/// 落实林长管理责任，推动…).
fn closed_name(text: &[char], j: usize) -> Option<usize> {
    let e = j + 4;
    let closed = matches!(
        text.get(e),
        Some(&(COMMA | DUNHAO | FULL_STOP | SEMICOLON | OPEN_BRACKET))
    );
    // In a roll of titled people: another title comes after the separator.
    let ok = closed
        && (married_name(text, j) || title_item_ahead(text, e + 1))
        && text[j..e].iter().all(|&c| is_cjk(c))
        && SURNAMES.longest_at(text, j) == Some(1)
        && !NOT_NAMES.starts_at(text, j)
        && !not_name_end(text[e - 1])
        && ORG_SUFFIXES.longest_ending_at(text, e).is_none()
        && (j + 1..e).all(|k| {
            !FOLLOWERS.starts_at(&text[..e], k)
                && !TITLES.starts_at(&text[..e], k)
                && !ACTION_TRIGGERS.starts_at(&text[..e], k)
        });
    ok.then_some(4)
}

/// A name of two to five characters right after a title and closed by the honorific 同志,
/// whatever its first character (副院长朝格吉勒同志: names of Mongolian, Tibetan or Uyghur
/// officials open with no Han surname); no word inside that opens a title, follows names or
/// is an action.
fn comrade_name(text: &[char], j: usize) -> Option<usize> {
    let len = (2..=5).find(|&l| word_at(text, j + l, COMRADE))?;
    let e = j + len;
    let ok = text[j..e].iter().all(|&c| is_cjk(c))
        && !NOT_NAMES.starts_at(text, j)
        && (j..e).all(|k| {
            !FOLLOWERS.starts_at(&text[..e], k)
                && !TITLES.starts_at(text, k)
                && !ACTION_TRIGGERS.starts_at(&text[..e], k)
        });
    ok.then_some(len)
}

/// Whether the name at `j` opens like a married name in Hong Kong: her husband's surname, then
/// her own (林郑某某).
fn married_name(text: &[char], j: usize) -> bool {
    SURNAMES.longest_at(text, j) == Some(1) && SURNAMES.longest_at(text, j + 1) == Some(1)
}

/// An item of a roll of titled people that names its person's section instead of a title
/// (副科长甲、市发展和改革委员会农经科李某某组成…): right after the 、 that follows a titled
/// mention, a section name (its last character in `unit_ends`) and then a name at `j`.
fn unit_item(text: &[char], j: usize, out: &[Mention]) -> Option<Mention> {
    let prev = out.last().filter(|m| m.own_titles)?;
    let item = prev.name_end + 1;
    if text.get(prev.name_end) != Some(&DUNHAO)
        || j < item + 2
        || j - item > 22
        || !unit_ends(text[j - 1])
        || text[item..j].iter().any(|&c| is_title_boundary(c))
        // 政务司司长某: a body's name and its head's title, not a section and a name (司长某).
        || TITLES.starts_at(text, j)
    {
        return None;
    }
    let len = parse_name(text, j)?;
    Some(Mention {
        start: item,
        name_start: j,
        name_end: j + len,
        titles: vec![(item, j)],
        own_titles: true,
        key: string(&text[j..j + len]),
        listed: false,
        gap: None,
    })
}

/// Where the portfolio in brackets between a title and a name opens, as Hong Kong and Macau
/// papers write it (副署长(行政)某某, 助理署长(家庭及儿童福利)某某): the name starts at `j`
/// right after the closing bracket, and the title ends where the bracket opens.
fn portfolio_start(text: &[char], j: usize) -> Option<usize> {
    if j < 3 || text[j - 1] != CLOSE_BRACKET {
        return None;
    }
    let close = j - 1;
    (close.saturating_sub(13)..close - 1)
        .rev()
        .take_while(|&o| is_cjk(text[o + 1]))
        .find(|&o| text[o] == OPEN_BRACKET)
        .filter(|&o| o > 0 && is_cjk(text[o - 1]))
}

/// The titles chained with 、 before a name (区委副书记、区长 + name), the first starting at
/// `left` and the last ending at the name (`name`): where the chain starts, and each title's span
/// in order.
fn title_chain(
    text: &[char],
    mut left: usize,
    name: usize,
    floor: usize,
    soft: &[usize],
) -> (usize, Vec<(usize, usize)>) {
    let mut titles = vec![(left, name)];
    while left > floor && text[left - 1] == DUNHAO {
        let k = left - 1;
        match TITLES.longest_ending_at(text, k) {
            Some(l2) if k >= l2 + floor => {
                let lf = title_left(text, k - l2, floor, soft);
                titles.push((lf, k));
                left = lf;
            }
            _ => break,
        }
    }
    titles.reverse();
    (left, titles)
}

/// Names listed with 、 after a titled name (区领导甲、乙、丙) share its titles: pushed to `out`.
/// Returns where the list ends.
fn names_sharing_titles(
    text: &[char],
    mut e: usize,
    titles: &[(usize, usize)],
    out: &mut Vec<Mention>,
) -> usize {
    // 、 between them, or 和/及/与 before the last (荣誉主席甲和乙).
    let mut last = false;
    while !last
        && (text.get(e) == Some(&DUNHAO) || text.get(e).is_some_and(|&c| and(c)))
        && !title_item_ahead(text, e + 1)
    {
        last = text[e] != DUNHAO;
        let Some(l3) = parse_name(text, e + 1) else {
            break;
        };
        out.push(Mention {
            start: e + 1,
            name_start: e + 1,
            name_end: e + 1 + l3,
            titles: titles.to_vec(),
            own_titles: false,
            key: string(&text[e + 1..e + 1 + l3]),
            listed: false,
            gap: None,
        });
        e += 1 + l3;
    }
    e
}

/// Names written before their title, as papers in Taiwan, Hong Kong and Macau do (黃某某市長,
/// 郭某副主任): a name at the head of a clause (or after 接着, 随后 …) right before a title word
/// that names an office. `taken` are the spans of the mentions already found, sorted.
fn name_then_title(text: &[char], taken: &[(usize, usize)]) -> Vec<Mention> {
    debug_assert!(taken.is_sorted());
    let mut out = Vec::new();
    let mut j = 0;
    while j + 3 <= text.len() {
        let head = j == 0
            || matches!(
                text[j - 1],
                COMMA | FULL_STOP | SEMICOLON | COLON | DUNHAO | '“' | '\n' | CLOSE_BRACKET | ' '
            )
            || CONTINUATIONS.longest_ending_at(text, j).is_some();
        // After 由, 与, 向 … or the body they work for (市区域办王某主任): a short title only
        // (由某某副秘书长陪同; not 与徐汇区政府领导).
        let opened = !head
            && j > 0
            && (name_openers(text[j - 1]) || ORG_SUFFIXES.longest_ending_at(text, j).is_some());
        let head = head || opened;
        if !head || SURNAMES.longest_at(text, j).is_none() || NOT_NAMES.starts_at(text, j) {
            j += 1;
            continue;
        }
        let found = [3usize, 2].into_iter().find_map(|len| {
            let e = j + len;
            if e > text.len() || !text[j..e].iter().all(|&c| is_cjk(c)) || not_name_end(text[e - 1])
            {
                return None;
            }
            let l = TITLES.longest_at(text, e)?;
            let title = &text[e..e + l];
            let office = l >= 2 && OFFICIAL_TITLES.longest_ending_at(title, l).is_some();
            // …and no place named again and again (向徐汇区长期以来: 徐汇区).
            // After 在 a place is far likelier than a name (在吉林省长春市: no 吉林 省长).
            let place = one_char_place_ends(text[e])
                && (count(text, &text[j..=e], j) >= 2 || j > 0 && text[j - 1] == AT);
            let short = !opened || l <= 4 && !place;
            (office && short && free(taken, j, e + l) && TITLES.longest_at(text, j).is_none())
                .then_some((len, l))
        });
        match found {
            Some((len, l)) => {
                let e = j + len;
                out.push(Mention {
                    start: j,
                    name_start: j,
                    name_end: e,
                    titles: vec![(e, e + l)],
                    own_titles: true,
                    key: string(&text[j..e]),
                    listed: false,
                    gap: None,
                });
                j = e + l;
            }
            None => j += 1,
        }
    }
    out
}

/// Whether the titles of a mention make the person an official (not only a business title).
pub fn is_official(text: &[char], m: &Mention) -> bool {
    m.titles.iter().any(|&(a, b)| {
        let t = &text[a..b];
        !business_title(text, a, b) && OFFICIAL_TITLES.longest_ending_at(t, t.len()).is_some()
    })
}

/// Whether the title `text[a..b]` names a business (某集团董事长, 某公司总经理).
pub fn business_title(text: &[char], a: usize, b: usize) -> bool {
    BUSINESS_WORDS.find(text, a, b).is_some()
}

/// Every person mention of `text`, in order: titled mentions, then bare names of the people
/// they name, and surname + title references to them.
pub fn mentions(text: &[char], soft: &[usize]) -> Vec<Mention> {
    let mut out = titled(text, soft);
    let spans: Vec<(usize, usize)> = out.iter().map(|m| (m.start, m.name_end)).collect();
    out.extend(name_then_title(text, &spans));
    out.sort_by_key(|m| m.start);
    let spans: Vec<(usize, usize)> = out.iter().map(|m| (m.start, m.name_end)).collect();
    out.extend(title_inside_names(text, &spans));
    out.sort_by_key(|m| m.start);
    let spans: Vec<(usize, usize)> = out.iter().map(|m| (m.start, m.name_end)).collect();
    out.extend(listed_names(text, &spans));
    out.sort_by_key(|m| m.start);
    let known = KnownNames::of(&out);
    let mut taken: Vec<(usize, usize)> = out.iter().map(|m| (m.start, m.name_end)).collect();
    taken.sort_unstable();
    let bare = known.bare_mentions(text, &taken);
    let by_title = known.surname_title_mentions(text, &taken, &bare);
    out.extend(bare);
    out.extend(by_title);
    out.sort_by_key(|m| m.start);
    // Mentions never overlap: the first one wins.
    let mut kept: Vec<Mention> = Vec::with_capacity(out.len());
    for m in out {
        if kept.last().is_none_or(|k| k.name_end <= m.start) {
            kept.push(m);
        }
    }
    debug_assert!(kept.windows(2).all(|w| w[0].name_end <= w[1].start));
    kept
}

/// Names without titles listed with 、 at the head of a clause and closed by 等 or a verb of
/// taking part (甲、乙、丙等陪同; 座谈会上，甲、乙等代表发言): two or more of them, outside the
/// spans `taken` (sorted).
fn listed_names(text: &[char], taken: &[(usize, usize)]) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let head = i == 0 || is_title_boundary(text[i - 1]) || text[i - 1] == COLON;
        // A list of two names or more has a 、 two to four characters in: most clause heads
        // have none, and are passed over before any name is parsed.
        let listed = (i + 2..i + 5).any(|k| text.get(k) == Some(&DUNHAO));
        if !head || !listed || SURNAMES.longest_at(text, i).is_none() {
            i += 1;
            continue;
        }
        let mut items: Vec<(usize, usize)> = Vec::new();
        let mut j = i;
        while let Some(l) = parse_name(text, j) {
            items.push((j, j + l));
            j += l;
            if text.get(j) != Some(&DUNHAO) {
                break;
            }
            j += 1;
        }
        // Closed by a verb of taking part, or by 等 and such a verb or a word for people
        // (甲、乙等同志; not 甲、乙等领域).
        let people_after = |k: usize| {
            PARTICIPANT_VERBS.starts_at(text, k)
                || PEOPLE_NOUNS.starts_at(text, k)
                || TITLES.starts_at(text, k)
                || level_title(text, k).is_some()
        };
        // Or a roll of three names or more after a colon, running to the end of the sentence
        // (执行主席是：甲、乙、丙。), a note in brackets allowed after the last (丁(女)).
        let roll = i > 0
            && text[i - 1] == COLON
            && items.len() >= 3
            && matches!(text.get(j), Some(&FULL_STOP | &OPEN_BRACKET | &'('));
        // 等3名县人大代表: a count of people (名, 位) says what they are.
        let after_etc = {
            let mut k = j + 1;
            while text.get(k).is_some_and(|&c| is_count(c)) {
                k += 1;
            }
            if k > j + 1 && text.get(k).is_some_and(|&c| person_measures(c)) {
                k + 1
            } else {
                j + 1
            }
        };
        let closed = PARTICIPANT_VERBS.starts_at(text, j)
            || text.get(j) == Some(&ETC) && (after_etc > j + 1 || people_after(after_etc))
            || roll;
        let ends_list = items.last().is_some_and(|&(_, e)| e == j);
        if items.len() >= 2 && closed && ends_list && items.iter().all(|&(a, b)| free(taken, a, b))
        {
            let titles: Vec<(usize, usize)> = (text.get(j) == Some(&ETC))
                .then(|| level_title(text, after_etc))
                .flatten()
                .into_iter()
                .collect();
            out.extend(items.iter().map(|&(a, b)| Mention {
                start: a,
                name_start: a,
                name_end: b,
                titles: titles.clone(),
                own_titles: false,
                key: string(&text[a..b]),
                listed: true,
                gap: None,
            }));
        }
        i = j.max(i + 1);
    }
    out
}

/// A title of a level of government at `k` (市领导, 县委领导 after 甲、乙等): the people listed
/// before it hold it together.
fn level_title(text: &[char], k: usize) -> Option<(usize, usize)> {
    if !text.get(k).is_some_and(|&c| one_char_place_ends(c)) {
        return None;
    }
    let l = TITLES.longest_at(text, k + 1)?;
    let span = &text[k + 1..k + 1 + l];
    OFFICIAL_TITLES
        .longest_ending_at(span, l)
        .map(|_| (k, k + 1 + l))
}

/// Whether `a..b` overlaps none of the sorted spans `taken`.
fn free(taken: &[(usize, usize)], a: usize, b: usize) -> bool {
    let i = taken.partition_point(|&(_, e)| e <= a);
    taken.get(i).is_none_or(|&(s, _)| s >= b)
}

/// The names of the people a titled mention named, looked up by first character in one pass
/// over the text.
struct KnownNames {
    /// Names by first character, longest first.
    by_first: FxMap<char, Vec<Vec<char>>>,
    /// A bit per first character (mod 64): most positions are rejected without a map lookup.
    first_bits: u64,
}

impl KnownNames {
    fn of(mentions: &[Mention]) -> Self {
        let mut known: Vec<Vec<char>> = Vec::new();
        for m in mentions {
            let k: Vec<char> = m.key.chars().collect();
            if k.len() >= 2 && !known.contains(&k) && known.len() < 200 {
                known.push(k);
            }
        }
        let mut by_first: FxMap<char, Vec<Vec<char>>> = FxMap::default();
        for k in known {
            by_first.entry(k[0]).or_default().push(k);
        }
        for v in by_first.values_mut() {
            v.sort_by_key(|k| std::cmp::Reverse(k.len()));
        }
        let first_bits = by_first.keys().fold(0u64, |b, &c| b | 1 << (c as u32 % 64));
        KnownNames {
            by_first,
            first_bits,
        }
    }

    fn starting_with(&self, c: char) -> Option<&Vec<Vec<char>>> {
        if self.first_bits & 1 << (c as u32 % 64) == 0 {
            return None;
        }
        self.by_first.get(&c)
    }

    /// Known names written bare (曹某一行, 曹某指出) outside the spans `taken`.
    fn bare_mentions(&self, text: &[char], taken: &[(usize, usize)]) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < text.len() {
            let hit = self.starting_with(text[i]).and_then(|names| {
                names.iter().find(|name| {
                    let n = name.len();
                    i + n <= text.len()
                        && text[i..i + n] == name[..]
                        && free(taken, i, i + n)
                        && (n >= 3 || follows_ok(text, i + n))
                })
            });
            let Some(name) = hit else {
                i += 1;
                continue;
            };
            let n = name.len();
            out.push(Mention {
                start: i,
                name_start: i,
                name_end: i + n,
                titles: Vec::new(),
                own_titles: false,
                key: string(name),
                listed: false,
                gap: None,
            });
            i += n;
        }
        out
    }

    /// Surname + title (钟区长): the one known person with that surname, outside the spans
    /// `taken` and the bare mentions `bare` (sorted).
    fn surname_title_mentions(
        &self,
        text: &[char],
        taken: &[(usize, usize)],
        bare: &[Mention],
    ) -> Vec<Mention> {
        let mut out = Vec::new();
        for i in 0..text.len().saturating_sub(2) {
            let Some(ks) = self.starting_with(text[i]) else {
                continue;
            };
            let mut people: Vec<&Vec<char>> = ks.iter().collect();
            people.dedup();
            if people.len() != 1 {
                continue;
            }
            let Some(l) = TITLES.longest_at(text, i + 1) else {
                continue;
            };
            let e = i + 1 + l;
            // 许县长某某: the title of 某某; but 许县长偕…: a word that follows names.
            let named_after = parse_name(text, e).is_some() && !FOLLOWERS.starts_at(text, e);
            if named_after || !free(taken, i, e) {
                continue;
            }
            let k = bare.partition_point(|m| m.name_end <= i);
            if bare.get(k).is_some_and(|m| m.start < e) {
                continue;
            }
            out.push(Mention {
                start: i,
                name_start: i,
                name_end: e,
                titles: Vec::new(),
                own_titles: false,
                key: string(people[0]),
                listed: false,
                gap: None,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(s: &str) -> Vec<(String, Vec<String>)> {
        let t: Vec<char> = s.chars().collect();
        mentions(&t, &[])
            .into_iter()
            .filter(|m| m.own_titles || !m.titles.is_empty())
            .map(|m| {
                let titles = m
                    .titles
                    .iter()
                    .map(|&(a, b)| t[a..b].iter().collect())
                    .collect();
                (m.key, titles)
            })
            .collect()
    }

    #[test]
    fn titles_before_names_are_found_with_their_organisation_prefix() {
        let cases: &[(&str, &[(&str, &[&str])])] = &[
            (
                "区委书记王建国，区委副书记、区长刘晓明带队前往",
                &[
                    ("王建国", &["区委书记"]),
                    ("刘晓明", &["区委副书记", "区长"]),
                ],
            ),
            (
                "同日，甲县总林长、县长李强到乙镇巡林",
                &[("李强", &["甲县总林长", "县长"])],
            ),
            (
                "由某市发展和改革委员会副主任周平带队",
                &[("周平", &["某市发展和改革委员会副主任"])],
            ),
            (
                "县领导孙力、钱文参加",
                &[("孙力", &["县领导"]), ("钱文", &["县领导"])],
            ),
            (
                "会见了某集团董事长吴海涛一行",
                &[("吴海涛", &["某集团董事长"])],
            ),
            (
                "在漳江宾馆与某局集团党委书记、董事长郑国华座谈",
                &[("郑国华", &["某局集团党委书记", "董事长"])],
            ),
            ("某国驻华大使穆萨维一行", &[("穆萨维", &["某国驻华大使"])]),
            (
                "政府今日公布商务及经济发展局局长邱应华、区长方明及副区长黄伟分别走访",
                &[
                    ("邱应华", &["商务及经济发展局局长"]),
                    ("方明", &["区长"]),
                    ("黄伟", &["副区长"]),
                ],
            ),
            ("和平区区长苗壮到乙街道", &[("苗壮", &["和平区区长"])]),
            ("于都县县长洪波到乙乡", &[("洪波", &["于都县县长"])]),
            ("向阳镇党委书记贝聪到", &[("贝聪", &["向阳镇党委书记"])]),
            ("，向区委书记苗壮介绍", &[("苗壮", &["区委书记"])]),
            ("，同安徽省副省长钟灵座谈", &[("钟灵", &["安徽省副省长"])]),
            (
                "某省省长阿卜杜.拉赫曼分别致辞",
                &[("阿卜杜.拉赫曼", &["某省省长"])],
            ),
        ];
        for (text, want) in cases {
            let got = people(text);
            let want: Vec<(String, Vec<String>)> = want
                .iter()
                .map(|(n, ts)| (n.to_string(), ts.iter().map(|t| t.to_string()).collect()))
                .collect();
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn a_title_written_after_a_name_ends_it() {
        for (text, len) in [
            ("张勇副县长表示", 2),
            ("黄伟哲市长表示", 3),
            ("王路副省长对", 2),
        ] {
            let t: Vec<char> = text.chars().collect();
            assert_eq!(parse_name(&t, 0), Some(len), "{text}");
        }
    }

    #[test]
    fn a_body_is_no_name() {
        // The place is written twice, as a repeated three-character name would be.
        for text in [
            "徐汇区委、区政府对龙岩市代表团的到来表示欢迎，介绍了徐汇区的发展情况",
            "龙岩市委、市政府对考察团的到来表示欢迎，介绍了龙岩市的发展情况",
        ] {
            let t: Vec<char> = text.chars().collect();
            assert_eq!(parse_name(&t, 0), None, "{text}");
            assert_eq!(closed_name(&t, 0), None, "{text}");
        }
    }

    #[test]
    fn a_name_after_the_body_it_works_for_before_its_title() {
        // 市区域办王某主任: the body, the name, a short title; 某局党委书记 names no 党委.
        assert_eq!(
            people("市区域办王斌主任参加相关活动"),
            vec![("王斌".to_string(), vec!["主任".to_string()])]
        );
        assert!(people("市财政局党委书记参加").is_empty());
        // 理事 is a title.
        assert_eq!(
            people("理事朱學熙、高基宏等熱情接待")
                .into_iter()
                .map(|p| p.0)
                .collect::<Vec<_>>(),
            vec!["朱學熙".to_string(), "高基宏".to_string()]
        );
    }

    #[test]
    fn names_joined_by_he_or_ji_after_a_title_share_it() {
        let got = people("会见了国民党荣誉主席连战和吴伯雄、董事长林中森");
        let want: Vec<(String, Vec<String>)> = vec![
            ("连战".into(), vec!["国民党荣誉主席".into()]),
            ("吴伯雄".into(), vec!["国民党荣誉主席".into()]),
            ("林中森".into(), vec!["董事长".into()]),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn two_or_three_character_names_are_told_apart_by_what_follows() {
        for (text, name) in [
            ("副市长韦健到乙镇督查", "韦健"),
            ("副省长邱大进到某展区巡馆", "邱大进"),
            ("区长柯允深入东港区调研", "柯允"),
            ("县长章立德第一时间赴港", "章立德"),
            ("省府主席林政则，一向关心地方", "林政则"),
            ("县长王某则表示欢迎", "王某"),
            // 进行 and 举行 follow names (与荣誉主席连某进行会晤).
            ("与国民党荣誉主席连战进行短暂会晤", "连战"),
            // 共 (in all) after a name: 县长孟某某共26名县级领导….
            ("县委副书记、县长孟令选共26名县级领导开展巡林", "孟令选"),
            // Three characters written elsewhere win over four read before a slip (表对).
            ("区长吴江辉表对项目进行视察。吴江辉强调安全", "吴江辉"),
        ] {
            let got = people(text);
            assert_eq!(got.first().map(|p| p.0.as_str()), Some(name), "{text}");
        }
    }

    #[test]
    fn bare_names_and_surname_with_title_refer_to_people_already_named() {
        let t: Vec<char> = "县长曾某华前往乙乡。曾某华一行察看了道路。曾县长表示满意。"
            .chars()
            .collect();
        let ms = mentions(&t, &[]);
        assert_eq!(ms.len(), 3);
        assert!(ms.iter().all(|m| m.key == "曾某华"));
    }
}
