//! The help directory's pages (`/admin/help`), the offers under a result's next steps,
//! and the personal plan (`/self/plan`, `/interview/:token/plan`).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::help::{HelpOverview, OfferEdit, OfferView, StepView, load_help, load_offer};
use crate::domain::{NextStep, OfferKind};
use crate::i18n::{Lang, use_lang};
use crate::ui::components::error_summary::{ErrorSummary, FieldError, InlineError};
use crate::ui::components::layout::{Frame, Page};
use crate::ui::components::loaded::loaded;
use crate::ui::components::table::ListTable;

fn query(name: &str) -> Option<String> {
    use_query_map().read_untracked().get(name)
}

/// One offer: where, when, how to call, which languages. A text shown in Danish because
/// there is none in the reader's language is marked as Danish.
#[component]
pub fn OfferCard(offer: OfferView, #[prop(optional)] compact: bool) -> impl IntoView {
    let lang = use_lang();
    let (text_lang, text_dir) = if offer.in_danish {
        (Some("da"), Some("ltr"))
    } else {
        (None, None)
    };
    let phone = (!offer.phone.is_empty()).then(|| {
        view! {
            <a class="offer-phone" href=offer.tel.clone()>
                <span class="visually-hidden">{lang.t("offer-phone")}" "</span>
                <bdi>{offer.phone.clone()}</bdi>
            </a>
        }
    });
    let facts = [
        (!offer.address.is_empty()).then(|| offer.address.clone()),
        (!offer.hours.is_empty()).then(|| offer.hours.clone()),
        (!compact && !offer.languages.is_empty()).then(|| {
            lang.t_args(
                "offer-languages-line",
                &[("languages", offer.languages.clone())],
            )
        }),
        (!compact && offer.free).then(|| lang.t("offer-free")),
        (!compact && offer.step_free).then(|| lang.t("offer-step-free")),
    ]
    .into_iter()
    .flatten()
    .map(|f| view! { <li>{f}</li> })
    .collect_view();
    let in_danish = offer.in_danish.then(|| {
        view! { <span class="offer-note">" ("{lang.t("offer-in-danish")}")"</span> }
    });
    view! {
        <div class="offer" data-offer=offer.id.to_string()>
            <p class="offer-name">
                <strong lang=text_lang dir=text_dir>{offer.name.clone()}</strong>
                {in_danish}
            </p>
            {(!compact && !offer.description.is_empty()).then(|| view! {
                <p class="offer-description" lang=text_lang dir=text_dir>{offer.description.clone()}</p>
            })}
            <ul class="offer-facts">
                {facts}
                {phone.map(|p| view! { <li>{p}</li> })}
                {(!compact && !offer.web.is_empty()).then(|| view! {
                    <li><a href=offer.web.clone()><bdi>{offer.web.clone()}</bdi></a></li>
                })}
            </ul>
        </div>
    }
}

