//! Extraction rules, one table per rule, written with our own sentences in the genre.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

use chrono::NaiveDate;
use dongtai_engine::extract_standalone;
use dongtai_proto::{ActivityEvent, ActorKind, EventKind, PartOfDay, Role, TimeBasis};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn run(text: &str, published: &str) -> Vec<ActivityEvent> {
    extract_standalone(text, Some(day(published)))
}

fn one(text: &str, published: &str) -> ActivityEvent {
    let events = run(text, published);
    assert_eq!(events.len(), 1, "{text}\n{events:#?}");
    events.into_iter().next().unwrap()
}

/// (name, titles) of the people with `role`.
fn people(e: &ActivityEvent, role: Role) -> Vec<(String, Vec<String>)> {
    e.actors
        .iter()
        .filter(|a| a.role == role && a.kind == ActorKind::Person)
        .map(|a| (a.name.clone(), a.titles.clone()))
        .collect()
}

fn names(e: &ActivityEvent, role: Role) -> Vec<String> {
    people(e, role).into_iter().map(|p| p.0).collect()
}

/// Places, then targets.
fn sites_of(e: &ActivityEvent) -> Vec<String> {
    [e.places.clone(), e.targets.clone()].concat()
}

/// Leads, then participants.
fn everyone(e: &ActivityEvent) -> Vec<String> {
    [names(e, Role::Lead), names(e, Role::Participant)].concat()
}

fn owned(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn titles_chained_with_dunhao_all_belong_to_the_name() {
    let cases: &[(&str, &[(&str, &[&str])])] = &[
        (
            "6月3日，县委副书记、县长孙立平带队前往青石镇调研农业生产。",
            &[("孙立平", &["县委副书记", "县长"])],
        ),
        (
            "6月3日，市政府副市长、市级林长韩志刚到北山林场巡林。",
            &[("韩志刚", &["市政府副市长", "市级林长"])],
        ),
        (
            "6月3日，区委常委、统战部部长、区东部丘陵片区林长何美玲开展巡林工作。",
            &[("何美玲", &["区委常委", "统战部部长", "区东部丘陵片区林长"])],
        ),
        (
            "6月3日，由某市发展和改革委员会副主任邱永新带队到乙县督导林长制工作。",
            &[("邱永新", &["某市发展和改革委员会副主任"])],
        ),
    ];
    for (text, want) in cases {
        let e = one(text, "2024-06-05");
        let want: Vec<(String, Vec<String>)> = want
            .iter()
            .map(|(n, t)| (n.to_string(), owned(t)))
            .collect();
        assert_eq!(people(&e, Role::Lead), want, "{text}");
    }
}

#[test]
fn two_leads_joined_by_a_comma_both_lead() {
    let e = one(
        "9月12日上午，区委书记方建军，区委副书记、区长许晓燕带队先后来到甲公司、乙集团调研。",
        "2024-09-13",
    );
    assert_eq!(
        people(&e, Role::Lead),
        vec![
            ("方建军".to_string(), owned(&["区委书记"])),
            ("许晓燕".to_string(), owned(&["区委副书记", "区长"])),
        ]
    );
    assert_eq!(e.when.part_of_day, Some(PartOfDay::Morning));
}

#[test]
fn people_who_accompany_or_join_are_participants() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "4月8日，县委书记林国栋深入东岭乡调研产业发展。县领导郭海燕、潘志强参加调研。",
            &["林国栋"],
            &["郭海燕", "潘志强"],
        ),
        (
            "4月8日下午，副省长罗振华在市委书记汪海波、市长曾丽娜陪同下，来到会展中心巡馆。",
            &["罗振华"],
            &["汪海波", "曾丽娜"],
        ),
        (
            "4月8日，市长梁卫东到高新区检查安全生产，市应急管理局局长钱文博陪同检查。",
            &["梁卫东"],
            &["钱文博"],
        ),
        (
            "4月8日，由市农业农村局副局长高建明带队，市林业局科长江海燕、副科长谢明组成的督导组到丙县督导。",
            &["高建明"],
            &["江海燕", "谢明"],
        ),
        // Each with titles of their own is there in their own right: both lead, as the
        // annotators give it (省委书记甲、省长乙会见了…).
        (
            "4月8日，区委书记冯志远、区政府副区长田丽出席农博会开幕式并巡馆。",
            &["冯志远", "田丽"],
            &[],
        ),
        (
            "4月8日，省委书记尹某、省长叶某某在南昌会见了代表团一行。",
            &["尹某", "叶某某"],
            &[],
        ),
        (
            "4月8日，省长何建平宣布交易会开幕并巡馆，副省长邓文杰致辞。",
            &["何建平"],
            &["邓文杰"],
        ),
    ];
    for (text, leads, parts) in cases {
        let e = one(text, "2024-04-09");
        assert_eq!(names(&e, Role::Lead), owned(leads), "{text}");
        assert_eq!(names(&e, Role::Participant), owned(parts), "{text}");
    }
}

#[test]
fn one_who_sends_another_in_their_place_is_not_there() {
    for text in [
        "4月8日上午，县政府举行大桥通车仪式。省交通厅厅长周立群，一向关心交通建设，非常重视本次仪式，因此指派副厅长韩学文代表应邀出席，祝贺工程顺利完工。",
        "4月8日上午，县政府举行大桥通车仪式。省交通厅厅长周立群一向关心交通建设，委托副厅长韩学文代表应邀出席。",
    ] {
        let e = one(text, "2024-04-09");
        assert_eq!(everyone(&e), owned(&["韩学文"]), "{text}");
    }
}

#[test]
fn the_party_met_takes_part_and_their_company_is_the_target() {
    let e = one(
        "5月20日下午，市委书记陆振宇会见了某新能源集团董事长欧阳志明一行，双方就项目合作进行座谈交流。",
        "2024-05-21",
    );
    assert_eq!(e.kind, EventKind::Meeting);
    assert_eq!(names(&e, Role::Lead), owned(&["陆振宇"]));
    assert_eq!(names(&e, Role::Participant), owned(&["欧阳志明"]));
    assert!(
        e.targets.contains(&"某新能源集团".to_string()),
        "{:?}",
        e.targets
    );
    let e = one(
        "5月20日，市长孔祥瑞在迎宾馆与某港务集团党委书记、董事长邓宏伟一行座谈。",
        "2024-05-21",
    );
    assert_eq!(names(&e, Role::Participant), owned(&["邓宏伟"]));
    assert_eq!(
        people(&e, Role::Participant)[0].1,
        owned(&["某港务集团党委书记", "董事长"])
    );
}

#[test]
fn a_visitor_who_is_received_is_the_party_met() {
    let e = one(
        "10月12日，某国驻华大使范德维一行到访我市。市委书记陈志敏在市委会见了范德维一行。",
        "2024-10-13",
    );
    assert_eq!(e.kind, EventKind::Meeting);
    assert_eq!(names(&e, Role::Lead), owned(&["陈志敏"]));
    assert_eq!(names(&e, Role::Participant), owned(&["范德维"]));
}

#[test]
fn foreign_and_transliterated_names_are_people() {
    let e = one(
        "10月9日，区委书记魏振东会见了某国驻华大使穆萨维一行，双方进行了座谈。",
        "2024-10-10",
    );
    assert_eq!(
        people(&e, Role::Participant),
        vec![("穆萨维".to_string(), owned(&["某国驻华大使"]))]
    );
    let e = one(
        "10月9日，省长何建平宣布博览会开幕并巡馆。某国某省省长阿卜杜.拉赫曼出席开幕式并致辞。",
        "2024-10-10",
    );
    assert_eq!(names(&e, Role::Participant), owned(&["阿卜杜.拉赫曼"]));
}

#[test]
fn bare_names_later_in_the_article_are_the_same_person() {
    let e = one(
        "7月2日，县长卢建华带队前往西河镇调研。卢建华一行先后来到西河村、东湖村，察看村容村貌。卢建华强调，要抓好人居环境整治。",
        "2024-07-03",
    );
    assert_eq!(names(&e, Role::Lead), owned(&["卢建华"]));
    for place in ["西河镇", "西河村", "东湖村"] {
        assert!(
            e.places.contains(&place.to_string()),
            "{place} not in {:?}",
            e.places
        );
    }
    assert_eq!(
        e.evidence.len(),
        2,
        "the quote is not evidence of the visit"
    );
}

#[test]
fn sentences_that_go_on_without_a_subject_belong_to_the_visit() {
    let e = one(
        "7月2日，县长卢建华带队前往西河镇调研。随后来到东湖村的文化广场，察看村容村貌。",
        "2024-07-03",
    );
    assert!(e.places.contains(&"东湖村".to_string()), "{:?}", e.places);
    assert_eq!(e.evidence.len(), 2);
}

#[test]
fn each_kind_comes_from_its_triggers() {
    let cases: &[(&str, EventKind)] = &[
        (
            "6月3日，区长陈立新深入辖区企业调研安全生产工作。",
            EventKind::SiteInspection,
        ),
        (
            "9月8日，副省长黄海涛到会展中心巡馆，察看企业展台。",
            EventKind::ExpoVisit,
        ),
        (
            "4月12日，县委书记、县总林长杨光辉到青山镇巡林。",
            EventKind::ForestChiefInspection,
        ),
        (
            "7月1日下午，市委书记林志远会见了来访的客商代表。",
            EventKind::Meeting,
        ),
        // A conference the lead holds is one, whatever it is about.
        (
            "8月20日上午，常务副县长冉立新组织召开招商引资推进会，听取各部门招商工作汇报。",
            EventKind::Conference,
        ),
        // Gifts and greetings for the new year make a visit to families a condolence visit.
        (
            "2月14日，財政司司長陳志波走訪中西區，探訪區內家庭，並送贈賀年福袋。",
            EventKind::Other,
        ),
        (
            "8月20日至22日，区长郑宏伟率队赴深圳开展招商活动。",
            EventKind::InvestmentPromotion,
        ),
        (
            "10月10日上午，区委书记何振华主持召开区委常委会会议。",
            EventKind::Conference,
        ),
        (
            "2月1日，县长马文斌率队到车站看望坚守岗位的工作人员。",
            EventKind::Other,
        ),
    ];
    for (text, kind) in cases {
        assert_eq!(one(text, "2024-10-12").kind, *kind, "{text}");
    }
}

#[test]
fn different_leaders_at_different_places_are_separate_events() {
    let events = run(
        "3月5日，县委书记韦东升到南岭镇巡林。同日，县长龙海平到北坡乡巡查林长制工作。",
        "2024-03-06",
    );
    assert_eq!(events.len(), 2);
    assert_eq!(names(&events[1], Role::Lead), owned(&["龙海平"]));
    assert_eq!(
        events[1].when.start,
        Some(day("2024-03-05")),
        "同日 is the day named before"
    );
    // Another official's party (某某一行) going somewhere of their own is no reference to the
    // party already on its visit.
    let events = run(
        "2月15日，市领导王立新一行来到甲社区，看望社区工作者。市领导张永福一行走访慰问乙村困难群众。",
        "2024-02-16",
    );
    let leads: Vec<Vec<String>> = events.iter().map(|e| names(e, Role::Lead)).collect();
    assert_eq!(leads, vec![owned(&["王立新"]), owned(&["张永福"])]);
}

#[test]
fn one_trip_through_several_sites_is_one_event() {
    let e = one(
        "11月3日上午，区长邵明辉先后前往甲科技、乙材料、丙产业园等地，实地察看项目建设。随后，邵明辉来到丁街道，走访辖区企业。",
        "2024-11-04",
    );
    assert_eq!(
        e.targets.len() + e.places.len(),
        4,
        "{:?} {:?}",
        e.places,
        e.targets
    );
}

