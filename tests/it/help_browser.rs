//! Help nearby and the personal plan in headless Chromium, checking what each person sees:
//! an Arabic-language recipient without JavaScript finds the Borgerservice offer in Arabic,
//! right to left, with a phone link; an administrator adds and edits an offer and the
//! recipient's result shows the change; a caseworker agrees a plan with two steps and a due
//! date and the caseload shows it; the plan prints on one A4 page in da, en and ar with
//! every next step there can be; and the new pages pass axe and fit 320 px.

use digiparat::domain::role::Role;
use digiparat::domain::{Answers, Instrument, Mode, NextStep, Outcome, evaluate};
use digiparat::server::db::{AnsweredBy, NewAssessment, NewCase, StoredResult};
use fantoccini::Locator;
use time::{Duration, OffsetDateTime};

use crate::cases_browser::{add_staff, sign_in};
use crate::help::persona_with;
use crate::helpers::axe::assert_no_violations;
use crate::helpers::chrome::{Browser, Js};
use crate::helpers::{Db, TestApp, TestResult, spawn_app};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// A finished assessment of `answers` stored directly (as the forms would), with its
/// device token; `all_steps` gives it every next step there is (the longest plan).
async fn finished(
    app: &TestApp,
    mode: Mode,
    answers: &serde_json::Map<String, serde_json::Value>,
    case: Option<(i64, i64)>,
    all_steps: bool,
) -> Result<String, Error> {
    let parsed = Answers::parse(Instrument::dr1(), mode, answers).map_err(|e| format!("{e:?}"))?;
    let mut outcome: Outcome = evaluate(Instrument::dr1(), &parsed);
    if all_steps {
        outcome.next_steps = NextStep::ALL.to_vec();
    }
    let token = format!(
        "device-{}-{}",
        mode.as_str(),
        OffsetDateTime::now_utc().unix_timestamp_nanos()
    );
    app.db
        .record_complete(
            &NewAssessment {
                instrument: "dr-1".into(),
                mode,
                language: "ar".into(),
                token: Some(token.clone()),
                case_id: case.map(|c| c.0),
                team_id: case.map(|c| c.1),
                ..NewAssessment::default()
            },
            &answers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>(),
            match mode {
                Mode::Interview => AnsweredBy::Caseworker,
                Mode::SelfAssessment => AnsweredBy::Recipient,
            },
            &StoredResult::of(&outcome),
        )
        .await?;
    Ok(token)
}

/// This browser becomes a recipient's device: it starts a self-assessment on the intro
/// page (the device cookie is set as for anyone), and the answers and the result are
/// stored for the code it shows; `all_steps` gives the result every next step there is.
async fn recipient_device(
    app: &TestApp,
    b: &Browser,
    answers: &serde_json::Map<String, serde_json::Value>,
    all_steps: bool,
) -> TestResult {
    b.goto(&app.url("/self/intro")).await;
    b.click_to_next_page("form[action='/self/start'] button")
        .await;
    let shown = b.find(".resume-code").await.text().await?;
    let code: String = shown.chars().filter(char::is_ascii_alphanumeric).collect();
    let a = app
        .db
        .assessment_by_resume_code(&code)
        .await?
        .ok_or(format!("no assessment for the code {shown:?}"))?;
    let parsed = Answers::parse(Instrument::dr1(), Mode::SelfAssessment, answers)
        .map_err(|e| format!("{e:?}"))?;
    let mut outcome: Outcome = evaluate(Instrument::dr1(), &parsed);
    if all_steps {
        outcome.next_steps = NextStep::ALL.to_vec();
    }
    let list: Vec<(String, serde_json::Value)> = answers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    app.db
        .save_answers(a.id, &list, AnsweredBy::Recipient, None, None)
        .await?;
    app.db
        .finish(a.id, &StoredResult::of(&outcome), None)
        .await?;
    Ok(())
}

