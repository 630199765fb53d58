"""Serializers of supports and follows: the state after the change."""

from __future__ import annotations

from rest_framework import serializers


class IdeaSupportOutput(serializers.Serializer):
    supported = serializers.BooleanField()
    support_count = serializers.IntegerField()


class IdeaFollowOutput(serializers.Serializer):
    following = serializers.BooleanField()
