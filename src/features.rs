//! TF-IDF features over analyzer terms.
//!
//! [`TfidfParams`] are validated once with [`TfidfParams::check`];
//! [`ValidTfidfParams::fit`] learns a [`FittedTfidf`] (vocabulary and idf), which
//! is saved inside the model and turns terms into sparse, L2-normalised
//! vectors.
//!
//! ```
//! use stance::features::TfidfParams;
//!
//! let docs = vec![
//!     vec!["talk".to_string(), "resum".to_string()],
//!     vec!["talk".to_string(), "fail".to_string()],
//! ];
//! let fitted = TfidfParams::default().min_df(1).max_df(1.0).check().unwrap().fit(&docs);
//! assert_eq!(fitted.len(), 3);
//! let x = fitted.transform(["talk", "fail", "unknown"]);
//! assert_eq!(x.len(), 2); // "unknown" is not in the vocabulary
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A sparse feature vector: `(feature index, value)` pairs sorted by index.
pub type SparseVec = Vec<(u32, f32)>;

/// Largest idf a vectorizer may hold. A fitted idf is `1 + ln((1 + n) /
/// (1 + df))`, under 30 for any training set that fits in memory; larger
/// values only come from a damaged or hand-made model file.
pub const MAX_IDF: f32 = 1e3;

/// TF-IDF settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TfidfParams {
    /// Keep terms that occur in at least this many training sentences.
    pub min_df: usize,
    /// Drop terms that occur in more than this fraction of training sentences.
    pub max_df: f64,
    /// Keep at most this many terms (the most frequent ones).
    pub max_features: Option<usize>,
    /// Use `1 + ln(tf)` instead of the raw count.
    pub sublinear_tf: bool,
    /// Scale every vector to unit Euclidean length.
    pub l2_norm: bool,
}

impl Default for TfidfParams {
    fn default() -> Self {
        TfidfParams {
            min_df: 2,
            max_df: 0.95,
            max_features: Some(50_000),
            sublinear_tf: true,
            l2_norm: true,
        }
    }
}

/// An invalid hyperparameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid parameter {name}: {problem}")]
pub struct ParamError {
    /// Parameter name as on the command line.
    pub name: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl TfidfParams {
    /// Sets `min_df`.
    pub fn min_df(mut self, v: usize) -> Self {
        self.min_df = v;
        self
    }
    /// Sets `max_df`.
    pub fn max_df(mut self, v: f64) -> Self {
        self.max_df = v;
        self
    }
    /// Sets `max_features`.
    pub fn max_features(mut self, v: Option<usize>) -> Self {
        self.max_features = v;
        self
    }
    /// Sets `sublinear_tf`.
    pub fn sublinear_tf(mut self, v: bool) -> Self {
        self.sublinear_tf = v;
        self
    }
    /// Sets `l2_norm`.
    pub fn l2_norm(mut self, v: bool) -> Self {
        self.l2_norm = v;
        self
    }

    /// Validates the settings.
    pub fn check(self) -> Result<ValidTfidfParams, ParamError> {
        if self.min_df == 0 {
            return Err(ParamError {
                name: "min-df",
                problem: "must be at least 1".into(),
            });
        }
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(ParamError {
                name: "max-df",
                problem: format!("must be in (0, 1], got {}", self.max_df),
            });
        }
        if self.max_features == Some(0) {
            return Err(ParamError {
                name: "max-features",
                problem: "must be at least 1".into(),
            });
        }
        Ok(ValidTfidfParams(self))
    }
}

/// TF-IDF settings that passed [`TfidfParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTfidfParams(TfidfParams);

impl ValidTfidfParams {
    /// The validated settings.
    pub fn params(&self) -> &TfidfParams {
        &self.0
    }

    /// Learns the vocabulary and idf from analysed training sentences.
    ///
    /// Terms are ranked by document frequency (ties broken alphabetically)
    /// for the `max_features` cap, then indexed in alphabetical order, so
    /// the result depends only on the data.
    pub fn fit(&self, docs: &[Vec<String>]) -> FittedTfidf {
        let p = &self.0;
        let n = docs.len();
        let mut df: HashMap<&str, usize> = HashMap::new();
        for d in docs {
            let mut terms: Vec<&str> = d.iter().map(String::as_str).collect();
            terms.sort_unstable();
            terms.dedup();
            for t in terms {
                *df.entry(t).or_default() += 1;
            }
        }
        let max_df = (p.max_df * n as f64).floor() as usize;
        let mut kept: Vec<(&str, usize)> = df
            .into_iter()
            .filter(|&(_, c)| c >= p.min_df && c <= max_df.max(1))
            .collect();
        kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        if let Some(cap) = p.max_features {
            kept.truncate(cap);
        }
        kept.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let terms: Vec<String> = kept.iter().map(|(t, _)| t.to_string()).collect();
        let idf: Vec<f32> = kept
            .iter()
            .map(|&(_, c)| (((1 + n) as f64 / (1 + c) as f64).ln() + 1.0) as f32)
            .collect();
        FittedTfidf::from_parts(p.clone(), terms, idf).expect("fit builds consistent parts")
    }
}

