//! The closed vocabularies of `dr-1`: modes, channels, dimensions and the codes a result is
//! made of. Their snake_case spelling is part of the API, so serde and `as_str` share it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A string that is not one of a vocabulary's codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCode {
    pub kind: &'static str,
    pub code: String,
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} {:?}", self.kind, self.code)
    }
}

impl std::error::Error for UnknownCode {}

/// One list per vocabulary gives the enum, its wire spelling, `ALL` (in declaration order,
/// which is also the order results list them) and `FromStr`, so they cannot drift apart.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $kind:literal { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, UnknownCode> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode { kind: $kind, code: s.to_owned() }),
                }
            }
        }
    };
}

vocabulary! {
    /// Who fills in the answers: the person alone, or a caseworker in an interview (adds O1).
    Mode, "mode" { SelfAssessment = "self", Interview = "interview" }
}

/// A new assessment is a self-assessment unless a caseworker starts an interview.
impl Default for Mode {
    fn default() -> Self {
        Mode::SelfAssessment
    }
}

vocabulary! {
    /// The suggested way of contact, declared (and so ordered) by digital autonomy.
    Channel, "channel" { Analogue = "analogue", Assisted = "assisted", SelfService = "self_service" }
}

vocabulary! {
    /// The three scored dimensions.
    Dimension, "dimension" { Access = "access", Skills = "skills", Motivation = "motivation" }
}

vocabulary! {
    /// Why a channel was suggested, declared in the order the spec lists them.
    ReasonCode, "reason" {
        AlreadyExempt = "already_exempt",
        PrefersPaperWithGround = "prefers_paper_with_ground",
        DoesNotWantOnline = "does_not_want_online",
        TooFewAnswers = "too_few_answers",
        NoDevice = "no_device",
        NoInternet = "no_internet",
        NoMitid = "no_mitid",
        AccessLow = "access_low",
        SkillsLow = "skills_low",
        MotivationLow = "motivation_low",
        CannotLogInAlone = "cannot_log_in_alone",
        MitidNeedsHelp = "mitid_needs_help",
        NervousOnline = "nervous_online",
        FearOfMistakes = "fear_of_mistakes",
        Language = "language",
        ObservedTaskFailed = "observed_task_failed",
        NoSupportPerson = "no_support_person",
    }
}

vocabulary! {
    /// Answers that contradict each other; shown to the caseworker only.
    Flag, "flag" {
        ManyDontUnderstand = "many_dont_understand",
        SelfRatingVsMitid = "self_rating_vs_mitid",
        NeverOnlineButSkilled = "never_online_but_skilled",
        ObservedVsSelfRating = "observed_vs_self_rating",
    }
}

vocabulary! {
    /// Why a caseworker chose another channel than the suggested one: a required category
    /// beside the free text (statistics count the category, never the text).
    OverrideReason, "override reason" {
        PersonAsked = "person_asked",
        ObservedDifficulties = "observed_difficulties",
        Language = "language",
        Health = "health",
        Other = "other",
    }
}

vocabulary! {
    /// Possible grounds for exemption from Digital Post; the municipality decides.
    ExemptionGround, "exemption ground" {
        NoDeviceOrInternet = "no_device_or_internet",
        NoFixedAddress = "no_fixed_address",
        LanguageOrReading = "language_or_reading",
        MitidDifficulty = "mitid_difficulty",
        Health = "health",
    }
}

vocabulary! {
    /// What to do next, declared in the order the spec lists them.
    NextStep, "next step" {
        PaperChannel = "paper_channel",
        ExemptionRequest = "exemption_request",
        MitidHelp = "mitid_help",
        DeviceAccess = "device_access",
        InternetAccess = "internet_access",
        SkillsCourse = "skills_course",
        TalkAboutWorries = "talk_about_worries",
        LanguageSupport = "language_support",
        SupportPerson = "support_person",
        Rescreen3Months = "rescreen_3_months",
    }
}

vocabulary! {
    /// The kind of a help offer in the job centre's directory (statistics count plans by it).
    OfferKind, "kind of help" {
        Borgerservice = "borgerservice",
        Library = "library",
        Course = "course",
        Language = "language",
        Buddy = "buddy",
        DeviceLoan = "device_loan",
        PowerOfAttorney = "power_of_attorney",
        Other = "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_serde_and_from_str() {
        for c in Channel::ALL {
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(c.as_str().parse::<Channel>(), Ok(*c));
        }
        assert_eq!("self".parse::<Mode>(), Ok(Mode::SelfAssessment));
        assert_eq!("interview".parse::<Mode>(), Ok(Mode::Interview));
        assert!("Self".parse::<Mode>().is_err());
    }

    #[test]
    fn channels_are_ordered_by_autonomy() {
        assert!(Channel::Analogue < Channel::Assisted);
        assert!(Channel::Assisted < Channel::SelfService);
    }
}
