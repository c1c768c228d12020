"""OpenAPI examples of the written record: what the API takes and gives back."""

from drf_spectacular.utils import OpenApiExample

ATTACHMENT = {
    "id": 31,
    "original_name": "erro-relatorios.png",
    "content_type": "image/png",
    "size": 48213,
    "created_at": "2026-11-27T17:05:12-03:00",
    "download_url": "/attachments/31/",
}
MESSAGE = {
    "id": 87,
    "direction": "in",
    "channel": "api",
    "author": "maria",
    "author_email": "",
    "text": "Segue o print do erro.",
    "body": "Segue o print do erro.",
    "created_at": "2026-11-27T17:05:12-03:00",
    "attachments": [ATTACHMENT],
}
AGREEMENT = {
    "id": 12,
    "kind": "new_date",
    "text": "Correção publicada até 2026-12-02 12:00.",
    "agreed_date": "2026-11-30T11:00:00-03:00",
    "vendor_party": "ana.analista",
    "customer_party": "Maria Souza (Acme)",
    "version": 2,
    "supersedes": 11,
    "in_force": True,
    "created_at": "2026-11-30T11:20:00-03:00",
}

MESSAGE_RESPONSE = OpenApiExample(
    "A customer's message with a file", value=MESSAGE, response_only=True
)
MESSAGE_REQUEST = OpenApiExample(
    "A reply", value={"body": "Segue o print do erro."}, request_only=True
)
NOTE_REQUEST = OpenApiExample(
    "An internal note (analysts)",
    value={"body": "Erro no serviço de relatórios; escalado.", "internal": True},
    request_only=True,
)
ATTACHMENT_RESPONSE = OpenApiExample("A screenshot", value=ATTACHMENT, response_only=True)
ATTACHMENT_REQUEST = OpenApiExample(
    "Upload a screenshot",
    description="multipart/form-data, the file in the field `file`.",
    value={"file": "erro-relatorios.png"},
    media_type="multipart/form-data",
    request_only=True,
)
AGREEMENT_RESPONSE = OpenApiExample(
    "A new date agreed, correcting version 1", value=AGREEMENT, response_only=True
)
