//! Estimating the share of each label in a collection (quantification),
//! with a 95 % interval that carries the classifier's own error.
//!
//! Counting top labels ("classify and count") is biased whenever a
//! collection's true shares differ from the data the classifier was tuned
//! on: a model that over-calls escalation over-calls it most in neutral
//! collections. The method here is **probabilistic adjusted classify and
//! count** (PACC; Bella et al. 2010): on held-out labeled sentences we
//! measure `M[i][j]`, the mean calibrated probability of label `j` among
//! sentences whose true label is `i`. A collection whose true shares are
//! `π` then has mean calibrated probabilities `q ≈ Mᵀ π`, so the estimate
//! is `π̂ = (Mᵀ)⁻¹ q`, clipped at 0 and renormalised. This is unbiased
//! under a change of label shares (the classifier's behaviour within each
//! label is what the held-out set measured), unlike the mean probability,
//! which drifts toward the held-out set's shares.
//!
//! The interval draws [`BOOTSTRAP_DRAWS`] estimates, each with
//! - `M` re-estimated on a bootstrap resample of the held-out *documents*
//!   (the held-out set is finite, and sentences of one document are
//!   correlated), and
//! - `q` perturbed by the classifier's noise within the collection: the
//!   spread of calibrated probabilities around `M[i]` measured per label on
//!   the held-out set, scaled by the collection's size and inflated by the
//!   design effect of documents (how much more the errors of one
//!   document's sentences add up than independent errors would),
//!
//! and takes their 2.5 and 97.5 percentiles. The interval is for the true
//! share of the sentences of the collection as given; it is measured to
//! cover it on held-out news (BENCHMARKS.md, "Corrected shares").

// The 4 × 4 linear algebra below is written with indices, as its formulas are.
#![allow(clippy::needless_range_loop)]

use serde::{Deserialize, Serialize};

use crate::label::Label;

/// Estimates drawn for each interval.
pub const BOOTSTRAP_DRAWS: usize = 200;

/// The name of the method, as reports print it.
pub const METHOD: &str = "pacc";

type Vec4 = [f64; Label::COUNT];
type Mat4 = [[f64; Label::COUNT]; Label::COUNT];

/// An estimated share with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ShareEstimate {
    /// Point estimate.
    pub share: f64,
    /// Lower bound of the 95 % interval.
    pub low: f64,
    /// Upper bound of the 95 % interval.
    pub high: f64,
}

/// The fitted share estimator, stored in the model (see module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareEstimator {
    /// `rates[i][j]`: mean calibrated p(j) of held-out sentences labeled i.
    pub rates: Mat4,
    /// `(ratesᵀ)⁻¹`.
    inverse: Mat4,
    /// `(ratesᵀ)⁻¹` of each bootstrap resample of the held-out documents.
    inverse_draws: Vec<Mat4>,
    /// Per true label, the covariance of one sentence's error
    /// `(ratesᵀ)⁻¹ (p - rates[i])` (in share space).
    noise: [Mat4; Label::COUNT],
    /// Design effect per label: variance of per-document error sums over
    /// the sum of per-sentence error variances (at least 1).
    design_effect: Vec4,
    /// Standard normal draws, [`BOOTSTRAP_DRAWS`] × 4, fixed so that a
    /// report is reproducible.
    normal_draws: Vec<[f32; Label::COUNT]>,
    /// Held-out rows and documents it was fitted on.
    pub rows: usize,
    /// Documents among them.
    pub documents: usize,
}

/// Why a share estimator could not be fitted.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    /// The held-out rates cannot be inverted (the classifier does not tell
    /// the labels apart on the held-out set).
    #[error(
        "the held-out rates of the labels are (nearly) linearly dependent: the model does not tell the labels apart on the calibration set"
    )]
    Singular,
}

