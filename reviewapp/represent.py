"""A context-free serializer's output (and input) without building its fields on every call.

DRF builds a serializer's fields anew for every instance it is given (a ModelSerializer
introspects its model each time: about 1 ms for a record, on every queue/next and every
vote). `represent(SerializerClass, obj)` builds them once per process and reuses them:
the very same field objects, so the output is the same as `SerializerClass(obj).data`,
and the serializer class stays what the API schema documents.

`validated(SerializerClass, data)` is ``SerializerClass(data=data)`` made valid, for
input: its validated data, or the ValidationError (same detail) ``is_valid(
raise_exception=True)`` raises. Validation keeps no state on the serializer, so the
shared instance serves every thread.

Only for serializers whose fields need no context (no request, no SerializerMethodField
reading `self.context`): the shared instance has none.
"""

from __future__ import annotations

from rest_framework.serializers import BaseSerializer

_SHARED: dict[type[BaseSerializer], BaseSerializer] = {}


def _shared(serializer_class: type[BaseSerializer]) -> BaseSerializer:
    serializer = _SHARED.get(serializer_class)
    if serializer is None:
        serializer = serializer_class()
        serializer.fields  # noqa: B018 - built here, once, not on first use by two threads
        _SHARED[serializer_class] = serializer
    return serializer


def represent(serializer_class: type[BaseSerializer], instance) -> dict:
    """`serializer_class(instance).data`, from fields built once."""
    return _shared(serializer_class).to_representation(instance)


def validated(serializer_class: type[BaseSerializer], data) -> dict:
    """`serializer_class(data=data)`'s validated data, from fields built once; raises
    the ValidationError `is_valid(raise_exception=True)` would."""
    return _shared(serializer_class).run_validation(data)
