//! Small helpers over char slices (the parser works on `&[char]` to index by character).

/// Whether `w` is written at `text[i..]`.
pub(crate) fn word_at(text: &[char], i: usize, w: &str) -> bool {
    (i..).zip(w.chars()).all(|(k, c)| text.get(k) == Some(&c))
}

/// Whether `w` is written just before `text[end]`.
pub(crate) fn word_before(text: &[char], end: usize, w: &str) -> bool {
    let n = w.chars().count();
    end >= n && word_at(text, end - n, w)
}

/// The chars as a string.
pub(crate) fn string(t: &[char]) -> String {
    // Sized first: collecting char by char grows the string several times.
    let mut s = String::with_capacity(t.iter().map(|c| c.len_utf8()).sum());
    s.extend(t);
    s
}

use crate::lexicon::grammar::{TEN, sentence_closers, tens_char, vague_count};

/// Characters that end a clause (a comma's worth or more), and a sentence.
pub(crate) use crate::lexicon::grammar::{CLAUSE_END, SENTENCE_END};

/// Where the clause holding `text[at]` starts: after the last clause end in `from..at`, else at
/// `from`.
pub(crate) fn clause_start(text: &[char], from: usize, at: usize) -> usize {
    (from..at)
        .rev()
        .find(|&i| CLAUSE_END.contains(&text[i]))
        .map_or(from, |i| i + 1)
}

/// Where the clause holding `text[from]` ends: at the first clause end in `from..to`, else at
/// `to`.
pub(crate) fn clause_end(text: &[char], from: usize, to: usize) -> usize {
    (from..to)
        .find(|&i| CLAUSE_END.contains(&text[i]))
        .unwrap_or(to)
}

/// The sentences of `text` as char spans; closing quotes and brackets stay with their sentence.
pub(crate) fn sentences(text: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    let mut i = 0;
    while i < text.len() {
        if SENTENCE_END.contains(&text[i]) {
            let mut e = i + 1;
            while e < text.len() && sentence_closers(text[e]) {
                e += 1;
            }
            if e > s {
                out.push((s, e));
            }
            s = e;
            i = e;
            continue;
        }
        i += 1;
    }
    if s < text.len() {
        out.push((s, text.len()));
    }
    out
}

/// The value of a Chinese digit (〇 to 九, 两), from `grammar.txt`.
pub(crate) use crate::lexicon::grammar::cn_digit;

/// Whether a character writes part of a number: an ASCII digit, a Chinese digit (〇 included,
/// as in 二〇二三), 十, or 廿/卅.
pub(crate) fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || c == TEN || cn_digit(c).is_some() || tens_char(c).is_some()
}

/// Whether a character writes a count of days or things: a numeral other than zero (12, 三,
/// 两, 十).
pub(crate) fn is_amount(c: char) -> bool {
    is_numeral(c) && !matches!(cn_digit(c), Some(0))
}

/// Whether a character writes a number or a count (12, 三, 两, 多, 几, 数).
pub(crate) fn is_count(c: char) -> bool {
    is_amount(c) || vague_count(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn sentences_keep_their_closing_quote_and_a_last_unfinished_one() {
        let t = chars("他说：“好。”随后离开；晚上");
        let got: Vec<String> = sentences(&t)
            .iter()
            .map(|&(a, b)| string(&t[a..b]))
            .collect();
        assert_eq!(got, ["他说：“好。”", "随后离开；", "晚上"]);
    }

    #[test]
    fn counts_are_digits_chinese_numerals_and_vague_amounts() {
        for (c, want) in [
            ('7', true),
            ('三', true),
            ('两', true),
            ('几', true),
            ('次', false),
        ] {
            assert_eq!(is_count(c), want, "{c}");
        }
    }

    #[test]
    fn words_are_found_at_and_before_a_position() {
        let t = chars("调研企业");
        assert!(word_at(&t, 2, "企业") && !word_at(&t, 3, "企业"));
        assert!(word_before(&t, 2, "调研") && !word_before(&t, 1, "调研"));
    }
}