#[test]
#[rustfmt::skip]
fn time_forms_resolve_against_the_publication_date() {
    let cases: &[(&str, &str, &str, &str, bool, TimeBasis)] = &[
        // One line a case: text, published, start, end, approx, basis.
        ("十二月廿五日，区长邹明到乙镇调研。", "2023-12-28", "2023-12-25", "2023-12-25", false, TimeBasis::Explicit),
        ("廿日上午，区长邹明到乙镇调研。", "2023-12-28", "2023-12-20", "2023-12-20", false, TimeBasis::RelativeToPublished),
        ("3天前，区长邹明到乙镇调研。", "2023-12-10", "2023-12-07", "2023-12-07", false, TimeBasis::RelativeToPublished),
        ("星期三，区长邹明到乙镇调研。", "2023-12-10", "2023-12-06", "2023-12-06", false, TimeBasis::RelativeToPublished),
        ("周六上午，区长邹明到乙镇调研。", "2023-12-10", "2023-12-09", "2023-12-09", false, TimeBasis::RelativeToPublished),
        // The part of the day right after the bracket; a day the page's month cannot have
        // counts from publication.
        ("彰化縣長王惠美於十一日召開防颱會議。", "2025-11-12", "2025-11-11", "2025-11-11", false, TimeBasis::RelativeToPublished),
        // A date that only ends a span from now on (即日起到…) dates no activity.
        ("農業博覽會昨天在甲縣開幕，即日起到十月十四日展出，農委會主委林聰賢出席開幕儀式。", "2018-09-23", "2018-09-22", "2018-09-22", false, TimeBasis::RelativeToPublished),
        ("昨(6)晚，黃偉哲市長出席里長聯誼晚宴。", "2019-05-07", "2019-05-06", "2019-05-06", false, TimeBasis::RelativeToPublished),
        ("當前報章2019年02月01日\n司長譚俊榮昨(31)日探訪了乙院。", "2019-02-01", "2019-01-31", "2019-01-31", false, TimeBasis::RelativeToPublished),
        // The day's unit written once, after the last day.
        ("2018年11月16-18日，区长邹明带队参加博览会。", "2018-11-20", "2018-11-16", "2018-11-18", false, TimeBasis::Explicit),
        ("11月16—18日，区长邹明带队参加博览会。", "2018-11-20", "2018-11-16", "2018-11-18", false, TimeBasis::Explicit),
        ("11月7、8日，区长邹明带队调研企业。", "2018-11-20", "2018-11-07", "2018-11-08", false, TimeBasis::Explicit),
        ("11月7及8日，区长邹明带队调研企业。", "2018-11-20", "2018-11-07", "2018-11-08", false, TimeBasis::Explicit),
        (
            "11月7日、8日，区长邹明带队调研企业。",
            "2023-11-10",
            "2023-11-07",
            "2023-11-08",
            false,
            TimeBasis::Explicit,
        ),
        (
            "3月1日至3日，区长邹明带队赴外地考察。",
            "2024-03-05",
            "2024-03-01",
            "2024-03-03",
            false,
            TimeBasis::Explicit,
        ),
        (
            "十一月五日，区长邹明到乙镇调研。",
            "2023-11-10",
            "2023-11-05",
            "2023-11-05",
            false,
            TimeBasis::Explicit,
        ),
        (
            "二〇二三年十二月二十日，区长邹明到乙镇调研。",
            "2024-01-02",
            "2023-12-20",
            "2023-12-20",
            false,
            TimeBasis::Explicit,
        ),
        (
            "12月30日，区长邹明到乙镇调研。",
            "2024-01-02",
            "2023-12-30",
            "2023-12-30",
            false,
            TimeBasis::Explicit,
        ),
        (
            "昨天，区长邹明到乙镇调研。",
            "2024-05-10",
            "2024-05-09",
            "2024-05-09",
            false,
            TimeBasis::RelativeToPublished,
        ),
        (
            "今天上午，区长邹明到乙镇调研。",
            "2024-05-10",
            "2024-05-10",
            "2024-05-10",
            false,
            TimeBasis::RelativeToPublished,
        ),
        (
            "近日，区长邹明到乙镇调研。",
            "2024-05-10",
            "2024-05-10",
            "2024-05-10",
            true,
            TimeBasis::RelativeToPublished,
        ),
        (
            "日前，区长邹明到乙镇调研。",
            "2024-05-10",
            "2024-05-10",
            "2024-05-10",
            true,
            TimeBasis::RelativeToPublished,
        ),
        (
            "八日下午，区长邹明到乙镇调研。",
            "2024-05-10",
            "2024-05-08",
            "2024-05-08",
            false,
            TimeBasis::RelativeToPublished,
        ),
        (
            "区长邹明带队走访第六届进博会参展企业。",
            "2023-11-20",
            "2023-11-05",
            "2023-11-10",
            true,
            TimeBasis::Inferred,
        ),
    ];
    for (text, published, start, end, approx, basis) in cases {
        let e = one(text, published);
        assert_eq!(e.when.start, Some(day(start)), "{text}");
        assert_eq!(e.when.end, Some(day(end)), "{text}");
        assert_eq!(e.when.approx, *approx, "{text}");
        assert_eq!(e.when.basis, *basis, "{text}");
        assert!(e.when.phrase.is_some(), "{text}");
    }
    // A count of days (一连4日) is no date.
    let e = one("行政長官李家超展開一連4日的探訪，到甲邨探訪長者。", "2025-01-26");
    assert_eq!(e.when.start, Some(day("2025-01-26")));
    assert_eq!(e.when.basis, TimeBasis::Inferred);
}

#[test]
fn without_a_publication_date_the_year_is_not_guessed() {
    let e = extract_standalone("5月6日，区长邹明到乙镇调研。", None).remove(0);
    assert_eq!(
        (e.when.start, e.when.approx, e.when.basis),
        (None, true, TimeBasis::YearUnknown)
    );
    let e =
        extract_standalone("发布时间：2022-05-08\n5月6日，区长邹明到乙镇调研。", None).remove(0);
    assert_eq!(e.when.start, Some(day("2022-05-06")));
    assert!(e.when.approx);
    assert_eq!(e.when.basis, TimeBasis::Inferred);
}

#[test]
fn traditional_script_extracts_like_simplified_and_reports_names_as_written() {
    let trad = one(
        "縣長林永發八日上午前往東河鄉會勘道路改善工程，鄉長陳志明陪同。",
        "2024-05-10",
    );
    let simp = one(
        "县长林永发八日上午前往东河乡会勘道路改善工程，乡长陈志明陪同。",
        "2024-05-10",
    );
    assert_eq!(trad.kind, simp.kind);
    assert_eq!(trad.kind, EventKind::SiteInspection);
    assert_eq!(trad.when, simp.when.clone());
    assert_eq!(
        people(&trad, Role::Lead),
        vec![("林永發".to_string(), owned(&["縣長"]))]
    );
    assert_eq!(
        people(&trad, Role::Participant),
        vec![("陳志明".to_string(), owned(&["鄉長"]))]
    );
    assert!(
        trad.places.contains(&"東河鄉".to_string()),
        "{:?}",
        trad.places
    );
    assert!(trad.evidence[0].text.starts_with("縣長林永發"));
}

#[test]
fn organisations_and_teams_act_when_no_person_leads() {
    let e = one(
        "5月14日、15日，省政府办公厅调研组来我市开展专题调研。",
        "2024-05-20",
    );
    assert_eq!(e.kind, EventKind::SiteInspection);
    let org: Vec<&str> = e
        .actors
        .iter()
        .filter(|a| a.kind == ActorKind::Organization)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(org, vec!["省政府办公厅调研组"]);
    assert_eq!(e.when.end, Some(day("2024-05-15")));
}

#[test]
fn articles_that_report_no_activity_yield_nothing() {
    for text in [
        "上半年，全县规模以上工业产值达到860亿元，比去年同期提高4.3%。其中，新能源产业产值120亿元。",
        "县园林管理处处长王芳介绍，今年将新建5座街心花园，方便市民休闲。",
        "日前，全县第一条林长制宣传步道正式开放，游客可沿途学习护林知识。",
        "近日，记者走进城东社区，看到居民正在广场上跳舞。",
        "近日，区市场监管局开展食品安全专项检查，共检查商户120家。",
        "区工信局局长马某某表示，今年以来全区已走访调研企业三百余家。",
    ] {
        assert!(run(text, "2024-06-01").is_empty(), "{text}");
    }
}

#[test]
fn every_event_carries_its_contract_fields() {
    let text = "6月3日，区长陈立新深入辖区企业调研安全生产工作。";
    let e = one(text, "2024-06-05");
    assert_eq!(e.schema, dongtai_proto::EVENT_SCHEMA);
    assert_eq!(e.extractor, dongtai_engine::EXTRACTOR);
    assert!(e.extractor.starts_with("dongtai-extract "));
    assert!(e.confidence > 0.0 && e.confidence <= 1.0);
    assert_eq!(e.source.published, Some(day("2024-06-05")));
    let id = dongtai_proto::ArticleId::of_text(&dongtai_engine::normalize(text).text);
    assert_eq!(e.source.article_id, id);
    let expected =
        dongtai_proto::EventId::derive(&id, "site_inspection", Some("2024-06-03"), &["陈立新"]);
    assert_eq!(e.id, expected);
    let ev = &e.evidence[0];
    let chars: Vec<char> = text.chars().collect();
    assert_eq!(chars[ev.start..ev.end].iter().collect::<String>(), ev.text);
}

#[test]
fn column_layout_evidence_points_into_the_raw_text() {
    let raw = "6 月 3 日， 区长陈立新深\n\n入辖区企业调研安全生产\n\n工作， 听取有关汇报。\n\n陈立新强调， 要压实各\n\n方责任， 守牢安全底线\n\n。\n";
    let e = one(raw, "2024-06-05");
    let chars: Vec<char> = raw.chars().collect();
    let ev = &e.evidence[0];
    let span: String = chars[ev.start..ev.end]
        .iter()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert_eq!(span, ev.text.replace(' ', ""));
    assert_eq!(e.when.start, Some(day("2024-06-03")));
}

#[test]
fn names_written_before_their_title_carry_it() {
    let cases: &[(&str, &[(&str, &[&str])])] = &[
        (
            "今（3）日上午，林正德縣長前往東安鄉視察防汛工作。",
            &[("林正德", &["縣長"])],
        ),
        (
            "6月3日，周海文副主任带队到北岭村调研。",
            &[("周海文", &["副主任"])],
        ),
    ];
    for (text, want) in cases {
        let e = one(text, "2025-06-03");
        let leads = people(&e, Role::Lead);
        let want: Vec<(String, Vec<String>)> = want
            .iter()
            .map(|(n, t)| (n.to_string(), owned(t)))
            .collect();
        assert_eq!(leads, want, "{text}");
    }
    // After 由 (由某某副秘書長陪同) a short title; not a place named again (向徐汇区长期…).
    let e = one(
        "6月3日，郭信良議長率團到彰化縣考察，市府由王揚智副秘書長陪同。",
        "2025-06-03",
    );
    assert_eq!(
        people(&e, Role::Participant),
        vec![("王揚智".to_string(), owned(&["副秘書長"]))]
    );
    let e = one(
        "6月3日，市长王立新到徐汇区考察。他感谢徐汇区政府，并向徐汇区长期以来的支持表示感谢。",
        "2025-06-03",
    );
    assert_eq!(everyone(&e), owned(&["王立新"]));
}

#[test]
fn a_third_character_opening_a_follower_word_is_not_part_of_the_name() {
    // Written twice, as an abstract above a body repeats it.
    let text = "6月3日，县委书记孔庆华到东乡镇调研，镇党委书记柏林，副书记赵伟陪同调研。\
                6月3日，县委书记孔庆华到东乡镇调研，镇党委书记柏林，副书记赵伟陪同调研。";
    let e = one(text, "2025-06-04");
    assert!(
        names(&e, Role::Participant).contains(&"赵伟".to_string()),
        "{e:#?}"
    );
}

#[test]
fn sites_come_from_verbs_of_looking_at_them_and_from_the_sentences_that_go_on() {
    let cases: &[(&str, &[&str])] = &[
        (
            "5月9日，县委书记汤明远检查防汛工作。汤明远先后查看了东河闸、西坝险工、南渠泵站等重点部位。",
            &["东河闸", "西坝险工", "南渠泵站"],
        ),
        (
            "5月9日，副市长严立群到城东调研。调研组一行实地考察了丰源科技园、江北物流园。",
            &["城东", "丰源科技园", "江北物流园"],
        ),
        (
            // A team as the subject, a stop opened by 在, an inspection of 对某地.
            "5月9日，副市长严立群带领调研组到城东调研。调研组先后参观了丰源科技园、江北物流园。\
             在青竹村，严书记看望了村民。调研组还对红岭度假区进行了实地考察。",
            &["城东", "丰源科技园", "江北物流园", "青竹村", "红岭度假区"],
        ),
        (
            // A list closed by 等企业 names companies.
            "5月9日，区长邵志成率队赴深圳招商，先后拜访了华曜科技、蓝湾智造等企业。",
            &["华曜科技", "蓝湾智造"],
        ),
        (
            // What was looked at there is no part of the site.
            "5月9日，区长邵志成到河口镇巡林。邵志成一行查看了上坪村护岸林管护情况。",
            &["河口镇", "上坪村"],
        ),
    ];
    for (text, want) in cases {
        let e = one(text, "2025-05-10");
        let mut got = e.places.clone();
        got.extend(e.targets.clone());
        for w in *want {
            assert!(got.contains(&w.to_string()), "{text}: {w} not in {got:?}");
        }
    }
    // 查看了…等情况: matters looked into, not sites.
    let e = one(
        "5月9日，区长邵志成到河口镇巡林，查看了防火宣传、队伍建设、物资储备等情况。",
        "2025-05-10",
    );
    assert_eq!(e.places, owned(&["河口镇"]), "{e:#?}");
}

#[test]
fn a_forest_patrol_needs_the_forest_chief_system() {
    let cases: &[(&str, EventKind)] = &[
        (
            "4月2日，副县长汪立人到北山林场检查森林防火工作。",
            EventKind::SiteInspection,
        ),
        (
            "4月2日，副县长汪立人到北山林场开展巡林工作。",
            EventKind::ForestChiefInspection,
        ),
        // The office in the title is enough: the forest chief at work.
        (
            "4月2日，县级林长汪立人到北山林场检查森林防火工作。",
            EventKind::ForestChiefInspection,
        ),
        (
            "4月2日，副县长汪立人到清水河开展巡河工作。",
            EventKind::SiteInspection,
        ),
    ];
    for (text, kind) in cases {
        assert_eq!(one(text, "2025-04-03").kind, *kind, "{text}");
    }
}

#[test]
fn dates_are_read_where_the_activity_is_dated() {
    let cases: &[(&str, &str, &str, Option<PartOfDay>)] = &[
        // A dateline dates the report.
        (
            "本报10月26日讯（记者 周某）24日，副省长严华到平安市调研。",
            "2024-10-26",
            "2024-10-24",
            None,
        ),
        // A page's posting date, even run into the headline by a column layout.
        (
            "市長張百順來訪日期：2023年05月30日。張百順一行於五月二十九日訪問澳門中華總商會。",
            "2023-05-30",
            "2023-05-29",
            None,
        ),
        // A bare day inside the clause, before the activity verb.
        (
            "縣長林正德率團11日展開考察，前往東港鎮。",
            "2024-03-12",
            "2024-03-11",
            None,
        ),
        (
            "本报讯 昨晚，市委书记吴长青来到城南工地检查安全生产。",
            "2024-03-12",
            "2024-03-11",
            Some(PartOfDay::Evening),
        ),
    ];
    for (text, published, start, part) in cases {
        let e = one(text, published);
        assert_eq!(e.when.start, Some(day(start)), "{text}");
        assert_eq!(e.when.part_of_day, *part, "{text}");
    }
}

