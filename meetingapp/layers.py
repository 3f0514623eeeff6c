"""The layers of the code, lowest first, declared in one place.

A module may import from its own layer and the layers listed before it, never from one
listed after it (``tests/test_layers.py`` holds the code to this, and to having no import
cycle). What a lower feature needs to tell a higher one goes out as a signal, and what a
higher one adds to a lower one's page arrives through a hook point (``hooks``).
"""

# The shared base: modules every feature may use.
BASE = (
    "layers", "urls", "config", "extensions", "text", "names", "errors", "database", "models",
    "i18n", "timezones", "tokens", "links", "hooks", "formtools", "markdown", "pdf",
    "security", "request_log", "templating", "health", "access", "loading", "exports",
    "migration_guard",
)

# The features, in the order of a meeting's life after the services every feature uses
# (the audit log, the outbox, background jobs, sign-in). Each package has ``register(app)``,
# which the app factory calls in this order.
FEATURES = (
    "audit", "mail", "jobs", "auth", "users", "organisations", "meetings", "invitations",
    "registrations", "delegates", "portal", "agenda", "badges", "checkin", "outcomes",
    "reports", "calendars",
)

# What puts the application together: it may import any feature.
TOP = ("demo", "backup", "cli", "background", "tasks")

LAYERS = BASE + FEATURES + TOP
