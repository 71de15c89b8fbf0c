"""Routes of the portal blueprint (being built)."""

from flask import Blueprint

bp = Blueprint("portal", __name__)
