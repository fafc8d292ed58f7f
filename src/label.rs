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

    /// What the label means, in a line (from the annotation guide).
    pub fn meaning(self) -> &'static str {
        match self {
            Label::Deterrence => {
                "strength, readiness or credible costs as the way to prevent aggression"
            }
            Label::EscalationWarning => {
                "the danger that a conflict starts, widens, intensifies or turns into confrontation"
            }
            Label::Diplomacy => "talks, agreements, de-escalation, restraint or cooperation",
            Label::Neutral => "none of the three framings",
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

/// One value per label, indexed by [`Label`]: every label is present, in
/// column order. Serialized as a map from label names (`{"deterrence": 3,
/// "escalation-warning": 1, ...}`) in label order, and read back from such
/// a map with every label in it.
///
/// ```
/// use stance::{Label, LabelMap};
///
/// let mut counts = LabelMap::<usize>::default();
/// counts[Label::Diplomacy] += 2;
/// assert_eq!(counts.values().sum::<usize>(), 2);
/// assert_eq!(serde_json::to_string(&counts).unwrap(),
///     r#"{"deterrence":0,"escalation-warning":0,"diplomacy":2,"neutral":0}"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct LabelMap<T>(pub [T; Label::COUNT]);

impl<T> LabelMap<T> {
    /// The map of `f(label)` for every label.
    pub fn from_fn(mut f: impl FnMut(Label) -> T) -> LabelMap<T> {
        LabelMap(std::array::from_fn(|i| f(Label::ALL[i])))
    }

    /// Labels and values, in label order.
    pub fn iter(&self) -> impl Iterator<Item = (Label, &T)> {
        self.into_iter()
    }

    /// Values, in label order.
    pub fn values(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// The map of `f(label, value)`.
    pub fn map<U>(&self, mut f: impl FnMut(Label, &T) -> U) -> LabelMap<U> {
        LabelMap::from_fn(|l| f(l, &self[l]))
    }
}

impl<'a, T> IntoIterator for &'a LabelMap<T> {
    type Item = (Label, &'a T);
    type IntoIter =
        std::iter::Zip<std::array::IntoIter<Label, { Label::COUNT }>, std::slice::Iter<'a, T>>;
    fn into_iter(self) -> Self::IntoIter {
        Label::ALL.into_iter().zip(&self.0)
    }
}

impl<T> std::ops::Index<Label> for LabelMap<T> {
    type Output = T;
    fn index(&self, l: Label) -> &T {
        &self.0[l.index()]
    }
}

impl<T> std::ops::IndexMut<Label> for LabelMap<T> {
    fn index_mut(&mut self, l: Label) -> &mut T {
        &mut self.0[l.index()]
    }
}

impl<T: Serialize> Serialize for LabelMap<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(Label::COUNT))?;
        for (l, v) in self.iter() {
            m.serialize_entry(&l, v)?;
        }
        m.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for LabelMap<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = LabelMap<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map from label names")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out: [Option<T>; Label::COUNT] = [None, None, None, None];
                while let Some((l, v)) = a.next_entry::<Label, T>()? {
                    if out[l.index()].replace(v).is_some() {
                        return Err(serde::de::Error::custom(format!("label {l} appears twice")));
                    }
                }
                if let Some(i) = out.iter().position(Option::is_none) {
                    let missing = Label::ALL[i];
                    return Err(serde::de::Error::custom(format!(
                        "label {missing} is missing"
                    )));
                }
                Ok(LabelMap(out.map(|v| v.expect("checked above"))))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
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
