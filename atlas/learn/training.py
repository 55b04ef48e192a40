"""Training the extraction models on the labelled sets, and cross-validating them.

The labelled sets (``../shared/eval``: ``dev`` and ``train-a`` .. ``train-e``) are real
third-party articles with gold organisations and deals; they are read here for training
and measurement only. Cross-validation splits them by source (the site or publisher), so
a fold never trains on the outlet it is scored on: the product meets outlets nobody
tuned it for.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from atlas.evaluate import Evaluation, GoldNames, load_gold, score_article
from atlas.learn.decide import (
    PreparedArticle,
    article_result,
    choose_deals,
    deal_candidates,
    deal_role_features,
    prepare,
    score_candidates,
    type_features,
    without_rule_findings,
)
from atlas.learn.model import BoostedModel, ExtractionModels, LinearModel, MulticlassModel, Tree
from atlas.models import Article
from atlas.organisations import normalise_name

TUNING_SETS = ("dev", "train-a", "train-b", "train-c", "train-d", "train-e")
SOURCE_KINDS = ("press release", "news", "trade press", "digest", "SEC filing")


@dataclass
class Params:
    """The choices cross-validation makes."""

    org_c: float = 0.5
    # Cross-validation after the dependency-path fix, with the partner margin: deal F1
    # 0.558 (P 0.615) at 0.3, 0.560 (P 0.624) at 0.15.
    deal_c: float = 0.15
    type_c: float = 1.0
    org_threshold: float = 0.5
    party_threshold: float = 0.3
    deal_threshold: float = 0.5
    group_c: float = 0.3
    group_threshold: float = 0.5
    rule_threshold: float = 0.5
    use_rules: bool = True  # False: the model-only variant, without the rules' findings
    rule_type_weight: float = 0.5
    role_c: float = 0.5
    role_threshold: float = 0.5
    min_count: int = 2  # a feature seen in fewer training rows is dropped
    # Boosted trees on the deal model's residuals (0: the logistic model alone). Measured
    # by cross-validation and not used: 50-300 trees of depth 2-3, on the logistic model
    # or alone, gave deal F1 0.533-0.538 against the logistic model's 0.550.
    # Also measured and not used (5-fold CV by source on the same candidates, baseline
    # deal F1 0.576, P 0.665, R 0.508 at thresholds 0.7/0.5):
    # - scikit-learn's HistGradientBoostingClassifier on the deal features (depth 3-4,
    #   50-200 iterations, l2 10-50, no early stopping), alone 0.569 (P 0.618) and averaged
    #   with the logistic model, in probability 0.569 (P 0.641) or log-odds 0.565 (P 0.633);
    # - a stacker over the out-of-fold logistic probability, the rule verdict, the rule's
    #   name and the candidate kind instead of the fixed rule/model thresholds: 0.569
    #   (P 0.658); with the thresholds chosen on the other folds, 0.565;
    # - a second stage over the article (how many sentences pair the two, their best and
    #   second-best log-odds, the gap to each organisation's best other partner): 0.569
    #   (P 0.661), 0.568 (P 0.692, R 0.482) at C 0.1;
    # - thresholds per candidate kind (log-odds offsets for groups and digest items,
    #   chosen on the other folds): 0.575 (P 0.660);
    # - the weights below without their rescaling (the positives then weigh less than
    #   the negatives): 0.581 (P 0.653, R 0.523) at thresholds 0.4/0.3, the precision
    #   lower; keeping only each deal's best-scored sentences as positives 0.569; only
    #   sentences like the gold evidence 0.552-0.555;
    # - a feature for an organisation named as adviser, counsel or underwriter ("X acted
    #   as financial adviser", "advised by X"): no change (F1 0.576, the same deals).
    # A gold deal told in n sentences weighs its positive rows 1/n**power
    # (``per_deal_weights``; 0: every row weighs 1). Cross-validation at thresholds
    # 0.7/0.5: deal F1 0.576 (P 0.665, R 0.508) at 0, 0.581 (P 0.683, R 0.505) at 0.75,
    # 0.580 (P 0.688, R 0.501) at 1.
    deal_weight_power: float = 0.75
    deal_trees: int = 0
    tree_depth: int = 2
    tree_rate: float = 0.1
    tree_min_leaf: int = 20
    tree_subsample: float = 1.0
    tree_linear: bool = True


@dataclass
class LabelledArticle:
    set_name: str
    gold: dict
    group: str  # the source, for splitting
    kind: str  # one of SOURCE_KINDS
    article: Article
    prepared: PreparedArticle | None = None
    org_probability: dict[str, float] = field(default_factory=dict)


def source_kind(kind: str) -> str:
    """The gold file's free-text ``kind`` as one of ``SOURCE_KINDS``."""
    k = kind.lower()
    if "sec " in k or k.startswith("sec") or "filing" in k:
        return "SEC filing"
    if re.search(
        r"digest|table|listing|round-?up|review|newsletter|feed page|headlines|teaser|briefs|list of",
        k,
    ):
        return "digest"
    if re.search(r"press release|announcement|disclosure|exchange|news post", k):
        return "press release"
    if "trade press" in k or "trade site" in k:
        return "trade press"
    return "news"


