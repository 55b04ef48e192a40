"""Scoring extraction against gold annotations (``*.gold.jsonl``).

Names are compared after case folding and removing possessives, punctuation
and corporate suffixes; a predicted name matches a gold organisation when it
equals its canonical name or one of its surface forms, or when one is a
leading run of the other's words ("Astellas" ~ "Astellas Pharma"). A deal
matches when its set of parties matches.

On matched deals (``../shared/eval/README.md``): a money or stake term counts when the
gold or the prediction states it, and is right when both do and agree (amount within
1 %, same currency; stake within 0.5 points); assets by precision and recall of
case-folded names, one containing the other counting as a match; status accuracy, a
prediction without a status counting as ``agreed``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from atlas.organisations import normalise_name


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class ArticleReport:
    file: str
    missed_orgs: list[str] = field(default_factory=list)
    false_orgs: list[str] = field(default_factory=list)
    missed_deals: list[str] = field(default_factory=list)
    false_deals: list[str] = field(default_factory=list)
    wrong_types: list[str] = field(default_factory=list)
    wrong_terms: list[str] = field(default_factory=list)
    wrong_assets: list[str] = field(default_factory=list)
    wrong_status: list[str] = field(default_factory=list)
    wrong_roles: list[str] = field(default_factory=list)
    date: tuple[str | None, str | None] = (None, None)


@dataclass
class Evaluation:
    organisations: Score = field(default_factory=Score)
    deals: Score = field(default_factory=Score)
    type_correct: int = 0
    dates_correct: int = 0
    terms_counted: int = 0
    terms_correct: int = 0
    assets: Score = field(default_factory=Score)
    status_correct: int = 0
    role_counted: int = 0  # matched deals whose gold gives a role
    role_correct: int = 0
    articles: list[ArticleReport] = field(default_factory=list)

    @property
    def type_accuracy(self) -> float:
        return self.type_correct / self.deals.tp if self.deals.tp else 1.0

    @property
    def terms_accuracy(self) -> float:
        return self.terms_correct / self.terms_counted if self.terms_counted else 1.0

    @property
    def status_accuracy(self) -> float:
        return self.status_correct / self.deals.tp if self.deals.tp else 1.0

    @property
    def role_accuracy(self) -> float:
        return self.role_correct / self.role_counted if self.role_counted else 1.0

    @property
    def date_accuracy(self) -> float:
        return self.dates_correct / len(self.articles) if self.articles else 1.0

    def summary(self) -> dict:
        return {
            "articles": len(self.articles),
            "organisations": self.organisations.as_dict(),
            "deals": self.deals.as_dict(),
            "deal_type_accuracy": round(self.type_accuracy, 3),
            "date_accuracy": round(self.date_accuracy, 3),
            "terms_accuracy": round(self.terms_accuracy, 3),
            "terms_counted": self.terms_counted,
            "assets": self.assets.as_dict(),
            "status_accuracy": round(self.status_accuracy, 3),
            "role_accuracy": round(self.role_accuracy, 3),
            "role_counted": self.role_counted,
        }


def _words_prefix(a: str, b: str) -> bool:
    wa, wb = a.split(), b.split()
    if not wa or not wb:
        return False
    short, long = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return long[: len(short)] == short


class GoldNames:
    """The gold organisations of one article with every surface form."""

    def __init__(self, record: dict) -> None:
        surface = record.get("aliases") or record.get("org_mentions") or {}
        self.forms: dict[str, set[str]] = {}
        for name in record.get("organisations", []):
            forms = {normalise_name(name)} | {normalise_name(s) for s in surface.get(name, [])}
            self.forms[name] = {f for f in forms if f}
        for deal in record.get("deals", []):
            for party in deal.get("parties", []):
                self.forms.setdefault(party, {normalise_name(party)})

    def match(self, predicted: str, predicted_forms: set[str] | None = None) -> str | None:
        keys = {normalise_name(predicted)} | (predicted_forms or set())
        keys.discard("")
        for name, forms in self.forms.items():
            if keys & forms:
                return name
        for name, forms in self.forms.items():
            if any(_words_prefix(k, f) for k in keys for f in forms):
                return name
        return None


def _score_organisations(
    gold: dict,
    predicted: dict,
    names: GoldNames,
    pred_aliases: dict[str, set[str]],
    evaluation: Evaluation,
    report: ArticleReport,
) -> dict[str, str | None]:
    """Organisations counted; returns each predicted name's gold name (or None)."""
    gold_orgs = set(gold.get("organisations", []))
    matched_gold: set[str] = set()
    mapping: dict[str, str | None] = {}
    for org in predicted.get("organisations", []):
        target = names.match(org, pred_aliases.get(org))
        mapping[org] = target
        if target is not None and target in gold_orgs and target not in matched_gold:
            matched_gold.add(target)
            evaluation.organisations.tp += 1
        elif target in matched_gold:
            continue  # two predicted names of one gold organisation: not a false hit
        else:
            evaluation.organisations.fp += 1
            report.false_orgs.append(org)
    for org in sorted(gold_orgs - matched_gold):
        evaluation.organisations.fn += 1
        report.missed_orgs.append(org)
    return mapping


