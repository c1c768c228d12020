"""OpenAPI examples of feature requests: what the API takes and gives back."""

from drf_spectacular.utils import OpenApiExample

FEATURE_REQUEST = {
    "id": 42,
    "title": "Exportar conversas do chat em CSV",
    "description": "Precisamos auditar as conversas mensalmente.",
    "product_area": "live_chat",
    "status": "approved",
    "status_reason": "Entra no planejamento do primeiro trimestre de 2027.",
    "status_changed_at": "2026-11-30T11:00:00-03:00",
    "vote_count": 12,
    "voted": True,
    "subscribed": True,
    "is_private": False,
    "author": "maria",
    "organization": "acme",
    "merged_into": None,
    "created_at": "2026-11-02T10:15:00-03:00",
    "updated_at": "2026-11-30T11:00:00-03:00",
}
NEW_FEATURE_REQUEST = {
    **FEATURE_REQUEST,
    "status": "submitted",
    "status_reason": "",
    "status_changed_at": FEATURE_REQUEST["created_at"],
    "vote_count": 1,
    "updated_at": FEATURE_REQUEST["created_at"],
}
OFFICIAL_COMMENT = {
    "id": 7,
    "author": "ana.analista",
    "body": "Aprovado: a exportação virá com filtro por período e por atendente.",
    "is_official": True,
    "created_at": "2026-11-30T11:05:00-03:00",
}
CUSTOMER_COMMENT = {
    "id": 8,
    "author": "joao",
    "body": "Também precisamos disso para a LGPD.",
    "is_official": False,
    "created_at": "2026-11-30T14:20:00-03:00",
}

FEATURE_REQUEST_RESPONSE = OpenApiExample(
    "An approved request", value=FEATURE_REQUEST, response_only=True
)
FEATURE_REQUEST_REQUEST = OpenApiExample(
    "A proposal",
    value={
        "title": "Exportar conversas do chat em CSV",
        "description": "Precisamos auditar as conversas mensalmente.",
        "product_area": "live_chat",
        "is_private": False,
    },
    request_only=True,
)
NEW_FEATURE_REQUEST_RESPONSE = OpenApiExample(
    "The proposal registered with its author's vote",
    value=NEW_FEATURE_REQUEST,
    response_only=True,
)
COMMENT_RESPONSE = OpenApiExample(
    "An analyst's official answer", value=OFFICIAL_COMMENT, response_only=True
)
COMMENT_REQUEST = OpenApiExample(
    "A comment", value={"body": CUSTOMER_COMMENT["body"]}, request_only=True
)
NEW_COMMENT_RESPONSE = OpenApiExample(
    "A customer's comment", value=CUSTOMER_COMMENT, response_only=True
)
VOTED_RESPONSE = OpenApiExample(
    "After voting",
    value={"vote_count": 12, "voted": True, "subscribed": True},
    response_only=True,
)
UNVOTED_RESPONSE = OpenApiExample(
    "The vote withdrawn, still following",
    value={"vote_count": 11, "voted": False, "subscribed": True},
    response_only=True,
)
SUBSCRIBED_RESPONSE = OpenApiExample(
    "Following without voting",
    value={"vote_count": 12, "voted": False, "subscribed": True},
    response_only=True,
)
UNSUBSCRIBED_RESPONSE = OpenApiExample(
    "No longer following, the vote kept",
    value={"vote_count": 12, "voted": True, "subscribed": False},
    response_only=True,
)