#[test]
fn announced_activities_yield_no_event() {
    for text in [
        "政務司司長陳立德明日（七月二十四日）下午將前赴北京出席會議。",
        "市长李文华明天将率队赴深圳开展招商活动。",
        "保安局局长黄志明将于今晚离港，前赴新西兰和澳洲进行一星期访问。",
        "教育局局长陈美玲将于星期三启程，并于25日率团视察考察安排。",
        "行程期间，她亦会率领访问团到访学生考察的参访点。",
    ] {
        assert!(run(text, "2025-07-23").is_empty(), "{text}");
    }
    // 会 after 我 is "our association", not "will".
    let e = one("7月22日，县委书记张国强一行来我会考察指导。", "2025-07-23");
    assert_eq!(names(&e, Role::Lead), owned(&["张国强"]));
}

#[test]
fn an_adverb_or_any_known_verb_after_a_name_ends_it() {
    // (text, the lead's name)
    let cases: &[(&str, &str)] = &[
        ("5月6日，区长娄立新热情会见了考察团一行。", "娄立新"),
        ("5月6日，区长娄立新冒雨前往河堤察看汛情。", "娄立新"),
        ("5月6日，区长娄立新接待了来访的客商代表团。", "娄立新"),
        ("5月6日，县长韦家明巡河，检查河道保洁。", "韦家明"),
    ];
    for (text, lead) in cases {
        assert_eq!(
            names(&one(text, "2024-05-07"), Role::Lead),
            owned(&[lead]),
            "{text}"
        );
    }
}

#[test]
fn receptions_and_ceremonies_have_their_kinds() {
    let cases: &[(&str, EventKind)] = &[
        (
            "5月6日，区长娄立新接待了来访的客商代表团。",
            EventKind::Meeting,
        ),
        (
            "5月6日，行政长官梁家豪主礼回归纪念酒会。",
            EventKind::Conference,
        ),
        // Calling on people meets them.
        (
            "昨晚，市委书记王立新拜访了甲同乡会会长李达明、乙联谊会会长周文华等在港人士。",
            EventKind::Meeting,
        ),
        // Calling on companies on a business trip, with a forum, stays a business trip.
        (
            "6月18日，县长王立新率队赴广东开展招商引资活动，先后拜访了甲精密、乙终端等企业，并与深圳某商会会长林海座谈。",
            EventKind::InvestmentPromotion,
        ),
        // Calling on companies on a business trip stays a business trip.
        (
            "5月6日，市长王立新带队赴深圳开展招商活动，拜访了甲集团、乙公司等企业。",
            EventKind::InvestmentPromotion,
        ),
    ];
    for (text, kind) in cases {
        assert_eq!(one(text, "2024-05-07").kind, *kind, "{text}");
    }
}

#[test]
fn hosts_receiving_visitors_and_the_visitors_tour_are_two_activities() {
    let events = run(
        "5月6日，某市副市长方志平率考察团来我区考察。期间，区长娄立新热情接待了考察团一行。",
        "2024-05-07",
    );
    let kinds: Vec<(EventKind, Vec<String>)> = events
        .iter()
        .map(|e| (e.kind, names(e, Role::Lead)))
        .collect();
    assert!(
        kinds.contains(&(EventKind::SiteInspection, owned(&["方志平"]))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(EventKind::Meeting, owned(&["娄立新"]))),
        "{kinds:?}"
    );
}

#[test]
fn people_visited_at_home_take_part() {
    let e = one(
        "1月20日，市长陈立新来到低保户韩桂成、困难残疾人蒋美玲家中，询问生活情况。",
        "2024-01-21",
    );
    assert_eq!(names(&e, Role::Lead), owned(&["陈立新"]));
    assert_eq!(names(&e, Role::Participant), owned(&["韩桂成", "蒋美玲"]));
}

#[test]
fn an_event_held_or_attended_gives_the_activity_its_kind() {
    let cases: &[(&str, EventKind)] = &[
        (
            "3月31日，县政府召开全县招商引资工作推进会。副县长周立华出席会议并对招商工作提出要求。",
            EventKind::Conference,
        ),
        (
            "10月21日，我市在深圳举办招商推介会。市长李明川出席推介会并致辞。",
            EventKind::InvestmentPromotion,
        ),
        (
            "5月23日下午，市政协举行经济社会发展恳谈会，市政协主席王明辉主持恳谈会。",
            EventKind::Meeting,
        ),
    ];
    for (text, kind) in cases {
        assert_eq!(one(text, "2024-06-01").kind, *kind, "{text}");
    }
}

#[test]
#[rustfmt::skip]
fn the_lead_and_the_day_of_one_visit() {
    // One line a case: text, published, lead, day.
    let cases: &[(&str, &str, &str, &str)] = &[
        // A surname 周 before a numeral is a name, not a weekday.
        ("11月6日，县长周五星前往乙镇调研。", "2023-12-10", "周五星", "2023-11-06"),
        // One accompanied (在…陪同下) with nobody named inside leads.
        ("大年初三早上，保安司司長黃少明在相關的主要官員陪同下，巡視關閘口岸出入境工作情況。",
         "2018-02-18", "黃少明", "2018-02-18"),
        // 今 alone before a verb is today, and ends the name before it.
        ("總統林清德今視察花蓮縣光復鄉中央協調所。", "2025-10-05", "林清德", "2025-10-05"),
    ];
    for (text, published, lead, start) in cases {
        let e = one(text, published);
        assert_eq!(names(&e, Role::Lead), owned(&[lead]), "{text}");
        assert_eq!(e.when.start, Some(day(start)), "{text}");
    }
}

#[test]
fn a_relative_day_after_a_dateline_counts_from_the_dateline() {
    let e = one(
        "本报济南11月20日讯 今天下午，省委副书记、省长姜立明会见了来访的日本客人。",
        "2023-11-21",
    );
    assert_eq!(e.when.start, Some(day("2023-11-20")));
}

#[test]
fn a_page_date_with_its_weekday_dates_the_page_not_the_activity() {
    let e = one(
        "2019年01月09日 星期三\n省政府召开座谈会\n本报讯 昨日下午，副省长王文明来甬召开座谈会，征求意见建议。",
        "2019-01-09",
    );
    assert_eq!(e.when.start, Some(day("2019-01-08")));
}

#[test]
fn an_event_still_to_come_gives_no_kind() {
    let e = one(
        "昨日下午，市长马立新在市政府会见了客人一行。客人将参加即将在我市举行的市长论坛。",
        "2014-11-10",
    );
    assert_eq!(e.kind, EventKind::Meeting);
}

#[test]
#[rustfmt::skip]
fn a_time_after_a_name_is_no_part_of_it() {
    // One line a case: text, the lead, the first day.
    let cases: &[(&str, &str, &str)] = &[
        ("市长张立明于5日上午前往乙镇调研。", "张立明", "2023-12-05"),
        ("市長張立明於12月5日前往乙鎮視察。", "張立明", "2023-12-05"),
        ("市長張立明8日前往乙鎮視察。", "張立明", "2023-12-08"),
        ("3天前，市长张立明前往乙镇调研。", "张立明", "2023-12-07"),
    ];
    for (text, lead, start) in cases {
        let e = one(text, "2023-12-10");
        assert_eq!(names(&e, Role::Lead), owned(&[lead]), "{text}");
        assert_eq!(e.when.start, Some(day(start)), "{text}");
    }
}

#[test]
fn names_listed_without_titles_before_a_verb_of_taking_part_take_part() {
    // (text, the participants)
    let cases: &[(&str, &[&str])] = &[
        (
            "12月5日，市长张立明到乙镇调研。李文华、王国强等陪同。",
            &["李文华", "王国强"],
        ),
        (
            "12月5日，市长张立明到乙镇调研。李文华、王国强参加调研。",
            &["李文华", "王国强"],
        ),
        (
            "12月5日，市长张立明到乙镇调研，了解文旅、农业等领域发展情况。",
            &[],
        ),
    ];
    for (text, participants) in cases {
        let e = one(text, "2023-12-10");
        assert_eq!(names(&e, Role::Participant), owned(participants), "{text}");
        assert_eq!(e.kind, EventKind::SiteInspection, "{text}");
    }
}

#[test]
#[rustfmt::skip]
fn an_event_an_organisation_holds_is_led_by_who_presides_speaks_or_attends() {
    // One line a case: text, kind, leads, participants.
    let cases: &[(&str, EventKind, &[&str], &[&str])] = &[
        ("昨晚，我市举行欢迎宴会。市领导赵明亮、钱立群参加宴会。市长王立新在致辞中欢迎各位来宾。",
         EventKind::Other, &["王立新"], &["赵明亮", "钱立群"]),
        ("县政府今日在府前举办新春团拜，县议长陈明达、县议员林淑芬共同出席。陈正德县长说，新的一年要加油。",
         EventKind::Conference, &["陈正德"], &["陈明达", "林淑芬"]),
        ("7月9日上午，县第五届人民代表大会第二次会议在县剧院开幕。县委书记刘建国，县长张明出席会议。",
         EventKind::Conference, &["刘建国", "张明"], &[]),
        ("为期三天的文化周启动仪式，昨天在市宾馆宴会厅举行。副省长孙立平出席仪式并讲话。",
         EventKind::Conference, &["孙立平"], &[]),
    ];
    for (text, kind, leads, others) in cases {
        let e = one(text, "2024-06-01");
        assert_eq!(e.kind, *kind, "{text}");
        assert_eq!(names(&e, Role::Lead), owned(leads), "{text}");
        assert_eq!(names(&e, Role::Participant), owned(others), "{text}");
    }
}

#[test]
fn an_event_held_without_a_date_of_its_own_or_still_to_come_opens_nothing() {
    for text in [
        "我市将于下月举行欢迎宴会，市长王立新将出席。",
        "我市每年举行欢迎宴会，欢迎各地客商。",
    ] {
        assert!(run(text, "2024-06-01").is_empty(), "{text}");
    }
}

#[test]
#[rustfmt::skip]
fn an_event_held_somewhere_has_its_venue_as_a_place() {
    // One line a case: text, the place first reported.
    let cases: &[(&str, &str)] = &[
        ("7月9日上午，县第五届人民代表大会第二次会议在县剧院开幕。县长张明出席会议。", "县剧院"),
        ("文化周启动仪式昨天在市宾馆宴会厅隆重举行。副省长孙立平出席仪式并讲话。", "市宾馆宴会厅"),
    ];
    for (text, place) in cases {
        let e = one(text, "2024-06-01");
        assert_eq!(e.places.first().map(String::as_str), Some(*place), "{text}");
    }
}

#[test]
#[rustfmt::skip]
fn an_organisation_acts_alone_only_when_what_it_does_is_dated_right_before_it() {
    // One line a case: text, the organisation acting (none: no event).
    let cases: &[(&str, Option<&str>)] = &[
        ("10月20日，甲市北桥商会应邀来我区参观考察。", Some("甲市北桥商会")),
        ("为做好调研工作，近日，甲市林业保护研究中心组织人员赴乙县调研。", Some("甲市林业保护研究中心")),
        ("近日，甲市林业保护研究中心组织人员对乙县进行检查。", None),
        ("甲市林业保护研究中心每年赴乙县调研。", None),
    ];
    for (text, org) in cases {
        let events = run(text, "2024-11-01");
        let orgs: Vec<&str> = events
            .iter()
            .flat_map(|e| &e.actors)
            .filter(|a| a.kind == ActorKind::Organization)
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(orgs, org.iter().copied().collect::<Vec<_>>(), "{text}");
    }
}

#[test]
fn a_visit_goes_on_after_who_went_along_with_it() {
    let e = one(
        "3月27日，市委书记王立新率领考察团来到甲市。在甲市市委副书记李明陪同下，考察团先后参观了科技文化博览中心、光电产业园。",
        "2018-03-28",
    );
    assert_eq!(e.places, owned(&["甲市", "科技文化博览中心", "光电产业园"]));
    assert_eq!(names(&e, Role::Participant), owned(&["李明"]));
}

#[test]
fn stray_marks_run_into_a_sentence_do_not_end_the_visit() {
    let e = one(
        "3月27日，市委书记王立新率领考察团来到甲市。\\\\\\在乙区区长李明陪同下，考察团参观了科技文化博览中心。",
        "2018-03-28",
    );
    assert_eq!(e.places, owned(&["甲市", "科技文化博览中心"]));
}

#[test]
#[rustfmt::skip]
fn a_roll_of_names_after_a_colon_takes_part() {
    // One line a case: text, participants.
    let cases: &[(&str, &[&str])] = &[
        ("7月9日上午，县人民代表大会在县剧院开幕。县委书记刘建国出席会议。大会执行主席是：张明、李华、王强、赵刚(女)。",
         &["张明", "李华", "王强", "赵刚"]),
        // Two names are no roll: a colon before two may introduce anything.
        ("7月9日上午，县人民代表大会在县剧院开幕。县委书记刘建国出席会议。获奖者：张明、李华。",
         &[]),
    ];
    for (text, others) in cases {
        let e = one(text, "2024-06-01");
        assert_eq!(names(&e, Role::Participant), owned(others), "{text}");
    }
}

