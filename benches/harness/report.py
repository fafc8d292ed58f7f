#!/usr/bin/env python3
"""Renders the raw results of benches/harness/run.sh as Markdown tables.

  report.py RESULTS_DIR   (prints Markdown on stdout)
"""
import glob
import json
import os
import re
import statistics
import sys

RES = sys.argv[1]


def load(name):
    with open(os.path.join(RES, name)) as f:
        return json.loads(f.read())


def exists(name):
    return os.path.exists(os.path.join(RES, name))


def last_json(name):
    """The last JSON line a peer script printed."""
    with open(os.path.join(RES, name)) as f:
        lines = [l for l in f.read().splitlines() if l.startswith("{")]
    return json.loads(lines[-1])


def rounds(prefix):
    """(time records, stdout names) of every round of a repeated measurement."""
    names = sorted(glob.glob(os.path.join(RES, prefix + ".*.time")))
    return [load(os.path.basename(n)) for n in names], [os.path.basename(n)[:-5] + ".out" for n in names]


def med(xs):
    return statistics.median(xs)


def fmt(x, digits=0):
    if x is None:
        return "n/a"
    if isinstance(x, str):
        return x
    return f"{x:,.{digits}f}"


def mib(kb):
    return kb / 1024


env = load("env.json")
prep = load("prepare.json")
n_stance = int(open(os.path.join(RES, "stance-sentences.txt")).read().split()[0])

# ---------------------------------------------------------------- training
train_out = open(os.path.join(RES, "train-stance.out")).read()
m = re.search(r"macro-F1 ([0-9.]+), accuracy ([0-9.]+)", train_out)
stance_f1 = float(m.group(1))
stance_train_s = float(re.search(r"^time +([0-9.]+) s", train_out, re.M).group(1))
stance_vocab = int(re.search(r"vocabulary +([0-9]+)", train_out).group(1))
t_stance_train = load("train-stance.time")
sk_train = last_json("train-sklearn.out")
t_sk_train = load("train-sklearn.time")
ft_train = last_json("train-fasttext.out")
t_ft_train = load("train-fasttext.time")

# ---------------------------------------------------------------- scoring
def stance_rate(prefix):
    t, _ = rounds(prefix)
    wall = med([r["wall_s"] for r in t])
    return n_stance / wall, wall, max(r["max_rss_kb"] for r in t), len(t)


def peer_rate(prefix, key="sentences_per_s"):
    t, outs = rounds(prefix)
    js = [last_json(o) for o in outs]
    return (med([j[key] for j in js]), med([j["wall_s"] for j in js]),
            max(r["max_rss_kb"] for r in t), med([j["load_s"] for j in js]), js)


s1, s1_wall, s1_rss, nrep = stance_rate("score-stance-1t")
sn, sn_wall, sn_rss, _ = stance_rate("score-stance-nt")
l1, _, l1_rss, _ = stance_rate("score-stance-lines-1t")
ln, _, ln_rss, _ = stance_rate("score-stance-lines-nt")
k1, _, k1_rss, k_load, _ = peer_rate("score-sklearn-1p")
kn, _, kn_rss, _, _ = peer_rate("score-sklearn-np")
f1, _, f1_rss, f_load, fjs = peer_rate("score-fasttext-1p")
fn, _, fn_rss, _, _ = peer_rate("score-fasttext-np")
f1_pred = med([j["predict_only_sentences_per_s"] for j in fjs])
load_stance = load("load-stance.json")
cores = env["cores"]

out = []
w = out.append
w(f"Machine: {env['cpu']}, {cores} cores, {mib(env['mem_kb'])/1024:.1f} GiB; kernel {env['kernel']}.  ")
w(f"Versions: {env['rustc']}; Python {env['python']}, scikit-learn {env['sklearn']}, NumPy {env['numpy']}, "
  f"PyStemmer {env['pystemmer']}, fasttext-wheel {env['fasttext']}; stance commit {env['commit']}.  ")
w(f"Run: {env['date']}, load average at start {env['load_start']}, at end {load('load-end.json')}; "
  f"harness wall time {open(os.path.join(RES, 'harness-seconds.txt')).read().strip()} s; "
  f"scoring figures are the median of {nrep} rounds.")
