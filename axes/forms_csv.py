from django import forms

from .csv_io import MAX_OCTETS


class ImportCSVForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier CSV des engagements",
        help_text="Encodé en UTF-8, séparateur point-virgule ou virgule, 1 Mo au plus.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        # The size is known from the upload itself: nothing is read when it is too big.
        if fichier.size > MAX_OCTETS:
            raise forms.ValidationError(
                "Le fichier dépasse 1 Mo : un export complet des 15 actions pèse bien moins, "
                "vérifiez que c'est le bon fichier."
            )
        return fichier
