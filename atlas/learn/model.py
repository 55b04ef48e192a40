"""Small linear models stored as plain JSON: feature names, weights, bias, threshold.

Fitted with scikit-learn (``atlas.learn.training``); applied here with a dot product,
so loading a model never unpickles anything and the app does not import scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from atlas.lexicon import PROJECT_ROOT

MODEL_PATH = PROJECT_ROOT / "data" / "models" / "extraction.json"
FORMAT_VERSION = 1


@dataclass
class LinearModel:
    """A binary logistic model over named features."""

    weights: dict[str, float]
    bias: float
    threshold: float = 0.5

    def log_odds(self, features: dict[str, float]) -> float:
        z = self.bias
        weights = self.weights
        for name, value in features.items():
            w = weights.get(name)
            if w is not None:
                z += w * value
        return z

    def probability(self, features: dict[str, float]) -> float:
        z = self.log_odds(features)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def as_json(self) -> dict:
        return {"weights": self.weights, "bias": self.bias, "threshold": self.threshold}

    @classmethod
    def from_json(cls, data: dict) -> LinearModel:
        return cls(
            weights={str(k): float(v) for k, v in data["weights"].items()},
            bias=float(data["bias"]),
            threshold=float(data.get("threshold", 0.5)),
        )


@dataclass
class Tree:
    """One regression tree as parallel arrays: node ``k`` sends a row whose feature
    ``feature[k]`` is at most ``cut[k]`` to ``left[k]``, else to ``right[k]``; a leaf
    (``left[k] == -1``) adds ``value[k]`` to the log-odds. An absent feature is 0."""

    feature: list[str]
    cut: list[float]
    left: list[int]
    right: list[int]
    value: list[float]

    def leaf_value(self, features: dict[str, float]) -> float:
        k = 0
        left, right, feature, cut = self.left, self.right, self.feature, self.cut
        while left[k] != -1:
            k = left[k] if features.get(feature[k], 0.0) <= cut[k] else right[k]
        return self.value[k]

    def as_json(self) -> dict:
        return {
            "feature": self.feature,
            "cut": self.cut,
            "left": self.left,
            "right": self.right,
            "value": self.value,
        }

    @classmethod
    def from_json(cls, data: dict) -> Tree:
        return cls(
            feature=[str(x) for x in data["feature"]],
            cut=[float(x) for x in data["cut"]],
            left=[int(x) for x in data["left"]],
            right=[int(x) for x in data["right"]],
            value=[float(x) for x in data["value"]],
        )


@dataclass
class BoostedModel(LinearModel):
    """A logistic model with shallow boosted trees on top: the trees correct the linear
    log-odds where features act together (a trigger word with one dependency path, a
    hedge in the headline) that a weighted sum cannot express."""

    trees: list[Tree] = field(default_factory=list)

    def log_odds(self, features: dict[str, float]) -> float:
        return super().log_odds(features) + sum(t.leaf_value(features) for t in self.trees)

    def as_json(self) -> dict:
        return {**super().as_json(), "trees": [t.as_json() for t in self.trees]}

    @classmethod
    def from_json(cls, data: dict) -> BoostedModel:
        linear = LinearModel.from_json(data)
        return cls(
            weights=linear.weights,
            bias=linear.bias,
            threshold=linear.threshold,
            trees=[Tree.from_json(t) for t in data.get("trees", [])],
        )


def binary_model_from_json(data: dict) -> LinearModel:
    """A linear model, or a boosted one when the JSON holds trees."""
    return BoostedModel.from_json(data) if "trees" in data else LinearModel.from_json(data)


@dataclass
class MulticlassModel:
    """A multinomial logistic model: one weight vector per class."""

    classes: list[str]
    weights: dict[str, list[float]]  # feature -> one weight per class
    biases: list[float]

    def scores(self, features: dict[str, float]) -> dict[str, float]:
        z = list(self.biases)
        for name, value in features.items():
            row = self.weights.get(name)
            if row is None:
                continue
            for k, w in enumerate(row):
                z[k] += w * value
        top = max(z)
        exps = [math.exp(v - top) for v in z]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def predict(self, features: dict[str, float]) -> str:
        scores = self.scores(features)
        return max(scores, key=scores.__getitem__)

    def as_json(self) -> dict:
        return {"classes": self.classes, "weights": self.weights, "biases": self.biases}

    @classmethod
    def from_json(cls, data: dict) -> MulticlassModel:
        return cls(
            classes=[str(c) for c in data["classes"]],
            weights={str(k): [float(x) for x in v] for k, v in data["weights"].items()},
            biases=[float(b) for b in data["biases"]],
        )


@dataclass
class ExtractionModels:
    """The decisions: is it an organisation, did they make a deal, of what type, is it
    the news or history."""

    organisation: LinearModel
    deal: LinearModel
    group: LinearModel
    deal_type: MulticlassModel
    # Is a chosen deal history the article mentions ("had formed a joint venture")?
    # None in a model file from before it: the rule of atlas.rules.background decides.
    role: LinearModel | None = None
    # Organisations below the organisation threshold but above this one may still be
    # parties of a deal the deal model accepts (they are then kept).
    party_threshold: float = 0.5
    # A deal the rules state outright is kept above this probability (the deal and
    # group thresholds apply to what only the model sees).
    rule_threshold: float = 0.5
    # The share of a stating rule's type in a sentence's type vote (chosen by
    # cross-validation: type accuracy 0.737 at 0 and 0.3, 0.759 at 0.5, 0.750 at 0.65).
    rule_type_weight: float = 0.5
    # False for the model-only variant, trained and applied without the rules' findings.
    use_rules: bool = True
    info: dict = field(default_factory=dict)  # how and on what the models were trained
    # Platt scaling [a, b] of a chosen deal's probability into its confidence, fitted on
    # whether cross-validated deals were right: the sidebar's confidence filter then
    # means "this share of such deals is right". None: the probability as it is.
    calibration: list[float] | None = None

    def confidence(self, probability: float) -> float:
        """A chosen deal's probability as the share of such deals that are right."""
        if not self.calibration:
            return probability
        return self.confidence_of(self.calibration)(probability)

    @staticmethod
    def confidence_of(calibration: list[float]):
        """The Platt scaling ``calibration`` as a function of a probability."""
        a, b = calibration

        def scaled(probability: float) -> float:
            p = min(max(probability, 1e-6), 1 - 1e-6)
            z = a * math.log(p / (1 - p)) + b
            return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

        return scaled

    def digest(self) -> str:
        """Identifies the models: part of the extraction fingerprint stored with each
        article, so a retrained model counts as a change that re-extraction catches up."""
        return hashlib.sha1(self._text().encode()).hexdigest()[:12]

    def save(self, path: str | Path = MODEL_PATH) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self._text() + "\n", encoding="utf-8")

    def _text(self) -> str:
        data = {
            "format": FORMAT_VERSION,
            "info": self.info,
            "organisation": self.organisation.as_json(),
            "deal": self.deal.as_json(),
            "group": self.group.as_json(),
            "party_threshold": self.party_threshold,
            "rule_threshold": self.rule_threshold,
            "use_rules": self.use_rules,
            "rule_type_weight": self.rule_type_weight,
            "deal_type": self.deal_type.as_json(),
        }
        if self.role is not None:
            data["role"] = self.role.as_json()
        if self.calibration:
            data["calibration"] = self.calibration
        return json.dumps(data, indent=None, sort_keys=True, separators=(",", ":"))

    @classmethod
    def load(cls, path: str | Path = MODEL_PATH) -> ExtractionModels:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(
                f"{path}: model format {data.get('format')!r}, expected {FORMAT_VERSION}"
            )
        return cls(
            organisation=LinearModel.from_json(data["organisation"]),
            deal=binary_model_from_json(data["deal"]),
            group=binary_model_from_json(data["group"]),
            party_threshold=float(data["party_threshold"]),
            rule_threshold=float(data["rule_threshold"]),
            use_rules=bool(data["use_rules"]),
            rule_type_weight=float(data["rule_type_weight"]),
            deal_type=MulticlassModel.from_json(data["deal_type"]),
            role=LinearModel.from_json(data["role"]) if "role" in data else None,
            info=data.get("info", {}),
            calibration=[float(x) for x in data["calibration"]] if "calibration" in data else None,
        )
