//! axe-core (npm, kept out of git) injected into the page; any violation of the
//! WCAG 2.0/2.1/2.2 A and AA rules fails the test with the rule ids and the elements.
//! Every page checked here is also checked by the Nu Html Checker (`helpers::vnu`).

use serde_json::Value;

use super::chrome::Browser;

const AXE_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/browser/node_modules/axe-core/axe.min.js"
);
const TAGS: &[&str] = &[
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa",
];

/// Also keeps the page as served, for the Nu Html Checker (`Browser::close`).
pub async fn assert_no_violations(browser: &Browser, page: &str) {
    browser.keep_served(page).await;
    let source = std::fs::read_to_string(AXE_PATH).unwrap_or_else(|e| {
        panic!("cannot read {AXE_PATH} (run scripts/ensure-test-deps.sh): {e}")
    });
    browser
        .client
        .execute(&source, vec![])
        .await
        .unwrap_or_else(|e| panic!("cannot inject axe-core: {e}"));
    let script = format!(
        "const done = arguments[arguments.length - 1];
         axe.run(document, {{ runOnly: {{ type: 'tag', values: {tags} }}, resultTypes: ['violations'] }})
            .then(r => done(r.violations.map(v => ({{ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary) }}))))
            .catch(e => done([{{ id: 'axe-error', help: String(e), nodes: [] }}]));",
        tags = serde_json::to_string(TAGS).unwrap_or_default()
    );
    let violations = browser
        .client
        .execute_async(&script, vec![])
        .await
        .unwrap_or_else(|e| panic!("axe.run failed on {page}: {e}"));
    let list = violations.as_array().cloned().unwrap_or_default();
    assert!(
        list.is_empty(),
        "{page}: {} axe violation(s):\n{}",
        list.len(),
        list.iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}
