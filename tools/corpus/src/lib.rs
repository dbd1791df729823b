//! A deterministic, seeded generator of Chinese local-news articles about officials' activities.
//!
//! Benchmarks and fault tests need many articles of the genre dongtai reads, the same ones on every
//! run, without shipping a data set: the same `(seed, index)` always gives the same article, on any
//! machine, because the generator uses its own PRNG (splitmix64) and its own lexicons (the files
//! under `lexicon/`). Names are synthesised from surname and given-name characters, places and
//! companies from invented stems; nothing here names a real person.
//!
//! About one article in seven reports no activity (policy prose only), so consumers see the
//! "no events" path too.

use std::fmt::Write as _;
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate};
pub use dongtai_proto::EventKind;
use serde::Serialize;

/// One generated article, shaped like the body of ingest's `POST /v1/articles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedArticle {
    pub title: String,
    pub text: String,
    pub published: NaiveDate,
    /// The activity the article reports, `None` for a policy-prose article without one.
    #[serde(skip)]
    pub activity: Option<EventKind>,
    /// Names of the officials leading the activity, in order of mention (empty without activity).
    #[serde(skip)]
    pub leads: Vec<String>,
}

/// `n` articles of the stream `seed`: element `i` equals `article(seed, i)`.
pub fn generate(seed: u64, n: usize) -> Vec<GeneratedArticle> {
    (0..n as u64).map(|i| article(seed, i)).collect()
}

