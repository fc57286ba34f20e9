//! The caseworker's caseload (searchable, sortable, with due re-screenings) and the form
//! for a new case.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::cases::{CaseloadRow, CaseloadView, NewCaseView, load_caseload, load_new_case};
use crate::domain::case::CaseInputError;
use crate::i18n::Lang;
use crate::i18n::use_lang;
use crate::ui::components::error_summary::{ErrorSummary, FieldError, InlineError};
use crate::ui::components::layout::{Frame, Page};
use crate::ui::components::loaded::loaded;
use crate::ui::components::table::ListTable;

/// An age band as people read it.
pub use crate::i18n::age_band_label;

/// Borderline and provisional marks, in words (never colour alone).
pub fn marks(lang: Lang, borderline: bool, provisional: bool) -> String {
    let mut out = Vec::new();
    if borderline {
        out.push(lang.t("mark-borderline"));
    }
    if provisional {
        out.push(lang.t("mark-provisional"));
    }
    out.join(", ")
}

fn query(name: &str) -> Option<String> {
    use_query_map().read_untracked().get(name)
}

#[component]
pub fn Caseload() -> impl IntoView {
    let (q, sort, page, erased) = (query("q"), query("sort"), query("page"), query("erased"));
    loaded(
        move || load_caseload(q.clone(), sort.clone(), page.clone(), erased.clone()),
        |v: CaseloadView| view! { <CaseloadPage v /> },
    )
}

#[component]
fn CaseloadPage(v: CaseloadView) -> impl IntoView {
    let lang = use_lang();
    let sorts = [
        ("due", lang.t("cases-sort-due")),
        ("reference", lang.t("cases-sort-reference")),
        ("latest", lang.t("cases-sort-latest")),
    ];
    let shown = v.rows.len();
    // A link to another page or order of the same search (works without JavaScript).
    let link = {
        let (query, sort) = (v.query.clone(), v.sort.clone());
        move |sort_by: Option<&str>, page: usize| {
            let mut pairs = vec![("sort", sort_by.unwrap_or(&sort).to_owned())];
            if !query.is_empty() {
                pairs.insert(0, ("q", query.clone()));
            }
            if page > 1 {
                pairs.push(("page", page.to_string()));
            }
            let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            format!("/cases?{}", crate::request::url_pairs(&refs))
        }
    };
    // A column heading that sorts by it; the current order is marked for screen readers.
    let heading = {
        let link = link.clone();
        let current = v.sort.clone();
        move |key: &'static str, label: String| {
            let href = link(Some(key), 1);
            let here = current == key;
            view! {
                <a href=href aria-current=here.then_some("true") title=lang.t_args("cases-sort-by", &[("column", label.clone())])>
                    {label.clone()}
                </a>
            }
            .into_any()
        }
    };
    let pager = (v.pages > 1).then(|| {
        let previous = (v.page > 1).then(|| link(None, v.page - 1));
        let next = (v.page < v.pages).then(|| link(None, v.page + 1));
        view! {
            <nav class="pager" aria-label=lang.t("cases-pages-label")>
                {previous.map(|href| view! { <a rel="prev" href=href>{lang.t("cases-previous")}</a> })}
                <span>{lang.t_args("cases-page", &[("page", v.page.to_string()), ("pages", v.pages.to_string())])}</span>
                {next.map(|href| view! { <a rel="next" href=href>{lang.t("cases-next")}</a> })}
            </nav>
        }
    });
    let rows = v
        .rows
        .into_iter()
        .map(|r| view! { <CaseloadLine r lang /> })
        .collect_view();
    view! {
        <Page title=lang.t("cases-title") frame=Frame::StaffWide>
            {v.erased.then(|| view! {
                <div class="alert alert-success" role="status"><p>{lang.t("case-erased")}</p></div>
            })}
            <h1>{lang.t("cases-title")}</h1>
            {match v.team.clone() {
                Some(team) => view! { <p class="lead">{lang.t_args("cases-lead", &[("team", team)])}</p> }.into_any(),
                None if v.total == 0 => view! { <p class="lead">{lang.t("cases-empty")}</p> }.into_any(),
                None => ().into_any(),
            }}
            <p><a class="button button-primary" href="/cases/new">{lang.t("cases-new")}</a></p>
            <form method="get" action="/cases" class="filter-form" role="search">
                <div class="form-group">
                    <label class="label" for="q">{lang.t("cases-search")}</label>
                    <input class="input" id="q" name="q" type="search" value=v.query.clone() />
                </div>
                <div class="form-group">
                    <label class="label" for="sort">{lang.t("cases-sort")}</label>
                    <select class="input" id="sort" name="sort">
                        {sorts
                            .into_iter()
                            .map(|(value, label)| view! { <option value=value selected=v.sort == value>{label}</option> })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button-secondary">{lang.t("cases-filter")}</button>
            </form>
            <p role="status">{lang.t_args("cases-count", &[("shown", shown.to_string()), ("total", v.matching.to_string())])}</p>
            <ListTable caption=lang.t("cases-title") columns=vec![
                heading("reference", lang.t("case-reference")),
                lang.t("case-age").into_any(),
                lang.t("case-caseworker").into_any(),
                heading("latest", lang.t("cases-latest")),
                lang.t("cases-channel").into_any(),
                lang.t("cases-override").into_any(),
                lang.t("cases-marks").into_any(),
                heading("due", lang.t("cases-due")),
            ]>
                {rows}
            </ListTable>
            {pager}
        </Page>
    }
}

