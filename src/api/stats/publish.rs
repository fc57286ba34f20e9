//! What a manager may see of a published figure, and shares of shown figures.

use super::*;
use crate::domain::disclosure::Figure;

/// What a manager sees of a published value; nothing of a view under k people.
#[derive(Clone, Copy)]
pub(crate) struct Shower {
    pub(crate) k: u64,
    pub(crate) visible: bool,
}

impl Shower {
    pub(crate) fn of(people: i64, k: u64) -> Shower {
        Shower {
            k,
            visible: Figure::shown(people, k).count().is_some(),
        }
    }

    pub(crate) fn show(self, published: i64) -> Shown {
        match Figure::shown(published, self.k) {
            Figure::Count(n) if self.visible => Shown::Count(n),
            _ => Shown::Hidden,
        }
    }
}

/// A share in tenths of a per cent of two shown figures: channel shares are shown with
/// one decimal, so a view of 1,000 people stays within a point of the truth.
pub(crate) fn share_tenths(part: Shown, whole: Shown) -> Option<u64> {
    match (part, whole) {
        (Shown::Count(p), Shown::Count(w)) if w > 0 => Some((p * 1000 + w / 2) / w),
        _ => None,
    }
}

/// A share in whole per cent of two shown figures.
pub(crate) fn share(part: Shown, whole: Shown) -> Option<u64> {
    match (part, whole) {
        (Shown::Count(p), Shown::Count(w)) if w > 0 => Some((p * 100 + w / 2) / w),
        _ => None,
    }
}

pub(crate) fn value(s: Shown) -> f64 {
    match s {
        Shown::Count(n) => n as f64,
        Shown::Hidden => f64::NAN,
    }
}
