from django import forms

from screening.importers import FORMATS
from screening.models import KeepDecisions, SearchRound, SourceKind

KNOWN_SOURCES = [
    "PubMed",
    "MEDLINE (Ovid)",
    "Embase",
    "Web of Science",
    "Scopus",
    "CINAHL",
    "PsycINFO",
    "Cochrane CENTRAL",
    "ClinicalTrials.gov",
    "WHO ICTRP",
    "Google Scholar",
    "Lens",
    "Dimensions",
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(
        help_text="One or several exports from the same database or register."
    )
    source_name = forms.CharField(
        label="Database or register",
        max_length=120,
        widget=forms.TextInput(attrs={"list": "known-sources", "placeholder": "PubMed, Embase, …"}),
    )
    source_kind = forms.ChoiceField(
        label="Kind of source", choices=SourceKind.choices, initial=SourceKind.DATABASE
    )
    search_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    search_query = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The search string, kept for the report.",
    )
    format = forms.ChoiceField(
        choices=[("", "Recognise from the content")] + list(FORMATS.items()),
        required=False,
    )
    allow_same_file = forms.BooleanField(
        required=False,
        label="Import anyway if the same file was imported before",
    )
    keep_decisions = forms.ChoiceField(
        label="Decisions made in another tool",
        choices=KeepDecisions.choices,
        required=False,
        help_text=(
            "Moving in from ASReview, Rayyan or Covidence: keep the title/abstract "
            "decisions as settled decisions (recorded in the history with their origin)."
        ),
    )

    search_round = forms.ModelChoiceField(
        label="Search round",
        queryset=SearchRound.objects.none(),
        required=False,
        empty_label="The latest round",
        help_text="An update round's imports are reported in that round (see the search log).",
    )

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        if review is not None:
            self.fields["search_round"].queryset = SearchRound.objects.filter(
                review=review
            ).order_by("number")
            self.fields["search_round"].label_from_instance = lambda r: r.label