w("")
w(f"Scoring input: `data/bench/ungdc-slice.jsonl.gz`, {prep['slice_documents']:,} speeches, "
  f"{prep['slice_text_bytes']/1e6:.1f} MB of text, {n_stance:,} sentences as stance splits them. "
  "stance reads the compressed JSONL and splits, scores and writes JSONL to /dev/null; "
  "the peers score the same sentences pre-split, one per line, held in memory "
  "(interpreter start, imports, reading and model load are outside their clock).")
w("")

def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "n/a"


w("| figure | stance | scikit-learn | fastText | stance vs scikit-learn | stance vs fastText |")
w("|---|---:|---:|---:|---:|---:|")
w(f"| training time, s (lower is better) | {stance_train_s:.1f} | {sk_train['train_s']:.1f} | {ft_train['train_s']:.1f} "
  f"| {ratio(stance_train_s, sk_train['train_s'])} the time | {ratio(stance_train_s, ft_train['train_s'])} the time |")
w(f"| training process wall / peak RSS | {t_stance_train['wall_s']:.1f} s / {mib(t_stance_train['max_rss_kb']):.0f} MiB "
  f"| {t_sk_train['wall_s']:.1f} s / {mib(t_sk_train['max_rss_kb']):.0f} MiB "
  f"| {t_ft_train['wall_s']:.1f} s / {mib(t_ft_train['max_rss_kb']):.0f} MiB | | |")
w(f"| held-out macro-F1 (data/stance-test.csv) | {stance_f1:.3f} | {sk_train['macro_f1']:.3f} | {ft_train['macro_f1']:.3f} "
  f"| {stance_f1 - sk_train['macro_f1']:+.3f} | {stance_f1 - ft_train['macro_f1']:+.3f} |")
w(f"| features | {stance_vocab:,} (chi² selected) | {sk_train['features']:,} | 2M hash buckets + words | | |")
w(f"| scoring, 1 core, sentences/s | **{s1:,.0f}** (end to end) | {k1:,.0f} | {f1:,.0f} | **{s1/k1:.1f}×** | **{s1/f1:.1f}×** |")
w(f"| scoring, 1 core, pre-split sentences/s | {l1:,.0f} (`--sentences`) | {k1:,.0f} | {f1_pred:,.0f} (predict only, pre-tokenized) | {l1/k1:.1f}× | {l1/f1_pred:.1f}× |")
w(f"| scoring, {cores} cores, sentences/s | **{sn:,.0f}** (end to end) | {kn:,.0f} ({cores} processes) | {fn:,.0f} ({cores} processes) | **{sn/kn:.1f}×** | **{sn/fn:.1f}×** |")
w(f"| scoring, {cores} cores, pre-split sentences/s | {ln:,.0f} (`--sentences`) | | | {ln/kn:.1f}× | {ln/fn:.1f}× |")
w(f"| speed-up {cores} cores / 1 core | {sn/s1:.2f}× (pre-split {ln/l1:.2f}×) | {kn/k1:.2f}× | {fn/f1:.2f}× | | |")
w(f"| peak RSS, scoring 1 core | {mib(s1_rss):.0f} MiB | {mib(k1_rss):.0f} MiB | {mib(f1_rss):.0f} MiB | | |")
w(f"| peak RSS, scoring {cores} cores | {mib(sn_rss):.0f} MiB | {mib(kn_rss):.0f} MiB (largest process) | {mib(fn_rss):.0f} MiB (largest process) | | |")
w(f"| model load, in process | {load_stance['load_s']*1e3:.1f} ms (+{load_stance['first_predict_s']*1e3:.1f} ms first prediction) "
  f"| {k_load*1e3:.0f} ms (pickle) | {f_load*1e3:.0f} ms | {ratio(k_load, load_stance['load_s'])} faster | {ratio(f_load, load_stance['load_s'])} faster |")
w(f"| model file | {load_stance['model_bytes']/1e6:.2f} MB | {sk_train['model_bytes']/1e6:.2f} MB | {ft_train['model_bytes']/1e6:.0f} MB | | |")
w("")

# ---------------------------------------------------------------- scaling
w("Scaling (stance, all cores; inputs built by truncating or repeating the slice):")
w("")
w("| input | text | documents | wall | MB/s of text | peak RSS |")
w("|---|---:|---:|---:|---:|---:|")
for s in ("10mb", "50mb", "200mb"):
    t = load(f"scale-{s}.time")
    p = prep["scaling_inputs"][f"scale-{s}"]
    w(f"| scale-{s} ({p['repeats_of_slice']}× slice) | {p['text_bytes']/1e6:.0f} MB | {p['documents']:,} | {t['wall_s']:.1f} s "
      f"| {p['text_bytes']/1e6/t['wall_s']:.1f} | {mib(t['max_rss_kb']):.0f} MiB |")
