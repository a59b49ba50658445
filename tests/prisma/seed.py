"""The seed review (seeds/003: low-dose naltrexone for chronic pain) as a PrismaInput.

The paper reports 336 identified (PubMed 89, Embase 95, Web of Science 152), 68
duplicates, 268 remaining, 51 sent to full text, then "2 citations were found to be a
duplicate. In the remaining 49 full-text articles …" 14 + 1 + 3 + 2 = 20 excluded
and 29 included. Its "232 abstracts reviewed" does not add up (268 ≠ 232); the tool
counts every record that entered screening, so 268 screened = 217 excluded + 51 sought.

The paper's "49 assessed" is 51 reports minus the 2 late duplicates it set aside
before counting. In PRISMA 2020 those 2 reports were retrieved and assessed, so they
are assessed reports excluded with reason "Duplicate": 51 assessed, 22 excluded
(2 + 14 + 1 + 3 + 2), 51 − 22 = 29 reports of 29 included studies.
"""

from screening.prisma.counts import PrismaInput

SEED_INPUT = PrismaInput(
    databases={"PubMed": 89, "Embase": 95, "Web of Science": 152},
    duplicates_removed=68,
    records_excluded=217,
    reports_sought=51,
    reports_not_retrieved=0,
    reports_excluded={
        "Duplicate": 2,
        "Animal model": 14,
        "In vitro": 1,
        "Acute pain only": 3,
        "Effect on chronic pain not assessed": 2,
    },
    studies_included=29,
    reports_included=29,
)

SEED_NUMBERS = {
    "database_results": 336,
    "duplicates": 68,
    "records_screened": 268,
    "records_excluded": 217,
    "dbr_sought_reports": 51,
    "dbr_notretrieved_reports": 0,
    "dbr_assessed": 51,
    "dbr_excluded": 22,
    "new_studies": 29,
    "new_reports": 29,
}
