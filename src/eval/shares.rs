//! Measuring collection-level shares: many collections of whole labeled
//! documents, random and deliberately skewed, and for each the error of
//! the counted ratio and of the corrected share, and how often the
//! corrected share's 95 % interval contains the true share.

use crate::label::LabelMap;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::label::Label;
use crate::quantify::ShareEstimator;

/// How the documents of a collection are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CollectionKind {
    /// Any documents.
    Random,
    /// Only from the 60 % of documents with the lowest true escalation
    /// share (on news: none at all).
    MostlyNeutral,
    /// Half from documents that have escalation sentences, half from those
    /// that have none.
    EscalationHeavy,
}

impl CollectionKind {
    /// All kinds, in table order.
    pub const ALL: [CollectionKind; 3] = [
        CollectionKind::Random,
        CollectionKind::MostlyNeutral,
        CollectionKind::EscalationHeavy,
    ];

    /// Name in tables.
    pub fn name(self) -> &'static str {
        match self {
            CollectionKind::Random => "random",
            CollectionKind::MostlyNeutral => "mostly-neutral",
            CollectionKind::EscalationHeavy => "escalation-heavy",
        }
    }
}

/// Figures of one kind of collection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindFigures {
    /// Collections drawn.
    pub collections: usize,
    /// Mean true share per label.
    pub mean_true_share: LabelMap<f64>,
    /// Mean absolute error of the counted share (top labels counted).
    pub counted_mae: LabelMap<f64>,
    /// Mean absolute error of the corrected share.
    pub corrected_mae: LabelMap<f64>,
    /// Share of collections whose corrected 95 % interval contains the
    /// true share.
    pub coverage: LabelMap<f64>,
    /// Mean width of the corrected interval.
    pub mean_width: LabelMap<f64>,
    /// Share of collections whose 95 % Wilson interval of the counted
    /// escalation ratio contains the true escalation share.
    pub counted_escalation_coverage: f64,
}

/// The study: settings and figures per kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareStudy {
    /// Documents available.
    pub documents: usize,
    /// Documents per collection.
    pub collection_size: usize,
    /// Seed of the draws.
    pub seed: u64,
    /// Figures per kind.
    pub kinds: BTreeMap<CollectionKind, KindFigures>,
}

/// One labeled document: per sentence, true label, predicted label and
/// calibrated probabilities.
struct Doc {
    truth: [usize; Label::COUNT],
    counted: [usize; Label::COUNT],
    prob_sums: [f64; Label::COUNT],
    n: usize,
}

/// Runs the study on sentences grouped by document. `rows` gives, per
/// sentence, (document, true label, predicted label, calibrated
/// probabilities).
pub fn share_study(
    estimator: &ShareEstimator,
    rows: &[(&str, Label, Label, [f32; Label::COUNT])],
    collections: usize,
    size: usize,
    seed: u64,
) -> Result<ShareStudy, String> {
    let mut by_doc: BTreeMap<&str, Doc> = BTreeMap::new();
    for &(d, t, p, probs) in rows {
        let doc = by_doc.entry(d).or_insert(Doc {
            truth: [0; Label::COUNT],
            counted: [0; Label::COUNT],
            prob_sums: [0.0; Label::COUNT],
            n: 0,
        });
        doc.truth[t.index()] += 1;
        doc.counted[p.index()] += 1;
        for (sum, p) in doc.prob_sums.iter_mut().zip(probs) {
            *sum += p as f64;
        }
        doc.n += 1;
    }
    let docs: Vec<Doc> = by_doc.into_values().collect();
    if docs.len() < 2 * size {
        return Err(format!(
            "{} documents are too few for collections of {size} (need at least {})",
            docs.len(),
            2 * size
        ));
    }
    let esc = Label::EscalationWarning.index();
    let esc_share = |d: &Doc| d.truth[esc] as f64 / d.n as f64;
    let mut by_share: Vec<usize> = (0..docs.len()).collect();
    by_share.sort_by(|&a, &b| {
        esc_share(&docs[a])
            .total_cmp(&esc_share(&docs[b]))
            .then(a.cmp(&b))
    });
    let low: Vec<usize> = by_share[..(docs.len() * 6 / 10).max(size)].to_vec();
    let with: Vec<usize> = (0..docs.len())
        .filter(|&i| docs[i].truth[esc] > 0)
        .collect();
    let without: Vec<usize> = (0..docs.len())
        .filter(|&i| docs[i].truth[esc] == 0)
        .collect();
    let mut rng = seed;
    let mut kinds = BTreeMap::new();
    for kind in CollectionKind::ALL {
        let mut f = Sums::default();
        for _ in 0..collections {
            let picked: Vec<usize> = match kind {
                CollectionKind::Random => {
                    sample(&mut rng, &(0..docs.len()).collect::<Vec<_>>(), size)
                }
                CollectionKind::MostlyNeutral => sample(&mut rng, &low, size),
                CollectionKind::EscalationHeavy => {
                    let k = (size / 2).min(with.len());
                    let mut v = sample(&mut rng, &with, k);
                    v.extend(sample(&mut rng, &without, (size - k).min(without.len())));
                    v
                }
            };
            let mut truth = [0usize; Label::COUNT];
            let mut counted = [0usize; Label::COUNT];
            let mut sums = [0.0f64; Label::COUNT];
            let mut n = 0;
            for &i in &picked {
                for c in 0..Label::COUNT {
                    truth[c] += docs[i].truth[c];
                    counted[c] += docs[i].counted[c];
                    sums[c] += docs[i].prob_sums[c];
                }
                n += docs[i].n;
            }
            let est = estimator
                .estimate(&sums, n)
                .expect("collections have sentences");
            f.collections += 1;
            for c in 0..Label::COUNT {
                let t = truth[c] as f64 / n as f64;
                f.truth[c] += t;
                f.counted[c] += (counted[c] as f64 / n as f64 - t).abs();
                f.corrected[c] += (est[c].share - t).abs();
                f.covered[c] += (est[c].low - 1e-9 <= t && t <= est[c].high + 1e-9) as usize as f64;
                f.width[c] += est[c].high - est[c].low;
            }
            let t = truth[esc] as f64 / n as f64;
            let (lo, hi) = crate::report::wilson(counted[esc], n);
            f.wilson += (lo - 1e-9 <= t && t <= hi + 1e-9) as usize as f64;
        }
        kinds.insert(kind, f.finish());
    }
    Ok(ShareStudy {
        documents: docs.len(),
        collection_size: size,
        seed,
        kinds,
    })
}

