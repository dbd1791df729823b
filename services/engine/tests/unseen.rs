//! Short articles of our own in the genre, written after the rules and never tuned against: a
//! check that the engine generalises beyond the texts it was developed on. Every name, place,
//! company and sentence here is invented.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

use chrono::NaiveDate;
use dongtai_engine::extract_standalone;
use dongtai_proto::{ActivityEvent, ActorKind, EventKind, PartOfDay, Role};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// What one activity of an article must look like.
struct Want {
    kind: EventKind,
    /// Leads with their titles as written.
    leads: &'static [(&'static str, &'static [&'static str])],
    /// People who must take part without leading.
    participants: &'static [&'static str],
    /// Organisations that must act.
    orgs: &'static [&'static str],
    start: &'static str,
    end: &'static str,
    part: Option<PartOfDay>,
    approx: bool,
    /// Each must match a place or target loosely (one contains the other).
    places: &'static [&'static str],
}

const W: Want = Want {
    kind: EventKind::Other,
    leads: &[],
    participants: &[],
    orgs: &[],
    start: "",
    end: "",
    part: None,
    approx: false,
    places: &[],
};

struct Article {
    text: &'static str,
    published: &'static str,
    events: &'static [Want],
}

const ARTICLES: &[Article] = &[
    // Two leads joined by ，, a list of towns, participants, a later 一行.
    Article {
        text: "11月5日上午，县委书记罗文斌，县委副书记、县长郑佳怡带队前往清溪镇、白沙乡调研乡村振兴工作。县领导汪洋、韦立新参加调研。\
               在清溪镇，罗文斌一行走进一家茶叶加工厂，详细了解企业生产经营情况。罗文斌指出，要做强特色产业，带动群众增收。",
        published: "2024-11-06",
        events: &[Want {
            kind: EventKind::SiteInspection,
            leads: &[
                ("罗文斌", &["县委书记"]),
                ("郑佳怡", &["县委副书记", "县长"]),
            ],
            participants: &["汪洋", "韦立新"],
            start: "2024-11-05",
            end: "2024-11-05",
            part: Some(PartOfDay::Morning),
            places: &["清溪镇", "白沙乡"],
            ..W
        }],
    },
    // A forest chief's patrol; the titles put the forest chief first.
    Article {
        text: "3月12日，市总林长、市委书记庞海峰到凤栖山林区开展巡林工作，实地察看森林防火和林木病虫害防治情况。市林业局局长邝伟陪同。\
               庞海峰强调，要层层落实护林责任，守好绿水青山。",
        published: "2024-03-13",
        events: &[Want {
            kind: EventKind::ForestChiefInspection,
            leads: &[("庞海峰", &["市总林长", "市委书记"])],
            participants: &["邝伟"],
            start: "2024-03-12",
            end: "2024-03-12",
            places: &["凤栖山林区"],
            ..W
        }],
    },
    // An expo visit: booths listed with 等展台, the expo's edition known.
    Article {
        text: "11月6日，区委书记邵启明一行来到国家会展中心巡馆，先后走访了绿谷生物、远航智能等展台，与参展企业负责人深入交流。\
               邵启明表示，要用好进博会平台，推动更多优质项目落地。",
        published: "2024-11-08",
        events: &[Want {
            kind: EventKind::ExpoVisit,
            leads: &[("邵启明", &["区委书记"])],
            start: "2024-11-06",
            end: "2024-11-06",
            places: &["绿谷生物", "远航智能"],
            ..W
        }],
    },
    // A team acts alone over two days: 7日至8日.
    Article {
        text: "4月7日至8日，区投促办招商小分队赴深圳开展精准招商活动，先后拜访了华锐科技、海宁新材料等企业，就项目落地进行对接洽谈。",
        published: "2024-04-10",
        events: &[Want {
            kind: EventKind::InvestmentPromotion,
            orgs: &["投促办"],
            start: "2024-04-07",
            end: "2024-04-08",
            places: &["华锐科技", "海宁新材料"],
            ..W
        }],
    },
    // A meeting: the party met is a participant and stands for their company.
    Article {
        text: "9月20日下午，市长唐志远在市行政中心会见了星海控股集团董事长梁文博一行，双方就新能源产业合作进行座谈。副市长冯雪参加会见。",
        published: "2024-09-21",
        events: &[Want {
            kind: EventKind::Meeting,
            leads: &[("唐志远", &["市长"])],
            participants: &["梁文博", "冯雪"],
            start: "2024-09-20",
            end: "2024-09-20",
            part: Some(PartOfDay::Afternoon),
            places: &["星海控股集团"],
            ..W
        }],
    },
    // A conference, dated 昨天.
    Article {
        text: "昨天上午，全县安全生产工作会议召开。县委书记程海涛出席会议并讲话，县长黎志刚主持会议。",
        published: "2024-06-18",
        events: &[Want {
            kind: EventKind::Conference,
            leads: &[("程海涛", &["县委书记"]), ("黎志刚", &["县长"])],
            start: "2024-06-17",
            end: "2024-06-17",
            part: Some(PartOfDay::Morning),
            ..W
        }],
    },
    // Traditional script: names and places reported as written.
    Article {
        text: "5月9日上午，縣委書記陳國棟帶隊到東湖鎮調研農業產業發展，實地察看了高標準農田建設項目。縣領導黃志明陪同調研。",
        published: "2024-05-10",
        events: &[Want {
            kind: EventKind::SiteInspection,
            leads: &[("陳國棟", &["縣委書記"])],
            participants: &["黃志明"],
            start: "2024-05-09",
            end: "2024-05-09",
            part: Some(PartOfDay::Morning),
            places: &["東湖鎮"],
            ..W
        }],
    },
    // No activity: figures and a quoted official.
    Article {
        text: "今年以来，全市累计新增城镇就业岗位2.3万个，城镇登记失业率控制在3%以内。市人社局局长付明表示，将继续做好稳就业工作，\
               确保重点群体就业稳定。",
        published: "2024-10-09",
        events: &[],
    },
    // 近日: the day is a guess; a provincial lead, the city's secretary goes along.
    Article {
        text: "近日，省委常委、副省长韩立群到我市视察防汛工作，先后来到江口水库、北堤险工段，察看水位和堤防情况。市委书记谭振华陪同视察。",
        published: "2024-07-10",
        events: &[Want {
            kind: EventKind::SiteInspection,
            leads: &[("韩立群", &["省委常委", "副省长"])],
            participants: &["谭振华"],
            start: "2024-07-10",
            end: "2024-07-10",
            approx: true,
            places: &["江口水库", "北堤险工段"],
            ..W
        }],
    },
    // Two leads on two days: two activities.
    Article {
        text: "6月3日，区长苏文涛到城南街道督查燃气安全整治工作。6月4日，区委副书记罗佳到高新区走访企业，了解企业用工需求。",
        published: "2024-06-05",
        events: &[
            Want {
                kind: EventKind::SiteInspection,
                leads: &[("苏文涛", &["区长"])],
                start: "2024-06-03",
                end: "2024-06-03",
                places: &["城南街道"],
                ..W
            },
            Want {
                kind: EventKind::SiteInspection,
                leads: &[("罗佳", &["区委副书记"])],
                start: "2024-06-04",
                end: "2024-06-04",
                places: &["高新区"],
                ..W
            },
        ],
    },
    // Days without a month (7日至8日), a delegation led to other cities.
    Article {
        text: "7日至8日，市委书记钱卫东率党政代表团赴杭州、宁波考察学习，参观了未来科技城、梅山港区。副市长司马南一同考察。",
        published: "2024-08-10",
        events: &[Want {
            kind: EventKind::SiteInspection,
            leads: &[("钱卫东", &["市委书记"])],
            participants: &["司马南"],
            start: "2024-08-07",
            end: "2024-08-08",
            places: &["杭州", "宁波"],
            ..W
        }],
    },
    // Another fair than the import expo; 陪同 after the lead's sentence.
    Article {
        text: "10月15日，副市长邱华在广交会上巡馆，先后来到本市展区和绿源食品展台，详细了解企业参展成效。市商务局局长陶然陪同。",
        published: "2024-10-16",
        events: &[Want {
            kind: EventKind::ExpoVisit,
            leads: &[("邱华", &["副市长"])],
            participants: &["陶然"],
            start: "2024-10-15",
            end: "2024-10-15",
            places: &["绿源食品展台"],
            ..W
        }],
    },
    // A foreign official received: 会见了来访的 … 一行 makes the guest the party met, though
    // an official too and followed by a verb of meeting.
    Article {
        text: "12月2日，市委书记孟凡宇会见了来访的友好城市市长卡洛斯·门德斯一行，双方就经贸合作、人文交流等进行会谈。",
        published: "2024-12-03",
        events: &[Want {
            kind: EventKind::Meeting,
            leads: &[("孟凡宇", &["市委书记"])],
            participants: &["卡洛斯·门德斯"],
            start: "2024-12-02",
            end: "2024-12-02",
            ..W
        }],
    },
    // The import expo known by its edition only, no day written.
    Article {
        text: "第七届中国国际进口博览会期间，县长白子轩带队到医疗器械展区考察，与多家参展企业洽谈合作。",
        published: "2024-11-15",
        events: &[Want {
            kind: EventKind::ExpoVisit,
            leads: &[("白子轩", &["县长"])],
            start: "2024-11-05",
            end: "2024-11-10",
            approx: true,
            places: &["医疗器械展区"],
            ..W
        }],
    },
    // A village visit with 村 and 社区, dated 日前, leader quoted afterwards. Calling on people
    // in need is a visit of greeting (kind other), as the real corpora annotate 慰问.
    Article {
        text: "日前，镇党委书记伍海燕深入柳塘村、新河社区走访慰问困难群众，送去米面油等生活物资。伍海燕说，要把群众的冷暖放在心上。",
        published: "2024-01-20",
        events: &[Want {
            kind: EventKind::Other,
            leads: &[("伍海燕", &["镇党委书记"])],
            start: "2024-01-20",
            end: "2024-01-20",
            approx: true,
            places: &["柳塘村", "新河社区"],
            ..W
        }],
    },
    // A forum presided over: 座谈会 makes it a meeting; the others named take part.
    Article {
        text: "5月16日，区委书记龚振华主持召开民营企业家座谈会，听取企业发展意见建议。区领导卢红、聂斌参加。",
        published: "2024-05-17",
        events: &[Want {
            kind: EventKind::Meeting,
            leads: &[("龚振华", &["区委书记"])],
            participants: &["卢红", "聂斌"],
            start: "2024-05-16",
            end: "2024-05-16",
            ..W
        }],
    },
    // A visit that ends with a forum is still a visit: no party is met.
    Article {
        text: "2月27日，市委书记岑海到安平县调研乡村振兴工作。岑海一行先后来到王庄村、石桥村，察看特色种植项目。\
               随后，岑海主持召开座谈会，听取县里工作汇报。",
        published: "2024-02-28",
        events: &[Want {
            kind: EventKind::SiteInspection,
            leads: &[("岑海", &["市委书记"])],
            start: "2024-02-27",
            end: "2024-02-27",
            places: &["安平县", "王庄村", "石桥村"],
            ..W
        }],
    },
    // Taiwanese news dates the day in brackets: 今（10）日.
    Article {
        text: "縣長張麗文今（10）日上午前往虎尾鎮視察道路拓寬工程，並聽取工程進度簡報。鎮長林志成陪同。",
        published: "2024-11-10",
        events: &[Want {
            kind: EventKind::SiteInspection,
            leads: &[("張麗文", &["縣長"])],
            participants: &["林志成"],
            start: "2024-11-10",
            end: "2024-11-10",
            part: Some(PartOfDay::Morning),
            places: &["虎尾鎮"],
            ..W
        }],
    },
    // An investment trip stays one, though a business leader is met on it.
    Article {
        text: "6月18日至20日，县长于洋率队赴广东开展招商引资活动，先后拜访了立讯精密、华为终端等企业，并与深圳江西商会会长林海座谈。",
        published: "2024-06-21",
        events: &[Want {
            kind: EventKind::InvestmentPromotion,
            leads: &[("于洋", &["县长"])],
            participants: &["林海"],
            start: "2024-06-18",
            end: "2024-06-20",
            places: &["立讯精密", "华为终端"],
            ..W
        }],
    },
    // A delegation from elsewhere: its head leads, our officials go along, 代表团一行 goes on.
    Article {
        text: "4月9日，邻省安远市委书记林峰率党政代表团来我区考察交流。区委书记韩冰，区委副书记、区长蓝天陪同考察。\
               代表团一行先后参观了智慧农业示范园、区规划展览馆。",
        published: "2024-04-10",
        events: &[Want {
            kind: EventKind::SiteInspection,
            leads: &[("林峰", &["邻省安远市委书记"])],
            participants: &["韩冰", "蓝天"],
            start: "2024-04-09",
            end: "2024-04-09",
            places: &["智慧农业示范园", "区规划展览馆"],
            ..W
        }],
    },
    // 甲、乙分别带队到A、B: each leads a visit of their own (GOLD.md: different leaders at
    // different places are separate events).
    Article {
        text: "7月3日上午，区人大常委会主任吕方、区政协主席鲁平分别带队到城北街道、城南街道检查防汛工作。",
        published: "2024-07-04",
        events: &[
            Want {
                kind: EventKind::SiteInspection,
                leads: &[("吕方", &["区人大常委会主任"])],
                start: "2024-07-03",
                end: "2024-07-03",
                part: Some(PartOfDay::Morning),
                places: &["城北街道"],
                ..W
            },
            Want {
                kind: EventKind::SiteInspection,
                leads: &[("鲁平", &["区政协主席"])],
                start: "2024-07-03",
                end: "2024-07-03",
                part: Some(PartOfDay::Morning),
                places: &["城南街道"],
                ..W
            },
        ],
    },
    // A habit (多次到…督导) is not an activity.
    Article {
        text: "据了解，该项目总投资50亿元，建成后年产值可达80亿元。今年以来，市发展改革委主任张明多次到项目现场督导推进，\
               协调解决用地、用电等问题。",
        published: "2024-11-13",
        events: &[],
    },
    // Places listed with 等 and a place-like tail stay separate. A fire-prevention check by an official who is not acting as forest chief (no 林长制, 巡林,
    // 林长) is a site inspection, as the real articles annotate it.
    Article {
        text: "9月26日，副县长祁峰深入南岭林场、云台山森林公园等重点区域，检查秋冬季森林防火工作。",
        published: "2024-09-27",
        events: &[Want {
            kind: EventKind::SiteInspection,
            leads: &[("祁峰", &["副县长"])],
            start: "2024-09-26",
            end: "2024-09-26",
            places: &["南岭林场", "云台山森林公园"],
            ..W
        }],
    },
    Article {
        text: "10月18日，副市长闵洁来到博览会主会场巡馆，先后参观了“丝路新品”展区、本地名优产品展区。",
        published: "2024-10-19",
        events: &[Want {
            kind: EventKind::ExpoVisit,
            leads: &[("闵洁", &["副市长"])],
            start: "2024-10-18",
            end: "2024-10-18",
            places: &["“丝路新品”展区", "本地名优产品展区"],
            ..W
        }],
    },
    // A transliterated name with ·, a range over a month's end, 视察组 as a team not a verb,
    // a county whose name starts with 和.
    Article {
        text: "10月30日至11月1日，市政协主席艾尔肯·吐尼亚孜率市政协视察组到和田县视察特色林果业发展情况。\
               视察组一行先后深入巴格其镇、罕艾日克镇，实地察看核桃、红枣种植基地。",
        published: "2024-11-02",
        events: &[Want {
            kind: EventKind::SiteInspection,
            leads: &[("艾尔肯·吐尼亚孜", &["市政协主席"])],
            start: "2024-10-30",
            end: "2024-11-01",
            places: &["和田县", "巴格其镇", "罕艾日克镇"],
            ..W
        }],
    },
    // Background (先后12次深入林区) is no activity; the dated patrol is.
    Article {
        text: "近年来，我县坚持生态优先、绿色发展。去年以来，县委书记邓雷先后12次深入林区调研。\
               3月12日，邓雷再次来到青松岭林场巡林，察看林区防火设施建设情况。",
        published: "2024-03-13",
        events: &[Want {
            kind: EventKind::ForestChiefInspection,
            leads: &[("邓雷", &["县委书记"])],
            start: "2024-03-12",
            end: "2024-03-12",
            places: &["青松岭林场"],
            ..W
        }],
    },
    // No activity: a past visit told as background, a business visitor alone, a public show.
    Article {
        text: "据悉，2019年时任县长蒋涛曾到该村调研，提出发展特色产业的思路。如今，这里已成为远近闻名的富裕村。",
        published: "2024-11-13",
        events: &[],
    },
    Article {
        text: "近日，华光集团董事长许文到我区考察投资环境，并参观了高新区。",
        published: "2024-11-13",
        events: &[],
    },
    Article {
        text: "11月3日，区文化馆举办书画展览，展出作品200余幅，吸引众多市民前来参观。",
        published: "2024-11-13",
        events: &[],
    },
    // 在某地期间，考察团一行… goes on with the trip; 两地 and 两家企业 count the items.
    Article {
        text: "为进一步加大招商引资力度，6月11日至13日，县委副书记、县长苟华带领县发改局、县招商服务中心负责同志赴江苏苏州、无锡两地开展招商活动。\
               在苏州期间，考察团一行先后拜访了恒通电子、晶科光伏两家企业，详细了解企业发展规划和投资意向。",
        published: "2024-06-14",
        events: &[Want {
            kind: EventKind::InvestmentPromotion,
            leads: &[("苟华", &["县委副书记", "县长"])],
            start: "2024-06-11",
            end: "2024-06-13",
            places: &["无锡", "恒通电子", "晶科光伏"],
            ..W
        }],
    },
    // A congress: its venue is named before the officials who attend it.
    Article {
        text: "11月28日，全市民营经济发展大会在市会议中心举行。市委书记葛春明出席大会并讲话，市长蒋涛主持。",
        published: "2024-11-29",
        events: &[Want {
            kind: EventKind::Conference,
            leads: &[("葛春明", &["市委书记"]), ("蒋涛", &["市长"])],
            start: "2024-11-28",
            end: "2024-11-28",
            places: &["市会议中心"],
            ..W
        }],
    },
];

