//! Guards for personal data: Digiparat never stores CPR numbers, so free text that looks
//! like one is refused: ten digits in a row, or six and four with one separator between
//! (`ddmmyy-xxxx`, `ddmmyy xxxx`, `ddmmyy/xxxx`, an en dash from autocorrect, …), also
//! with dots in the date (`dd.mm.yy-xxxx`) and in any script's digits.

/// True when `text` contains something shaped like a Danish CPR number.
pub fn looks_like_cpr(text: &str) -> bool {
    // Digits of any script count as digits; dots inside a date are dropped.
    let chars: Vec<Option<u32>> = text
        .chars()
        .filter(|c| *c != '.')
        .map(|c| {
            if c.is_numeric() {
                c.to_digit(10).or_else(|| unicode_digit(c))
            } else {
                None
            }
        })
        .collect();
    let raw: Vec<char> = text.chars().filter(|c| *c != '.').collect();
    let is_digit = |i: usize| chars.get(i).is_some_and(Option::is_some);
    let run = |start: usize, n: usize| (start..start + n).all(is_digit);
    let separator = |i: usize| {
        raw.get(i)
            .is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace() || *c == ' ')
    };
    let six_four = (0..raw.len()).any(|i| {
        let starts = i == 0 || !is_digit(i - 1);
        if !starts || !run(i, 6) {
            return false;
        }
        let ends = |j: usize| !is_digit(j);
        (run(i + 6, 4) && ends(i + 10)) || (separator(i + 6) && run(i + 7, 4) && ends(i + 11))
    });
    six_four || digit_chains(&chars, &raw).iter().any(|d| is_cpr_date(d))
}

/// The digits of each run of digit groups joined by single separators (`01-01-90-1234`,
/// `0101 90 1234`), for chains of exactly ten digits.
fn digit_chains(chars: &[Option<u32>], raw: &[char]) -> Vec<Vec<u32>> {
    let mut chains = Vec::new();
    let mut current: Vec<u32> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            Some(d) => current.push(d),
            None => {
                let joins = !current.is_empty()
                    && !raw.get(i).is_some_and(|c| c.is_alphanumeric())
                    && chars.get(i + 1).is_some_and(Option::is_some);
                if !joins {
                    if current.len() == 10 {
                        chains.push(std::mem::take(&mut current));
                    }
                    current.clear();
                }
            }
        }
        i += 1;
    }
    if current.len() == 10 {
        chains.push(current);
    }
    chains
}

/// Whether ten digits start with a plausible day and month (`ddmmyy`).
fn is_cpr_date(digits: &[u32]) -> bool {
    let two = |i: usize| {
        digits
            .get(i)
            .zip(digits.get(i + 1))
            .map(|(a, b)| a * 10 + b)
    };
    matches!((two(0), two(2)), (Some(dd), Some(mm)) if (1..=31).contains(&dd) && (1..=12).contains(&mm))
}

/// The value of a decimal digit outside ASCII (Arabic-Indic, full-width, …).
fn unicode_digit(c: char) -> Option<u32> {
    const ZEROS: [u32; 4] = [0x0660, 0x06F0, 0xFF10, 0x0966];
    let code = u32::from(c);
    ZEROS
        .iter()
        .find(|z| (**z..**z + 10).contains(&code))
        .map(|z| code - z)
}

#[cfg(test)]
mod tests {
    use super::looks_like_cpr;

    #[test]
    fn finds_cpr_shapes_and_leaves_other_numbers() {
        let cprs = [
            "010190-1234",
            "0101901234",
            "cpr 010190 1234.",
            "note: 311299-9999!",
            "010190–1234",
            "01.01.90-1234",
            "010190/1234",
            "٠١٠١٩٠-١٢٣٤",
            "０１０１９０１２３４",
            "01-01-90-1234",
            "0101 90 1234",
            "01 01 90 12 34",
            "ref. 01/01/90-1234",
        ];
        for cpr in cprs {
            assert!(looks_like_cpr(cpr), "{cpr}");
        }
        for fine in [
            "",
            "born 1990",
            "tel 12345678",
            "123456-123",
            "01019012345",
            "meeting 10-12",
            "kl. 10.30",
            "tlf. 45 99 34 56 78",
            "2024-11-30 10:15",
        ] {
            assert!(!looks_like_cpr(fine), "{fine}");
        }
    }
}