#[test]
fn a_page_date_whose_weekday_was_cut_off_still_dates_the_page() {
    let e = one(
        "2019年1月9日 星期 本报讯 昨日下午，副省长王文明来甬调研企业。",
        "2019-01-09",
    );
    assert_eq!(e.when.start, Some(day("2019-01-08")));
}

#[test]
#[rustfmt::skip]
fn a_portfolio_in_brackets_between_title_and_name_keeps_the_title() {
    // One line a case: text, (participant, titles).
    let cases: &[(&str, &[(&str, &[&str])])] = &[
        ("7月5日，民政署署长陈志明访问甲市社会服务中心。随行官员包括副署长(行政)林家豪及助理署长(家庭及儿童福利)黄美玲等。",
         &[("林家豪", &["副署长（行政）"]), ("黄美玲", &["助理署长（家庭及儿童福利）"])]),
        // Brackets that are no portfolio (a place, a date) still end the title.
        ("7月5日，民政署署长陈志明访问甲市社会服务中心(北区)。副署长林家豪陪同。",
         &[("林家豪", &["副署长"])]),
    ];
    for (text, want) in cases {
        let e = one(text, "2024-07-06");
        let want: Vec<(String, Vec<String>)> =
            want.iter().map(|(n, t)| (n.to_string(), owned(t))).collect();
        assert_eq!(people(&e, Role::Participant), want, "{text}");
        assert_eq!(names(&e, Role::Lead), owned(&["陈志明"]), "{text}");
    }
}

#[test]
#[rustfmt::skip]
fn a_four_character_name_in_a_roll_of_titled_people_is_read_whole() {
    // One line a case: text, people named.
    let cases: &[(&str, &[&str])] = &[
        ("9月26日，省委常委、省直机关工委书记曲木史哈，市委书记王立新到乙县展位考察。",
         &["曲木史哈", "王立新"]),
        // A title then a noun phrase closed by a comma: no name (no title follows).
        ("9月26日，市委书记王立新到乙县调研，要求压实林长管理责任，推动工作落实。",
         &["王立新"]),
    ];
    for (text, want) in cases {
        let e = one(text, "2024-09-27");
        let mut got = names(&e, Role::Lead);
        got.extend(names(&e, Role::Participant));
        assert_eq!(got, owned(want), "{text}");
    }
}

#[test]
fn an_organisations_visit_goes_on_where_it_is_named_again_with_who_went_along() {
    let e = one(
        "10月20日，甲市青松商会来我区参观考察。青松商会会长带队，企业家一行先后参观考察了创新产业园、晶华科技公司。区领导张明、李华，市工商联副主席王强等陪同参观考察。",
        "2021-10-21",
    );
    assert_eq!(e.places, owned(&["创新产业园"]));
    assert_eq!(e.targets, owned(&["晶华科技公司"]));
    assert_eq!(
        names(&e, Role::Participant),
        owned(&["张明", "李华", "王强"])
    );
    // Officials named without going along are no part of it.
    let e = one(
        "10月20日，甲市青松商会来我区参观考察。区长张明表示，欢迎企业家来投资。",
        "2021-10-21",
    );
    assert_eq!(names(&e, Role::Participant), Vec::<String>::new());
}

#[test]
#[rustfmt::skip]
fn an_event_held_by_some_means_or_opened_with_another_verb_is_held() {
    // One line a case: text, kind, lead.
    let cases: &[(&str, EventKind, &str)] = &[
        ("1月26日，甲省与乙县建立友好关系签约仪式通过视频连线方式举行。副省长王立新出席并致辞。",
         EventKind::Conference, "王立新"),
        ("7月21日，甲省主题推介大会在北京拉开帷幕。副省长王立新致辞并宣布开幕。",
         EventKind::Conference, "王立新"),
        ("7月21日，为期三天的“甲省日”活动在北京市乙区拉开帷幕。副省长王立新致辞并宣布活动开幕。",
         EventKind::Conference, "王立新"),
        ("甲省活动周于8月22日上午在乙园大舞台隆重开幕。市委书记王立新出席开幕式。",
         EventKind::Conference, "王立新"),
    ];
    for (text, kind, lead) in cases {
        let e = one(text, "2022-07-22");
        assert_eq!(e.kind, *kind, "{text}");
        assert_eq!(names(&e, Role::Lead), owned(&[lead]), "{text}");
    }
}

#[test]
fn a_space_between_sentences_of_a_page_ends_the_title_before_it() {
    // The page separates its sentences with a space, not a full stop: 举行 is no part of the
    // title after it, so the event is held and the governor attends it.
    let e = one(
        "1月26日，甲省与乙县签约仪式通过视频连线方式举行 省委副书记、省长王立新出席并致辞",
        "2022-01-27",
    );
    assert_eq!(e.kind, EventKind::Conference);
    assert_eq!(
        people(&e, Role::Lead),
        vec![("王立新".to_string(), owned(&["省委副书记", "省长"]))]
    );
}

#[test]
fn a_section_named_in_a_roll_of_titled_people_stands_for_a_title() {
    let e = one(
        "由市林业局副局长王立新带队，市林业局生态科副科长张明、市林业局造林科李华组成的督导组于7月6日到甲县开展督导工作。",
        "2022-07-08",
    );
    assert_eq!(
        people(&e, Role::Participant),
        vec![
            ("张明".to_string(), owned(&["市林业局生态科副科长"])),
            ("李华".to_string(), owned(&["市林业局造林科"])),
        ]
    );
    // Outside a roll, a section before a name is no title (甲科李华 alone names no one).
    let e = one(
        "7月6日，市林业局副局长王立新到甲县开展督导工作。造林科李华介绍了情况。",
        "2022-07-08",
    );
    assert_eq!(names(&e, Role::Participant), Vec::<String>::new());
}

#[test]
#[rustfmt::skip]
fn a_site_named_before_its_on_site_and_the_companies_asked_are_what_was_visited() {
    // One line a case: text, places, targets.
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("10月15日上午，市委副书记王立新视察了交易团展位。在交易会现场，王书记分别向新科、常柴、东风农机等企业的负责人了解了成交情况。",
         &["交易会"], &["交易团展位", "新科", "常柴", "东风农机"]),
        ("10月15日上午，市委副书记王立新到甲镇调研。在乙村现场，王立新听取了工作汇报。",
         &["甲镇", "乙村"], &[]),
        // A body or a company after 在 is a site (在某管委会，在某有限公司，).
        ("1月21日，副主席王立新到甲市调研。在漓江风景区管委会，王立新听取了汇报。在甲研究院有限公司，王立新看望了科研人员。",
         &["甲市", "漓江风景区管委会"], &["甲研究院有限公司"]),
        // 在某会 without 现场 is at a meeting, and 向 without a list of companies asks no one.
        ("10月15日上午，市委副书记王立新到甲镇调研。在座谈会上，王立新向企业负责人了解了情况。",
         &["甲镇"], &[]),
    ];
    for (text, places, targets) in cases {
        let e = one(text, "2021-10-16");
        assert_eq!(e.places, owned(places), "{text}");
        assert_eq!(e.targets, owned(targets), "{text}");
    }
}

#[test]
fn those_present_at_a_reception_take_part_and_the_guests_own_tour_is_theirs() {
    let events = run(
        "10月21日，市委副书记、市长王立新在碧波大酒店会见了来我市考察访问的韩国唐津郡郡守金英洙一行。副市长张明，市政府秘书长李华会见时在座。王立新首先对客人的到来表示欢迎。在我市期间，金英洙一行在张明的陪同下对甲旅游度假区进行了实地考察。",
        "2008-10-22",
    );
    assert_eq!(events.len(), 2, "{events:#?}");
    let (meeting, tour) = (&events[0], &events[1]);
    assert_eq!(meeting.kind, EventKind::Meeting);
    assert_eq!(names(meeting, Role::Lead), owned(&["王立新"]));
    assert_eq!(
        names(meeting, Role::Participant),
        owned(&["金英洙", "张明", "李华"])
    );
    // The venue ends before 会见: the reception is no part of its name.
    assert_eq!(meeting.places, owned(&["碧波大酒店"]));
    assert_eq!(tour.kind, EventKind::SiteInspection);
    assert_eq!(names(tour, Role::Lead), owned(&["金英洙"]));
    assert_eq!(tour.places, owned(&["甲旅游度假区"]));
}

#[test]
#[rustfmt::skip]
fn a_day_of_last_or_this_week_and_the_evening_are_read() {
    // Published on Sunday 10 March 2024. One line a case: time phrase, day, part of day.
    let cases: &[(&str, &str, Option<PartOfDay>)] = &[
        ("上周五", "2024-03-01", None),
        ("上个星期六上午", "2024-03-02", Some(PartOfDay::Morning)),
        ("本周一", "2024-03-04", None),
        ("周五", "2024-03-08", None),
        ("8日晚", "2024-03-08", Some(PartOfDay::Evening)),
        ("8日凌晨", "2024-03-08", Some(PartOfDay::Morning)),
    ];
    for (phrase, want, part) in cases {
        let text = format!("{phrase}，市委书记王立新到甲镇调研。");
        let e = one(&text, "2024-03-10");
        assert_eq!(e.when.start, Some(day(want)), "{text}");
        assert_eq!(e.when.part_of_day, *part, "{text}");
    }
}

#[test]
fn the_associations_of_the_people_called_on_are_what_was_visited() {
    let e = one(
        "昨晚，市委书记王立新拜访了甲同乡会会长李达明、乙联谊会会长周文华等在港人士。",
        "2024-03-10",
    );
    assert_eq!(e.targets, owned(&["甲同乡会", "乙联谊会"]));
    assert_eq!(
        people(&e, Role::Participant),
        vec![
            ("李达明".to_string(), owned(&["甲同乡会会长"])),
            ("周文华".to_string(), owned(&["乙联谊会会长"])),
        ]
    );
}

#[test]
#[rustfmt::skip]
fn a_site_ends_before_a_date_and_is_named_once() {
    // One line a case: text, places, targets.
    let cases: &[(&str, &[&str], &[&str])] = &[
        // A headline run into the first sentence, as a column arrives.
        ("王立新副书记视察交易团展位10月15日上午，市委副书记王立新视察了交易团展位。",
         &[], &["交易团展位"]),
        // The same site with and without its region before it.
        ("4月6日下午，市长王立新带队拜访了海淀区政府。随后，王立新来到北京市海淀区政府座谈交流。",
         &["北京市海淀区政府"], &[]),
    ];
    for (text, places, targets) in cases {
        let e = one(text, "2016-10-16");
        assert_eq!(e.places, owned(places), "{text}");
        assert_eq!(e.targets, owned(targets), "{text}");
    }
}

#[test]
fn another_official_going_on_a_visit_of_their_own_is_their_own_activity() {
    let events = run(
        "15日，多名官员到访甲区、乙区探访基层家庭。房屋局局长王立新在甲区专员张明陪同下，探访了丙邨的独居长者。民政局局长李华则在乙区专员赵刚陪同下，到丁邨探望双老家庭。",
        "2026-02-15",
    );
    let got: Vec<(Vec<String>, Vec<String>, Vec<String>)> = events
        .iter()
        .map(|e| {
            (
                names(e, Role::Lead),
                names(e, Role::Participant),
                e.places.clone(),
            )
        })
        .collect();
    assert!(
        got.contains(&(owned(&["李华"]), owned(&["赵刚"]), owned(&["丁邨"]))),
        "{got:?}"
    );
    // The hosts who sit down with the visitors, or brief them, are part of the same visit.
    let events = run(
        "2月14日，甲省党政代表团来深考察交流。深圳市委书记王立新与代表团一行座谈，市长李华参加有关活动。",
        "2025-02-15",
    );
    assert_eq!(events.len(), 1, "{events:#?}");
}

#[test]
fn a_surname_before_a_verb_of_movement_is_no_name() {
    let events = run(
        "8月31日上午，省委书记王立新专程来到甲县纪念园。今年4月24日，总书记曾来到甲县乙村走访村民。",
        "2016-09-01",
    );
    let people: Vec<String> = events.iter().flat_map(|e| names(e, Role::Lead)).collect();
    assert!(!people.contains(&"曾来".to_string()), "{people:?}");
}

#[test]
fn a_visit_goes_on_after_a_clause_that_sets_its_course() {
    let e = one(
        "8月6日，市委书记王立新率考察团来到甲市。在为期5天的考察中，考察团一行先后到乙园区、丙工业园区实地考察。",
        "2015-08-07",
    );
    assert_eq!(e.places, owned(&["甲市", "乙园区", "丙工业园区"]));
}

#[test]
fn a_reception_at_the_town_hall_meets_the_team_led_by_its_guest() {
    let e = one(
        "昨日下午，市长王立新在市政府会见了由乙市市长张明带领的政府考察团一行。张明介绍了乙市经济发展和博览会情况。",
        "2014-11-10",
    );
    assert_eq!(e.kind, EventKind::Meeting);
    assert_eq!(names(&e, Role::Lead), owned(&["王立新"]));
    assert_eq!(names(&e, Role::Participant), owned(&["张明"]));
    assert_eq!(e.places, owned(&["市政府"]));
}

#[test]
fn a_visit_to_an_association_names_it() {
    let e = one(
        "甲省乙市委副书记、市长王立新一行八人于五月二十九日访问丙中华总商会，受到该会副理事长张明的热情接待。",
        "2023-05-30",
    );
    assert_eq!(e.targets, owned(&["丙中华总商会"]));
}

