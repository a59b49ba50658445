"""Phrase lists for the demo's search results (see screening/demo_data.py): conditions,
study designs with their title and abstract templates, journals and names. Written for
this project; the generator combines them, so no record is copied from anywhere."""

from __future__ import annotations

OUTCOMES = [
    "pain intensity",
    "fatigue",
    "sleep disturbance",
    "pain interference",
    "analgesic use",
    "opioid consumption",
    "morning stiffness",
    "cognitive complaints",
]

CONDITIONS = [
    {"name": "fibromyalgia", "patients": "women with fibromyalgia", "mostly_women": True},
    {
        "name": "complex regional pain syndrome",
        "patients": "adults with complex regional pain syndrome",
        "outcomes": ["pain intensity", "dystonia", "allodynia", "skin temperature asymmetry"],
    },
    {
        "name": "Crohn's disease",
        "patients": "adults with active Crohn's disease",
        "outcomes": ["disease activity", "abdominal pain", "stool frequency", "pain interference"],
    },
    {
        "name": "multiple sclerosis",
        "patients": "people with relapsing multiple sclerosis",
        "outcomes": ["fatigue", "pain interference", "painful spasms", "neuropathic pain"],
    },
    {
        "name": "myalgic encephalomyelitis/chronic fatigue syndrome",
        "patients": "patients with ME/CFS",
        "mostly_women": True,
    },
    {
        "name": "painful diabetic neuropathy",
        "patients": "adults with type 2 diabetes and painful neuropathy",
        "outcomes": ["neuropathic pain", "sleep interference", "pain intensity"],
    },
    {"name": "chronic low back pain", "patients": "adults with chronic low back pain"},
    {
        "name": "rheumatoid arthritis",
        "patients": "patients with rheumatoid arthritis",
        "outcomes": ["joint pain", "disease activity", "morning stiffness", "analgesic use"],
    },
    {
        "name": "interstitial cystitis/bladder pain syndrome",
        "patients": "women with bladder pain syndrome",
        "mostly_women": True,
        "outcomes": ["pelvic pain", "urinary frequency", "pain interference"],
    },
    {
        "name": "chronic migraine",
        "patients": "adults with chronic migraine",
        "outcomes": ["headache days", "pain intensity", "acute medication use"],
    },
    {
        "name": "postherpetic neuralgia",
        "patients": "older adults with postherpetic neuralgia",
        "outcomes": ["neuropathic pain", "sleep quality"],
    },
    {
        "name": "chronic pelvic pain",
        "patients": "women with chronic pelvic pain",
        "mostly_women": True,
    },
    {
        "name": "Gulf War illness",
        "patients": "veterans with Gulf War illness",
        "outcomes": ["musculoskeletal pain", "fatigue", "cognitive symptoms"],
    },
    {
        "name": "hidradenitis suppurativa",
        "patients": "patients with hidradenitis suppurativa",
        "outcomes": ["lesion pain", "pruritus", "pain interference"],
    },
    {
        "name": "trigeminal neuralgia",
        "patients": "patients with refractory trigeminal neuralgia",
        "outcomes": ["attack frequency", "pain intensity"],
    },
    {
        "name": "endometriosis",
        "patients": "women with endometriosis-associated pain",
        "mostly_women": True,
        "outcomes": ["pelvic pain", "dysmenorrhoea", "pain interference"],
    },
    {
        "name": "chronic widespread pain",
        "patients": "primary care patients with chronic widespread pain",
    },
    {
        "name": "Ehlers-Danlos syndrome",
        "patients": "adults with hypermobile Ehlers-Danlos syndrome",
        "outcomes": ["joint pain", "fatigue", "pain interference"],
    },
]

ANIMAL_MODELS = [
    "rat chronic constriction injury",
    "mouse spared nerve injury",
    "rat spinal nerve ligation",
    "mouse experimental autoimmune encephalomyelitis",
    "rat complete Freund's adjuvant",
    "mouse dextran sulfate sodium colitis",
    "rat streptozotocin diabetic neuropathy",
    "mouse paclitaxel-induced neuropathy",
]
CELLS = [
    "BV-2 microglia",
    "primary rat astrocytes",
    "human peripheral blood mononuclear cells",
    "murine macrophages",
    "SH-SY5Y neuroblastoma cells",
]

