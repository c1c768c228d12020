"""API shapes of the written record."""

from django.urls import reverse
from rest_framework import serializers

from communications.models import Agreement, Attachment, Message


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return reverse("communications:attachment", args=[attachment.pk])


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    text = serializers.CharField(source="display_text", read_only=True)
    # Not an EmailField: empty when the author is a user of ours, and "" is no e-mail.
    author_email = serializers.CharField(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "channel",
            "author",
            "author_email",
            "text",
            "body",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=50000)
    internal = serializers.BooleanField(default=False, help_text="Analysts only: internal note.")


class AttachmentCreateSerializer(serializers.Serializer):
    file = serializers.FileField()


class AgreementSerializer(serializers.ModelSerializer):
    vendor_party = serializers.SlugRelatedField(slug_field="username", read_only=True)
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "kind",
            "text",
            "agreed_date",
            "vendor_party",
            "customer_party",
            "version",
            "supersedes",
            "in_force",
            "created_at",
        ]
        read_only_fields = fields

    def get_in_force(self, agreement) -> bool:
        # agreements_visible_to selects superseded_by: no query per row.
        return not hasattr(agreement, "superseded_by")
