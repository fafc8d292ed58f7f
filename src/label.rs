//! The four stance labels of the annotation guide.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How a sentence frames international security.
///
/// The order of the variants is the column order of every probability
/// vector, report and confusion matrix in this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Label {
    /// Strength, readiness, posture or credible costs as the way to prevent aggression.
    Deterrence,
    /// The danger that a conflict starts, widens, intensifies or turns into confrontation.
    EscalationWarning,
    /// Talks, agreements, de-escalation, restraint or cooperation as the way forward.
    Diplomacy,
    /// None of the three framings.
    Neutral,
}

impl Label {
    /// Every label, in column order.
    pub const ALL: [Label; 4] = [
        Label::Deterrence,
        Label::EscalationWarning,
        Label::Diplomacy,
        Label::Neutral,
    ];

    /// Number of labels.
    pub const COUNT: usize = 4;

    /// The canonical spelling, as in the annotation guide.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Deterrence => "deterrence",
            Label::EscalationWarning => "escalation-warning",
            Label::Diplomacy => "diplomacy",
            Label::Neutral => "neutral",
        }
    }

    /// Column index of this label.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The label at a column index.
    pub fn from_index(i: usize) -> Option<Label> {
        Label::ALL.get(i).copied()
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label string that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown label {0:?} (valid labels: deterrence, escalation-warning, diplomacy, neutral)")]
pub struct UnknownLabel(pub String);

impl FromStr for Label {
    type Err = UnknownLabel;

    /// Parses a label, accepting any case and `_`, `-` or space as the
    /// separator: `Escalation_Warning` and `escalation warning` are both
    /// `escalation-warning`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s
            .trim()
            .chars()
            .map(|c| match c {
                '_' | ' ' => '-',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        match norm.as_str() {
            "deterrence" => Ok(Label::Deterrence),
            "escalation-warning" => Ok(Label::EscalationWarning),
            "diplomacy" => Ok(Label::Diplomacy),
            "neutral" => Ok(Label::Neutral),
            _ => Err(UnknownLabel(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_variants() {
        assert_eq!(
            "Escalation_Warning".parse::<Label>(),
            Ok(Label::EscalationWarning)
        );
        assert_eq!(
            " escalation warning ".parse::<Label>(),
            Ok(Label::EscalationWarning)
        );
        assert_eq!("NEUTRAL".parse::<Label>(), Ok(Label::Neutral));
        let err = "hawkish".parse::<Label>().unwrap_err();
        assert!(err.to_string().contains("valid labels"));
    }

    #[test]
    fn index_round_trips() {
        for l in Label::ALL {
            assert_eq!(Label::from_index(l.index()), Some(l));
            assert_eq!(l.as_str().parse::<Label>(), Ok(l));
        }
    }
}