_BACKGROUND = [
    "Low-dose naltrexone (LDN) is used off label for {condition}, but controlled evidence is scarce.",
    "At low doses, naltrexone is thought to act on Toll-like receptor 4 on microglia and to reduce neuroinflammation, a mechanism proposed in {condition}.",
    "Treatment options for {condition} are limited and often poorly tolerated; LDN has been suggested as a well-tolerated alternative.",
    "Patients with {condition} increasingly ask for low-dose naltrexone, a compounded, inexpensive medicine.",
]
_CONCLUSION = [
    "LDN may be a safe, low-cost option for {patients}; larger trials are needed.",
    "These findings support a definitive multicentre trial of LDN in {condition}.",
    "LDN was well tolerated; its effect on {outcome} should be confirmed in controlled studies.",
    "Low-dose naltrexone deserves further study as an adjunct in {condition}.",
]

# Per design: how often it turns up, title templates, and the abstract's parts (one of each
# list, in order). Placeholders are filled per work by screening.demo_data._values.
DESIGNS = {
    "rct": {
        "weight": 14,
        "titles": [
            "Low-dose naltrexone versus placebo for {condition}: a randomized, double-blind, crossover trial",
            "Efficacy and safety of low-dose naltrexone in {condition}: a {weeks}-week randomized controlled trial",
            "Low-dose naltrexone for {outcome} in {patients}: a randomized placebo-controlled trial",
            "Effect of low-dose naltrexone on {outcome} and {outcome2} in {condition}: a double-blind randomized trial",
        ],
        "abstract": [
            _BACKGROUND,
            [
                "Objective: to test whether LDN ({dose} daily) improves {outcome} in {patients}.",
                "We asked whether {weeks} weeks of LDN reduce {outcome} compared with placebo.",
            ],
            [
                "Methods: {n} participants ({women}% women, mean age {age} years) were randomized to LDN or placebo for {weeks} weeks; the primary outcome was {outcome}.",
                "Methods: in a double-blind crossover design, {n} participants received LDN and placebo for {weeks} weeks each, separated by a washout.",
            ],
            [
                "Results: {outcome} fell from {before} to {after} on a 10-point scale with LDN, more than with placebo (p = {p}). {dropouts} participants withdrew; {adverse} was the most frequent adverse event.",
                "Results: LDN reduced {outcome} by {percent}% relative to baseline (p = {p}); {outcome2} did not differ between groups. Adverse events were mild, mostly {adverse}.",
            ],
            _CONCLUSION,
        ],
        "keywords": ["randomized controlled trial", "placebo"],
    },
    "pilot": {
        "weight": 12,
        "titles": [
            "An open-label pilot study of low-dose naltrexone for {outcome} in {condition}",
            "Low-dose naltrexone in {condition}: a prospective single-arm feasibility study",
            "Feasibility of a dose-escalation protocol of low-dose naltrexone in {patients}",
        ],
        "abstract": [
            _BACKGROUND,
            [
                "Methods: {n} {patients} took LDN, titrated to {dose} at night, for {weeks} weeks; {outcome} scores were recorded daily in a symptom diary.",
                "Methods: in this open-label study, {n} participants received LDN {dose} for {weeks} weeks after a two-week baseline.",
            ],
            [
                "Results: {outcome} improved by {percent}% from baseline (p = {p}); {dropouts} participants stopped early because of {adverse}.",
                "Results: mean {outcome} scores decreased from {before} to {after}; recruitment and retention met the feasibility targets.",
            ],
            _CONCLUSION,
        ],
        "keywords": ["pilot study", "open-label"],
    },
    "cohort": {
        "weight": 9,
        "titles": [
            "Long-term use of low-dose naltrexone in {patients}: a retrospective chart review",
            "Low-dose naltrexone and concomitant analgesic use in {condition}: a registry-based cohort study",
            "Persistence with low-dose naltrexone over {months} months in {condition}: a retrospective cohort",
        ],
        "abstract": [
            _BACKGROUND,
            [
                "Methods: we reviewed the records of {n} {patients} who started LDN at a tertiary pain clinic and followed them for {months} months.",
                "Methods: using a national prescription registry, we compared {n} new users of LDN with matched non-users over {months} months.",
            ],
            [
                "Results: {percent}% of patients still took LDN at {months} months; dispensing of {outcome2}-related medicines fell after starting LDN.",
                "Results: {outcome} improved in {percent}% of patients; the most common reason for stopping was {adverse}.",
            ],
            _CONCLUSION,
        ],
        "keywords": ["retrospective studies"],
    },
    "case_report": {
        "weight": 13,
        "titles": [
            "Low-dose naltrexone for refractory {condition}: a case report",
            "Marked reduction of {outcome} with low-dose naltrexone in a patient with {condition}",
            "A {age}-year-old {sex} with {condition} responding to low-dose naltrexone",
        ],
        "abstract": [
            [
                "We describe a {age}-year-old {sex} with {condition} refractory to several lines of treatment.",
                "A {age}-year-old {sex} presented with long-standing {condition} and troublesome {outcome}.",
            ],
            [
                "LDN was started at 1.5 mg and increased to 4.5 mg at night.",
                "After failure of gabapentinoids and opioids, LDN {dose} daily was added.",
            ],
            [
                "Within {weeks} weeks {outcome} improved markedly and remained stable at {months} months; the only side effect was {adverse}.",
                "{outcome} decreased from {before} to {after} on a numeric rating scale, and the patient returned to work.",
            ],
            [
                "This case adds to reports of LDN in {condition}.",
                "LDN may be considered when standard treatments fail.",
            ],
        ],
        "keywords": ["case report"],
    },
    "case_series": {
        "weight": 6,
        "titles": [
            "Low-dose naltrexone in {condition}: a case series of {n} patients",
            "Clinical experience with low-dose naltrexone for {outcome} in {n} {patients}",
        ],
        "abstract": [
            _BACKGROUND,
            [
                "We report {n} consecutive {patients} treated with LDN {dose} daily between clinic visits.",
                "We describe {n} patients who received LDN for at least {months} months.",
            ],
            [
                "{percent}% reported meaningful relief of {outcome}; {dropouts} stopped because of {adverse}.",
                "Median {outcome} fell from {before} to {after}; no serious adverse events occurred.",
            ],
            _CONCLUSION,
        ],
        "keywords": ["case series"],
    },
    "review": {
        "weight": 11,
        "titles": [
            "Low-dose naltrexone as an immune modulator in {condition}: a narrative review",
            "Low-dose naltrexone for chronic pain conditions: a systematic review of {studies} studies",
            "Glial modulation in {condition}: where does low-dose naltrexone fit? A review",
            "Off-label low-dose naltrexone in {condition}: a scoping review",
        ],
        "abstract": [
            _BACKGROUND,
            [
                "We searched the literature for clinical and preclinical studies of LDN and identified {studies} reports.",
                "This review summarises the proposed mechanisms of LDN and the clinical evidence in {condition}.",
            ],
            [
                "Most studies were small and open-label; {outcome} was the most frequently reported outcome.",
                "Evidence comes mainly from case reports and pilot studies, with few randomized trials.",
            ],
            [
                "Well-designed trials are needed before LDN can be recommended.",
                "LDN appears safe, but its efficacy remains uncertain.",
            ],
        ],
        "keywords": ["review"],
    },
    "animal": {
        "weight": 11,
        "titles": [
            "Low-dose naltrexone attenuates mechanical allodynia in a {species} model",
            "Ultra-low-dose naltrexone reduces spinal glial activation in the {species} model",
            "Naltrexone at low doses modulates Toll-like receptor 4 signalling and pain behaviour in the {species} model",
        ],
        "abstract": [
            [
                "Microglial activation contributes to persistent pain, and low doses of naltrexone antagonise Toll-like receptor 4.",
                "Opioid antagonists at very low doses paradoxically enhance analgesia in rodents.",
            ],
            [
                "In the {species} model, animals received naltrexone (0.1 to 10 mg/kg) or saline for {weeks} weeks (n = {n_half} per group).",
                "We tested daily naltrexone in the {species} model and measured withdrawal thresholds and spinal cytokines.",
            ],
            [
                "Naltrexone reduced mechanical hypersensitivity by {percent}% and lowered spinal IL-1beta and TNF-alpha (p = {p}).",
                "Treated animals showed less microglial activation and faster recovery of withdrawal thresholds.",
            ],
            [
                "These preclinical results support clinical trials of LDN in neuropathic pain.",
                "Low-dose naltrexone may act through glial rather than opioid mechanisms.",
            ],
        ],
        "keywords": ["animal model", "microglia"],
    },
    "in_vitro": {
        "weight": 4,
        "titles": [
            "Naltrexone at nanomolar concentrations inhibits lipopolysaccharide-induced cytokine release in {cells}",
            "Opioid-independent effects of naltrexone on Toll-like receptor 4 signalling in {cells}",
        ],
        "abstract": [
            [
                "The anti-inflammatory effect of low-dose naltrexone is thought to be independent of opioid receptors."
            ],
            [
                "We exposed {cells} to lipopolysaccharide with or without naltrexone at 1 nM to 10 microM."
            ],
            [
                "Naltrexone reduced nitric oxide and IL-6 release by up to {percent}% (p = {p}) without affecting viability."
            ],
            ["These in vitro data help explain the clinical use of LDN in pain and inflammation."],
        ],
        "keywords": ["in vitro", "cytokines"],
    },
    "simulation": {
        "weight": 3,
        "titles": [
            "Compounded low-dose naltrexone for {condition}: a pharmacokinetic simulation of dosing schedules",
            "Cost-effectiveness of low-dose naltrexone for {condition}: a model-based analysis",
        ],
        "abstract": [
            ["Decisions about LDN are made with little data on exposure or value for money."],
            [
                "We built a model of {n} simulated {patients} over {months} months, comparing LDN {dose} with usual care."
            ],
            [
                "LDN was dominant in {percent}% of simulations; results were most sensitive to the effect on {outcome}."
            ],
            ["Modelling suggests LDN could be worth testing in {condition}."],
        ],
        "keywords": ["computer simulation"],
    },
    "survey": {
        "weight": 5,
        "titles": [
            "Patient-reported experiences with low-dose naltrexone for {condition}: an online survey",
            "Why do {patients} use low-dose naltrexone? A cross-sectional survey",
        ],
        "abstract": [
            _BACKGROUND,
            ["We surveyed {n} {patients} who had used LDN about its effects and side effects."],
            [
                "{percent}% reported improvement in {outcome}; {adverse} was the most common complaint."
            ],
            ["Patients' reports are encouraging but cannot replace controlled trials."],
        ],
        "keywords": ["surveys and questionnaires"],
    },
    "acute": {
        "weight": 5,
        "titles": [
            "Ultra-low-dose naltrexone added to morphine for acute postoperative pain after {surgery}",
            "Low-dose naltrexone and opioid requirements after {surgery}: a randomized trial",
        ],
        "abstract": [
            [
                "Adding an opioid antagonist at very low doses may reduce opioid tolerance in acute pain."
            ],
            [
                "{n} patients undergoing {surgery} received naltrexone or placebo with patient-controlled morphine."
            ],
            [
                "Morphine use in the first 24 hours fell by {percent}% (p = {p}); nausea was less frequent."
            ],
            ["Low-dose naltrexone may reduce opioid needs after surgery."],
        ],
        "keywords": ["acute pain", "postoperative pain"],
    },
}

