"""The six official languages of the United Nations, used for pages and e-mails."""

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
