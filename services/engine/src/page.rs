//! Splitting a scanned newspaper page into its articles.
//!
//! On the pages we receive, a headline is printed after its article's body, an article that goes
//! on elsewhere ends with a jump line (（下转第 6 版）) followed by its headlines, and a new article
//! starts with an indented paragraph right after the previous line (no blank line between).

use crate::PageArticle;
use crate::lexicon::grammar::SENTENCE_PUNCT;
use crate::normalize::{
    Line, column_joins, column_width, ends_sentence, is_jump_line, is_space, lines,
    normalize_lines, normalize_lines_chars, trimmed_len,
};

fn has_punct(chars: &[char], l: Line) -> bool {
    chars[l.start..l.end]
        .iter()
        .any(|c| SENTENCE_PUNCT.contains(c))
}

#[derive(Default)]
struct Group {
    body: Vec<Line>,
    title: Vec<Line>,
}

/// Split `raw` into articles; see the module doc for the layout rules.
pub(crate) fn split_page(raw: &str) -> Vec<PageArticle> {
    split_page_soft(raw).into_iter().map(|(a, _)| a).collect()
}

/// [`split_page`] with each article's soft breaks (see `normalize_lines_soft`).
pub(crate) fn split_page_soft(raw: &str) -> Vec<(PageArticle, Vec<usize>)> {
    let chars: Vec<char> = raw.chars().collect();
    let all = lines(&chars);
    let width = column_width(&chars, &all);
    split_lines_soft(&chars, &all, width)
        .into_iter()
        .map(|(a, soft, _)| (a, soft))
        .collect()
}

/// [`split_page_soft`] on a page already read (its chars, its lines and its column width), also
/// giving each article's normalised text as chars.
pub(crate) fn split_lines_soft(
    chars: &[char],
    all: &[Line],
    width: Option<usize>,
) -> Vec<(PageArticle, Vec<usize>, Vec<char>)> {
    let nonblank: Vec<Line> = all
        .iter()
        .copied()
        .filter(|&l| trimmed_len(chars, l) > 0)
        .collect();
    let groups = match width {
        None => vec![Group {
            body: nonblank,
            title: Vec::new(),
        }],
        Some(_) => {
            let mut groups = group_lines(chars, &nonblank);
            for g in &mut groups {
                trailing_headline(chars, g);
            }
            groups
        }
    };
    groups
        .into_iter()
        .filter(|g| !g.body.is_empty())
        .map(|g| {
            let join = column_joins(chars, &g.body, width);
            let (body, text, soft) = normalize_lines_chars(chars, &g.body, &join, width);
            let article = PageArticle {
                title: headline(chars, &g.title, width),
                text: body.text,
                map: body.map,
            };
            (article, soft, text)
        })
        .collect()
}

/// The lines of a page in columns, grouped into articles: a jump line ends an article and its
/// headlines follow it; an indented line right after the previous one starts a new article.
fn group_lines(chars: &[char], nonblank: &[Line]) -> Vec<Group> {
    let mut groups: Vec<Group> = vec![Group::default()];
    let mut in_headlines = false;
    let mut prev_line: Option<Line> = None;
    for &l in nonblank {
        let starts_indented = chars.get(l.start).is_some_and(|&c| is_space(c));
        let right_after_prev = prev_line.is_some_and(|p| p.brk + 1 == l.start);
        let cur_has_body = groups.last().is_some_and(|g| !g.body.is_empty());
        prev_line = Some(l);
        let Some(g) = groups.last_mut() else {
            continue;
        };
        if is_jump_line(chars, l) {
            g.body.push(l);
            in_headlines = true;
            continue;
        }
        if in_headlines {
            if !has_punct(chars, l) && !starts_indented {
                g.title.push(l);
                continue;
            }
            in_headlines = false;
            groups.push(Group::default());
        } else if starts_indented && right_after_prev && cur_has_body {
            groups.push(Group::default());
        }
        if let Some(g) = groups.last_mut() {
            g.body.push(l);
        }
    }
    groups
}

/// Lines without punctuation after an article's last sentence are its headline (when it has
/// none yet).
fn trailing_headline(chars: &[char], g: &mut Group) {
    if !g.title.is_empty() {
        return;
    }
    let last_sentence = g
        .body
        .iter()
        .rposition(|&l| ends_sentence(chars, l) || is_jump_line(chars, l));
    if let Some(k) = last_sentence {
        let tail = &g.body[k + 1..];
        if !tail.is_empty() && tail.iter().all(|&l| !has_punct(chars, l)) {
            g.title = tail.to_vec();
            g.body.truncate(k + 1);
        }
    }
}

/// The main headline among the headline lines: the last one, with full-width lines run on.
fn headline(chars: &[char], title: &[Line], width: Option<usize>) -> Option<String> {
    let w = width.unwrap_or(usize::MAX);
    let mut parts: Vec<Vec<Line>> = Vec::new();
    let mut cur: Vec<Line> = Vec::new();
    for &l in title {
        cur.push(l);
        // A full-width line runs on; a shorter or a wider one (printed across columns) ends a
        // headline.
        let n = trimmed_len(chars, l);
        if n + 1 < w || n > w + 1 {
            parts.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    let last = parts.pop()?;
    let join = vec![true; last.len()];
    let n = normalize_lines(chars, &last, &join);
    let t = n.text.trim().to_owned();
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_splits_at_jump_lines_and_indented_starts_with_headlines_after_bodies() {
        let page = "甲县举办秋季农产品展销活动，吸\n\n引了众多客商前来参加。活动持\n\n续三天，成交额创下新高。\n\n（下转第 3 版）\n\n秋季展销成交创新高\n 10 月 8 日上午，县委书记王某某\n\n带队前往城南工业园区调研企业\n\n生产经营情况。\n\n县领导李某某参加调研。\n 10 月 9 日，县长赵某某深入乙镇\n\n检查秋冬季森林防火工作，要求\n\n压实各级林长责任。\n\n县长深入乙镇检查森林防火\n";
        let arts = split_page(page);
        assert_eq!(arts.len(), 3, "{arts:#?}");
        assert_eq!(arts[0].title.as_deref(), Some("秋季展销成交创新高"));
        assert!(arts[0].text.ends_with("（下转第3版）"));
        assert_eq!(arts[1].title, None);
        assert!(
            arts[1]
                .text
                .starts_with("10月8日上午，县委书记王某某带队前往")
        );
        assert_eq!(arts[2].title.as_deref(), Some("县长深入乙镇检查森林防火"));
        let pc: Vec<char> = page.chars().collect();
        let start = arts[2].map.to_raw(0);
        assert_eq!(pc[start], '1');
    }
}
