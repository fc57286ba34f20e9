//! `/api/docs`: the OpenAPI document as a page people read, rendered on the server from
//! the same document (no script, no external assets). For developers, in English.

use std::fmt::Write;
use std::sync::LazyLock;

use axum::response::{Html, IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{RefOr, Required};

use crate::html::escape;

/// GET /api/docs.
pub async fn page() -> Response {
    (
        [(http::header::CACHE_CONTROL, "public, max-age=300")],
        Html(PAGE.as_str()),
    )
        .into_response()
}

static PAGE: LazyLock<String> = LazyLock::new(render);

/// A description as HTML: escaped, and `code` spans (the document's own markdown) as
/// `<code>`.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

fn schema_name(schema: &RefOr<utoipa::openapi::schema::Schema>) -> String {
    match schema {
        RefOr::Ref(r) => r
            .ref_location
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned(),
        RefOr::T(utoipa::openapi::schema::Schema::Array(a)) => match &a.items {
            utoipa::openapi::schema::ArrayItems::RefOrSchema(inner) => {
                format!("list of {}", schema_name(inner))
            }
            _ => "list".to_owned(),
        },
        RefOr::T(_) => "JSON".to_owned(),
    }
}

fn operation(out: &mut String, method: &str, path: &str, op: &Operation) {
    let id = format!("{method}-{path}")
        .to_ascii_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    let _ = write!(
        out,
        "<section class=\"card\" aria-labelledby=\"{id}\"><h3 id=\"{id}\"><code>{} {}</code></h3>",
        escape(&method.to_ascii_uppercase()),
        escape(path)
    );
    if let Some(summary) = &op.summary {
        let _ = write!(out, "<p><strong>{}</strong></p>", prose(summary));
    }
    if let Some(description) = &op.description {
        let _ = write!(out, "<p>{}</p>", prose(description));
    }
    let scopes: Vec<String> = op
        .security
        .iter()
        .flatten()
        .filter_map(|s| serde_json::to_value(s).ok())
        .filter_map(|v| v.get("token").cloned())
        .flat_map(|v| {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect();
    let _ = write!(
        out,
        "<p>Token: {}</p>",
        if scopes.is_empty() {
            "none needed".to_owned()
        } else {
            format!("<code>{}</code>", escape(&scopes.join(", ")))
        }
    );
    if let Some(params) = &op.parameters
        && !params.is_empty()
    {
        out.push_str("<h4>Parameters</h4><ul>");
        for p in params {
            let place = match p.parameter_in {
                ParameterIn::Path => "path",
                ParameterIn::Query => "query",
                ParameterIn::Header => "header",
                ParameterIn::Cookie => "cookie",
            };
            let _ = write!(
                out,
                "<li><code>{}</code> ({place}{}): {}</li>",
                escape(&p.name),
                if p.required == Required::True {
                    ", required"
                } else {
                    ""
                },
                prose(p.description.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</ul>");
    }
    if let Some(body) = &op.request_body {
        for (media, content) in &body.content {
            let schema = content.schema.as_ref().map(schema_name).unwrap_or_default();
            let _ = write!(
                out,
                "<h4>Body</h4><p><code>{}</code>: {}</p>",
                escape(media),
                escape(&schema)
            );
        }
    }
    out.push_str("<h4>Answers</h4><ul>");
    for (status, response) in &op.responses.responses {
        let (description, schema) = match response {
            RefOr::T(r) => (
                r.description.clone(),
                r.content
                    .values()
                    .next()
                    .and_then(|c| c.schema.as_ref())
                    .map(schema_name),
            ),
            RefOr::Ref(r) => (r.ref_location.clone(), None),
        };
        let _ = write!(
            out,
            "<li><code>{}</code> {}{}</li>",
            escape(status),
            prose(&description),
            schema
                .map(|s| format!(" (<code>{}</code>)", escape(&s)))
                .unwrap_or_default()
        );
    }
    out.push_str("</ul></section>");
}

fn render() -> String {
    let doc = super::ApiDoc::openapi();
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>{}</h1><p>{}</p><p>The machine-readable document: \
         <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI {}).</p>",
        escape(&doc.info.title),
        prose(doc.info.description.as_deref().unwrap_or("")),
        escape(
            &serde_json::to_value(&doc.openapi)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ),
    );
    let tags = doc.tags.clone().unwrap_or_default();
    for tag in &tags {
        let _ = write!(
            body,
            "<h2>{}</h2><p>{}</p>",
            escape(&tag.name),
            prose(tag.description.as_deref().unwrap_or(""))
        );
        for (path, item) in &doc.paths.paths {
            let ops = [
                ("get", &item.get),
                ("post", &item.post),
                ("put", &item.put),
                ("delete", &item.delete),
            ];
            for (method, op) in ops {
                if let Some(op) = op
                    && op.tags.iter().flatten().any(|t| *t == tag.name)
                {
                    operation(&mut body, method, path, op);
                }
            }
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Integration API – Digiparat</title><link rel=\"stylesheet\" href=\"/pkg/digiparat.css\">\
         </head><body><a class=\"skip-link\" href=\"#main\">Skip to content</a>\
         <header class=\"site-header\"><div class=\"container site-header-inner\">\
         <a class=\"brand\" href=\"/\"><span class=\"brand-name\">Digiparat</span></a></div></header>\
         <main id=\"main\" class=\"container api-docs\">{body}</main></body></html>"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_lists_every_operation_of_the_document() {
        let page = super::render();
        let doc: serde_json::Value =
            serde_json::from_str(&super::super::OPENAPI_JSON).unwrap_or_default();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        assert!(paths.len() >= 8, "{} paths", paths.len());
        assert!(
            !page.contains('`'),
            "markdown backticks are shown as they are"
        );
        for (path, item) in paths {
            for method in item
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                let shown = format!(
                    "<code>{} {}</code>",
                    method.to_ascii_uppercase(),
                    crate::html::escape(&path)
                );
                assert!(page.contains(&shown), "{shown} is missing from /api/docs");
            }
        }
    }
}
