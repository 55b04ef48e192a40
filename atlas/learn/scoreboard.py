"""``make evaluate``: every extraction figure in one table.

Four ways of deciding are compared, each measured the same way:

- ``baseline``: bare ``en_core_web_sm`` organisations paired in sentences with a deal word;
- ``rules``: the pipeline's organisations and the deals the rules state;
- ``model``: the trained models without the rules' findings as features;
- ``rules+model``: the trained models with them (what the product runs).

On the tuning sets (``dev``, ``train-a`` .. ``train-e``) the trained variants are
cross-validated by source (5 folds; a fold's sources are never trained on); ``check``
is held out: scored once by models trained on every tuning set. The bundled model's
figures on its own training sets are printed apart, as in-sample figures. A second
table gives the deals' terms, assets and status (``atlas.terms``) and their role (main
or background, ``atlas.rules.background``) on the deals each variant matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from atlas.evaluate import Evaluation, score_article
from atlas.learn.model import MODEL_PATH, ExtractionModels
from atlas.learn.training import (
    SOURCE_KINDS,
    THRESHOLD_GRID,
    TUNING_SETS,
    LabelledArticle,
    Params,
    Report,
    best_thresholds,
    cross_validate,
    fit_calibration,
    load_labelled,
    load_seeds,
    prepare_all,
    reliability,
    score,
    train,
)

VARIANTS = ("baseline", "rules", "model", "rules+model")


@dataclass
class Row:
    label: str
    scores: dict[str, Evaluation]  # by variant


def _cell(evaluation: Evaluation | None) -> str:
    if evaluation is None:
        return f"{'-':>30}"
    s = evaluation.summary()
    d = s["deals"]
    return (
        f"{d['f1']:.2f} {d['precision']:.2f}/{d['recall']:.2f}"
        f" {s['organisations']['f1']:.2f} {s['deal_type_accuracy']:.2f}"
        f" {s['date_accuracy']:.2f}"
    ).rjust(30)


def _table(rows: list[Row], variants: tuple[str, ...], head: str, cell, width: int) -> str:
    lines = [head, f"{'':34}" + "".join(f"{v:>{width}}" for v in variants)]
    for row in rows:
        lines.append(f"{row.label:34}" + "".join(cell(row.scores.get(v)) for v in variants))
    return "\n".join(lines)


def format_table(rows: list[Row], variants: tuple[str, ...] = VARIANTS) -> str:
    head = "cell: deal F1 P/R, organisation F1, deal-type accuracy, date accuracy"
    return _table(rows, variants, head, _cell, 30)


DETAIL_VARIANTS = ("rules", "model", "rules+model")


def _detail_cell(evaluation: Evaluation | None) -> str:
    if evaluation is None:
        return f"{'-':>43}"
    s = evaluation.summary()
    a = s["assets"]
    return (
        f"{s['terms_accuracy']:.2f} ({s['terms_counted']:>3})"
        f" {a['f1']:.2f} {a['precision']:.2f}/{a['recall']:.2f}"
        f" {s['status_accuracy']:.2f} ({evaluation.deals.tp:>3})"
        f" {s['role_accuracy']:.2f}"
    ).rjust(43)


def format_details_table(rows: list[Row], variants: tuple[str, ...] = DETAIL_VARIANTS) -> str:
    """Terms, assets, status and role on the matched deals of each variant."""
    head = (
        "cell: terms accuracy (terms counted), assets F1 P/R, status accuracy (matched deals),"
        " role accuracy"
    )
    return _table(rows, variants, head, _detail_cell, 43)


def _score_rules(extractor, articles: list[LabelledArticle]) -> Evaluation:
    from atlas.result_json import result_as_json

    evaluation = Evaluation()
    for a in articles:
        prepared = a.prepared
        assert prepared is not None, "prepared by the scoreboard before scoring"
        result = extractor._rules_result(prepared.article, prepared.docs)
        score_article(a.gold, result_as_json(result), evaluation)
    return evaluation


def _score_baseline(baseline, articles: list[LabelledArticle]) -> Evaluation:
    evaluation = Evaluation()
    for a in articles:
        score_article(a.gold, baseline.predict(a.article), evaluation)
    return evaluation


def _score_models(extractor, articles: list[LabelledArticle], models: ExtractionModels) -> Report:
    thresholds = (models.deal.threshold, models.rule_threshold)
    reports = {thresholds: Report()}
    score(extractor, articles, models, reports)
    return reports[thresholds]


def format_reliability(confidences: list[tuple[float, bool]]) -> str:
    """How well the cross-validated deals' confidences tell right from wrong: the Brier
    score and the share right per confidence bin, raw and after the Platt scaling that
    ``make train`` fits on these same deals (two parameters)."""
    lines = ["Confidence of the cross-validated rules+model deals (share right per bin):"]
    calibration = fit_calibration(confidences)
    variants = [("raw", confidences)]
    if calibration is not None:
        scaled = ExtractionModels.confidence_of(calibration)
        variants.append(("calibrated", [(scaled(p), right) for p, right in confidences]))
    for name, values in variants:
        brier, table = reliability(values)
        cells = "  ".join(
            f"{low:.1f}-{high:.1f}: {share:.2f} ({n})" for low, high, n, share in table
        )
        lines.append(f"  {name:<10} Brier {brier:.3f}  {cells}")
    return "\n".join(lines)


def scoreboard(eval_dir: str | Path, *, check: bool = True, progress=print) -> str:
    """Train, cross-validate and score every variant; the table as text."""
    from atlas.extract import Extractor
    from atlas.learn.baseline import Baseline

    eval_dir = Path(eval_dir)
    extractor = Extractor(models=None)
    progress("reading and parsing the labelled sets ...")
    tuning = prepare_all(extractor, load_labelled(eval_dir, TUNING_SETS))
    seeds = prepare_all(extractor, load_seeds(eval_dir))
    held_out = prepare_all(extractor, load_labelled(eval_dir, ("check",))) if check else []
    baseline = Baseline(extractor.lexicon)
    bundled = ExtractionModels.load(MODEL_PATH) if MODEL_PATH.exists() else None

    cv: dict[str, Report] = {}
    final: dict[str, ExtractionModels] = {}
    for variant, use_rules in (("model", False), ("rules+model", True)):
        progress(f"cross-validating {variant} ...")
        params = Params(use_rules=use_rules)
        reports = cross_validate(extractor, tuning, params, thresholds=THRESHOLD_GRID)
        params.deal_threshold, params.rule_threshold = best_thresholds(reports)
        cv[variant] = reports[(params.deal_threshold, params.rule_threshold)]
        if use_rules and bundled is not None:
            final[variant] = bundled
        else:
            final[variant] = train(extractor, tuning + seeds, params)

    rows = []
    progress("scoring ...")
    for label, articles in (("seeds (trained on)", seeds), ("check (held out)", held_out)):
        if not articles:
            continue
        scores = {
            "baseline": _score_baseline(baseline, articles),
            "rules": _score_rules(extractor, articles),
        }
        for variant, models in final.items():
            scores[variant] = _score_models(extractor, articles, models).overall
        rows.append(Row(f"{label} ({len(articles)})", scores))
    rows.append(
        Row(
            f"tuning sets, 5-fold CV ({len(tuning)})",
            {
                "baseline": _score_baseline(baseline, tuning),
                "rules": _score_rules(extractor, tuning),
                **{variant: report.overall for variant, report in cv.items()},
            },
        )
    )
    for kind in SOURCE_KINDS:
        group = [a for a in tuning if a.kind == kind]
        if group:
            rows.append(
                Row(
                    f"  CV, {kind} ({len(group)})",
                    {
                        "baseline": _score_baseline(baseline, group),
                        "rules": _score_rules(extractor, group),
                        **{v: r.by_kind[kind] for v, r in cv.items() if kind in r.by_kind},
                    },
                )
            )
    for name in TUNING_SETS:
        group = [a for a in tuning if a.set_name == name]
        rows.append(
            Row(
                f"  CV, {name} ({len(group)})",
                {
                    "rules": _score_rules(extractor, group),
                    **{v: r.by_set[name] for v, r in cv.items() if name in r.by_set},
                },
            )
        )
    text = format_table(rows)
    # The deals' terms, assets and status, on the deals each variant matched: they need
    # no training, so the cross-validated column reads every tuning article once.
    text += "\n\n" + format_details_table(rows)
    text += "\n\n" + format_reliability(cv["rules+model"].confidences)
    if bundled is not None:
        in_sample = _score_models(extractor, tuning, bundled)
        text += (
            "\n\nThe bundled model on the sets it was trained on (in-sample, not a measure"
            " of generalisation):\n"
            + format_table(
                [Row(name, {"rules+model": e}) for name, e in sorted(in_sample.by_set.items())],
                ("rules+model",),
            )
        )
    return text