def source_group(record: dict) -> str:
    url = record.get("source_url_or_repo") or ""
    host = urlsplit(url).hostname or ""
    if host:
        parts = host.lower().removeprefix("www.").split(".")
        return (
            ".".join(parts[-3:])
            if parts[-2:-1] in (["co"], ["com"], ["ac"])
            else ".".join(parts[-2:])
        )
    return (record.get("source_name") or record["file"]).split("(")[0].strip().lower()


def load_labelled(
    root: str | Path,
    sets: Sequence[str] = TUNING_SETS,
    *,
    folders: dict[str, Path] | None = None,
) -> list[LabelledArticle]:
    """Gold records with their articles read through the corpus reader; a set's texts
    are in ``root/<set>/`` unless ``folders`` says otherwise."""
    from atlas.corpus import read_corpus

    root = Path(root)
    out = []
    for name in sets:
        gold = load_gold(root / f"{name}.gold.jsonl")
        folder = (folders or {}).get(name, root / name)
        paths = [folder / record["file"] for record in gold]
        articles = {a.file: a for a in read_corpus(paths) if isinstance(a, Article)}
        for record in gold:
            article = articles.get(record["file"])
            if article is not None:
                kind = source_kind(record.get("kind", ""))
                out.append(LabelledArticle(name, record, source_group(record), kind, article))
    return out


def load_seeds(root: str | Path) -> list[LabelledArticle]:
    """The three founding articles (``data/articles``) with their gold (``seeds.gold.jsonl``).

    The final models are trained on them as well as on the tuning sets; cross-validation
    uses the tuning sets only, so seed figures are in-sample."""
    from atlas.lexicon import PROJECT_ROOT

    return load_labelled(root, ("seeds",), folders={"seeds": PROJECT_ROOT / "data" / "articles"})


def prepare_all(extractor, articles: list[LabelledArticle]) -> list[LabelledArticle]:
    """Parse every article once and keep its organisation candidates."""
    parsed = extractor.parse_many([a.article for a in articles])
    for labelled, (article, docs) in zip(articles, parsed, strict=True):
        labelled.prepared = prepare(extractor, article, docs)
    return articles


# ----------------------------------------------------------------------------- labels


def _forms(prepared: PreparedArticle) -> dict[str, set[str]]:
    forms: dict[str, set[str]] = {}
    for c in prepared.candidates:
        forms.setdefault(c.canonical, set()).add(normalise_name(c.text))
    return forms


def _prepared(labelled: LabelledArticle) -> PreparedArticle:
    """The article's parse and candidates: every article is prepared before use."""
    if labelled.prepared is None:
        raise ValueError(f"{labelled.article.file} was not prepared")
    return labelled.prepared


