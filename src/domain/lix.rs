//! LIX readability (Björnsson): words per sentence + percentage of long words. Recipients
//! include people who read poorly, so every Danish text they see is held to LIX <= 30.

/// LIX = words / sentences + 100 × long words / words, where a long word has more than six
/// letters. A word is a run of letters or digits ("borger.dk" is two words); a sentence ends
/// at `.`, `!`, `?` or `:` followed by a space or the end. A text without words scores 0.
pub fn lix(text: &str) -> f64 {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return 0.0;
    }
    let long = words.iter().filter(|w| w.chars().count() > 6).count();
    let mut sentences = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let ends = matches!(c, '.' | '!' | '?' | ':');
        if ends && chars.peek().is_none_or(|next| next.is_whitespace()) {
            sentences += 1;
        }
    }
    let count = |n: usize| f64::from(u32::try_from(n).unwrap_or(u32::MAX));
    count(words.len()) / count(sentences.max(1)) + 100.0 * count(long) / count(words.len())
}

/// The highest LIX a Danish text for recipients may have.
pub const MAX_RECIPIENT_LIX: f64 = 30.0;

#[cfg(test)]
mod tests {
    use super::super::codes::{Channel, NextStep, ReasonCode};
    use super::super::instrument::Instrument;
    use super::*;

    #[test]
    fn computes_lix() {
        // 8 words, 2 sentences, 1 long word ("bestemmer"): 4 + 12.5.
        assert_eq!(lix("Du bestemmer. Du kan altid bede om papir."), 16.5);
        // One long word alone: 1 + 100.
        assert_eq!(lix("Sjældnere"), 101.0);
        assert_eq!(lix("borger.dk"), 2.0);
        assert_eq!(lix(""), 0.0);
    }

    /// Every Danish text a recipient can be shown, named for the failure message.
    fn recipient_texts(dr1: &Instrument) -> Vec<(String, &str)> {
        let mut texts = vec![("you_decide".to_owned(), dr1.you_decide("da"))];
        for item in dr1.items() {
            let id = item.id();
            texts.push((format!("{id} question"), item.question("da")));
            texts.push((format!("{id} hint"), item.hint("da")));
            texts.push((format!("{id} explain"), item.explain("da")));
            for option in item.options() {
                texts.push((format!("{id} option {}", option.code()), option.label("da")));
            }
        }
        for reason in ReasonCode::ALL {
            texts.push((
                format!("reason {reason}"),
                dr1.reason_for_recipient(*reason, "da"),
            ));
        }
        for step in NextStep::ALL {
            texts.push((format!("next step {step}"), dr1.next_step_text(*step, "da")));
        }
        for channel in Channel::ALL {
            texts.push((
                format!("channel {channel}"),
                dr1.channel_sentence(*channel, "da"),
            ));
            texts.push((
                format!("channel name {channel}"),
                dr1.channel_name(*channel, "da"),
            ));
        }
        texts
    }

    #[test]
    fn every_danish_recipient_text_has_lix_at_most_30() {
        let dr1 = Instrument::dr1();
        let texts = recipient_texts(dr1);
        assert!(
            texts.len() > 190,
            "too few texts collected: {}",
            texts.len()
        );
        let too_hard: Vec<String> = texts
            .iter()
            .filter(|(_, text)| text.is_empty() || lix(text) > MAX_RECIPIENT_LIX)
            .map(|(name, text)| format!("{name}: LIX {:.1}: {text:?}", lix(text)))
            .collect();
        assert!(
            too_hard.is_empty(),
            "texts above LIX 30:\n{}",
            too_hard.join("\n")
        );
    }
}