if exists("ungdc-whole.time"):
    t = load("ungdc-whole.time")
    w(f"| whole UN corpus (ungdc_1946-2024, embedded model) | 199 MB | 10,952 | {t['wall_s']:.1f} s | {199/t['wall_s']:.1f} "
      f"| **{mib(t['max_rss_kb']):.0f} MiB** |")
w("")

# ---------------------------------------------------------------- vectorizer
v = load("vectorizer-compare.json")
w(f"Vectorizer comparison ({v['sentences']:,} training sentences, {v['tokens']:,} stemmed tokens, uni+bigrams, min_df 2, median of {v['repeat']}):")
w("")
w("| | stance `TfidfParams`/`FittedTfidf` | linfa-preprocessing 0.8 `TfIdfVectorizer` |")
w("|---|---:|---:|")
w(f"| fit | {v['stance']['fit_s']*1e3:.0f} ms | {v['linfa']['fit_s']*1e3:.0f} ms |")
w(f"| transform, whole set as one batch | — | {v['linfa']['transform_batch_s']*1e3:.0f} ms |")
w(f"| transform, one sentence at a time | {v['stance']['transform_per_sentence_s']*1e3:.0f} ms "
  f"({v['stance']['transform_sentences_per_s']:,.0f}/s) | {v['linfa']['transform_per_sentence_s']*1e3:.0f} ms "
  f"({v['linfa']['transform_sentences_per_s']:,.0f}/s) |")
w(f"| vocabulary | {v['stance']['vocabulary']:,} | {v['linfa']['vocabulary']:,} ({v['vocabulary_common']:,} in common) |")
w(f"| idf depends on the transformed batch | no (saved at fit) | {'yes' if v['linfa']['idf_depends_on_batch'] else 'no'} |")
w("")

# ---------------------------------------------------------------- sweep
sweep = []
for k in ("2000", "6000", "12000", "0"):
    name = "train-stance" if k == "6000" else f"train-stance-features-{k}"
    if not exists(name + ".time"):
        continue
    o = open(os.path.join(RES, name + ".out")).read()
    t = load(name + ".time")
    mm = re.search(r"macro-F1 ([0-9.]+)", o)
    tt = re.search(r"^time +([0-9.]+) s", o, re.M)
    vv = re.search(r"vocabulary +([0-9]+)", o)
    sweep.append((k, vv.group(1) if vv else "?", tt.group(1) if tt else "?", mm.group(1) if mm else "failed", mib(t["max_rss_kb"])))
if len(sweep) > 1:
    w("Training trade-off (stance train --features K):")
    w("")
    w("| --features | vocabulary | time, s | macro-F1 | peak RSS |")
    w("|---:|---:|---:|---:|---:|")
    for k, vv, tt, mm, rss in sweep:
        w(f"| {k if k != '0' else '0 (all)'} | {vv} | {tt} | {mm} | {rss:,.0f} MiB |")
    w("")

# ---------------------------------------------------------------- targets
def check(ok):
    return "met" if ok else "NOT met"


w("Targets:")
w("")
w(f"- scoring ≥ 10× scikit-learn on 1 core: {s1/k1:.1f}× end to end ({l1/k1:.1f}× pre-split): {check(s1/k1 >= 10)}")
w(f"- scoring ≥ 3× fastText on 1 core: {s1/f1:.1f}× end to end ({l1/f1_pred:.1f}× pre-split vs fastText predict only): {check(s1/f1 >= 3)}")
w(f"- near-linear on {cores} cores: {sn/s1:.2f}× end to end, {ln/l1:.2f}× pre-split: {check(sn/s1 >= 0.9*cores)}")
if exists("ungdc-whole.time"):
    t = load("ungdc-whole.time")
    w(f"- ≤ 100 MiB on the whole UN corpus: {mib(t['max_rss_kb']):.0f} MiB: {check(mib(t['max_rss_kb']) <= 100)}")
w(f"- training ≤ 2× scikit-learn's fit time: {stance_train_s/sk_train['train_s']:.1f}×: {check(stance_train_s <= 2*sk_train['train_s'])}")
w(f"- at equal or better macro-F1: {stance_f1:.3f} vs {sk_train['macro_f1']:.3f}: {check(stance_f1 >= sk_train['macro_f1'])}")
print("\n".join(out))
