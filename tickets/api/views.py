"""The ticket API: customers see their organization's tickets, analysts all of them."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from communications import selectors as record_selectors
from communications import services as record_services
from communications.api import examples as record_examples
from communications.api.serializers import (
    AgreementSerializer,
    AttachmentCreateSerializer,
    AttachmentSerializer,
    MessageCreateSerializer,
    MessageSerializer,
)
from communications.models import Attachment, Message
from sla.models import PriorityLevel
from tickets import selectors, services
from tickets.api import examples
from tickets.api.serializers import (
    AssignSerializer,
    PriorityLevelSerializer,
    PrioritySerializer,
    ReasonSerializer,
    TicketCreateSerializer,
    TicketListSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
    TransitionSerializer,
)
from tickets.filters import TicketFilter
from tickets.models import Ticket


def _domain(call):
    """Run a service; its rule violations become a 400 with the service's message."""
    try:
        return call()
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        raise serializers.ValidationError(detail) from None


class IsAnalyst(permissions.IsAuthenticated):
    """Analysts only, checked on the ticket once found: a ticket the user cannot see (another
    organization's, or none) is a 404 before it can be a 403."""

    def has_object_permission(self, request, view, obj):
        return bool(request.user and request.user.is_staff)


@extend_schema_view(
    list=extend_schema(
        responses=TicketListSerializer(many=True), examples=[examples.TICKET_LIST_ITEM_RESPONSE]
    ),
    retrieve=extend_schema(examples=[examples.TICKET_RESPONSE]),
    create=extend_schema(
        request=TicketCreateSerializer,
        responses={201: TicketSerializer},
        examples=[
            examples.TICKET_REQUEST,
            examples.TICKET_REQUEST_BY_ANALYST,
            examples.NEW_TICKET_RESPONSE,
        ],
    ),
    partial_update=extend_schema(
        request=TicketUpdateSerializer,
        responses=TicketSerializer,
        examples=[examples.UPDATE_REQUEST, examples.TICKET_RESPONSE],
    ),
)
class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TicketSerializer
    lookup_field = "reference"
    lookup_value_regex = r"HD-\d{4}-\d{6}"
    filterset_class = TicketFilter
    ordering_fields = ["reported_at", "next_due_at", "created_at", "priority__number"]
    ordering = ["-reported_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.tickets_visible_to(self.request.user)

    def get_serializer_class(self):
        return TicketListSerializer if self.action == "list" else TicketSerializer

    def create(self, request, *args, **kwargs):
        if not request.user.is_staff and getattr(request.user, "membership", None) is None:
            raise PermissionDenied("Only customers and analysts can open tickets.")
        data = TicketCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        now = timezone.now()
        ticket = _domain(
            lambda: services.ticket_create(
                **data.validated_data, channel=Ticket.Channel.API, reported_at=now, now=now
            )
        )
        ticket = self.get_queryset().get(pk=ticket.pk)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        ticket = self.get_object()
        data = TicketUpdateSerializer(ticket, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        ticket._history_user = request.user
        data.save()
        return Response(TicketSerializer(self.get_queryset().get(pk=ticket.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def _respond(self, ticket):
        return Response(TicketSerializer(self.get_queryset().get(pk=ticket.pk)).data)

    @extend_schema(
        request=ReasonSerializer,
        responses=TicketSerializer,
        examples=[examples.CONFIRM_REQUEST, examples.CLOSED_TICKET_RESPONSE],
    )
    @action(detail=True, methods=["post"], url_path="confirm-resolved")
    def confirm_resolved(self, request, reference=None):
        """The customer confirms the fix: the ticket is closed."""
        ticket = self.get_object()
        done = _domain(
            lambda: services.ticket_transition(
                ticket=ticket,
                to_status=Ticket.Status.CLOSED,
                actor=request.user,
                now=timezone.now(),
            )
        )
        return self._respond(done)

    @extend_schema(
        request=ReasonSerializer,
        responses=TicketSerializer,
        examples=[examples.REOPEN_REQUEST, examples.REOPENED_TICKET_RESPONSE],
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, reference=None):
        """Reopen a resolved ticket (customers within the policy's window)."""
        ticket = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = _domain(
            lambda: services.ticket_transition(
                ticket=ticket,
                to_status=Ticket.Status.IN_PROGRESS,
                actor=request.user,
                now=timezone.now(),
                reason=data.validated_data["reason"],
            )
        )
        return self._respond(done)

    @extend_schema(
        request=AssignSerializer,
        responses=TicketSerializer,
        examples=[examples.ASSIGN_REQUEST, examples.TICKET_RESPONSE],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAnalyst])
    def assign(self, request, reference=None):
        ticket = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = _domain(
            lambda: services.ticket_assign(
                ticket=ticket,
                analyst=data.validated_data["analyst"],
                actor=request.user,
                now=timezone.now(),
                reason=data.validated_data["reason"],
            )
        )
        return self._respond(done)

    @extend_schema(
        request=TransitionSerializer,
        responses=TicketSerializer,
        examples=[
            examples.TRANSITION_REQUEST,
            examples.WAITING_REQUEST,
            examples.RESOLVED_TICKET_RESPONSE,
        ],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAnalyst])
    def transition(self, request, reference=None):
        ticket = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        done = _domain(
            lambda: services.ticket_transition(
                ticket=ticket,
                to_status=values["status"],
                actor=request.user,
                now=timezone.now(),
                reason=values["reason"],
                origin=values.get("origin"),
                evidence_note=values["evidence_note"],
            )
        )
        return self._respond(done)

    @extend_schema(
        request=PrioritySerializer,
        responses=TicketSerializer,
        examples=[examples.PRIORITY_REQUEST, examples.TICKET_RESPONSE],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAnalyst])
    def priority(self, request, reference=None):
        ticket = self.get_object()
        data = PrioritySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = _domain(
            lambda: services.ticket_change_priority(
                ticket=ticket,
                level=data.validated_data["priority"],
                actor=request.user,
                now=timezone.now(),
                reason=data.validated_data["reason"],
            )
        )
        return self._respond(done)

    @extend_schema(
        methods=["get"],
        responses=MessageSerializer(many=True),
        filters=False,
        parameters=[],
        examples=[record_examples.MESSAGE_RESPONSE],
    )
    @extend_schema(
        methods=["post"],
        request=MessageCreateSerializer,
        responses={201: MessageSerializer},
        examples=[
            record_examples.MESSAGE_REQUEST,
            record_examples.NOTE_REQUEST,
            record_examples.MESSAGE_RESPONSE,
        ],
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def messages(self, request, reference=None):
        """The conversation (internal notes only for analysts); post a message or a note."""
        ticket = self.get_object()
        if request.method == "GET":
            visible = record_selectors.messages_visible_to(request.user, ticket)
            return Response(MessageSerializer(visible, many=True).data)
        data = MessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = _domain(
            lambda: record_services.message_post(
                ticket=ticket,
                author=request.user,
                body=data.validated_data["body"],
                channel=Message.Channel.API,
                now=timezone.now(),
                internal=data.validated_data["internal"],
            )
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        responses=AttachmentSerializer(many=True),
        filters=False,
        examples=[record_examples.ATTACHMENT_RESPONSE],
    )
    @extend_schema(
        methods=["post"],
        request=AttachmentCreateSerializer,
        responses={201: AttachmentSerializer},
        examples=[record_examples.ATTACHMENT_REQUEST, record_examples.ATTACHMENT_RESPONSE],
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        pagination_class=None,
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def attachments(self, request, reference=None):
        """Files of the ticket the user may see; upload one (multipart, field `file`)."""
        ticket = self.get_object()
        if request.method == "GET":
            visible = record_selectors.attachments_visible_to(request.user).filter(ticket=ticket)
            return Response(AttachmentSerializer(visible, many=True).data)
        data = AttachmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        attachment: Attachment = _domain(
            lambda: record_services.attachment_store(
                ticket=ticket,
                message=None,
                file=record_services.IncomingFile(
                    upload.name, upload.content_type or "", upload.read()
                ),
                uploaded_by=request.user,
                now=timezone.now(),
            )
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses=AgreementSerializer(many=True),
        filters=False,
        examples=[record_examples.AGREEMENT_RESPONSE],
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def agreements(self, request, reference=None):
        """Every version of every agreement on the ticket, in order."""
        ticket = self.get_object()
        visible = record_selectors.agreements_visible_to(request.user).filter(ticket=ticket)
        return Response(AgreementSerializer(visible, many=True).data)


@extend_schema_view(
    list=extend_schema(examples=[examples.LEVEL_RESPONSE]),
    retrieve=extend_schema(examples=[examples.LEVEL_RESPONSE]),
)
class PriorityLevelViewSet(viewsets.ReadOnlyModelViewSet):
    """The levels of the policy, with what each means (read-only)."""

    serializer_class = PriorityLevelSerializer
    queryset = PriorityLevel.objects.all()
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"  # a level's code is a slug
    pagination_class = None
    filter_backends = []
