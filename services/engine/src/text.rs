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
