"""The baseline every figure is compared with: bare ``en_core_web_sm`` ORG entities,
every two of them in a sentence that holds a deal word (a trigger of the lexicon) paired,
typed "other". No lexicon, no rules, no model."""

from __future__ import annotations

from itertools import combinations

from spacy.language import Language
from spacy.matcher import PhraseMatcher

from atlas.models import Article
from atlas.nlp import load_language_model
from atlas.rules import deal_matcher


class Baseline:
    def __init__(self, lexicon) -> None:
        self.nlp: Language = load_language_model()
        self.matcher: PhraseMatcher
        self.matcher, _ = deal_matcher(self.nlp, lexicon)

    def predict(self, article: Article) -> dict:
        """One article's prediction in the schema of the gold files."""
        organisations: list[str] = []
        deals = []
        texts = [item.text for item in article.items] or [article.text]
        for doc in self.nlp.pipe(texts):
            for sent in doc.sents:
                orgs = list(dict.fromkeys(e.text for e in sent.ents if e.label_ == "ORG"))
                organisations += orgs
                if len(orgs) < 2 or not self.matcher(sent):
                    continue
                for a, b in combinations(orgs, 2):
                    deals.append(
                        {"parties": [a, b], "type": "other", "evidence": sent.text.strip()}
                    )
        return {
            "file": article.file,
            "published": article.published,
            "organisations": list(dict.fromkeys(organisations)),
            "deals": deals,
        }