impl ShareEstimator {
    /// Fits the estimator on held-out sentences: their calibrated
    /// probabilities, true labels and document ids (sentences of one
    /// document are resampled together). Every label must occur.
    ///
    /// # Panics
    ///
    /// If the three slices differ in length.
    pub fn fit(
        probs: &[[f32; Label::COUNT]],
        truth: &[Label],
        docs: &[&str],
        seed: u64,
    ) -> Result<ShareEstimator, ShareError> {
        assert!(probs.len() == truth.len() && truth.len() == docs.len());
        // Rows of each document, documents in first-seen order.
        let mut doc_rows: Vec<Vec<usize>> = Vec::new();
        let mut seen = std::collections::HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            let k = *seen.entry(*d).or_insert_with(|| {
                doc_rows.push(Vec::new());
                doc_rows.len() - 1
            });
            doc_rows[k].push(i);
        }
        let rates_of = |rows: &mut dyn Iterator<Item = usize>| -> Mat4 {
            let mut sum = [[0.0; Label::COUNT]; Label::COUNT];
            let mut n = [0usize; Label::COUNT];
            for i in rows {
                let t = truth[i].index();
                n[t] += 1;
                for j in 0..Label::COUNT {
                    sum[t][j] += probs[i][j] as f64;
                }
            }
            for t in 0..Label::COUNT {
                for j in 0..Label::COUNT {
                    sum[t][j] /= n[t].max(1) as f64;
                }
            }
            sum
        };
        let rates = rates_of(&mut (0..probs.len()));
        let inverse = invert(&transpose(&rates)).ok_or(ShareError::Singular)?;

        let mut rng = crate::rng::SplitMix(seed);
        let mut inverse_draws = Vec::with_capacity(BOOTSTRAP_DRAWS);
        let mut attempts = 0;
        while inverse_draws.len() < BOOTSTRAP_DRAWS && attempts < 4 * BOOTSTRAP_DRAWS {
            attempts += 1;
            let picks: Vec<usize> = (0..doc_rows.len())
                .map(|_| rng.below(doc_rows.len()))
                .collect();
            let m = rates_of(&mut picks.iter().flat_map(|&d| doc_rows[d].iter().copied()));
            if let Some(inv) = invert(&transpose(&m)) {
                inverse_draws.push(inv);
            }
        }
        if inverse_draws.len() < BOOTSTRAP_DRAWS {
            return Err(ShareError::Singular);
        }

