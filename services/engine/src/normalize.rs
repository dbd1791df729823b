//! Normalisation: full-width forms, CJK spacing, broken column lines, with a map back to the raw
//! text. Only deletes characters or replaces one by one, so [`OffsetMap`] describes it.

use crate::Normalized;
use crate::lexicon::TRAD_SIMP;
use crate::lexicon::grammar::{
    CLOSE_BRACKET, COLON, COMMA, DUNHAO, EXCLAMATION, FULL_STOP, OPEN_BRACKET, QUESTION, SEMICOLON,
};
use crate::lexicon::grammar::{CONTINUED_FROM, FINAL_PUNCT, PAGE, TURN};
use crate::people::is_cjk;
use dongtai_proto::OffsetMap;

/// One line of the raw text: char range without its line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    pub start: usize,
    pub end: usize,
    /// Char offset of the line break after it (== `end` when the text ends there).
    pub brk: usize,
}

/// Lines of `chars` (split at `\n`; a `\r` before it belongs to the line).
pub(crate) fn lines(chars: &[char]) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            out.push(Line {
                start,
                end: i,
                brk: i,
            });
            start = i + 1;
        }
    }
    if start < chars.len() {
        out.push(Line {
            start,
            end: chars.len(),
            brk: chars.len(),
        });
    }
    out
}

pub(crate) fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\u{3000}' | '\u{a0}' | '\u{2002}'..='\u{200b}' | '\u{feff}'
    )
}

/// Trimmed length of a line in chars.
pub(crate) fn trimmed_len(chars: &[char], l: Line) -> usize {
    let s = &chars[l.start..l.end];
    let a = s.iter().position(|&c| !is_space(c));
    let b = s.iter().rposition(|&c| !is_space(c));
    match (a, b) {
        (Some(a), Some(b)) => b + 1 - a,
        _ => 0,
    }
}

/// The width of a newspaper column when the text looks like one (most lines short, of about the
/// same length), else `None`.
pub(crate) fn column_width(chars: &[char], lines: &[Line]) -> Option<usize> {
    let lens: Vec<usize> = lines
        .iter()
        .map(|&l| trimmed_len(chars, l))
        .filter(|&n| n > 0)
        .collect();
    // A short text is a column only when its lines stand apart as a column's do (blank lines
    // between them).
    let blank_separated = lines.len() + 1 >= 2 * lens.len();
    if lens.len() < 3 || lens.len() < 6 && !blank_separated {
        return None;
    }
    // A paragraph's last few characters stand in a line of their own (工作。, 。), and so does
    // a dateline of a round-up (一日): lines of any length up to a column's count.
    let short = lens.iter().filter(|&&n| n <= 22).count();
    if short * 10 < lens.len() * 7 {
        return None;
    }
    // …and most of the text stands in them: a web page's short fields (来源：, 扫码浏览) around
    // a story in long lines are no column.
    let in_short: usize = lens.iter().filter(|&&n| (4..=22).contains(&n)).sum();
    if in_short * 10 < lens.iter().sum::<usize>() * 7 {
        return None;
    }
    let mut counts = [0usize; 23];
    for &n in &lens {
        if (6..=22).contains(&n) {
            counts[n] += 1;
        }
    }
    let (w, _) = counts.iter().enumerate().max_by_key(|&(n, c)| (*c, n))?;
    (w >= 6).then_some(w)
}

/// Whether a line ends with a sentence's final punctuation.
pub(crate) fn ends_sentence(chars: &[char], l: Line) -> bool {
    chars[l.start..l.end]
        .iter()
        .rev()
        .find(|c| !is_space(**c))
        .is_some_and(|c| FINAL_PUNCT.contains(c))
}

/// Whether a line is a jump line such as （下转第 6 版）.
pub(crate) fn is_jump_line(chars: &[char], l: Line) -> bool {
    let line = &chars[l.start..l.end];
    if !line.contains(&PAGE) || trimmed_len(chars, l) > 24 {
        return false;
    }
    let s: String = line.iter().filter(|c| !is_space(**c)).collect();
    s.chars().count() <= 16 && (s.contains(TURN) || s.contains(CONTINUED_FROM))
}

