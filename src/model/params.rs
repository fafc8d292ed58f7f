//! Training hyperparameters: what a model was trained with, saved in its
//! card. They live below [`crate::model`] (the card holds them) and are
//! re-exported by [`crate::train`], which fits them; the model does not
//! depend on the training code.

use serde::{Deserialize, Serialize};

use crate::analysis::AnalyzerConfig;
use crate::features::{ParamError, TfidfParams};
use crate::label::Label;

/// How classes are weighted in the loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassWeight {
    /// Every sentence counts once.
    None,
    /// Each label's rows are replicated so every label carries about the
    /// same total weight (linfa-logistic has no sample weights).
    Balanced,
    /// Every row counts once; after fitting, each intercept is shifted by
    /// ln(target prior) - ln(training prior) (Bayes' rule for a change of
    /// class priors), so the model predicts as if the labels had the target
    /// distribution (`TrainParams::target_prior`; uniform when unset). No
    /// row is copied. (With the other weightings a `target_prior` applies
    /// the same correction, from the prior the fit saw.)
    Prior,
}

/// Training hyperparameters, saved in the model card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    /// Analyzer settings.
    pub analyzer: AnalyzerConfig,
    /// TF-IDF settings.
    pub tfidf: TfidfParams,
    /// Number of terms kept by chi-square selection (`None`: all).
    pub features: Option<usize>,
    /// L2 regularisation strength of the (summed) logistic loss.
    pub alpha: f32,
    /// Class weighting.
    pub class_weight: ClassWeight,
    /// L-BFGS iteration cap. linfa-logistic's gradient tolerance applies to
    /// the summed loss, so on thousands of rows the optimiser runs to this
    /// cap; on our corpus 50 iterations give the same held-out macro-F1 as
    /// 150 (0.690 vs 0.688) in a third of the time (see BENCHMARKS.md).
    pub max_iterations: u64,
    /// L-BFGS gradient-norm tolerance.
    pub gradient_tolerance: f32,
    /// With [`ClassWeight::Balanced`]: how far toward equal label weights
    /// the rows are replicated (label k gets n_k * (max/n_k)^power rows; 1:
    /// fully balanced, 0.5: square-root balancing with far fewer rows).
    #[serde(default = "one")]
    pub balance_power: f64,
    /// Label distribution the fitted intercepts are corrected toward, in
    /// label order. With [`ClassWeight::Prior`] `None` means uniform; with
    /// the other weightings `None` means no correction.
    #[serde(default)]
    pub target_prior: Option<[f64; Label::COUNT]>,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            analyzer: AnalyzerConfig::default(),
            tfidf: TfidfParams::default(),
            features: Some(6000),
            alpha: 1.0,
            class_weight: ClassWeight::Balanced,
            max_iterations: 50,
            gradient_tolerance: 1e-3,
            target_prior: None,
            balance_power: 1.0,
        }
    }
}

impl TrainParams {
    /// Sets the L2 strength.
    pub fn alpha(mut self, v: f32) -> Self {
        self.alpha = v;
        self
    }
    /// Sets the number of selected features.
    pub fn features(mut self, v: Option<usize>) -> Self {
        self.features = v;
        self
    }
    /// Sets class weighting.
    pub fn class_weight(mut self, v: ClassWeight) -> Self {
        self.class_weight = v;
        self
    }
    /// Sets the iteration cap.
    pub fn max_iterations(mut self, v: u64) -> Self {
        self.max_iterations = v;
        self
    }
    /// Sets the label distribution that [`ClassWeight::Prior`] corrects
    /// toward (label order; `None`: uniform).
    pub fn target_prior(mut self, v: Option<[f64; Label::COUNT]>) -> Self {
        self.target_prior = v;
        self
    }
    /// Sets TF-IDF settings.
    pub fn tfidf(mut self, v: TfidfParams) -> Self {
        self.tfidf = v;
        self
    }
    /// Sets analyzer settings.
    pub fn analyzer(mut self, v: AnalyzerConfig) -> Self {
        self.analyzer = v;
        self
    }

    /// Validates every setting once.
    pub fn check(self) -> Result<ValidTrainParams, ParamError> {
        self.tfidf.clone().check()?;
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(ParamError {
                name: "alpha",
                problem: format!("must be a positive number, got {}", self.alpha),
            });
        }
        if self.features == Some(0) {
            return Err(ParamError {
                name: "features",
                problem: "must be at least 1".into(),
            });
        }
        if let Err(problem) = self.analyzer.check() {
            return Err(ParamError {
                name: "ngram",
                problem,
            });
        }
        if let Some(prior) = &self.target_prior {
            let sum: f64 = prior.iter().sum();
            if prior.iter().any(|p| !(p.is_finite() && *p > 0.0)) || (sum - 1.0).abs() > 1e-6 {
                return Err(ParamError {
                    name: "target-prior",
                    problem: format!("must be four positive shares that sum to 1, got {prior:?}"),
                });
            }
        }
        if !(self.balance_power.is_finite() && (0.0..=1.0).contains(&self.balance_power)) {
            return Err(ParamError {
                name: "balance-power",
                problem: format!("must be in [0, 1], got {}", self.balance_power),
            });
        }
        if self.max_iterations == 0 {
            return Err(ParamError {
                name: "max-iterations",
                problem: "must be at least 1".into(),
            });
        }
        if !(self.gradient_tolerance.is_finite() && self.gradient_tolerance > 0.0) {
            return Err(ParamError {
                name: "tolerance",
                problem: "must be positive".into(),
            });
        }
        Ok(ValidTrainParams(self))
    }
}

/// Hyperparameters that passed [`TrainParams::check`]; fitted with
/// [`ValidTrainParams::fit`](crate::train::ValidTrainParams::fit).
#[derive(Debug, Clone)]
pub struct ValidTrainParams(TrainParams);

impl ValidTrainParams {
    /// The validated settings.
    pub fn params(&self) -> &TrainParams {
        &self.0
    }
}

fn one() -> f64 {
    1.0
}