def organisation_rows(labelled: LabelledArticle) -> list[tuple[dict[str, float], int, str]]:
    gold = labelled.gold
    names = GoldNames(gold)
    gold_orgs = set(gold.get("organisations", [])) | {
        p for d in gold.get("deals", []) for p in d["parties"]
    }
    prepared = _prepared(labelled)
    forms = _forms(prepared)
    rows = []
    for canonical, features in prepared.org_features.items():
        target = names.match(canonical, forms.get(canonical))
        rows.append((features, int(target in gold_orgs), canonical))
    return rows


def gold_deal_sets(gold: dict) -> list[tuple[frozenset[str], dict]]:
    names = GoldNames(
        {
            "organisations": gold.get("organisations", []),
            "aliases": gold.get("aliases") or gold.get("org_mentions") or {},
        }
    )
    return [
        (frozenset(names.match(p) or p for p in d["parties"]), d) for d in gold.get("deals", [])
    ]


def pair_label(
    labelled: LabelledArticle, parties: Iterable[str], forms, *, exact: bool = False
) -> tuple[int, dict | None]:
    """Is there a gold deal among these parties (``exact``: with exactly these parties)?"""
    names = GoldNames(labelled.gold)
    mapped = {names.match(p, forms.get(p)) for p in parties}
    if None in mapped:
        return 0, None
    for gold_set, deal in gold_deal_sets(labelled.gold):
        if mapped == gold_set or (not exact and mapped <= gold_set):
            return 1, deal
    return 0, None


# ----------------------------------------------------------------------------- fitting


def _prune(rows: list[dict[str, float]], min_count: int) -> set[str]:
    counts: dict[str, int] = {}
    for row in rows:
        for key in row:
            counts[key] = counts.get(key, 0) + 1
    return {k for k, n in counts.items() if n >= min_count}


def fit_binary(
    rows: list[tuple[dict[str, float], int]],
    c: float,
    min_count: int,
    weights: list[float] | None = None,
) -> LinearModel:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    y = [label for _, label in rows]
    if len(set(y)) < 2:
        # Nothing to tell apart (no positive group in these articles, say): a constant.
        rate = (sum(y) + 0.5) / (len(y) + 1)
        return LinearModel(weights={}, bias=math.log(rate / (1 - rate)))
    keep = _prune([f for f, _ in rows], min_count)
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([{k: v for k, v in f.items() if k in keep} for f, _ in rows])
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(x, y, sample_weight=weights)
    coefficients = {
        name: float(w)
        for name, w in zip(vectorizer.get_feature_names_out(), model.coef_[0], strict=True)
        if abs(w) > 1e-6
    }
    return LinearModel(weights=coefficients, bias=float(model.intercept_[0]))


def per_deal_weights(deal_of_row: Sequence[object | None], power: float = 1.0) -> list[float]:
    """Training weights of the deal model's rows: the positive rows of a gold deal told in
    n sentences weigh 1/n**power each (at power 1 they share one deal's weight), rescaled
    so that the positives weigh as many rows as they are; negatives weigh 1. A deal an
    article retells in ten sentences, most of which only name the two, then no longer
    teaches the model ten times what a deal told once does: that two names in one
    sentence are a deal."""
    told: Counter = Counter(d for d in deal_of_row if d is not None)
    if not told:
        return [1.0] * len(deal_of_row)
    raw = [1.0 / told[d] ** power if d is not None else 1.0 for d in deal_of_row]
    positives = sum(told.values())
    scale = positives / sum(w for w, d in zip(raw, deal_of_row, strict=True) if d is not None)
    return [w * scale if d is not None else w for w, d in zip(raw, deal_of_row, strict=True)]


