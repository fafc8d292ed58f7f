#!/usr/bin/env python3
"""Hostile-input battery for stance (issue #11).

Tries the release binary (target/release/stance) the way a new user and an
attacker would: bad encodings, control characters, huge and endless inputs,
odd files (symbolic-link loops, devices, FIFOs, unreadable files, strange
names), CSV/JSONL edge cases, impossible dates, damaged and doctored model
files, hostile output destinations, concurrent writers, signals in the
middle of a write, and option abuse. Every case builds its inputs in a
temporary directory, runs the binary under a wall-clock timeout and an
address-space limit, measures the child's peak RSS (VmHWM, sampled from /proc), and is classified:

  CLEAR-ERROR  non-zero exit, and the message names the file/line/field
  HANDLED      exit 0 and the case's own assertion on the output holds
  BAD          panic (exit 101), killed by a signal, timeout, memory over
               the limit, a destroyed or half-written file, a wrong or
               silent result, or an error that does not say where

Prints a table and a summary; exits 1 if any case is BAD.

    cargo build --release && python3 fuzz/battery/run.py [-k SUBSTRING] [-v]

Python 3 standard library only. Cases that drop privileges (unreadable
files, read-only directories) run the binary as `nobody` when the battery
runs as root, and are skipped otherwise only if the files stay readable.
"""

import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "stance")
MODEL = os.path.join(ROOT, "models", "stance-default.model")
TRAIN_DATA = os.path.join(ROOT, "data", "stance-test.csv")
TIMEOUT = 20.0  # seconds per command
AS_LIMIT = 2 << 30  # address space of the child (RLIMIT_AS)
RSS_LIMIT = 1 << 30  # peak resident memory above this is BAD
NOBODY = 65534
LABELS = ["deterrence", "escalation-warning", "diplomacy", "neutral"]
SENT = "The army warned that any attack would bring a swift response."
SENT2 = "Both sides agreed to resume talks in Geneva next week."


class Bad(Exception):
    """Raised by a check: the case is BAD, with this note."""


class Result:
    def __init__(self, args, rc, out, err, rss, secs, timed_out, expect_signal):
        self.args, self.rc, self.out, self.err = args, rc, out, err
        self.rss, self.secs, self.timed_out = rss, secs, timed_out
        self.expect_signal = expect_signal

    def first_err(self):
        lines = [l for l in self.err.splitlines() if l.strip()]
        return lines[0][:160] if lines else "(no message)"

    def recs(self):
        try:
            return [json.loads(l) for l in self.out.decode().splitlines() if l.strip()]
        except (ValueError, UnicodeDecodeError) as e:
            raise Bad(f"output is not JSONL: {e}")

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError as e:
            raise Bad(f"output is not JSON: {e}")

    def text(self):
        return self.out.decode("utf-8", "replace")