#[component]
fn CaseloadLine(r: CaseloadRow, lang: Lang) -> impl IntoView {
    let none = || lang.t("cases-none");
    view! {
        <tr data-case=r.id>
            <th scope="row"><a href=format!("/cases/{}", r.id)><bdi class="nowrap">{r.reference}</bdi></a></th>
            <td>{age_band_label(lang, &r.age_band)}</td>
            <td>{r.caseworker.unwrap_or_else(none)}</td>
            <td>{r.latest.unwrap_or_else(none)}</td>
            <td data-channel="computed">{r.channel.unwrap_or_else(none)}</td>
            <td data-channel="override">{r.override_channel.unwrap_or_default()}</td>
            <td>{marks(lang, r.borderline, r.provisional)}</td>
            <td>
                {r.due.map(|d| if r.overdue {
                    view! { <strong>{lang.t_args("cases-overdue", &[("date", d)])}</strong> }.into_any()
                } else {
                    view! { <span>{d}</span> }.into_any()
                })}
            </td>
        </tr>
    }
}

#[component]
pub fn NewCase() -> impl IntoView {
    loaded(load_new_case, |v: NewCaseView| view! { <NewCaseForm v /> })
}

fn case_error_text(lang: Lang, code: &str) -> String {
    lang.t(match CaseInputError::parse(code) {
        Some(CaseInputError::ReferenceMissing) => "error-reference-missing",
        Some(CaseInputError::ReferenceTooLong) => "error-reference-long",
        Some(CaseInputError::ReferenceLooksLikeCpr) => "error-reference-cpr",
        Some(CaseInputError::BirthYearMissing) => "error-birth-year-missing",
        Some(CaseInputError::BirthYearNotANumber) => "error-birth-year-nan",
        Some(CaseInputError::BirthYearOutOfRange) => "error-birth-year-range",
        None if code == "reference_taken" => "error-reference-taken",
        None => "error-case-no-team",
    })
}

#[component]
fn NewCaseForm(v: NewCaseView) -> impl IntoView {
    let lang = use_lang();
    let codes: Vec<String> = query("errors")
        .or_else(|| query("error"))
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let field_of = |code: &str| match CaseInputError::parse(code) {
        Some(e) => e.field(),
        None => "reference",
    };
    let errors: Vec<FieldError> = codes
        .iter()
        .map(|c| FieldError {
            target_id: field_of(c).to_owned(),
            message: case_error_text(lang, c),
        })
        .collect();
    let error_for = |field: &str| {
        codes
            .iter()
            .find(|c| field_of(c) == field)
            .map(|c| case_error_text(lang, c))
    };
    let (reference_error, year_error) = (error_for("reference"), error_for("birth_year"));
    let described = |id: &str, error: &Option<String>| {
        if error.is_some() {
            format!("{id}-hint {id}-error")
        } else {
            format!("{id}-hint")
        }
    };
    let reference_described = described("reference", &reference_error);
    let year_described = described("birth_year", &year_error);
    let has_error = !errors.is_empty();
    let me = v.me;
    view! {
        <Page title=lang.t("case-new-title") has_error frame=Frame::Staff>
            <a class="back-link d-print-none" href="/cases">{lang.t("back")}</a>
            <ErrorSummary errors />
            <h1>{lang.t("case-new-title")}</h1>
            {v.team.clone().map(|t| view! { <p class="lead">{lang.t_args("case-new-lead", &[("team", t)])}</p> })}
            <form method="post" action="/cases" novalidate>
                <div class="form-group" class:form-group-error=reference_error.is_some()>
                    <label class="label" for="reference">{lang.t("case-reference")}</label>
                    <p id="reference-hint" class="hint">{lang.t("case-reference-hint")}</p>
                    {reference_error.clone().map(|m| view! { <InlineError id="reference-error".to_owned() message=m /> })}
                    <input class="input input-wide" id="reference" name="reference" type="text" autocomplete="off"
                        spellcheck="false" value=query("reference") aria-describedby=reference_described />
                </div>
                <div class="form-group" class:form-group-error=year_error.is_some()>
                    <label class="label" for="birth_year">{lang.t("case-birth-year")}</label>
                    <p id="birth_year-hint" class="hint">{lang.t("case-birth-year-hint")}</p>
                    {year_error.clone().map(|m| view! { <InlineError id="birth_year-error".to_owned() message=m /> })}
                    <input class="input input-year" id="birth_year" name="birth_year" type="text" inputmode="numeric"
                        autocomplete="off" value=query("birth_year") aria-describedby=year_described />
                </div>
                <div class="form-group">
                    <label class="label" for="caseworker">{lang.t("case-caseworker")}</label>
                    <select class="input" id="caseworker" name="caseworker">
                        {v.caseworkers
                            .into_iter()
                            .map(|(id, name)| view! { <option value=id.to_string() selected=id == me>{name}</option> })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button-primary">{lang.t("case-create")}</button>
            </form>
        </Page>
    }
}