/// The next steps, each with the offers that help with it.
#[component]
pub fn StepList(steps: Vec<StepView>) -> impl IntoView {
    let lang = use_lang();
    if steps.is_empty() {
        return view! { <p>{lang.t("result-no-steps")}</p> }.into_any();
    }
    let items = steps
        .into_iter()
        .map(|s| {
            let offers = s
                .offers
                .into_iter()
                .map(|o| view! { <OfferCard offer=o /> })
                .collect_view();
            view! {
                <li class="step" data-step=s.code.clone()>
                    <p class="step-text">{s.text}</p>
                    {offers}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="plain-list steps">{items}</ul> }.into_any()
}

fn error_message(lang: Lang, code: &str) -> (String, String) {
    let (field, problem) = code.rsplit_once('_').unwrap_or((code, ""));
    let target = match field {
        "steps" => format!("step-{}", NextStep::ALL[0]),
        "teams" => "teams-hint".to_owned(),
        other => other.to_owned(),
    };
    let label = lang.t(&format!("help-field-{field}"));
    let message = match (field, problem) {
        ("kind", _) => lang.t("error-help-kind"),
        ("steps", _) => lang.t("error-help-steps"),
        ("teams", _) => lang.t("error-help-teams"),
        ("phone", _) => lang.t("error-help-phone"),
        ("web", _) => lang.t("error-help-web"),
        (_, "contact") => lang.t("error-help-contact"),
        (_, "missing") => lang.t_args("error-help-missing", &[("field", label)]),
        (_, "long") => lang.t_args("error-help-long", &[("field", label)]),
        (_, "cpr") => lang.t_args("error-help-cpr", &[("field", label)]),
        _ => lang.t_args("error-help-invalid", &[("field", label)]),
    };
    (target, message)
}

#[component]
pub fn HelpAdmin() -> impl IntoView {
    loaded(
        load_help,
        |v: HelpOverview| view! { <HelpOverviewPage v /> },
    )
}

#[component]
fn HelpOverviewPage(v: HelpOverview) -> impl IntoView {
    let lang = use_lang();
    let saved = query("saved").is_some();
    let settings_error = query("error").map(|code| {
        lang.t(match code.as_str() {
            "contact_long" => "error-help-contact-long",
            "contact_cpr" => "error-admin-name-cpr",
            _ => "error-help-settings",
        })
    });
    let errors: Vec<FieldError> = settings_error
        .iter()
        .map(|m| FieldError {
            target_id: "default-team".into(),
            message: m.clone(),
        })
        .collect();
    let has_error = !errors.is_empty();
    let rows = v
        .offers
        .iter()
        .map(|o| {
            view! {
                <tr>
                    <th scope="row"><a href=format!("/admin/help/{}", o.id)>{o.name.clone()}</a></th>
                    <td>{o.kind.clone()}</td>
                    <td>{o.steps.clone()}</td>
                    <td>{o.teams.clone()}</td>
                    <td>{lang.t(if o.retired { "help-retired" } else { "admin-active" })}</td>
                </tr>
            }
        })
        .collect_view();
    let default_options = {
        let none = view! { <option value="" selected=v.default_team.is_none()>{lang.t("help-no-default")}</option> };
        let rest = v
            .teams
            .iter()
            .map(|t| view! { <option value=t.id.to_string() selected=v.default_team == Some(t.id)>{t.name.clone()}</option> })
            .collect_view();
        view! { {none} {rest} }
    };
    let contacts = v
        .teams
        .iter()
        .map(|t| {
            let id = format!("contact-{}", t.id);
            view! {
                <div class="form-group">
                    <input type="hidden" name="team" value=t.id.to_string() />
                    <label class="label" for=id.clone()>{lang.t_args("help-contact-of", &[("team", t.name.clone())])}</label>
                    <input class="input input-wide" type="text" id=id name="contact" value=t.contact.clone() />
                </div>
            }
        })
        .collect_view();
    view! {
        <Page title=lang.t("help-admin-title") has_error frame=Frame::StaffWide>
            <ErrorSummary errors />
            {saved.then(|| view! { <div class="alert alert-success" role="status"><p>{lang.t("help-saved")}</p></div> })}
            <h1>{lang.t("help-admin-title")}</h1>
            <p class="lead">{lang.t("help-admin-lead")}</p>
            <p><a class="button button-primary" href="/admin/help/new">{lang.t("help-new")}</a></p>
            {if v.offers.is_empty() {
                view! { <p>{lang.t("help-none-yet")}</p> }.into_any()
            } else {
                view! {
                    <ListTable caption=lang.t("help-offers") columns=vec![
                        lang.t("help-field-name_da").into_any(),
                        lang.t("help-field-kind").into_any(),
                        lang.t("help-col-steps").into_any(),
                        lang.t("help-col-teams").into_any(),
                        lang.t("admin-status").into_any(),
                    ]>
                        {rows}
                    </ListTable>
                }.into_any()
            }}
            <section class="card" aria-labelledby="settings">
                <h2 id="settings">{lang.t("help-settings")}</h2>
                <form method="post" action="/admin/help/settings" novalidate>
                    <div class="form-group" class:form-group-error=has_error>
                        <label class="label" for="default-team">{lang.t("help-default-team")}</label>
                        <p class="hint" id="default-team-hint">{lang.t("help-default-team-hint")}</p>
                        {settings_error.map(|m| view! { <InlineError id="default-team-error".to_owned() message=m /> })}
                        <select class="input" id="default-team" name="default_team" aria-describedby="default-team-hint">{default_options}</select>
                    </div>
                    {contacts}
                    <button type="submit" class="button button-secondary">{lang.t("help-save-settings")}</button>
                </form>
            </section>
            <p><a href="/admin">{lang.t("help-back-admin")}</a></p>
        </Page>
    }
}

#[component]
pub fn NewOfferPage() -> impl IntoView {
    loaded(
        || load_offer(None),
        |v: OfferEdit| view! { <OfferFormPage v /> },
    )
}

#[component]
pub fn OfferPage() -> impl IntoView {
    let id = use_params_map()
        .read_untracked()
        .get("offer")
        .and_then(|s| s.parse::<i64>().ok());
    loaded(
        move || async move {
            match id {
                Some(id) => load_offer(Some(id)).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
        |v: OfferEdit| view! { <OfferFormPage v /> },
    )
}

/// A text input of the offer form with its label and inline error.
#[component]
fn TextField(
    id: &'static str,
    value: String,
    errors: Vec<(String, String)>,
    #[prop(optional)] kind: &'static str,
    /// The language the field is written in (`da`, `en`, `ar`): its `lang` and direction.
    #[prop(optional)]
    written_in: Option<&'static str>,
    #[prop(optional)] long: bool,
) -> impl IntoView {
    let lang = use_lang();
    let error = errors
        .iter()
        .find(|(target, _)| target == id)
        .map(|(_, m)| m.clone());
    let has_error = error.is_some();
    let described = has_error.then(|| format!("{id}-error"));
    let field_lang = written_in;
    // Phone numbers and web addresses read left to right in every language.
    let dir = match written_in {
        Some("ar") => Some("rtl"),
        Some(_) => Some("ltr"),
        None if matches!(kind, "tel" | "url") => Some("ltr"),
        None => None,
    };
    let input_type = if kind.is_empty() { "text" } else { kind };
    view! {
        <div class="form-group" class:form-group-error=has_error>
            <label class="label" for=id>{lang.t(&format!("help-field-{id}"))}</label>
            {error.map(|m| view! { <InlineError id=format!("{id}-error") message=m /> })}
            {if long {
                view! { <textarea class="input textarea" id=id name=id rows="3" lang=field_lang dir=dir aria-describedby=described>{value}</textarea> }.into_any()
            } else {
                view! { <input class="input input-wide" type=input_type id=id name=id value=value lang=field_lang dir=dir aria-describedby=described /> }.into_any()
            }}
        </div>
    }
}

#[component]
fn OfferFormPage(v: OfferEdit) -> impl IntoView {
    let lang = use_lang();
    let errors: Vec<(String, String)> = v.errors.iter().map(|c| error_message(lang, c)).collect();
    let summary: Vec<FieldError> = errors
        .iter()
        .map(|(target, message)| FieldError {
            target_id: target.clone(),
            message: message.clone(),
        })
        .collect();
    let has_error = !summary.is_empty();
    let error_on = |field: &str| {
        v.errors
            .iter()
            .find(|c| c.starts_with(field))
            .map(|c| error_message(lang, c).1)
    };
    let f = v.form.clone();
    let title = lang.t(if v.id.is_some() {
        "help-edit-title"
    } else {
        "help-new-title"
    });
    let action =
        v.id.map(|id| format!("/admin/help/{id}"))
            .unwrap_or_else(|| "/admin/help".to_owned());
    let kind_error = error_on("kind");
    let kinds = OfferKind::ALL
        .iter()
        .map(|k| {
            view! { <option value=k.as_str() selected=f.kind == k.as_str()>{lang.t(&format!("help-kind-{k}"))}</option> }
        })
        .collect_view();
    let steps_error = error_on("steps");
    let steps = NextStep::ALL
        .iter()
        .map(|s| {
            let id = format!("step-{s}");
            let checked = f.steps.iter().any(|c| c == s.as_str());
            view! {
                <div class="radio">
                    <input type="checkbox" id=id.clone() name="steps" value=s.as_str() checked=checked />
                    <label for=id>{lang.t(&format!("help-step-{s}"))}</label>
                </div>
            }
        })
        .collect_view();
    let teams_error = error_on("teams");
    let teams = v
        .teams
        .iter()
        .map(|(id, name)| {
            let input_id = format!("team-{id}");
            let checked = f.teams.iter().any(|t| t.trim() == id.to_string());
            view! {
                <div class="radio">
                    <input type="checkbox" id=input_id.clone() name="teams" value=id.to_string() checked=checked />
                    <label for=input_id>{name.clone()}</label>
                </div>
            }
        })
        .collect_view();
    let yes = |b: &str| b.trim() == "yes";
    let retire = v.id.map(|id| {
        let (value, label) = if v.retired {
            ("no", lang.t("help-unretire"))
        } else {
            ("yes", lang.t("help-retire"))
        };
        view! {
            <section class="card" aria-labelledby="retire">
                <h2 id="retire">{lang.t("help-retire-title")}</h2>
                <p>{lang.t(if v.retired { "help-is-retired" } else { "help-retire-lead" })}</p>
                <form method="post" action=format!("/admin/help/{id}/retire") novalidate>
                    <input type="hidden" name="retired" value=value />
                    <button type="submit" class="button button-secondary">{label}</button>
                </form>
            </section>
        }
    });
    view! {
        <Page title=title.clone() has_error frame=Frame::Staff>
            <a class="back-link" href="/admin/help">{lang.t("help-back")}</a>
            <ErrorSummary errors=summary />
            <h1>{title}</h1>
            <form method="post" action=action novalidate>
                <div class="form-group" class:form-group-error=kind_error.is_some()>
                    <label class="label" for="kind">{lang.t("help-field-kind")}</label>
                    {kind_error.clone().map(|m| view! { <InlineError id="kind-error".to_owned() message=m /> })}
                    <select class="input" id="kind" name="kind">
                        <option value="" selected=f.kind.is_empty()>{lang.t("help-choose")}</option>
                        {kinds}
                    </select>
                </div>
                <p class="hint">{lang.t("help-languages-hint")}</p>
                <TextField id="name_da" value=f.name_da.clone() errors=errors.clone() written_in="da" />
                <TextField id="name_en" value=f.name_en.clone() errors=errors.clone() written_in="en" />
                <TextField id="name_ar" value=f.name_ar.clone() errors=errors.clone() written_in="ar" />
                <TextField id="description_da" value=f.description_da.clone() errors=errors.clone() written_in="da" long=true />
                <TextField id="description_en" value=f.description_en.clone() errors=errors.clone() written_in="en" long=true />
                <TextField id="description_ar" value=f.description_ar.clone() errors=errors.clone() written_in="ar" long=true />
                <div class="form-group" class:form-group-error=steps_error.is_some()>
                    <fieldset>
                        <legend class="legend-question">{lang.t("help-field-steps")}</legend>
                        {steps_error.clone().map(|m| view! { <InlineError id="steps-error".to_owned() message=m /> })}
                        <div class="radios">{steps}</div>
                    </fieldset>
                </div>
                <div class="form-group" class:form-group-error=teams_error.is_some()>
                    <fieldset aria-describedby="teams-hint">
                        <legend class="legend-question">{lang.t("help-field-teams")}</legend>
                        <p class="hint" id="teams-hint">{lang.t("help-teams-hint")}</p>
                        {teams_error.clone().map(|m| view! { <InlineError id="teams-error".to_owned() message=m /> })}
                        <div class="radios">{teams}</div>
                    </fieldset>
                </div>
                <TextField id="address" value=f.address.clone() errors=errors.clone() />
                <TextField id="hours" value=f.hours.clone() errors=errors.clone() />
                <TextField id="phone" value=f.phone.clone() errors=errors.clone() kind="tel" />
                <TextField id="web" value=f.web.clone() errors=errors.clone() kind="url" />
                <TextField id="languages" value=f.languages.clone() errors=errors.clone() />
                <div class="form-group">
                    <div class="radio">
                        <input type="checkbox" id="free" name="free" value="yes" checked=yes(&f.free) />
                        <label for="free">{lang.t("help-field-free")}</label>
                    </div>
                    <div class="radio">
                        <input type="checkbox" id="step_free" name="step_free" value="yes" checked=yes(&f.step_free) />
                        <label for="step_free">{lang.t("help-field-step_free")}</label>
                    </div>
                </div>
                <button type="submit" class="button button-primary">{lang.t("help-save")}</button>
            </form>
            {retire}
        </Page>
    }
}
