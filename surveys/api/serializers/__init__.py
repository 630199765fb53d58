"""Serializers of the survey API, by part."""