fn is_ascii_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Full-width letters and digits become ASCII; ASCII punctuation in Chinese text becomes the
/// full-width form the parser expects.
fn map_char(prev: Option<char>, c: char, next: Option<char>, point_is_stop: bool) -> char {
    let digit = |o: Option<char>| o.is_some_and(|c| c.is_ascii_digit());
    match c {
        '\u{ff10}'..='\u{ff19}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' => {
            char::from_u32(c as u32 - 0xfee0).unwrap_or(c)
        }
        ',' if !(digit(prev) && digit(next)) => COMMA,
        ':' if !(digit(prev) && digit(next)) => COLON,
        ';' => SEMICOLON,
        // In a text typed with points for full stops, a point after Chinese text and not
        // before a letter or digit ends a sentence; 3.5, www.gov.cn and U.S. keep theirs.
        '.' | '\u{ff0e}' | '\u{ff61}'
            if point_is_stop
                && prev.is_some_and(|p| is_cjk(p) || "”’」』）》".contains(p))
                && !next.is_some_and(|n| n.is_ascii_alphanumeric()) =>
        {
            FULL_STOP
        }
        '\u{ff0e}' => '.',
        '(' => OPEN_BRACKET,
        ')' => CLOSE_BRACKET,
        '!' => EXCLAMATION,
        '?' => QUESTION,
        _ => c,
    }
}

/// Normalise the given raw lines of `chars` into one text. `join[i]` says whether the break after
/// line `i` is a column break (deleted) rather than a paragraph break (kept as one `\n`).
pub(crate) fn normalize_lines(chars: &[char], lines: &[Line], join: &[bool]) -> Normalized {
    normalize_lines_soft(chars, lines, join, None).0
}

/// [`normalize_lines`], also returning the "soft breaks": offsets in the normalised text where a
/// short column line without final punctuation (a headline's end, most often) was run on into
/// the next. Names and titles do not reach back across them.
pub(crate) fn normalize_lines_soft(
    chars: &[char],
    lines: &[Line],
    join: &[bool],
    width: Option<usize>,
) -> (Normalized, Vec<usize>) {
    let (n, _, soft) = normalize_lines_chars(chars, lines, join, width);
    (n, soft)
}

/// [`normalize_lines_soft`], also returning the chars of the normalised text.
pub(crate) fn normalize_lines_chars(
    chars: &[char],
    lines: &[Line],
    join: &[bool],
    width: Option<usize>,
) -> (Normalized, Vec<char>, Vec<usize>) {
    let mut soft = Vec::new();
    let mut w = Writer {
        text: Vec::with_capacity(chars.len()),
        map: OffsetMap::identity(),
        run: 0,
        prev: None,
        point_is_stop: !chars.contains(&FULL_STOP),
    };
    let mut pending_space: Option<usize> = None;
    let nonblank: Vec<usize> = (0..lines.len())
        .filter(|&i| trimmed_len(chars, lines[i]) > 0)
        .collect();
    for (k, &li) in nonblank.iter().enumerate() {
        let l = lines[li];
        w.line(chars, l, &mut pending_space, &mut soft);
        if k + 1 == nonblank.len() {
            break;
        }
        if join.get(li).copied().unwrap_or(false) {
            let short = width.is_some_and(|wd| trimmed_len(chars, l) + 1 < wd);
            // A column break: the lines run on, even a number cut in two (2 | 6日); after a short
            // line nothing was cut, so numbers on both sides stay apart (19:17 | 5月9日).
            pending_space = short.then_some(l.brk);
            let prev_line = k.checked_sub(1).map(|pk| lines[nonblank[pk]]);
            if short && soft_break(chars, l, prev_line, w.prev) {
                soft.push(w.text.len());
            }
        } else {
            pending_space = None;
            if w.prev.is_some() && w.prev != Some('\n') {
                w.emit(l.brk, '\n');
            }
        }
    }
    let normalized = Normalized {
        text: crate::text::string(&w.text),
        map: w.map,
    };
    (normalized, w.text, soft)
}

/// A short line run on is a soft break when neither it nor the line before holds a comma and
/// it does not end with punctuation: a headline's end, not the rest of a sentence wrapped twice.
fn soft_break(chars: &[char], l: Line, prev_line: Option<Line>, last: Option<char>) -> bool {
    let comma = |x: &Line| {
        chars[x.start..x.end]
            .iter()
            .any(|&c| matches!(c, COMMA | ','))
    };
    let open = !last.is_some_and(|c| {
        matches!(
            c,
            FULL_STOP | EXCLAMATION | QUESTION | COMMA | DUNHAO | SEMICOLON | COLON
        )
    });
    open && !comma(&l) && !prev_line.is_some_and(|p| comma(&p))
}

