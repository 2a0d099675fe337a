"""Log records as one JSON object a line on stdout, for log collectors."""

import json
import logging

CHAMPS_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class FormatJSON(logging.Formatter):
    def format(self, record):
        ligne = {
            "horodatage": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "niveau": record.levelname,
            "journal": record.name,
            "message": record.getMessage(),
        }
        # Whatever the caller passed in `extra=` goes along.
        ligne.update(
            {cle: valeur for cle, valeur in record.__dict__.items() if cle not in CHAMPS_STANDARD}
        )
        if record.exc_info:
            ligne["exception"] = self.formatException(record.exc_info)
        return json.dumps(ligne, ensure_ascii=False, default=str)