        // Errors in share space, their covariance per true label and the
        // design effect of documents.
        let err: Vec<Vec4> = (0..probs.len())
            .map(|i| {
                let t = truth[i].index();
                let d: Vec4 = std::array::from_fn(|j| probs[i][j] as f64 - rates[t][j]);
                mat_vec(&inverse, &d)
            })
            .collect();
        let mut noise = [[[0.0; Label::COUNT]; Label::COUNT]; Label::COUNT];
        let mut n = [0usize; Label::COUNT];
        for (i, e) in err.iter().enumerate() {
            let t = truth[i].index();
            n[t] += 1;
            for a in 0..Label::COUNT {
                for b in 0..Label::COUNT {
                    noise[t][a][b] += e[a] * e[b];
                }
            }
        }
        for t in 0..Label::COUNT {
            let denom = n[t].saturating_sub(1).max(1) as f64;
            for row in &mut noise[t] {
                for v in row.iter_mut() {
                    *v /= denom;
                }
            }
        }
        let mut within = [0.0; Label::COUNT];
        let mut total = [0.0; Label::COUNT];
        for e in &err {
            for c in 0..Label::COUNT {
                total[c] += e[c] * e[c];
            }
        }
        for rows in &doc_rows {
            for c in 0..Label::COUNT {
                let s: f64 = rows.iter().map(|&i| err[i][c]).sum();
                within[c] += s * s;
            }
        }
        let design_effect = std::array::from_fn(|c| {
            if total[c] > 0.0 {
                (within[c] / total[c]).max(1.0)
            } else {
                1.0
            }
        });
        let normal_draws = (0..BOOTSTRAP_DRAWS)
            .map(|_| std::array::from_fn(|_| rng.normal() as f32))
            .collect();
        Ok(ShareEstimator {
            rates,
            inverse,
            inverse_draws,
            noise,
            design_effect,
            normal_draws,
            rows: probs.len(),
            documents: doc_rows.len(),
        })
    }

    /// Checks what deserialization cannot: sizes and finite values.
    pub fn validate(&self) -> Result<(), String> {
        if self.inverse_draws.len() != BOOTSTRAP_DRAWS || self.normal_draws.len() != BOOTSTRAP_DRAWS
        {
            return Err(format!(
                "share estimator has {} resampled rates and {} normal draws, expected {BOOTSTRAP_DRAWS}",
                self.inverse_draws.len(),
                self.normal_draws.len()
            ));
        }
        let finite = self
            .rates
            .iter()
            .chain(&self.inverse)
            .chain(self.inverse_draws.iter().flatten())
            .chain(self.noise.iter().flatten())
            .flatten()
            .chain(&self.design_effect)
            .all(|v| v.is_finite())
            && self.normal_draws.iter().flatten().all(|v| v.is_finite());
        if !finite {
            return Err("share estimator has a non-finite value".into());
        }
        Ok(())
    }

    /// Estimated shares of a collection of `n` sentences whose calibrated
    /// probabilities sum to `prob_sums` (per label), with 95 % intervals;
    /// `None` for an empty collection.
    pub fn estimate(&self, prob_sums: &Vec4, n: usize) -> Option<[ShareEstimate; Label::COUNT]> {
        if n == 0 {
            return None;
        }
        let q: Vec4 = prob_sums.map(|s| s / n as f64);
        let point = simplex(mat_vec(&self.inverse, &q), &q);
        // Noise covariance of the collection's shares.
        let mut cov = [[0.0; Label::COUNT]; Label::COUNT];
        for (t, &w) in point.iter().enumerate() {
            for a in 0..Label::COUNT {
                for b in 0..Label::COUNT {
                    cov[a][b] += w * self.noise[t][a][b] / n as f64
                        * (self.design_effect[a] * self.design_effect[b]).sqrt();
                }
            }
        }
        let chol = cholesky(&cov);
        let mut draws: [Vec<f64>; Label::COUNT] =
            std::array::from_fn(|_| Vec::with_capacity(BOOTSTRAP_DRAWS));
        for (inv, z) in self.inverse_draws.iter().zip(&self.normal_draws) {
            let mut pi = mat_vec(inv, &q);
            for a in 0..Label::COUNT {
                for b in 0..=a {
                    pi[a] += chol[a][b] * z[b] as f64;
                }
            }
            for (c, v) in simplex(pi, &q).into_iter().enumerate() {
                draws[c].push(v);
            }
        }
        Some(std::array::from_fn(|c| {
            let d = &mut draws[c];
            d.sort_by(f64::total_cmp);
            ShareEstimate {
                share: point[c],
                low: percentile(d, 0.025).min(point[c]),
                high: percentile(d, 0.975).max(point[c]),
            }
        }))
    }
}

/// Clips negative shares to 0 and renormalises; falls back to `q` when
/// nothing is left.
fn simplex(mut pi: Vec4, q: &Vec4) -> Vec4 {
    for v in &mut pi {
        *v = v.max(0.0);
    }
    let s: f64 = pi.iter().sum();
    if s > 0.0 { pi.map(|v| v / s) } else { *q }
}

/// Linear-interpolated percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let x = p * (sorted.len() - 1) as f64;
    let (i, f) = (x.floor() as usize, x.fract());
    let next = sorted[(i + 1).min(sorted.len() - 1)];
    sorted[i] * (1.0 - f) + next * f
}

fn transpose(m: &Mat4) -> Mat4 {
    std::array::from_fn(|i| std::array::from_fn(|j| m[j][i]))
}

fn mat_vec(m: &Mat4, v: &Vec4) -> Vec4 {
    std::array::from_fn(|i| (0..Label::COUNT).map(|j| m[i][j] * v[j]).sum())
}