/// The normal form being written, with the map of its offsets back to the raw chars.
struct Writer {
    text: Vec<char>,
    map: OffsetMap,
    /// raw - n of the map's last anchor: a char on the same run adds nothing to the map.
    run: usize,
    /// The last char written.
    prev: Option<char>,
    /// The text has no 。 of its own: its points end sentences. (With 。 around, a point
    /// between Chinese characters is a name's dot: 赫马库马拉.纳那亚克勒.)
    point_is_stop: bool,
}

impl Writer {
    fn emit(&mut self, raw: usize, c: char) {
        let n = self.text.len();
        let d = raw.wrapping_sub(n);
        if d != self.run {
            self.map.push(n, raw);
            self.run = d;
        }
        self.text.push(c);
        self.prev = Some(c);
    }

    /// The chars of line `l`, mapped; spaces dropped except one between ASCII words (kept in
    /// `pending_space` across a column break). A space dropped between two Chinese characters
    /// inside the line is pushed to `soft`: pages that separate sentences or fields with a space
    /// (…方式举行 省委副书记、省长某某) keep that boundary for the titles.
    fn line(
        &mut self,
        chars: &[char],
        l: Line,
        pending_space: &mut Option<usize>,
        soft: &mut Vec<usize>,
    ) {
        for i in l.start..l.end {
            let c = chars[i];
            if is_space(c) {
                if pending_space.is_none() {
                    *pending_space = Some(i);
                }
                continue;
            }
            if let Some(sp) = pending_space.take() {
                if self.prev.is_some_and(is_ascii_word) && is_ascii_word(c) {
                    self.emit(sp, ' ');
                } else if sp > l.start
                    && self.prev.is_some_and(is_cjk)
                    && is_cjk(c)
                    && soft.last() != Some(&self.text.len())
                {
                    soft.push(self.text.len());
                }
            }
            let next = chars.get(i + 1).copied();
            let mapped = map_char(self.prev, c, next, self.point_is_stop);
            self.emit(i, mapped);
        }
    }
}

/// Which line breaks of a text are column breaks to delete.
pub(crate) fn column_joins(chars: &[char], lines: &[Line], width: Option<usize>) -> Vec<bool> {
    let mut join = vec![false; lines.len()];
    if width.is_none() {
        return join;
    }
    for i in 0..lines.len() {
        if is_jump_line(chars, lines[i]) {
            continue;
        }
        // A paragraph that starts indented right after a line (no blank line) starts a new
        // article on a scanned page: keep that break.
        let next = (i + 1..lines.len()).find(|&j| trimmed_len(chars, lines[j]) > 0);
        if let Some(j) = next {
            let indented = chars.get(lines[j].start).is_some_and(|&c| is_space(c));
            let adjacent = lines[j].start == lines[i].brk + 1;
            if adjacent && indented || is_jump_line(chars, lines[j]) {
                continue;
            }
        }
        join[i] = true;
    }
    // A short line after a sentence's end that ends none itself is a heading of its own (the
    // 一日 of a round-up by days, a section's name): the breaks around it stay.
    let nonblank: Vec<usize> = (0..lines.len())
        .filter(|&i| trimmed_len(chars, lines[i]) > 0)
        .collect();
    let w = width.unwrap_or(0);
    for pair in nonblank.windows(2) {
        let (p, h) = (pair[0], pair[1]);
        if ends_sentence(chars, lines[p])
            && !ends_sentence(chars, lines[h])
            && trimmed_len(chars, lines[h]) * 2 <= w
        {
            join[p] = false;
            join[h] = false;
        }
    }
    join
}

/// The whole normalisation of a raw text.
pub(crate) fn normalize(raw: &str) -> Normalized {
    let chars: Vec<char> = raw.chars().collect();
    let ls = lines(&chars);
    let width = column_width(&chars, &ls);
    let join = column_joins(&chars, &ls, width);
    normalize_lines(&chars, &ls, &join)
}

/// The simplified form of normalised text, char for char (same offsets).
pub(crate) fn simplified(chars: &[char]) -> Vec<char> {
    chars.iter().map(|&c| simplified_char(c)).collect()
}

