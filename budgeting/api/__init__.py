"""The budgeting REST API under ``/api/v1/`` (docs/api.md).

Thin views (``views``): an input serializer checks the shape of a request, one service or
selector call decides, an output serializer (``serializers``) shapes the answer. Money is
returned in minor units and as a decimal string, and accepted as a decimal string
(``fields``); published results carry translated explanations (``results``).
"""