async fn fill(b: &Browser, css: &str, text: &str) -> TestResult {
    let field = b.find(css).await;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_arabic_recipient_without_javascript_finds_help_an_administrator_keeps() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let team = app.db.create_team("Jobcenter Nord", None).await?;
    add_staff(&app, "hanne", "Hanne Admin", Role::Admin, None).await?;

    // The administrator adds the offer, without JavaScript.
    let admin = Browser::start(Js::Off).await;
    sign_in(&app, &admin, "hanne").await?;
    admin.goto(&app.url("/admin/help?lang=da")).await;
    admin.click_to_next_page("a[href='/admin/help/new']").await;
    admin
        .find("#kind option[value='borgerservice']")
        .await
        .click()
        .await?;
    fill(&admin, "#name_da", "Borgerservice Nordby").await?;
    fill(&admin, "#name_ar", "خدمة المواطنين نوردبي").await?;
    fill(&admin, "#description_da", "Få hjælp til MitID.").await?;
    fill(&admin, "#description_ar", "احصل على مساعدة في MitID.").await?;
    admin.find("#step-mitid_help").await.click().await?;
    admin.find(&format!("#team-{team}")).await.click().await?;
    fill(&admin, "#address", "Demotorvet 1, 9990 Nordby").await?;
    fill(&admin, "#hours", "Man-tor 10-15").await?;
    fill(&admin, "#phone", "+45 70 00 10 01").await?;
    fill(&admin, "#languages", "dansk, arabisk").await?;
    admin
        .click_to_next_page("form[action='/admin/help'] button")
        .await;
    assert!(admin.path().await.starts_with("/admin/help?saved="));
    assert!(
        admin
            .find("main")
            .await
            .text()
            .await?
            .contains("Borgerservice Nordby")
    );
    admin
        .find(&format!("#default-team option[value='{team}']"))
        .await
        .click()
        .await?;
    admin
        .click_to_next_page("form[action='/admin/help/settings'] button")
        .await;

    admin.close().await;

    // The recipient's result, in Arabic, without JavaScript. (One browser runs at a time:
    // the administrator's and the recipient's take turns.)
    let answers = persona_with(Mode::SelfAssessment, NextStep::MitidHelp);
    let phone = Browser::start(Js::Off).await;
    recipient_device(&app, &phone, &answers, false).await?;
    phone.goto(&app.url("/self/result?lang=ar")).await;
    assert_eq!(phone.html_attr("dir").await.as_deref(), Some("rtl"));
    assert_eq!(phone.html_attr("lang").await.as_deref(), Some("ar"));
    let offer = phone.find("[data-step='mitid_help'] .offer").await;
    let text = offer.text().await?;
    assert!(
        text.contains("خدمة المواطنين نوردبي"),
        "no Arabic name: {text}"
    );
    assert!(text.contains("Man-tor 10-15"), "{text}");
    let tel = offer.find(Locator::Css("a[href^='tel:']")).await?;
    assert_eq!(tel.attr("href").await?.as_deref(), Some("tel:+4570001001"));
    phone.close().await;

    // The administrator changes the hours; the recipient sees the change.
    let admin = Browser::start(Js::Off).await;
    sign_in(&app, &admin, "hanne").await?;
    admin.goto(&app.url("/admin/help")).await;
    admin.click_to_next_page("main table a").await;
    fill(&admin, "#hours", "Fredag 8-12").await?;
    admin
        .click_to_next_page("form[action^='/admin/help/'] button[type='submit']")
        .await;
    assert!(admin.path().await.starts_with("/admin/help?saved="));
    admin.close().await;
    // A recipient's result after the change (a new device: one browser runs at a time).
    let phone = Browser::start(Js::Off).await;
    recipient_device(&app, &phone, &answers, false).await?;
    phone.goto(&app.url("/self/result?lang=ar")).await;
    let offer = phone.find("[data-step='mitid_help'] .offer").await;
    let text = offer.text().await?;
    assert!(
        text.contains("Fredag 8-12"),
        "the change is not shown: {text}"
    );
    assert!(!text.contains("Man-tor 10-15"));
    phone.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caseworker_agrees_a_plan_and_the_caseload_shows_its_date() -> TestResult {
    let app = spawn_app(Db::Postgres).await;
    let team = app.db.create_team("Jobcenter Nord", None).await?;
    add_staff(&app, "mette", "Mette Holm", Role::Caseworker, Some(team)).await?;
    for offer in digiparat::domain::demo::demo_offers(team, team) {
        app.db.create_offer(&offer, None).await?;
    }
    let case = app
        .db
        .create_case(
            &NewCase {
                reference: "NORD-7".into(),
                birth_year: 1975,
                team_id: team,
                caseworker_id: None,
            },
            None,
        )
        .await?;
    let answers = persona_with(Mode::Interview, NextStep::MitidHelp);
    let token = finished(&app, Mode::Interview, &answers, Some((case, team)), false).await?;

    let b = Browser::start(Js::On).await;
    sign_in(&app, &b, "mette").await?;
    b.goto(&app.url(&format!("/interview/{token}/result?lang=da")))
        .await;
    let boxes = b
        .client
        .find_all(Locator::Css("#plan input[name='steps']"))
        .await?;
    assert!(boxes.len() >= 2, "fewer than two steps to agree");
    let mut codes = Vec::new();
    for checkbox in boxes.iter().take(2) {
        checkbox.click().await?;
        codes.push(checkbox.attr("value").await?.unwrap_or_default());
    }
    let due = OffsetDateTime::now_utc().date() + Duration::days(12);
    let iso = format!(
        "{:04}-{:02}-{:02}",
        due.year(),
        u8::from(due.month()),
        due.day()
    );
    b.eval(&format!(
        "(document.getElementById('due-{}').value = '{iso}', true)",
        codes[0]
    ))
    .await;
    b.click_to_next_page("#plan form button[type='submit']")
        .await;
    let text = b.find("#plan").await.text().await?;
    assert!(text.contains("Planen er gemt"), "no confirmation: {text}");
    let shown = digiparat::i18n::Lang::Da.day(due.day(), u8::from(due.month()), due.year());
    b.goto(&app.url("/cases")).await;
    // WebDriver gives no-break spaces as spaces.
    let shown = shown.replace('\u{a0}', " ");
    let row = b
        .find("main table tbody tr")
        .await
        .text()
        .await?
        .replace('\u{a0}', " ");
    assert!(
        row.contains("NORD-7") && row.contains(&shown),
        "the caseload row: {row}"
    );
    let plans = app.db.plans_of_case(case).await?;
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].plan.steps.len(), 2);
    b.close().await;
    Ok(())
}

