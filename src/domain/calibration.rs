//! Caseworker calibration: vignettes (short written descriptions of fictional recipients,
//! in da, en and ar) with a reference answer set, kept beside the instrument in
//! `instruments/dr-1-vignettes.toml`. A caseworker fills in the interview form from a
//! vignette's text; their channel is compared with the one the reference answers score
//! to. The file is checked when it is read: unique ids, every text in every language,
//! valid answers, the written `channel` equal to what the answers score to, and rounds of
//! exactly three vignettes.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Answers, Channel, Instrument, Mode, Text, evaluate};

const DR1_VIGNETTES: &str = include_str!("../../instruments/dr-1-vignettes.toml");

/// Vignettes per round.
pub const ROUND_SIZE: usize = 3;

static DR1: LazyLock<Result<Vignettes, String>> =
    LazyLock::new(|| Vignettes::from_toml(Instrument::dr1(), DR1_VIGNETTES));

#[derive(Clone, Debug)]
pub struct Vignette {
    pub id: String,
    pub round: u32,
    /// What the reference answers score to.
    pub channel: Channel,
    pub name: Text,
    pub text: Text,
    /// The reference answers, item id → code (a list for U2).
    pub answers: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    vignette: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    round: u32,
    channel: String,
    name: Text,
    text: Text,
    answers: Map<String, Value>,
}

/// The bundled vignettes, in rounds.
#[derive(Clone, Debug)]
pub struct Vignettes {
    list: Vec<Vignette>,
}

impl Vignettes {
    /// The bundled set for dr-1 (checked at start-up by `check_bundled`).
    pub fn dr1() -> &'static Vignettes {
        static EMPTY: Vignettes = Vignettes { list: Vec::new() };
        DR1.as_ref().unwrap_or(&EMPTY)
    }

    /// Why the bundled file cannot be used, if it cannot.
    pub fn check_bundled() -> Result<(), String> {
        DR1.as_ref().map(|_| ()).map_err(Clone::clone)
    }

    pub fn from_toml(instrument: &Instrument, source: &str) -> Result<Vignettes, String> {
        let file: File = toml::from_str(source).map_err(|e| format!("vignettes: {e}"))?;
        let mut list: Vec<Vignette> = Vec::new();
        for e in file.vignette {
            let at = format!("vignette {:?}", e.id);
            if e.id.is_empty()
                || !e
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(format!(
                    "{at}: an id is lowercase letters, digits and dashes"
                ));
            }
            if list.iter().any(|v| v.id == e.id) {
                return Err(format!("{at}: the id is used twice"));
            }
            for (field, text) in [("name", &e.name), ("text", &e.text)] {
                if let Some(lang) = text.missing_language() {
                    return Err(format!("{at}: {field} has no text in {lang}"));
                }
            }
            let channel = e
                .channel
                .parse::<Channel>()
                .map_err(|_| format!("{at}: channel {:?} is not a channel", e.channel))?;
            let answers = Answers::parse(instrument, Mode::Interview, &e.answers)
                .map_err(|err| format!("{at}: {}", err.message))?;
            let scored = evaluate(instrument, &answers).channel;
            if scored != channel {
                return Err(format!(
                    "{at}: the answers score to {scored}, not {channel}"
                ));
            }
            list.push(Vignette {
                id: e.id,
                round: e.round,
                channel,
                name: e.name,
                text: e.text,
                answers: e.answers,
            });
        }
        let mut rounds: BTreeMap<u32, usize> = BTreeMap::new();
        for v in &list {
            *rounds.entry(v.round).or_default() += 1;
        }
        if let Some((round, n)) = rounds.iter().find(|(_, n)| **n != ROUND_SIZE) {
            return Err(format!("round {round} has {n} vignettes, not {ROUND_SIZE}"));
        }
        if rounds.is_empty() {
            return Err("there are no vignettes".into());
        }
        list.sort_by_key(|v| v.round);
        Ok(Vignettes { list })
    }

    /// The rounds, in order.
    pub fn rounds(&self) -> Vec<u32> {
        let mut r: Vec<u32> = self.list.iter().map(|v| v.round).collect();
        r.dedup();
        r
    }

    /// A round's vignettes, in the file's order.
    pub fn round(&self, round: u32) -> Vec<&Vignette> {
        self.list.iter().filter(|v| v.round == round).collect()
    }

    pub fn all(&self) -> &[Vignette] {
        &self.list
    }

    pub fn get(&self, id: &str) -> Option<&Vignette> {
        self.list.iter().find(|v| v.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_vignettes_are_valid_and_score_to_their_channel() {
        Vignettes::check_bundled().unwrap_or_else(|e| panic!("{e}"));
        let v = Vignettes::dr1();
        assert!(v.rounds().len() >= 2);
        for round in v.rounds() {
            let channels: std::collections::BTreeSet<Channel> =
                v.round(round).iter().map(|v| v.channel).collect();
            assert_eq!(channels.len(), 3, "round {round} has every channel once");
        }
    }

    #[test]
    fn a_wrong_reference_channel_is_named() {
        let good = DR1_VIGNETTES;
        let first = Vignettes::dr1().all().first().map(|v| v.channel);
        let wrong = match first {
            Some(Channel::Analogue) => "assisted",
            _ => "analogue",
        };
        let id_line = good.find("channel = ").unwrap_or(0);
        let end = good[id_line..]
            .find('\n')
            .map_or(good.len(), |e| id_line + e);
        let bad = format!("{}channel = \"{wrong}\"{}", &good[..id_line], &good[end..]);
        let err = Vignettes::from_toml(Instrument::dr1(), &bad)
            .err()
            .unwrap_or_default();
        assert!(err.contains("the answers score to"), "{err}");
        let short = good.replacen("round = 1", "round = 7", 1);
        let err = Vignettes::from_toml(Instrument::dr1(), &short)
            .err()
            .unwrap_or_default();
        assert!(err.contains("vignettes, not 3"), "{err}");
    }
}
