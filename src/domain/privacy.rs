//! Guards for personal data: Digiparat never stores CPR numbers, so free text that looks
//! like one (ddmmyy-xxxx, ddmmyy xxxx or ten digits in a row) is refused.

/// True when `text` contains something shaped like a Danish CPR number.
pub fn looks_like_cpr(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let digits_at = |start: usize, n: usize| {
        chars.get(start..start + n).is_some_and(|run| run.iter().all(char::is_ascii_digit))
    };
    (0..chars.len()).any(|i| {
        let starts_run = i == 0 || !chars[i - 1].is_ascii_digit();
        if !starts_run || !digits_at(i, 6) {
            return false;
        }
        let ends = |j: usize| chars.get(j).is_none_or(|c| !c.is_ascii_digit());
        let ten = digits_at(i + 6, 4) && ends(i + 10);
        let split = matches!(chars.get(i + 6), Some('-' | ' ')) && digits_at(i + 7, 4) && ends(i + 11);
        ten || split
    })
}

#[cfg(test)]
mod tests {
    use super::looks_like_cpr;

    #[test]
    fn finds_cpr_shapes_and_leaves_other_numbers() {
        for cpr in ["010190-1234", "0101901234", "cpr 010190 1234.", "note: 311299-9999!"] {
            assert!(looks_like_cpr(cpr), "{cpr}");
        }
        for fine in ["", "born 1990", "tel 12345678", "123456-123", "01019012345", "meeting 10-12"] {
            assert!(!looks_like_cpr(fine), "{fine}");
        }
    }
}