def fit_boosted(
    rows: list[tuple[dict[str, float], int]],
    c: float,
    min_count: int,
    *,
    trees: int,
    depth: int,
    rate: float,
    min_leaf: int,
    subsample: float = 1.0,
    linear: bool = True,
    seed: int = 0,
    weights: list[float] | None = None,
) -> LinearModel:
    """A logistic model (``linear``; else the base rate) with ``trees`` shallow boosted
    trees fitted on its residuals: scikit-learn's gradient boosting, its trees exported
    as plain arrays (``atlas.learn.model.Tree``) with the learning rate folded into
    their leaves."""
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    y = [label for _, label in rows]
    if trees <= 0 or len(set(y)) < 2:
        return fit_binary(rows, c, min_count, weights)
    keep = _prune([f for f, _ in rows], min_count)
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([{k: v for k, v in f.items() if k in keep} for f, _ in rows])
    names = list(vectorizer.get_feature_names_out())
    init = LogisticRegression(C=c, max_iter=5000) if linear else None
    model = GradientBoostingClassifier(
        init=init,
        n_estimators=trees,
        max_depth=depth,
        learning_rate=rate,
        min_samples_leaf=min_leaf,
        subsample=subsample,
        random_state=seed,
    )
    model.fit(x, y)
    coefficients: dict[str, float] = {}
    if linear:
        fitted = model.init_
        coefficients = {
            name: float(w) for name, w in zip(names, fitted.coef_[0], strict=True) if abs(w) > 1e-6
        }
        bias = float(fitted.intercept_[0])
    else:
        prior = float(np.mean(y))
        bias = math.log(prior / (1 - prior))
    exported = []
    for (estimator,) in model.estimators_:
        tree = estimator.tree_
        exported.append(
            Tree(
                feature=[names[k] if k >= 0 else "" for k in tree.feature],
                cut=[float(t) for t in tree.threshold],
                left=[int(k) for k in tree.children_left],
                right=[int(k) for k in tree.children_right],
                value=[float(v) * rate for v in tree.value[:, 0, 0]],
            )
        )
    return BoostedModel(weights=coefficients, bias=bias, trees=exported)


def fit_multiclass(
    rows: list[tuple[dict[str, float], str]], c: float, min_count: int
) -> MulticlassModel:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    y = [label for _, label in rows]
    if len(set(y)) < 2:
        only = y[0] if y else "other"
        return MulticlassModel(classes=[only], weights={}, biases=[0.0])
    keep = _prune([f for f, _ in rows], min_count)
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([{k: v for k, v in f.items() if k in keep} for f, _ in rows])
    # Balanced: settlements and supply deals are rare, and the model should still name them.
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    model.fit(x, y)
    classes = [str(k) for k in model.classes_]
    coef = model.coef_
    if len(classes) == 2:  # sklearn keeps one row for two classes
        coef = [-coef[0], coef[0]]
        biases = [-float(model.intercept_[0]), float(model.intercept_[0])]
    else:
        biases = [float(b) for b in model.intercept_]
    weights = {
        name: [float(coef[k][j]) for k in range(len(classes))]
        for j, name in enumerate(vectorizer.get_feature_names_out())
    }
    return MulticlassModel(classes=classes, weights=weights, biases=biases)


def _cross_fitted_org_probabilities(
    articles: list[LabelledArticle], params: Params, folds: int = 5
) -> None:
    """Organisation probabilities of training articles from models that did not see them,
    so the deal model learns from probabilities as noisy as those it will meet."""
    for k in range(folds):
        train = [a for i, a in enumerate(articles) if i % folds != k]
        model = fit_binary(
            [(f, y) for a in train for f, y, _ in organisation_rows(a)],
            params.org_c,
            params.min_count,
        )
        for i, a in enumerate(articles):
            if i % folds == k:
                a.org_probability = {
                    name: model.probability(f) for name, f in _prepared(a).org_features.items()
                }


def _best_overlap(candidates, evidence: str):
    """The candidate whose sentence shares most words with the gold evidence (the first
    when the gold gives none)."""
    words = set(re.findall(r"\w+", evidence.lower()))
    best, score = (candidates[0] if candidates and not words else None), 0.0
    for c in candidates:
        other = set(re.findall(r"\w+", c.sentence.text.lower()))
        if not other:
            continue
        jaccard = len(words & other) / len(words | other)
        if jaccard > score:
            best, score = c, jaccard
    return best


