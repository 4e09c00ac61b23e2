"""Partial stubs for Flask-WTF 1.3 (the parts Loket uses); the rest is ``Any``."""

from _typeshed import Incomplete

from .csrf import CSRFProtect as CSRFProtect
from .form import FlaskForm as FlaskForm

def __getattr__(name: str) -> Incomplete: ...