#[test]
fn an_official_holding_an_event_and_a_married_name_once_are_read() {
    let e = one(
        "行政长官林郑月娥(中)12月27日就合作安排举行记者会，旁为律政司司长袁国强(左)。",
        "2017-12-28",
    );
    assert_eq!(names(&e, Role::Lead), owned(&["林郑月娥"]));
    assert_eq!(e.when.start, Some(day("2017-12-27")));
    // A counsellor is a title; those who go with the lead (会同) take part.
    let e = one(
        "县长王立新14日会同县议员张明及县政顾问吴大村等人，前往甲镇会勘道路工程。",
        "2022-09-15",
    );
    assert_eq!(names(&e, Role::Participant), owned(&["张明", "吴大村"]));
}

#[test]
#[rustfmt::skip]
fn companies_listed_at_the_head_of_a_clause_are_what_was_visited() {
    // One line a case: text, targets.
    let cases: &[(&str, &[&str])] = &[
        ("10月19日，总理王立新来到甲会展中心巡馆。在投资合作展区，甲机械集团有限公司、乙建工集团等知名企业占据着展台，王立新边走边看。",
         &["投资合作展区", "甲机械集团有限公司", "乙建工集团"]),
        // Countries or products listed so are no companies.
        ("10月19日，总理王立新来到甲会展中心巡馆。在东盟展区，文莱、新加坡、泰国等国家的企业展台前，王立新边走边看。",
         &["东盟展区"]),
    ];
    for (text, targets) in cases {
        let e = one(text, "2009-10-20");
        assert_eq!(e.targets, owned(targets), "{text}");
    }
}

#[test]
#[rustfmt::skip]
fn sites_listed_after_a_colon_that_a_visit_opens_are_its_places() {
    // One line a case: text, places.
    let cases: &[(&str, &[&str])] = &[
        ("今天(5日)，由议长王立新率议员们走访西区，考察项目包括：甲据点活化再利用工程、乙水库水质净化设施改善工程、丙排水系统改善工程。",
         &["西区", "甲据点活化再利用工程", "乙水库水质净化设施改善工程", "丙排水系统改善工程"]),
        // A colon after no visit lists no sites.
        ("今天(5日)，议长王立新走访西区。王立新表示，明年重点包括：甲工程、乙工程。",
         &["西区"]),
    ];
    for (text, places) in cases {
        let e = one(text, "2024-06-05");
        assert_eq!(e.places, owned(places), "{text}");
    }
}

#[test]
fn japanese_guests_with_two_character_surnames_are_named() {
    let e = one(
        "3月11日，市长王立新率团抵达甲县，由甲县知事中村裕一、县议员星野宽等设宴接待。",
        "2026-03-12",
    );
    let mut all = names(&e, Role::Lead);
    all.extend(names(&e, Role::Participant));
    assert!(all.contains(&"中村裕一".to_string()), "{all:?}");
    assert!(all.contains(&"星野宽".to_string()), "{all:?}");
}

#[test]
#[rustfmt::skip]
fn sites_listed_with_commas_only_are_all_visited() {
    // One line a case: text, places and targets together.
    let cases: &[(&str, &[&str])] = &[
        ("7月23日，县委书记王立新一行参访了甲电子集团，乙县商会，丙市南安商会，与会人员进行了座谈。",
         &["甲电子集团", "乙县商会", "丙市南安商会"]),
        // A short clause after a place is no site (深入某区，看项目，听民声).
        ("7月24日，市委副书记王立新深入甲区，看项目，听民声，就发展情况进行调研。",
         &["甲区"]),
    ];
    for (text, sites) in cases {
        let e = one(text, "2024-07-25");
        assert_eq!(sites_of(&e), owned(sites), "{text}");
    }
}

#[test]
fn a_visit_the_person_invites_others_to_make_is_not_their_own() {
    let text =
        "9月22日，农博会在甲县体育场开幕。出席开幕仪式的农委主委王立新也欢迎民众造访农业博览会。";
    let e = one(text, "2024-09-23");
    assert_eq!(e.kind, EventKind::Conference, "{text}");
}

#[test]
fn people_named_only_as_owners_of_something_are_not_there() {
    let e = one(
        "12月5日，縣長翁章明出席工業區開工典禮，他感謝前總統周英文與總統林清德的支持。",
        "2025-12-06",
    );
    assert_eq!(everyone(&e), owned(&["翁章明"]));
}

#[test]
fn people_and_sites_paired_by_respectively_are_separate_visits() {
    let text = "2月14日，財政司司長陳志波、教育局局長蔡美蓮以及民政事務局局長麥玉娟今日分別走訪中西區、沙田區和東區，探訪區內家庭。陳志波在民政事務專員周卓明陪同下，來到堅尼地城探訪長者家庭。";
    let events = run(text, "2026-02-14");
    let got: Vec<(Vec<String>, Vec<String>)> = events
        .iter()
        .map(|e| (names(e, Role::Lead), e.places.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (owned(&["陳志波"]), owned(&["中西區", "堅尼地城"])),
            (owned(&["蔡美蓮"]), owned(&["沙田區"])),
            (owned(&["麥玉娟"]), owned(&["東區"])),
        ],
        "{text}"
    );
    assert_eq!(names(&events[0], Role::Participant), owned(&["周卓明"]));
    // Without 分别 the same list is one visit.
    let joint = run(&text.replace("分別", ""), "2026-02-14");
    assert_eq!(joint.len(), 1);
}

#[test]
fn leads_who_each_go_their_own_way_are_separate_visits() {
    // 分别带队 without as many sites: one visit each, each with what later sentences give it;
    // the people a later sentence names with one of them go with that one.
    let text = "春节期间，市委书记王立新，市长张永福等分别带队深入交通、通信、医院等部门，看望一线干部职工。节日期间，市领导王立新、赵明远走上街头，看望环卫工人。张永福、孙建国、钱志高等市领导先后深入甲发电公司、乙供电公司，慰问干部职工。";
    let events = run(text, "2026-02-20");
    let got: Vec<(Vec<String>, Vec<String>, Vec<String>)> = events
        .iter()
        .map(|e| {
            let mut sites = sites_of(e);
            sites.sort();
            (names(e, Role::Lead), names(e, Role::Participant), sites)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (owned(&["王立新"]), owned(&["赵明远"]), vec![]),
            (
                owned(&["张永福"]),
                owned(&["孙建国", "钱志高"]),
                owned(&["乙供电公司", "甲发电公司"])
            ),
        ],
        "{text}"
    );
    // One site for them all (分别到某馆) keeps them together.
    let one_site = run(
        "3月2日，省长王立新、市长张永福分别到甲县展位考察。",
        "2026-03-02",
    );
    assert_eq!(one_site.len(), 1);
    // Speeches are no ways of their own.
    let speeches = run(
        "3月2日，甲市招商推介会举行。省长王立新、市长张永福分别致辞。",
        "2026-03-02",
    );
    assert_eq!(speeches.len(), 1);
}

#[test]
fn a_delegation_s_tour_is_led_by_who_led_the_team_and_the_host_s_meeting_is_its_own() {
    let text = "1月11日至13日，我市党政代表团在甲市学习考察。甲市委书记王立新会见我市党政代表团一行。市委书记张永福，市长赵明远率队，市领导孙建国参加。学习考察期间，代表团一行先后深入乙县的丙镇蔬菜基地、丁镇富硒蔬菜“一站四中心”，戊区的己医学研究院、庚产业园等处进行了学习考察。";
    let events = run(text, "2022-01-15");
    assert_eq!(events.len(), 2, "{events:#?}");
    let meeting = &events[0];
    assert_eq!(meeting.kind, EventKind::Meeting);
    assert_eq!(names(meeting, Role::Lead), owned(&["王立新"]));
    let tour = &events[1];
    assert_eq!(tour.kind, EventKind::SiteInspection);
    assert_eq!(names(tour, Role::Lead), owned(&["张永福", "赵明远"]));
    assert_eq!(names(tour, Role::Participant), owned(&["孙建国"]));
    // A site in a county (乙县的丙镇蔬菜基地) is both; a quoted name keeps its quotes; the
    // list runs on over commas to the last clause closed by 等处.
    assert_eq!(
        sites_of(tour),
        owned(&[
            "乙县",
            "丙镇蔬菜基地",
            "丁镇富硒蔬菜“一站四中心”",
            "戊区",
            "己医学研究院",
            "庚产业园"
        ])
    );
    assert_eq!(tour.when.start, Some(day("2022-01-11")));
}

#[test]
fn everyone_at_the_event_goes_on_with_it() {
    // 与会人员 are the activity's people; a clause that ends at 致辞 quotes nothing; a count
    // with a word between (9个建设项目) is no part of the last site.
    let e = one(
        "11月20日，展销会在甲县乙广场开幕。副县长王立新致辞；与会人员共同观看了文艺演出并参观了丙展示区、丁馆、戊园3个重点场所。",
        "2020-11-20",
    );
    assert_eq!(
        sites_of(&e),
        owned(&["甲县乙广场", "丙展示区", "丁馆", "戊园"])
    );
}

#[test]
fn whoever_leads_a_visiting_team_leads_its_visit() {
    // A business head who leads a team (带领考察团一行) leads its visit; the officials who go
    // along take part; after the meeting (会后) the team's tour goes on.
    let text = "10月19日，甲市商会会长王立新带领考察团一行莅临乙县参观考察。县长张永福陪同。考察团一行首先来到乙县展厅进行了参观。会后，考察团一行来到丙服饰、丁食品等企业进行考察。";
    let e = one(text, "2016-10-20");
    assert_eq!(names(&e, Role::Lead), owned(&["王立新"]));
    assert_eq!(names(&e, Role::Participant), owned(&["张永福"]));
    assert_eq!(
        sites_of(&e),
        owned(&["乙县", "乙县展厅", "丙服饰", "丁食品"])
    );
    // Without a team to lead, a business head is no official: nothing to report.
    assert!(
        run(
            "10月19日，甲市商会会长王立新来到乙县参观考察。",
            "2016-10-20"
        )
        .is_empty()
    );
}

#[test]
fn a_head_who_takes_another_along_leads_and_the_council_session_attended_counts() {
    // 偕 (with) leads like 率; 许县长 is the county head named before, 副县长 the other's title
    // alone; 列席 (attending a council session) is an activity of theirs.
    let e = one(
        "縣長許淑華出席會議。11月5日，許縣長偕副縣長王瑞德率縣府各局處長列席並備答詢。",
        "2025-11-06",
    );
    assert_eq!(e.when.start, Some(day("2025-11-05")));
    assert_eq!(names(&e, Role::Lead), owned(&["許淑華"]));
    assert_eq!(
        people(&e, Role::Participant),
        vec![("王瑞德".to_string(), owned(&["副縣長"]))]
    );
    let e = one(
        "11月5日，縣長許淑華率縣府各局處長列席縣議會定期會。",
        "2025-11-06",
    );
    assert_eq!(names(&e, Role::Lead), owned(&["許淑華"]));
}

#[test]
fn names_listed_before_a_level_s_title_hold_it() {
    let e = one(
        "2月5日，郭立民、宋效中等市领导先后深入甲发电公司、乙供电公司，慰问干部职工。",
        "2026-02-06",
    );
    assert_eq!(
        people(&e, Role::Lead),
        vec![
            ("郭立民".to_string(), owned(&["市领导"])),
            ("宋效中".to_string(), owned(&["市领导"]))
        ]
    );
    // A count of people after 等 (等3名代表) closes the list too; a company's 负责人 before a
    // name is their title, 及相关部门负责人 names no one.
    let e = one(
        "10月26日，镇长王立新带队视察甲村项目。鲁霞霞、何得书、罗广田等3名县、镇人大代表参加视察。",
        "2022-10-27",
    );
    assert_eq!(
        names(&e, Role::Participant),
        owned(&["鲁霞霞", "何得书", "罗广田"])
    );
    let e = one(
        "5月29日，县长王立新带队赴甲公司考察，县领导李学文、呙滨辰及相关部门负责人一同前往。王立新与公司负责人林涛就有关项目进行了深入对接。",
        "2023-05-30",
    );
    assert_eq!(
        people(&e, Role::Participant),
        vec![
            ("李学文".to_string(), owned(&["县领导"])),
            ("呙滨辰".to_string(), owned(&["县领导"])),
            ("林涛".to_string(), owned(&["公司负责人"])),
        ]
    );
    // 等代表 is what they came as, no office.
    let e = one(
        "1月8日，副省长王立新到甲县调研，并召开座谈会。座谈会上，钟建民、王小青等代表发言。",
        "2026-01-09",
    );
    let listed = people(&e, Role::Participant);
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|(_, t)| t.is_empty()), "{listed:?}");
}