def train(extractor, articles: list[LabelledArticle], params: Params) -> ExtractionModels:
    org_rows = [(f, y) for a in articles for f, y, _ in organisation_rows(a)]
    organisation = fit_binary(org_rows, params.org_c, params.min_count)
    organisation.threshold = params.org_threshold
    _cross_fitted_org_probabilities(articles, params)
    deal_rows: list[tuple[dict[str, float], int]] = []
    deal_of_row: list[tuple[int, int] | None] = []  # (article, gold deal) of a positive
    group_rows: list[tuple[dict[str, float], int]] = []
    type_rows = []
    role_rows = []
    for k, a in enumerate(articles):
        prepared = _prepared(a)
        candidates = deal_candidates(extractor, prepared, a.org_probability, params.party_threshold)
        if not params.use_rules:
            candidates = without_rule_findings(candidates)
        forms = _forms(prepared)
        positives: dict[int, list] = {}
        for c in candidates:
            label, gold_deal = pair_label(a, c.parties, forms, exact=c.kind == "group")
            (group_rows if c.kind == "group" else deal_rows).append((c.features, label))
            if c.kind != "group":
                deal_of_row.append((k, id(gold_deal)) if label else None)
            if gold_deal is not None:
                positives.setdefault(id(gold_deal), [gold_deal, []])[1].append(c)
        for gold_deal, matched in positives.values():
            best = _best_overlap(matched, gold_deal.get("evidence", ""))
            if best is not None:
                type_rows.append((type_features(best), gold_deal["type"]))
                if gold_deal.get("role"):
                    role_rows.append(
                        (
                            deal_role_features(extractor, prepared, best),
                            int(gold_deal["role"] == "background"),
                        )
                    )
    deal = fit_boosted(
        deal_rows,
        params.deal_c,
        params.min_count,
        trees=params.deal_trees,
        depth=params.tree_depth,
        rate=params.tree_rate,
        min_leaf=params.tree_min_leaf,
        subsample=params.tree_subsample,
        linear=params.tree_linear,
        weights=per_deal_weights(deal_of_row, params.deal_weight_power)
        if params.deal_weight_power
        else None,
    )
    deal.threshold = params.deal_threshold
    group = fit_binary(group_rows, params.group_c, params.min_count)
    group.threshold = params.group_threshold
    deal_type = fit_multiclass(type_rows, params.type_c, params.min_count)
    # Sets without role labels leave the role to the rule (atlas.rules.background).
    role = fit_binary(role_rows, params.role_c, params.min_count) if role_rows else None
    if role is not None:
        role.threshold = params.role_threshold
    return ExtractionModels(
        organisation=organisation,
        deal=deal,
        group=group,
        deal_type=deal_type,
        role=role,
        party_threshold=params.party_threshold,
        rule_threshold=params.rule_threshold,
        use_rules=params.use_rules,
        rule_type_weight=params.rule_type_weight if params.use_rules else 0.0,
        info={
            "articles": len(articles),
            "organisation_rows": len(org_rows),
            "deal_rows": len(deal_rows),
            "group_rows": len(group_rows),
            "type_rows": len(type_rows),
            "role_rows": len(role_rows),
            "params": params.__dict__,
        },
    )


# ----------------------------------------------------------------------------- measuring


@dataclass
class Report:
    """Scores of one run, overall and by set and by kind of source."""

    overall: Evaluation = field(default_factory=Evaluation)
    by_set: dict[str, Evaluation] = field(default_factory=dict)
    by_kind: dict[str, Evaluation] = field(default_factory=dict)
    # Every predicted deal's confidence and whether it matched a gold deal.
    confidences: list[tuple[float, bool]] = field(default_factory=list)

    def add(self, labelled: LabelledArticle, predicted: dict) -> None:
        for evaluation in (
            self.by_set.setdefault(labelled.set_name, Evaluation()),
            self.by_kind.setdefault(labelled.kind, Evaluation()),
        ):
            score_article(labelled.gold, predicted, evaluation)
        report = score_article(labelled.gold, predicted, self.overall)
        wrong = Counter(x.split(": ", 1)[0] for x in report.false_deals)
        for deal in predicted.get("deals", []):
            label = " + ".join(deal["parties"]) + f" [{deal['type']}]"
            right = wrong[label] == 0
            if not right:
                wrong[label] -= 1
            self.confidences.append((float(deal.get("confidence", 0.0)), right))


