//! How a stored answer names its choices, written once: a single code or a list of
//! codes (a multiple-choice item) in JSON, and the "ways out" every question offers.
//! The instrument may have its own "don't understand" / "rather not say" option; where
//! it has none the form adds one, spelled with a leading `_`, stored as given (item
//! analysis counts it) and scored as unanswered.

use serde_json::Value;

/// The instrument's own "don't understand" option code.
pub const DONT_UNDERSTAND: &str = "dont_understand";
/// The instrument's own "rather not say" option code.
pub const RATHER_NOT: &str = "rather_not";
/// "Don't understand", added by the form where the item has no such option.
pub const ADDED_DONT_UNDERSTAND: &str = "_dont_understand";
/// "Rather not say", added by the form where the item has no such option.
pub const ADDED_RATHER_NOT: &str = "_rather_not";

/// The codes of a stored answer: one for a single choice, each chosen for a list, none
/// for anything else (a missing or null answer).
pub fn codes(value: &Value) -> Vec<&str> {
    match value {
        Value::String(c) => vec![c.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A way out the form added (scored as unanswered).
pub fn is_added_way_out(code: &str) -> bool {
    code == ADDED_DONT_UNDERSTAND || code == ADDED_RATHER_NOT
}

/// "Don't understand", as the instrument has it or as the form added it.
pub fn is_dont_understand(code: &str) -> bool {
    code == DONT_UNDERSTAND || code == ADDED_DONT_UNDERSTAND
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_code_a_list_or_nothing() {
        assert_eq!(codes(&json!("yes")), ["yes"]);
        assert_eq!(codes(&json!(["a", "b", 3])), ["a", "b"]);
        assert!(codes(&json!(null)).is_empty());
        assert!(is_dont_understand("_dont_understand") && is_dont_understand("dont_understand"));
        assert!(is_added_way_out("_rather_not") && !is_added_way_out("rather_not"));
    }
}