def vm_hwm(pid):
    """The peak resident memory of a running process, from /proc (bytes).

    Not wait4's ru_maxrss: Linux carries the forking parent's (this
    script's) peak over into the child's across execve."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class Proc:
    """A started child: finish() waits for it (wait4, for its rusage)."""

    def __init__(self, ctx, args, p, out, err, t0, expect_signal, stdin_f):
        self.ctx, self.args, self.p, self.outf, self.errf = ctx, args, p, out, err
        self.t0, self.expect_signal, self.stdin_f = t0, expect_signal, stdin_f

    def finish(self, timeout=TIMEOUT):
        timed_out = False
        hwm = 0
        while True:
            hwm = max(hwm, vm_hwm(self.p.pid))
            pid, status, ru = os.wait4(self.p.pid, os.WNOHANG)
            if pid:
                break
            if time.time() - self.t0 > timeout:
                self.p.kill()
                pid, status, ru = os.wait4(self.p.pid, 0)
                timed_out = True
                break
            time.sleep(0.003)
        secs = time.time() - self.t0
        rc = os.waitstatus_to_exitcode(status)
        self.p.returncode = rc
        out = b""
        if self.outf is not None:
            self.outf.seek(0)
            out = self.outf.read()
            self.outf.close()
        self.errf.seek(0)
        err = self.errf.read().decode("utf-8", "replace")
        self.errf.close()
        if self.stdin_f is not None:
            self.stdin_f.close()
        r = Result(self.args, rc, out, err, hwm, secs, timed_out, self.expect_signal)
        self.ctx.results.append(r)
        return r


class Ctx:
    """One case: its temporary directory and the commands it ran."""

    def __init__(self, d):
        self.d = d
        self.results = []

    def path(self, name):
        return os.path.join(self.d, name)

    def file(self, name, data, mode=None):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        if mode is not None:
            os.chmod(p, mode)
        return name

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def spawn(self, *args, stdin=None, stdout=None, nobody=False, expect_signal=False):
        args = [str(a) for a in args]
        if stdin is None:
            stdin_f = open(os.devnull, "rb")
        elif isinstance(stdin, (bytes, str)):
            stdin_f = tempfile.TemporaryFile()
            stdin_f.write(stdin.encode() if isinstance(stdin, str) else stdin)
            stdin_f.seek(0)
        else:
            stdin_f = stdin
        out = tempfile.TemporaryFile() if stdout is None else None
        err = tempfile.TemporaryFile()

        if nobody:
            os.chmod(self.d, 0o755)

        def pre():
            resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if nobody:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)

        t0 = time.time()
        p = subprocess.Popen(
            [BIN] + args, cwd=self.d, stdin=stdin_f, stdout=out if stdout is None else stdout,
            stderr=err, preexec_fn=pre, env=dict(os.environ, NO_COLOR="1", LC_ALL="C.UTF-8"),
        )
        return Proc(self, args, p, out, err, t0, expect_signal, stdin_f if stdin is not None else None)

    def run(self, *args, timeout=TIMEOUT, **kw):
        return self.spawn(*args, **kw).finish(timeout)


# ---------------------------------------------------------------- checks


def err(r, *needles):
    """A clear error: non-zero exit and every needle in the message."""
    if r.rc == 0:
        raise Bad(f"accepted (exit 0): {r.first_err() if r.err.strip() else 'no message'}")
    missing = [n for n in needles if n not in r.err]
    if missing:
        raise Bad(f"error without {missing!r}: {r.first_err()}")
    return ("CLEAR-ERROR", r.first_err())


def ok(r, cond=True, note="wrong output"):
    if r.rc != 0:
        raise Bad(f"failed (exit {r.rc}): {r.first_err()}")
    if callable(cond):
        cond = cond(r)
    if not cond:
        raise Bad(note)
    return ("HANDLED", "")


def either(r, needles, cond=True, note="wrong output"):
    """Clear error naming `needles`, or exit 0 with `cond` true."""
    return ok(r, cond, note) if r.rc == 0 else err(r, *needles)


def warned(r, *needles):
    return all(n in r.err for n in needles)


def no_leftovers(ctx, where="."):
    d = ctx.path(where)
    left = [n for n in os.listdir(d) if n.startswith(".") and "tmp" in n.lower() or n.startswith(".stance")]
    if left:
        raise Bad(f"temporary files left behind: {left}")


def sentences_of(r):
    return [x["text"] for x in r.recs()]


def probs_ok(recs):
    for x in recs:
        p = x["probs"]
        if not all(isinstance(v, (int, float)) and v == v and 0 <= v <= 1 for v in p.values()):
            return False
        if abs(sum(p.values()) - 1) > 0.01:
            return False
    return True


def report_rows(r):
    return r.json()["rows"]


def rows_by(r, field):
    return {tuple(row["key"].values())[0] if row["key"] else None: row for row in report_rows(r)}


# ---------------------------------------------------------------- inputs


def csv_bytes(header, rows, nl="\n"):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=nl, quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for row in rows:
        w.writerow(row)
    return buf.getvalue()


def labeled_rows(n=400):
    with open(TRAIN_DATA, newline="") as f:
        rows = [(r["text"], r["label"]) for r in csv.DictReader(f)]
    return rows[:n]


def labeled(n=400):
    return csv_bytes(["text", "label"], labeled_rows(n))


def model_body():
    with open(MODEL, "rb") as f:
        b = f.read()
    i = b.index(b"\n\n")
    return json.loads(b[i + 2:])


def model_bytes(body_bytes, version=1):
    return (b"STANCE-MODEL %d\nsha256 %s\nlength %d\n\n" % (
        version, hashlib.sha256(body_bytes).hexdigest().encode(), len(body_bytes))) + body_bytes


_BODY = None


def doctored(f):
    """A model whose JSON body `f` changed, with a valid header and checksum."""
    global _BODY
    if _BODY is None:
        _BODY = model_body()
    body = json.loads(json.dumps(_BODY))
    raw = f(body)
    if raw is None:
        raw = json.dumps(body).encode()
    return model_bytes(raw)


# ---------------------------------------------------------------- cases

CASES = []


def case(cid, desc):
    def reg(fn):
        CASES.append((cid, desc, fn))
        return fn
    return reg


def simple(cid, desc, fn):
    CASES.append((cid, desc, fn))


# --- encodings -------------------------------------------------------------

TEXT = f"{SENT}\n{SENT2}\n"


def enc_case(cid, desc, data, name, needles, cmd="score"):
    def fn(t):
        t.file(name, data)
        r = t.run(cmd, "-q", name) if cmd == "score" else t.run(cmd, name)
        return err(r, name, *needles)
    simple(cid, desc, fn)


enc_case("enc-u16le-bom", "UTF-16 LE text with BOM: says UTF-16", TEXT.encode("utf-16"), "a.txt", ["UTF-16"])
enc_case("enc-u16be-bom", "UTF-16 BE text with BOM: says UTF-16", b"\xfe\xff" + TEXT.encode("utf-16-be"), "a.txt", ["UTF-16"])
enc_case("enc-u16le-nobom", "UTF-16 LE without BOM: an error naming the file", TEXT.encode("utf-16-le"), "a.txt", [])
enc_case("enc-u32le-bom", "UTF-32 LE with BOM: says UTF-32 (not UTF-16)", TEXT.encode("utf-32"), "a.txt", ["UTF-32"])
enc_case("enc-u32be-bom", "UTF-32 BE with BOM: says UTF-32", b"\x00\x00\xfe\xff" + TEXT.encode("utf-32-be"), "a.txt", ["UTF-32"])
enc_case("enc-u16-csv", "UTF-16 CSV collection: says UTF-16", csv_bytes(["id", "text"], [["1", SENT]]).encode("utf-16"), "c.csv", ["UTF-16"])
enc_case("enc-u16-jsonl", "UTF-16 JSONL collection: says UTF-16", (json.dumps({"text": SENT}) + "\n").encode("utf-16"), "c.jsonl", ["UTF-16"])
enc_case("enc-u16-labeled", "UTF-16 labeled CSV to eval: says UTF-16", labeled(30).encode("utf-16"), "l.csv", ["UTF-16"], cmd="eval")
enc_case("enc-u16-train", "UTF-16 labeled CSV to train: says UTF-16", labeled(30).encode("utf-16"), "l.csv", ["UTF-16"], cmd="train")
enc_case("enc-u16-report", "UTF-16 text to report: says UTF-16", TEXT.encode("utf-16"), "a.txt", ["UTF-16"], cmd="report")
enc_case("enc-latin1", "Latin-1 text (0xE9): error names file and line", (SENT + "\nCaf\xe9 talks.\n").encode("latin-1"), "a.txt", [":2:"])
enc_case("enc-overlong", "overlong UTF-8 (C0 AF) on line 3", (SENT + "\n" + SENT2 + "\n").encode() + b"x \xc0\xaf y\n", "a.txt", [":3:"])
enc_case("enc-surrogate", "UTF-8-encoded lone surrogate (ED A0 80)", b"ok.\n\xed\xa0\x80 text\n", "a.txt", [":2:"])
enc_case("enc-5byte", "5-byte UTF-8 sequence (F8 88 80 80 80)", b"\xf8\x88\x80\x80\x80\n", "a.txt", [":1:"])
enc_case("enc-latin1-csv", "Latin-1 byte in a CSV field: file and line", csv_bytes(["id", "text"], [["1", SENT], ["2", "Caf\xe9"]]).encode("latin-1"), "c.csv", [":3"])
enc_case("enc-latin1-jsonl", "Latin-1 byte in a JSONL line: file and line", (json.dumps({"text": SENT}) + "\n" + '{"text": "Caf\xe9"}\n').encode("latin-1"), "c.jsonl", [":2"])
enc_case("enc-latin1-labeled", "Latin-1 in labeled CSV: file and line", ("text,label\n" + SENT + ",neutral\nCaf\xe9,neutral\n").encode("latin-1"), "l.csv", ["3"], cmd="eval")
enc_case("enc-nul-mid", "NUL byte in the middle of a text file", (SENT + "\n").encode() * 3 + b"a\x00b\n", "a.txt", ["line 4"])
enc_case("enc-gz-u16", "gzip of UTF-16 text", gzip.compress(TEXT.encode("utf-16")), "a.txt.gz", ["UTF-16"])
enc_case("enc-gz-trunc", "truncated gzip file", gzip.compress((TEXT * 1000).encode())[:300], "a.txt.gz", [])
enc_case("enc-gz-fake", "a .gz name on plain text", TEXT.encode(), "a.txt.gz", [])
enc_case("enc-gz-nul", "gzip bomb of NUL bytes (100 MB)", gzip.compress(b"\x00" * (100 << 20), 1), "z.txt.gz", [])


@case("enc-latin1-skip", "Latin-1 CSV row with --skip-invalid: others scored, row named")
def _(t):
    t.file("c.csv", csv_bytes(["id", "text"], [["1", SENT], ["2", "Caf\xe9"], ["3", SENT2]]).encode("latin-1"))
    r = t.run("score", "-q", "-f", "jsonl", "--skip-invalid", "c.csv")
    return ok(r, lambda r: [x["doc"] for x in r.recs()] == ["1", "3"] and warned(r, "c.csv:3"), "wrong docs or warning")


@case("enc-u8bom-text", "UTF-8 BOM on a text file: not part of the first sentence")
def _(t):
    t.file("a.txt", b"\xef\xbb\xbf" + TEXT.encode())
    r = t.run("score", "-q", "-f", "jsonl", "a.txt")
    return ok(r, lambda r: sentences_of(r) == [SENT, SENT2], "BOM kept in the text")


@case("enc-u8bom-csv", "UTF-8 BOM before a CSV header: `id` column still found")
def _(t):
    t.file("c.csv", b"\xef\xbb\xbf" + csv_bytes(["id", "text"], [["x1", SENT]]).encode())
    r = t.run("score", "-q", "-f", "jsonl", "c.csv")
    return ok(r, lambda r: [x["doc"] for x in r.recs()] == ["x1"], "id column lost behind the BOM")


@case("enc-u8bom-jsonl", "UTF-8 BOM before a JSONL line")
def _(t):
    t.file("c.jsonl", b"\xef\xbb\xbf" + (json.dumps({"id": "j1", "text": SENT}) + "\n").encode())
    r = t.run("score", "-q", "-f", "jsonl", "c.jsonl")
    return either(r, ["c.jsonl"], lambda r: [x["doc"] for x in r.recs()] == ["j1"], "wrong doc")


@case("enc-u8bom-labeled", "UTF-8 BOM before a labeled CSV header")
def _(t):
    t.file("l.csv", b"\xef\xbb\xbf" + labeled(40).encode())
    r = t.run("eval", "l.csv", "--format", "json")
    return ok(r, lambda r: sum(r.json()["per_class"][k]["support"] for k in LABELS) == 40 if isinstance(r.json()["per_class"], dict) else True)


@case("enc-u16-stdin", "UTF-16 on stdin: says UTF-16 and stdin")
def _(t):
    r = t.run("score", "-q", stdin=TEXT.encode("utf-16"))
    return err(r, "UTF-16")


@case("enc-bom-mid", "a BOM in the middle of a line is read as text")
def _(t):
    t.file("a.txt", f"The army\ufeff warned of war.\n")
    r = t.run("score", "-q", "-f", "jsonl", "a.txt")
    return ok(r, lambda r: len(r.recs()) == 1)


# --- control characters and bidi -------------------------------------------

CTRL = "".join(chr(c) for c in range(1, 32) if c not in (9, 10, 13))


@case("ctl-c0", "all C0 controls in a sentence: valid JSONL")
def _(t):
    t.file("a.txt", f"The army{CTRL} warned of war.\n")
    r = t.run("score", "-q", "-f", "jsonl", "a.txt")
    return ok(r, lambda r: len(r.recs()) >= 1 and probs_ok(r.recs()))


@case("ctl-ansi-table", "ANSI escape in text: no raw ESC in the table output")
def _(t):
    t.file("a.txt", "The army \x1b[2J\x1b]0;pwned\x07warned of war.\n")
    r = t.run("score", "-q", "a.txt")
    return ok(r, lambda r: b"\x1b" not in r.out, "raw ESC written to the terminal")


@case("ctl-ansi-report", "ANSI escape in a source name: no raw ESC in the report table")
def _(t):
    t.file("c.csv", csv_bytes(["source", "text"], [["evil\x1b[31m", SENT]]))
    r = t.run("report", "c.csv", "--by", "source")
    return ok(r, lambda r: b"\x1b" not in r.out, "raw ESC written to the terminal")


@case("ctl-ansi-docname", "ANSI escape in a file name: no raw ESC in score's table")
def _(t):
    t.file("d/e\x1b[1mvil.txt", TEXT)
    r = t.run("score", "-q", "d")
    return ok(r, lambda r: b"\x1b" not in r.out, "raw ESC in the table")


@case("ctl-ansi-error", "ANSI escape in the name of a bad file found in a directory: no raw ESC in the error")
def _(t):
    t.file("d/e\x1b[2Jvil.txt", b"x\xff\n")
    r = t.run("score", "-q", "d")
    if "\x1b" in r.err:
        raise Bad("raw ESC written to the terminal: " + ascii(r.first_err()))
    return err(r, "vil.txt")


@case("ctl-ansi-warning", "ANSI escape in a CSV's bad date: no raw ESC in the warning")
def _(t):
    t.file("c.csv", csv_bytes(["date", "text"], [["\x1b]0;owned\x07\x1b[2J", SENT]]))
    r = t.run("report", "c.csv", "--by", "date")
    if "\x1b" in r.err:
        raise Bad("raw ESC written to the terminal: " + ascii(r.first_err()))
    return ok(r, warned(r, "c.csv:2"))


@case("ctl-bidi", "bidi overrides (U+202E, U+2066) in a sentence")
def _(t):
    t.file("a.txt", "The army \u202ewarned\u202c of \u2066war\u2069.\n")
    r = t.run("score", "-q", "-f", "jsonl", "a.txt")
    return ok(r, lambda r: len(r.recs()) == 1 and probs_ok(r.recs()))


@case("ctl-zw", "zero-width characters everywhere")
def _(t):
    t.file("a.txt", "\u200b".join(SENT) + "\n")
    r = t.run("score", "-q", "-f", "jsonl", "a.txt")
    return ok(r, lambda r: len(r.recs()) >= 1)


@case("ctl-combining", "a letter with 200,000 combining marks")
def _(t):
    t.file("a.txt", "The army warned a" + "\u0301" * 200000 + " of war.\n")
    r = t.run("score", "-q", "-f", "jsonl", "a.txt")
    return ok(r, lambda r: all(len(x["text"]) <= 1000 for x in r.recs()), "sentence over 1000 chars")


@case("ctl-cr-only", "lone-CR line ends: line numbers count them")
def _(t):
    t.file("a.txt", f"{SENT}\r\r{SENT2}\r")
    r = t.run("score", "-q", "-f", "jsonl", "a.txt")
    return ok(r, lambda r: [x["line"] for x in r.recs()] == [1, 3], "wrong lines")


@case("ctl-cr-lines", "lone-CR line ends with --sentences: one sentence per line")
def _(t):
    t.file("a.txt", f"{SENT}\r\r{SENT2}\r")
    r = t.run("score", "-q", "-f", "jsonl", "--sentences", "a.txt")
    return ok(r, lambda r: sentences_of(r) == [SENT, SENT2], f"sentences {[x['text'][:20] for x in r.recs()]}")


@case("ctl-crlf", "CRLF line ends: no CR in the text, lines right")
def _(t):
    t.file("a.txt", f"{SENT}\r\n\r\n{SENT2}\r\n")
    r = t.run("score", "-q", "-f", "jsonl", "--sentences", "a.txt")
    return ok(r, lambda r: [x["line"] for x in r.recs()] == [1, 3] and all("\r" not in x["text"] for x in r.recs()))


@case("ctl-u2028", "U+2028/U+2029/NEL separators in text")
def _(t):
    t.file("a.txt", f"{SENT}\u2028{SENT2}\u2029Talks end.\u0085Done.\n")
    r = t.run("score", "-q", "-f", "jsonl", "a.txt")
    return ok(r, lambda r: len(r.recs()) >= 2 and probs_ok(r.recs()))


@case("ctl-ff-vt", "form feeds and vertical tabs")
def _(t):
    t.file("a.txt", f"{SENT}\f{SENT2}\v\v\fEnd.\n")
    r = t.run("score", "-q", "-f", "jsonl", "a.txt")
    return ok(r, lambda r: len(r.recs()) >= 2)


@case("ctl-csv-out", "control characters in a text, score --format csv: parses back")
def _(t):
    t.file("a.txt", f"=cmd{CTRL}x \"quoted\", comma.\n")
    r = t.run("score", "-q", "-f", "csv", "a.txt")
    return ok(r, lambda r: len(list(csv.reader(io.StringIO(r.text())))) == 2, "CSV does not parse back to one row")


# --- huge inputs -----------------------------------------------------------


@case("big-line-20m", "20 MB line without a sentence end: sentences cut at 1000 chars")
def _(t):
    t.file("a.txt", ("war and peace " * 1500000)[:20 << 20])
    r = t.run("score", "-q", "-f", "jsonl", "a.txt", timeout=60)
    return ok(r, lambda r: all(len(x["text"]) <= 1000 for x in r.recs()) and len(r.recs()) > 1000)


@case("big-word-20m", "one 20 MB word")
def _(t):
    t.file("a.txt", "a" * (20 << 20))
    r = t.run("score", "-q", "-f", "jsonl", "a.txt", timeout=60)
    return ok(r, lambda r: all(len(x["text"]) <= 1000 for x in r.recs()))


@case("big-field-csv", "a 20 MB CSV field")
def _(t):
    t.file("c.csv", "id,text\n1," + "war. " * (4 << 20) + "\n2,Peace.\n")
    r = t.run("report", "c.csv", "-f", "json", timeout=60)
    return ok(r, lambda r: len(report_rows(r)) == 2)


@case("big-jsonl-line", "a 20 MB JSONL line")
def _(t):
    t.file("c.jsonl", json.dumps({"text": "peace talks. " * (1600000)}) + "\n")
    r = t.run("report", "c.jsonl", "-f", "json", timeout=60)
    return ok(r, lambda r: len(report_rows(r)) == 1)


@case("big-over-cap", "a 300 MB text file: error naming the file and the cap, bounded memory")
def _(t):
    chunk = (TEXT * 1000).encode()
    with open(t.path("a.txt"), "wb") as f:
        for _ in range((300 << 20) // len(chunk) + 1):
            f.write(chunk)
    r = t.run("score", "-q", "a.txt", timeout=60)
    return err(r, "a.txt", "MiB")


@case("big-gz-over-cap", "gzip expanding to 300 MB of text: error naming the file")
def _(t):
    with gzip.open(t.path("a.txt.gz"), "wb", compresslevel=1) as f:
        chunk = (TEXT * 1000).encode()
        for _ in range((300 << 20) // len(chunk) + 1):
            f.write(chunk)
    r = t.run("score", "-q", "a.txt.gz", timeout=60)
    return err(r, "a.txt.gz", "MiB")


@case("big-rows", "200,000 one-sentence CSV rows: all counted")
def _(t):
    t.file("c.csv", "id,text\n" + "".join(f"{i},Talks {i}.\n" for i in range(200000)))
    r = t.run("report", "c.csv", "--by", "year", "-f", "json", timeout=60)
    return ok(r, lambda r: report_rows(r)[0]["documents"] == 200000)


def blank_lines_case(cid, desc, name, content_fn, args, expect):
    def fn(t):
        t.file(name, content_fn())
        r = t.run(*args, name)
        if callable(expect):
            return expect(r)
        return ok(r, lambda r: [x["line"] for x in r.recs()] == expect, f"lines {[x['line'] for x in r.recs()][:5]} != {expect}")
    simple(cid, desc, fn)


M = 1000000
blank_lines_case("blank-text", "a million blank lines in text: line of the next sentence", "a.txt",
                 lambda: f"{SENT}\n" + "\n" * M + f"{SENT2}\n", ["score", "-q", "-f", "jsonl"], [1, M + 2])
blank_lines_case("blank-lines-mode", "a million blank lines, --sentences", "a.txt",
                 lambda: f"{SENT}\n" + "\n" * M + f"{SENT2}\n", ["score", "-q", "-f", "jsonl", "--sentences"], [1, M + 2])
blank_lines_case("blank-crlf", "a million CRLF blank lines", "a.txt",
                 lambda: f"{SENT}\r\n" + "\r\n" * M + f"{SENT2}\r\n", ["score", "-q", "-f", "jsonl", "--sentences"], [1, M + 2])
blank_lines_case("blank-csv", "a million blank lines in a CSV collection", "c.csv",
                 lambda: f"id,text\n1,{SENT}\n" + "\n" * M + f"2,{SENT2}\n", ["score", "-q", "-f", "jsonl"], [2, M + 3])
blank_lines_case("blank-csv-3", "three blank lines in a CSV collection", "c.csv",
                 lambda: f"id,text\n1,{SENT}\n\n\n\n2,{SENT2}\n", ["score", "-q", "-f", "jsonl"], [2, 6])
blank_lines_case("blank-csv-crlf", "blank CRLF lines in a CSV collection", "c.csv",
                 lambda: f"id,text\r\n1,{SENT}\r\n\r\n\r\n2,{SENT2}\r\n", ["score", "-q", "-f", "jsonl"], [2, 5])
blank_lines_case("blank-csv-head", "blank lines before the CSV header", "c.csv",
                 lambda: f"\n\nid,text\n1,{SENT}\n", ["score", "-q", "-f", "jsonl"], [4])
blank_lines_case("blank-jsonl", "a million blank lines in JSONL", "c.jsonl",
                 lambda: json.dumps({"text": SENT}) + "\n" + "\n" * M + json.dumps({"text": SENT2}) + "\n",
                 ["score", "-q", "-f", "jsonl"], [1, M + 2])
blank_lines_case("blank-labeled", "a million blank lines in a labeled CSV: the rejected row's line", "l.csv",
                 lambda: f"text,label\n{SENT},neutral\n" + "\n" * M + f"{SENT2},bogus\n", ["eval"],
                 lambda r: err(r, "l.csv", str(M + 3)))
blank_lines_case("blank-labeled-3", "three blank lines in a labeled CSV: the rejected row's line", "l.csv",
                 lambda: f"text,label\n{SENT},neutral\n\n\n\n{SENT2},bogus\n", ["eval"],
                 lambda r: err(r, "l.csv:6"))
blank_lines_case("blank-csv-bad", "a bad row after blank lines in a collection: its line", "c.csv",
                 lambda: f"id,text\n1,{SENT}\n\n\n\n2,{SENT2},extra\n", ["score", "-q", "-f", "jsonl"],
                 lambda r: err(r, "c.csv:6"))
blank_lines_case("blank-date", "an unreadable date after blank lines: its line", "c.csv",
                 lambda: f"id,date,text\n1,2023-01-01,{SENT}\n\n\n2,garbage,{SENT2}\n", ["report", "-f", "json", "--by", "date"],
                 lambda r: ok(r, lambda r: warned(r, "c.csv:5"), f"warning not at c.csv:5: {r.first_err()}"))
blank_lines_case("blank-quoted-nl", "a quoted field with blank lines inside: next record's line", "c.csv",
                 lambda: f'id,text\n1,"{SENT}\n\n\nmore."\n2,{SENT2}\n', ["score", "-q", "-f", "jsonl"], [2, 2, 6])


@case("many-files", "3,000 small files in a directory: all read")
def _(t):
    for i in range(3000):
        t.file(f"d/{i % 30}/{i}.txt", f"Talks number {i} resumed.\n")
    r = t.run("report", "d", "--by", "year", "-f", "json", timeout=60)
    return ok(r, lambda r: report_rows(r)[0]["documents"] == 3000)


@case("deep-tree", "a directory tree 1,000 levels deep")
def _(t):
    p = "d"
    os.mkdir(t.path(p))
    for _ in range(1000):
        p += "/a"
        os.mkdir(t.path(p))
    t.file(p + "/x.txt", TEXT)
    t.file("d/y.txt", TEXT)
    r = t.run("score", "-q", "-f", "jsonl", "d")
    return either(r, ["d"], lambda r: len(r.recs()) == 4)


@case("long-name", "a 255-byte file name")
def _(t):
    n = "n" * 251 + ".txt"
    t.file(n, TEXT)
    r = t.run("score", "-q", "-f", "jsonl", n)
    return ok(r, lambda r: r.recs()[0]["doc"] == n)


def name_case(cid, desc, name, args=()):
    def fn(t):
        t.file(os.path.join("d", name) if isinstance(name, str) else b"d/" + name, TEXT) if isinstance(name, str) else None
        if isinstance(name, bytes):
            os.makedirs(t.path("d"), exist_ok=True)
            with open(os.path.join(os.fsencode(t.d), b"d", name), "wb") as f:
                f.write(TEXT.encode())
        r = t.run("score", "-q", "-f", "jsonl", *args, "d")
        return ok(r, lambda r: len(r.recs()) == 2 and probs_ok(r.recs()))
    simple(cid, desc, fn)


name_case("name-newline", "a file name with a newline", "a\nb.txt")
name_case("name-dash", "a file name starting with a dash, in a directory", "-rf.txt")
name_case("name-space", "a file name with spaces and quotes", "a b \"c\" 'd'.txt")
name_case("name-unicode", "a file name in Cyrillic with a bidi override", "\u202eвойна.txt")
name_case("name-badutf8", "a file name that is not UTF-8", b"caf\xe9.txt")
name_case("name-glob", "a file name with glob characters", "*?[a].txt")
name_case("name-dotfile", "a hidden file (dot file)", ".hidden.txt")


@case("name-dash-arg", "a file named `-x.txt` after `--`")
def _(t):
    t.file("-x.txt", TEXT)
    r = t.run("score", "-q", "-f", "jsonl", "--", "-x.txt")
    return ok(r, lambda r: len(r.recs()) == 2)


@case("name-badutf8-csv", "a non-UTF-8 file name in report --format csv: valid UTF-8 output")
def _(t):
    os.makedirs(t.path("d"))
    with open(os.path.join(os.fsencode(t.d), b"d", b"\xff\xfe.txt"), "wb") as f:
        f.write(TEXT.encode())
    r = t.run("report", "d", "-f", "csv")
    return ok(r, lambda r: r.out.decode("utf-8", "strict") and len(list(csv.reader(io.StringIO(r.text())))) == 2)


# --- special files ---------------------------------------------------------


@case("sym-loop", "a symbolic-link loop in a directory")
def _(t):
    t.file("d/a.txt", TEXT)
    os.symlink("loop2", t.path("d/loop1"))
    os.symlink("loop1", t.path("d/loop2"))
    r = t.run("score", "-q", "-f", "jsonl", "d")
    return either(r, ["loop"], lambda r: len(r.recs()) == 2)


@case("sym-parent", "a link to its own parent directory: each file once")
def _(t):
    t.file("d/a.txt", TEXT)
    os.symlink("..", t.path("d/up"))
    os.symlink(".", t.path("d/self"))
    r = t.run("score", "-q", "-f", "jsonl", "d")
    return either(r, ["d"], lambda r: len(r.recs()) == 2, "a file read more than once")


@case("sym-devzero-dir", "x.txt -> /dev/zero inside a directory: no hang")
def _(t):
    t.file("d/a.txt", TEXT)
    os.symlink("/dev/zero", t.path("d/x.txt"))
    r = t.run("score", "-q", "-f", "jsonl", "d")
    return either(r, ["x.txt"], lambda r: len(r.recs()) == 2 and warned(r, "x.txt"), "device skipped without a word")


@case("sym-devzero-arg", "/dev/zero named on the command line: quick error")
def _(t):
    r = t.run("score", "-q", "/dev/zero")
    return err(r, "/dev/zero")


@case("sym-urandom-arg", "/dev/urandom named on the command line: quick error")
def _(t):
    r = t.run("score", "-q", "/dev/urandom")
    return err(r, "/dev/urandom")


@case("sym-devzero-csv", "/dev/zero read as CSV: quick error")
def _(t):
    r = t.run("report", "--input-format", "csv", "/dev/zero")
    return err(r, "/dev/zero")


@case("sym-devzero-jsonl", "/dev/zero read as JSONL: quick error")
def _(t):
    r = t.run("report", "--input-format", "jsonl", "/dev/zero")
    return err(r, "/dev/zero")


@case("sym-devzero-labeled", "/dev/zero as a labeled CSV for train: quick error")
def _(t):
    r = t.run("train", "/dev/zero", "-o", "m.model")
    return err(r, "/dev/zero")


@case("sym-devzero-model", "/dev/zero as a model: quick error")
def _(t):
    r = t.run("score", "-q", "-m", "/dev/zero", stdin=TEXT)
    return err(r, "/dev/zero")


@case("sym-dangling", "a dangling link in a directory")
def _(t):
    t.file("d/a.txt", TEXT)
    os.symlink("nowhere.txt", t.path("d/b.txt"))
    r = t.run("score", "-q", "-f", "jsonl", "d")
    return either(r, ["b.txt"], lambda r: len(r.recs()) == 2)


@case("sym-dangling-arg", "a dangling link named on the command line")
def _(t):
    os.symlink("nowhere.txt", t.path("b.txt"))
    r = t.run("score", "-q", "b.txt")
    return err(r, "b.txt")


@case("fifo-dir", "a FIFO inside a directory: skipped, no hang")
def _(t):
    t.file("d/a.txt", TEXT)
    os.mkfifo(t.path("d/p.txt"))
    r = t.run("score", "-q", "-f", "jsonl", "d", timeout=10)
    return either(r, ["p.txt"], lambda r: len(r.recs()) == 2)


@case("fifo-arg", "a FIFO named on the command line, with a writer")
def _(t):
    os.mkfifo(t.path("p.txt"))

    def writer():
        with open(t.path("p.txt"), "w") as f:
            f.write(TEXT)
    th = threading.Thread(target=writer, daemon=True)
    th.start()
    r = t.run("score", "-q", "-f", "jsonl", "p.txt", timeout=10)
    th.join(1)
    return ok(r, lambda r: len(r.recs()) == 2)


@case("unreadable-arg", "an unreadable file named on the command line (as nobody)")
def _(t):
    t.file("a.txt", TEXT, mode=0o000)
    r = t.run("score", "-q", "a.txt", nobody=True)
    return err(r, "a.txt")


@case("unreadable-in-dir", "an unreadable file inside a directory (as nobody)")
def _(t):
    t.file("d/a.txt", TEXT, mode=0o644)
    t.file("d/b.txt", TEXT, mode=0o000)
    r = t.run("score", "-q", "-f", "jsonl", "d", nobody=True)
    return either(r, ["b.txt"], lambda r: warned(r, "b.txt"), "unreadable file left out without a word")


@case("unreadable-subdir", "an unreadable directory inside a directory (as nobody)")
def _(t):
    t.file("d/a.txt", TEXT, mode=0o644)
    t.file("d/s/b.txt", TEXT, mode=0o644)
    os.chmod(t.path("d/s"), 0o000)
    r = t.run("score", "-q", "-f", "jsonl", "d", nobody=True)
    os.chmod(t.path("d/s"), 0o755)
    return either(r, ["s"], lambda r: warned(r, "s"), "unreadable directory left out without a word")


@case("unreadable-model", "an unreadable model file (as nobody)")
def _(t):
    shutil.copy(MODEL, t.path("m.model"))
    os.chmod(t.path("m.model"), 0)
    r = t.run("inspect", "-m", "m.model", nobody=True)
    return err(r, "m.model")


@case("missing-file", "a file that does not exist")
def _(t):
    r = t.run("score", "-q", "nope.txt")
    return err(r, "nope.txt")


@case("dir-as-model", "a directory given as the model")
def _(t):
    os.mkdir(t.path("m"))
    r = t.run("inspect", "-m", "m")
    return err(r, "m")


@case("dir-as-labeled", "a directory given as train's CSV")
def _(t):
    os.mkdir(t.path("l.csv"))
    r = t.run("train", "l.csv", "-o", "m.model")
    return err(r, "l.csv")


@case("empty-text", "an empty text file")
def _(t):
    t.file("a.txt", "")
    r = t.run("score", "-q", "a.txt")
    return err(r, "a.txt")


@case("empty-dir", "an empty directory")
def _(t):
    os.mkdir(t.path("d"))
    r = t.run("score", "-q", "d")
    return err(r, "d")


@case("ws-only", "a file of spaces and newlines only")
def _(t):
    t.file("a.txt", " \n\t\n   \n" * 1000)
    r = t.run("score", "-q", "a.txt")
    return err(r, "a.txt")


@case("stdin-empty", "empty stdin")
def _(t):
    r = t.run("score", "-q", stdin=b"")
    return err(r, "-")


@case("stdin-binary", "binary garbage on stdin")
def _(t):
    r = t.run("score", "-q", stdin=bytes(range(256)) * 100)
    return err(r, "-")


@case("stdin-twice", "`-` named twice")
def _(t):
    r = t.run("score", "-q", "-f", "jsonl", "-", "-", stdin=TEXT)
    return either(r, ["-"], lambda r: len(r.recs()) == 2)


@case("glob-nothing", "--glob matching nothing")
def _(t):
    t.file("d/a.txt", TEXT)
    r = t.run("score", "-q", "--glob", "*.nothing", "d")
    return err(r, "d")


@case("glob-invalid", "an invalid --glob pattern")
def _(t):
    t.file("d/a.txt", TEXT)
    r = t.run("score", "-q", "--glob", "[", "d")
    return err(r, "[")


@case("glob-empty", "an empty --glob pattern")
def _(t):
    t.file("d/a.txt", TEXT)
    r = t.run("score", "-q", "-f", "jsonl", "--glob", "", "d")
    return either(r, ["glob"], lambda r: True)


@case("exclude-all", "--exclude '**' leaves nothing: says so")
def _(t):
    t.file("d/a.txt", TEXT)
    r = t.run("score", "-q", "--exclude", "**", "d")
    return err(r, "d")


# --- CSV and JSONL collections ---------------------------------------------


def coll_err(cid, desc, name, data, needles, cmd=("score", "-q", "-f", "jsonl")):
    def fn(t):
        t.file(name, data)
        r = t.run(*cmd, name)
        return err(r, name, *needles)
    simple(cid, desc, fn)


coll_err("csv-dup-text", "duplicated `text` header in a collection", "c.csv", f"id,text,text\n1,{SENT},{SENT2}\n", ["text"])
coll_err("csv-dup-id", "duplicated `id` header in a collection", "c.csv", f"id,id,text\n1,2,{SENT}\n", ["id"])
coll_err("csv-dup-date", "duplicated `date` header", "c.csv", f"date,text,date\n2023-01-01,{SENT},2024-01-01\n", ["date"], ("report", "--by", "year"))
coll_err("csv-dup-source", "duplicated `source` header", "c.csv", f"source,text,source\nA,{SENT},B\n", ["source"], ("report", "--by", "source"))
coll_err("csv-dup-title", "duplicated `title` header", "c.csv", f"title,text,title\nA,{SENT},B\n", ["title"])
coll_err("csv-dup-custom", "duplicated --text-column header", "c.csv", f"body,body\n{SENT},{SENT2}\n", ["body"], ("score", "-q", "--text-column", "body"))
coll_err("csv-header-only", "a CSV with a header line only", "c.csv", "id,text\n", [])
coll_err("csv-header-only-report", "report on a CSV with a header line only", "c.csv", "id,text\n", [], ("report",))
coll_err("csv-empty", "an empty .csv file", "c.csv", "", [])
coll_err("jsonl-empty", "an empty .jsonl file", "c.jsonl", "", [])
coll_err("jsonl-blank-only", "a .jsonl file of blank lines", "c.jsonl", "\n\n\n", [])
coll_err("csv-no-text", "a CSV without a `text` column", "c.csv", "id,body\n1,x\n", ["text"])
coll_err("csv-bad-textcol", "--text-column naming no column", "c.csv", f"id,text\n1,{SENT}\n", ["nope"], ("score", "-q", "--text-column", "nope"))
coll_err("csv-extra-field", "a row with an extra field", "c.csv", f"id,text\n1,{SENT}\n2,{SENT2},x\n", [":3"])
coll_err("csv-missing-field", "a row with a missing field", "c.csv", f"id,source,text\n1,a,{SENT}\n2,b\n", [":3"])
coll_err("csv-open-quote", "a quote that never closes", "c.csv", f'id,text\n1,"{SENT}\n2,{SENT2}\n' + "x\n" * 1000, [":2"])
coll_err("csv-semicolon", "a semicolon-separated file named .csv", "c.csv", f"id;text\n1;{SENT}\n", ["text"])
coll_err("csv-nul", "a NUL byte in a CSV field", "c.csv", f"id,text\n1,{SENT}\n2,a\x00b\n", ["3"])
coll_err("jsonl-nested", "JSONL text field is an object", "c.jsonl", json.dumps({"text": {"a": SENT}}) + "\n", [":1"])
coll_err("jsonl-null", "JSONL text field is null", "c.jsonl", json.dumps({"text": SENT}) + "\n" + json.dumps({"text": None}) + "\n", [":2"])
coll_err("jsonl-array", "a JSONL line that is an array", "c.jsonl", json.dumps([SENT]) + "\n", [":1"])
coll_err("jsonl-deep", "a JSONL line nested 100,000 deep", "c.jsonl", "[" * 100000 + "]" * 100000 + "\n", [":1"])
coll_err("jsonl-deep-field", "a deeply nested value in an unused field", "c.jsonl", '{"text":"a.","x":' + "[" * 100000 + "]" * 100000 + "}\n", [":1"])
coll_err("jsonl-trailing", "a JSONL line with garbage after the object", "c.jsonl", json.dumps({"text": SENT}) + " xyz\n", [":1"])
coll_err("jsonl-surrogate", "a lone surrogate escape in a JSON string", "c.jsonl", '{"text": "war \\ud800 now"}\n', [":1"])
coll_err("jsonl-dup-key", "a JSONL object with `text` twice", "c.jsonl", '{"text": "War is near.", "text": "Peace."}\n', [":1", "text"])
coll_err("jsonl-no-text", "a JSONL object without `text`", "c.jsonl", json.dumps({"body": SENT}) + "\n", [":1", "text"])
coll_err("jsonl-truncated", "a JSONL file cut in the middle of an object", "c.jsonl", json.dumps({"text": SENT}) + "\n" + '{"text": "abc', [":2"])


@case("csv-formula-input", "fields starting with =, +, -, @, tab, CR are read as they are")
def _(t):
    texts = ["=HYPERLINK(\"x\") war.", "+1 army.", "-2 talks.", "@SUM(A1) peace.", "\tTabbed war.", "\rCR talks."]
    # Every field quoted: Python's csv module leaves a field with a lone CR
    # unquoted when the line terminator is "\n", which is a broken CSV.
    t.file("c.csv", "id,text\n" + "".join('"=id%d","%s"\n' % (i, x.replace('"', '""')) for i, x in enumerate(texts)))
    r = t.run("score", "-q", "-f", "jsonl", "c.csv")
    return ok(r, lambda r: [x["doc"] for x in r.recs()] == [f"=id{i}" for i in range(6)]
              and [x["text"] for x in r.recs()][:4] == texts[:4], "input cells changed")


@case("csv-formula-report-csv", "formula ids: report --format csv guards the cells")
def _(t):
    t.file("c.csv", csv_bytes(["id", "text"], [["=cmd|' /C calc'!A0", SENT], ["@x", SENT2]]))
    r = t.run("report", "c.csv", "-f", "csv")
    rows = list(csv.reader(io.StringIO(r.text()))) if r.rc == 0 else []
    return ok(r, lambda r: sorted(x[0] for x in rows[1:]) == ["'=cmd|' /C calc'!A0", "'@x"], f"cells {[x[0] for x in rows[1:]]}")


@case("csv-formula-raw", "formula ids with --csv-raw: written as they are")
def _(t):
    t.file("c.csv", csv_bytes(["id", "text"], [["=1+1", SENT]]))
    r = t.run("report", "c.csv", "-f", "csv", "--csv-raw")
    return ok(r, lambda r: list(csv.reader(io.StringIO(r.text())))[1][0] == "=1+1")


@case("csv-formula-score-csv", "formula text: score --format csv guards the text cell")
def _(t):
    t.file("c.csv", csv_bytes(["id", "text"], [["1", "=2+3 war."]]))
    r = t.run("score", "-q", "-f", "csv", "c.csv")
    return ok(r, lambda r: any(c.startswith("'=2+3") for row in csv.reader(io.StringIO(r.text())) for c in row))


@case("csv-quoted-nl-line", "quoted newlines: the next record's line")
def _(t):
    t.file("c.csv", f'id,text\n1,"{SENT}\nsecond line.\nthird."\n2,{SENT2}\n')
    r = t.run("score", "-q", "-f", "jsonl", "c.csv")
    return ok(r, lambda r: r.recs()[-1]["line"] == 5)


@case("csv-empty-text", "an empty text field: document with no sentence, not an error")
def _(t):
    t.file("c.csv", f"id,text\n1,\n2,{SENT}\n")
    r = t.run("report", "c.csv", "-f", "json")
    return either(r, ["c.csv"], lambda r: sum(x["sentences"] for x in report_rows(r)) == 1)


@case("csv-number-text", "numbers as text")
def _(t):
    t.file("c.csv", "id,text\n1,12345\n2,1e308\n3,-0\n")
    r = t.run("score", "-q", "-f", "jsonl", "c.csv")
    return ok(r, lambda r: [x["text"] for x in r.recs()] == ["12345", "1e308", "-0"])


@case("csv-quote-in-unquoted", "a quote inside an unquoted field")
def _(t):
    t.file("c.csv", f'id,text\n1,He said "war" now.\n2,{SENT2}\n')
    r = t.run("score", "-q", "-f", "jsonl", "c.csv")
    return either(r, ["c.csv"], lambda r: len(r.recs()) == 2)


@case("csv-header-case", "header `TEXT`/`Id` in capitals")
def _(t):
    t.file("c.csv", f"Id,TEXT\n1,{SENT}\n")
    r = t.run("score", "-q", "-f", "jsonl", "c.csv")
    return either(r, ["c.csv", "text"], lambda r: r.recs()[0]["text"] == SENT)


@case("csv-header-space", "header ` text ` with spaces")
def _(t):
    t.file("c.csv", f"id, text \n1,{SENT}\n")
    r = t.run("score", "-q", "-f", "jsonl", "c.csv")
    return either(r, ["c.csv", "text"], lambda r: r.recs()[0]["text"] == SENT)


@case("csv-empty-header", "an empty header name")
def _(t):
    t.file("c.csv", f"id,,text\n1,x,{SENT}\n")
    r = t.run("score", "-q", "-f", "jsonl", "c.csv")
    return ok(r, lambda r: r.recs()[0]["text"] == SENT)


@case("tsv-commas", "a TSV whose text has commas")
def _(t):
    t.file("c.tsv", f"id\ttext\n1\tWar, they said, is near.\n")
    r = t.run("score", "-q", "-f", "jsonl", "c.tsv")
    return ok(r, lambda r: r.recs()[0]["text"] == "War, they said, is near.")


@case("csv-many-cols", "a CSV with 100,000 columns")
def _(t):
    t.file("c.csv", ",".join(["text"] + [f"c{i}" for i in range(100000)]) + "\n" + ",".join([SENT] + ["x"] * 100000) + "\n")
    r = t.run("score", "-q", "-f", "jsonl", "c.csv")
    return ok(r, lambda r: r.recs()[0]["text"] == SENT)


@case("csv-skip-invalid", "--skip-invalid with three bad rows of kinds: others kept, each named")
def _(t):
    t.file("c.csv", f"id,text\n1,{SENT}\n2,a,b\n3,{SENT2}\n4\n")
    r = t.run("score", "-q", "-f", "jsonl", "--skip-invalid", "c.csv")
    return ok(r, lambda r: [x["doc"] for x in r.recs()] == ["1", "3"] and warned(r, "c.csv:3", "c.csv:5"))


@case("csv-skip-many", "--skip-invalid with 100,000 bad rows: one kept, all counted")
def _(t):
    t.file("c.csv", "id,text\n" + "1,a,b\n" * 100000 + f"2,{SENT}\n")
    r = t.run("score", "-q", "-f", "jsonl", "--skip-invalid", "c.csv")
    return ok(r, lambda r: len(r.recs()) == 1 and "100000 invalid records skipped" in r.err)


@case("jsonl-number-text", "JSONL text as a number")
def _(t):
    t.file("c.jsonl", '{"text": 12345}\n')
    r = t.run("score", "-q", "-f", "jsonl", "c.jsonl")
    return either(r, ["c.jsonl:1"], lambda r: r.recs()[0]["text"] == "12345")


@case("jsonl-huge-number", "JSONL with 1e400 and a 5,000-digit integer in other fields")
def _(t):
    t.file("c.jsonl", '{"text": "War.", "x": 1e400, "y": ' + "9" * 5000 + "}\n")
    r = t.run("score", "-q", "-f", "jsonl", "c.jsonl")
    return either(r, ["c.jsonl:1"], lambda r: len(r.recs()) == 1)


@case("jsonl-id-number", "JSONL id as a number and as an object")
def _(t):
    t.file("c.jsonl", '{"id": 7, "text": "War."}\n{"id": {"a": 1}, "text": "Peace."}\n')
    r = t.run("score", "-q", "-f", "jsonl", "c.jsonl")
    return either(r, ["c.jsonl:2", "id"], lambda r: r.recs()[0]["doc"] == "7")


@case("jsonl-crlf-nolast", "JSONL with CRLF and no final newline")
def _(t):
    t.file("c.jsonl", json.dumps({"text": SENT}) + "\r\n" + json.dumps({"text": SENT2}))
    r = t.run("score", "-q", "-f", "jsonl", "c.jsonl")
    return ok(r, lambda r: [x["line"] for x in r.recs()] == [1, 2])


@case("jsonl-escapes", "JSON escapes (\\u0000, \\n, emoji pairs) in text")
def _(t):
    t.file("c.jsonl", '{"text": "War\\u0000 is\\nnear \\ud83d\\ude00."}\n')
    r = t.run("score", "-q", "-f", "jsonl", "c.jsonl")
    return ok(r, lambda r: len(r.recs()) >= 1 and probs_ok(r.recs()))


@case("jsonl-skip-invalid", "--skip-invalid JSONL: bad lines named, good ones kept")
def _(t):
    t.file("c.jsonl", json.dumps({"text": SENT}) + "\nnot json\n" + json.dumps({"text": SENT2}) + "\n{}\n")
    r = t.run("score", "-q", "-f", "jsonl", "--skip-invalid", "c.jsonl")
    return ok(r, lambda r: len(r.recs()) == 2 and warned(r, "c.jsonl:2", "c.jsonl:4"))


@case("html-in-field", "a CSV field holding a web page with <script>")
def _(t):
    t.file("c.csv", csv_bytes(["id", "text"], [["1", f"<html><body><script>alert(1)</script><p>{SENT}</p></body></html>"]]))
    r = t.run("score", "-q", "-f", "jsonl", "c.csv")
    return ok(r, lambda r: [x["text"] for x in r.recs()] == [SENT])


@case("html-huge-nesting", "HTML nested 50,000 divs deep")
def _(t):
    t.file("a.html", "<html><body>" + "<div>" * 50000 + f"<p>{SENT}</p>" + "</div>" * 50000 + "</body></html>")
    r = t.run("score", "-q", "-f", "jsonl", "a.html", timeout=30)
    return either(r, ["a.html"], lambda r: SENT in [x["text"] for x in r.recs()])


@case("html-unclosed", "HTML with 100,000 unclosed tags")
def _(t):
    t.file("a.html", "<html><body>" + "<b><i>" * 50000 + SENT)
    r = t.run("score", "-q", "-f", "jsonl", "a.html", timeout=30)
    return either(r, ["a.html"], lambda r: len(r.recs()) >= 1)


@case("md-deep-quote", "Markdown with 10,000 nested block quotes")
def _(t):
    t.file("a.md", ">" * 10000 + " " + SENT + "\n")
    r = t.run("score", "-q", "-f", "jsonl", "a.md")
    return either(r, ["a.md"], lambda r: len(r.recs()) >= 1)


@case("md-unclosed-fence", "Markdown with a code fence that never closes")
def _(t):
    t.file("a.md", f"{SENT}\n\n```\ncode\n" * 1000)
    r = t.run("score", "-q", "-f", "jsonl", "a.md")
    return ok(r, lambda r: len(r.recs()) >= 1)


@case("fmt-csv-on-text", "--input-format csv on prose")
def _(t):
    t.file("a.txt", TEXT)
    r = t.run("score", "-q", "--input-format", "csv", "a.txt")
    return err(r, "a.txt", "text")


@case("fmt-jsonl-on-csv", "--input-format jsonl on a CSV")
def _(t):
    t.file("c.csv", f"id,text\n1,{SENT}\n")
    r = t.run("score", "-q", "--input-format", "jsonl", "c.csv")
    return err(r, "c.csv:1")


# --- labeled CSV -----------------------------------------------------------


def lab_err(cid, desc, data, needles, cmd="eval"):
    def fn(t):
        t.file("l.csv", data)
        r = t.run(cmd, "l.csv") if cmd == "eval" else t.run("train", "l.csv", "-o", "m.model")
        return err(r, "l.csv", *needles)
    simple(cid, desc, fn)


lab_err("lab-dup-text", "labeled CSV with `text` twice (eval)", f"text,label,text\n{SENT},neutral,{SENT2}\n", ["text"])
lab_err("lab-dup-label", "labeled CSV with `label` twice (eval)", f"text,label,label\n{SENT},neutral,diplomacy\n", ["label"])
lab_err("lab-dup-text-train", "labeled CSV with `text` twice (train)", csv_bytes(["text", "label", "text"], [(a, b, "x") for a, b in labeled_rows(60)]), ["text"], cmd="train")
lab_err("lab-dup-doc", "labeled CSV with `doc` twice (eval)", f"text,label,doc,doc\n{SENT},neutral,a,b\n", ["doc"])
lab_err("lab-header-only", "labeled CSV with a header only (eval)", "text,label\n", [])
lab_err("lab-header-only-train", "labeled CSV with a header only (train)", "text,label\n", [], cmd="train")
lab_err("lab-no-label", "labeled CSV without a `label` column", f"text\n{SENT}\n", ["label"])
lab_err("lab-bad-label", "an unknown label on line 3", f"text,label\n{SENT},neutral\n{SENT2},war\n", [":3"])
lab_err("lab-empty-text", "an empty text on line 2", "text,label\n,neutral\n", [":2"])
lab_err("lab-quoted-nl", "a rejected row after a quoted multi-line field", f'text,label\n"{SENT}\nmore.",neutral\n{SENT2},bogus\n', [":4"])
lab_err("lab-one-class", "train on one label only", csv_bytes(["text", "label"], [(f"Talks {i} went on.", "neutral") for i in range(50)]), ["label"], cmd="train")
lab_err("lab-one-row", "train on a single row", f"text,label\n{SENT},neutral\n", [], cmd="train")
lab_err("lab-u32", "labeled CSV in UTF-32", labeled(20).encode("utf-32"), ["UTF-32"])


@case("lab-where-nocol", "eval --where on a column that does not exist")
def _(t):
    t.file("l.csv", labeled(40))
    r = t.run("eval", "l.csv", "--where", "nope=x")
    return err(r, "nope")


@case("lab-where-noeq", "eval --where without `=`")
def _(t):
    t.file("l.csv", labeled(40))
    r = t.run("eval", "l.csv", "--where", "selection")
    return err(r, "selection")


@case("lab-where-none", "eval --where matching no row")
def _(t):
    t.file("l.csv", csv_bytes(["text", "label", "selection"], [(a, b, "x") for a, b in labeled_rows(40)]))
    r = t.run("eval", "l.csv", "--where", "selection=y")
    return err(r, "selection")


@case("lab-label-forms", "labels in odd case and with `_`/space: all read")
def _(t):
    t.file("l.csv", f"text,label\n{SENT}, Escalation_Warning \n{SENT2},DIPLOMACY\nTalks.,escalation warning\n")
    r = t.run("eval", "l.csv", "--format", "json")
    return ok(r)


@case("lab-skip-invalid", "train --skip-invalid with bad rows: counted in the card")
def _(t):
    rows = labeled_rows(200) + [(SENT, "bogus"), ("", "neutral")]
    t.file("l.csv", csv_bytes(["text", "label"], rows))
    r = t.run("train", "l.csv", "-o", "m.model", "--skip-invalid", "--holdout", "0")
    if r.rc != 0:
        return ok(r)
    r2 = t.run("inspect", "-m", "m.model", "--json")
    return ok(r2, lambda r2: r2.json()["rows_rejected"] == 2 if "rows_rejected" in r2.json() else "rows_rejected\": 2" in r2.text())


# --- dates -----------------------------------------------------------------


def date_case(cid, desc, date, expect, by="date", error=False):
    """expect: None -> undated with a warning naming line 2; else the key.
    error: a clear error naming the record is right too."""
    def fn(t):
        t.file("c.csv", csv_bytes(["id", "date", "text"], [["1", date, SENT]]))
        r = t.run("report", "c.csv", "--by", by, "-f", "json")
        if r.rc != 0:
            return err(r, "c.csv", "2") if error else ok(r)
        keys = [list(x["key"].values())[0] for x in report_rows(r)]
        if expect is None:
            return ok(r, keys in ([None], ["(no date)"], [""]) and warned(r, "c.csv:2"),
                      f"read as {keys} (warning: {warned(r, 'c.csv:2')})")
        return ok(r, keys == [expect], f"read as {keys}, expected {expect}")
    simple(cid, desc, fn)


date_case("date-feb29", "2023-02-29 (not a leap year)", "2023-02-29", None)
date_case("date-feb29-words", "29 February 2023", "29 February 2023", None)
date_case("date-feb29-us", "February 29, 2023", "February 29, 2023", None)
date_case("date-year0", "year 0000", "0000-01-01", None)
date_case("date-year0-words", "1 January 0000", "1 January 0000", None)
date_case("date-month13", "month 13", "2023-13-01", None)
date_case("date-month0", "month 00", "2023-00-10", None)
date_case("date-day0", "day 00", "2023-01-00", None)
date_case("date-apr31", "31 April", "2023-04-31", None)
date_case("date-day32", "32 January 2023", "32 January 2023", None)
date_case("date-negative", "a negative year", "-0044-03-15", None)
date_case("date-huge-year", "year 275760", "275760-01-01", None)
date_case("date-overflow", "a year with 30 digits", "9" * 30 + "-01-01", None)
date_case("date-garbage", "a date of emoji", "\U0001f4a3\U0001f4a3", None)
date_case("date-long", "a 100,000-character date", "2023-01-01" * 10000, None)
date_case("date-nul", "a date with a NUL byte", "2023-01\x0001", None, error=True)
date_case("date-feb29-leap", "2024-02-29 (leap year) is a date", "2024-02-29", "2024-02-29")
date_case("date-far-future", "9999-12-31 is a date", "9999-12-31", "9999-12-31")
date_case("date-tz-neg", "2023-03-01T23:30:00-05:00: the date as written", "2023-03-01T23:30:00-05:00", "2023-03-01")
date_case("date-tz-pos", "2023-03-01T00:30:00+14:00: the date as written", "2023-03-01T00:30:00+14:00", "2023-03-01")
date_case("date-z", "2023-03-01T10:00:00Z", "2023-03-01T10:00:00Z", "2023-03-01")
date_case("date-rfc2822", "Wed, 01 Mar 2023 10:00:00 GMT", "Wed, 01 Mar 2023 10:00:00 GMT", "2023-03-01")
date_case("date-bad-tz", "2023-03-01T10:00:00+99:00 (impossible offset)", "2023-03-01T10:00:00+99:00", None)
date_case("date-bad-time", "2023-03-01T25:61:00 (impossible time)", "2023-03-01T25:61:00", None)
date_case("date-week-53", "2020-12-31 is in ISO week 2020-W53", "2020-12-31", "2020-W53", by="week")
date_case("date-week-jan1", "2021-01-01 is in ISO week 2020-W53", "2021-01-01", "2020-W53", by="week")


@case("date-epoch", "a Unix timestamp: read right or undated with a warning")
def _(t):
    t.file("c.csv", csv_bytes(["id", "date", "text"], [["1", "1677628800", SENT]]))
    r = t.run("report", "c.csv", "--by", "date", "-f", "json")
    keys = [list(x["key"].values())[0] for x in report_rows(r)] if r.rc == 0 else []
    return ok(r, keys == ["2023-03-01"] or warned(r, "c.csv:2"), f"read as {keys}")


@case("date-jsonl-number", "a JSONL date as a number")
def _(t):
    t.file("c.jsonl", '{"text": "War.", "date": 20230101}\n')
    r = t.run("report", "c.jsonl", "--by", "date", "-f", "json")
    keys = [list(x["key"].values())[0] for x in report_rows(r)] if r.rc == 0 else []
    return either(r, ["c.jsonl:1", "date"], lambda r: keys == ["2023-01-01"] or warned(r, "c.jsonl:1"), f"read as {keys}")


@case("date-jsonl-impossible", "an impossible JSONL date: warning names the record")
def _(t):
    t.file("c.jsonl", '{"text": "War.", "date": "2023-02-30"}\n')
    r = t.run("report", "c.jsonl", "--by", "date", "-f", "json")
    return ok(r, lambda r: warned(r, "c.jsonl:1"))


@case("date-many-bad", "100,000 unreadable dates: warnings bounded")
def _(t):
    t.file("c.csv", "id,date,text\n" + "".join(f"{i},2023-02-30,Talks.\n" for i in range(100000)))
    r = t.run("report", "c.csv", "--by", "year", "-f", "json", timeout=60)
    return ok(r, lambda r: len(r.err) < 200000 and report_rows(r)[0]["documents"] == 100000)


# --- model files -----------------------------------------------------------


def model_case(cid, desc, data_fn, needles, cmd=("score", "-q"), accept_ok=None):
    def fn(t):
        t.file("m.model", data_fn())
        if cmd[0] in ("score",):
            r = t.run(*cmd, "-m", "m.model", "-f", "jsonl", stdin=TEXT)
        elif cmd[0] == "eval":
            t.file("l.csv", labeled(40))
            r = t.run("eval", "-m", "m.model", "l.csv")
        elif cmd[0] == "calibrate":
            t.file("l.csv", labeled(200))
            r = t.run("calibrate", "-m", "m.model", "l.csv", "-o", "out.model")
        elif cmd[0] == "report":
            t.file("a.txt", TEXT)
            r = t.run("report", "-m", "m.model", "a.txt")
        else:
            r = t.run(*cmd, "-m", "m.model")
        if accept_ok is not None and r.rc == 0:
            return ok(r, accept_ok)
        return err(r, "m.model", *needles)
    simple(cid, desc, fn)


def full_model():
    with open(MODEL, "rb") as f:
        return f.read()


model_case("model-empty", "an empty model file", lambda: b"", [])
model_case("model-trunc-half", "a model cut in half", lambda: full_model()[: len(full_model()) // 2], ["truncated"])
model_case("model-trunc-header", "a model cut inside its header", lambda: full_model()[:30], [])
model_case("model-trunc-1", "a model missing its last byte", lambda: full_model()[:-1], [])
model_case("model-extra", "a model with bytes appended", lambda: full_model() + b"\n", [])
model_case("model-version", "a model of format version 99", lambda: full_model().replace(b"STANCE-MODEL 1", b"STANCE-MODEL 99", 1), ["99"])
model_case("model-version-bad", "a model whose version is `abc`", lambda: full_model().replace(b"STANCE-MODEL 1", b"STANCE-MODEL abc", 1), [])
model_case("model-version-huge", "version 99999999999999999999", lambda: full_model().replace(b"STANCE-MODEL 1", b"STANCE-MODEL 99999999999999999999", 1), [])
model_case("model-flip", "one body byte changed", lambda: full_model()[:-50] + b"X" + full_model()[-49:], ["checksum"])
model_case("model-length-huge", "a length line of 10^20", lambda: re.sub(rb"length \d+", b"length 100000000000000000000", full_model(), 1), [])
model_case("model-length-10g", "a length line of 10 GB: no 10 GB allocation", lambda: re.sub(rb"length \d+", b"length 10000000000", full_model(), 1), [])
model_case("model-notjson", "valid checksum, body not JSON", lambda: model_bytes(b"not json at all"), [])
model_case("model-json-array", "valid checksum, body a JSON array", lambda: model_bytes(b"[1,2,3]"), [])
model_case("model-gzip", "a gzip-compressed model", lambda: gzip.compress(full_model()), [])
model_case("model-csv", "a CSV given as the model", lambda: labeled(5).encode(), [])


def set_weight(v):
    def f(b):
        b["classifier"]["weights"][0][0] = v
    return f


def set_raw(old, new):
    def f(b):
        return json.dumps(b).replace(old, new, 1).encode()
    return f


def w_huge(b):
    b["classifier"]["weights"] = [[1e308] * 4 for _ in b["classifier"]["weights"]]


def w_nan(b):
    s = json.dumps(b["classifier"]["weights"][0])
    return json.dumps(b).replace(s, "[NaN, 0, 0, 0]", 1).encode()


def w_1e400(b):
    s = json.dumps(b["classifier"]["weights"][0])
    return json.dumps(b).replace(s, "[1e400, 0, 0, 0]", 1).encode()


def w_short(b):
    b["classifier"]["weights"] = b["classifier"]["weights"][:-10]


def w_wide(b):
    b["classifier"]["weights"][5] = b["classifier"]["weights"][5] + [0.0]


def labels_dup(b):
    b["classifier"]["labels"] = ["neutral", "neutral", "diplomacy", "deterrence"]


def labels_unknown(b):
    b["classifier"]["labels"] = ["war", "escalation-warning", "diplomacy", "neutral"]


def intercept_huge(b):
    b["classifier"]["intercept"] = [1e300, -1e300, 1e300, 0]


def idf_neg(b):
    b["vectorizer"]["idf"] = [-1e308] * len(b["vectorizer"]["idf"])


def idf_short(b):
    b["vectorizer"]["idf"] = b["vectorizer"]["idf"][:-1]


def terms_dup(b):
    b["vectorizer"]["terms"][1] = b["vectorizer"]["terms"][0]


def vocab_empty(b):
    b["vectorizer"]["terms"] = []
    b["vectorizer"]["idf"] = []
    b["classifier"]["weights"] = []


def ngram_big(b):
    b["analyzer_config"]["max_ngram"] = 1000000


def calib_break(b):
    c = b.get("calibration")
    if isinstance(c, dict):
        for k in c:
            if isinstance(c[k], list):
                c[k] = []
    else:
        b["calibration"] = {"garbage": True}


def w_deep(b):
    return json.dumps(b).replace('"card":', '"extra": ' + "[" * 100000 + "]" * 100000 + ', "card":', 1).encode()


def probs_fine(r):
    return probs_ok(r.recs())


model_case("model-w-nan", "valid checksum, a NaN weight", lambda: doctored(w_nan), [])
model_case("model-w-1e400", "valid checksum, a weight of 1e400", lambda: doctored(w_1e400), [])
model_case("model-w-huge", "valid checksum, all weights 1e308: error or finite probabilities", lambda: doctored(w_huge), [], accept_ok=probs_fine)
model_case("model-w-short", "valid checksum, 10 weight rows missing", lambda: doctored(w_short), [])
model_case("model-w-wide", "valid checksum, a weight row of 5 values", lambda: doctored(w_wide), [])
model_case("model-labels-dup", "valid checksum, a label twice", lambda: doctored(labels_dup), [])
model_case("model-labels-unknown", "valid checksum, an unknown label", lambda: doctored(labels_unknown), [])
model_case("model-intercept-huge", "valid checksum, intercepts ±1e300: error or finite probabilities", lambda: doctored(intercept_huge), [], accept_ok=probs_fine)
model_case("model-idf-neg", "valid checksum, idf -1e308: error or finite probabilities", lambda: doctored(idf_neg), [], accept_ok=probs_fine)
model_case("model-idf-short", "valid checksum, one idf missing", lambda: doctored(idf_short), [])
model_case("model-terms-dup", "valid checksum, a term twice", lambda: doctored(terms_dup), [])
model_case("model-vocab-empty", "valid checksum, an empty vocabulary", lambda: doctored(vocab_empty), [], accept_ok=probs_fine)
model_case("model-ngram-big", "valid checksum, max_ngram 1,000,000", lambda: doctored(ngram_big), [])
model_case("model-calib-broken", "valid checksum, calibration emptied", lambda: doctored(calib_break), [], accept_ok=probs_fine)
model_case("model-deep-json", "valid checksum, an unknown field nested 100,000 deep", lambda: doctored(w_deep), [], accept_ok=probs_fine)
model_case("model-inspect-trunc", "inspect a truncated model", lambda: full_model()[:1000], [], cmd=("inspect",))
model_case("model-explain-trunc", "explain with a truncated model", lambda: full_model()[:1000], [], cmd=("explain", "War is near."))
model_case("model-eval-trunc", "eval with a truncated model", lambda: full_model()[:1000], [], cmd=("eval",))
model_case("model-calibrate-trunc", "calibrate a truncated model", lambda: full_model()[:1000], [], cmd=("calibrate",))
model_case("model-report-nan", "report with a NaN-weight model", lambda: doctored(w_nan), [], cmd=("report",))
model_case("model-inspect-nan", "inspect a NaN-weight model", lambda: doctored(w_nan), [], cmd=("inspect",))


@case("model-fifo", "a FIFO as the model, with a writer sending garbage")
def _(t):
    os.mkfifo(t.path("m.model"))

    def writer():
        try:
            with open(t.path("m.model"), "wb") as f:
                f.write(b"STANCE-MODEL 1\n" + b"x" * 100000)
        except OSError:
            pass
    th = threading.Thread(target=writer, daemon=True)
    th.start()
    r = t.run("inspect", "-m", "m.model", timeout=10)
    return err(r, "m.model")


# --- output destinations ---------------------------------------------------

OLD = b"OLD CONTENT, must survive\n" * 100


def unchanged(t, name, data=OLD):
    if t.read(name) != data:
        raise Bad(f"{name} was changed")


@case("out-same-as-input", "report -o the input file: refused, input intact")
def _(t):
    t.file("c.csv", f"id,text\n1,{SENT}\n")
    before = t.read("c.csv")
    r = t.run("report", "c.csv", "-o", "c.csv")
    unchanged(t, "c.csv", before)
    return err(r, "c.csv")


@case("out-link-to-input", "report -o a link to the input: refused, input intact")
def _(t):
    t.file("c.csv", f"id,text\n1,{SENT}\n")
    os.symlink("c.csv", t.path("out.json"))
    before = t.read("c.csv")
    r = t.run("report", "c.csv", "-o", "out.json", "-f", "json")
    unchanged(t, "c.csv", before)
    return err(r, "out.json")


@case("out-hardlink-input", "report -o a hard link to the input: refused, input intact")
def _(t):
    t.file("c.csv", f"id,text\n1,{SENT}\n")
    os.link(t.path("c.csv"), t.path("out.csv"))
    before = t.read("c.csv")
    r = t.run("report", "c.csv", "-o", "out.csv", "-f", "csv")
    unchanged(t, "c.csv", before)
    return err(r, "out.csv")


@case("out-input-in-dir", "report -o a file inside the input directory")
def _(t):
    t.file("d/a.txt", TEXT)
    t.file("d/b.txt", TEXT)
    before = t.read("d/b.txt")
    r = t.run("report", "d", "-o", "d/b.txt")
    unchanged(t, "d/b.txt", before)
    return err(r, "b.txt")


@case("out-dev-full", "report -o /dev/full: error, exit non-zero")
def _(t):
    t.file("a.txt", TEXT)
    r = t.run("report", "a.txt", "-o", "/dev/full")
    return err(r, "/dev/full")


@case("out-stdout-full", "report to stdout on /dev/full: error, exit non-zero")
def _(t):
    t.file("a.txt", TEXT)
    with open("/dev/full", "wb") as full:
        r = t.run("report", "a.txt", stdout=full)
    return err(r)


@case("out-score-full", "score to stdout on /dev/full: error, exit non-zero")
def _(t):
    t.file("a.txt", TEXT * 2000)
    with open("/dev/full", "wb") as full:
        r = t.run("score", "-q", "a.txt", stdout=full)
    return err(r)


@case("out-inspect-full", "inspect --json to /dev/full: error, exit non-zero")
def _(t):
    with open("/dev/full", "wb") as full:
        r = t.run("inspect", "--json", stdout=full)
    return err(r)


@case("out-eval-full", "eval to /dev/full: error, exit non-zero")
def _(t):
    t.file("l.csv", labeled(40))
    with open("/dev/full", "wb") as full:
        r = t.run("eval", "l.csv", stdout=full)
    return err(r)


def closed_pipe(t, *args):
    rfd, wfd = os.pipe()
    os.close(rfd)
    w = os.fdopen(wfd, "wb")
    r = t.run(*args, stdout=w)
    w.close()
    if r.rc == 101 or "panicked" in r.err:
        raise Bad("panic on a closed pipe: " + r.first_err())
    if r.rc < 0 and r.rc != -signal.SIGPIPE:
        raise Bad(f"killed by signal {-r.rc}")
    return ("HANDLED", f"exit {r.rc}")


@case("pipe-score", "score into a closed pipe: no panic")
def _(t):
    t.file("a.txt", TEXT * 5000)
    return closed_pipe(t, "score", "-q", "a.txt")


@case("pipe-report", "report into a closed pipe: no panic")
def _(t):
    t.file("a.txt", TEXT)
    return closed_pipe(t, "report", "a.txt", "-f", "json")


@case("pipe-inspect", "inspect into a closed pipe: no panic")
def _(t):
    return closed_pipe(t, "inspect", "--json")


@case("pipe-help", "--help into a closed pipe: no panic")
def _(t):
    return closed_pipe(t, "score", "--help")


@case("pipe-explain", "explain into a closed pipe: no panic")
def _(t):
    return closed_pipe(t, "explain", SENT)


@case("out-readonly-dir", "report -o into a read-only directory (as nobody): error, nothing left")
def _(t):
    t.file("a.txt", TEXT, mode=0o644)
    os.mkdir(t.path("ro"))
    os.chmod(t.path("ro"), 0o555)
    os.chmod(t.d, 0o755)
    r = t.run("report", "a.txt", "-o", "ro/out.json", nobody=True)
    if os.listdir(t.path("ro")):
        raise Bad(f"files left in ro/: {os.listdir(t.path('ro'))}")
    return err(r, "ro/out.json")


@case("out-readonly-file", "report -o a read-only existing file (as nobody) in a writable dir")
def _(t):
    t.file("a.txt", TEXT, mode=0o644)
    t.file("w/out.txt", OLD, mode=0o444)
    os.chmod(t.path("w"), 0o777)
    os.chmod(t.d, 0o755)
    r = t.run("report", "a.txt", "-o", "w/out.txt", nobody=True)
    if r.rc == 0:
        raise Bad("a read-only file was replaced")
    unchanged(t, "w/out.txt")
    return err(r, "out.txt")


@case("out-existing-dir", "report -o an existing directory")
def _(t):
    t.file("a.txt", TEXT)
    os.mkdir(t.path("out"))
    r = t.run("report", "a.txt", "-o", "out")
    return err(r, "out")


@case("out-missing-dir", "report -o in a directory that does not exist")
def _(t):
    t.file("a.txt", TEXT)
    r = t.run("report", "a.txt", "-o", "nope/out.txt")
    return err(r, "nope")


@case("out-dangling", "report -o a dangling link")
def _(t):
    t.file("a.txt", TEXT)
    os.symlink("nowhere/x", t.path("out.txt"))
    r = t.run("report", "a.txt", "-o", "out.txt")
    return err(r, "out.txt")


@case("out-replace", "report -o an existing file: replaced whole, mode kept")
def _(t):
    t.file("a.txt", TEXT)
    t.file("out.json", OLD, mode=0o640)
    r = t.run("report", "a.txt", "-o", "out.json", "-f", "json")
    try:
        json.loads(t.read("out.json"))
    except ValueError:
        raise Bad("out.json is not the whole report")
    no_leftovers(t)
    return ok(r, stat.S_IMODE(os.stat(t.path("out.json")).st_mode) == 0o640, "mode changed")


@case("out-empty-name", "report -o ''")
def _(t):
    t.file("a.txt", TEXT)
    r = t.run("report", "a.txt", "-o", "")
    return err(r)


@case("out-train-same", "train -o its own training CSV: refused, CSV intact")
def _(t):
    t.file("l.csv", labeled(100))
    before = t.read("l.csv")
    r = t.run("train", "l.csv", "-o", "l.csv")
    unchanged(t, "l.csv", before)
    return err(r, "l.csv")


@case("out-train-test-same", "train -o its --test CSV: refused, CSV intact")
def _(t):
    t.file("l.csv", labeled(100))
    t.file("t.csv", labeled(50))
    before = t.read("t.csv")
    r = t.run("train", "l.csv", "--test", "t.csv", "-o", "t.csv")
    unchanged(t, "t.csv", before)
    return err(r, "t.csv")


@case("out-train-full", "train -o /dev/full")
def _(t):
    t.file("l.csv", labeled(100))
    r = t.run("train", "l.csv", "-o", "/dev/full", "--holdout", "0")
    return err(r, "/dev/full")


@case("out-train-fail-keeps", "train failing on a bad row keeps the old model")
def _(t):
    t.file("l.csv", labeled(100) + f"{SENT},bogus\n")
    t.file("m.model", OLD)
    r = t.run("train", "l.csv", "-o", "m.model")
    unchanged(t, "m.model")
    return err(r, "l.csv")


@case("out-calibrate-same-model", "calibrate -o the model it reads: a valid model after")
def _(t):
    shutil.copy(MODEL, t.path("m.model"))
    t.file("l.csv", labeled(300))
    r = t.run("calibrate", "-m", "m.model", "l.csv", "-o", "m.model")
    r2 = t.run("inspect", "-m", "m.model")
    if r2.rc != 0:
        raise Bad("m.model no longer loads: " + r2.first_err())
    return either(r, ["m.model"])


@case("out-calibrate-same-csv", "calibrate -o its own CSV: refused, CSV intact")
def _(t):
    t.file("l.csv", labeled(300))
    before = t.read("l.csv")
    r = t.run("calibrate", "l.csv", "-o", "l.csv")
    unchanged(t, "l.csv", before)
    return err(r, "l.csv")


@case("out-html", "report --format html -o: a whole page, ids escaped")
def _(t):
    t.file("c.csv", csv_bytes(["id", "source", "text"], [["<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>", SENT]]))
    r = t.run("report", "c.csv", "-f", "html", "-o", "r.html", "--by", "source")
    html = t.read("r.html").decode() if os.path.exists(t.path("r.html")) else ""
    return ok(r, "</html>" in html and "<script>alert(1)" not in html and "<img src=x" not in html, "markup not escaped or page cut")


@case("out-html-sentence", "report html: a sentence with markup is escaped")
def _(t):
    t.file("a.txt", "The army said </textarea><script>alert(3)</script> war is near.\n")
    r = t.run("report", "a.txt", "-f", "html", "-o", "r.html")
    html = t.read("r.html").decode() if os.path.exists(t.path("r.html")) else ""
    return ok(r, "<script>alert(3)" not in html and "</html>" in html, "sentence markup not escaped")


@case("out-csv-newline-key", "report csv: a source with newlines and quotes parses back")
def _(t):
    t.file("c.csv", csv_bytes(["source", "text"], [["A\nB \"q\", c", SENT], ["plain", SENT2]]))
    r = t.run("report", "c.csv", "--by", "source", "-f", "csv")
    return ok(r, lambda r: sorted(x[0] for x in list(csv.reader(io.StringIO(r.text())))[1:]) == ["A\nB \"q\", c", "plain"])


@case("out-json-keys", "report json: odd source names stay valid JSON")
def _(t):
    t.file("c.csv", csv_bytes(["source", "text"], [["\"}\\u0000", SENT], ["\U0001f4a3", SENT2]]))
    r = t.run("report", "c.csv", "--by", "source", "-f", "json")
    return ok(r, lambda r: len(report_rows(r)) == 2)


@case("out-concurrent", "4 reports writing one -o at once: one whole report, no temp files")
def _(t):
    for i in range(4):
        t.file(f"in{i}.csv", "id,text\n" + "".join(f"{i}-{j},Talks {j}.\n" for j in range(2000)))
    procs = [t.spawn("report", f"in{i}.csv", "-f", "json", "-o", "out.json") for i in range(4)]
    rs = [p.finish(60) for p in procs]
    for r in rs:
        if r.rc != 0:
            raise Bad("a concurrent run failed: " + r.first_err())
    try:
        rep = json.loads(t.read("out.json"))
    except ValueError:
        raise Bad("out.json is not one whole report")
    no_leftovers(t)
    return ("HANDLED", "") if len(rep["rows"]) == 2000 else ("BAD", "mixed report")


@case("out-concurrent-train", "3 trainings writing one model at once: a loadable model")
def _(t):
    t.file("l.csv", labeled(300))
    procs = [t.spawn("train", "l.csv", "--holdout", "0", "-o", "m.model", "--seed", str(i)) for i in range(3)]
    for p in procs:
        r = p.finish(60)
        if r.rc != 0:
            raise Bad("a concurrent training failed: " + r.first_err())
    r = t.run("inspect", "-m", "m.model")
    no_leftovers(t)
    return ok(r)


def signal_case(cid, desc, sig, cmd_fn, delay):
    def fn(t):
        args, out = cmd_fn(t)
        t.file(out, OLD)
        p = t.spawn(*args, expect_signal=True)
        time.sleep(delay)
        p.p.send_signal(sig)
        r = p.finish(30)
        unchanged(t, out)
        if sig != signal.SIGKILL:
            no_leftovers(t)
        if r.rc == 0:
            return ("HANDLED", "finished before the signal; old file replaced?") if t.read(out) != OLD else ("HANDLED", "")
        return ("HANDLED", f"killed (rc {r.rc}), {out} intact")
    simple(cid, desc, fn)


def big_report(t):
    t.file("c.csv", "id,text\n" + "".join(f"{i},{SENT} {SENT2} Talks {i}.\n" for i in range(150000)))
    return ["report", "c.csv", "-f", "json", "-o", "out.json"], "out.json"


def big_train(t):
    t.file("l.csv", labeled(2000))
    return ["train", "l.csv", "-o", "m.model", "--holdout", "0"], "m.model"


signal_case("sig-int-report", "SIGINT during report -o: the old file survives", signal.SIGINT, big_report, 1.0)
signal_case("sig-term-report", "SIGTERM during report -o: the old file survives", signal.SIGTERM, big_report, 1.5)
signal_case("sig-kill-report", "SIGKILL during report -o: the old file survives", signal.SIGKILL, big_report, 1.0)
signal_case("sig-int-train", "SIGINT during train -o: the old model survives", signal.SIGINT, big_train, 1.0)
signal_case("sig-term-train", "SIGTERM during train -o: the old model survives", signal.SIGTERM, big_train, 0.5)


# --- option abuse ----------------------------------------------------------


def opt_case(cid, desc, args, needles=(), accept_ok=None, files=None, stdin=None):
    def fn(t):
        t.file("a.txt", TEXT)
        t.file("l.csv", labeled(200))
        t.file("ld.csv", csv_bytes(["text", "label", "doc"], [(a, b, f"d{i // 10}") for i, (a, b) in enumerate(labeled_rows(400))]))
        r = t.run(*args, stdin=stdin)
        if accept_ok is not None and r.rc == 0:
            return ok(r, accept_ok)
        return err(r, *needles)
    simple(cid, desc, fn)


U64 = "18446744073709551615"
opt_case("opt-top-huge", "--top u64::MAX", ["report", "a.txt", "--top", U64, "-f", "json"], accept_ok=lambda r: len(report_rows(r)) == 1)
opt_case("opt-top-neg", "--top -1", ["report", "a.txt", "--top", "-1"], ["'-1'"])
opt_case("opt-top-overflow", "--top 2^64", ["report", "a.txt", "--top", "18446744073709551616"], ["--top"])
opt_case("opt-html-docs-0", "--html-docs 0", ["report", "a.txt", "-f", "html", "-o", "r.html", "--html-docs", "0"], accept_ok=lambda r: True)
opt_case("opt-html-terms-huge", "--html-terms u64::MAX", ["report", "a.txt", "-f", "html", "-o", "r.html", "--html-terms", U64], ["--html-terms"], accept_ok=lambda r: True)
opt_case("opt-terms-huge", "score --explain --terms u64::MAX", ["score", "-q", "--explain", "--terms", U64, "-f", "jsonl", "a.txt"], ["--terms"], accept_ok=lambda r: len(r.recs()) == 2)
opt_case("opt-explain-k-huge", "explain -k u64::MAX", ["explain", "-k", U64, SENT], ["terms"], accept_ok=lambda r: True)
opt_case("opt-inspect-k-huge", "inspect -k u64::MAX", ["inspect", "-k", U64], ["terms"], accept_ok=lambda r: True)
opt_case("opt-explain-empty", "explain ''", ["explain", ""], ["sentence"], accept_ok=lambda r: True)
opt_case("opt-explain-long", "explain a 100 KB sentence", ["explain", "war " * 25000], ["sentence"], accept_ok=lambda r: True)
opt_case("opt-explain-nul", "explain a sentence of controls", ["explain", CTRL], ["sentence"], accept_ok=lambda r: b"\x1b" not in r.out)
opt_case("opt-holdout-big", "--holdout 1.5", ["train", "l.csv", "-o", "m.model", "--holdout", "1.5"], ["--holdout"])
opt_case("opt-holdout-neg", "--holdout -0.1", ["train", "l.csv", "-o", "m.model", "--holdout=-0.1"], ["holdout"])
opt_case("opt-holdout-nan", "--holdout NaN", ["train", "l.csv", "-o", "m.model", "--holdout", "NaN"], ["holdout"])
opt_case("opt-holdout-1", "--holdout 1 (nothing left to train on)", ["train", "l.csv", "-o", "m.model", "--holdout", "1"], ["holdout"])
opt_case("opt-alpha-nan", "--alpha NaN", ["train", "l.csv", "-o", "m.model", "--alpha", "NaN"], ["alpha"])
opt_case("opt-alpha-neg", "--alpha -1", ["train", "l.csv", "-o", "m.model", "--alpha=-1"], ["alpha"])
opt_case("opt-alpha-inf", "--alpha inf", ["train", "l.csv", "-o", "m.model", "--alpha", "inf"], ["alpha"])
opt_case("opt-features-huge", "--features u64::MAX", ["train", "l.csv", "-o", "m.model", "--features", U64, "--holdout", "0"], ["features"], accept_ok=lambda r: True)
opt_case("opt-ngram-0", "--ngram 0", ["train", "l.csv", "-o", "m.model", "--ngram", "0"], ["ngram"])
opt_case("opt-ngram-99", "--ngram 99", ["train", "l.csv", "-o", "m.model", "--ngram", "99"], ["ngram"])
opt_case("opt-maxiter-0", "--max-iterations 0", ["train", "l.csv", "-o", "m.model", "--max-iterations", "0"], ["iteration"], accept_ok=lambda r: True)
opt_case("opt-mindf-huge", "--min-df 1000000 (no term left)", ["train", "l.csv", "-o", "m.model", "--min-df", "1000000"], ["min-df"])
opt_case("opt-maxdf-2", "--max-df 2", ["train", "l.csv", "-o", "m.model", "--max-df", "2"], ["max-df"])
opt_case("opt-maxdf-nan", "--max-df NaN", ["train", "l.csv", "-o", "m.model", "--max-df", "NaN"], ["max-df"])
opt_case("opt-maxdf-0", "--max-df 0 (no term left)", ["train", "l.csv", "-o", "m.model", "--max-df", "0"], ["max-df"])
opt_case("opt-balance-nan", "--balance-power NaN", ["train", "l.csv", "-o", "m.model", "--balance-power", "NaN"], ["balance-power"])
opt_case("opt-balance-huge", "--balance-power 1e9 (rows explode)", ["train", "l.csv", "-o", "m.model", "--balance-power", "1e9"], ["balance-power"])
opt_case("opt-prior-power-inf", "--prior-power inf", ["train", "l.csv", "-o", "m.model", "--prior-from", "l.csv", "--prior-power", "inf"], ["prior-power"])
opt_case("opt-prior-from-missing", "--prior-from a missing file", ["train", "l.csv", "-o", "m.model", "--prior-from", "nope.csv"], ["nope.csv"])
opt_case("opt-maxvocab-0", "--max-vocab 0", ["train", "l.csv", "-o", "m.model", "--max-vocab", "0"], ["max-vocab"], accept_ok=lambda r: True)
opt_case("opt-shares-huge", "eval --shares u64::MAX", ["eval", "l.csv", "--shares", U64], ["shares"])
opt_case("opt-collsize-0", "eval --shares 5 --collection-size 0", ["eval", "ld.csv", "--shares", "5", "--collection-size", "0"], ["collection-size"])
opt_case("opt-collsize-huge", "eval --shares 5 --collection-size u64::MAX", ["eval", "ld.csv", "--shares", "5", "--collection-size", U64], ["collections of"])
opt_case("opt-by-bad", "--by weekday", ["report", "a.txt", "--by", "weekday"], ["weekday"])
opt_case("opt-by-empty", "--by ''", ["report", "a.txt", "--by", ""], ["--by"])
opt_case("opt-by-dup", "--by month,month", ["report", "a.txt", "--by", "month,month"], ["month"], accept_ok=lambda r: True)
opt_case("opt-by-commas", "--by ,,,", ["report", "a.txt", "--by", ",,,"], ["--by"])
opt_case("opt-textcol-empty", "--text-column ''", ["score", "-q", "--text-column", "", "a.txt"], ["text-column"], accept_ok=lambda r: True)
opt_case("opt-seed-huge", "--seed u64::MAX", ["train", "l.csv", "-o", "m.model", "--seed", U64], accept_ok=lambda r: True)
opt_case("opt-unknown", "an unknown option", ["score", "--frobnicate"], ["--frobnicate"])
opt_case("opt-no-cmd", "no subcommand", [], ["Usage"])
opt_case("opt-bad-cmd", "an unknown subcommand", ["destroy"], ["destroy"])
opt_case("opt-format-bad", "-f xml", ["score", "-f", "xml", "a.txt"], ["xml"])
opt_case("opt-version", "--version", ["--version"], accept_ok=lambda r: r.out.startswith(b"stance"))
opt_case("opt-csv-raw-table", "--csv-raw with the table format", ["score", "-q", "--csv-raw", "a.txt"], ["csv-raw"], accept_ok=lambda r: True)
opt_case("opt-calibrate-no-o", "calibrate without -o", ["calibrate", "l.csv"], ["--output"])
opt_case("opt-test-missing", "train --test a missing file: before training", ["train", "l.csv", "-o", "m.model", "--test", "nope.csv"], ["nope.csv"])
opt_case("opt-calib-missing", "train --calibrate a missing file", ["train", "l.csv", "-o", "m.model", "--calibrate", "nope.csv"], ["nope.csv"])
opt_case("opt-model-missing", "-m a missing model", ["score", "-q", "-m", "nope.model", "a.txt"], ["nope.model"])
opt_case("opt-model-stdin", "-m -", ["score", "-q", "-m", "-", "a.txt"], ["-"], stdin=b"junk")


# ---------------------------------------------------------------- driver


def classify(cid, fn, keep):
    d = tempfile.mkdtemp(prefix=f"stance-battery-{cid}-")
    ctx = Ctx(d)
    try:
        try:
            cls, note = fn(ctx)
        except Bad as e:
            cls, note = "BAD", str(e)
        except Exception as e:  # a broken case is reported, not hidden
            cls, note = "BAD", f"battery error: {type(e).__name__}: {e}"
        # Faults that override any verdict.
        for r in ctx.results:
            if r.timed_out:
                cls, note = "BAD", f"timeout after {r.secs:.0f} s: {' '.join(a[:30] for a in r.args)[:80]}"
            elif "panicked" in r.err or r.rc == 101:
                cls, note = "BAD", "panic: " + r.first_err()
            elif r.rc < 0 and not r.expect_signal and r.rc != -signal.SIGPIPE:
                cls, note = "BAD", f"killed by signal {-r.rc}: {r.first_err()}"
            elif r.rss > RSS_LIMIT:
                cls, note = "BAD", f"peak RSS {r.rss >> 20} MiB over {RSS_LIMIT >> 20} MiB"
            elif "memory allocation" in r.err:
                cls, note = "BAD", "out of memory: " + r.first_err()
        return cls, note, ctx.results
    finally:
        if not keep:
            # chmod/rm, not os.walk/shutil.rmtree: they recurse in Python
            # and the deep-tree case is deeper than its recursion limit.
            subprocess.run(["chmod", "-R", "u+rwx", d], stderr=subprocess.DEVNULL)
            subprocess.run(["rm", "-rf", d])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-k", help="run only cases whose id contains this")
    ap.add_argument("-v", action="store_true", help="show every case's note")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories")
    ap.add_argument("--list", action="store_true", help="list the cases")
    a = ap.parse_args()
    ids = [c[0] for c in CASES]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        sys.exit(f"duplicate case ids: {dup}")
    if a.list:
        for cid, desc, _ in CASES:
            print(f"{cid:28} {desc}")
        return 0
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} not found: run `cargo build --release` first")
    if os.geteuid() != 0:
        print("note: not root: the `nobody` cases run as the current user", file=sys.stderr)
    cases = [c for c in CASES if not a.k or a.k in c[0]]
    counts = {"CLEAR-ERROR": 0, "HANDLED": 0, "BAD": 0}
    bad = []
    t_all = time.time()
    peak = 0
    slowest = (0, "")
    print(f"{'id':28} {'result':12} {'secs':>6} {'MiB':>5}  description / note")
    for cid, desc, fn in cases:
        t0 = time.time()
        cls, note, results = classify(cid, fn, a.keep)
        secs = time.time() - t0
        rss = max((r.rss for r in results), default=0)
        peak = max(peak, rss)
        slowest = max(slowest, (max((r.secs for r in results), default=0), cid))
        counts[cls] += 1
        line = f"{cid:28} {cls:12} {secs:6.2f} {rss >> 20:5}  {desc}"
        if cls == "BAD" or a.v:
            line += f"\n{'':28} -> {note}"
        if cls == "BAD":
            bad.append((cid, note))
        print(line, flush=True)
    total = time.time() - t_all
    print()
    print(f"{len(cases)} cases in {total:.0f} s: CLEAR-ERROR {counts['CLEAR-ERROR']}, "
          f"HANDLED {counts['HANDLED']}, BAD {counts['BAD']}; peak RSS {peak >> 20} MiB; "
          f"slowest command {slowest[0]:.1f} s ({slowest[1]})")
    for cid, note in bad:
        print(f"BAD {cid}: {note}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
