"""An article's extraction in the schema of the gold files: what ``extract --jsonl``
prints and what training and the scoreboard score (its own module so the learning
code need not import the command line)."""

from __future__ import annotations


def result_as_json(result) -> dict:
    """One article's extraction in the schema of the gold files."""
    aliases: dict[str, list[str]] = {}
    for mention in result.mentions:
        forms = aliases.setdefault(mention.canonical, [])
        if mention.text != mention.canonical and mention.text not in forms:
            forms.append(mention.text)
    return {
        "file": result.article.file,
        "title": result.article.title,
        "published": result.article.published,
        "date_source": result.article.date_source,
        "organisations": list(result.organisations),
        "aliases": {k: v for k, v in aliases.items() if v},
        "countries": {k: v.country for k, v in result.organisations.items() if v.country},
        "deals": [
            {
                "parties": list(deal.parties),
                "type": deal.type,
                "also_types": list(deal.also_types),
                "therapeutic_areas": list(deal.therapeutic_areas),
                "countries": list(deal.countries),
                "deal_date": deal.deal_date,
                "role": deal.role,
                "confidence": deal.confidence,
                "evidence": deal.evidence,
                "terms": deal_terms_json(result.article, deal),
                "assets": list(deal.assets),
                "status": deal.status,
            }
            for deal in result.deals
        ],
    }


def deal_terms_json(article, deal) -> dict:
    """A deal's terms in the gold schema, valued in dollars at the date the store uses
    (``atlas.store.valuation_date``: the deal's, else its item's or article's), so
    ``extract --jsonl`` and the dashboard give an undated deal the same dollar value."""
    from atlas.store import valuation_date

    return terms_as_json(deal.terms, valuation_date(article, deal))


def terms_as_json(terms, on: str | None) -> dict:
    """``atlas.store.terms_as_json``, the form the store keeps too (imported when
    used: the store's libraries would add a second to every command's start)."""
    from atlas.store import terms_as_json as gold_schema_terms

    return gold_schema_terms(terms, on)