#[test]
#[rustfmt::skip]
fn a_long_list_is_of_sites_only_when_some_item_ends_like_one() {
    // One line a case: text, places and targets together.
    let cases: &[(&str, &[&str])] = &[
        ("6月5日，县长王立新来到甲水闸，检查了启闭操作、料物储备、水闸管理规程。",
         &["甲水闸"]),
        // 等5户企业 says what its items are.
        ("6月5日，县长王立新一行先后考察了长丰玻璃、远达石化、福山农业等5户企业。",
         &["长丰玻璃", "远达石化", "福山农业"]),
        // ，即 ("namely") opens the list; 访问团 is a team, not a verb of visiting.
        ("9月7日，局長劉江華率訪問團到訪大灣區內四個城市，即廣州、佛山、中山和珠海。訪問團亦到訪了甲街社區。",
         &["大灣區內四個城市", "廣州", "佛山", "中山", "珠海", "甲街社區"]),
        // What is near a place (甲桥附近的挡土墙) is at that place.
        ("1月8日，县长王立新视察石牌村甲桥附近的挡土墙、永丰村的农路。",
         &["石牌村甲桥", "永丰村"]),
        // 邨, a Hong Kong housing estate, is a place.
        ("6月5日，房屋局局長何永賢探訪了三聖邨的基層家庭。",
         &["三聖邨"]),
        // 和 inside the last item's name joins nothing (one not last is never split).
        ("6月5日，区长王立新先后来到乙村和丙村、甲街道大和垃圾转运站。",
         &["乙村和丙村", "甲街道大和垃圾转运站"]),
        // A list closed by 等实地 goes on after the comma; one closed by what it was (等县市)
        // does not.
        ("6月5日，县长王立新一行先后到甲园区、乙中心等实地，丙园区、丁基地等处实地考察。",
         &["甲园区", "乙中心", "丙园区", "丁基地"]),
        ("6月5日，书记王立新一行先后到访甲市、乙市等县市，访企业、进社区、逛夜市。",
         &["甲市", "乙市"]),
        // 考察了解: what is looked into is no site; 到访 is the verb, not part of the place.
        ("6月5日，主任王立新考察了解甲区社区工作及到访乙大学。",
         &["乙大学"]),
        // After a verb of visiting the list is of sites, whatever its items end with.
        ("6月5日，县长王立新一行先后考察了长丰玻璃、远达石化、福山农业。",
         &["长丰玻璃", "远达石化", "福山农业"]),
        // A list closed by 等处 or 等地 is of places, whatever its items end with.
        ("6月5日，书记王立新一行察看了甲荷兰花海和乙知青纪念馆等处。",
         &["甲荷兰花海", "乙知青纪念馆"]),
        ("6月5日，书记王立新一行察看了甲荷兰花海、乙知青纪念馆等地，充分肯定成绩。",
         &["甲荷兰花海", "乙知青纪念馆"]),
    ];
    for (text, sites) in cases {
        let e = one(text, "2024-06-06");
        assert_eq!(sites_of(&e), owned(sites), "{text}");
    }
}

#[test]
fn an_event_opened_by_its_headline_keeps_the_venue_the_body_names() {
    let text = "农产品展销会今日开幕\n\n11月20日，农产品展销会在甲县鱼稼里广场盛大开幕。开幕式上，副主任周启明致辞。";
    let e = one(text, "2020-11-20");
    assert_eq!(e.places, owned(&["甲县鱼稼里广场"]), "{text}");
}

#[test]
fn hosts_who_receive_a_visiting_party_take_part_in_its_visit() {
    let text = "9月10日至13日，县委常委、常务副县长杨立峰率县政府办等单位赴甲市考察学习城市建设工作。甲市常务副市长卞东明、副市长邵明民接待了考察团一行。考察团一行实地参观了保税区汽车整车进口口岸、化工品交易中心、香山生态保税区等。";
    let events = run(text, "2016-09-14");
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(names(e, Role::Lead), owned(&["杨立峰"]));
    assert_eq!(names(e, Role::Participant), owned(&["卞东明", "邵明民"]));
    assert!(
        e.places.contains(&"化工品交易中心".to_string()),
        "{:?}",
        e.places
    );
    // A formal meeting with the party is an activity of the hosts' own.
    let met = run(&text.replace("接待了", "会见了"), "2016-09-14");
    assert_eq!(met.len(), 2, "{met:?}");
}

#[test]
fn the_parties_contracts_are_signed_with_are_targets() {
    let text = "昨天，甲市招商项目签约专场活动在融侨大酒店举行。市领导王进明、张帆出席签约仪式。签约仪式上，我市分别与世茂集团签订中央公园项目；与上海电影集团影视文化投资公司签订电影港项目；与意向企业签署了合作协议。";
    let e = one(text, "2018-06-25");
    assert_eq!(e.places, owned(&["融侨大酒店"]), "{text}");
    assert_eq!(
        e.targets,
        owned(&["世茂集团", "上海电影集团影视文化投资公司"]),
        "{text}"
    );
}

#[test]
fn a_sentence_going_on_at_an_hour_or_by_car_continues_the_visit() {
    for text in [
        "10月26日，镇人大主席王立新带队开展视察活动。上午9时乘车分别到甲村便民服务驿站、乙村电网改造项目进行了现场视察。",
        "10月26日，镇人大主席王立新带队开展视察活动。9:30驱车来到甲村便民服务驿站、乙村电网改造项目现场视察。",
    ] {
        let e = one(text, "2022-10-27");
        assert_eq!(
            e.places,
            owned(&["甲村便民服务驿站", "乙村电网改造项目"]),
            "{text}"
        );
    }
}

#[test]
fn a_title_written_inside_a_name_is_taken_out_of_it() {
    let e = one(
        "6月17日，本院巡察委員黃委員勤鎮前往彰化縣巡察。",
        "2004-06-24",
    );
    assert_eq!(
        people(&e, Role::Lead),
        vec![("黃勤鎮".to_string(), owned(&["委員"]))]
    );
    // A surname and a title after the full name is written refer back to it.
    let e = one(
        "12月25日，議長鍾東錦出席就職典禮。徐縣長表示，鍾議長歷任議員、副議長、議長。",
        "2014-12-26",
    );
    assert!(
        !everyone(&e).iter().any(|n| n.contains("歷任")),
        "{:?}",
        everyone(&e)
    );
}

#[test]
fn what_the_writer_calls_tomorrow_or_next_week_is_announced_not_reported() {
    // A restated day in brackets (明日（23日）, 下周二（24日）) is the writer's future whatever day
    // the page went out; 将于 with only a time before the comma still governs the next clause.
    for (text, published) in [
        ("主任夏某明日（23日）继续考察调研行程。", "2024-02-23"),
        ("主任夏某明（23）日到某区考察。", "2024-02-23"),
        (
            "行政长官林某将于下周二（24日）傍晚，启程前往雅加达进行访问。",
            "2018-04-19",
        ),
        ("行政长官林某下周二前往上海，出席晚宴。", "2017-08-18"),
        ("开幕式拟由区委副书记、区长肖某主持。", "2023-07-03"),
        // 届时 ("then") and 会于 are the future too.
        ("行政长官梁某届时会主持开幕仪式。", "2017-06-21"),
        ("林某亦会于同日前往北京出席开幕仪式。", "2017-06-21"),
        // A bare day a few days after the page's day is this month's, still to come: last
        // month's would be weeks-old news.
        ("行政长官梁某25日赴京主持回归20周年展。", "2017-06-21"),
    ] {
        assert!(run(text, published).is_empty(), "{text}");
    }
    // What an office made known yesterday (政府新闻处昨日公布，…) is announced, not done.
    assert!(
        run(
            "政府新闻处昨日公布，行政长官梁某某周日前往北京，主持开幕仪式。",
            "2017-06-21"
        )
        .is_empty()
    );
    // 周日 after a name is the day, not part of the name.
    let e = one("行政长官梁某某周日前往北京，主持开幕仪式。", "2017-06-21");
    assert_eq!(names(&e, Role::Lead), owned(&["梁某某"]));
    assert_eq!(e.when.start, Some(day("2017-06-18")));
    // A bare day after the page's is last month's when that is only days back.
    let e = one("行政长官梁某28日赴京主持回归20周年展。", "2017-06-02");
    assert_eq!(e.when.start, Some(day("2017-05-28")));
    let e = one("行政长官梁某29日赴京主持回归20周年展。", "2017-06-21");
    assert_eq!(e.when.start, Some(day("2017-05-29")));
    // 今天（23日） is today, and 将 before a verb of handing is "take X and hand it".
    let e = one("主任夏某今天（23日）到某区考察。", "2024-02-23");
    assert_eq!(e.when.start, Some(day("2024-02-23")));
    let e = one(
        "5月8日，镇党委书记冯某将招商小组旗帜交于镇党委副书记俞某同志，并出席出征仪式。",
        "2019-05-08",
    );
    assert!(
        names(&e, Role::Lead).contains(&"冯某".to_string()),
        "{e:#?}"
    );
}

#[test]
fn an_announced_sentence_does_not_go_on_with_the_visit_before_it() {
    let events = run(
        "2月17日消息 北京市长郭某16日率领参访团抵达台湾。19日郭某将南下，拜会台中市长胡某，到日月潭等地参观。",
        "2012-02-17",
    );
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(everyone(&events[0]), owned(&["郭某"]));
    assert!(!sites_of(&events[0]).contains(&"日月潭".to_string()));
}

#[test]
fn the_object_of_dui_runs_to_jinxing_and_a_sentence_of_it_goes_on() {
    let e = one(
        "8月22日，副主任刘某率工作组到甲县。工作组分别对长虹渠蓄滞洪区的曹湾溢流堰堵坝、长虹渠泄洪闸以及安阳河流域的小南海水库进行了检查。",
        "2021-08-24",
    );
    let sites = sites_of(&e);
    for s in [
        "甲县",
        "长虹渠蓄滞洪区",
        "曹湾溢流堰堵坝",
        "长虹渠泄洪闸",
        "小南海水库",
    ] {
        assert!(sites.contains(&s.to_string()), "{s}: {sites:?}");
    }
}

#[test]
fn places_end_before_after_and_before_whom_they_talk_with() {
    let e = one(
        "上午抵达某国际机场后，主任夏某到访机场控制中心，并到某公司与企业负责人座谈交流。",
        "2024-02-23",
    );
    assert_eq!(
        sites_of(&e),
        owned(&["某国际机场", "机场控制中心", "某公司"])
    );
    // Every place reached (每到一处) names none.
    let e = one(
        "9月10日，副县长杨某率队赴某市考察学习，考察团每到一个点都认真听取介绍。",
        "2016-09-14",
    );
    assert_eq!(sites_of(&e), owned(&["某市"]));
}

#[test]
fn the_head_of_a_visiting_party_leads_it_official_or_not() {
    let events = run(
        "8月20日，某发展集团董事长谭某一行与某市委书记黄某座谈。签约仪式后，谭某一行考察了某智能制造园、某湖公园。",
        "2020-08-20",
    );
    assert!(!events.is_empty());
    assert!(
        events
            .iter()
            .all(|e| names(e, Role::Lead).contains(&"谭某".to_string())),
        "{events:#?}"
    );
    // The party met stays the party met.
    let e = one(
        "11月20日下午，区委书记彭某会见了某产业发展集团副总裁肖某一行。",
        "2024-11-20",
    );
    assert_eq!(names(&e, Role::Lead), owned(&["彭某"]));
}

#[test]
fn a_body_named_before_its_heads_title_is_no_section() {
    let e = one(
        "上午，主任夏某由行政长官李某某、政务司司长陈某基陪同视察某中心。财政司司长陈某波出席。",
        "2024-02-23",
    );
    let all = everyone(&e);
    assert!(all.contains(&"陈某基".to_string()), "{all:?}");
    assert!(!all.iter().any(|n| n.starts_with('司')), "{all:?}");
    let e = one(
        "8月22日，副主任刘某检查防汛。省水利厅总规划师李某顺、安阳市水利局张某昌等单位相关人员陪同。",
        "2021-08-24",
    );
    assert_eq!(names(&e, Role::Participant), owned(&["李某顺", "张某昌"]));
}

#[test]
fn a_warning_is_speech_and_its_checks_are_no_activity() {
    assert!(
        run(
            "农业处长郑某提醒，山区乡公所恐因道路中断、人员未能完成勘查。",
            "2025-08-10"
        )
        .is_empty()
    );
}

#[test]
fn where_others_are_invited_to_and_the_people_of_a_body_are_no_sites() {
    let e = one(
        "10月15日，县委书记钦某一行来到位于某市某区的某花卉公司考察，并邀请他们到某县考察投资，拜访了某区统战部、某工商联的主要领导。",
        "2016-10-20",
    );
    let sites = sites_of(&e);
    assert!(sites.contains(&"某市某区".to_string()), "{sites:?}");
    assert!(sites.contains(&"某工商联".to_string()), "{sites:?}");
    assert!(
        !sites
            .iter()
            .any(|s| s.contains("某县") || s.contains("领导")),
        "{sites:?}"
    );
}

#[test]
fn a_title_can_end_in_candidate_and_items_lose_from_and_live_in() {
    let e = one(
        "10月14日，县委书记钦某，副县长候选人向某设、符某一行考察了某茶业公司。",
        "2016-10-20",
    );
    assert_eq!(everyone(&e), owned(&["钦某", "向某设", "符某"]));
    let e = one(
        "10月17日上午，市长高某会见了来自某国某市的客人，副市长尹某探访居于某某城的家庭。",
        "2019-10-18",
    );
    let sites = sites_of(&e);
    assert!(
        sites
            .iter()
            .all(|s| !s.starts_with("来自") && !s.starts_with("居于")),
        "{sites:?}"
    );
}

#[test]
fn hosts_who_meet_a_party_and_go_along_take_part_in_its_visit() {
    let e = one(
        "11月22日上午，甲县县委书记王某带队的考察团来到乙县考察交流。乙县县委书记刘某，副县长张某会见考察团并一同考察。考察中，考察团一行先后来到某制氢有限公司、某古村等地。",
        "2023-11-24",
    );
    assert_eq!(names(&e, Role::Lead), owned(&["王某"]));
    assert_eq!(names(&e, Role::Participant), owned(&["刘某", "张某"]));
    assert!(sites_of(&e).contains(&"某古村".to_string()), "{e:#?}");
}