/// A fitted vectorizer: vocabulary, idf and the settings that shaped them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "FittedTfidfParts", into = "FittedTfidfParts")]
pub struct FittedTfidf {
    params: TfidfParams,
    terms: Vec<String>,
    idf: Vec<f32>,
    index: HashMap<String, u32>,
}

/// Serialized form of [`FittedTfidf`] (the index is rebuilt on load).
#[derive(Serialize, Deserialize)]
struct FittedTfidfParts {
    params: TfidfParams,
    terms: Vec<String>,
    idf: Vec<f32>,
}

impl TryFrom<FittedTfidfParts> for FittedTfidf {
    type Error = String;
    fn try_from(p: FittedTfidfParts) -> Result<Self, String> {
        FittedTfidf::from_parts(p.params, p.terms, p.idf)
    }
}

impl From<FittedTfidf> for FittedTfidfParts {
    fn from(f: FittedTfidf) -> Self {
        FittedTfidfParts {
            params: f.params,
            terms: f.terms,
            idf: f.idf,
        }
    }
}

impl FittedTfidf {
    /// Builds a vectorizer from its saved parts, checking that they agree.
    pub fn from_parts(
        params: TfidfParams,
        terms: Vec<String>,
        idf: Vec<f32>,
    ) -> Result<FittedTfidf, String> {
        if terms.len() != idf.len() {
            return Err(format!(
                "vocabulary has {} terms but {} idf values",
                terms.len(),
                idf.len()
            ));
        }
        if let Some(bad) = idf.iter().find(|v| !(**v > 0.0 && **v <= MAX_IDF)) {
            return Err(format!(
                "invalid idf value {bad} (idf must be positive and at most {MAX_IDF})"
            ));
        }
        let mut index = HashMap::with_capacity(terms.len());
        for (i, t) in terms.iter().enumerate() {
            if index.insert(t.clone(), i as u32).is_some() {
                return Err(format!("duplicate vocabulary term {t:?}"));
            }
        }
        Ok(FittedTfidf {
            params,
            terms,
            idf,
            index,
        })
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True if the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The settings used at fit time.
    pub fn params(&self) -> &TfidfParams {
        &self.params
    }

    /// The term of a feature index.
    pub fn term(&self, i: u32) -> &str {
        &self.terms[i as usize]
    }

    /// All terms, by feature index.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The idf of a feature index.
    pub fn idf(&self, i: u32) -> f32 {
        self.idf[i as usize]
    }

    /// The feature index of a term.
    pub fn index_of(&self, term: &str) -> Option<u32> {
        self.index.get(term).copied()
    }

    /// Turns terms into a TF-IDF vector. Terms outside the vocabulary are
    /// ignored.
    pub fn transform<'a>(&self, terms: impl IntoIterator<Item = &'a str>) -> SparseVec {
        let mut ids: Vec<u32> = terms.into_iter().filter_map(|t| self.index_of(t)).collect();
        self.weigh(&mut ids)
    }

    /// Turns a list of feature indices (with repeats) into a TF-IDF vector.
    /// `ids` is used as scratch space.
    pub fn weigh(&self, ids: &mut [u32]) -> SparseVec {
        ids.sort_unstable();
        let mut out: SparseVec = Vec::with_capacity(ids.len());
        let mut k = 0;
        while k < ids.len() {
            let id = ids[k];
            let mut count = 0;
            while k < ids.len() && ids[k] == id {
                count += 1;
                k += 1;
            }
            let tf = if self.params.sublinear_tf {
                1.0 + (count as f32).ln()
            } else {
                count as f32
            };
            out.push((id, tf * self.idf[id as usize]));
        }
        if self.params.l2_norm {
            let norm = out.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
            if norm > 0.0 {
                for (_, v) in &mut out {
                    *v /= norm;
                }
            }
        }
        out
    }