def fit_calibration(confidences: list[tuple[float, bool]]) -> list[float] | None:
    """Platt scaling [a, b]: P(right) = sigmoid(a * logit(confidence) + b), fitted on
    cross-validated deals (None with too few of either outcome)."""
    from sklearn.linear_model import LogisticRegression

    rights = sum(1 for _, right in confidences if right)
    if min(rights, len(confidences) - rights) < 5:
        return None
    x = [
        [math.log(min(max(p, 1e-4), 1 - 1e-4) / (1 - min(max(p, 1e-4), 1 - 1e-4)))]
        for p, _ in confidences
    ]
    model = LogisticRegression(C=100.0).fit(x, [int(right) for _, right in confidences])
    return [float(model.coef_[0][0]), float(model.intercept_[0])]


def reliability(confidences: list[tuple[float, bool]], bins: int = 5) -> tuple[float, list]:
    """The Brier score of the confidences, and per confidence bin (low, high, deals,
    share right)."""
    if not confidences:
        return 0.0, []
    brier = sum((p - right) ** 2 for p, right in confidences) / len(confidences)
    table = []
    for k in range(bins):
        low, high = k / bins, (k + 1) / bins
        inside = [r for p, r in confidences if low <= p < high or (k == bins - 1 and p == 1.0)]
        if inside:
            table.append((low, high, len(inside), sum(inside) / len(inside)))
    return brier, table


def score(
    extractor,
    articles: list[LabelledArticle],
    models: ExtractionModels,
    reports: dict[tuple[float, float], Report],
) -> None:
    """Score each article under every (deal threshold, rule threshold) of ``reports``;
    the candidates are made once per article."""
    from atlas.result_json import result_as_json

    for a in articles:
        prepared = _prepared(a)
        org_p, candidates = score_candidates(extractor, prepared, models)
        for (deal_threshold, rule_threshold), report in reports.items():
            models.deal.threshold = deal_threshold
            models.rule_threshold = rule_threshold
            # Copies: choosing extends a chosen candidate's parties with their parents,
            # which must not carry over to the next thresholds' choice.
            chosen = choose_deals([copy.copy(c) for c in candidates], models)
            result = article_result(extractor, prepared, models, org_p, chosen)
            report.add(a, result_as_json(result))


def folds_by_source(articles: list[LabelledArticle], folds: int = 5) -> list[list[int]]:
    """Article indexes per fold; every source in one fold (GroupKFold)."""
    from sklearn.model_selection import GroupKFold

    groups = [a.group for a in articles]
    splitter = GroupKFold(n_splits=folds)
    return [list(test) for _, test in splitter.split(articles, groups=groups)]


def cross_validate(
    extractor,
    articles: list[LabelledArticle],
    params: Params,
    folds: int = 5,
    *,
    thresholds: Sequence[tuple[float, float]] = (),
) -> dict[tuple[float, float], Report]:
    """Scores of models trained without the scored articles' sources, for the params'
    (deal threshold, rule threshold) and any others asked for; the models are trained
    once per fold."""
    grid = sorted({(params.deal_threshold, params.rule_threshold), *thresholds})
    reports = {t: Report() for t in grid}
    for test in folds_by_source(articles, folds):
        held = set(test)
        train_articles = [a for i, a in enumerate(articles) if i not in held]
        models = train(extractor, train_articles, params)
        score(extractor, [articles[i] for i in test], models, reports)
    return reports


THRESHOLD_GRID = tuple(
    (deal, rule) for deal in (0.5, 0.6, 0.7, 0.8, 0.9) for rule in (0.3, 0.5, 0.7)
)


def best_thresholds(reports: dict[tuple[float, float], Report]) -> tuple[float, float]:
    """The thresholds with the best cross-validated deal F1 (then precision)."""
    return max(
        reports,
        key=lambda t: (
            round(reports[t].overall.deals.f1, 3),
            reports[t].overall.deals.precision,
        ),
    )
