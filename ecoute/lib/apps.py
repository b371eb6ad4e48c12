from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "ecoute.lib"
    label = "ecoute_lib"

    def ready(self) -> None:
        from ecoute.lib import checks  # noqa: F401 - registers the start-up checks