#[test]
fn a_span_clause_goes_on_with_the_visit_and_listed_verbs_are_no_sites() {
    let e = one(
        "12月4日到7日，市委书记李某率领我市代表团赴香港参加推介活动。短短三天时间，代表团走访了某集团、某商会等11家企业和商协会，以及走访、会见、座谈等洽谈活动。",
        "2018-12-11",
    );
    let sites = sites_of(&e);
    assert!(sites.contains(&"某集团".to_string()), "{sites:?}");
    assert!(
        !sites.iter().any(|s| s == "会见" || s == "座谈"),
        "{sites:?}"
    );
}

#[test]
fn leads_of_their_own_teams_are_their_own_activities() {
    let events = run(
        "当天，中央统战部部长、中央代表团副团长李某带领二分团来到某市，在某公寓考察。全国人大常委会副委员长、中央代表团副团长雪克来提·扎克尔带领三分团前往某小区看望慰问群众。",
        "2025-09-28",
    );
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(names(&events[1], Role::Lead), owned(&["雪克来提·扎克尔"]));
    // What is sent somewhere (把温暖送到群众心头) is no place.
    assert!(
        run(
            "9月28日，县委书记王某把党的温暖送到各族群众心头。",
            "2025-09-28"
        )
        .iter()
        .all(|e| e.places.is_empty())
    );
}

#[test]
fn a_list_stops_at_what_was_said_and_at_a_verb_with_its_object() {
    let e = one(
        "1月4日上午，市委书记张某在某县调研。在某新材料公司，张某认真察看新投产项目运营情况，勉励企业坚定不移抓创新、上项目。",
        "2026-01-05",
    );
    let sites = sites_of(&e);
    assert!(
        !sites.iter().any(|s| s.contains("勉励") || s == "上项目"),
        "{sites:?}"
    );
    let e = one(
        "2月22日至24日，市委书记全某寿、市长李某云率队赴山东、安徽等地，开展产业招商考察活动，走访企业、对接项目。",
        "2019-02-25",
    );
    assert_eq!(everyone(&e), owned(&["全某寿", "李某云"]));
    assert_eq!(sites_of(&e), owned(&["山东", "安徽"]));
}

#[test]
fn officials_named_by_rank_and_party_go_on_with_the_visit() {
    let e = one(
        "昨日下午，副省长倪某检查博览会筹备工作，市领导雷某等参加检查。省、市领导一行首先来到某国际会展中心，察看开幕式现场。",
        "2011-11-25",
    );
    assert!(
        sites_of(&e).contains(&"某国际会展中心".to_string()),
        "{e:#?}"
    );
}

#[test]
fn leads_who_visit_in_turn_each_have_their_day_sites_and_company() {
    let events = run(
        "2017年春节期间，市委书记阎某、市长费某云相继走访慰问我市部分重点工业企业。\n大年三十上午，市委书记阎某专程走访慰问甲钢铁、乙光能、丙科技等重点企业。市领导周某、史某军参加走访。\n年初一下午，市长费某云走访丁精锻、戊光电等重点企业。副市长李某平参加走访。",
        "2017-02-03",
    );
    assert_eq!(events.len(), 2, "{events:#?}");
    let (a, b) = (&events[0], &events[1]);
    assert_eq!(everyone(a), owned(&["阎某", "周某", "史某军"]));
    assert_eq!(a.when.start, Some(day("2017-01-27")));
    assert_eq!(sites_of(a), owned(&["甲钢铁", "乙光能", "丙科技"]));
    assert_eq!(everyone(b), owned(&["费某云", "李某平"]));
    assert_eq!(b.when.start, Some(day("2017-01-28")));
}

#[test]
fn people_visited_are_no_sites() {
    let e = one(
        "2月8日，区委书记王某前往某中心开展走访，并慰问了部分低保户、老党员、困难党员、退役军人。",
        "2021-02-08",
    );
    assert_eq!(sites_of(&e), owned(&["某中心"]));
}

#[test]
fn leads_of_parties_that_went_together_share_one_visit_and_its_named_team() {
    let e = one(
        "11月25日，甲县县委书记谭某，乙县县委副书记张某分别率队共同到某河甲段、乙段开展联合巡河工作。联合巡河组一行先后来到甲县某镇某村、甲县第二污水处理厂。",
        "2020-11-26",
    );
    assert_eq!(names(&e, Role::Lead), owned(&["谭某", "张某"]));
    let sites = sites_of(&e);
    assert!(
        sites.contains(&"甲县第二污水处理厂".to_string()),
        "{sites:?}"
    );
}

#[test]
fn a_guests_company_is_named_before_its_board() {
    let e = one(
        "7月19日，市委书记孟某会见了某能国际董事会主席张某平、某能清洁能源董事长张某阳等企业负责人。",
        "2022-07-20",
    );
    assert_eq!(e.kind, EventKind::Meeting);
    for c in ["某能国际", "某能清洁能源"] {
        assert!(e.targets.contains(&c.to_string()), "{c}: {:?}", e.targets);
    }
}

#[test]
fn a_chronicles_month_header_gives_its_bare_days_their_month() {
    let events = run(
        "市政府工作要事记\n(2024年5月)\n1日，市委书记卢某在某县出席主题党日活动。\n2日，市长赵某主持召开某会议。",
        "2024-08-10",
    );
    let days: Vec<_> = events.iter().map(|e| e.when.start).collect();
    assert_eq!(
        days,
        vec![Some(day("2024-05-01")), Some(day("2024-05-02"))],
        "{events:#?}"
    );
}

#[test]
fn he_before_a_verb_that_follows_names_ends_the_name() {
    let e = one(
        "9月20日，党委书记舒某群主持大会，校长包信和讲话，董事长王传福发来视频致辞。",
        "2023-09-20",
    );
    let all = everyone(&e);
    for n in ["包信和", "王传福"] {
        assert!(all.contains(&n.to_string()), "{n}: {all:?}");
    }
}

#[test]
fn a_time_inside_what_was_visited_dates_nothing() {
    let events = run(
        "本报讯 春节前夕，市领导走访慰问了节日期间工作在一线的干部职工。\n市委常委、副市长张某龙走访慰问了春节期间坚守一线的医护工作者，先后来到市第五人民医院、市中医医院。",
        "2015-02-25",
    );
    let e = events
        .iter()
        .find(|e| names(e, Role::Lead) == owned(&["张某龙"]))
        .expect("张某龙's visit");
    // 2015's Spring Festival fell on 19 February: its eve is the week before.
    assert_eq!(e.when.start, Some(day("2015-02-12")), "{e:#?}");
    assert_eq!(e.when.end, Some(day("2015-02-18")), "{e:#?}");
}

#[test]
fn common_words_that_open_with_a_surname_are_no_names() {
    for (text, published) in [
        ("1月21日，行政长官连续两日视察居民社区。", "2023-01-26"),
        ("2月4日，县委领导班子成员深入某村调研。", "2024-02-05"),
    ] {
        for e in run(text, published) {
            let all = everyone(&e);
            assert!(
                !all.iter().any(|n| ["连续", "班子"].contains(&n.as_str())),
                "{text}: {all:?}"
            );
        }
    }
}

#[test]
fn a_site_tour_after_a_ceremony_is_an_activity_of_its_own() {
    for text in [
        "1月19日，某县人民医院北院正式启用并举行揭牌仪式。副市长、县委书记李某平，县长王某华出席活动。仪式结束后，李某平一行还实地调研了社会福利服务中心、职业学校。",
        "8月20日，某集团董事长谭某一行与市委书记黄某座谈，并出席战略合作协议签约仪式。签约仪式后，谭某一行考察了某智能制造园、某湖公园。",
    ] {
        let events = run(text, "2024-01-20");
        let tour = events
            .iter()
            .find(|e| e.kind == EventKind::SiteInspection)
            .unwrap_or_else(|| panic!("{text}: {events:#?}"));
        assert_eq!(events.len(), 2, "{text}: {events:#?}");
        let first = events
            .iter()
            .find(|e| e.kind != EventKind::SiteInspection)
            .expect("the ceremony or the talks");
        assert_eq!(tour.when.start, first.when.start, "{text}");
        // The sites toured belong to the tour, not to the ceremony.
        assert!(sites_of(first).is_empty(), "{text}: {first:#?}");
        assert!(sites_of(tour).len() >= 2, "{text}: {tour:#?}");
    }
    // A tour of the expo after its opening is the expo visit itself.
    let events = run(
        "12月12日上午，第二十届冬交会在海南国际会展中心开幕。开幕式结束后，省委书记沈某明和与会嘉宾共同步入会展中心巡馆，参观了热带农业展区。",
        "2017-12-13",
    );
    assert!(
        events.iter().all(|e| e.kind != EventKind::SiteInspection),
        "{events:#?}"
    );
}

#[test]
fn a_page_date_run_on_into_a_story_dates_nothing_of_it() {
    // Column lines of a scanned page: the paper's date line, its navigation and the story run
    // on into one sentence; the story's own day (昨(1)日) dates the visit.
    let e = one(
        "当前报章 2021 年 03\n 月 02 日\n今日导读\n本报新闻\n【特讯】节日将至，社会文\n化司司长李某荣昨(1)日探\n访了两间长者服务设施，表达\n节日问候。\n",
        "2021-03-02",
    );
    assert_eq!(e.when.start, Some(day("2021-03-01")), "{e:#?}");
}

#[test]
fn heads_of_command_posts_and_officers_by_rank_are_titles() {
    let e = one(
        "2月22日，省政府副秘书长、某市援建前方指挥部总指挥何某飞带队调研我县东西部协作工作。",
        "2023-02-24",
    );
    assert_eq!(names(&e, Role::Lead), owned(&["何某飞"]), "{e:#?}");
    // An officer named by surname and rank is no one by name.
    let e = one(
        "6月3日，县长张某冠在后备指挥部指挥官黄上校陪同下，前往大林镇勘察积水灾情。",
        "2017-06-03",
    );
    assert!(!everyone(&e).contains(&"黄上校".to_string()), "{e:#?}");
}

#[test]
fn a_name_closed_by_comrade_needs_no_surname() {
    let e = one(
        "近日，市社会主义学院副院长朝格吉勒同志带领调研组赴某旗、某镇开展调研。",
        "2024-04-27",
    );
    assert_eq!(names(&e, Role::Lead), owned(&["朝格吉勒"]), "{e:#?}");
    // 负责同志 is a title, not a name closed by the honorific.
    let e = one(
        "8月30日，河长王某华带领市住建局、市河长办相关负责同志对某河进行现场巡查。",
        "2018-08-30",
    );
    assert_eq!(everyone(&e), owned(&["王某华"]), "{e:#?}");
}

#[test]
fn a_titled_head_who_goes_somewhere_alone_leads_official_or_not() {
    for (text, lead) in [
        (
            "4月26日，市中级人民法院院长王某明赴某县法院调研。",
            "王某明",
        ),
        ("4月26日，市委党校常务副校长李某华到某镇考察。", "李某华"),
    ] {
        let e = one(text, "2024-04-27");
        assert_eq!(names(&e, Role::Lead), owned(&[lead]), "{text}: {e:#?}");
    }
    // One who only tells visitors about the hospital visits nothing.
    let events = run(
        "市人民医院院长黎某超向前来参观考察的代表团详细介绍了医院情况。",
        "2024-04-27",
    );
    assert!(events.is_empty(), "{events:#?}");
}

#[test]
fn greetings_paid_to_people_are_a_visit_of_greeting() {
    let e = one(
        "2月8日，市委书记朱某看望慰问节日期间依然坚守岗位的一线职工。",
        "2024-02-09",
    );
    assert_eq!(e.kind, EventKind::Other, "{e:#?}");
}

#[test]
fn an_acting_team_is_named_after_the_dateline_and_never_by_a_verb() {
    let events = run(
        "新华社北京9月28日电 中央代表团二分团在出席庆祝活动、考察当地经济社会发展情况后，于28日返回北京。",
        "2025-09-28",
    );
    for e in &events {
        for a in &e.actors {
            assert!(!a.name.contains("新华社"), "{events:#?}");
        }
    }
    let events = run(
        "7月26日至8月3日，书记们走访慰问部队官兵，率党政代表团外出考察，举行项目开工仪式。",
        "2024-08-05",
    );
    for e in &events {
        for a in &e.actors {
            assert!(!a.name.starts_with('率'), "{events:#?}");
        }
    }
}

#[test]
fn everyone_in_a_list_of_those_met_is_met() {
    let e = one(
        "5月15日，市外办党组书记周某清带队赴上海拜访多国驻沪总领事馆。周某清分别与西班牙驻沪总领事路易斯·卡尔沃、越南驻沪总领事阮某松、印尼驻沪总领事邯某盼座谈交流。",
        "2024-05-17",
    );
    assert_eq!(names(&e, Role::Lead), owned(&["周某清"]), "{e:#?}");
}

#[test]
fn rarer_surnames_open_names_too() {
    let e = one(
        "1月19日，县委书记李某平出席揭牌仪式。县领导邹某水、占某福、那某敏、丘某华出席活动。",
        "2026-01-20",
    );
    let all = everyone(&e);
    for n in ["占某福", "那某敏", "丘某华"] {
        assert!(all.contains(&n.to_string()), "{n}: {all:?}");
    }
}

#[test]
fn a_page_date_before_the_papers_dateline_dates_nothing() {
    // A headline line, the paper's name and date, then its own dateline, run on into one
    // sentence as column lines are.
    let e = one(
        "省政府召开常务会议\n刘某主持\n某某日报 2020年 11 \n月 04 日\n本报讯 记者某某报道 11\n月 3 日，省长刘某主持召开省政府常务会议，部署当前工作。\n",
        "2020-11-04",
    );
    assert_eq!(e.when.start, Some(day("2020-11-03")), "{e:#?}");
}

