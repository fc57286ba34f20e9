//! One case over time: its assessments and how the channel moved, starting an interview,
//! handing out an invite code (with a printable slip), and the person's data rights:
//! export everything, or erase on request.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::cases::{AssessmentRow, CaseView, InviteSlip, load_case, load_invite};
use crate::i18n::Lang;
use crate::i18n::use_lang;
use crate::ui::components::error_summary::{ErrorSummary, FieldError, InlineError};
use crate::ui::components::layout::{Frame, Page};
use crate::ui::components::loaded::loaded;
use crate::ui::components::print_button::PrintButton;
use crate::ui::components::table::ListTable;
use crate::ui::pages::cases::{age_band_label, marks};

fn param(name: &str) -> i64 {
    use_params_map()
        .read_untracked()
        .get(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1)
}

#[component]
pub fn CasePage() -> impl IntoView {
    let id = param("case");
    loaded(
        move || load_case(id),
        |v: CaseView| view! { <CaseDetails v /> },
    )
}

#[component]
fn CaseDetails(v: CaseView) -> impl IntoView {
    let lang = use_lang();
    let confirm_missing =
        use_query_map().read_untracked().get("error").as_deref() == Some("confirm");
    let errors: Vec<FieldError> = confirm_missing
        .then(|| FieldError {
            target_id: "confirm".into(),
            message: lang.t("error-erase-confirm"),
        })
        .into_iter()
        .collect();
    let none = lang.t("cases-none");
    let title = lang.t_args("case-title", &[("reference", v.reference.clone())]);
    let movement = if v.movement.is_empty() {
        lang.t("case-no-results")
    } else {
        v.movement.join(" → ")
    };
    let assessments = v
        .assessments
        .into_iter()
        .map(|a| view! { <AssessmentLine a lang /> })
        .collect_view();
    let invites = v
        .invites
        .iter()
        .map(|i| {
            let status = lang.t(&format!("invite-status-{}", i.status));
            view! {
                <tr>
                    <th scope="row"><a href=format!("/cases/{}/invites/{}", v.id, i.id)><bdi class="code">{i.code.clone()}</bdi></a></th>
                    <td>{i.created.clone()}</td>
                    <td>{i.expires.clone()}</td>
                    <td>{status}</td>
                </tr>
            }
        })
        .collect_view();
    let has_invites = !v.invites.is_empty();
    view! {
        <Page title=title.clone() has_error=confirm_missing frame=Frame::StaffWide>
            <a class="back-link d-print-none" href="/cases">{lang.t("cases-back")}</a>
            <ErrorSummary errors />
            <h1><bdi>{title}</bdi></h1>
            <dl class="result-meta">
                <div><dt>{lang.t("case-age")}</dt><dd>{age_band_label(lang, &v.age_band)}</dd></div>
                <div><dt>{lang.t("case-team")}</dt><dd>{v.team.clone()}</dd></div>
                <div><dt>{lang.t("case-caseworker")}</dt><dd>{v.caseworker.clone().unwrap_or_else(|| none.clone())}</dd></div>
                <div><dt>{lang.t("case-created")}</dt><dd>{v.created.clone()}</dd></div>
                <div><dt>{lang.t("cases-due")}</dt><dd>{v.due.clone().unwrap_or_else(|| none.clone())}</dd></div>
            </dl>
            <div class="button-row">
                <form method="post" action=format!("/cases/{}/interview", v.id) novalidate>
                    <button type="submit" class="button button-primary">{lang.t("case-start-interview")}</button>
                </form>
                <form method="post" action=format!("/cases/{}/invites", v.id) novalidate>
                    <button type="submit" class="button button-secondary">{lang.t("case-new-invite")}</button>
                </form>
            </div>
            <h2>{lang.t("case-history")}</h2>
            <p><strong>{lang.t("case-movement")}</strong> " " <span data-movement="">{movement}</span></p>
            <ListTable caption=lang.t("case-history") columns=vec![lang.t("case-date").into_any(), lang.t("case-mode").into_any(), lang.t("cases-channel").into_any(), lang.t("cases-override").into_any(), lang.t("cases-marks").into_any()]>
                {assessments}
            </ListTable>
            <h3 id="plans">{lang.t("cw-plan-versions")}</h3>
            {if v.plans.is_empty() {
                view! { <p>{lang.t("cw-plan-none")}</p> }.into_any()
            } else {
                view! { <ul class="plain-list" data-plans="">{v.plans.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul> }.into_any()
            }}
            <h2>{lang.t("case-invites")}</h2>
            {if has_invites {
                view! {
                    <div class="table-wrap" role="region" tabindex="0" aria-label=lang.t("case-invites")>
                        <table class="table">
                            <caption class="visually-hidden">{lang.t("case-invites")}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{lang.t("invite-code")}</th>
                                    <th scope="col">{lang.t("invite-created")}</th>
                                    <th scope="col">{lang.t("invite-expires")}</th>
                                    <th scope="col">{lang.t("invite-status")}</th>
                                </tr>
                            </thead>
                            <tbody>{invites}</tbody>
                        </table>
                    </div>
                }.into_any()
            } else {
                view! { <p>{lang.t("case-no-invites")}</p> }.into_any()
            }}
            <h2 id="data">{lang.t("case-data")}</h2>
            <p><a href=format!("/cases/{}/export.json", v.id) download="">{lang.t("case-export")}</a></p>
            <h3 id="erase">{lang.t("case-erase-heading")}</h3>
            <p>{lang.t("case-erase-text")}</p>
            <form method="post" action=format!("/cases/{}/erase", v.id) novalidate>
                <div class="form-group" class:form-group-error=confirm_missing>
                    {confirm_missing.then(|| view! { <InlineError id="confirm-error".to_owned() message=lang.t("error-erase-confirm") /> })}
                    <div class="radio">
                        <input type="checkbox" id="confirm" name="confirm" value="yes"
                            aria-describedby=confirm_missing.then_some("confirm-error") />
                        <label for="confirm">{lang.t("case-erase-confirm")}</label>
                    </div>
                </div>
                <button type="submit" class="button button-secondary">{lang.t("case-erase-button")}</button>
            </form>
        </Page>
    }
}

#[component]
fn AssessmentLine(a: AssessmentRow, lang: Lang) -> impl IntoView {
    let mode = lang.t(match a.mode {
        crate::domain::Mode::Interview => "case-mode-interview",
        crate::domain::Mode::SelfAssessment => "case-mode-self",
    });
    let channel = if a.finished {
        a.channel.unwrap_or_default()
    } else {
        lang.t("case-unfinished")
    };
    view! {
        <tr>
            <td>
                {match a.href {
                    Some(href) => view! { <a href=href>{a.date.clone()}</a> }.into_any(),
                    None => view! { <span>{a.date.clone()}</span> }.into_any(),
                }}
            </td>
            <td>{mode}</td>
            <td>{channel}</td>
            <td>{a.override_channel.unwrap_or_default()}</td>
            <td>{marks(lang, a.borderline, a.provisional)}</td>
        </tr>
    }
}

#[component]
pub fn InviteSlipPage() -> impl IntoView {
    let (case, invite) = (param("case"), param("invite"));
    loaded(
        move || load_invite(case, invite),
        |s: InviteSlip| view! { <Slip s /> },
    )
}

/// The slip handed to the recipient: the address and the code in large type.
#[component]
fn Slip(s: InviteSlip) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Page title=lang.t("slip-title") frame=Frame::Staff>
            <a class="back-link d-print-none" href=format!("/cases/{}", s.case_id)>{lang.t("back")}</a>
            <p class="d-print-none">{lang.t_args("slip-for-case", &[("reference", s.reference.clone())])}</p>
            <h1>{lang.t("slip-title")}</h1>
            <p class="lead">{lang.t("slip-intro")}</p>
            <p class="slip-label">{lang.t("slip-address")}</p>
            <p class="slip-big" dir="ltr"><bdi>{s.address.clone()}</bdi></p>
            <p class="slip-label">{lang.t("slip-code")}</p>
            <p class="slip-big slip-code" dir="ltr" data-code=s.code.clone()>{s.code.clone()}</p>
            <p>{lang.t_args("slip-expires", &[("date", s.expires.clone())])}</p>
            <p>{lang.t("home-paper")}</p>
            <PrintButton label=lang.t("paper-print") />
        </Page>
    }
}
