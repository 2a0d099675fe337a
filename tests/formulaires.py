"""What a browser would send back of a page's form, as the page showed it: the tests of
concurrent edits keep a page "open" by keeping this, and send it later."""

from django import forms


def donnees_postees(*formulaires) -> dict:
    """The fields of `formulaires` (forms, formsets) as a browser posts them unchanged."""
    donnees = {}
    for formulaire in formulaires:
        if isinstance(formulaire, forms.BaseFormSet):
            donnees.update(donnees_postees(formulaire.management_form, *formulaire.forms))
            continue
        for champ in formulaire:
            valeur = champ.value()
            widget = champ.field.widget
            if isinstance(widget, forms.CheckboxInput):
                if valeur:
                    donnees[champ.html_name] = "on"
            elif isinstance(valeur, list | tuple):
                donnees[champ.html_name] = [str(v) for v in valeur]
            elif isinstance(widget, forms.FileInput):
                continue
            elif isinstance(widget, forms.widgets.ChoiceWidget):
                donnees[champ.html_name] = "" if valeur is None else str(valeur)
            else:
                valeur = widget.format_value(valeur)
                donnees[champ.html_name] = "" if valeur is None else str(valeur)
    return donnees
