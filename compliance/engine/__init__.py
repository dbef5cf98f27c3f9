"""The compliance engine, pure Python (no Django): rules, model, scoring and evaluation.

* :mod:`.rules`: the versioned lexicon (``lexicon.yaml``) matched in one Aho-Corasick pass.
* :mod:`.model`: character n-gram TF-IDF with logistic regression, trained on ``corpus/zh.tsv``.
* :mod:`.scoring`: both tracks into one risk score, a decision by policy thresholds, reasons.
* :mod:`.evaluation`: the held-out split, the figures, and the "not worse" promotion rule.
"""
