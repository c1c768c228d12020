"""The policy's texts customers read, in pt-BR, en and es (django-modeltranslation).

Each translated field gets one column per language on the same table (`name_pt_br`,
`name_en`, `name_es`): no join, so every existing query and the policy snapshots stay as
they are, and `level.name` reads the active language's text, falling back to pt-BR.

The models' history (django-simple-history) is registered here, after the translation
fields exist, so each version keeps every language (the pattern simple-history documents
for modeltranslation); the models themselves declare no `history`.
"""

import simple_history
from modeltranslation.translator import TranslationOptions, translator

from sla.models import PriorityLevel, SLAPolicy


class PriorityLevelTranslation(TranslationOptions):
    fields = ("name", "description", "impact")


class SLAPolicyTranslation(TranslationOptions):
    fields = ("name", "description")


translator.register(PriorityLevel, PriorityLevelTranslation)
translator.register(SLAPolicy, SLAPolicyTranslation)
simple_history.register(PriorityLevel, app="sla")
simple_history.register(SLAPolicy, app="sla")