def _score_deals(
    gold: dict,
    predicted: dict,
    names: GoldNames,
    pred_aliases: dict[str, set[str]],
    mapping: dict[str, str | None],
    evaluation: Evaluation,
    report: ArticleReport,
) -> None:
    """Deals matched one to one by their parties' gold names; details scored on matches."""
    gold_orgs_only = GoldNames(
        {
            "organisations": gold.get("organisations", []),
            "aliases": gold.get("aliases") or gold.get("org_mentions") or {},
        }
    )
    gold_deals = [
        (frozenset(gold_orgs_only.match(p) or p for p in d["parties"]), d)
        for d in gold.get("deals", [])
    ]
    used = [False] * len(gold_deals)
    for deal in predicted.get("deals", []):
        parties = frozenset(
            mapping.get(p) or names.match(p, pred_aliases.get(p)) or f"?{p}"
            for p in deal["parties"]
        )
        hit = next((i for i, (g, _) in enumerate(gold_deals) if not used[i] and g == parties), None)
        label = " + ".join(deal["parties"]) + f" [{deal['type']}]"
        if hit is None:
            evaluation.deals.fp += 1
            report.false_deals.append(f"{label}: {deal.get('evidence', '')[:160]}")
            continue
        used[hit] = True
        evaluation.deals.tp += 1
        gold_deal = gold_deals[hit][1]
        gold_type = gold_deal["type"]
        if deal["type"] == gold_type:
            evaluation.type_correct += 1
        else:
            report.wrong_types.append(f"{label} gold {gold_type}")
        _score_details(gold_deal, deal, evaluation, report, label)
    for i, (_, g) in enumerate(gold_deals):
        if not used[i]:
            evaluation.deals.fn += 1
            report.missed_deals.append(
                " + ".join(g["parties"]) + f" [{g['type']}]: {g.get('evidence', '')[:160]}"
            )


def score_article(gold: dict, predicted: dict, evaluation: Evaluation) -> ArticleReport:
    names = GoldNames(gold)
    report = ArticleReport(file=gold["file"])
    pred_aliases = {
        k: {normalise_name(a) for a in v} for k, v in (predicted.get("aliases") or {}).items()
    }

    mapping = _score_organisations(gold, predicted, names, pred_aliases, evaluation, report)
    _score_deals(gold, predicted, names, pred_aliases, mapping, evaluation, report)

    report.date = (predicted.get("published"), gold.get("published"))
    if report.date[0] == report.date[1]:
        evaluation.dates_correct += 1
    evaluation.articles.append(report)
    return report


# The terms that count: money amounts and the stake; royalties are text only.
MONEY_TERMS = ("total_value", "upfront", "milestones")
SCORED_TERMS = (*MONEY_TERMS, "equity_pct")


def term_agrees(key: str, gold: dict, predicted: dict) -> bool:
    """A money term within 1 % and in the same currency; a stake within 0.5 points."""
    try:
        if key == "equity_pct":
            return abs(float(predicted["value"]) - float(gold["value"])) <= 0.5
        expected = float(gold["amount"])
        return predicted.get("currency") == gold.get("currency") and abs(
            float(predicted["amount"]) - expected
        ) <= 0.01 * abs(expected)
    except (KeyError, TypeError, ValueError):
        return False


def _asset_match(a: str, b: str) -> bool:
    return bool(a and b) and (a in b or b in a)


