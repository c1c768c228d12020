"""The feature-request API: the board, proposals, votes, follows and comments."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from feature_requests import selectors, services
from feature_requests.api import examples
from feature_requests.api.serializers import (
    CommentCreateSerializer,
    CommentSerializer,
    FeatureRequestCreateSerializer,
    FeatureRequestSerializer,
    VoteStateSerializer,
)
from feature_requests.filters import FeatureRequestFilter
from feature_requests.models import FeatureRequest


def _domain(call):
    """Run a service; its rule violations become a 400 with the service's message."""
    try:
        return call()
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        raise serializers.ValidationError(detail) from None


class FeatureRequestSearch(filters.SearchFilter):
    """`?search=`: the board's own search (`selectors.search`, as `q`): every word, in the
    title or the description, case and accents never mattering ("relatorio" finds
    "Relatório"), where DRF's would compare accented text as it is."""

    def filter_queryset(self, request, queryset, view):
        text = request.query_params.get(self.search_param, "")
        return selectors.search(queryset, text) if text.strip() else queryset


@extend_schema_view(
    list=extend_schema(examples=[examples.FEATURE_REQUEST_RESPONSE]),
    retrieve=extend_schema(examples=[examples.FEATURE_REQUEST_RESPONSE]),
    create=extend_schema(
        request=FeatureRequestCreateSerializer,
        responses={201: FeatureRequestSerializer},
        examples=[examples.FEATURE_REQUEST_REQUEST, examples.NEW_FEATURE_REQUEST_RESPONSE],
    ),
)
class FeatureRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Feature requests the user may see: public reviewed ones and their organization's."""

    serializer_class = FeatureRequestSerializer
    filterset_class = FeatureRequestFilter
    filter_backends = [DjangoFilterBackend, FeatureRequestSearch, filters.OrderingFilter]
    search_fields = ["title", "description"]  # what the schema says `search` looks in
    ordering_fields = ["vote_count", "created_at", "updated_at", "status_changed_at"]
    ordering = ["-vote_count", "-created_at"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.feature_requests_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        data = FeatureRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feature_request = _domain(
            lambda: services.feature_request_create(
                author=request.user,
                now=timezone.now(),
                channel=FeatureRequest.Channel.API,
                **data.validated_data,
            )
        )
        fresh = self.get_queryset().get(pk=feature_request.pk)
        return Response(FeatureRequestSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def _state(self, pk):
        fresh = self.get_queryset().get(pk=pk)
        return Response(
            VoteStateSerializer(
                {
                    "vote_count": fresh.vote_count,
                    "voted": fresh.has_voted,
                    "subscribed": fresh.is_subscribed,
                }
            ).data
        )

    def _toggle(self, service):
        feature_request = self.get_object()
        _domain(
            lambda: service(
                feature_request=feature_request, user=self.request.user, now=timezone.now()
            )
        )
        return self._state(feature_request.pk)

    @extend_schema(request=None, responses=VoteStateSerializer, examples=[examples.VOTED_RESPONSE])
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        """Vote for the request (and follow it); voting twice counts once."""
        return self._toggle(services.feature_request_vote)

    @extend_schema(
        request=None, responses=VoteStateSerializer, examples=[examples.UNVOTED_RESPONSE]
    )
    @action(detail=True, methods=["post"])
    def unvote(self, request, pk=None):
        """Withdraw your vote; you keep following the request."""
        return self._toggle(services.feature_request_unvote)

    @extend_schema(
        request=None, responses=VoteStateSerializer, examples=[examples.SUBSCRIBED_RESPONSE]
    )
    @action(detail=True, methods=["post"])
    def subscribe(self, request, pk=None):
        """Follow the request without voting: you are told when it is approved."""
        return self._toggle(services.feature_request_subscribe)

    @extend_schema(
        request=None, responses=VoteStateSerializer, examples=[examples.UNSUBSCRIBED_RESPONSE]
    )
    @action(detail=True, methods=["post"])
    def unsubscribe(self, request, pk=None):
        """Stop following the request (and its e-mails)."""
        return self._toggle(services.feature_request_unsubscribe)

    @extend_schema(
        methods=["get"],
        responses=CommentSerializer(many=True),
        filters=False,
        parameters=[],
        examples=[examples.COMMENT_RESPONSE],
    )
    @extend_schema(
        methods=["post"],
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
        examples=[examples.COMMENT_REQUEST, examples.NEW_COMMENT_RESPONSE],
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def comments(self, request, pk=None):
        """The comments, oldest first (analysts' answers are official); post one."""
        feature_request = self.get_object()
        if request.method == "GET":
            return Response(
                CommentSerializer(selectors.comments_of(feature_request), many=True).data
            )
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = _domain(
            lambda: services.comment_post(
                feature_request=feature_request,
                author=request.user,
                body=data.validated_data["body"],
                now=timezone.now(),
            )
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
