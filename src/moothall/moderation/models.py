"""Moderation's models."""
