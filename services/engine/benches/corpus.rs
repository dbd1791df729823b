//! The generated corpus of the engine benchmark: articles in the genre (dated visits with titles,
//! sites, quotes, participants; one in seven without an activity), deterministic from a fixed seed.
//! Shared by `benches/extract.rs` and `examples/bench_corpus.rs` (which writes it out, so
//! `eval/same-output.sh` can compare two binaries on it).

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "欧阳",
];
const GIVEN: &[&str] = &[
    "建国", "晓明", "志强", "丽华", "海", "伟", "文博", "玉兰", "国栋", "静",
];
const TITLES: &[&str] = &[
    "区委书记",
    "区委副书记、区长",
    "县委书记、县总林长",
    "副市长",
    "市政府副秘书长",
    "县长",
];
const PLACES: &[&str] = &[
    "东湖镇",
    "西山村",
    "高新区",
    "城南工业园",
    "北坡林场",
    "滨江社区",
];
const COMPANIES: &[&str] = &[
    "甲科技",
    "乙材料",
    "丙电气",
    "丁食品公司",
    "戊物流集团",
    "己药业",
];
const TRIGGERS: &[&str] = &[
    "调研企业生产经营情况",
    "开展巡林工作",
    "检查安全生产工作",
    "巡馆",
];
const FILLER: &[&str] = &[
    "要坚持问题导向，压实工作责任，确保各项任务落到实处",
    "全县干部要鼓足干劲，盯紧主责主业，推动经济稳步向好",
    "据了解，今年以来该区新建口袋公园十二座，绿化覆盖率稳步提升",
    "今年以来，全县重点工业企业产值比上年增加百分之八",
];

struct Rng(u64);
impl Rng {
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        v[(self.0 % v.len() as u64) as usize]
    }
}

/// One article in the genre: a dated visit with titles, a trip through sites, a quote, the
/// people who joined; about one in seven reports no activity at all.
fn article(r: &mut Rng, i: usize) -> String {
    let name = format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN));
    let other = format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN));
    let month = i % 12 + 1;
    let day = i % 28 + 1;
    if i.is_multiple_of(7) {
        return format!(
            "{}。{}。{}。\n",
            r.pick(FILLER),
            r.pick(FILLER),
            r.pick(FILLER)
        );
    }
    format!(
        "{month}月{day}日上午，{}{name}带队前往{}、{}等地{}。\n{name}一行先后来到{}、{}，\
         详细了解项目建设进度。{name}强调，{}。{}。\n县领导{other}参加调研。\n",
        r.pick(TITLES),
        r.pick(PLACES),
        r.pick(PLACES),
        r.pick(TRIGGERS),
        r.pick(COMPANIES),
        r.pick(COMPANIES),
        r.pick(FILLER),
        r.pick(FILLER),
    )
}

/// Articles until `bytes` bytes are reached.
pub fn corpus(bytes: usize) -> Vec<String> {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::new();
    let mut total = 0;
    let mut i = 0;
    while total < bytes {
        let a = article(&mut r, i);
        total += a.len();
        out.push(a);
        i += 1;
    }
    out
}
