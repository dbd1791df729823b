//! Romanised names, so readers outside China can read and search them: 曹立强 → "Cao Liqiang"
//! (surname capitalised, given name joined and capitalised, no tones), as passports and the
//! foreign press write them.
//!
//! Readings come from the `pinyin` crate (its most common reading of each character). Surnames
//! are the exception: several characters read differently as a surname (单 Shan, 曾 Zeng, 解 Xie),
//! so those are listed here.

use dongtai_proto::{ActivityEvent, ActorKind};
use pinyin::ToPinyin as _;

/// Two-character surnames: the whole pair is the surname.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "长孙",
    "宇文", "司徒", "轩辕", "独孤", "端木", "南宫", "西门", "百里", "呼延", "澹台", "公冶", "万俟",
    "闻人", "赫连", "钟离", "宗政", "濮阳", "太史", "申屠", "东郭", "拓跋", "歐陽", "司馬", "諸葛",
];

/// Surname readings that differ from the character's most common reading.
const SURNAME_READINGS: &[(char, &str)] = &[
    ('单', "shan"),
    ('單', "shan"),
    ('曾', "zeng"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('朴', "piao"),
    ('区', "ou"),
    ('區', "ou"),
    ('查', "zha"),
    ('翟', "zhai"),
    ('盖', "ge"),
    ('蓋', "ge"),
    ('乐', "yue"),
    ('樂', "yue"),
    ('尉', "yu"),
    ('缪', "miao"),
    ('繆', "miao"),
    ('覃', "qin"),
    ('种', "chong"),
    ('種', "chong"),
    ('召', "shao"),
    ('秘', "bi"),
    ('任', "ren"),
    ('沈', "shen"),
    ('长', "zhang"),
    ('長', "zhang"),
    ('万', "wan"),
    ('萬', "wan"),
    ('石', "shi"),
    ('华', "hua"),
    ('華', "hua"),
    ('燕', "yan"),
    ('纪', "ji"),
    ('紀', "ji"),
    ('葛', "ge"),
    ('员', "yun"),
    ('員', "yun"),
    ('贲', "ben"),
    ('隗', "wei"),
    ('眭', "sui"),
    ('冼', "xian"),
    ('洗', "xian"),
    ('那', "na"),
    ('哈', "ha"),
    ('藏', "zang"),
    ('祭', "zhai"),
    ('句', "gou"),
    ('阚', "kan"),
];

/// Separators inside transliterated foreign names (阿依古丽·买买提): each part is one word.
const NAME_DOTS: &[char] = &['·', '•', '・', '‧', '.'];

/// The romanisation of a Chinese personal name, or `None` when a character has no reading
/// (a Latin name, a stray symbol): better no romanisation than a wrong one.
pub fn romanise(name: &str) -> Option<String> {
    let name = name.trim();
    if name.chars().count() < 2 {
        return None;
    }
    if name.contains(NAME_DOTS) {
        let words: Option<Vec<String>> = name
            .split(NAME_DOTS)
            .filter(|p| !p.is_empty())
            .map(|p| syllables(p).map(|s| capitalise(&s.concat())))
            .collect();
        return words.map(|w| w.join(" "));
    }
    let surname_len = if COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s)) {
        2
    } else {
        1
    };
    let split = name
        .char_indices()
        .nth(surname_len)
        .map_or(name.len(), |(i, _)| i);
    let (surname, given) = name.split_at(split);
    let mut surname_syllables = syllables(surname)?;
    if let (Some(first), Some(c)) = (surname_syllables.first_mut(), surname.chars().next())
        && let Some((_, reading)) = SURNAME_READINGS.iter().find(|(s, _)| *s == c)
    {
        *first = reading;
    }
    let mut out = capitalise(&surname_syllables.concat());
    if !given.is_empty() {
        out.push(' ');
        out.push_str(&capitalise(&syllables(given)?.concat()));
    }
    Some(out)
}

/// Every reading [`romanise`] may give the first character of `name` (its surname reading and
/// its common one), lower case: a cheap test before romanising a whole name.
pub fn first_readings(name: &str) -> impl Iterator<Item = &'static str> {
    let first = name.trim().chars().next();
    let surname = first.and_then(|c| SURNAME_READINGS.iter().find(|(s, _)| *s == c).map(|r| r.1));
    let common = first.and_then(|c| c.to_pinyin()).map(|p| p.plain());
    surname.into_iter().chain(common)
}

/// Fill `pinyin` of every person in `event` that has none (an extractor's own value stays).
pub fn fill(event: &mut ActivityEvent) {
    for a in &mut event.actors {
        if a.kind == ActorKind::Person && a.pinyin.is_none() {
            a.pinyin = romanise(&a.name);
        }
    }
}

fn syllables(s: &str) -> Option<Vec<&'static str>> {
    s.to_pinyin().map(|p| p.map(|p| p.plain())).collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::romanise;

    #[test]
    fn a_name_is_surname_then_the_given_name_joined_both_capitalised() {
        assert_eq!(romanise("曹立强").as_deref(), Some("Cao Liqiang"));
        assert_eq!(romanise("钟晓咏").as_deref(), Some("Zhong Xiaoyong"));
        assert_eq!(romanise("高世昀").as_deref(), Some("Gao Shiyun"));
        assert_eq!(romanise("王伟").as_deref(), Some("Wang Wei"));
    }

    #[test]
    fn surnames_read_as_surnames_and_compound_surnames_stay_together() {
        assert_eq!(romanise("单立新").as_deref(), Some("Shan Lixin"));
        assert_eq!(romanise("曾国强").as_deref(), Some("Zeng Guoqiang"));
        assert_eq!(romanise("欧阳明").as_deref(), Some("Ouyang Ming"));
    }

    #[test]
    fn traditional_script_and_dotted_foreign_names_are_romanised() {
        assert_eq!(romanise("鍾曉詠").as_deref(), Some("Zhong Xiaoyong"));
        assert_eq!(
            romanise("阿依古丽·买买提").as_deref(),
            Some("Ayiguli Maimaiti")
        );
    }

    #[test]
    fn names_with_characters_that_have_no_reading_get_none() {
        assert_eq!(romanise("John Smith"), None);
        assert_eq!(romanise("曹"), None);
    }
}
