//! Checks of the storage code as written (unit tests of `server::db`).

/// Every statement with `RETURNING` is read to its end (see [`super::returned`]): a
/// `fetch_one` or `fetch_optional` after one would lose a failed commit's error.
#[test]
fn every_returning_statement_is_read_to_its_end() {
    let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/server/db"));
    let mut checked = 0;
    // The folder and every folder below it (a store split by action keeps its rows in one).
    let mut files = Vec::new();
    let mut folders = vec![root];
    while let Some(dir) = folders.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 10, "only {} source files found", files.len());
    // The code of each file, not its tests (this one names the statements it looks
    // for), without comment lines.
    let sources: Vec<(std::path::PathBuf, Vec<String>)> = files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
            // (A file of tests alone, as this one, has no code part.)
            let code_part = if path.ends_with("tests.rs") {
                ""
            } else {
                text.split("#[cfg(test)]").next().unwrap_or_default()
            };
            let code = code_part
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .map(str::to_owned)
                .collect();
            (path, code)
        })
        .collect();
    // What reads the statement that starts at `code[n]`.
    let fetch_after = |code: &[String], n: usize| {
        code[n..]
            .iter()
            .find_map(|l| {
                ["fetch_one(", "fetch_optional(", "fetch_all(", "execute("]
                    .into_iter()
                    .find(|f| l.contains(f))
            })
            .unwrap_or("nothing")
    };
    for (path, code) in &sources {
        for (n, line) in code.iter().enumerate() {
            if !line.contains("RETURNING") {
                continue;
            }
            checked += 1;
            // A statement kept in a constant is checked where sqlx runs it.
            let constant = [line.as_str(), code[n.saturating_sub(1)].as_str()]
                .into_iter()
                .find_map(|l| l.split("const ").nth(1))
                .and_then(|rest| rest.split(':').next())
                .map(str::trim);
            let Some(name) = constant else {
                let fetch = fetch_after(code, n);
                assert_eq!(
                    fetch,
                    "fetch_all(",
                    "{}: a RETURNING statement read with {fetch}",
                    path.display()
                );
                continue;
            };
            let mut runs = 0;
            for (other, code) in &sources {
                for (m, line) in code.iter().enumerate() {
                    let next = code.get(m + 1).map(String::as_str).unwrap_or_default();
                    if line.contains("sqlx::query") && (line.contains(name) || next.contains(name))
                    {
                        runs += 1;
                        let fetch = fetch_after(code, m);
                        assert_eq!(
                            fetch,
                            "fetch_all(",
                            "{}: RETURNING statement {name} read with {fetch}",
                            other.display()
                        );
                    }
                }
            }
            assert!(
                runs > 0,
                "{name} holds a RETURNING statement sqlx never runs"
            );
        }
    }
    assert!(checked >= 6, "only {checked} RETURNING statements found");
}
