//! Synthetic cases for `seed-demo`: correlated, always-valid dr-1 answers from a seeded PRNG,
//! so demonstrations and benchmarks get realistic data that is the same for the same seed.

use super::{Dimension, Instrument, Item, Mode, Points};
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// SplitMix64: one word of state, fast, and the same stream on every platform.
#[derive(Clone, Debug)]
pub struct DemoRng(u64);

fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl DemoRng {
    pub fn new(seed: u64) -> Self {
        DemoRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix(self.0)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n by multiply-high (bias below n / 2^64); 0 when n = 0, not a panic.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Standard normal by Box–Muller (1 − u keeps the logarithm finite).
    pub fn normal(&mut self) -> f64 {
        let r = (-2.0 * (1.0 - self.next_f64()).ln()).sqrt();
        r * (std::f64::consts::TAU * self.next_f64()).cos()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }

    fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct DemoCase {
    /// Index into the caller's teams.
    pub team: usize,
    pub birth_year: i32,
    /// In time order.
    pub assessments: Vec<DemoAssessment>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DemoAssessment {
    /// 0 = the oldest month of the window.
    pub month_offset: u32,
    /// 1..=28, valid in every month.
    pub day: u8,
    pub mode: Mode,
    /// "da", "en" or "ar".
    pub language: &'static str,
    /// Item id → code (a list for multi-select items), as `Answers::parse` takes them.
    pub answers: Map<String, Value>,
}

/// Reads an item's latent off a person: higher picks an answer worth more (scored items) or
/// listed earlier (context items, whose first option is the most digital or common one).
type Latent = fn(&Person) -> f64;

/// Item noise: two answers of one person agree, but not perfectly.
const NOISE: f64 = 0.6;

/// Per-item latent and (offset, spread of the cut points, weight of poor Danish reading),
/// tuned by hand to plausible job-centre shares; unknown ids get neutral defaults.
fn tune(id: &str, dimension: Option<Dimension>) -> (Latent, [f64; 3]) {
    use Dimension::{Access, Motivation, Skills};
    let (access, skills): (Latent, Latent) = (|p| p.access, |p| p.skills);
    match (dimension, id) {
        (Some(Access), "A1" | "A2") => (access, [1.8, 1.2, 0.0]),
        (Some(Access), "A3") => (access, [1.6, 0.8, 0.2]),
        (Some(Access), "A4") => (access, [2.0, 0.9, 0.4]),
        (Some(Access), _) => (access, [1.5, 1.2, 0.0]),
        (Some(Skills), "S1") => (skills, [0.9, 1.2, 0.0]),
        (Some(Skills), "S5") => (skills, [0.8, 1.2, 0.0]),
        (Some(Skills), "S2" | "S3") => (skills, [0.4, 1.2, 0.3]),
        (Some(Skills), "S4") => (skills, [0.3, 1.2, 0.2]),
        (Some(Skills), "S6") => (skills, [0.0, 1.2, 0.1]),
        (Some(Skills), "O1") => (skills, [0.6, 0.6, 0.3]),
        (Some(Skills), _) => (skills, [0.3, 1.2, 0.0]),
        (Some(Motivation), "M2" | "M3") => (|p| p.motivation, [0.0, 1.2, 0.0]),
        (Some(Motivation), _) => (|p| p.motivation, [0.4, 1.2, 0.0]),
        (None, "U1" | "U2") => (|p| 0.6 * p.skills + 0.4 * p.access, [1.1, 0.55, 0.0]),
        (None, "N1") => (|p| p.support, [0.3, 0.6, 0.0]),
        (None, "N2") => (|p| 0.3 * p.age_z - 0.7 * p.skills, [-1.5, 1.0, 0.0]),
        (None, "L1") => (|p| p.danish, [0.6, 1.0, 0.0]),
        (None, "L2") => (|p| p.dyslexia, [-1.4, 1.0, 0.0]),
        (None, "H1") => (|p| p.health, [1.0, 0.45, 0.0]),
        (None, "H2") => (|p| p.housing, [1.9, 0.6, 0.0]),
        (None, "P1") => (|p| 0.5 * (p.skills + p.motivation), [0.35, 0.5, 0.0]),
        (None, _) => (|_| 0.0, [0.0, 1.0, 0.0]),
    }
}

/// How much likelier each U2 activity is than internet use alone suggests; others get 0.
const ACTIVITIES: [(&str, f64); 4] = [
    ("banking", 0.8),
    ("digital_post", 0.3),
    ("upload", 0.2),
    ("online_form", -0.3),
];

/// One item, read from the instrument once.
struct Plan {
    item: &'static Item,
    latent: Latent,
    tune: [f64; 3],
    /// Worst to best; options with equal points share a level (A1 phone/computer only).
    levels: Vec<Vec<&'static str>>,
    /// Answers off the scale: "don't know", "rather not say" and the like.
    opt_outs: Vec<&'static str>,
}

static PLANS: LazyLock<Vec<Plan>> =
    LazyLock::new(|| Instrument::dr1().items().iter().map(plan).collect());

fn plan(item: &'static Item) -> Plan {
    let (latent, tune) = tune(item.id(), item.dimension());
    let mut opt_outs = Vec::new();
    let mut ranked: Vec<(u8, &'static str)> = Vec::new();
    for (i, option) in item.options().iter().enumerate() {
        let code = option.code();
        // Scored options rank by what they earn (reverse items flipped); context options
        // are listed best first, so their rank is the reversed listing position. P1's "no
        // preference" is no point on the online-to-paper scale, so it goes with the opt-outs.
        let rank = match (option.points(), item.dimension()) {
            _ if option.is_opt_out() || code == "no_preference" => None,
            (Some(Points::Twelfths(p)), _) if item.is_reverse() => Some(12u8.saturating_sub(p)),
            (Some(Points::Twelfths(p)), _) => Some(p),
            (None, None) => u8::try_from(item.options().len() - i).ok(),
            _ => None,
        };
        match rank {
            Some(rank) => ranked.push((rank, code)),
            None => opt_outs.push(code),
        }
    }
    ranked.sort_by_key(|(rank, _)| *rank);
    let levels = ranked
        .chunk_by(|a, b| a.0 == b.0)
        .map(|level| level.iter().map(|(_, code)| *code).collect())
        .collect();
    Plan {
        item,
        latent,
        tune,
        levels,
        opt_outs,
    }
}

/// A person's latent traits in SD units, 0 = typical client; `tune` says which item reads which.
#[derive(Clone)]
struct Person {
    age_z: f64,
    language: &'static str,
    access: f64,
    skills: f64,
    motivation: f64,
    support: f64,
    danish: f64,
    dyslexia: f64,
    health: f64,
    housing: f64,
}

impl Person {
    fn draw(rng: &mut DemoRng, age: i32, team_shift: f64) -> Person {
        let age_z = f64::from(age - 38) / 13.0;
        let language = match rng.below(10) {
            0 => "ar",
            1 => "en",
            _ => "da",
        };
        let mut p = Person {
            age_z,
            language,
            access: 0.8 * rng.normal(),
            skills: 0.7 * rng.normal(),
            motivation: 0.85 * rng.normal(),
            support: 0.2 * age_z + rng.normal(),
            danish: rng.normal(),
            dyslexia: rng.normal(),
            health: -0.5 * age_z + 0.85 * rng.normal(),
            housing: rng.normal(),
        };
        p.danish = match language {
            "ar" => -1.2 + 0.7 * p.danish,
            "en" => -0.5 + 0.7 * p.danish,
            _ => 0.9 + 0.5 * p.danish - if p.dyslexia > 1.4 { 0.8 } else { 0.0 },
        };
        let newcomer = if language == "da" { 0.0 } else { 0.3 };
        // Van Dijk's sequence: access enables skills, skills feed motivation; age and a
        // precarious home weigh on them.
        p.access += 0.3 * p.housing - 0.15 * age_z - newcomer + team_shift;
        p.skills += 0.35 * p.access - 0.45 * age_z + team_shift;
        p.motivation += 0.35 * p.skills;
        p
    }

    /// The person at their `nth` assessment: training lifts skills, and a little the rest.
    fn at(&self, nth: usize, rng: &mut DemoRng) -> Person {
        let n = nth as f64;
        Person {
            access: self.access + 0.1 * n,
            skills: self.skills + 0.3 * n + 0.1 * rng.normal(),
            motivation: self.motivation + 0.1 * n,
            ..self.clone()
        }
    }
}

/// Picks one code for a single-choice item: latent plus noise, cut into the item's levels.
fn pick(rng: &mut DemoRng, plan: &Plan, latent: f64, danish: f64) -> Option<&'static str> {
    let [offset, spread, danish_weight] = plan.tune;
    let deficit = (-danish).max(0.0);
    // Opt-outs ("don't understand", "rather not") come more from people who struggle.
    let opt_out_p = 0.015 + 0.03 * (-latent).max(0.0) + 0.03 * danish_weight * deficit;
    if !plan.opt_outs.is_empty() && rng.chance(opt_out_p) {
        return plan.opt_outs.get(rng.index(plan.opt_outs.len())).copied();
    }
    let value = latent + offset - danish_weight * deficit + NOISE * rng.normal();
    let k = plan.levels.len();
    let cut = |j: usize| match k {
        0..=2 => 0.0,
        _ => -spread + 2.0 * spread * j as f64 / (k - 2) as f64,
    };
    let level = (0..k.saturating_sub(1)).filter(|&j| value > cut(j)).count();
    let group = plan.levels.get(level)?;
    // Of equal-points options the first listed is the common one (phone rather than computer).
    let within = match group.len() {
        n if n < 2 || rng.chance(0.7) => 0,
        n => 1 + rng.index(n - 1),
    };
    group.get(within).copied()
}

/// A multi-select list: each activity by the person's internet use, else the exclusive option.
fn pick_many(rng: &mut DemoRng, item: &Item, usage: f64) -> Option<Value> {
    let mut chosen = Vec::new();
    for option in item.options().iter().filter(|o| !o.is_exclusive()) {
        let offset = ACTIVITIES.iter().find(|(c, _)| *c == option.code());
        let x = 1.7 * (usage + offset.map_or(0.0, |(_, o)| *o));
        if rng.chance(1.0 / (1.0 + (-x).exp())) {
            chosen.push(Value::from(option.code()));
        }
    }
    if chosen.is_empty() {
        let only = item.options().iter().find(|o| o.is_exclusive())?;
        chosen.push(Value::from(only.code()));
    }
    Some(Value::Array(chosen))
}

fn answer(rng: &mut DemoRng, mode: Mode, person: &Person) -> Map<String, Value> {
    let interview = mode == Mode::Interview;
    // A few self-assessments are abandoned part-way, which makes provisional results.
    let stop = (!interview && rng.chance(0.02)).then(|| rng.index(PLANS.len()));
    let mut map = Map::new();
    for (position, plan) in PLANS.iter().enumerate() {
        if stop.is_some_and(|s| position >= s) {
            break;
        }
        // Items come in asking order, so what decides visibility is already answered (U1 is
        // asked first); a test checks that no generated answer is to a hidden item.
        if !plan.item.visible_raw(mode, &map) || rng.chance(if interview { 0.005 } else { 0.015 }) {
            continue;
        }
        let latent = (plan.latent)(person);
        let value = if plan.item.is_multi() {
            pick_many(rng, plan.item, latent)
        } else {
            pick(rng, plan, latent, person.danish).map(Value::from)
        };
        if let Some(value) = value {
            map.insert(plan.item.id().to_owned(), value);
        }
    }
    map
}

/// Teams serve different areas: a fixed shift of access and skills per team, ±0.25 SD.
fn team_shift(team: usize) -> f64 {
    let h = splitmix(team as u64 ^ 0x5EED);
    ((h >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.5
}

/// One synthetic person with 1–4 assessments spread over the last `months` months.
/// `teams` = 0 is treated as one team.
pub fn generate_case(rng: &mut DemoRng, teams: usize, this_year: i32, months: u32) -> DemoCase {
    // u^1.5 skews toward low indices: team 0 of 10 gets ~22 %, team 9 ~7 %.
    let team = ((teams.max(1) as f64) * rng.next_f64().powf(1.5)) as usize;
    let team = team.min(teams.saturating_sub(1));
    // Job-centre clients skew young: 18..=66 with mean about 38.
    let age = 18 + (49.0 * rng.next_f64().powf(1.35)) as i32;
    let person = Person::draw(rng, age, team_shift(team));
    // Most people are screened once or twice: 50 % one, 30 % two, 14 % three, 6 % four.
    let draw = rng.below(100);
    let count = 1 + [50, 80, 94].iter().filter(|&&c| draw >= c).count();
    let months = u64::from(months.max(1));
    let mut when: Vec<(u32, u8)> = (0..count)
        .map(|_| (rng.below(months) as u32, 1 + rng.below(28) as u8))
        .collect();
    when.sort_unstable();
    let assessments = when
        .into_iter()
        .enumerate()
        .map(|(nth, (month_offset, day))| {
            let mode = [Mode::SelfAssessment, Mode::Interview][usize::from(rng.chance(0.4))];
            let now = person.at(nth, rng);
            let (language, answers) = (person.language, answer(rng, mode, &now));
            DemoAssessment {
                month_offset,
                day,
                mode,
                language,
                answers,
            }
        })
        .collect();
    DemoCase {
        team,
        birth_year: this_year - age,
        assessments,
    }
}

/// The contact line of a demo job centre (fictional numbers).
pub fn demo_contact_line(nord: bool) -> &'static str {
    if nord {
        "Jobcenter Nord (demo): 70 00 00 01, man-fre 9-12"
    } else {
        "Jobcenter Syd (demo): 70 00 00 02, man-fre 9-12"
    }
}

/// A plausible help directory for two demo job centres: clearly fictional names, streets
/// and numbers, one offer or more behind every next step.
pub fn demo_offers(nord: i64, syd: i64) -> Vec<super::help::OfferFields> {
    use super::help::{OfferFields, Texts};
    use super::{NextStep as S, OfferKind as K};
    let t = |da: &str, en: &str, ar: &str| Texts {
        da: da.to_owned(),
        en: en.to_owned(),
        ar: ar.to_owned(),
    };
    let offer =
        |kind, name: Texts, description: Texts, steps: Vec<S>, teams: Vec<i64>| OfferFields {
            kind,
            name,
            description,
            steps,
            teams,
            address: String::new(),
            hours: String::new(),
            phone: String::new(),
            web: String::new(),
            languages: String::new(),
            free: true,
            step_free: true,
        };
    vec![
        OfferFields {
            address: "Demotorvet 1, 9990 Nordby".into(),
            hours: "Man-tor 10-15, fre 10-13".into(),
            phone: "70 00 10 01".into(),
            languages: "dansk, engelsk, arabisk".into(),
            ..offer(
                K::Borgerservice,
                t(
                    "Borgerservice Nordby (demo)",
                    "Citizen Service Nordby (demo)",
                    "خدمة المواطنين نوردبي (تجريبي)",
                ),
                t(
                    "Få MitID, eller få hjælp, når MitID ikke virker. Tag pas eller kørekort med.",
                    "Get MitID, or get help when MitID does not work. Bring a passport or driving licence.",
                    "احصل على MitID أو على مساعدة عندما لا يعمل. أحضر جواز السفر أو رخصة القيادة.",
                ),
                vec![S::MitidHelp, S::ExemptionRequest, S::PaperChannel],
                vec![nord],
            )
        },
        OfferFields {
            address: "Prøvegade 12, 9980 Sydby".into(),
            hours: "Man-fre 10-14".into(),
            phone: "70 00 20 01".into(),
            languages: "dansk, engelsk".into(),
            ..offer(
                K::Borgerservice,
                t(
                    "Borgerservice Sydby (demo)",
                    "Citizen Service Sydby (demo)",
                    "",
                ),
                t(
                    "Få MitID, eller få hjælp, når MitID ikke virker.",
                    "Get MitID, or get help when MitID does not work.",
                    "",
                ),
                vec![S::MitidHelp, S::ExemptionRequest, S::PaperChannel],
                vec![syd],
            )
        },
        OfferFields {
            address: "Bogvej 3, 9990 Nordby".into(),
            hours: "Tirsdag og torsdag 13-16".into(),
            phone: "70 00 10 02".into(),
            web: "https://bibliotek.example/it-hjaelp".into(),
            languages: "dansk, engelsk".into(),
            ..offer(
                K::Library,
                t(
                    "Bibliotekets IT-hjælp (demo)",
                    "The library's IT help (demo)",
                    "مساعدة الحاسوب في المكتبة (تجريبي)",
                ),
                t(
                    "Kom med din telefon eller dit brev. En frivillig hjælper dig. Du skal ikke bestille tid.",
                    "Bring your phone or your letter. A volunteer helps you. No appointment needed.",
                    "أحضر هاتفك أو رسالتك. متطوع يساعدك. لا حاجة إلى موعد.",
                ),
                vec![S::SkillsCourse, S::DeviceAccess, S::InternetAccess],
                vec![],
            )
        },
        OfferFields {
            address: "Skolestien 7, 9980 Sydby".into(),
            hours: "Onsdag 9-12, 6 uger".into(),
            phone: "70 00 20 02".into(),
            languages: "dansk".into(),
            ..offer(
                K::Course,
                t("IT for begyndere (demo)", "IT for beginners (demo)", ""),
                t(
                    "Et lille hold. Du lærer at bruge MitID, Digital Post og borger.dk.",
                    "A small group. You learn to use MitID, Digital Post and borger.dk.",
                    "",
                ),
                vec![S::SkillsCourse, S::TalkAboutWorries],
                vec![syd],
            )
        },
        OfferFields {
            address: "Sprogvej 5, 9990 Nordby".into(),
            hours: "Efter aftale".into(),
            phone: "70 00 10 03".into(),
            languages: "arabisk, somali, tigrinya, ukrainsk".into(),
            ..offer(
                K::Language,
                t(
                    "Tolk og sprogskole (demo)",
                    "Interpreter and language school (demo)",
                    "مترجم ومدرسة لغة (تجريبي)",
                ),
                t(
                    "Få en tolk til mødet med jobcentret, eller lær mere dansk.",
                    "Get an interpreter for the meeting with the job centre, or learn more Danish.",
                    "احصل على مترجم للقاء مع مركز العمل، أو تعلّم المزيد من الدنماركية.",
                ),
                vec![S::LanguageSupport],
                vec![],
            )
        },
        OfferFields {
            phone: "70 00 10 04".into(),
            hours: "Ring man-fre 9-12".into(),
            languages: "dansk, engelsk, arabisk".into(),
            ..offer(
                K::Buddy,
                t(
                    "Digital makker (demo)",
                    "Digital buddy (demo)",
                    "رفيق رقمي (تجريبي)",
                ),
                t(
                    "En frivillig kommer hjem til dig og hjælper, til du kan selv.",
                    "A volunteer visits you at home and helps until you can do it yourself.",
                    "متطوع يزورك في البيت ويساعدك حتى تستطيع وحدك.",
                ),
                vec![S::TalkAboutWorries, S::SkillsCourse, S::SupportPerson],
                vec![nord],
            )
        },
        OfferFields {
            address: "Bogvej 3, 9990 Nordby".into(),
            hours: "Man-fre 10-17".into(),
            languages: "dansk".into(),
            ..offer(
                K::DeviceLoan,
                t(
                    "Lån en tablet (demo)",
                    "Borrow a tablet (demo)",
                    "استعر جهازًا لوحيًا (تجريبي)",
                ),
                t(
                    "Lån en tablet med internet i tre måneder.",
                    "Borrow a tablet with internet for three months.",
                    "استعر جهازًا لوحيًا مع إنترنت لمدة ثلاثة أشهر.",
                ),
                vec![S::DeviceAccess, S::InternetAccess],
                vec![],
            )
        },
        OfferFields {
            web: "https://borger.example/fuldmagt".into(),
            phone: "70 00 10 05".into(),
            languages: "dansk, engelsk".into(),
            ..offer(
                K::PowerOfAttorney,
                t(
                    "Hjælp til digital fuldmagt (demo)",
                    "Help with digital power of attorney (demo)",
                    "",
                ),
                t(
                    "Giv en du stoler på lov til at læse din Digital Post.",
                    "Let someone you trust read your Digital Post.",
                    "",
                ),
                vec![S::SupportPerson, S::ExemptionRequest],
                vec![],
            )
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::AgeBand;
    use crate::domain::{Answers, Channel, Outcome, evaluate};

    const YEAR: i32 = 2026;

    fn cases(seed: u64, n: usize) -> Vec<DemoCase> {
        let mut rng = DemoRng::new(seed);
        (0..n)
            .map(|_| generate_case(&mut rng, 8, YEAR, 24))
            .collect()
    }

    fn outcome(a: &DemoAssessment) -> Option<Outcome> {
        let dr1 = Instrument::dr1();
        let answers = Answers::parse(dr1, a.mode, &a.answers).ok()?;
        Some(evaluate(dr1, &answers))
    }

    fn mean(v: &[f64]) -> f64 {
        v.iter().sum::<f64>() / v.len() as f64
    }

    #[test]
    fn answers_parse_show_only_visible_items_and_come_in_time_order() {
        let dr1 = Instrument::dr1();
        for case in cases(1, 2000) {
            assert!(case.team < 8 && (1..=4).contains(&case.assessments.len()));
            assert!((YEAR - 66..=YEAR - 18).contains(&case.birth_year));
            assert!(
                case.assessments
                    .is_sorted_by_key(|a| (a.month_offset, a.day))
            );
            for a in &case.assessments {
                assert!(a.month_offset < 24 && (1..=28).contains(&a.day));
                if let Err(e) = Answers::parse(dr1, a.mode, &a.answers) {
                    panic!("{e}: {:?}", a.answers);
                }
                for id in a.answers.keys() {
                    let shown = dr1.item(id).map(|i| i.visible_raw(a.mode, &a.answers));
                    assert_eq!(shown, Some(true), "{id} in {:?}", a.answers);
                }
            }
        }
    }

    #[test]
    fn same_seed_same_data() {
        assert_eq!(cases(7, 300), cases(7, 300));
        assert_ne!(cases(7, 300), cases(8, 300));
    }

    #[test]
    fn languages_modes_and_channels_all_occur() {
        let all = cases(3, 2000);
        let list: Vec<_> = all.iter().flat_map(|c| &c.assessments).collect();
        for language in ["da", "en", "ar"] {
            assert!(list.iter().any(|a| a.language == language));
        }
        let interviews = list.iter().filter(|a| a.mode == Mode::Interview).count();
        let share = interviews as f64 / list.len() as f64;
        assert!((0.3..0.5).contains(&share), "interview share {share}");
        let channels: Vec<Channel> = list
            .iter()
            .filter_map(|a| Some(outcome(a)?.channel))
            .collect();
        assert!(Channel::ALL.iter().all(|c| channels.contains(c)));
    }

    #[test]
    fn older_people_score_lower_on_skills_and_training_lifts_them() {
        let skills = |a: &DemoAssessment| outcome(a)?.scores.skills.map(f64::from);
        let (mut young, mut old, mut first, mut last) = (vec![], vec![], vec![], vec![]);
        for case in cases(4, 2000) {
            let (Some(a), Some(z)) = (case.assessments.first(), case.assessments.last()) else {
                continue;
            };
            let age = YEAR - case.birth_year;
            match (age, AgeBand::of(case.birth_year, YEAR), skills(a)) {
                (..30, _, Some(s)) => young.push(s),
                (_, AgeBand::From55, Some(s)) => old.push(s),
                _ => {}
            }
            if let (true, Some(a), Some(z)) = (case.assessments.len() > 1, skills(a), skills(z)) {
                first.push(a);
                last.push(z);
            }
        }
        let (young, old, first, last) = (mean(&young), mean(&old), mean(&first), mean(&last));
        assert!(young > old + 15.0, "skills under 30: {young}, 55+: {old}");
        assert!(last > first + 3.0, "skills first: {first}, last: {last}");
    }

    #[test]
    fn rng_helpers_stay_in_range() {
        let mut rng = DemoRng::new(0);
        assert_eq!(rng.below(0), 0);
        assert!((0..10_000).all(|_| rng.below(7) < 7 && (0.0..1.0).contains(&rng.next_f64())));
        let z: Vec<f64> = (0..20_000).map(|_| rng.normal()).collect();
        let (m, var) = (mean(&z), mean(&z.iter().map(|x| x * x).collect::<Vec<_>>()));
        assert!(
            m.abs() < 0.05 && (var - 1.0).abs() < 0.05,
            "mean {m}, variance {var}"
        );
    }
}
