from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "ecoute.lib"
    label = "ecoute_lib"
