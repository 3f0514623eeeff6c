"""The registrations' domain error."""


class RegistrationError(ValueError):
    """A registration or decision the rules refuse; the message says why, in plain words."""