/// The number of pages of a PDF.
fn pdf_pages(pdf: &[u8]) -> usize {
    let count = |needle: &[u8]| pdf.windows(needle.len()).filter(|w| *w == needle).count();
    count(b"/Type /Page") - count(b"/Type /Pages")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_longest_plan_prints_on_one_page_and_the_new_pages_pass_axe() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let team = app.db.create_team("Jobcenter Nord", None).await?;
    add_staff(&app, "mette", "Mette Holm", Role::Caseworker, Some(team)).await?;
    add_staff(&app, "hanne", "Hanne Admin", Role::Admin, None).await?;
    // Two offers under most steps: the most the printed plan shows per step.
    for offer in digiparat::domain::demo::demo_offers(team, team) {
        app.db.create_offer(&offer, None).await?;
    }
    app.db
        .save_help_settings(
            Some(team),
            &[(team, "Jobcenter Nord: 70 00 00 01, man-fre 9-12".into())],
            None,
        )
        .await?;
    let case = app
        .db
        .create_case(
            &NewCase {
                reference: "NORD-8".into(),
                birth_year: 1960,
                team_id: team,
                caseworker_id: None,
            },
            None,
        )
        .await?;
    let answers = persona_with(Mode::Interview, NextStep::MitidHelp);
    let interview = finished(&app, Mode::Interview, &answers, Some((case, team)), true).await?;
    let self_answers = persona_with(Mode::SelfAssessment, NextStep::MitidHelp);

    let phone = Browser::start_with(Js::On, Some(320)).await;
    recipient_device(&app, &phone, &self_answers, true).await?;
    for lang in ["da", "en", "ar"] {
        for page in ["/self/result", "/self/plan"] {
            phone.goto(&app.url(&format!("{page}?lang={lang}"))).await;
            assert_no_violations(&phone, &format!("{lang} {page}")).await;
            phone
                .assert_no_horizontal_scroll(&format!("{lang} {page}"))
                .await;
        }
        let steps = phone
            .client
            .find_all(Locator::Css(".plan-step"))
            .await?
            .len();
        assert_eq!(steps, NextStep::ALL.len(), "{lang}: the plan lacks steps");
    }
    phone.close().await;

    // Printed as on a desktop: the recipient's plan and the interview's, one page each.
    let printer = Browser::start(Js::On).await;
    recipient_device(&app, &printer, &self_answers, true).await?;
    sign_in(&app, &printer, "mette").await?;
    for lang in ["da", "en", "ar"] {
        printer
            .goto(&app.url(&format!("/self/plan?lang={lang}")))
            .await;
        let pages = pdf_pages(&printer.print_pdf_a4().await?);
        assert_eq!(
            pages, 1,
            "{lang}: the recipient's plan prints on {pages} pages"
        );
        printer
            .goto(&app.url(&format!("/interview/{interview}/plan?lang={lang}")))
            .await;
        assert!(
            printer
                .find("main")
                .await
                .text()
                .await?
                .contains("70 00 00 01"),
            "no contact line"
        );
        let pages = pdf_pages(&printer.print_pdf_a4().await?);
        assert_eq!(
            pages, 1,
            "{lang}: the interview's plan prints on {pages} pages"
        );
    }
    printer.close().await;

    let b = Browser::start_with(Js::On, Some(320)).await;
    sign_in(&app, &b, "mette").await?;
    for lang in ["da", "en", "ar"] {
        for page in [
            format!("/interview/{interview}/result"),
            format!("/interview/{interview}/plan"),
        ] {
            b.goto(&app.url(&format!("{page}?lang={lang}"))).await;
            assert_no_violations(&b, &format!("{lang} {page}")).await;
            b.assert_no_horizontal_scroll(&format!("{lang} {page}"))
                .await;
        }
    }
    // A plan sent with a problem: the form names it.
    b.goto(&app.url(&format!("/interview/{interview}/result?lang=da")))
        .await;
    b.click_to_next_page("#plan form button[type='submit']")
        .await;
    assert_no_violations(&b, "da plan form with an error").await;
    b.close().await;

    let admin = Browser::start_with(Js::On, Some(320)).await;
    sign_in(&app, &admin, "hanne").await?;
    let offer = app
        .db
        .offers()
        .await?
        .first()
        .map(|o| o.id)
        .ok_or("no offer")?;
    for lang in ["da", "en", "ar"] {
        for page in [
            "/admin/help".to_owned(),
            "/admin/help/new".to_owned(),
            format!("/admin/help/{offer}"),
        ] {
            admin.goto(&app.url(&format!("{page}?lang={lang}"))).await;
            assert_no_violations(&admin, &format!("{lang} {page}")).await;
            admin
                .assert_no_horizontal_scroll(&format!("{lang} {page}"))
                .await;
            admin
                .assert_labels_readable(&format!("{lang} {page}"))
                .await;
        }
        // The form sent empty: every problem named.
        admin
            .goto(&app.url(&format!("/admin/help/new?lang={lang}")))
            .await;
        admin
            .click_to_next_page("form[action='/admin/help'] button")
            .await;
        assert!(admin.find(".error-summary").await.text().await?.len() > 20);
        assert_no_violations(&admin, &format!("{lang} /admin/help/new with errors")).await;
        admin
            .assert_no_horizontal_scroll(&format!("{lang} /admin/help/new with errors"))
            .await;
    }
    admin.close().await;
    Ok(())
}
