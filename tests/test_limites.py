import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from config.journal import FormatJSON


@pytest.mark.django_db
@override_settings(TAILLE_MAX_REQUETE=1024)
def test_a_request_body_above_the_limit_gets_413_before_it_is_read(client):
    gros = SimpleUploadedFile("gros.pdf", b"%PDF-1.4\n" + b"0" * 4096)
    reponse = client.post("/connexion/", {"fichier": gros})
    assert reponse.status_code == 413
    assert "Rien n'a été enregistré" in reponse.content.decode()


@pytest.mark.django_db
def test_a_normal_request_goes_through(client):
    assert client.post("/connexion/", {"username": "a@b.test", "password": "x"}).status_code == 200


def test_json_log_lines_carry_level_logger_message_and_extras():
    enregistrement = logging.makeLogRecord(
        {
            "name": "commune.tasks",
            "levelname": "INFO",
            "msg": "rapport=%s prêt",
            "args": (3,),
            "rapport": 3,
        }
    )
    ligne = json.loads(FormatJSON().format(enregistrement))
    assert ligne["niveau"] == "INFO"
    assert ligne["journal"] == "commune.tasks"
    assert ligne["message"] == "rapport=3 prêt"
    assert ligne["rapport"] == 3
