#!/usr/bin/env bash
# The API against its OpenAPI document: schemathesis on every operation of /api/v1/,
# anonymous then with a token of the demo's editor of Rennes, on a throwaway PostgreSQL
# database filled by seed_demo. Prints both summaries; fails if either run found a
# server error or a response that the document does not describe.
# Usage: scripts/api_contrat.sh [more schemathesis options, e.g. -n 100]
set -uo pipefail

PY=${PY:-.venv/bin/python}
ST=${ST:-.venv/bin/schemathesis}
PORT=${PORT:-8765}
BASE=${BASE:-ce_schemathesis}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
RAPPORTS=${RAPPORTS:-var/api-contrat}

export DATABASE_URL="$PG/$BASE" DJANGO_SETTINGS_MODULE=config.settings.dev
# The runs send thousands of requests a minute: the API's throttling would answer 429.
export API_DEBIT_ANONYME=1000000/min API_DEBIT_UTILISATEUR=1000000/min

dropdb --if-exists -h 127.0.0.1 -U postgres "$BASE"
createdb -h 127.0.0.1 -U postgres "$BASE"
$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo -v0 >/dev/null
JETON=$($PY manage.py shell -v0 -c "
from comptes.models import JetonAcces, User
print(JetonAcces.creer(user=User.objects.get(email='agent@demo.test'), nom='schemathesis')[1])
" | tail -n 1)

mkdir -p "$RAPPORTS"
$PY manage.py runserver "127.0.0.1:$PORT" --noreload >"$RAPPORTS/serveur.log" 2>&1 &
SERVEUR=$!
trap 'kill $SERVEUR 2>/dev/null; wait $SERVEUR 2>/dev/null' EXIT

lancer() {  # $1: name of the run; the rest: options of that run
	local nom=$1
	shift
	$ST --config-file scripts/schemathesis.toml run "http://127.0.0.1:$PORT/api/schema/" \
		--wait-for-schema 30 --no-color "$@" >"$RAPPORTS/$nom.txt" 2>&1
	local code=$?
	echo "=== $nom (détail : $RAPPORTS/$nom.txt)"
	sed -n '/^=* SUMMARY =*$/,$p' "$RAPPORTS/$nom.txt"
	return $code
}

lancer anonyme "$@"
ANONYME=$?
lancer jeton -H "Authorization: Bearer $JETON" "$@"
AVEC_JETON=$?
exit $((ANONYME || AVEC_JETON))
