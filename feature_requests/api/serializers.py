"""API shapes of feature requests: separate input and output serializers, explicit fields."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from feature_requests.models import Comment, FeatureRequest


class FeatureRequestSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    voted = serializers.BooleanField(source="has_voted", read_only=True)
    subscribed = serializers.BooleanField(source="is_subscribed", read_only=True)

    class Meta:
        model = FeatureRequest
        fields = [
            "id",
            "title",
            "description",
            "product_area",
            "status",
            "status_reason",
            "status_changed_at",
            "vote_count",
            "voted",
            "subscribed",
            "is_private",
            "author",
            "organization",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FeatureRequestCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    product_area = serializers.ChoiceField(
        choices=FeatureRequest.ProductArea.choices, default=FeatureRequest.ProductArea.OTHER
    )
    is_private = serializers.BooleanField(
        default=False, help_text=_("Only your organization and analysts see a private request.")
    )


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "is_official", "created_at"]
        read_only_fields = fields


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000)


class VoteStateSerializer(serializers.Serializer):
    vote_count = serializers.IntegerField()
    voted = serializers.BooleanField()
    subscribed = serializers.BooleanField()
