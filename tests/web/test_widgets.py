"""The quick select list writes what Django's own Select would."""

from __future__ import annotations

from django import forms
from django.test import SimpleTestCase

from readmit.web.widgets import QuickSelect

CHOICES = [
    ("", "Any"),
    ("AZ", "Azerbaijan"),
    ("CI", "Côte d'Ivoire"),
    ("XX", '<b>"quoted" & tagged</b>'),
    ("Group", [("G1", "First"), ("G2", "Second")]),
]


class QuickSelectTests(SimpleTestCase):
    def _both(self, value: object, **attrs: object) -> tuple[str, str]:
        django = forms.Select(choices=CHOICES).render("nationality", value, attrs)
        quick = QuickSelect(choices=CHOICES).render("nationality", value, attrs)
        return django, quick

    def test_the_same_html_as_django_select(self) -> None:
        for value in (None, "", "AZ", "CI", "G2", "not-a-choice"):
            django, quick = self._both(
                value, id="id_nationality", required=True, **{"aria-describedby": "hint"}
            )
            self.assertHTMLEqual(quick, django)

    def test_labels_and_values_are_escaped(self) -> None:
        _django, quick = self._both("XX")
        self.assertNotIn("<b>", quick)
        self.assertIn("&lt;b&gt;&quot;quoted&quot; &amp; tagged&lt;/b&gt;", quick)
        self.assertIn('<option value="XX" selected>', quick)