fn names(e: &ActivityEvent, role: Role) -> Vec<(String, Vec<String>)> {
    e.actors
        .iter()
        .filter(|a| a.role == role && a.kind == ActorKind::Person)
        .map(|a| (a.name.clone(), a.titles.clone()))
        .collect()
}

/// What is wrong with `e` for `w`, if anything.
fn mismatch(e: &ActivityEvent, w: &Want) -> Vec<String> {
    let mut bad = Vec::new();
    if e.kind != w.kind {
        bad.push(format!("kind {:?}, want {:?}", e.kind, w.kind));
    }
    let mut leads = names(e, Role::Lead);
    leads.sort();
    let mut want: Vec<(String, Vec<String>)> = w
        .leads
        .iter()
        .map(|(n, ts)| (n.to_string(), ts.iter().map(|t| t.to_string()).collect()))
        .collect();
    want.sort();
    if leads != want {
        bad.push(format!("leads {leads:?}, want {want:?}"));
    }
    let parts: Vec<String> = names(e, Role::Participant)
        .into_iter()
        .map(|p| p.0)
        .collect();
    for p in w.participants {
        if !parts.iter().any(|x| x == p) {
            bad.push(format!("participant {p} missing from {parts:?}"));
        }
    }
    for o in w.orgs {
        let orgs: Vec<&str> = e
            .actors
            .iter()
            .filter(|a| a.kind == ActorKind::Organization)
            .map(|a| a.name.as_str())
            .collect();
        if !orgs.iter().any(|x| x.contains(o)) {
            bad.push(format!("organisation {o} missing from {orgs:?}"));
        }
    }
    let when = (e.when.start, e.when.end, e.when.approx);
    let want_when = (Some(day(w.start)), Some(day(w.end)), w.approx);
    if when != want_when {
        bad.push(format!("when {when:?}, want {want_when:?}"));
    }
    if w.part.is_some() && e.when.part_of_day != w.part {
        bad.push(format!(
            "part of day {:?}, want {:?}",
            e.when.part_of_day, w.part
        ));
    }
    let sites: Vec<&String> = e.places.iter().chain(&e.targets).collect();
    for p in w.places {
        if !sites
            .iter()
            .any(|s| s.contains(p) || p.contains(s.as_str()))
        {
            bad.push(format!("place {p} missing from {sites:?}"));
        }
    }
    bad
}

#[test]
fn unseen_articles_extract_as_annotated() {
    let mut failures = Vec::new();
    for a in ARTICLES {
        let events = extract_standalone(a.text, Some(day(a.published)));
        if events.len() != a.events.len() {
            failures.push(format!(
                "{}\n  {} events, want {}: {:?}",
                a.text,
                events.len(),
                a.events.len(),
                events
                    .iter()
                    .map(|e| (e.kind, names(e, Role::Lead)))
                    .collect::<Vec<_>>()
            ));
            continue;
        }
        for (e, w) in events.iter().zip(a.events) {
            let bad = mismatch(e, w);
            if !bad.is_empty() {
                failures.push(format!("{}\n  {}", a.text, bad.join("\n  ")));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}
