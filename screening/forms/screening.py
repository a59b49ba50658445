"""Forms of the screening pages. They only parse input; services decide."""

from __future__ import annotations

from django import forms

from screening.models import (
    SETTINGS_FIELDS,
    ExclusionReason,
    FinalVerdict,
    ScreeningSettings,
    Verdict,
)


class VoteForm(forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices)
    reason = forms.ModelChoiceField(queryset=ExclusionReason.objects.none(), required=False)
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, review, stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = ExclusionReason.objects.for_stage(review, stage)


class LeadDecisionForm(forms.Form):
    verdict = forms.ChoiceField(choices=FinalVerdict.choices, label="Final decision")
    reason = forms.ModelChoiceField(queryset=ExclusionReason.objects.none(), required=False)
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, review, stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = ExclusionReason.objects.for_stage(review, stage)


class TermsField(forms.CharField):
    """One highlight term per line (commas also separate terms)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        from screening.services.settings import clean_terms

        return clean_terms(value or "")


class ScreeningSettingsForm(forms.ModelForm):
    highlight_include = TermsField(
        required=False,
        label="Highlight in green",
        help_text="One term per line; naltrex* matches naltrexone.",
    )
    highlight_exclude = TermsField(
        required=False, label="Highlight in red", help_text="One term per line."
    )

    class Meta:
        model = ScreeningSettings
        fields = list(SETTINGS_FIELDS)


class ReasonForm(forms.Form):
    label = forms.CharField(max_length=200)


class UploadForm(forms.Form):
    file = forms.FileField(label="PDF")


class NotRetrievedForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why was it not retrieved?")
