"""Input and output serializers of the ideas API, one module per part of the feature.

Inputs check shape and turn references into objects (district slugs, idea ids) and
decimal amounts into minor units (``engagement.http.fields``); services decide the rest and
sanitise text. Outputs describe exactly what is returned; money needs
``context["currency"]``, per-viewer fields ``context["user"]``. What authors write of an
idea is checked by ``engagement.ideas.inputs.IdeaFieldsInput``, shared with the pages.
"""
