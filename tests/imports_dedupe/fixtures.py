"""Tiny export files written for these tests (RIS end tags really end in a space)."""

# ruff: noqa: W291

RIS_THREE = b"""TY  - JOUR
ID  - r1
TI  - Low-dose naltrexone for fibromyalgia: a pilot trial
AU  - Younger, Jarred
AU  - Mackey, Sean
PY  - 2009
JO  - Pain Medicine
VL  - 10
IS  - 4
SP  - 663
EP  - 672
DO  - 10.1111/j.1526-4637.2009.00613.x
AB  - Fibromyalgia patients took low-dose naltrexone.
ER  - 

TY  - JOUR
ID  - r2
TI  - Naltrexone at low doses for complex regional pain syndrome
AU  - Chopra, Pradeep
PY  - 2013
JO  - Pain Physician
VL  - 16
SP  - 123
EP  - 130
ER  - 

TY  - JOUR
ID  - r3
TI  - <script>alert(1)</script> Opioid antagonists in animal models of pain
AU  - Smith, J
PY  - 2015
JO  - Neuroscience
ER  - 
"""

# The same first article as exported by PubMed: a duplicate of r1 by DOI.
MEDLINE_DUPLICATE = b"""PMID- 19453963
TI  - Low-dose naltrexone for fibromyalgia: a pilot trial.
AB  - Fibromyalgia patients took low-dose naltrexone in a pilot study.
FAU - Younger, Jarred
AU  - Younger J
FAU - Mackey, Sean
AU  - Mackey S
DP  - 2009 May-Jun
TA  - Pain Med
JT  - Pain medicine (Malden, Mass.)
VI  - 10
IP  - 4
PG  - 663-72
AID - 10.1111/j.1526-4637.2009.00613.x [doi]

PMID- 11111111
TI  - A different study of pain.
FAU - Other, Author
DP  - 2020
TA  - J Pain
"""

# A record that is the same article but without DOI and with a small title difference:
# the matcher should find it only as a "maybe" pair or a certain match depending on rules.
BROKEN_RIS = b"""TY  - JOUR
TI  - First record
ER  - 
ER  - 
ER  - 
"""