def _score_details(
    gold: dict, predicted: dict, evaluation: Evaluation, report: ArticleReport, label: str
) -> None:
    """Terms, assets and status of one matched deal."""
    gold_terms = gold.get("terms") or {}
    pred_terms = predicted.get("terms") or {}
    for key in SCORED_TERMS:
        g, p = gold_terms.get(key), pred_terms.get(key)
        if not g and not p:
            continue
        evaluation.terms_counted += 1
        if g and p and term_agrees(key, g, p):
            evaluation.terms_correct += 1
        else:
            report.wrong_terms.append(f"{label} {key}: predicted {_term(p)}, gold {_term(g)}")

    gold_assets = list(dict.fromkeys(a.casefold().strip() for a in gold.get("assets") or []))
    pred_assets = list(dict.fromkeys(a.casefold().strip() for a in predicted.get("assets") or []))
    score = evaluation.assets
    for name in pred_assets:
        if any(_asset_match(name, g) for g in gold_assets):
            score.tp += 1
        else:
            score.fp += 1
            report.wrong_assets.append(f"{label} false asset {name!r}")
    for name in gold_assets:
        if not any(_asset_match(name, p) for p in pred_assets):
            score.fn += 1
            report.wrong_assets.append(f"{label} missed asset {name!r}")

    if gold.get("role"):
        evaluation.role_counted += 1
        pred_role = predicted.get("role") or "main"
        if pred_role == gold["role"]:
            evaluation.role_correct += 1
        else:
            report.wrong_roles.append(f"{label} predicted {pred_role}, gold {gold['role']}")

    gold_status = gold.get("status") or "agreed"
    pred_status = predicted.get("status") or "agreed"
    if gold_status == pred_status:
        evaluation.status_correct += 1
    else:
        report.wrong_status.append(f"{label} predicted {pred_status}, gold {gold_status}")


def _term(term: dict | None) -> str:
    if not term:
        return "-"
    if "amount" in term:
        return f"{term.get('amount')} {term.get('currency')} ({term.get('text', '')!r})"
    return f"{term.get('value')} ({term.get('text', '')!r})"


def load_gold(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def format_report(evaluation: Evaluation, *, verbose: bool = False) -> str:
    s = evaluation.summary()
    o, d, a = s["organisations"], s["deals"], s["assets"]
    lines = [
        f"articles: {s['articles']}",
        f"organisations: P {o['precision']:.3f}  R {o['recall']:.3f}  F1 {o['f1']:.3f}  (tp {o['tp']}, fp {o['fp']}, fn {o['fn']})",
        f"deals:         P {d['precision']:.3f}  R {d['recall']:.3f}  F1 {d['f1']:.3f}  (tp {d['tp']}, fp {d['fp']}, fn {d['fn']})",
        f"deal-type accuracy (matched deals): {s['deal_type_accuracy']:.3f}",
        f"date accuracy (article published):  {s['date_accuracy']:.3f}",
        f"terms accuracy (matched deals):     {s['terms_accuracy']:.3f}  ({s['terms_counted']} counted)",
        f"assets (matched deals): P {a['precision']:.3f}  R {a['recall']:.3f}  F1 {a['f1']:.3f}  (tp {a['tp']}, fp {a['fp']}, fn {a['fn']})",
        f"status accuracy (matched deals):    {s['status_accuracy']:.3f}",
        f"role accuracy (matched deals):      {s['role_accuracy']:.3f}  ({s['role_counted']} counted)",
    ]
    if verbose:
        for report in evaluation.articles:
            issues = []
            for title, rows in (
                ("missed deals", report.missed_deals),
                ("false deals", report.false_deals),
                ("wrong types", report.wrong_types),
                ("wrong terms", report.wrong_terms),
                ("assets", report.wrong_assets),
                ("wrong status", report.wrong_status),
                ("wrong roles", report.wrong_roles),
                ("missed organisations", report.missed_orgs),
                ("false organisations", report.false_orgs),
            ):
                if rows:
                    issues.append(f"  {title}:")
                    issues += [f"    - {row}" for row in rows]
            if report.date[0] != report.date[1]:
                issues.append(f"  date: predicted {report.date[0]}, gold {report.date[1]}")
            if issues:
                lines.append(f"\n{report.file}")
                lines += issues
    return "\n".join(lines)
