"""Pure-Python extraction domain: risk-of-bias tools and extraction-form schemas.

No Django, no database: every function takes plain data and returns dataclasses, so
the rules can be read and unit-tested on their own.

- `rob2`: Cochrane RoB 2 signalling questions and the published judgement algorithms.
- `domain_tool`: a simple domain-based tool (low / high / unclear), e.g. the Cochrane
  Back Review Group domains the seed review used.
- `forms`: extraction-form definitions, value cleaning and two-extractor comparison.
"""
