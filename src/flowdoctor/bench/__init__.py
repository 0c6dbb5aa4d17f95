"""Scorers and corpus readers for the public benchmarks (NAB, PetShop); used by ``benchmarks/``.

::

    nab_scoring.py   the NAB v1.1 scorer: window weights, threshold sweep, normalised scores
    nab_corpus.py    reads NAB's data, labels, profiles and a detector's scores CSV
    petshop_corpus.py  reads PetShop's call graphs, metrics.csv tables, targets and normal data

Kept apart from the analysis stages because they read benchmark files and answer keys that the
product never sees; nothing under ``flowdoctor.analyze`` or ``flowdoctor.detect`` imports them.
"""
