import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

RACINE = Path(__file__).resolve().parent.parent


def lancer_avec_prod(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.prod", **env_extra})
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_prod_settings_refuse_to_start_without_secret_key():
    resultat = lancer_avec_prod({"ALLOWED_HOSTS": "exemple.fr"})
    assert resultat.returncode != 0
    assert "SECRET_KEY doit être défini" in resultat.stderr


def test_prod_settings_refuse_to_start_without_allowed_hosts():
    resultat = lancer_avec_prod({"SECRET_KEY": "x" * 60})
    assert resultat.returncode != 0
    assert "ALLOWED_HOSTS doit être défini" in resultat.stderr


def test_prod_settings_start_with_both():
    resultat = lancer_avec_prod(
        {"SECRET_KEY": "une-cle-assez-longue-" * 3, "ALLOWED_HOSTS": "a.fr"}
    )
    assert resultat.returncode == 0, resultat.stderr


def test_a_malformed_boolean_setting_fails_loudly():
    resultat = lancer_avec_prod(
        {"SECRET_KEY": "une-cle-assez-longue-" * 3, "ALLOWED_HOSTS": "a.fr", "DEBUG": "peut-être"}
    )
    assert resultat.returncode != 0
    assert "DEBUG" in resultat.stderr


def test_dev_processes_share_one_cache(tmp_path):
    """What `manage.py import_…` drops from the cache, the running `make run` server sees."""

    def shell(commande):
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_CACHE_URL")}
        env.update({"DJANGO_SETTINGS_MODULE": "config.settings.dev", "VAR_DIR": str(tmp_path)})
        resultat = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", commande],
            cwd=RACINE,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert resultat.returncode == 0, resultat.stderr
        return resultat.stdout.strip().splitlines()[-1]

    shell("from django.core.cache import cache; cache.set('version', 42, None)")
    assert shell("from django.core.cache import cache; print(cache.get('version'))") == "42"


def test_tasks_run_eagerly_in_tests():
    assert settings.CELERY_TASK_ALWAYS_EAGER is True


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        reponse = client.get(reverse("commune:healthz"))
    assert reponse.status_code == 200
    etat = json.loads(reponse.content)
    assert etat["ok"] is True
    assert etat["services"]["base_de_donnees"]["ok"] is True
    if os.environ.get("CI") == "true":
        # CI runs with a real broker: it must be reached, not skipped.
        assert settings.CELERY_BROKER_URL
        assert etat["services"]["broker"]["mode"] == "broker"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    reponse = client.get(reverse("commune:healthz"))
    assert reponse.status_code == 503
    assert json.loads(reponse.content)["services"]["broker"]["ok"] is False


@pytest.mark.django_db
def test_admin_asks_anonymous_visitors_to_sign_in(client):
    reponse = client.get("/admin/")
    assert reponse.status_code == 302
    assert "/admin/login/" in reponse["Location"]


@pytest.mark.django_db
def test_admin_index_answers_200_for_staff(admin_client):
    assert admin_client.get("/admin/").status_code == 200