#[derive(Default)]
struct Sums {
    collections: usize,
    truth: [f64; Label::COUNT],
    counted: [f64; Label::COUNT],
    corrected: [f64; Label::COUNT],
    covered: [f64; Label::COUNT],
    width: [f64; Label::COUNT],
    wilson: f64,
}

impl Sums {
    fn finish(self) -> KindFigures {
        let n = self.collections.max(1) as f64;
        let per = |v: [f64; Label::COUNT]| LabelMap(v.map(|x| x / n));
        KindFigures {
            collections: self.collections,
            mean_true_share: per(self.truth),
            counted_mae: per(self.counted),
            corrected_mae: per(self.corrected),
            coverage: per(self.covered),
            mean_width: per(self.width),
            counted_escalation_coverage: self.wilson / n,
        }
    }
}

/// `k` distinct items of `from`, drawn with a seeded SplitMix64 stream
/// (partial Fisher-Yates).
fn sample(state: &mut u64, from: &[usize], k: usize) -> Vec<usize> {
    let mut v = from.to_vec();
    let k = k.min(v.len());
    let mut rng = crate::rng::SplitMix(*state);
    for i in 0..k {
        let z = rng.next();
        let j = i + (z % (v.len() - i) as u64) as usize;
        v.swap(i, j);
    }
    *state = rng.0;
    v.truncate(k);
    v
}

impl ShareStudy {
    /// The study as an aligned text table.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "collections of {} documents drawn from {} (seed {})",
            self.collection_size, self.documents, self.seed
        );
        let _ = writeln!(
            s,
            "{:<22} {:<19} {:>5} {:>10} {:>10} {:>9} {:>7}",
            "collections", "label", "true", "counted", "corrected", "coverage", "width"
        );
        for (kind, f) in &self.kinds {
            for l in Label::ALL {
                let _ = writeln!(
                    s,
                    "{:<22} {:<19} {:>5.3} {:>10.4} {:>10.4} {:>8.1}% {:>7.3}",
                    format!("{} ({})", kind.name(), f.collections),
                    l.as_str(),
                    f.mean_true_share[l],
                    f.counted_mae[l],
                    f.corrected_mae[l],
                    100.0 * f.coverage[l],
                    f.mean_width[l]
                );
            }
        }
        for (kind, f) in &self.kinds {
            let _ = writeln!(
                s,
                "{:<22} counted escalation ratio: its 95% Wilson interval holds the true share in {:.1}% of collections",
                kind.name(),
                100.0 * f.counted_escalation_coverage
            );
        }
        let _ = writeln!(
            s,
            "(counted, corrected: mean absolute error of the share; coverage: share of collections whose 95% interval holds the true share)"
        );
        s
    }
}
