//! The Nu Html Checker (the W3C validator, npm `vnu-jar`, run with the machine's Java):
//! every page the axe crawl visits is also fetched as the server sent it and checked here.
//! Errors fail the test (with the page, line and message); warnings are allowed.

use serde_json::Value;

const VNU_JAR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/browser/node_modules/vnu-jar/build/dist/vnu.jar"
);

/// Checks the pages (name, served HTML) in one run of the checker; the errors, if any.
pub fn errors(pages: &[(String, String)]) -> Vec<String> {
    if pages.is_empty() {
        return Vec::new();
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut files = Vec::new();
    for (i, (_, html)) in pages.iter().enumerate() {
        let file = dir.path().join(format!("page{i}.html"));
        std::fs::write(&file, html).unwrap_or_else(|e| panic!("cannot write {file:?}: {e}"));
        files.push(file);
    }
    let output = std::process::Command::new("java")
        .args(["-jar", VNU_JAR, "--errors-only", "--format", "json"])
        .args(&files)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run java -jar {VNU_JAR} (run scripts/ensure-test-deps.sh): {e}")
        });
    let report: Value = serde_json::from_slice(&output.stderr).unwrap_or_else(|e| {
        panic!(
            "the checker's report is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|m| m["type"] == "error" || m["subType"] == "fatal")
        .map(|m| {
            let url = m["url"].as_str().unwrap_or_default();
            let page = files
                .iter()
                .position(|f| url.ends_with(&*f.to_string_lossy()))
                .map_or(url, |i| pages[i].0.as_str());
            format!(
                "{page}:{}: {} [{}]",
                m["lastLine"],
                m["message"].as_str().unwrap_or_default(),
                m["extract"].as_str().unwrap_or_default().trim()
            )
        })
        .collect()
}

/// Fails with every error of the pages.
pub fn assert_valid(pages: &[(String, String)]) {
    let errors = errors(pages);
    assert!(
        errors.is_empty(),
        "{} Nu Html Checker error(s) in {} page(s):\n{}",
        errors.len(),
        pages.len(),
        errors.join("\n")
    );
}
