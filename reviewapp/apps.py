from django.apps import AppConfig
from django.urls import register_converter


class ReviewappConfig(AppConfig):
    name = "reviewapp"
    verbose_name = "Reviews and members"

    def ready(self) -> None:
        from reviewapp.converters import IdConverter

        register_converter(IdConverter, "id")