JOURNALS = [
    ("Pain Medicine", "pm"),
    ("Journal of Pain Research", "jpr"),
    ("Clinical Rheumatology", "cr"),
    ("Pain Physician", "pp"),
    ("European Journal of Pain", "ejp"),
    ("Scandinavian Journal of Pain", "sjp"),
    ("Journal of Clinical Medicine", "jcm"),
    ("Frontiers in Neurology", "fn"),
    ("Multiple Sclerosis and Related Disorders", "msard"),
    ("Inflammatory Bowel Diseases", "ibd"),
    ("Arthritis Research & Therapy", "art"),
    ("Journal of Neuroimmunology", "jni"),
    ("Brain, Behavior, and Immunity", "bbi"),
    ("Pharmacotherapy", "phar"),
    ("Journal of Psychopharmacology", "jpsy"),
    ("BMJ Case Reports", "bcr"),
    ("Cureus", "cur"),
    ("Clinical Journal of Pain", "cjp"),
    ("Regional Anesthesia and Pain Medicine", "rapm"),
    ("Journal of Alternative and Complementary Medicine", "jacm"),
]

SURNAMES = [
    "Andersen",
    "Bakker",
    "Barros",
    "Becker",
    "Bianchi",
    "Carvalho",
    "Chen",
    "Choi",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fischer",
    "Garcia",
    "Gupta",
    "Haddad",
    "Hansen",
    "Hoffmann",
    "Ibrahim",
    "Ito",
    "Jansen",
    "Johansson",
    "Kaur",
    "Keller",
    "Kowalski",
    "Kumar",
    "Larsen",
    "Lee",
    "Lindqvist",
    "Lopez",
    "Martin",
    "Meyer",
    "Moreau",
    "Morris",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "O'Brien",
    "Okafor",
    "Olsen",
    "Park",
    "Patel",
    "Petrov",
    "Quinn",
    "Rahman",
    "Reyes",
    "Rossi",
    "Sato",
    "Schmidt",
    "Silva",
    "Singh",
    "Sørensen",
    "Suzuki",
    "Tanaka",
    "Thompson",
    "Varga",
    "Walsh",
    "Wang",
    "Weber",
    "Williams",
    "Wong",
    "Yilmaz",
    "Zhang",
    "Zimmermann",
]
FIRST_INITIALS = list("ABCDEFGHIJKLMNOPRSTVW")
SURGERIES = [
    "total knee arthroplasty",
    "laparoscopic cholecystectomy",
    "spinal fusion",
    "caesarean delivery",
    "hysterectomy",
]
