// A set of reason codes that costs no allocation, so the borderline probe can re-run the
// rules six times cheaply.

use super::super::codes::ReasonCode;

/// Reason codes as a set. The enum is declared in the spec's listing order, so listing the
/// set in declaration order gives every rule's reasons in the order the spec names them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Reasons(u32);

impl Reasons {
    pub(super) fn add_if(&mut self, holds: bool, reason: ReasonCode) {
        if holds {
            self.0 |= 1 << reason as u32;
        }
    }

    pub(super) fn contains(self, reason: ReasonCode) -> bool {
        self.0 & (1 << reason as u32) != 0
    }

    pub(super) fn any(self, reasons: &[ReasonCode]) -> bool {
        reasons.iter().any(|r| self.contains(*r))
    }

    pub(super) fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub(super) fn to_vec(self) -> Vec<ReasonCode> {
        ReasonCode::ALL
            .iter()
            .copied()
            .filter(|r| self.contains(*r))
            .collect()
    }
}