/// One character in its simplified form (itself when it has none).
pub(crate) fn simplified_char(c: char) -> char {
    let (bits, table) = &*TRAD_SIMP;
    if bits.contains(c) {
        table.get(&c).copied().unwrap_or(c)
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_map(raw: &str, n: &Normalized) {
        let raw: Vec<char> = raw.chars().collect();
        for (i, c) in n.text.chars().enumerate() {
            let r = n.map.to_raw(i);
            assert!(r < raw.len() || c == '\n', "offset {i} maps outside");
            if c != '\n' && c != ' ' && c.is_alphanumeric() && raw[r].is_alphanumeric() {
                let rc = raw[r];
                assert!(
                    rc == c || map_char(None, rc, None, false) == c,
                    "{c} maps to {rc}"
                );
            }
        }
    }

    #[test]
    fn spaces_inside_chinese_and_around_numbers_are_removed() {
        for (raw, want) in [
            ("11 月 5 日上午， 区委书记", "11月5日上午，区委书记"),
            ("参观 AI 芯片", "参观AI芯片"),
            ("Hello world 你好", "Hello world你好"),
            ("１２月３日", "12月3日"),
            ("会议,讨论(草案)", "会议，讨论（草案）"),
            ("1,000 元", "1,000元"),
            ("调研工作.县领导参加.", "调研工作。县领导参加。"),
            ("增长3.5%，访问www.gov.cn。", "增长3.5%，访问www.gov.cn。"),
            ("人均２．５亩", "人均2.5亩"),
            (
                "省长赫马库马拉.纳那亚克勒出席。",
                "省长赫马库马拉.纳那亚克勒出席。",
            ),
        ] {
            let n = normalize(raw);
            assert_eq!(n.text, want, "{raw}");
            check_map(raw, &n);
        }
    }

    #[test]
    fn broken_column_lines_are_joined_back_into_paragraphs() {
        let raw = "9 月 3 日上午，县委书记王某某\n\n带队前往城东新区调研园区建\n\n设情况，并听取有关工作汇报。\n\n王某某一行先后察看了三个项\n\n目现场，详细了解工程进度。\n\n县领导李某某参加调研活动。\n";
        let n = normalize(raw);
        assert_eq!(
            n.text,
            "9月3日上午，县委书记王某某带队前往城东新区调研园区建设情况，并听取有关工作汇报。\
             王某某一行先后察看了三个项目现场，详细了解工程进度。县领导李某某参加调研活动。"
        );
        check_map(raw, &n);
        let start = n.text.chars().position(|c| c == '带').unwrap_or(0);
        assert_eq!(raw.chars().nth(n.map.to_raw(start)), Some('带'));
    }

    #[test]
    fn numbers_on_both_sides_of_a_short_line_stay_apart() {
        // A timestamp ends a short line; the next paragraph opens with a date. A number is cut
        // in two only at a full line.
        let raw = "发表时间： 07-23 19:17\n\n 5 月 9 日， 县长王某某\n\n到乙镇调研春耕生产， 县领\n\n导李某某参加。\n";
        let text = normalize(raw).text;
        assert!(text.contains("19:17 5月9日"), "{text}");
        let raw = "9 月 3 日上午，县委书记王某某\n\n带队前往城东新区调研 2\n\n6 号地块建设情况，并听取有\n\n关工作汇报。王某某一行先后\n\n察看了三个项目现场。\n";
        let text = normalize(raw).text;
        assert!(text.contains("调研26号地块"), "{text}");
    }

    #[test]
    fn a_short_text_in_columns_is_joined_too() {
        let raw = "5月6日， 区长王某某到乙\n\n镇调研春耕生产。 县领导\n\n李某某参加。\n";
        assert_eq!(
            normalize(raw).text,
            "5月6日，区长王某某到乙镇调研春耕生产。县领导李某某参加。"
        );
    }

    #[test]
    fn a_heading_between_paragraphs_of_a_column_keeps_its_lines() {
        // A round-up by days: each day's short heading after a sentence's end, and the tail of
        // a paragraph standing alone (。), are still a column.
        let raw = "省领导活动（ 2011 \n\n年 6 月）\n\n一日\n\n省委书记姜某在甲市调研企\n\n业发展情况。 副省长王某参\n\n加调研。\n\n省长郭某会见了德国客人一行\n\n。\n\n二日\n\n副省长李某到乙市检查防汛\n\n工作。\n";
        assert_eq!(
            normalize(raw).text,
            "省领导活动（2011年6月）一日省委书记姜某在甲市调研企业发展情况。副省长王某参加调研。\
             省长郭某会见了德国客人一行。\n二日\n副省长李某到乙市检查防汛工作。"
        );
    }

    #[test]
    fn paragraphs_of_a_clean_article_stay_apart() {
        let raw = "标题一行\n\n第一段内容很长很长很长很长很长很长很长很长很长很长很长很长很长。\n第二段。";
        assert_eq!(
            normalize(raw).text,
            "标题一行\n第一段内容很长很长很长很长很长很长很长很长很长很长很长很长很长。\n第二段。"
        );
    }
}
