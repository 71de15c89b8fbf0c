"""Routes of the auth blueprint (being built)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