    /// A vectorizer restricted to the features in `keep` (indices into
    /// this one), in the order given. Used after feature selection.
    pub fn restrict(&self, keep: &[u32]) -> FittedTfidf {
        let terms = keep
            .iter()
            .map(|&i| self.terms[i as usize].clone())
            .collect();
        let idf = keep.iter().map(|&i| self.idf[i as usize]).collect();
        FittedTfidf::from_parts(self.params.clone(), terms, idf)
            .expect("a subset of a valid vocabulary is valid")
    }
}

/// Chi-square statistic of each feature against the class labels, computed
/// as scikit-learn's `chi2` does on non-negative features: observed per-class
/// feature mass against the mass expected from the class frequencies.
pub fn chi2_scores(
    rows: &[SparseVec],
    classes: &[usize],
    n_classes: usize,
    n_features: usize,
) -> Vec<f64> {
    let mut observed = vec![0f64; n_features * n_classes];
    let mut class_count = vec![0f64; n_classes];
    for (row, &c) in rows.iter().zip(classes) {
        class_count[c] += 1.0;
        for &(j, v) in row {
            observed[j as usize * n_classes + c] += v as f64;
        }
    }
    let n = rows.len().max(1) as f64;
    (0..n_features)
        .map(|j| {
            let obs = &observed[j * n_classes..(j + 1) * n_classes];
            let total: f64 = obs.iter().sum();
            obs.iter()
                .zip(&class_count)
                .map(|(&o, &cc)| {
                    let e = total * cc / n;
                    if e > 0.0 { (o - e) * (o - e) / e } else { 0.0 }
                })
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter()
            .map(|d| d.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn min_df_and_cap() {
        let d = docs(&[&["a", "b", "c"], &["a", "b"], &["a", "d"]]);
        let f = TfidfParams::default()
            .min_df(2)
            .max_df(1.0)
            .check()
            .unwrap()
            .fit(&d);
        assert_eq!(f.terms(), ["a", "b"]);
        let f = TfidfParams::default()
            .min_df(1)
            .max_df(1.0)
            .max_features(Some(1))
            .check()
            .unwrap()
            .fit(&d);
        assert_eq!(f.terms(), ["a"]);
    }

    #[test]
    fn max_df_drops_ubiquitous_terms() {
        let d = docs(&[&["the", "x"], &["the", "y"], &["the", "x"]]);
        let f = TfidfParams::default()
            .min_df(1)
            .max_df(0.9)
            .check()
            .unwrap()
            .fit(&d);
        assert_eq!(f.terms(), ["x", "y"]);
    }

    #[test]
    fn idf_matches_smooth_formula_and_vectors_are_unit_length() {
        let d = docs(&[&["a", "b"], &["a"], &["c"]]);
        let f = TfidfParams::default()
            .min_df(1)
            .max_df(1.0)
            .check()
            .unwrap()
            .fit(&d);
        let ia = f.index_of("a").unwrap();
        assert!((f.idf(ia) - ((4.0f32 / 3.0).ln() + 1.0)).abs() < 1e-6);
        let x = f.transform(["a", "a", "b"]);
        let norm: f32 = x.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        // sublinear tf: a appears twice
        let xa = x.iter().find(|(i, _)| *i == ia).unwrap().1;
        let xb = x.iter().find(|(i, _)| *i != ia).unwrap().1;
        let ib = f.index_of("b").unwrap();
        let ratio = (1.0 + 2f32.ln()) * f.idf(ia) / f.idf(ib);
        assert!((xa / xb - ratio).abs() < 1e-5);
    }

    #[test]
    fn rejects_bad_params() {
        assert!(TfidfParams::default().min_df(0).check().is_err());
        assert!(TfidfParams::default().max_df(1.5).check().is_err());
        assert!(
            TfidfParams::default()
                .max_features(Some(0))
                .check()
                .is_err()
        );
    }

    #[test]
    fn chi2_prefers_discriminative_terms() {
        let rows: Vec<SparseVec> = vec![
            vec![(0, 1.0), (1, 0.5)],
            vec![(0, 1.0), (1, 0.5)],
            vec![(1, 0.5)],
            vec![(1, 0.5)],
        ];
        let s = chi2_scores(&rows, &[0, 0, 1, 1], 2, 2);
        assert!(s[0] > s[1]);
        assert!(s[1].abs() < 1e-9);
    }
}