#[test]
fn a_pages_dates_before_its_source_or_the_storys_date_date_nothing() {
    // A headline line, the page's time and source, the paper's date line and the story's own
    // date, run on as column lines are.
    let e = one(
        "市政府召开常务会议\n吕某成主持\n时间:2022年 04 月 \n21 日来源:某某日报\n某某日报 2022年 04 \n月 21 日\n4月 20 日，市长吕某成主持召开市政府常务会议，研究部署当前工作。\n",
        "2022-04-21",
    );
    assert_eq!(e.when.start, Some(day("2022-04-20")), "{e:#?}");
}

#[test]
fn each_party_received_that_day_is_a_meeting_of_its_own() {
    let text = "昨天上午，市委书记刘某会见了来甬参加经贸会议的甲国经济部部长康斯坦丁·尼策一行。刘某表示，希望双方深化合作。昨天上午，市委书记刘某会见了来甬参加经贸会议的乙国经济部部长阿尔本·阿赫梅塔伊一行。";
    let events = run(text, "2014-06-08");
    let meetings: Vec<_> = events
        .iter()
        .filter(|e| e.kind == EventKind::Meeting)
        .collect();
    assert_eq!(meetings.len(), 2, "{events:#?}");
    // On a trip of several days the meetings are the trip's.
    let events = run(
        "11月28日至12月3日，市长徐某颜率团访问甲国。在甲国访问期间，徐某颜会见了光明市市长朴某原。在首尔市，徐某颜会见了某集团总裁朴某太。",
        "2018-12-05",
    );
    assert_eq!(events.len(), 1, "{events:#?}");
}

#[test]
fn a_name_before_its_title_after_a_department_or_zai_is_found() {
    for (text, name) in [
        (
            "3月3日，考察团一行在某党派中央社会服务部夏某秋副部长的带领下来浙江进行经济考察。",
            "夏某秋",
        ),
        ("3月3日，市服务部王某国副部长到浙江考察。", "王某国"),
        (
            "3月3日，在王某国副部长的带领下，考察团来浙江考察。",
            "王某国",
        ),
    ] {
        let events = run(text, "2007-03-10");
        let all: Vec<String> = events.iter().flat_map(everyone).collect();
        assert!(all.contains(&name.to_string()), "{text}: {events:#?}");
    }
    // After 在 a place comes first: 吉林省长春市 is no 吉林 with the title 省长; 干部 is no
    // department that acts.
    for text in [
        "5月3日，市长王某在吉林省长春市考察。",
        "5月3日，镇机关全体干部到某村参观学习。",
    ] {
        for e in run(text, "2024-05-05") {
            for a in &e.actors {
                assert!(
                    a.name != "吉林" && !a.name.contains("干部"),
                    "{text}: {e:#?}"
                );
            }
        }
    }
    // 全国 is no one (在全国议长杯…).
    let events = run(
        "2月23日，县议会议长郭某良率团拜访某县议会，双方过去在全国议长杯网球赛建立情谊。",
        "2022-02-23",
    );
    assert!(!events.is_empty());
    for e in events {
        assert!(!everyone(&e).iter().any(|n| n.starts_with('全')), "{e:#?}");
    }
}

#[test]
fn an_event_named_in_quotes_opens_when_it_opens() {
    let events = run(
        "四县市联合举办的「中台湾农业博览会」，昨天在某县立体育场旁热闹开幕，出席开幕仪式的农委会主委林某贤也欢迎民众造访。",
        "2018-09-23",
    );
    let e = events.first().unwrap_or_else(|| panic!("no activity"));
    assert!(everyone(e).contains(&"林某贤".to_string()), "{e:#?}");
    assert_eq!(e.when.start, Some(day("2018-09-22")), "{e:#?}");
    assert!(sites_of(e).iter().all(|p| !p.contains("热闹")), "{e:#?}");
}

#[test]
fn a_web_page_with_short_fields_around_a_story_in_long_lines_is_no_column_page() {
    let text = "首页>新闻中心>县域动态\n分享到:\n县人大常委会副主任、某江县级河长刘某开展巡河督导工作\n  • 发布时间: 2021-12-01 16:19\n  • 来源:\n  • 作者:\n  • 浏览量:\n  • 字体【      】\n\n11 月 24 日,县人大常委会副主任、某江县级河长刘某开展巡河督导工作,县交通局副局长李某斌及沿途乡镇主要负责领导参加。刘某副主任此次巡河主要查看了某江东新、富山、冈上段,实地查看了水质和圩堤管理等情况。\n(县交通局某某 供稿)\n\n扫码浏览\n";
    let events = run(text, "2021-12-01");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].when.start, Some(day("2021-11-24")));
}

#[test]
fn a_round_up_by_days_in_columns_dates_each_day_by_its_heading() {
    // The month in the headline, each day a short heading of its own, the lines cut at the
    // column's width: every activity has its day, not the whole month.
    let raw = "省领导活动（ 2011 \n\n年 6 月）\n\n一日\n\n省委书记姜某在甲市调研企\n\n业发展情况。 副省长王某参\n\n加调研。\n\n省长郭某会见了德国客人一行\n\n。\n\n二日\n\n副省长李某到乙市检查防汛\n\n工作。\n";
    let events = run(raw, "2011-07-01");
    let days: Vec<_> = events
        .iter()
        .map(|e| (names(e, Role::Lead), e.when.start, e.when.end))
        .collect();
    let d = |s| Some(day(s));
    assert_eq!(
        days,
        vec![
            (owned(&["姜某"]), d("2011-06-01"), d("2011-06-01")),
            (owned(&["郭某"]), d("2011-06-01"), d("2011-06-01")),
            (owned(&["李某"]), d("2011-06-02"), d("2011-06-02")),
        ]
    );
}

#[test]
fn a_named_team_met_is_what_the_meeting_was_with() {
    // (text, the targets)
    let cases: &[(&str, &[&str])] = &[
        (
            "5月6日，市委书记王立新会见了以丽江市委书记罗杰为团长的丽江市党政代表团一行。",
            &["丽江市党政代表团"],
        ),
        (
            "5月6日，市委书记王立新会见了台湾新北市经贸参访团。",
            &["台湾新北市经贸参访团"],
        ),
        (
            "5月6日，市委书记王立新与上海市徐汇区经贸代表团座谈。",
            &["上海市徐汇区经贸代表团"],
        ),
        // A bare team, a count of teams and our own name none.
        ("5月6日，市委书记王立新会见了考察团一行。", &[]),
        ("5月6日，市委书记王立新会见了六个友好城市代表团。", &[]),
        ("5月6日，市委书记王立新会见了我市赴外党政代表团。", &[]),
    ];
    for (text, targets) in cases {
        let e = one(text, "2023-05-07");
        assert_eq!(e.targets, owned(targets), "{text}");
    }
}

#[test]
fn a_city_named_where_an_event_is_held_and_the_place_after_our_province_are_sites() {
    // (text, the sites)
    let cases: &[(&str, &[&str])] = &[
        (
            "5月6日，两省领导在西宁召开了对口支援工作座谈会。书记王立新讲话。",
            &["西宁"],
        ),
        ("5月6日，市委书记王立新在海口会见了梁某一行。", &["海口"]),
        (
            "5月6日，市委书记王立新率代表团到我省海西州考察调研。",
            &["海西州"],
        ),
        (
            "5月6日，镇党委书记王立新先后来到该镇青龙、八一村等地巡林。",
            &["青龙", "八一村"],
        ),
        // 各自 opens no place that can be named.
        ("5月6日，镇党委书记王立新深入到各自责任区域巡林。", &[]),
        // Not a meeting's name (在广交会会见), nor a matter after a verb of looking.
        ("5月6日，市委书记王立新在广交会会见了梁某一行。", &[]),
        ("5月6日，市委书记王立新考察了我县城市建设。", &[]),
    ];
    for (text, sites) in cases {
        let e = one(text, "2023-05-07");
        assert_eq!(sites_of(&e), owned(sites), "{text}");
    }
}

#[test]
fn a_tour_of_inspection_and_a_call_on_the_hosts_end_their_places() {
    // 巡察 is a verb of inspecting, not part of the county's name; 拜会 ends the place it is
    // paid at even when a title that starts like a place (县长) follows; 并 ends a name.
    let e = one("11月10日，市长余某某到彰化、南投县巡察。", "2011-11-15");
    assert_eq!(sites_of(&e), owned(&["彰化", "南投县"]));
    assert_eq!(e.kind, EventKind::SiteInspection);
    let e = one(
        "11月10日，市长余某某到南投县政府拜会县长李朝卿、县议会议长何胜丰并听取县政简报。",
        "2011-11-15",
    );
    assert_eq!(sites_of(&e), owned(&["南投县政府"]));
    assert_eq!(names(&e, Role::Participant), owned(&["李朝卿", "何胜丰"]));
}

#[test]
fn a_round_up_under_date_headings_dates_each_day_by_its_heading() {
    // Each day a line of its own; the event held that day is attended by the head of the
    // county, the next day's visits are another activity. The page's own date on the text's
    // first line dates no activity.
    let text = "县政府记事\n• 107年6月1日\n马公高中举行毕业典礼，县长陈光复亲自到场参加。\n• 107年6月2日\n甲会在生博馆举办联展。县长陈光复前往慰勉会员，感谢大家。\n";
    let days: Vec<_> = run(text, "2018-07-03")
        .iter()
        .map(|e| (e.kind, e.when.start))
        .collect();
    assert_eq!(
        days,
        vec![
            (EventKind::Conference, Some(day("2018-06-01"))),
            (EventKind::Other, Some(day("2018-06-02"))),
        ]
    );
    let text = "2021年07月07日\n于某某巡查黄河梁山段\n本报梁山7月6日讯 今天下午，市长于某某到黄河梁山段开展河长制巡查。";
    let events = run(text, "2021-07-07");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].when.start, Some(day("2021-07-06")));
}

#[test]
fn officials_referred_to_by_their_rank_go_on_with_their_visit() {
    // 自治区领导先后巡查了…: the leads already named, going on to the halls.
    let text =
        "10月25日，自治区党委常委彭某某来到展馆现场巡馆。自治区领导先后巡查了东盟国家商品馆。";
    let e = one(text, "2008-10-27");
    assert_eq!(sites_of(&e), owned(&["展馆", "东盟国家商品馆"]));
}

#[test]
fn a_party_that_visits_and_the_venue_lent_for_its_meeting_are_its_places() {
    // 一行访某总会: 访 alone after the party; 假某礼堂举行: the venue lent (Macau, Hong Kong).
    let text = "漳平市委书记马某某昨日带领漳平经贸交流团一行访澳门闽西同乡总会，双方假民众建澳联盟礼堂举行座谈会。";
    let e = one(text, "2023-07-01");
    assert_eq!(
        sites_of(&e),
        owned(&["澳门闽西同乡总会", "民众建澳联盟礼堂"])
    );
    // 采访 is no visit of the one interviewed.
    let e = one(
        "6月30日，市委书记马某某一行考察了甲公司，接受记者采访甲公司员工。",
        "2023-07-01",
    );
    assert_eq!(sites_of(&e), owned(&["甲公司"]));
}

#[test]
fn the_places_and_teams_of_this_sessions_rules_stop_where_they_should() {
    // (text, the sites and targets): cases a review of the rules found.
    let cases: &[(&str, &[&str])] = &[
        // 拜会 before a Party committee's title ends the place.
        ("5月6日，市长王立新到省政府拜会省委书记李某。", &["省政府"]),
        // 等地/等处 that begin another word (地质, 处理) close no list of places.
        (
            "5月6日，市长王立新察看了山体滑坡、泥石流等地质灾害隐患点。",
            &[],
        ),
        (
            "5月6日，市长王立新察看了生活垃圾、生活污水等处理设施运行情况。",
            &[],
        ),
        // A time or a means after 在 is no city.
        ("5月6日，市长王立新在会后会见了梁某一行。", &[]),
        ("5月6日，市长王立新在视频会见了梁某一行。", &[]),
        // A bare team, all teams, a team's people name no team met.
        ("5月6日，市长王立新会见了经贸代表团一行。", &[]),
        ("5月6日，市长王立新与各国代表团座谈。", &[]),
        ("5月6日，市长王立新看望慰问了全体调研组成员。", &[]),
        // The team after its modifier is the one met.
        (
            "5月6日，市长王立新会见了前来参加会议的丽江市党政代表团。",
            &["丽江市党政代表团"],
        ),
        // A rank alone going somewhere may be someone else: not the lead's site.
        (
            "5月6日，省委书记张三到甲市调研。县长到乙镇检查防汛工作。",
            &["甲市"],
        ),
    ];
    for (text, sites) in cases {
        let e = one(text, "2023-05-07");
        let mut got = sites_of(&e);
        got.extend(e.targets.iter().cloned());
        got.dedup();
        assert_eq!(got, owned(sites), "{text}");
    }
    // 巡察 as the Party's inspection office is no activity of the one briefed by it.
    assert!(
        run(
            "5月6日，市委书记王立新听取了市委巡察办工作汇报。",
            "2023-05-07"
        )
        .is_empty()
    );
    // A headline, its date and the story: one date line is no round-up's heading.
    let text = "市长张三出席招商推介会\n2023年6月1日\n市长张三出席招商推介会并致辞。推介会在市会展中心举行。会上，甲区与乙公司举行了项目签约仪式。";
    let events = run(text, "2023-06-02");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(names(&events[0], Role::Lead), owned(&["张三"]));
    // A day only days ahead that last month lacks is still to come, not undated.
    assert!(run("行政长官梁某29日赴京出席开幕式。", "2023-03-25").is_empty());
}
