"""The SIRET as people type it: with spaces or dots, sometimes a digit short."""

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siret as stdnum_siret

QUE_DES_CHIFFRES = "Un SIRET ne contient que des chiffres : 14 chiffres, sans lettre."


def siret_normalise(valeur):
    """The 14 digits, without the spaces and dots people type between groups."""
    return stdnum_siret.compact(valeur or "")


def message_siret_invalide(valeur):
    """Why `valeur` is not a SIRET, in French, or None when it is one."""
    chiffres = siret_normalise(valeur)
    try:
        stdnum_siret.validate(chiffres)
    except InvalidLength:  # before InvalidFormat, its parent class
        return f"Un SIRET compte 14 chiffres : « {chiffres} » en compte {len(chiffres)}."
    except InvalidChecksum:
        return (
            f"Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas aux 14 chiffres "
            f"de « {chiffres} ». Vérifiez-le sur l'avis de situation au répertoire SIRENE."
        )
    except InvalidFormat:
        return QUE_DES_CHIFFRES
    return None