/// Inverse of a 4 × 4 matrix by Gauss-Jordan elimination with partial
/// pivoting; `None` when it is (nearly) singular.
fn invert(m: &Mat4) -> Option<Mat4> {
    const N: usize = Label::COUNT;
    let mut a = *m;
    let mut inv: Mat4 = std::array::from_fn(|i| std::array::from_fn(|j| (i == j) as u8 as f64));
    for col in 0..N {
        let pivot = (col..N).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[pivot][col].abs() < 1e-9 {
            return None;
        }
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let d = a[col][col];
        for j in 0..N {
            a[col][j] /= d;
            inv[col][j] /= d;
        }
        for r in 0..N {
            if r != col {
                let f = a[r][col];
                for j in 0..N {
                    a[r][j] -= f * a[col][j];
                    inv[r][j] -= f * inv[col][j];
                }
            }
        }
    }
    Some(inv)
}

/// Lower Cholesky factor of a symmetric positive semi-definite matrix
/// (pivots that are not positive are treated as zero).
fn cholesky(m: &Mat4) -> Mat4 {
    let mut l = [[0.0; Label::COUNT]; Label::COUNT];
    for i in 0..Label::COUNT {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                l[i][i] = (m[i][i] - s).max(0.0).sqrt();
            } else if l[j][j] > 0.0 {
                l[i][j] = (m[i][j] - s) / l[j][j];
            }
        }
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_and_cholesky() {
        let m: Mat4 = [
            [4.0, 1.0, 0.5, 0.0],
            [1.0, 3.0, 0.2, 0.1],
            [0.5, 0.2, 2.0, 0.3],
            [0.0, 0.1, 0.3, 1.0],
        ];
        let inv = invert(&m).unwrap();
        for i in 0..4 {
            for j in 0..4 {
                let v: f64 = (0..4).map(|k| m[i][k] * inv[k][j]).sum();
                assert!((v - (i == j) as u8 as f64).abs() < 1e-12);
            }
        }
        let l = cholesky(&m);
        for i in 0..4 {
            for j in 0..4 {
                let v: f64 = (0..4).map(|k| l[i][k] * l[j][k]).sum();
                assert!((v - m[i][j]).abs() < 1e-12);
            }
        }
        assert!(invert(&[[1.0; 4]; 4]).is_none());
    }

    /// A classifier that confuses labels at known rates: the estimate
    /// undoes the confusion that counting would keep.
    #[test]
    fn corrects_a_known_confusion() {
        // Sentence of true label t gets probabilities 0.7 on t, 0.1 elsewhere.
        let probs_of =
            |t: usize| -> [f32; 4] { std::array::from_fn(|j| if j == t { 0.7 } else { 0.1 }) };
        let mut probs = Vec::new();
        let mut truth = Vec::new();
        let mut docs = Vec::new();
        let names: Vec<String> = (0..80).map(|d| format!("d{d}")).collect();
        for (d, name) in names.iter().enumerate() {
            for s in 0..10 {
                let t = (d + s) % 4;
                let mut p = probs_of(t);
                // A little noise so covariances are not degenerate.
                let e = ((d * 7 + s * 3) % 5) as f32 * 0.01;
                p[t] -= e;
                p[(t + 1) % 4] += e;
                probs.push(p);
                truth.push(Label::ALL[t]);
                docs.push(name.as_str());
            }
        }
        let est = ShareEstimator::fit(&probs, &truth, &docs, 7).unwrap();
        est.validate().unwrap();
        // A collection that is 100 % neutral: mean probabilities 0.1/0.1/0.1/0.7.
        let n = 500;
        let sums = probs_of(3).map(|p| p as f64 * n as f64);
        let e = est.estimate(&sums, n).unwrap();
        assert!(e[3].share > 0.97, "{e:?}");
        assert!(e[1].share < 0.02 && e[1].low <= e[1].share && e[1].share <= e[1].high);
        assert!(e[3].low <= 1.0 && e[3].high <= 1.0 + 1e-12);
        assert!(est.estimate(&[0.0; 4], 0).is_none());
    }
}