/// The article at `index` of the stream `seed`, independent of every other index, so a
/// benchmark can produce article 1,000,000 without producing the 999,999 before it.
///
/// The body carries a figure derived from `index` ("累计服务企业N家"), so different indexes of
/// one seed never normalise to the same text (ingest's content id would merge them otherwise).
pub fn article(seed: u64, index: u64) -> GeneratedArticle {
    let mut rng = SplitMix64::new(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    // Discard one output so seeds that differ in one bit diverge at once.
    rng.next_u64();
    Writer::new(&mut rng, index).article()
}

/// A scanned newspaper page holding `articles`: short column lines with blank lines between,
/// each headline printed after its body, as the customer's scans arrive (ingest `layout=page`).
pub fn page(articles: &[GeneratedArticle]) -> String {
    let mut out = String::new();
    for a in articles {
        let chars: Vec<char> = a.text.chars().collect();
        // Column width varies between 10 and 16 characters, deterministic in the text length.
        let width = 10 + chars.len() % 7;
        for line in chars.chunks(width) {
            out.extend(line.iter());
            out.push_str("\n\n");
        }
        out.push_str(&a.title);
        out.push_str("\n\n\n");
    }
    out
}

/// `n` distinct person names of the stream `seed` (surname + one or two given-name characters),
/// for benchmarks that need a fixed population of actors.
pub fn person_names(seed: u64, n: usize) -> Vec<String> {
    distinct(seed, n, |rng, lex| {
        let mut name = lex.surnames[rng.below(lex.surnames.len())].to_owned();
        for _ in 0..1 + usize::from(rng.chance(75)) {
            name.push_str(lex.given[rng.below(lex.given.len())]);
        }
        name
    })
}

/// Up to `n` distinct company names of the stream `seed` (the lexicons allow a few hundred).
pub fn company_names(seed: u64, n: usize) -> Vec<String> {
    distinct(seed, n, |rng, lex| {
        stem_and_kind(rng, lex, &lex.company_kinds)
    })
}

/// Up to `n` distinct place names of the stream `seed` (the lexicons allow a few hundred).
pub fn place_names(seed: u64, n: usize) -> Vec<String> {
    distinct(seed, n, |rng, lex| {
        stem_and_kind(rng, lex, &lex.place_kinds)
    })
}

fn stem_and_kind(rng: &mut SplitMix64, lex: &Lexicon, kinds: &[&str]) -> String {
    format!(
        "{}{}",
        lex.stems[rng.below(lex.stems.len())],
        kinds[rng.below(kinds.len())]
    )
}

/// Draw until `n` distinct values, giving up after many repeats (the lexicon is exhausted).
fn distinct(
    seed: u64,
    n: usize,
    mut draw: impl FnMut(&mut SplitMix64, &Lexicon) -> String,
) -> Vec<String> {
    let mut rng = SplitMix64::new(seed);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    let mut misses = 0;
    while out.len() < n && misses < 10_000 {
        let v = draw(&mut rng, &LEXICON);
        if seen.insert(v.clone()) {
            out.push(v);
        } else {
            misses += 1;
        }
    }
    out
}

/// A tiny PRNG (splitmix64): deterministic everywhere, no dependency, good enough to pick words.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0); the modulo bias is irrelevant for picking words.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

struct Lexicon {
    surnames: Vec<&'static str>,
    given: Vec<&'static str>,
    titles: Vec<&'static str>,
    participant_titles: Vec<&'static str>,
    stems: Vec<&'static str>,
    place_kinds: Vec<&'static str>,
    company_kinds: Vec<&'static str>,
    filler: Vec<&'static str>,
    topics: Vec<&'static str>,
}

/// One entry a line; `#` starts a comment line; blank lines are ignored.
fn entries(file: &'static str) -> Vec<&'static str> {
    file.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon {
    surnames: entries(include_str!("../lexicon/surnames.txt")),
    given: entries(include_str!("../lexicon/given.txt")),
    titles: entries(include_str!("../lexicon/titles.txt")),
    participant_titles: entries(include_str!("../lexicon/participant_titles.txt")),
    stems: entries(include_str!("../lexicon/stems.txt")),
    place_kinds: entries(include_str!("../lexicon/place_kinds.txt")),
    company_kinds: entries(include_str!("../lexicon/company_kinds.txt")),
    filler: entries(include_str!("../lexicon/filler.txt")),
    topics: entries(include_str!("../lexicon/topics.txt")),
});

const COUNTRIES: [&str; 8] = [
    "冰岛",
    "芬兰",
    "新西兰",
    "葡萄牙",
    "智利",
    "匈牙利",
    "马耳他",
    "乌拉圭",
];
const FOREIGN_NAMES: [&str; 8] = [
    "易卜雷",
    "马蒂宁",
    "罗斯曼",
    "阿尔维斯",
    "贝塔尼",
    "科瓦奇",
    "维拉斯",
    "桑托林",
];
const CITIES: [&str; 6] = ["深圳", "杭州", "苏州", "成都", "合肥", "广州"];
const MEETINGS: [&str; 6] = [
    "全区优化营商环境推进大会",
    "区委常委会扩大会议",
    "全区安全生产工作会议",
    "区政府常务会议",
    "全区科技创新大会",
    "全区城市更新工作推进会",
];
const CN_DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Bytes of UTF-8 text the body aims for; the article ends at the first paragraph past it.
const TARGET_BYTES: usize = 1_400;

struct Writer<'r> {
    rng: &'r mut SplitMix64,
    lex: &'static Lexicon,
    index: u64,
}

impl<'r> Writer<'r> {
    fn new(rng: &'r mut SplitMix64, index: u64) -> Self {
        Writer {
            rng,
            lex: &LEXICON,
            index,
        }
    }

    /// A random entry of a lexicon.
    fn word(&mut self, entries: &[&'static str]) -> &'static str {
        entries[self.rng.below(entries.len())]
    }

    fn article(&mut self) -> GeneratedArticle {
        // Publication dates spread over 2019-2024.
        let base = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default();
        let published = base + Days::new(self.rng.below(6 * 365) as u64);
        if self.rng.chance(14) {
            return self.without_activity(published);
        }
        // Every kind but the last, `Other`, which has no trigger of its own to write.
        let kind = EventKind::ALL[self.rng.below(EventKind::ALL.len() - 1)];
        let day = published - Days::new(1 + self.rng.below(6) as u64);
        let lead = self.name();
        let lead_titles = self.word(&self.lex.titles);
        let mut leads = vec![lead.clone()];
        let mut subject = format!("{lead_titles}{lead}");
        if self.rng.chance(30) {
            let second = self.name();
            let titles = self.word(&self.lex.titles);
            let _ = write!(subject, "，{titles}{second}");
            leads.push(second);
        }
        let when = self.date_phrase(day, published);
        let (title, first) = self.lead_paragraph(kind, &when, &subject, &lead);
        let mut text = first;
        text.push('\n');
        text.push_str(&self.participants());
        text.push('\n');
        let mut paragraph = 0;
        while text.len() < TARGET_BYTES {
            let p = match paragraph % 3 {
                0 => self.detail_paragraph(&lead),
                1 => self.filler_paragraph(),
                _ => self.remark_paragraph(&lead),
            };
            text.push_str(&p);
            text.push('\n');
            paragraph += 1;
        }
        text.push_str(&self.figure_sentence());
        GeneratedArticle {
            title,
            text,
            published,
            activity: Some(kind),
            leads,
        }
    }

    fn without_activity(&mut self, published: NaiveDate) -> GeneratedArticle {
        let stem = self.word(&self.lex.stems);
        let topic = self.word(&self.lex.topics);
        let title = format!(
            "{stem}{}持续推进{topic}",
            self.rng.pick(&["街道", "镇", "社区"])
        );
        let mut text = String::new();
        while text.len() < TARGET_BYTES {
            text.push_str(&self.filler_paragraph());
            text.push('\n');
        }
        text.push_str(&self.figure_sentence());
        GeneratedArticle {
            title,
            text,
            published,
            activity: None,
            leads: Vec::new(),
        }
    }

    fn name(&mut self) -> String {
        let mut name = (self.word(&self.lex.surnames)).to_owned();
        name.push_str(self.word(&self.lex.given));
        if self.rng.chance(75) {
            name.push_str(self.word(&self.lex.given));
        }
        name
    }

    fn place(&mut self) -> String {
        format!(
            "{}{}",
            self.word(&self.lex.stems),
            self.word(&self.lex.place_kinds)
        )
    }

    fn company(&mut self) -> String {
        format!(
            "{}{}",
            self.word(&self.lex.stems),
            self.word(&self.lex.company_kinds)
        )
    }

    /// Two to four items joined with 、.
    fn list(&mut self, item: fn(&mut Self) -> String) -> String {
        let n = 2 + self.rng.below(3);
        (0..n).map(|_| item(self)).collect::<Vec<_>>().join("、")
    }

    fn date_phrase(&mut self, day: NaiveDate, published: NaiveDate) -> String {
        let part = *self.rng.pick(&["上午", "下午", "", ""]);
        let (m, d) = (day.month(), day.day());
        match self.rng.below(7) {
            0 if d <= 26 => format!("{m}月{d}日至{}日", d + 1 + self.rng.below(2) as u32),
            1 if d <= 27 => format!("{m}月{d}日、{}日", d + 1),
            2 if published - day == chrono::TimeDelta::days(1) => format!("昨天{part}"),
            3 => format!("{}{part}", self.rng.pick(&["近日", "日前"])),
            4 => format!("{}月{}日{part}", chinese_number(m), chinese_number(d)),
            _ => format!("{m}月{d}日{part}"),
        }
    }

    fn lead_paragraph(
        &mut self,
        kind: EventKind,
        when: &str,
        subject: &str,
        lead: &str,
    ) -> (String, String) {
        let verb = *self.rng.pick(&["率队", "带队", ""]);
        match kind {
            EventKind::SiteInspection => {
                let places = self.list(Self::place);
                let topic = self.word(&self.lex.topics);
                let go = *self.rng.pick(&["前往", "深入", "来到", "走访"]);
                let inspect = *self.rng.pick(&["调研", "视察", "考察", "检查"]);
                (
                    format!("{lead}{inspect}{topic}"),
                    format!("{when}，{subject}{verb}{go}{places}{inspect}{topic}。"),
                )
            }
            EventKind::ExpoVisit => {
                let companies = self.list(Self::company);
                let edition = 1 + self.rng.below(7);
                (
                    format!("{lead}巡馆进博会"),
                    format!(
                        "{when}，{subject}{verb}来到第{}届进博会{}号馆，走访{companies}等展台，\
                         了解企业参展和签约情况。",
                        chinese_number(edition as u32),
                        1 + self.rng.below(8)
                    ),
                )
            }
            EventKind::ForestChiefInspection => {
                let park = format!("{}生态公园东片区", self.word(&self.lex.stems));
                (
                    format!("{lead}巡林调研林长制工作"),
                    format!("{when}，{subject}{verb}前往{park}巡林，调研林长制工作落实情况。"),
                )
            }
            EventKind::Meeting => {
                let i = self.rng.below(COUNTRIES.len());
                (
                    format!("{lead}会见{}驻华大使", COUNTRIES[i]),
                    format!(
                        "{when}，{subject}会见{}驻华大使{}一行，双方就深化经贸合作进行座谈。",
                        COUNTRIES[i], FOREIGN_NAMES[i]
                    ),
                )
            }
            EventKind::InvestmentPromotion => {
                let city = *self.rng.pick(&CITIES);
                let companies = self.list(Self::company);
                (
                    format!("{lead}赴{city}招商"),
                    format!("{when}，{subject}{verb}赴{city}招商，走访{companies}，开展对接洽谈。"),
                )
            }
            EventKind::Conference | EventKind::Other => {
                let meeting = *self.rng.pick(&MEETINGS);
                let attend = *self.rng.pick(&["出席", "主持召开"]);
                (
                    format!("{lead}{attend}{meeting}"),
                    format!("{when}，{subject}{attend}{meeting}并讲话。"),
                )
            }
        }
    }

    fn participants(&mut self) -> String {
        let n = 1 + self.rng.below(3);
        let mut names = Vec::new();
        for _ in 0..n {
            names.push(self.name());
        }
        let title = self.word(&self.lex.participant_titles);
        match self.rng.below(3) {
            0 => format!("{title}{}参加调研。", names.join("、")),
            1 => format!("{title}{}陪同。", names.join("、")),
            _ => format!("{title}{}一同参加活动。", names.join("、")),
        }
    }

    fn detail_paragraph(&mut self, lead: &str) -> String {
        let company = self.company();
        let place = self.place();
        match self.rng.below(3) {
            0 => format!(
                "在{company}，{lead}一行详细了解企业研发投入、市场拓展和用工等情况，\
                 鼓励企业坚定发展信心，加大创新力度。"
            ),
            1 => format!(
                "在{place}，{lead}察看项目建设进度，听取相关负责人关于工程推进和安全管理的汇报，\
                 要求倒排工期、挂图作战，确保按期完成。"
            ),
            _ => format!(
                "随后，{lead}来到{company}，与企业负责人深入交流，详细询问企业发展中遇到的困难，\
                 现场协调解决有关问题。"
            ),
        }
    }

    fn remark_paragraph(&mut self, lead: &str) -> String {
        let a = self.word(&self.lex.filler);
        let b = self.word(&self.lex.filler);
        format!("{lead}指出，{a}{b}")
    }

    fn filler_paragraph(&mut self) -> String {
        let n = 2 + self.rng.below(2);
        (0..n).map(|_| self.word(&self.lex.filler)).collect()
    }

    fn figure_sentence(&mut self) -> String {
        format!("据统计，今年以来辖区累计服务企业{}家。", 1_000 + self.index)
    }
}

/// Chinese numerals for a month or day (1..=31): 五, 十一, 二十三, 三十.
fn chinese_number(n: u32) -> String {
    let digit = |d: u32| CN_DIGITS[(d % 10) as usize];
    match n {
        0..=9 => digit(n).to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", digit(n % 10)),
        _ if n.is_multiple_of(10) => format!("{}十", digit(n / 10)),
        _ => format!("{}十{}", digit(n / 10), digit(n % 10)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_articles() {
        assert_eq!(generate(42, 50), generate(42, 50));
    }

    #[test]
    fn different_seeds_give_different_articles() {
        assert_ne!(generate(1, 10), generate(2, 10));
    }

    #[test]
    fn an_article_does_not_depend_on_how_many_came_before() {
        assert_eq!(generate(7, 30)[29], article(7, 29));
    }

    #[test]
    fn articles_are_about_one_and_a_half_kilobytes() {
        let articles = generate(3, 500);
        let mean = articles.iter().map(|a| a.text.len()).sum::<usize>() / articles.len();
        assert!((1_300..=1_800).contains(&mean), "mean {mean} bytes");
        assert!(
            articles
                .iter()
                .all(|a| (1_200..=2_200).contains(&a.text.len()))
        );
    }

    #[test]
    fn every_article_of_a_seed_has_a_distinct_text() {
        let articles = generate(9, 2_000);
        let texts: std::collections::HashSet<_> = articles.iter().map(|a| &a.text).collect();
        assert_eq!(texts.len(), articles.len());
    }

    #[test]
    fn some_articles_report_no_activity_and_every_kind_occurs() {
        let articles = generate(11, 1_000);
        let none = articles.iter().filter(|a| a.activity.is_none()).count();
        assert!((50..=300).contains(&none), "{none} without activity");
        for kind in EventKind::ALL
            .into_iter()
            .filter(|k| *k != EventKind::Other)
        {
            assert!(
                articles.iter().any(|a| a.activity == Some(kind)),
                "{kind:?} missing"
            );
        }
    }

    #[test]
    fn the_lead_name_stands_after_its_titles_in_the_first_sentence() {
        for a in generate(5, 200).iter().filter(|a| a.activity.is_some()) {
            let first = a.text.split('。').next().unwrap_or_default();
            assert!(first.contains(&a.leads[0]), "{first}");
            assert!(a.text.contains('，'));
        }
    }

    #[test]
    fn the_activity_date_is_before_publication() {
        for a in generate(13, 200) {
            assert!(a.published >= NaiveDate::from_ymd_opt(2019, 1, 1).unwrap());
            assert!(a.published <= NaiveDate::from_ymd_opt(2024, 12, 31).unwrap());
        }
    }

    #[test]
    fn name_populations_are_distinct_and_deterministic() {
        let names = person_names(4, 2_000);
        assert_eq!(names.len(), 2_000);
        assert_eq!(names, person_names(4, 2_000));
        let set: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(set.len(), 2_000);
        assert!(company_names(4, 200).len() == 200 && place_names(4, 200).len() == 200);
    }

    #[test]
    fn chinese_numbers_read_as_in_print() {
        let got: Vec<_> = [5, 10, 11, 20, 23, 30, 31].map(chinese_number).into();
        assert_eq!(
            got,
            ["五", "十", "十一", "二十", "二十三", "三十", "三十一"]
        );
    }

    #[test]
    fn a_page_has_short_column_lines_and_the_headline_after_the_body() {
        let articles = generate(17, 3);
        let page = page(&articles);
        for line in page.lines().filter(|l| !l.is_empty()) {
            let is_title = articles.iter().any(|a| a.title == line);
            assert!(is_title || line.chars().count() <= 16, "{line}");
        }
        let first_line = page.lines().next().unwrap();
        assert!(articles[0].text.starts_with(first_line));
        assert!(page.find(&articles[0].title).unwrap() > page.find(first_line).unwrap());
    }

    #[test]
    fn serialises_as_an_ingest_request_body() {
        let a = article(1, 0);
        let v: serde_json::Value = serde_json::to_value(&a).unwrap();
        assert_eq!(v["published"], a.published.to_string());
        assert_eq!(v["text"], a.text);
        assert_eq!(v["title"], a.title);
        assert!(v.get("leads").is_none());
    }
}
