"""The rule checker's cost per policy, and its precision and recall, on the labelled corpus.

Writes its own section of docs/benchmarks.md (between markers, so other sections stay) and
prints it. Bounded: a few thousand checks, a second or two on one core.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from sanad_analyzer.rules.checker import check_policy
from sanad_analyzer.rules.evaluation import LabelledPolicy, evaluate, language_counts, load_corpus
from sanad_analyzer.rules.rulebook import load_rulebook

START = "<!-- rules-checker:start -->"
END = "<!-- rules-checker:end -->"
CORPUS = Path("tests/data/rulebook_corpus.toml")
HOLDOUT = Path("tests/data/rulebook_holdout.toml")


def time_checks(policies: list[LabelledPolicy], rounds: int) -> list[list[float]]:
    """Microseconds per check, per policy, ``rounds`` times each (after one warm-up round)."""
    book = load_rulebook()
    samples: list[list[float]] = [[] for _ in policies]
    for round_index in range(rounds + 1):
        for index, policy in enumerate(policies):
            started = time.perf_counter()
            check_policy(policy.text, policy.policy_type, policy.jurisdiction, book)
            elapsed = (time.perf_counter() - started) * 1e6
            if round_index:
                samples[index].append(elapsed)
    return samples


def _long_policy(corpus: list[LabelledPolicy]) -> LabelledPolicy:
    """A longer-than-typical policy: every Saudi return policy of the corpus in one text."""
    saudi = [p for p in corpus if p.id.startswith("sa-ret-")]
    return LabelledPolicy(
        id="long",
        jurisdiction=saudi[0].jurisdiction,
        policy_type=saudi[0].policy_type,
        text="\n".join(policy.text for policy in saudi),
        expected=frozenset(),
    )


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def render(corpus: list[LabelledPolicy], holdout: list[LabelledPolicy], rounds: int) -> str:
    """The Markdown section."""
    per_policy = time_checks(corpus, rounds)
    samples = [sample for policy in per_policy for sample in policy]
    medians = [statistics.median(policy) for policy in per_policy]
    long_policy = _long_policy(corpus)
    [long_samples] = time_checks([long_policy], rounds)
    chars = [len(policy.text) for policy in corpus]
    languages = language_counts(corpus)
    lines = [
        START,
        "## Rule checker",
        "",
        "`check_policy` (normalise, find periods and clauses, run the jurisdiction's rules) on",
        "every policy of the labelled corpus, in process, one core.",
        "",
        "Command: `make bench` (this section alone: `.venv/bin/python -m bench.rules_checker`)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Corpus: {len(corpus)} policies ({languages['ar']} Arabic,"
        f" {languages['en']} English), median {statistics.median(chars):.0f} characters, longest"
        f" {max(chars)}; {rounds} rounds, {len(samples)} checks; load average"
        f" {os.getloadavg()[0]:.1f} when the run started (the machine is shared).",
        "",
        "| what | p50 µs | p99 µs | mean µs |",
        "|---|---:|---:|---:|",
        f"| every check of every corpus policy | {_percentile(samples, 0.5):.0f} | "
        f"{_percentile(samples, 0.99):.0f} | {statistics.fmean(samples):.0f} |",
        f"| per policy (its median check), across the corpus | "
        f"{_percentile(medians, 0.5):.0f} | {_percentile(medians, 0.99):.0f} | "
        f"{statistics.fmean(medians):.0f} |",
        f"| one long policy ({len(long_policy.text)} characters, the Saudi return policies "
        f"joined) | {_percentile(long_samples, 0.5):.0f} | "
        f"{_percentile(long_samples, 0.99):.0f} | {statistics.fmean(long_samples):.0f} |",
        "",
        "The raw p99 includes the scheduler's pauses on this shared machine; the per-policy",
        "row takes each policy's median first, which is the checker's own cost.",
        "",
        "Precision and recall per rule id (tp / fp / fn), corpus and held-out set:",
        "",
        "| rule id | corpus P | corpus R | corpus tp/fp/fn | held-out P | held-out R |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    scores = evaluate(corpus)
    held = evaluate(holdout)
    for rule_id, score in scores.items():
        other = held.get(rule_id)
        held_cells = f"{other.precision:.2f} | {other.recall:.2f}" if other else "- | -"
        lines.append(
            f"| `{rule_id}` | {score.precision:.2f} | {score.recall:.2f} | "
            f"{score.true_positives}/{score.false_positives}/{score.false_negatives} | "
            f"{held_cells} |"
        )
    lines += ["", END, ""]
    return "\n".join(lines)


def write_section(output: Path, section: str) -> None:
    """Replace this benchmark's section of ``output``, or append it."""
    text = output.read_text() if output.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    output.write_text(text)


def main() -> None:
    """Parse arguments, measure, write the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50, help="passes over the corpus")
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    section = render(load_corpus(CORPUS), load_corpus(HOLDOUT), args.rounds)
    write_section(args.output, section)
    sys.stdout.write(section)


if __name__ == "__main__":
    main()
