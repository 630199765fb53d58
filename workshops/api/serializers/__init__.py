"""Serializers of the workshop API."""
