"""The learned decision layer: high-recall candidates from the parse and the rules,
features, and small logistic models trained on the labelled sets (``make train``).

- ``orgs``: organisation candidates (every span that could name one) and their features;
- ``coref``: "the company", "the biotech", "the two companies", "it" resolved to organisations;
- ``pairs``: deal candidates (groups of organisations in a sentence) and their features;
- ``model``: a linear model stored as plain JSON arrays (no pickle), and the bundle of models;
- ``decide``: from candidates and models to organisations and deals;
- ``training``: labels from the gold files, fitting, cross-validation by source.
"""
