from django import forms

from screening.models import SearchLogEntry, SearchRound


class RoundForm(forms.ModelForm):
    class Meta:
        model = SearchRound
        fields = ["searched_on", "note"]
        widgets = {
            "searched_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class LogEntryForm(forms.ModelForm):
    round = forms.ModelChoiceField(queryset=SearchRound.objects.none(), empty_label=None)

    class Meta:
        model = SearchLogEntry
        fields = [
            "round",
            "source_name",
            "source_kind",
            "platform",
            "searched_on",
            "search_string",
            "limits",
            "reported_count",
            "note",
        ]
        widgets = {
            "source_name": forms.TextInput(attrs={"list": "known-sources"}),
            "searched_on": forms.DateInput(attrs={"type": "date"}),
            "search_string": forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
            "limits": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "search_string": "The full strategy as run, line by line, verbatim.",
            "reported_count": "The hit count the source showed for the final line.",
        }

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = SearchRound.objects.filter(review=review).order_by("number")
        self.fields["round"].label_from_instance = lambda r: r.label

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("round")
        return data
